"""Reusable reads of plans, each building its queryset in one place (no N+1)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, TextField
from django.db.models.functions import Cast

from .access import visible_businesses
from .models import Business, FiscalYear, Initiative, PlanItem, Section, TargetRevision, User


def visible_years(user: User) -> list[int]:
    """The Western start years of the plans ``user`` may read, newest first."""
    years = visible_businesses(user).values_list("fiscal_year__year", flat=True).distinct()
    return sorted(set(years), reverse=True)


def plan_businesses(user: User, year: int) -> QuerySet[Business]:
    """Every business of ``year`` visible to ``user`` with initiatives and rows.

    Queries: businesses (with section, department, commissioner, year, organisation),
    initiatives, rows — three in all, whatever the number of rows. The page reads a row's
    target from ``target_json`` (``PlanItem.target`` as text: the page's phrases are
    cached by it); prefetching TargetQuantity too cost a third of the page at 4,000 rows
    (bench/) for nothing shown.
    """
    pending = TargetRevision.objects.filter(
        item=OuterRef("pk"), state=TargetRevision.State.REQUESTED
    )
    items = (
        PlanItem.objects.defer("target", "earlier_targets")
        .annotate(target_json=Cast("target", TextField()), revision_pending=Exists(pending))
        .order_by("order", "id")
    )
    initiatives = Initiative.objects.prefetch_related(Prefetch("items", queryset=items))
    return (
        visible_businesses(user)
        .filter(fiscal_year__year=year)
        .select_related(
            "section__department",
            "commissioned_by",
            "fiscal_year__organization",
        )
        .prefetch_related(Prefetch("initiatives", queryset=initiatives.order_by("order")))
        .order_by(
            "fiscal_year__organization__name",
            "section__department__order",
            "section__order",
            "order",
        )
    )


@dataclass
class SectionPlan:
    section: object
    businesses: list[Business] = field(default_factory=list)


@dataclass
class DepartmentPlan:
    department: object
    organization: object
    sections: list[SectionPlan] = field(default_factory=list)


def department_runs(businesses: Iterable[Business]) -> Iterator[tuple[Business, bool, bool]]:
    """Walk businesses ordered by 課 and 係, saying where a new 課 and a new 係 begin.

    Yields ``(business, new_department, new_section)``; every screen that shows a plan
    as 課 → 係 → 事業 builds its tree from these flags.
    """
    department_id = section_id = None
    for business in businesses:
        new_department = business.section.department_id != department_id
        new_section = new_department or business.section_id != section_id
        department_id, section_id = business.section.department_id, business.section_id
        yield business, new_department, new_section


def group_by_department(businesses: list[Business]) -> list[DepartmentPlan]:
    """Arrange businesses (already ordered) as 課 → 係 → 事業, like the printed plan."""
    departments: list[DepartmentPlan] = []
    for business, new_department, new_section in department_runs(businesses):
        if new_department:
            departments.append(
                DepartmentPlan(
                    department=business.section.department,
                    organization=business.fiscal_year.organization,
                )
            )
        if new_section:
            departments[-1].sections.append(SectionPlan(section=business.section))
        departments[-1].sections[-1].businesses.append(business)
    return departments


def review_items(user: User, year: int) -> QuerySet[PlanItem]:
    """Rows of ``year`` visible to ``user``, for the 要確認 list (one query with joins)."""
    return (
        PlanItem.objects.filter(
            initiative__business__in=visible_businesses(user).filter(fiscal_year__year=year)
        )
        .select_related("initiative__business__section__department")
        .order_by(
            "initiative__business__section__department__order",
            "initiative__business__section__order",
            "initiative__business__order",
            "initiative__order",
            "order",
        )
    )


def fiscal_year_for(user: User, year: int) -> FiscalYear | None:
    if user.organization_id is None:
        return None
    return FiscalYear.objects.filter(organization_id=user.organization_id, year=year).first()


def revisions(*, year: int, sections: QuerySet[Section]) -> list[TargetRevision]:
    """The 補正 of ``year`` in ``sections``, newest first, with their row and people (one
    query)."""
    return list(
        TargetRevision.objects.filter(
            item__initiative__business__fiscal_year__year=year,
            item__initiative__business__section__in=sections,
        )
        .select_related("item__initiative__business__section", "requested_by", "decided_by")
        .order_by("-requested_at", "-id")
    )
