"""Reusable reads of plans, each building its queryset in one place (no N+1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from .access import visible_businesses
from .models import Business, FiscalYear, Initiative, PlanItem, User


def visible_years(user: User) -> list[int]:
    """The Western start years of the plans ``user`` may read, newest first."""
    years = visible_businesses(user).values_list("fiscal_year__year", flat=True).distinct()
    return sorted(set(years), reverse=True)


def plan_businesses(user: User, year: int) -> QuerySet[Business]:
    """Every business of ``year`` visible to ``user`` with initiatives and rows.

    Queries: businesses (with section, department, commissioner, year, organisation),
    initiatives, rows — three in all, whatever the number of rows. The page reads a row's
    target from ``PlanItem.target``; prefetching TargetQuantity too cost a third of the
    page at 4,000 rows (bench/) for nothing shown.
    """
    items = PlanItem.objects.order_by("order", "id")
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


def group_by_department(businesses: list[Business]) -> list[DepartmentPlan]:
    """Arrange businesses (already ordered) as 課 → 係 → 事業, like the printed plan."""
    departments: list[DepartmentPlan] = []
    for business in businesses:
        section = business.section
        department = section.department
        if not departments or departments[-1].department.pk != department.pk:
            departments.append(
                DepartmentPlan(
                    department=department, organization=business.fiscal_year.organization
                )
            )
        sections = departments[-1].sections
        if not sections or sections[-1].section.pk != section.pk:
            sections.append(SectionPlan(section=section))
        sections[-1].businesses.append(business)
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
