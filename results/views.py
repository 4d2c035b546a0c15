"""実績 screens: quarterly entry, the 課長's approval, the 事務局's windows, the dashboard.

Each view resolves its object and the user's right to it through one helper
(``_get_entry``, ``_get_item``, ``_get_department``, ``_get_secretariat_year``), then
calls a form, one service and renders or redirects. Every status shown comes from
``results.progress.item_progress`` via ``results.selectors``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from plans import access
from plans import selectors as plan_selectors
from plans.models import Business, Department, FiscalYear, PlanItem, Section, User

from . import selectors, services
from .forms import (
    ApproveForm,
    DecisionForm,
    EntryForm,
    RowForm,
    ToleranceForm,
    UnlockForm,
    WindowForm,
)
from .models import QuarterWindow, SectionQuarter
from .now import now_for
from .services import EntryError, ResultInput, StaleEntryError

Role = User.Role


def _check_quarter(quarter: int) -> None:
    if quarter not in selectors.QUARTERS:
        raise Http404("四半期は 1〜4 です。")


# ---------------------------------------------------------------------------------------
# Object + permission helpers


@dataclass
class Entry:
    """A section's quarter as one user sees it."""

    user: User
    fiscal_year: FiscalYear
    section: Section
    quarter: int
    section_quarter: SectionQuarter  # unsaved (version 0) until the first save
    window: QuarterWindow | None

    @property
    def can_enter(self) -> bool:
        return access.can_enter(self.user, self.section)

    @property
    def can_decide(self) -> bool:
        return access.can_decide(self.user, self.section)

    @property
    def can_withdraw(self) -> bool:
        """The 係 may take its submission back: submitted, not yet decided, window open."""
        return (
            access.can_withdraw_submission(self.user, self.section)
            and self.section_quarter.state == SectionQuarter.State.SUBMITTED
            and self.window_open
        )

    @property
    def can_unlock(self) -> bool:
        return access.is_secretariat(self.user, self.fiscal_year.organization_id)

    @property
    def window_open(self) -> bool:
        return bool(self.window and self.window.is_open)

    @property
    def editable(self) -> bool:
        """Inputs are enabled: may enter, not submitted or approved, and the window is
        open (the 事務局 may correct outside it)."""
        return (
            self.can_enter
            and not self.section_quarter.is_locked
            and (self.window_open or self.user.role == Role.SECRETARIAT)
        )

    @property
    def url(self) -> str:
        return reverse("results:entry", args=[self.fiscal_year.year, self.quarter, self.section.pk])


def _get_entry(request: HttpRequest, year: int, quarter: int, section_id: int) -> Entry:
    """The section's entry for a quarter, if the user may open it (404 / 403 otherwise).

    Queries: section (with 課 and organisation), fiscal year, section-quarter, window.
    """
    _check_quarter(quarter)
    section = get_object_or_404(
        Section.objects.select_related("department__organization"), pk=section_id
    )
    access.require(access.can_review(request.user, section))
    fiscal_year = get_object_or_404(
        FiscalYear.objects.select_related("organization"),
        organization_id=section.department.organization_id,
        year=year,
    )
    section_quarter = SectionQuarter.objects.filter(
        fiscal_year=fiscal_year, section=section, quarter=quarter
    ).first() or SectionQuarter(fiscal_year=fiscal_year, section=section, quarter=quarter)
    return Entry(
        user=request.user,
        fiscal_year=fiscal_year,
        section=section,
        quarter=quarter,
        section_quarter=section_quarter,
        window=services.window_for(fiscal_year, quarter),
    )


def _get_item(request: HttpRequest, item_id: int, *, review: bool) -> PlanItem:
    """A plan row the user may read (``review``: may open its section's entry page)."""
    item = get_object_or_404(
        PlanItem.objects.select_related(
            "initiative__business__section__department__organization",
            "initiative__business__fiscal_year__organization",
            "initiative__business__commissioned_by",
        ),
        pk=item_id,
    )
    business = item.initiative.business
    if review:
        access.require(access.can_review(request.user, business.section))
    else:
        access.require(access.can_view_business(request.user, business))
    return item


def _get_department(request: HttpRequest, year: int, department_id: int):
    """A 課 and its fiscal year, for its 課長 or the 事務局."""
    department = get_object_or_404(
        Department.objects.select_related("organization"), pk=department_id
    )
    access.require(access.can_oversee_department(request.user, department))
    fiscal_year = get_object_or_404(
        FiscalYear.objects.select_related("organization"),
        organization_id=department.organization_id,
        year=year,
    )
    return department, fiscal_year


def _get_secretariat_year(request: HttpRequest, year: int) -> FiscalYear:
    """The user's organisation's fiscal year, for the 事務局 only."""
    user = request.user
    access.require(user.role == Role.SECRETARIAT and user.organization_id is not None)
    return get_object_or_404(
        FiscalYear.objects.select_related("organization"),
        organization_id=user.organization_id,
        year=year,
    )


# ---------------------------------------------------------------------------------------
# Landing


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its 実績 screen for the quarter being worked on."""
    user = request.user
    now = now_for(user)
    access.require(now is not None)
    year, quarter = now.year, now.quarter
    fiscal_year = FiscalYear.objects.filter(organization_id=user.organization_id, year=year).first()
    if fiscal_year is None or user.role in (Role.BOARD, Role.CITY, Role.COLLAB_STAFF):
        return redirect("results:dashboard_latest")
    if user.role == Role.SECTION_STAFF and user.section_id:
        return redirect("results:entry", year, quarter, user.section_id)
    if user.role == Role.DEPARTMENT_HEAD and user.department_id:
        return redirect("results:department", year, quarter, user.department_id)
    if user.role == Role.SECRETARIAT:
        return redirect("results:manage", year)
    return redirect("results:dashboard_latest")


# ---------------------------------------------------------------------------------------
# Entry page


def _render_entry(
    request: HttpRequest,
    entry: Entry,
    page: selectors.EntryPage,
    form: EntryForm,
    *,
    errors: list[str] | None = None,
    unsaved: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    form.attach(page.rows)
    state = selectors.SectionState(
        section=entry.section,
        section_quarter=entry.section_quarter if entry.section_quarter.pk else None,
    )
    return render(
        request,
        "results/entry.html",
        {
            "entry": entry,
            "page": page,
            "form": form,
            "state": state,
            "year": entry.fiscal_year.year,
            "quarter": entry.quarter,
            "quarter_label": selectors.quarter_label(entry.quarter),
            "quarters": selectors.QUARTERS,
            "errors": errors or [],
            "unsaved": unsaved or [],
            "decision_form": DecisionForm(),
            "approve_form": _approve_form(entry),
            "unlock_form": UnlockForm(),
        },
        status=status,
    )


def _approve_form(entry: Entry) -> ApproveForm | None:
    """The 課長's approval, carrying the version and figures they are looking at."""
    section_quarter = entry.section_quarter
    if not (entry.can_decide and section_quarter.state == SectionQuarter.State.SUBMITTED):
        return None
    return ApproveForm.for_entry(
        version=section_quarter.version, snapshot=services.entry_snapshot(section_quarter)
    )


def _unsaved_inputs(inputs: list[ResultInput], rows: list[selectors.Row]) -> list[tuple[str, str]]:
    """What a refused (stale) save had typed where it differs from the saved values."""
    current = {row.item.pk: (row.item, row.current) for row in rows}
    unsaved = []
    for entry in inputs:
        item, result = current.get(entry.item_id, (None, None))
        if item is None:
            continue
        typed = entry.as_fields()
        saved = RowForm.initial_for(result)
        parts = []
        if typed["value"] is not None and f"{typed['value'].normalize():f}" != saved.get("value"):
            parts.append(f"実績 {typed['value'].normalize():f}")
        if typed["note"] and typed["note"] != saved.get("note", ""):
            parts.append(f"実施内容「{typed['note']}」")
        if typed["reason"] and typed["reason"] != saved.get("reason", ""):
            parts.append(f"理由「{typed['reason']}」")
        if parts:
            unsaved.append((f"{item.group} {item.name}".strip(), "、".join(parts)))
    return unsaved


@login_required
def entry(request: HttpRequest, year: int, quarter: int, section_id: int) -> HttpResponse:
    """A section's 実績 for one quarter: every row at once, saved as a draft or submitted."""
    entry = _get_entry(request, year, quarter, section_id)

    def page_of(entry: Entry) -> selectors.EntryPage:
        return selectors.entry_page(
            fiscal_year=entry.fiscal_year,
            section=entry.section,
            quarter=quarter,
            section_quarter=entry.section_quarter,
            window=entry.window,
        )

    if request.method != "POST":
        page = page_of(entry)
        form = EntryForm(
            rows=page.rows,
            quarter=quarter,
            version=entry.section_quarter.version,
            disabled=not entry.editable,
        )
        return _render_entry(request, entry, page, form)

    access.require(entry.can_enter)
    rows = selectors.entry_form_rows(
        fiscal_year=entry.fiscal_year, section=entry.section, quarter=quarter
    )
    form = EntryForm(
        request.POST, rows=rows, quarter=quarter, version=entry.section_quarter.version
    )
    if not form.is_valid():
        return _render_entry(
            request, entry, page_of(entry), form, errors=form.error_messages(), status=400
        )
    section_quarter = services.section_quarter_get(
        fiscal_year=entry.fiscal_year, section=entry.section, quarter=quarter
    )
    try:
        services.results_save(
            section_quarter=section_quarter,
            user=request.user,
            inputs=form.inputs(),
            version=form.version,
        )
    except StaleEntryError as exc:
        # Show what is saved now, and what this save had typed, so nothing is lost silently.
        fresh = _get_entry(request, year, quarter, section_id)
        fresh_page = page_of(fresh)
        fresh_form = EntryForm(
            rows=fresh_page.rows,
            quarter=quarter,
            version=fresh.section_quarter.version,
            disabled=not fresh.editable,
        )
        return _render_entry(
            request,
            fresh,
            fresh_page,
            fresh_form,
            errors=exc.messages,
            unsaved=_unsaved_inputs(form.inputs(), fresh_page.rows),
            status=409,
        )
    except EntryError as exc:
        return _render_entry(request, entry, page_of(entry), form, errors=exc.messages, status=400)

    if request.POST.get("action") == "submit":
        try:
            services.section_quarter_submit(section_quarter=section_quarter, user=request.user)
        except EntryError as exc:
            messages.warning(request, "下書きを保存しましたが、提出できませんでした。")
            for message in exc.messages:
                messages.error(request, message)
            return redirect(entry.url)
        messages.success(request, "提出しました。課長の承認をお待ちください。")
    else:
        messages.success(request, "下書きを保存しました。")
    return redirect(entry.url)


@login_required
@require_GET
def row_status(request: HttpRequest, year: int, quarter: int, item_id: int) -> HttpResponse:
    """The status a row would have with what is being typed (an HTML fragment).

    Nothing is saved; the status comes from ``item_progress`` like everywhere else.
    """
    _check_quarter(quarter)
    item = _get_item(request, item_id, review=True)
    fiscal_year = item.initiative.business.fiscal_year
    if fiscal_year.year != year:
        raise Http404("この年度の行ではありません。")
    target = item.target_at(quarter)
    form = RowForm(request.GET, item=item, target=target)
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        return render(request, "results/_row_status.html", {"row": None, "errors": errors})
    window = services.window_for(fiscal_year, quarter)
    row = selectors.row_with_input(
        item=item,
        quarter=quarter,
        typed=form.to_result(quarter),
        window=window,
        tolerance=fiscal_year.organization.tolerance,
    )
    return render(request, "results/_row_status.html", {"row": row, "errors": []})


@login_required
@require_POST
def withdraw(request: HttpRequest, year: int, quarter: int, section_id: int) -> HttpResponse:
    """提出の取り消し by the 係 before the 課長 acts."""
    entry = _get_entry(request, year, quarter, section_id)
    access.require(access.can_withdraw_submission(request.user, entry.section))
    try:
        if entry.section_quarter.pk is None:
            raise EntryError(["まだ提出されていないため、取り消すものはありません。"])
        services.section_quarter_withdraw(section_quarter=entry.section_quarter, user=request.user)
    except EntryError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(entry.url)
    messages.success(request, "提出を取り消しました。修正して、もう一度提出してください。")
    return redirect(entry.url)


# ---------------------------------------------------------------------------------------
# 課長: approve or return; 事務局: unlock


@login_required
@require_POST
def approve(request: HttpRequest, year: int, quarter: int, section_id: int) -> HttpResponse:
    """承認 of the version the 課長 reviewed; refused with what changed if it is stale."""
    entry = _get_entry(request, year, quarter, section_id)
    access.require(entry.can_decide)
    form = ApproveForm(request.POST)
    try:
        if entry.section_quarter.pk is None:
            raise EntryError(["提出されていない実績は承認できません。"])
        if not form.is_valid():
            raise EntryError(
                [e for errors in form.errors.values() for e in errors]
                if "reviewed" in form.errors
                else ["承認の画面を開き直してから承認してください。"]
            )
        services.section_quarter_approve(
            section_quarter=entry.section_quarter,
            user=request.user,
            version=form.cleaned_data["version"],
            reviewed=form.cleaned_data["reviewed"],
        )
    except EntryError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(entry.url)
    messages.success(request, f"{entry.section.name}の第{quarter}四半期の実績を承認しました。")
    return redirect("results:department", year, quarter, entry.section.department_id)


@login_required
@require_POST
def send_back(request: HttpRequest, year: int, quarter: int, section_id: int) -> HttpResponse:
    """差戻し with a comment."""
    entry = _get_entry(request, year, quarter, section_id)
    access.require(entry.can_decide)
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if entry.section_quarter.pk is None:
            raise EntryError(["提出されていない実績は差し戻せません。"])
        services.section_quarter_return(
            section_quarter=entry.section_quarter, user=request.user, comment=comment
        )
    except EntryError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(entry.url)
    messages.success(request, f"{entry.section.name}の実績を差し戻しました。")
    return redirect("results:department", year, quarter, entry.section.department_id)


@login_required
@require_POST
def unlock(request: HttpRequest, year: int, quarter: int, section_id: int) -> HttpResponse:
    """事務局 reopens an approved (or submitted) entry, with a reason."""
    entry = _get_entry(request, year, quarter, section_id)
    access.require(entry.can_unlock)
    form = UnlockForm(request.POST)
    try:
        if not form.is_valid():
            raise EntryError([e for errors in form.errors.values() for e in errors])
        if entry.section_quarter.pk is None:
            raise EntryError(["まだ提出されていないため、解除の必要はありません。"])
        services.section_quarter_unlock(
            section_quarter=entry.section_quarter,
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except EntryError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(entry.url)
    if entry.window_open:
        messages.success(request, "承認を解除しました。係で修正して、もう一度提出できます。")
    else:
        # Outside the window the 係 cannot type: say who corrects it now.
        messages.success(
            request,
            "承認を解除しました。入力期間が締め切られているため、係では修正できません。"
            "事務局がこの画面で修正して提出するか、入力期間を開いてください。",
        )
    return redirect(entry.url)


@login_required
@require_GET
def department(request: HttpRequest, year: int, quarter: int, department_id: int) -> HttpResponse:
    """The 課's sections and the state of their entry for a quarter."""
    _check_quarter(quarter)
    department, fiscal_year = _get_department(request, year, department_id)
    return render(
        request,
        "results/department.html",
        {
            "department": department,
            "fiscal_year": fiscal_year,
            "year": year,
            "quarter": quarter,
            "quarter_label": selectors.quarter_label(quarter),
            "quarters": selectors.QUARTERS,
            "states": selectors.department_states(
                fiscal_year=fiscal_year, department=department, quarter=quarter
            ),
            "window": services.window_for(fiscal_year, quarter),
        },
    )


# ---------------------------------------------------------------------------------------
# 事務局: windows, tolerance, who has not submitted


@login_required
@require_GET
def manage(request: HttpRequest, year: int) -> HttpResponse:
    fiscal_year = _get_secretariat_year(request, year)
    windows = selectors.windows_by_quarter(fiscal_year)
    window_forms = [
        (
            quarter,
            selectors.quarter_label(quarter),
            windows.get(quarter),
            WindowForm(
                initial={
                    "is_open": windows[quarter].is_open if quarter in windows else False,
                    "deadline": windows[quarter].deadline if quarter in windows else None,
                },
                prefix=f"q{quarter}",
            ),
        )
        for quarter in selectors.QUARTERS
    ]
    overview = selectors.secretariat_overview(fiscal_year=fiscal_year)
    open_quarters = [q for q, w in windows.items() if w.is_open]
    missing = [
        (
            quarter,
            selectors.quarter_label(quarter),
            windows[quarter],
            [row for row in overview if not row.quarters[quarter - 1].is_submitted],
        )
        for quarter in sorted(open_quarters)
    ]
    percent = fiscal_year.organization.tolerance * 100
    return render(
        request,
        "results/manage.html",
        {
            "fiscal_year": fiscal_year,
            "year": year,
            "window_forms": window_forms,
            "overview": overview,
            "missing": missing,
            "quarters": selectors.QUARTERS,
            "tolerance_form": ToleranceForm(initial={"percent": f"{percent.normalize():f}"}),
        },
    )


@login_required
@require_POST
def window_set(request: HttpRequest, year: int, quarter: int) -> HttpResponse:
    _check_quarter(quarter)
    fiscal_year = _get_secretariat_year(request, year)
    form = WindowForm(request.POST, prefix=f"q{quarter}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"第{quarter}四半期: {error}")
        return redirect("results:manage", year)
    services.quarter_window_set(
        fiscal_year=fiscal_year,
        quarter=quarter,
        is_open=form.cleaned_data["is_open"],
        deadline=form.cleaned_data["deadline"],
        user=request.user,
    )
    verb = "開始しました" if form.cleaned_data["is_open"] else "締め切りました"
    messages.success(request, f"第{quarter}四半期の入力を{verb}。")
    return redirect("results:manage", year)


@login_required
@require_POST
def tolerance_set(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(user.role == Role.SECRETARIAT)
    organization = access.member_organization(user)
    form = ToleranceForm(request.POST)
    try:
        if not form.is_valid():
            raise EntryError([e for errors in form.errors.values() for e in errors])
        services.organization_set_tolerance(
            organization=organization, tolerance=form.tolerance, user=user
        )
    except EntryError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"順調とみなす許容幅を {form.cleaned_data['percent']:f}% にしました。"
        )
    next_year = request.POST.get("year", "")
    if next_year.isdigit():
        return redirect("results:manage", int(next_year))
    return redirect("results:home")


# ---------------------------------------------------------------------------------------
# A row: its history and its quarter-by-quarter page


@login_required
@require_GET
def item_history(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _get_item(request, item_id, review=True)
    return render(
        request,
        "results/history.html",
        {"item": item, "entries": selectors.item_history(item)},
    )


@login_required
@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    back_quarter = request.GET.get("q", "")
    if back_quarter and back_quarter not in {str(q) for q in selectors.QUARTERS}:
        raise BadRequest("四半期は 1〜4 で指定してください。")
    item = _get_item(request, item_id, review=False)
    page = selectors.item_page(item)
    return render(
        request,
        "results/item_detail.html",
        {
            "item": item,
            "page": page,
            "year": item.initiative.business.fiscal_year.year,
            "can_see_history": access.can_review(request.user, item.initiative.business.section),
            "back_quarter": back_quarter,
        },
    )


# ---------------------------------------------------------------------------------------
# Dashboard (理事・評議員, 市の所管課, and everyone for what they may read)


@login_required
@require_GET
def dashboard_latest(request: HttpRequest) -> HttpResponse:
    """This year's dashboard (``results.now``) at its latest approved quarter."""
    now = now_for(request.user)
    access.require(now is not None)
    quarter = selectors.dashboard_default_quarter(request.user, year=now.year)
    return redirect("results:dashboard", now.year, quarter)


@login_required
@require_GET
def dashboard(request: HttpRequest, year: int, quarter: int) -> HttpResponse:
    """Progress of the whole organisation (or of what the user may read), read-only."""
    _check_quarter(quarter)
    years = plan_selectors.visible_years(request.user)
    access.require(year in years)
    data = selectors.dashboard(request.user, year=year, quarter=quarter)
    return render(
        request,
        "results/dashboard.html",
        {
            "data": data,
            "year": year,
            "years": years,
            "quarter": quarter,
            "quarters": selectors.QUARTERS,
            "statuses": selectors.STATUS_ORDER,
        },
    )


@login_required
@require_GET
def business_rows(request: HttpRequest, year: int, quarter: int, business_id: int) -> HttpResponse:
    """One business's rows as the dashboard shows them (opened from the dashboard).

    The dashboard itself renders per-business summaries only, so that its cost follows
    the number of businesses, not of rows; ``?fragment=1`` returns just the table for
    the dashboard's ``<details>`` (static/js/dashboard.js), otherwise a whole page.
    """
    _check_quarter(quarter)
    business = get_object_or_404(
        Business.objects.select_related("section__department", "fiscal_year"),
        pk=business_id,
        fiscal_year__year=year,
    )
    access.require(access.can_view_business(request.user, business))
    data = selectors.dashboard(request.user, year=year, quarter=quarter, business_id=business.pk)
    summary = data.departments[0].sections[0].businesses[0]
    context = {"data": data, "bs": summary, "year": year, "quarter": quarter}
    if request.GET.get("fragment"):
        return render(request, "results/_business_rows.html", context)
    return render(request, "results/business_rows.html", context)
