"""Plan screens: browse a year's plan, list rows to check (要確認), edit a row."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from targets.display import describe_target
from targets.parser import parse_target

from . import access, lockouts, selectors, services
from .forms import (
    AuditFilterForm,
    LockoutClearForm,
    PlanItemForm,
    ReviewFilterForm,
    TargetStructureForm,
)
from .models import AuditEvent, PlanItem, Section, User
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
    """The plan of the newest year the user may read."""
    years = selectors.visible_years(request.user)
    if not years:
        return render(request, "plans/no_plans.html")
    return redirect("plans:year", year=years[0])


@login_required
def plan_year(request: HttpRequest, year: int) -> HttpResponse:
    """The plan of a year as printed: 課 → 係 → 事業 → 取り組み → rows."""
    years = selectors.visible_years(request.user)
    access.require(year in years)
    businesses = list(selectors.plan_businesses(request.user, year))
    departments = selectors.group_by_department(businesses)
    return render(
        request,
        "plans/plan_year.html",
        {
            "year": year,
            "years": years,
            "departments": departments,
            "editable_section_ids": _editable_section_ids(request.user),
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
    )


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_item_for_editor(request, pk)
    form = PlanItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        services.plan_item_update(item=item, user=request.user, **form.cleaned_data)
        messages.success(request, "計画の行を保存しました。目標値は新しい文言から読み直しました。")
        return redirect(item.get_absolute_url())
    structure_form = TargetStructureForm(initial=TargetStructureForm.initial_for(item))
    return render(
        request,
        "plans/item_edit.html",
        {
            "item": item,
            "form": form,
            "structure_form": structure_form,
            "phrases": describe_target(item.parsed),
            "year": item.initiative.business.fiscal_year.year,
        },
    )


@login_required
def item_structure(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what a 目標値 means, edited by hand; the written text is kept."""
    item = _get_item_for_editor(request, pk)
    if request.method != "POST":
        return redirect(item.get_absolute_url())
    form = TargetStructureForm(request.POST)
    if form.is_valid():
        services.plan_item_set_structure(
            item=item, parsed=form.to_target(item.target_text), user=request.user
        )
        messages.success(request, "目標値の解析結果を手で修正しました。")
        return redirect(item.get_absolute_url())
    return render(
        request,
        "plans/item_edit.html",
        {
            "item": item,
            "form": PlanItemForm(instance=item),
            "structure_form": form,
            "phrases": describe_target(item.parsed),
            "year": item.initiative.business.fiscal_year.year,
        },
        status=400,
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
    return render(request, "plans/audit_list.html", {"table": table, "form": form})


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
