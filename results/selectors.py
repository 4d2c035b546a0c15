"""Reads of 実績 for the screens, each built in one place with a fixed number of queries.

Every status shown comes from :func:`results.progress.item_progress`; nothing here sums
実績 or judges a row by itself. Figures are turned into display text here (not in
templates) so that numbers look the same on every screen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from functools import partial

from django.db.models import Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast

from plans.access import visible_businesses
from plans.audit import Change, describe_changes
from plans.models import (
    AuditEvent,
    Business,
    Department,
    FiscalYear,
    PlanItem,
    Section,
    User,
    parsed_target,
    target_in_force,
)
from plans.selectors import department_runs
from shakyo.lib.fiscal import FiscalQuarter
from shakyo.lib.numbers import achievement_rate, round_half_up, unit_places
from targets.display import describe_target, format_number
from targets.pace import expected_cumulative
from targets.parser import target_from_dict
from targets.types import Kind, ParsedTarget, Quantity

from .basis import BasisRow, Purpose, basis_for, read_progress, read_quarters
from .demo import SAMPLE_NOTE
from .models import QuarterWindow, Result, SectionQuarter
from .progress import ItemProgress, item_progress
from .services import section_items
from .status import Status

QUARTERS = (1, 2, 3, 4)
# Statuses that say a row is where it should be; the dashboard's 「順調以上」 share.
GOOD = frozenset({Status.ACHIEVED, Status.ON_TRACK, Status.DONE})
# Statuses that say nothing about pace yet; left out of the 「順調以上」 share.
UNJUDGED = frozenset({Status.NO_TARGET, Status.CANCELLED, Status.NOT_ENTERED, Status.NOT_DUE})
# Every status in display order (legends, count columns).
STATUS_ORDER = sorted(Status, key=lambda s: s.order)


def quarter_label(quarter: int) -> str:
    """「第1四半期（4〜6月）」."""
    return FiscalQuarter(2000, quarter).label


def number_text(value: Decimal | None, unit: str = "") -> str:
    """2100 → 「2,100回」; None → 「―」. Fractions of a unit keep one decimal (四捨五入)."""
    if value is None:
        return "―"
    if value != value.to_integral_value():
        value = round_half_up(value, 1)
    return f"{format_number(value)}{unit}"


def pace_text(expected: Decimal, unit: str = "") -> str:
    """The pace as a guide (目安) in the unit's own precision: a count is whole, so an
    expected 0.3回 reads 「1回」 (at least one by the quarter's end) and 1.75回 「2回」;
    時間 or % keep one decimal, as every figure on the screens."""
    if unit_places(unit) == 0:
        return number_text(expected.to_integral_value(rounding=ROUND_CEILING), unit)
    return number_text(expected, unit)


def rate_text(rate: Decimal | None) -> str:
    return "―" if rate is None else f"{rate}%"


def is_sample(result: Result | None) -> bool:
    return result is not None and result.note.startswith(SAMPLE_NOTE)


# ---------------------------------------------------------------------------------------
# Quarters and windows


def quarter_begun(window: QuarterWindow | None) -> bool:
    """The quarter's entry period has begun: the 事務局 has set up its window (open, or
    opened and closed since). Before that (期間前) nobody could report the quarter, so a
    row without an entry is 予定前, not a shortfall."""
    return window is not None


def windows_by_quarter(fiscal_year: FiscalYear) -> dict[int, QuarterWindow]:
    return {w.quarter: w for w in QuarterWindow.objects.filter(fiscal_year=fiscal_year)}


# ---------------------------------------------------------------------------------------
# One row, as the entry page and the dashboard show it


@dataclass
class Row:
    """A plan row with its progress at a quarter."""

    item: PlanItem
    target: ParsedTarget
    progress: ItemProgress
    previous: ItemProgress | None = None  # at the quarter before (None in Q1)
    form: object | None = None  # the entry page's inputs for this row (results.forms.RowForm)

    @property
    def status(self) -> Status:
        return self.progress.status

    @property
    def current(self) -> Result | None:
        return self.progress.current

    @property
    def quantities(self) -> tuple[Quantity, ...]:
        return self.target.quantities if self.target.kind == Kind.QUANTITY else ()

    @property
    def unit(self) -> str:
        return self.quantities[0].unit if self.quantities else ""

    @property
    def understood(self) -> list[str]:
        return describe_target(self.target)

    @property
    def actual_text(self) -> str:
        if not self.quantities:
            return ""
        return number_text(self.progress.actual, self.unit)

    @property
    def extra_texts(self) -> list[str]:
        return [
            f"{q.label}{number_text(value, q.unit)}"
            for q, value in zip(self.quantities[1:], self.progress.extra_actuals, strict=False)
        ]

    @property
    def previous_text(self) -> str:
        if not self.quantities:
            return ""
        actual = self.previous.actual if self.previous else None
        return number_text(actual if actual is not None else Decimal("0"), self.unit)

    @property
    def expected_text(self) -> str:
        """The pace by the quarter's end as a guide (「目安」): ``pace_text``."""
        if not self.quantities:
            return ""
        return pace_text(self.progress.progress.expected, self.unit)

    @property
    def needs_explaining(self) -> bool:
        """Behind, and no 今期の回を中止 says why: 理由・今後の対応 is due (the entry page
        follows the typed reason live; ``needs_reason`` reads the saved one)."""
        current = self.current
        return self.status.is_shortfall and not (current and current.cancels_quarter)

    @property
    def is_entered(self) -> bool:
        current = self.current
        return bool(current and current.is_entered)

    @property
    def target_text(self) -> str:
        if not self.quantities:
            return ""
        return number_text(self.progress.progress.target, self.unit)

    @property
    def rate_text(self) -> str:
        return rate_text(self.progress.progress.rate)

    @property
    def needs_reason(self) -> bool:
        """Behind, and neither 理由・今後の対応 nor a 今期の回を中止 says why this quarter."""
        return self.status.is_shortfall and not self.progress.explained

    @property
    def latest_reason(self) -> str:
        return self.progress.reasons[-1] if self.progress.reasons else ""

    @property
    def is_sample(self) -> bool:
        return any(is_sample(r) for r in self.progress.by_quarter.values())


def build_row(
    item: PlanItem,
    results: Iterable[Result],
    quarter: int,
    *,
    quarter_open: bool,
    tolerance: Decimal,
    quarter_begun: bool = True,
    target: ParsedTarget | None = None,
    previous_target: ParsedTarget | None = None,
    aggregation: str | None = None,
    with_previous: bool = True,
) -> Row:
    """A row's progress at ``quarter`` and at the quarter before, from its 実績.

    Each quarter is judged against the target in force then: ``target`` and
    ``previous_target`` (for rows read without the model's target), else
    ``PlanItem.target_at``. ``with_previous=False`` skips the quarter before
    (``Row.previous`` stays None) for screens that do not show it: it is a third of the
    dashboard's time (bench/).
    """
    results = list(results)
    parsed = target if target is not None else item.target_at(quarter)
    progress = item_progress(
        item,
        results,
        quarter,
        quarter_open=quarter_open,
        quarter_begun=quarter_begun,
        tolerance=tolerance,
        target=parsed,
        aggregation=aggregation,
    )
    previous = None
    if quarter > 1 and with_previous:
        before = previous_target if previous_target is not None else target
        previous = item_progress(
            item,
            results,
            quarter - 1,
            tolerance=tolerance,
            target=before if before is not None else item.target_at(quarter - 1),
            aggregation=aggregation,
        )
    return Row(item=item, target=parsed, progress=progress, previous=previous)


# ---------------------------------------------------------------------------------------
# Counting statuses (the board's bars)


@dataclass(frozen=True)
class Segment:
    status: Status
    count: int
    x: Decimal  # left edge in a 0–100 box
    width: Decimal


@dataclass
class StatusCounts:
    counter: Counter = field(default_factory=Counter)

    def add(self, status: Status) -> None:
        self.counter[status] += 1

    def merge(self, other: StatusCounts) -> None:
        self.counter.update(other.counter)

    @property
    def total(self) -> int:
        return sum(self.counter.values())

    @property
    def ordered(self) -> list[tuple[Status, int]]:
        """(status, count) for every status present, in ``Status.order``."""
        return [
            (status, self.counter[status])
            for status in sorted(self.counter, key=lambda s: s.order)
            if self.counter[status]
        ]

    def count(self, status: Status) -> int:
        return self.counter[status]

    @property
    def columns(self) -> list[int]:
        """The count of every status in ``Status.order`` (zeros included), for tables."""
        return [self.counter[status] for status in STATUS_ORDER]

    @property
    def shortfalls(self) -> int:
        return sum(n for status, n in self.counter.items() if status.is_shortfall)

    @property
    def judged(self) -> int:
        return sum(n for status, n in self.counter.items() if status not in UNJUDGED)

    @property
    def good(self) -> int:
        return sum(n for status, n in self.counter.items() if status in GOOD)

    @property
    def good_rate(self) -> Decimal | None:
        """Share of judged rows that are 達成, 順調 or 実施, in percent (四捨五入)."""
        if not self.judged:
            return None
        return achievement_rate(Decimal(self.good), Decimal(self.judged))

    @property
    def good_rate_text(self) -> str:
        return rate_text(self.good_rate)

    @property
    def segments(self) -> list[Segment]:
        """Stacked-bar segments over a 0–100 box, in ``Status.order``."""
        total = self.total
        if not total:
            return []
        segments = []
        start = 0
        for status, count in self.ordered:
            x = round_half_up(Fraction(start * 100, total), 2)
            end = round_half_up(Fraction((start + count) * 100, total), 2)
            segments.append(Segment(status=status, count=count, x=x, width=end - x))
            start += count
        return segments


# ---------------------------------------------------------------------------------------
# The entry page of a section and quarter


@dataclass
class InitiativeRows:
    initiative: object
    rows: list[Row] = field(default_factory=list)


@dataclass
class BusinessRows:
    business: Business
    initiatives: list[InitiativeRows] = field(default_factory=list)


@dataclass
class EntryPage:
    fiscal_year: FiscalYear
    section: Section
    quarter: int
    section_quarter: SectionQuarter
    window: QuarterWindow | None
    rows: list[Row]

    @property
    def quarter_open(self) -> bool:
        return bool(self.window and self.window.is_open)

    @property
    def quarter_begun(self) -> bool:
        return quarter_begun(self.window)

    @property
    def groups(self) -> list[BusinessRows]:
        """Rows as 事業 → 取り組み → 行, like the printed plan."""
        groups: list[BusinessRows] = []
        for row in self.rows:
            initiative = row.item.initiative
            business = initiative.business
            if not groups or groups[-1].business.pk != business.pk:
                groups.append(BusinessRows(business=business))
            initiatives = groups[-1].initiatives
            if not initiatives or initiatives[-1].initiative.pk != initiative.pk:
                initiatives.append(InitiativeRows(initiative=initiative))
            initiatives[-1].rows.append(row)
        return groups

    @property
    def counts(self) -> StatusCounts:
        counts = StatusCounts()
        for row in self.rows:
            counts.add(row.status)
        return counts

    @property
    def has_sample(self) -> bool:
        return any(row.is_sample for row in self.rows)

    @property
    def missing_reasons(self) -> int:
        return sum(1 for row in self.rows if row.needs_reason)


def target_at_as_text(item: PlanItem, quarter: int) -> ParsedTarget:
    """``item.target_at(quarter)`` for a row read with its target as text (``target_json``)."""
    segment = item.earlier_target_at(quarter)
    return target_from_dict(segment["target"]) if segment else parsed_target(item.target_json)


def entry_items(*, fiscal_year: FiscalYear, section: Section, quarter: int) -> QuerySet[PlanItem]:
    """The section's rows with their 実績 up to ``quarter`` (two queries).

    The target is read as text (``target_json``, decoded once per process by
    ``parsed_target``) and the business's 方針 not at all: the page shows neither.
    """
    return (
        section_items(fiscal_year=fiscal_year, section=section)
        .defer("target", "initiative__business__policies")
        .annotate(target_json=Cast("target", TextField()))
    ).prefetch_related(
        Prefetch(
            "results",
            queryset=Result.objects.filter(quarter__lte=quarter).order_by("quarter"),
            to_attr="results_upto",
        )
    )


@dataclass(frozen=True)
class FormRow:
    """What the entry form needs of a row to read a save: no status, no earlier quarters."""

    item: PlanItem
    target: ParsedTarget
    current: Result | None


def entry_form_rows(*, fiscal_year: FiscalYear, section: Section, quarter: int) -> list[FormRow]:
    """The section's rows with their 実績 of ``quarter``, for a save (two queries).

    A save that goes through never shows the page, so it skips the status of every row
    (``entry_page``); the page is built only when the save is refused.
    """
    items = list(
        section_items(fiscal_year=fiscal_year, section=section)
        .select_related(None)
        .defer("target")
        .annotate(target_json=Cast("target", TextField()))
    )
    current = {
        r.item_id: r
        for r in Result.objects.filter(
            item__initiative__business__fiscal_year=fiscal_year,
            item__initiative__business__section=section,
            quarter=quarter,
        ).order_by()
    }
    return [
        FormRow(item=item, target=target_at_as_text(item, quarter), current=current.get(item.pk))
        for item in items
    ]


def entry_page(
    *,
    fiscal_year: FiscalYear,
    section: Section,
    quarter: int,
    section_quarter: SectionQuarter,
    window: QuarterWindow | None,
) -> EntryPage:
    """What the entry page shows; ``fiscal_year.organization`` must be loaded.

    Queries: rows (with initiative and business), their 実績 up to the quarter.
    """
    quarter_open = bool(window and window.is_open)
    tolerance = fiscal_year.organization.tolerance
    rows = [
        build_row(
            item,
            item.results_upto,
            quarter,
            quarter_open=quarter_open,
            quarter_begun=quarter_begun(window),
            tolerance=tolerance,
            target=target_at_as_text(item, quarter),
            previous_target=target_at_as_text(item, quarter - 1) if quarter > 1 else None,
        )
        for item in entry_items(fiscal_year=fiscal_year, section=section, quarter=quarter)
    ]
    return EntryPage(
        fiscal_year=fiscal_year,
        section=section,
        quarter=quarter,
        section_quarter=section_quarter,
        window=window,
        rows=rows,
    )


def row_with_input(
    *,
    item: PlanItem,
    quarter: int,
    typed: Result,
    window: QuarterWindow | None,
    tolerance: Decimal,
) -> Row:
    """A row's progress as if ``typed`` (unsaved) were its 実績 for ``quarter``.

    Queries: the row's 実績 of the other quarters up to ``quarter``.
    """
    stored = Result.objects.filter(item=item, quarter__lt=quarter)
    return build_row(
        item,
        [*stored, typed],
        quarter,
        quarter_open=bool(window and window.is_open),
        quarter_begun=quarter_begun(window),
        tolerance=tolerance,
    )


# ---------------------------------------------------------------------------------------
# The 課長's list and the 事務局's overview


@dataclass
class SectionState:
    section: Section
    section_quarter: SectionQuarter | None
    staff: list[User] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.section_quarter.state if self.section_quarter else SectionQuarter.State.DRAFT

    @property
    def state_label(self) -> str:
        if self.section_quarter is None:
            return "入力なし"
        return self.section_quarter.get_state_display()

    @property
    def state_css(self) -> str:
        return STATE_CSS.get(self.state, "secondary") if self.section_quarter else "light"

    @property
    def is_submitted(self) -> bool:
        return self.state in (SectionQuarter.State.SUBMITTED, SectionQuarter.State.APPROVED)


STATE_CSS = {
    SectionQuarter.State.DRAFT: "secondary",
    SectionQuarter.State.SUBMITTED: "primary",
    SectionQuarter.State.RETURNED: "warning",
    SectionQuarter.State.APPROVED: "success",
}


def planned_sections(fiscal_year: FiscalYear) -> QuerySet[Section]:
    """Sections that have a plan in ``fiscal_year`` (and so enter 実績), in plan order."""
    return (
        Section.objects.filter(businesses__fiscal_year=fiscal_year)
        .select_related("department")
        .distinct()
        .order_by("department__order", "department__id", "order", "id")
    )


def department_states(
    *, fiscal_year: FiscalYear, department: Department, quarter: int
) -> list[SectionState]:
    """The 課's sections with the state of their entry for ``quarter``.

    Queries: sections, their section-quarters.
    """
    sections = list(planned_sections(fiscal_year).filter(department=department))
    entries = {
        sq.section_id: sq
        for sq in SectionQuarter.objects.filter(
            fiscal_year=fiscal_year, quarter=quarter, section__in=sections
        ).select_related("submitted_by", "decided_by")
    }
    return [SectionState(section=s, section_quarter=entries.get(s.pk)) for s in sections]


@dataclass
class OverviewRow:
    section: Section
    quarters: list[SectionState]
    staff: list[User]


def secretariat_overview(*, fiscal_year: FiscalYear) -> list[OverviewRow]:
    """Every planned section with the state of each quarter and its staff.

    Queries: sections, section-quarters, staff.
    """
    sections = list(planned_sections(fiscal_year))
    entries = {
        (sq.section_id, sq.quarter): sq
        for sq in SectionQuarter.objects.filter(fiscal_year=fiscal_year)
    }
    staff: dict[int, list[User]] = {}
    for user in User.objects.filter(
        section__in=sections, role=User.Role.SECTION_STAFF, is_active=True
    ).order_by("username"):
        staff.setdefault(user.section_id, []).append(user)
    return [
        OverviewRow(
            section=section,
            quarters=[
                SectionState(section=section, section_quarter=entries.get((section.pk, q)))
                for q in QUARTERS
            ],
            staff=staff.get(section.pk, []),
        )
        for section in sections
    ]


# ---------------------------------------------------------------------------------------
# The dashboard


@dataclass
class BusinessSummary:
    business: Business
    rows: list[Row] = field(default_factory=list)
    counts: StatusCounts = field(default_factory=StatusCounts)


@dataclass
class SectionSummary:
    section: Section
    section_quarter: SectionQuarter | None
    businesses: list[BusinessSummary] = field(default_factory=list)
    counts: StatusCounts = field(default_factory=StatusCounts)

    @property
    def approved(self) -> bool:
        sq = self.section_quarter
        return sq is not None and sq.state == SectionQuarter.State.APPROVED

    @property
    def state(self) -> SectionState:
        return SectionState(section=self.section, section_quarter=self.section_quarter)


@dataclass
class DepartmentSummary:
    department: Department
    organization: object
    sections: list[SectionSummary] = field(default_factory=list)
    counts: StatusCounts = field(default_factory=StatusCounts)


@dataclass
class Dashboard:
    year: int
    quarter: int
    departments: list[DepartmentSummary]
    counts: StatusCounts
    shortfalls: list[Row]
    has_sample: bool
    organizations: list[object]

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.quarter)

    @property
    def approved_sections(self) -> int:
        return sum(1 for d in self.departments for s in d.sections if s.approved)

    @property
    def section_total(self) -> int:
        return sum(len(d.sections) for d in self.departments)


@dataclass(frozen=True, slots=True)
class DashboardItem:
    """What the dashboard shows of a plan row (its status comes from ``target``)."""

    pk: int
    business: Business
    group: str
    name: str
    target_text: str
    aggregation: str


def dashboard(user: User, *, year: int, quarter: int, business_id: int | None = None) -> Dashboard:
    """Progress of every business ``user`` may read, at ``quarter`` of ``year``.

    The figures are those of ``results.basis`` for the dashboard: approved 実績 only
    (a section whose entry for ``quarter`` is not yet approved shows its earlier approved
    quarters and is 未入力 for this one). ``business_id`` narrows it to one business
    (the rows a board member opens); it must be visible.

    Queries: businesses (with section, 課, year, organisation, commissioner), rows, and
    what ``results.basis.read_progress`` reads. Rows are read as plain tuples
    (``DashboardItem``) and each distinct target is decoded once per process
    (``plans.models.parsed_target``).
    """
    visible = visible_businesses(user).filter(fiscal_year__year=year)
    if business_id is not None:
        visible = visible.filter(pk=business_id)
    businesses = list(
        visible.select_related(
            "section__department", "fiscal_year__organization", "commissioned_by"
        ).order_by(
            "fiscal_year__organization__name",
            "section__department__order",
            "section__department__id",
            "section__order",
            "section__id",
            "order",
            "id",
        )
    )
    business_ids = [b.pk for b in businesses]
    business_of = {b.pk: b for b in businesses}
    position = {b.pk: index for index, b in enumerate(businesses)}
    rows = sorted(
        PlanItem.objects.filter(initiative__business_id__in=business_ids)
        .order_by()  # sorted here; the model's ordering would join up to the organisation
        .values_list(
            "initiative__business_id",
            "initiative__order",
            "initiative__number",
            "order",
            "pk",
            "group",
            "name",
            "target_text",
            Cast("target", TextField()),
            "aggregation",
            "target_from_quarter",
            Cast("earlier_targets", TextField()),
        ),
        key=lambda r: (position[r[0]], *r[1:5]),
    )
    basis_rows = [
        BasisRow(
            item=DashboardItem(pk, business_of[business_pk], group, name, target_text, how),
            business_id=business_pk,
            fiscal_year_id=business_of[business_pk].fiscal_year_id,
            section_id=business_of[business_pk].section_id,
            tolerance=business_of[business_pk].fiscal_year.organization.tolerance,
            target_at=partial(target_in_force, target, earlier, from_quarter),
        )
        for business_pk, _, _, _, pk, group, name, target_text, target, how, from_quarter, earlier in rows
    ]
    figures = read_progress(
        basis_rows,
        basis=basis_for(user, Purpose.DASHBOARD),
        quarter=quarter,
        sections={(b.fiscal_year_id, b.section_id) for b in businesses},
    )
    section_quarters = figures.section_quarters

    by_business: dict[int, BusinessSummary] = {
        b.pk: BusinessSummary(business=b) for b in businesses
    }
    shortfalls: list[Row] = []
    has_sample = False
    for basis_row in basis_rows:
        row = Row(
            item=basis_row.item,
            target=basis_row.target_at(quarter),
            progress=figures.rows[basis_row.item.pk].progress,
        )
        summary = by_business[basis_row.business_id]
        summary.rows.append(row)
        summary.counts.add(row.status)
        has_sample = has_sample or row.is_sample
        if row.status.is_shortfall:
            shortfalls.append(row)

    departments: list[DepartmentSummary] = []
    total = StatusCounts()
    for business, new_department, new_section in department_runs(businesses):
        if new_department:
            departments.append(
                DepartmentSummary(
                    department=business.section.department,
                    organization=business.fiscal_year.organization,
                )
            )
        sections = departments[-1].sections
        if new_section:
            sections.append(
                SectionSummary(
                    section=business.section,
                    section_quarter=section_quarters.get(
                        (business.fiscal_year_id, business.section_id)
                    ),
                )
            )
        summary = by_business[business.pk]
        sections[-1].businesses.append(summary)
        sections[-1].counts.merge(summary.counts)
        departments[-1].counts.merge(summary.counts)
        total.merge(summary.counts)

    organizations = []
    for business in businesses:
        organization = business.fiscal_year.organization
        if organization not in organizations:
            organizations.append(organization)
    return Dashboard(
        year=year,
        quarter=quarter,
        departments=departments,
        counts=total,
        shortfalls=shortfalls,
        has_sample=has_sample,
        organizations=organizations,
    )


def dashboard_default_quarter(user: User, *, year: int) -> int:
    """The latest quarter with an approved entry among what ``user`` may read, else 1."""
    approved = SectionQuarter.objects.filter(
        state=SectionQuarter.State.APPROVED,
        fiscal_year__year=year,
        section__businesses__in=visible_businesses(user).filter(fiscal_year__year=year),
    ).values_list("quarter", flat=True)
    return max(approved, default=1)


# ---------------------------------------------------------------------------------------
# One row's page: its quarters and chart


@dataclass
class QuarterLine:
    quarter: int
    result: Result | None
    approved: bool
    progress: ItemProgress | None  # None while the quarter is not approved
    target: ParsedTarget

    @property
    def label(self) -> str:
        return quarter_label(self.quarter)

    @property
    def unit(self) -> str:
        main = self.target.main if self.target.kind == Kind.QUANTITY else None
        return main.unit if main else ""

    @property
    def value_text(self) -> str:
        if not self.approved or self.result is None:
            return "―"
        if self.result.cancelled:
            return "中止"
        if self.result.value is not None:
            return number_text(self.result.value, self.unit)
        if self.result.done is not None:
            return "実施" if self.result.done else "未実施"
        return "―"

    @property
    def extra_texts(self) -> list[str]:
        if not self.approved or self.result is None:
            return []
        texts = []
        values = self.result.extra_values or []
        for quantity, value in zip(self.target.quantities[1:], values, strict=False):
            if value not in (None, ""):
                texts.append(f"{quantity.label}{number_text(Decimal(str(value)), quantity.unit)}")
        return texts

    @property
    def cumulative_text(self) -> str:
        if self.progress is None or self.unit == "":
            return "―"
        return number_text(self.progress.actual or Decimal("0"), self.unit)

    @property
    def expected_text(self) -> str:
        if self.unit == "":
            return "―"
        return number_text(expected_cumulative(self.target, self.quarter), self.unit)


@dataclass(frozen=True)
class ChartBar:
    quarter: int
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    label: str


@dataclass(frozen=True)
class ChartPoint:
    x: Decimal
    y: Decimal
    label: str


@dataclass
class Chart:
    """An SVG chart: quarterly 実績 as bars, cumulative actual and expected pace as lines."""

    width: int
    height: int
    left: int
    top: int
    bottom: int
    bars: list[ChartBar]
    actual_points: list[ChartPoint]
    expected_points: list[ChartPoint]
    target_y: Decimal | None
    target_label: str
    ticks: list[ChartPoint]
    quarter_labels: list[ChartPoint]

    @property
    def actual_path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.actual_points)

    @property
    def expected_path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.expected_points)

    @property
    def right(self) -> int:
        return self.width - 12

    @property
    def baseline(self) -> int:
        return self.height - self.bottom


def nice_ceiling(value: Fraction) -> Fraction:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ ``value`` (axis top); 1 for 0."""
    if value <= 0:
        return Fraction(1)
    power = Fraction(1)
    while power * 10 < value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, Fraction(5, 2), 5, 10):
        if power * step >= value:
            return power * step
    return power * 10


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _coordinate(value: Fraction) -> Decimal:
    return round_half_up(value, 1)


def quarter_chart(lines: list[QuarterLine], target: ParsedTarget) -> Chart | None:
    """Chart geometry for a quantity row; None for rows without a quantity target."""
    main = target.main if target.kind == Kind.QUANTITY else None
    if main is None:
        return None
    width, height, left, top, bottom = 640, 260, 56, 16, 34
    plot_w = width - left - 12
    plot_h = height - top - bottom
    slot = Fraction(plot_w, 4)
    expected = [expected_cumulative(target, q) for q in QUARTERS]
    values = [
        (line.result.value if line.approved and line.result and line.result.value else None)
        for line in lines
    ]
    cumulative = [
        (line.progress.actual or Decimal("0")) if line.progress is not None else None
        for line in lines
    ]
    top_value = max(
        [main.value, *expected, *(v for v in values if v), *(c for c in cumulative if c)]
    )
    scale = nice_ceiling(Fraction(top_value) * Fraction(11, 10))

    def y_of(value: Decimal | Fraction) -> Decimal:
        return _coordinate(top + plot_h - Fraction(value) / scale * plot_h)

    def x_center(quarter: int) -> Decimal:
        return _coordinate(left + slot * (quarter - 1) + slot / 2)

    unit = main.unit
    bars = []
    for quarter, value in zip(QUARTERS, values, strict=True):
        if value is None:
            continue
        y = y_of(value)
        bars.append(
            ChartBar(
                quarter=quarter,
                x=_coordinate(left + slot * (quarter - 1) + slot / 4),
                y=y,
                width=_coordinate(slot / 2),
                height=Decimal(top + plot_h) - y,
                label=f"{quarter_label(quarter)}: {number_text(value, unit)}",
            )
        )
    actual_points = [
        ChartPoint(x_center(q), y_of(c), f"累計 {number_text(c, unit)}")
        for q, c in zip(QUARTERS, cumulative, strict=True)
        if c is not None
    ]
    expected_points = [
        ChartPoint(x_center(q), y_of(e), f"期待値 {number_text(e, unit)}")
        for q, e in zip(QUARTERS, expected, strict=True)
    ]
    ticks = [
        ChartPoint(Decimal(left - 6), y_of(scale * share), number_text(_decimal(scale * share)))
        for share in (Fraction(0), Fraction(1, 2), Fraction(1))
    ]
    quarter_labels = [
        ChartPoint(x_center(q), Decimal(height - bottom + 20), f"第{q}四半期") for q in QUARTERS
    ]
    return Chart(
        width=width,
        height=height,
        left=left,
        top=top,
        bottom=bottom,
        bars=bars,
        actual_points=actual_points,
        expected_points=expected_points,
        target_y=y_of(main.value),
        target_label=f"目標 {number_text(main.value, unit)}",
        ticks=ticks,
        quarter_labels=quarter_labels,
    )


@dataclass
class ItemPage:
    item: PlanItem
    target: ParsedTarget
    lines: list[QuarterLine]
    chart: Chart | None
    latest: Row | None  # progress at the latest approved quarter

    @property
    def understood(self) -> list[str]:
        return describe_target(self.target)

    @property
    def has_sample(self) -> bool:
        return any(is_sample(line.result) for line in self.lines if line.approved)


def item_page(item: PlanItem) -> ItemPage:
    """A row's 実績 quarter by quarter (approved quarters only) with its chart.

    The figures are those of ``results.basis`` for a row's page: approved 実績 only.
    ``item`` must come with ``initiative__business__fiscal_year__organization`` loaded.
    Queries: the section's quarters, the row's 実績.
    """
    business = item.initiative.business
    target = item.parsed
    row = BasisRow(
        item=item,
        business_id=business.pk,
        fiscal_year_id=business.fiscal_year_id,
        section_id=business.section_id,
        tolerance=business.fiscal_year.organization.tolerance,
        target_at=item.target_at,
    )
    by_quarter = read_quarters([row], basis=basis_for(None, Purpose.ROW_PAGE))
    lines = []
    latest = None
    for quarter in QUARTERS:
        figures = by_quarter[quarter]
        approved = figures.is_approved(business.fiscal_year_id, business.section_id)
        progress = figures.rows[item.pk].progress
        in_force = item.target_at(quarter)
        lines.append(
            QuarterLine(
                quarter=quarter,
                result=progress.current if approved else None,
                approved=approved,
                progress=progress if approved else None,
                target=in_force,
            )
        )
        if approved:
            latest = Row(item=item, target=in_force, progress=progress)
    return ItemPage(
        item=item,
        target=target,
        lines=lines,
        chart=quarter_chart(lines, target),
        latest=latest,
    )


# ---------------------------------------------------------------------------------------
# A row's history


@dataclass
class HistoryEntry:
    event: AuditEvent

    @property
    def changes(self) -> list[Change]:
        return describe_changes(self.event.changes, self.event.action)


def item_history(item: PlanItem) -> list[HistoryEntry]:
    """Every change to the row's 実績, newest first (one query, with who)."""
    return [
        HistoryEntry(event)
        for event in AuditEvent.objects.filter(
            plan_item=item, action=AuditEvent.Action.RESULT_CHANGED
        ).select_related("user")
    ]


def pending_decisions(user: User) -> QuerySet[SectionQuarter]:
    """Entries waiting for this 課長's decision (submitted, in their 課)."""
    if user.role != User.Role.DEPARTMENT_HEAD or not user.department_id:
        return SectionQuarter.objects.none()
    return SectionQuarter.objects.filter(
        Q(section__department_id=user.department_id), state=SectionQuarter.State.SUBMITTED
    ).select_related("section", "fiscal_year")
