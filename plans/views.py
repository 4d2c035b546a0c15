"""Plan screens: browse a year's plan, list rows to check (要確認), edit a row, 確定 the
plan, decide 補正 and review a plan import before it is written."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from targets.display import describe_target
from targets.parser import parse_target

from . import access, lockouts, selectors, services
from .forms import (
    AuditFilterForm,
    LockoutClearForm,
    PersonActiveForm,
    PersonAddForm,
    PersonForm,
    PlanImportDecisionForm,
    PlanItemForm,
    ReviewFilterForm,
    RevisionDecisionForm,
    TargetStructureForm,
)
from .models import AuditEvent, FiscalYear, PlanImport, PlanItem, Section, TargetRevision, User
from .now import year_by_date
from .tables import AuditTable, ReviewTable


def _get_item_for_editor(request: HttpRequest, pk: int) -> PlanItem:
    """The row ``pk``, if the user may edit its section's plan (404 / 403 otherwise)."""
    item = get_object_or_404(
        PlanItem.objects.select_related(
            "initiative__business__section__department", "initiative__business__fiscal_year"
        ),
        pk=pk,
    )
    access.require(access.can_edit_section_plan(request.user, item.initiative.business.section))
    return item


def _editable_section_ids(user: User) -> set[int]:
    if user.role == User.Role.SECRETARIAT and user.organization_id:
        return set(
            Section.objects.filter(department__organization_id=user.organization_id).values_list(
                "pk", flat=True
            )
        )
    if user.role == User.Role.SECTION_STAFF and user.section_id:
        return {user.section_id}
    return set()


@login_required
def plan_latest(request: HttpRequest) -> HttpResponse:
    """This fiscal year's plan (plans.now), not the newest: next year's plan is drafted
    while this year's quarters are still entered."""
    years = selectors.visible_years(request.user)
    if not years:
        return render(request, "plans/no_plans.html")
    return redirect("plans:year", year=year_by_date(years, timezone.localdate()))


@login_required
def plan_year(request: HttpRequest, year: int) -> HttpResponse:
    """The plan of a year as printed: 課 → 係 → 事業 → 取り組み → rows."""
    years = selectors.visible_years(request.user)
    access.require(year in years)
    businesses = list(selectors.plan_businesses(request.user, year))
    departments = selectors.group_by_department(businesses)
    fiscal_year = next(
        (
            b.fiscal_year
            for b in businesses
            if b.fiscal_year.organization_id == request.user.organization_id
        ),
        None,
    )
    return render(
        request,
        "plans/plan_year.html",
        {
            "year": year,
            "years": years,
            "departments": departments,
            "editable_section_ids": _editable_section_ids(request.user),
            "fiscal_year": fiscal_year,
            "can_fix": fiscal_year is not None
            and access.can_fix_plan(request.user, fiscal_year.organization_id),
            "follows_revisions": access.follows_revisions(request.user),
        },
    )


@login_required
def review_list(request: HttpRequest, year: int) -> HttpResponse:
    """Every row with what the parser understood, filterable to the 要確認 ones."""
    access.require(year in selectors.visible_years(request.user))
    form = ReviewFilterForm(request.GET or None)
    items = selectors.review_items(request.user, year)
    total = items.count()
    review_count = items.filter(needs_review=True).count()
    if form.is_valid():
        if form.cleaned_data["needs_review"]:
            items = items.filter(needs_review=True)
        if form.cleaned_data["kind"]:
            items = items.filter(target_kind=form.cleaned_data["kind"])
        if keyword := form.cleaned_data["q"].strip():
            items = items.filter(
                Q(group__icontains=keyword)
                | Q(name__icontains=keyword)
                | Q(detail__icontains=keyword)
                | Q(target_text__icontains=keyword)
            )
    table = ReviewTable(items, editable_section_ids=_editable_section_ids(request.user))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "plans/review_list.html",
        {
            "year": year,
            "table": table,
            "form": form,
            "total": total,
            "review_count": review_count,
        },
        status=_filter_status(form),
    )


def _filter_status(form) -> int:
    """400 for a filter the form refused (its errors are shown above the list), else 200."""
    return 400 if form.is_bound and not form.is_valid() else 200


def _item_edit_page(
    request: HttpRequest, item: PlanItem, form: PlanItemForm, structure_form, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "plans/item_edit.html",
        {
            "item": item,
            "form": form,
            "structure_form": structure_form,
            "phrases": describe_target(item.parsed),
            "year": item.initiative.business.fiscal_year.year,
            "fixed": item.initiative.business.fiscal_year.is_plan_fixed,
            "revisions": item.revisions.select_related("requested_by", "decided_by").order_by(
                "-requested_at", "-id"
            ),
            "earlier": [
                {**segment, "until": _until(item, index)}
                for index, segment in enumerate(item.earlier_targets)
            ],
        },
        status=status,
    )


def _until(item: PlanItem, index: int) -> int:
    """The last quarter an earlier target was in force."""
    following = item.earlier_targets[index + 1 : index + 2]
    return (following[0]["from"] if following else item.target_from_quarter) - 1


def _item_form(request: HttpRequest, item: PlanItem, data=None, **kwargs) -> PlanItemForm:
    fixed = item.initiative.business.fiscal_year.is_plan_fixed
    first = services.revision_first_quarter(item) if fixed else None
    return PlanItemForm(data, instance=item, fixed=fixed, first_quarter=first, **kwargs)


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_item_for_editor(request, pk)
    form = _item_form(request, item, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.plan_item_update(
                item=item, user=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if change.revision is not None:
                messages.warning(
                    request,
                    "計画は確定済みのため、目標値の変更を補正として申請しました。"
                    "事務局が承認すると、"
                    f"{change.revision.from_label}の目標が変わります。",
                )
            else:
                messages.success(request, "計画の行を保存しました。")
            return redirect(item.get_absolute_url())
    structure_form = TargetStructureForm(
        initial=TargetStructureForm.initial_for(item),
        fixed=form.fields.get("revision_from") is not None,
        first_quarter=form.initial.get("revision_from"),
    )
    return _item_edit_page(request, item, form, structure_form)


@login_required
def item_structure(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what a 目標値 means, edited by hand; the written text is kept."""
    item = _get_item_for_editor(request, pk)
    if request.method != "POST":
        return redirect(item.get_absolute_url())
    fixed = item.initiative.business.fiscal_year.is_plan_fixed
    first = services.revision_first_quarter(item) if fixed else None
    form = TargetStructureForm(request.POST, fixed=fixed, first_quarter=first)
    if form.is_valid():
        try:
            change = services.plan_item_set_structure(
                item=item,
                parsed=form.to_target(item.target_text),
                revision_reason=form.cleaned_data.get("revision_reason") or "",
                revision_from=form.cleaned_data.get("revision_from"),
                user=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if change.revision is not None:
                messages.warning(request, "目標値の意味の修正を補正として申請しました。")
            else:
                messages.success(request, "目標値の意味を手で直しました。")
            return redirect(item.get_absolute_url())
    return _item_edit_page(request, item, _item_form(request, item), form, status=400)


@login_required
@require_POST
def plan_fix(request: HttpRequest, year: int) -> HttpResponse:
    """確定: the 事務局 fixes its council's plan of ``year``."""
    organization = access.member_organization(request.user)
    access.require(access.can_fix_plan(request.user, organization.pk))
    fiscal_year = get_object_or_404(FiscalYear, organization=organization, year=year)
    try:
        services.plan_fix(fiscal_year=fiscal_year, user=request.user)
    except ValidationError as error:
        messages.error(request, "、".join(error.messages))
    else:
        messages.success(
            request,
            f"{fiscal_year.label}の事業計画を確定しました。"
            "これからの目標値の変更は、補正（理由と事務局の承認が必要）になります。",
        )
    return redirect("plans:year", year=year)


@login_required
def revision_list(request: HttpRequest, year: int) -> HttpResponse:
    """The 補正 of ``year``: the 事務局 decides them, a 係 follows its own."""
    sections = access.revision_sections(request.user)
    access.require(sections.exists())
    revisions = selectors.revisions(year=year, sections=sections)
    can_decide = access.can_fix_plan(request.user, request.user.organization_id)
    return render(
        request,
        "plans/revision_list.html",
        {
            "year": year,
            "pending": [r for r in revisions if r.state == TargetRevision.State.REQUESTED],
            "decided": [r for r in revisions if r.state != TargetRevision.State.REQUESTED],
            "can_decide": can_decide,
        },
    )


@login_required
@require_POST
def revision_decide(request: HttpRequest, pk: int) -> HttpResponse:
    revision = get_object_or_404(
        TargetRevision.objects.select_related(
            "item__initiative__business__section__department",
            "item__initiative__business__fiscal_year",
        ),
        pk=pk,
    )
    business = revision.item.initiative.business
    access.require(access.can_decide_revision(request.user, business.section))
    form = RevisionDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "、".join(errors))
        return redirect("plans:revisions", year=business.fiscal_year.year)
    try:
        if form.cleaned_data["decision"] == "approve":
            services.target_revision_approve(
                revision=revision, user=request.user, note=form.cleaned_data["note"]
            )
            messages.success(
                request,
                f"補正を承認しました。「{revision.item}」の目標は{revision.from_label}"
                f"「{revision.new_text}」です。",
            )
        else:
            services.target_revision_refuse(
                revision=revision, user=request.user, note=form.cleaned_data["note"]
            )
            messages.success(
                request, f"補正を却下しました。「{revision.item}」の目標は変わりません。"
            )
    except ValidationError as error:
        messages.error(request, "、".join(error.messages))
    return redirect("plans:revisions", year=business.fiscal_year.year)


@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change a plan workbook would make; written only when the 事務局 confirms."""
    plan_import = get_object_or_404(
        PlanImport.objects.select_related("fiscal_year__organization", "created_by"), pk=pk
    )
    access.require(access.can_fix_plan(request.user, plan_import.fiscal_year.organization_id))
    fiscal_year = plan_import.fiscal_year
    pending = plan_import.state == PlanImport.State.PENDING
    changes = (
        services.plan_changes(fiscal_year=fiscal_year, businesses=plan_import.businesses)
        if pending
        else None
    )
    first = None
    if changes and changes.revisions:
        firsts = [services.revision_first_quarter(row.item) for row in changes.revisions]
        first = max((q for q in firsts if q is not None), default=None)
    form = PlanImportDecisionForm(request.POST or None, initial={"from_quarter": first})
    if request.method == "POST" and pending and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "apply":
                message = services.plan_import_apply(
                    plan_import=plan_import,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    from_quarter=form.cleaned_data["from_quarter"],
                )
                messages.success(request, message)
            else:
                services.plan_import_cancel(plan_import=plan_import, user=request.user)
                messages.info(request, "取り込みを取り消しました。計画は変わっていません。")
            return redirect("plans:year", year=fiscal_year.year)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
    return render(
        request,
        "plans/import_preview.html",
        {
            "plan_import": plan_import,
            "year": fiscal_year.year,
            "changes": changes,
            "form": form,
            "pending": pending,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def target_preview(request: HttpRequest) -> HttpResponse:
    """What the system would understand from a 目標値 being typed (an HTML fragment)."""
    access.require(bool(_editable_section_ids(request.user)))
    text = request.GET.get("target", "")[:300]
    detail = request.GET.get("detail", "")[:2000]
    parsed = parse_target(text, detail)
    return render(
        request,
        "plans/_target_preview.html",
        {"parsed": parsed, "phrases": describe_target(parsed)},
    )


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit trail of the organisation, for the 事務局: by user, by action, by row."""
    organization = access.member_organization(request.user)
    access.require(request.user.role == User.Role.SECRETARIAT)
    form = AuditFilterForm(request.GET or None, organization=organization)
    events = AuditEvent.objects.filter(organization=organization).select_related("user", "section")
    if form.is_valid():
        if form.cleaned_data["user"]:
            events = events.filter(user=form.cleaned_data["user"])
        if form.cleaned_data["action"]:
            events = events.filter(action=form.cleaned_data["action"])
        if form.cleaned_data["item"]:
            events = events.filter(plan_item_id=form.cleaned_data["item"])
    table = AuditTable(events)
    RequestConfig(request, paginate={"per_page": 100}).configure(table)
    return render(
        request,
        "plans/audit_list.html",
        {"table": table, "form": form},
        status=_filter_status(form),
    )


@login_required
@require_GET
def lockout_list(request: HttpRequest) -> HttpResponse:
    """The 事務局's list of its users' login lockouts, each with a 解除 button."""
    access.require(access.can_unlock_logins(request.user))
    return render(
        request,
        "plans/lockout_list.html",
        {
            "locked": lockouts.locked_logins(request.user.organization_id),
            "limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


@login_required
@require_POST
def lockout_clear(request: HttpRequest) -> HttpResponse:
    access.require(access.can_unlock_logins(request.user))
    form = LockoutClearForm(request.POST)
    if not form.is_valid():
        messages.error(request, "解除するログインを一覧から選んでください。")
        return redirect("plans:lockouts")
    username = form.cleaned_data["username"]
    removed = services.login_unlock(
        organization=request.user.organization,
        username=username,
        address=form.cleaned_data["address"],
        user=request.user,
    )
    if removed:
        messages.success(request, f"「{username}」のログインの停止を解除しました。")
    else:
        messages.info(request, f"「{username}」のログインは停止していません。")
    return redirect("plans:lockouts")


# ---------------------------------------------------------------------------------------
# People: the 事務局's list of its council's users


def _get_person_for_manager(request: HttpRequest, pk: int) -> User:
    """One user of the 事務局's own council (403 for other roles, 404 for other councils)."""
    access.require(access.can_manage_users(request.user))
    return get_object_or_404(
        access.managed_users(request.user).select_related(
            "organization", "department", "section__department"
        ),
        pk=pk,
    )


@login_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    access.require(access.can_manage_users(request.user))
    people = (
        access.managed_users(request.user)
        .select_related("department", "section__department")
        .order_by("-is_active", "last_name", "first_name", "username")
    )
    return render(request, "plans/user_list.html", {"people": people})


@login_required
def user_add(request: HttpRequest) -> HttpResponse:
    access.require(access.can_manage_users(request.user))
    organization = request.user.organization
    form = PersonAddForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.user_add(
                organization=organization,
                username=data["username"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                email=data["email"],
                placement=form.placement(),
                password=data["password1"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"「{person.display_name}」を追加しました。ログイン名と最初のパスワードを本人に伝えてください。",
            )
            return redirect("plans:users")
    return render(request, "plans/user_form.html", {"form": form, "person": None})


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person_for_manager(request, pk)
    initial = {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "email": person.email,
        "role": person.role,
        "department": person.department_id,
        "section": person.section_id,
    }
    form = PersonForm(request.POST or None, initial=initial, organization=person.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_change(
                person=person,
                last_name=data["last_name"],
                first_name=data["first_name"],
                email=data["email"],
                placement=form.placement(),
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"「{person.display_name}」の内容を保存しました。")
            return redirect("plans:users")
    return render(
        request,
        "plans/user_form.html",
        {
            "form": form,
            "person": person,
            "may_deactivate": access.can_deactivate(request.user, person),
        },
    )


@login_required
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person_for_manager(request, pk)
    form = PersonActiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "利用の停止か再開かを選んでください。")
        return redirect("plans:user_edit", pk=person.pk)
    active = form.cleaned_data["active"]
    try:
        services.user_set_active(person=person, active=active, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plans:user_edit", pk=person.pk)
    done = "再開しました" if active else "停止しました。操作履歴には名前が残ります"
    messages.success(request, f"「{person.display_name}」の利用を{done}。")
    return redirect("plans:users")


@login_required
@require_POST
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person_for_manager(request, pk)
    try:
        services.user_password_reset_send(
            person=person,
            # The address the reminder mails use, else the one this page was opened at.
            site_url=settings.SITE_URL or request.build_absolute_uri("/"),
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"「{person.display_name}」（{person.email}）にパスワード再設定のメールを送りました。",
        )
    return redirect("plans:user_edit", pk=person.pk)
