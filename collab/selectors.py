"""Reads of the 協働事業 screens, each built in one place with its related rows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from plans.models import Business, Organization, PlanItem
from results.basis import BasisRow, Purpose, basis_for, read_quarters
from results.progress import ItemProgress

from .choices import CATEGORY_CHOICES, FORM_CHOICES
from .models import CollaborationProject, ProjectValue, Review


@dataclass(frozen=True)
class Inventory:
    """One city's list for one year, as the index shows it."""

    city: Organization
    year: int
    count: int
    cancelled: int

    @property
    def year_label(self) -> str:
        from shakyo.lib.fiscal import fiscal_year_label

        return fiscal_year_label(self.year)


def inventories(cities: QuerySet[Organization]) -> list[Inventory]:
    """Every (city, year) that has projects, newest year first; one query."""
    rows = (
        CollaborationProject.objects.filter(organization__in=cities)
        .values("organization", "year")
        .annotate(count=Count("pk"), cancelled=Count("pk", filter=Q(cancelled=True)))
        .order_by("organization__name", "-year")
    )
    by_pk = {city.pk: city for city in cities}
    return [
        Inventory(by_pk[row["organization"]], row["year"], row["count"], row["cancelled"])
        for row in rows
    ]


def inventory_projects(
    city: Organization, year: int, filters: dict[str, Any] | None = None
) -> QuerySet[CollaborationProject]:
    """The projects of a city's year, filtered, with their values and reviews prefetched."""
    projects = CollaborationProject.objects.inventory(city, year)
    filters = filters or {}
    if filters.get("form"):
        projects = projects.with_form(filters["form"])
    if filters.get("category"):
        projects = projects.with_category(filters["category"])
    if filters.get("partner"):
        projects = projects.with_partner(filters["partner"])
    if filters.get("section"):
        projects = projects.filter(section=filters["section"])
    if filters.get("cancelled") == "yes":
        projects = projects.filter(cancelled=True)
    elif filters.get("cancelled") == "no":
        projects = projects.filter(cancelled=False)
    if keyword := (filters.get("q") or "").strip():
        projects = projects.filter(
            Q(name__icontains=keyword)
            | Q(summary__icontains=keyword)
            | Q(section__icontains=keyword)
            | Q(department__icontains=keyword)
        )
    return projects.prefetch_related(
        "values", Prefetch("reviews", queryset=Review.objects.only("pk", "project", "year"))
    )


def inventory_sections(city: Organization, year: int) -> list[str]:
    return list(
        CollaborationProject.objects.inventory(city, year)
        .exclude(section="")
        .order_by("section")
        .values_list("section", flat=True)
        .distinct()
    )


def _counts(
    projects: QuerySet[CollaborationProject], kind: str, choices: tuple[tuple[str, str], ...]
) -> list[tuple[str, str, int]]:
    rows = (
        ProjectValue.objects.filter(project__in=projects.values("pk"), kind=kind)
        .values("code")
        .annotate(count=Count("project", distinct=True))
    )
    counted = {row["code"]: row["count"] for row in rows}
    return [(code, label, counted[code]) for code, label in choices if counted.get(code)]


def form_counts(projects: QuerySet[CollaborationProject]) -> list[tuple[str, str, int]]:
    """(code, label, number of projects with that 形態 at any position), in legend order."""
    return _counts(projects, ProjectValue.Kind.FORM, FORM_CHOICES)


def category_counts(projects: QuerySet[CollaborationProject]) -> list[tuple[str, str, int]]:
    """(code, label, number of projects with that 分類 at any position), in legend order."""
    return _counts(projects, ProjectValue.Kind.CATEGORY, CATEGORY_CHOICES)


def project_history(project: CollaborationProject) -> list[Review]:
    """The ふりかえり of this project and of the same project in the city's other years.

    The same project is the one with the same 事業名 and 課 in another year's list.
    Oldest first.
    """
    return list(
        Review.objects.filter(
            Q(project=project)
            | Q(
                project__organization_id=project.organization_id,
                project__name=project.name,
                project__section=project.section,
            )
        )
        .select_related("project")
        .order_by("year", "project__year")
    )


@dataclass(frozen=True)
class TargetRow:
    """A plan row of the linked business: its approved 実績 by quarter and its status."""

    progress: ItemProgress

    @property
    def item(self) -> PlanItem:
        return self.progress.item

    @property
    def actual(self) -> Decimal | None:
        return self.progress.actual

    @property
    def status(self):
        return self.progress.status

    @property
    def cells(self) -> list[str]:
        """第1〜第4四半期: 「中止」, the figure, 「実施」 or blank."""
        texts = []
        for quarter in range(1, 5):
            result = self.progress.by_quarter.get(quarter)
            if result is None or quarter > self.progress.quarter:
                texts.append("")
            elif result.cancelled:
                texts.append("中止")
            elif result.value is not None:
                texts.append(f"{result.value.normalize():f}")
            else:
                texts.append("実施" if result.done else "")
        return texts


@dataclass(frozen=True)
class BusinessTargets:
    """A linked 社協 business with each plan row's target and approved 実績 up to
    ``quarter``."""

    business: Business
    quarter: int
    rows: list[TargetRow]

    @property
    def quarters(self) -> range:
        return range(1, 5)


def business_targets(business: Business) -> BusinessTargets:
    """The rows of the business, their approved 実績 by quarter (``results.basis``, as the
    city's dashboard) and their status at the section's latest approved quarter
    (第1四半期 when none is approved yet)."""
    items = list(
        PlanItem.objects.filter(initiative__business=business)
        .select_related("initiative")
        .order_by("initiative__order", "initiative__number", "order", "id")
    )
    tolerance = business.fiscal_year.organization.tolerance
    by_quarter = read_quarters(
        [
            BasisRow(
                item=item,
                business_id=business.pk,
                fiscal_year_id=business.fiscal_year_id,
                section_id=business.section_id,
                tolerance=tolerance,
                target_at=item.target_at,
            )
            for item in items
        ],
        basis=basis_for(None, Purpose.COLLAB),
    )
    approved = [
        q
        for q, figures in by_quarter.items()
        if figures.is_approved(business.fiscal_year_id, business.section_id)
    ]
    quarter = max(approved, default=1)
    figures = by_quarter[quarter]
    rows = [TargetRow(progress=figures.rows[item.pk].progress) for item in items]
    return BusinessTargets(business=business, quarter=quarter, rows=rows)
