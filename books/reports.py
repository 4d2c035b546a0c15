"""What each book says, as plain data: no openpyxl here (that is ``books.xlsx``).

Each builder reads the database once through :func:`book_businesses` and returns
dataclasses of text and numbers, laid out as the council's printed plan is: 課 → 係 (and
its 事業) → 取り組み → rows. A row's 実績 and status come from
:func:`results.basis.read_progress` on the basis ``results.basis.basis_for`` gives the
reader (approved figures only, unless an internal book), never from sums made here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from plans.models import Business, Initiative, Organization, PlanItem, Section
from results.basis import Basis, BasisRow, Figures, RowFigures, read_progress
from results.models import Result, SectionQuarter
from results.progress import ItemProgress, item_progress
from results.status import Status
from shakyo.lib.fiscal import FiscalQuarter, fiscal_year_label, wareki_date
from targets.display import format_number
from targets.types import Kind

from .models import ReportSummary
from .summary import EDITED_MARK, business_paragraph, section_paragraph

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


# ---------------------------------------------------------------------------------------
# The one query of every book
# ---------------------------------------------------------------------------------------


def book_businesses(
    businesses: QuerySet[Business], *, results_upto: int | None = None
) -> list[Business]:
    """``businesses`` in plan order with initiatives, rows and (optionally) 実績.

    Queries: businesses (with section, 課, year, organisation and 委託元), initiatives,
    rows, and — when ``results_upto`` is given — the 実績 of quarters 1..results_upto:
    four in all, whatever the number of rows.
    """
    items = PlanItem.objects.order_by("order", "pk")
    if results_upto is not None:
        items = items.prefetch_related(
            Prefetch(
                "results",
                queryset=Result.objects.filter(quarter__lte=results_upto).order_by("quarter"),
            )
        )
    initiatives = Initiative.objects.order_by("order", "number", "pk").prefetch_related(
        Prefetch("items", queryset=items)
    )
    return list(
        businesses.select_related(
            "section__department", "fiscal_year__organization", "commissioned_by"
        )
        .prefetch_related(Prefetch("initiatives", queryset=initiatives))
        .order_by(
            "fiscal_year__organization__name",
            "section__department__order",
            "section__department__pk",
            "section__order",
            "section__pk",
            "order",
            "pk",
        )
    )


# ---------------------------------------------------------------------------------------
# 事業計画
# ---------------------------------------------------------------------------------------


@dataclass
class PlanRow:
    """One row of the table 項目 / 内容 / 目標値, and what the import needs to match it."""

    key: str
    group: str
    name: str
    detail: str
    target_text: str
    confidence: str = ""
    note: str = ""
    structure: dict | None = None  # the hand-edited parsed target (PlanItem.target_edited)


@dataclass
class InitiativeBlock:
    pk: int
    number: int
    title: str
    policy: str
    rows: list = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{_zenkaku(self.number)}．{self.title}"


@dataclass
class BusinessBlock:
    """A 事業, with the 【係】 heading and 係の方針 shown before it when the plan does.

    Sections whose businesses share their 方針 (``policies_shared``) show 【係】 and the
    方針 once; the others show 【係：事業（受託）】 and the 方針 for each business.
    """

    pk: int
    section: str
    name: str
    commissioned_by: str
    city_department: str
    policies: list[str]
    policies_shared: bool
    heading: str  # 【…】, or "" when the business continues its section's block
    show_policies: bool
    initiatives: list[InitiativeBlock] = field(default_factory=list)


@dataclass
class DepartmentSheet:
    name: str
    title: str  # 「令和２年度　総務課　事業計画」
    businesses: list[BusinessBlock] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[BusinessBlock, InitiativeBlock, object]]:
        for business in self.businesses:
            for initiative in business.initiatives:
                for row in initiative.rows:
                    yield business, initiative, row


@dataclass
class Book:
    organization: str
    year: int
    quarter: int | None
    title: str
    sheets: list[DepartmentSheet]

    @property
    def row_count(self) -> int:
        return sum(1 for sheet in self.sheets for _ in sheet.rows())


def _zenkaku(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def _plan_row(item: PlanItem) -> PlanRow:
    return PlanRow(
        key=str(item.key),
        group=item.group,
        name=item.name,
        detail=item.detail,
        target_text=item.target_text,
        confidence=item.source_confidence,
        note=item.source_note,
        structure=item.target if item.target_edited else None,
    )


def _department_sheets(
    businesses: list[Business], title_suffix: str, row: Callable[[PlanItem], object]
) -> list[DepartmentSheet]:
    several = len({b.fiscal_year.organization_id for b in businesses}) > 1
    sheets: list[DepartmentSheet] = []
    previous: Business | None = None
    for business in businesses:
        department = business.section.department
        name = department.name
        if several:
            # A city that commissions several councils: one sheet per council and 課.
            organization = business.fiscal_year.organization
            name = f"{organization.short_name or organization.name} {name}"
        if not sheets or sheets[-1].name != name:
            sheets.append(
                DepartmentSheet(
                    name=name,
                    title=f"{fiscal_year_label(business.fiscal_year.year, full_width=True)}"
                    f"　{department.name}　{title_suffix}",
                )
            )
            previous = None
        same_section = previous is not None and previous.section_id == business.section_id
        continues = (
            same_section
            and business.policies_shared
            and previous.policies_shared
            and business.policies == previous.policies
        )
        if business.policies_shared:
            heading = "" if continues else f"【{business.section.name}】"
        else:
            heading = f"【{business.section.name}：{business.name}{business.commissioned_label}】"
        block = BusinessBlock(
            pk=business.pk,
            section=business.section.name,
            name=business.name,
            commissioned_by=business.commissioned_by.name if business.commissioned_by else "",
            city_department=business.city_department,
            policies=list(business.policies or []),
            policies_shared=business.policies_shared,
            heading=heading,
            show_policies=not continues,
        )
        for initiative in business.initiatives.all():
            block.initiatives.append(
                InitiativeBlock(
                    pk=initiative.pk,
                    number=initiative.number,
                    title=initiative.title,
                    policy=initiative.policy,
                    rows=[row(item) for item in initiative.items.all()],
                )
            )
        sheets[-1].businesses.append(block)
        previous = business
    return sheets


def plan_book(businesses: QuerySet[Business], *, year: int) -> Book:
    """The 事業計画: one sheet per 課, as printed."""
    loaded = book_businesses(businesses.filter(fiscal_year__year=year))
    organization = loaded[0].fiscal_year.organization.name if loaded else ""
    return Book(
        organization=organization,
        year=year,
        quarter=None,
        title=f"{fiscal_year_label(year, full_width=True)}　事業計画",
        sheets=_department_sheets(loaded, "事業計画", _plan_row),
    )


# ---------------------------------------------------------------------------------------
# 事業報告
# ---------------------------------------------------------------------------------------


@dataclass
class ReportRow(PlanRow):
    """A plan row with its 実績 up to the book's quarter."""

    kind: str = Kind.NONE.value
    unit: str = ""
    quarters: tuple = (None, None, None, None)  # per quarter: Decimal, 「実施」…, or None
    actual: Decimal | str | None = None  # cumulative main quantity, or the 実施内容 text
    extras: str = ""  # cumulative secondary quantities: 「参加者 80人」
    rate: Decimal | None = None  # 達成率 in percent
    status: Status = Status.NO_TARGET
    reason: str = ""  # 理由・今後の対応, or the reason it was cancelled
    unapproved: frozenset[int] = frozenset()  # quarters whose figures are not approved
    cancel_reason: str = ""
    latest_reason: str = ""  # the latest quarter's 理由・今後の対応 (the 総括 quotes it)
    aggregation: str = "flow"  # 集計方法 (targets.aggregation.Aggregation)

    @property
    def has_unapproved(self) -> bool:
        """The cumulative figure, rate and status include a figure not yet approved."""
        return bool(self.unapproved)

    @property
    def is_shortfall(self) -> bool:
        return self.status.is_shortfall

    @property
    def is_cancelled(self) -> bool:
        return self.status == Status.CANCELLED


def _quarter_cell(progress: ItemProgress, quarter: int, qualitative: bool):
    if quarter > progress.quarter:
        return None
    result = progress.by_quarter.get(quarter)
    if result is None:
        return None
    if result.cancelled:
        return "中止"
    if qualitative:
        if result.done is True:
            return "実施"
        if result.done is False:
            return "未実施"
    return result.value


def _with_quarters(texts: list[tuple[int, str]]) -> str:
    if len(texts) == 1:
        return texts[0][1]
    return "\n".join(f"（第{q}四半期）{text}" for q, text in texts)


def report_row(item: PlanItem, figures: RowFigures) -> ReportRow:
    """What the 事業報告 shows for one row at ``figures.progress.quarter``."""
    progress = figures.progress
    parsed = item.target_at(progress.quarter)
    main = parsed.main if parsed.kind == Kind.QUANTITY else None
    qualitative = main is None
    upto = [progress.by_quarter[q] for q in sorted(progress.by_quarter) if q <= progress.quarter]
    plan = _plan_row(item)
    if item.is_revised:
        # The report states the target each quarter was judged against, and the 補正.
        plan.target_text = f"{item.target_text_at(progress.quarter)}\n（{item.revision_note}）"
    row = ReportRow(
        **vars(plan),
        kind=parsed.kind.value,
        unit=main.unit if main else "",
        quarters=tuple(_quarter_cell(progress, q, qualitative) for q in (1, 2, 3, 4)),
        rate=progress.progress.rate,
        status=progress.status,
        unapproved=figures.unapproved,
        cancel_reason=progress.cancel_reason,
        aggregation=item.aggregation,
    )
    if qualitative:
        notes = [(r.quarter, r.note) for r in upto if r.note]
        row.actual = _with_quarters(notes) if notes else None
    else:
        row.actual = progress.actual
        extras = []
        for quantity, value in zip(parsed.quantities[1:], progress.extra_actuals, strict=False):
            if value is not None:
                label = f"{quantity.label} " if quantity.label else ""
                extras.append(f"{label}{format_number(value)}{quantity.unit}")
        row.extras = "・".join(extras)
    if progress.status == Status.CANCELLED:
        row.reason = f"事業を年度中止：{progress.cancel_reason}"
    else:
        # A quarter whose occurrence was cancelled explains itself with its reason.
        reasons = [
            (r.quarter, f"今期の回を中止：{r.cancel_reason}" if r.cancels_quarter else r.reason)
            for r in upto
            if r.reason or r.cancels_quarter
        ]
        row.reason = _with_quarters(reasons) if reasons else ""
        row.latest_reason = reasons[-1][1] if reasons else ""
    return row


def _basis_rows(businesses: list[Business]) -> list[BasisRow]:
    return [
        BasisRow(
            item=item,
            business_id=business.pk,
            fiscal_year_id=business.fiscal_year_id,
            section_id=business.section_id,
            tolerance=business.fiscal_year.organization.tolerance,
            target_at=item.target_at,
        )
        for business in businesses
        for initiative in business.initiatives.all()
        for item in initiative.items.all()
    ]


def _report_sheets(
    businesses: list[Business], figures: Figures, title_suffix: str, on_row: Progress
) -> list[DepartmentSheet]:
    total = len(figures.rows)
    done = 0

    def row(item: PlanItem) -> ReportRow:
        nonlocal done
        done += 1
        if done % 50 == 0 or done == total:
            on_row(done, total)
        return report_row(item, figures.rows[item.pk])

    return _department_sheets(businesses, title_suffix, row)


@dataclass(frozen=True)
class SectionApproval:
    """A 係 of the book and whether its entry for the book's quarter is approved."""

    department: str
    section: str
    state: str  # 「承認済み」, 「提出済み（承認待ち）」, 「入力中」…

    @property
    def approved(self) -> bool:
        return self.state == SectionQuarter.State.APPROVED.label


def _section_approvals(businesses: list[Business], figures: Figures) -> list[SectionApproval]:
    approvals: list[SectionApproval] = []
    seen: set[tuple[int, int]] = set()
    for business in businesses:
        key = (business.fiscal_year_id, business.section_id)
        if key in seen:
            continue
        seen.add(key)
        sq = figures.section_quarters.get(key)
        approvals.append(
            SectionApproval(
                department=business.section.department.name,
                section=business.section.name,
                state=sq.get_state_display() if sq else "入力なし",
            )
        )
    return approvals


def _figures(businesses: list[Business], *, basis: Basis, quarter: int) -> Figures:
    return read_progress(
        _basis_rows(businesses),
        basis=basis,
        quarter=quarter,
        sections={(b.fiscal_year_id, b.section_id) for b in businesses},
    )


@dataclass
class StatusCount:
    department: str
    section: str  # "" on a 課's subtotal line and on the total line
    counts: Counter
    is_total: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class WrittenSummary:
    """A 総括 paragraph: the 係's edited text, or the draft written from the figures."""

    title: str
    text: str
    edited: bool
    draft: str

    @property
    def printed(self) -> str:
        return f"{self.text}{EDITED_MARK}" if self.edited else self.text


@dataclass
class SectionSummary:
    """The 総括 of one 係: its own paragraph, then one per 事業."""

    fiscal_year_id: int
    section_id: int
    department: str
    section: str
    approved: bool
    overall: WrittenSummary
    businesses: list[tuple[int, WrittenSummary]]  # (business pk, its paragraph)


def report_summaries(
    loaded: list[Business], sheets: list[DepartmentSheet], figures: Figures, quarter: int
) -> list[SectionSummary]:
    """The 総括 of every 係 in the book, from its rows, with the 係's edits where there
    are any (one query)."""
    by_pk = {business.pk: business for business in loaded}
    edits = {
        (edit.section_id, edit.business_id): edit.text
        for edit in ReportSummary.objects.filter(
            fiscal_year_id__in={b.fiscal_year_id for b in loaded},
            section_id__in={b.section_id for b in loaded},
            quarter=quarter,
        ).only("section_id", "business_id", "text")
    }

    def written(title: str, key: tuple[int, int | None], draft: str) -> WrittenSummary:
        text = edits.get(key)
        return WrittenSummary(title, text or draft, edited=text is not None, draft=draft)

    summaries: dict[tuple[int, int], SectionSummary] = {}
    rows: dict[tuple[int, int], list[ReportRow]] = {}
    for sheet in sheets:
        for block in sheet.businesses:
            business = by_pk[block.pk]
            key = (business.fiscal_year_id, business.section_id)
            block_rows = [row for initiative in block.initiatives for row in initiative.rows]
            rows.setdefault(key, []).extend(block_rows)
            if key not in summaries:
                summaries[key] = SectionSummary(
                    fiscal_year_id=key[0],
                    section_id=key[1],
                    department=sheet.name,
                    section=business.section.name,
                    approved=figures.is_approved(*key),
                    overall=WrittenSummary("", "", False, ""),
                    businesses=[],
                )
            draft = business_paragraph(block_rows, quarter, approved=summaries[key].approved)
            summaries[key].businesses.append(
                (business.pk, written(business.name, (business.section_id, business.pk), draft))
            )
    for key, summary in summaries.items():
        draft = section_paragraph(summary.section, rows[key], quarter, approved=summary.approved)
        summary.overall = written(f"【{summary.section}】", (key[1], None), draft)
    return list(summaries.values())


@dataclass
class ReportBook(Book):
    summary: list[StatusCount] = field(default_factory=list)
    written: list[SectionSummary] = field(default_factory=list)  # 総括
    statuses: tuple[Status, ...] = tuple(Status)
    basis: Basis = Basis.APPROVED
    sections: list[SectionApproval] = field(default_factory=list)

    @property
    def official(self) -> bool:
        return self.basis.official

    @property
    def has_unapproved(self) -> bool:
        return any(row.has_unapproved for sheet in self.sheets for _b, _i, row in sheet.rows())

    @property
    def basis_note(self) -> str:
        """What the book's figures are, for its cover and every sheet."""
        approved = sum(1 for s in self.sections if s.approved)
        counted = f"{approved} / {len(self.sections)}係が承認済み"
        if self.official:
            return (
                f"課長が承認した実績で集計（{counted}。"
                "承認前の係のこの四半期は「未入力」として数えます）"
            )
        return (
            f"内部確認用：承認前の実績を含みます（{counted}）。"
            f"{UNAPPROVED_MARK} の付いた数値・状況は承認前の実績によるものです"
        )


# Put after every figure that is not approved (or rests on one) in an internal book.
UNAPPROVED_MARK = "※"


def quarter_heading(quarter: int) -> str:
    """「第2四半期（7〜9月）まで」 for the book titles."""
    return f"{FiscalQuarter(2000, quarter).label}まで"


def status_summary(sheets: Iterable[DepartmentSheet]) -> list[StatusCount]:
    """Counts by status per 係, a subtotal per 課 and the organisation's total."""
    lines: list[StatusCount] = []
    grand: Counter = Counter()
    for sheet in sheets:
        by_section: dict[str, Counter] = {}
        for business, _initiative, row in sheet.rows():
            by_section.setdefault(business.section, Counter())[row.status] += 1
        department: Counter = Counter()
        for section, counts in by_section.items():
            lines.append(StatusCount(sheet.name, section, counts))
            department.update(counts)
        lines.append(StatusCount(sheet.name, "", department, is_total=True))
        grand.update(department)
    lines.append(StatusCount("合計", "", grand, is_total=True))
    return lines


def report_book(
    businesses: QuerySet[Business],
    *,
    year: int,
    quarter: int,
    basis: Basis = Basis.APPROVED,
    on_row: Progress = _no_progress,
) -> ReportBook:
    """The 事業報告 at ``quarter``: the plan plus 実績, status and reasons, and a summary.

    ``basis`` comes from ``results.basis.basis_for``: approved figures only (the
    official book), or with unapproved figures for an internal check (each marked).
    """
    loaded = book_businesses(businesses.filter(fiscal_year__year=year))
    figures = _figures(loaded, basis=basis, quarter=quarter)
    sheets = _report_sheets(loaded, figures, "事業報告", on_row)
    internal = "" if basis.official else "【内部確認用】"
    return ReportBook(
        organization=loaded[0].fiscal_year.organization.name if loaded else "",
        year=year,
        quarter=quarter,
        title=f"{fiscal_year_label(year, full_width=True)}　事業報告"
        f"（{quarter_heading(quarter)}）{internal}",
        sheets=sheets,
        summary=status_summary(sheets),
        written=report_summaries(loaded, sheets, figures, quarter),
        basis=basis,
        sections=_section_approvals(loaded, figures),
    )


# ---------------------------------------------------------------------------------------
# 市への報告
# ---------------------------------------------------------------------------------------


def city_book(
    businesses: QuerySet[Business],
    *,
    year: int,
    quarter: int,
    commissioner: Organization,
    basis: Basis = Basis.APPROVED,
    on_row: Progress = _no_progress,
) -> ReportBook:
    """The 受託事業 of one commissioning body with their targets against 実績 to date.

    ``basis`` as for :func:`report_book`.
    """
    loaded = book_businesses(
        businesses.filter(fiscal_year__year=year, commissioned_by=commissioner)
    )
    figures = _figures(loaded, basis=basis, quarter=quarter)
    sheets = _report_sheets(loaded, figures, f"{commissioner.name}受託事業 実績報告", on_row)
    councils = sorted({b.fiscal_year.organization.name for b in loaded})
    for sheet in sheets:
        for business in sheet.businesses:
            # Every business is its own block in a city report, with its 課・係.
            business.heading = f"【{business.section}：{business.name}】"
            business.show_policies = False
    internal = "" if basis.official else "【内部確認用】"
    return ReportBook(
        organization="・".join(councils),
        year=year,
        quarter=quarter,
        title=f"{fiscal_year_label(year, full_width=True)}　{commissioner.name}受託事業"
        f"　実績報告（{quarter_heading(quarter)}）{internal}",
        sheets=sheets,
        basis=basis,
        sections=_section_approvals(loaded, figures),
    )


# ---------------------------------------------------------------------------------------
# 実績入力用ブック (offline entry)
# ---------------------------------------------------------------------------------------


@dataclass
class EntryRow:
    """A row of the offline entry workbook: the plan, what is known, this quarter's input."""

    key: str
    group: str
    name: str
    detail: str
    target_text: str
    kind: str
    unit: str
    extra_units: tuple[str, ...]  # one per secondary quantity: 「人」
    before: Decimal | None  # cumulative main quantity up to the previous quarter
    value: Decimal | None
    extra_values: tuple[Decimal | None, ...]
    done: bool | None
    cancel_scope: str  # "" (no 中止), "quarter" (今期の回を中止) or "year" (事業を年度中止)
    cancel_reason: str
    note: str
    reason: str

    @property
    def takes_number(self) -> bool:
        return self.kind == Kind.QUANTITY.value and bool(self.unit)

    @property
    def takes_done(self) -> bool:
        return self.kind != Kind.NONE.value and not self.takes_number


@dataclass
class EntryBook:
    organization: str
    year: int
    quarter: int
    section_id: int
    section: str
    department: str
    version: int
    state: str
    title: str
    rows: list[EntryRow]

    @property
    def extra_columns(self) -> int:
        return max((len(row.extra_units) for row in self.rows), default=0)


def entry_book(*, section: Section, year: int, quarter: int, version: int, state: str) -> EntryBook:
    """This quarter's input of ``section``, with the cumulative 実績 before it."""
    businesses = Business.objects.filter(section=section, fiscal_year__year=year)
    loaded = book_businesses(businesses, results_upto=quarter)
    rows: list[EntryRow] = []
    for business in loaded:
        for initiative in business.initiatives.all():
            for item in initiative.items.all():
                parsed = item.target_at(quarter)
                results = list(item.results.all())
                current = next((r for r in results if r.quarter == quarter), None)
                before = item_progress(item, results, quarter - 1).actual if quarter > 1 else None
                main = parsed.main if parsed.kind == Kind.QUANTITY else None
                extras = parsed.quantities[1:] if main else ()
                stored = list(current.extra_values or []) if current else []
                rows.append(
                    EntryRow(
                        key=str(item.key),
                        group=item.group,
                        name=item.name,
                        detail=item.detail,
                        target_text=item.target_text,
                        kind=parsed.kind.value,
                        unit=main.unit if main else "",
                        extra_units=tuple(
                            f"{q.label} {q.unit}".strip() if q.label else q.unit for q in extras
                        ),
                        before=before,
                        value=current.value if current else None,
                        extra_values=tuple(
                            Decimal(str(stored[i]))
                            if i < len(stored) and stored[i] not in (None, "")
                            else None
                            for i in range(len(extras))
                        ),
                        done=current.done if current else None,
                        cancel_scope=current.cancel_scope if current else "",
                        cancel_reason=current.cancel_reason if current else "",
                        note=current.note if current else "",
                        reason=current.reason if current else "",
                    )
                )
    organization = section.department.organization
    return EntryBook(
        organization=organization.name,
        year=year,
        quarter=quarter,
        section_id=section.pk,
        section=section.name,
        department=section.department.name,
        version=version,
        state=state,
        title=f"{fiscal_year_label(year, full_width=True)}　{FiscalQuarter(year, quarter).label}"
        f"　実績入力　{section.department.name}　{section.name}",
        rows=rows,
    )


# ---------------------------------------------------------------------------------------
# 理事会資料 (the board packet): a cover, the summary, the shortfalls, the 事業報告
# ---------------------------------------------------------------------------------------


@dataclass
class Shortfall:
    department: str
    section: str
    row: ReportRow


@dataclass
class BoardPacket:
    """What the 理事会 receives for a quarter, all read from the 事業報告 at that quarter."""

    title: str  # 「令和２年度　第２四半期　事業進捗報告」
    organization: str
    made_on: str  # 和暦: 「令和２年１０月２０日」
    report: ReportBook
    sections: list[SectionApproval]
    shortfalls: list[Shortfall]

    @property
    def approved_count(self) -> int:
        return sum(1 for s in self.sections if s.approved)


def board_packet(
    businesses: QuerySet[Business],
    *,
    year: int,
    quarter: int,
    made_on: date,
    on_row: Progress = _no_progress,
) -> BoardPacket:
    """The 理事会 packet at ``quarter``: the official 事業報告 (approved figures only),
    which 係 are approved, and the rows that fall short (遅れ・未着手) with their reasons."""
    report = report_book(
        businesses, year=year, quarter=quarter, basis=Basis.APPROVED, on_row=on_row
    )
    shortfalls = [
        Shortfall(sheet.name, business.section, row)
        for sheet in report.sheets
        for business, _initiative, row in sheet.rows()
        if row.is_shortfall
    ]
    return BoardPacket(
        title=f"{fiscal_year_label(year, full_width=True)}　第{_zenkaku(quarter)}四半期"
        "　事業進捗報告",
        organization=report.organization,
        made_on=wareki_date(made_on, full_width=True),
        report=report,
        sections=report.sections,
        shortfalls=shortfalls,
    )
