"""Which 実績 feed the status rule: one decision for every reader and purpose.

DESIGN.md, "The approved record": official outputs (the dashboard, a row's page, the
事業報告 and its 概要, the 市への報告, the 協働 view) read **approved figures only**; an
internal book may include unapproved figures, and then marks each one; the section's own
entry page works on what is being entered. :func:`basis_for` decides which of these a
reader gets for a purpose, and :func:`read_progress` reads the figures of that basis and
folds them through the one status rule (``results.progress.item_progress``). No screen,
book or summary chooses its 実績 by itself.

Approved quarters are read from the approved record (``results.models.ApprovedRow``,
written by ``results.services.approval_record`` when the 課長 approves). The section's own
work (``Purpose.ENTRY``: the entry page and its live status, the submission check, the
offline entry workbook and its import) counts every 実績 entered, and those readers fold
the 実績 they already hold with ``item_progress`` directly.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, TextField
from django.db.models.functions import Cast

from plans import access
from plans.models import User
from targets.types import ParsedTarget

from .models import Approval, ApprovedRow, QuarterWindow, Result, SectionQuarter
from .progress import ItemProgress, item_progress
from .status import Progress, Status


class Basis(StrEnum):
    """Which 実績 count; the value is what a book or screen says about its figures."""

    APPROVED = "承認済みの実績"
    WITH_UNAPPROVED = "入力中を含む（内部確認用）"
    ENTRY = "入力中の実績"

    @property
    def official(self) -> bool:
        return self is Basis.APPROVED


class Purpose(StrEnum):
    """What the figures are read for."""

    DASHBOARD = "dashboard"  # 進捗ダッシュボード and a business's rows
    ROW_PAGE = "row_page"  # one row's quarters and chart
    REPORT = "report"  # 事業報告 and its 概要
    CITY_REPORT = "city_report"  # 市への報告
    COLLAB = "collab"  # a 協働事業's linked 社協 business
    ENTRY = "entry"  # the section's entry page, its live status, the submission check,
    # the offline entry workbook and its import: the section works on its own input


_BOOKS = frozenset({Purpose.REPORT, Purpose.CITY_REPORT})


def basis_for(user: User | None, purpose: Purpose, *, include_unapproved: bool = False) -> Basis:
    """The basis of the figures ``user`` reads for ``purpose``.

    Entry work (``Purpose.ENTRY``) reads what is being entered. Everything else reads
    approved figures only, unless an internal book is asked for with
    ``include_unapproved``: allowed for the books only, and only to council staff
    (``plans.access.can_read_unapproved``; ``user`` None is a 事務局 command on the
    server). Asking for it anywhere else raises PermissionDenied.
    """
    if purpose is Purpose.ENTRY:
        return Basis.ENTRY
    if not include_unapproved:
        return Basis.APPROVED
    if purpose not in _BOOKS or (user is not None and not access.can_read_unapproved(user)):
        raise PermissionDenied("承認前の実績を含む帳票は作成できません。")
    return Basis.WITH_UNAPPROVED


# ---------------------------------------------------------------------------------------
# Reading the figures of a basis


@dataclass(frozen=True, slots=True)
class ResultFacts:
    """The columns of a 実績 that a row's status reads, without a model.

    A dashboard folds every 実績 of an organisation up to a quarter; building a
    ``Result`` instance for each was most of its time for a large council (bench/).
    ``item_progress`` reads these exactly as it reads a ``Result``.
    """

    item_id: int
    quarter: int
    value: Decimal | None
    extra_values: list
    done: bool | None
    cancelled: bool
    cancel_scope: str
    cancel_reason: str
    reason: str
    note: str

    # The same rules as the model's.
    is_entered = Result.is_entered
    cancels_year = Result.cancels_year
    cancels_quarter = Result.cancels_quarter


# extra_values as text: most are 「[]」, decoded without json (a third of the fetch).
_RESULT_FACTS = [
    Cast(f.name, TextField()) if f.name == "extra_values" else f.name
    for f in dataclasses.fields(ResultFacts)
]
_EXTRA = [f.name for f in dataclasses.fields(ResultFacts)].index("extra_values")


def _result_facts(values: tuple) -> ResultFacts:
    values = list(values)
    text = values[_EXTRA]
    values[_EXTRA] = json.loads(text) if text and text != "[]" else []
    return ResultFacts(*values)


@dataclass(frozen=True)
class BasisRow:
    """A plan row as a reader knows it: its business, its section's year and section, the
    organisation's tolerance and the target in force at a quarter (``PlanItem.target_at``,
    or ``plans.models.target_in_force`` for rows read as tuples)."""

    item: object  # PlanItem, or a stand-in with ``pk`` and ``aggregation`` (集計方法)
    business_id: int
    fiscal_year_id: int
    section_id: int
    tolerance: Decimal
    target_at: Callable[[int], ParsedTarget]


@dataclass(frozen=True)
class RowFigures:
    """A row's progress on a basis, and the quarters whose figures are not approved."""

    progress: ItemProgress
    unapproved: frozenset[int]

    @property
    def has_unapproved(self) -> bool:
        return bool(self.unapproved)


@dataclass(frozen=True)
class Figures:
    """What a basis says about some rows at a quarter."""

    basis: Basis
    quarter: int
    rows: dict[int, RowFigures]  # by PlanItem pk
    # (fiscal_year_id, section_id) → the quarters approved up to ``quarter``
    approved: dict[tuple[int, int], frozenset[int]]
    section_quarters: dict[tuple[int, int], SectionQuarter]  # at ``quarter``

    def is_approved(self, fiscal_year_id: int, section_id: int, quarter: int | None = None) -> bool:
        quarters = self.approved.get((fiscal_year_id, section_id), frozenset())
        return (self.quarter if quarter is None else quarter) in quarters


def read_progress(
    rows: Iterable[BasisRow],
    *,
    basis: Basis,
    quarter: int,
    sections: Iterable[tuple[int, int]] = (),
) -> Figures:
    """Every row's progress at ``quarter`` on ``basis``.

    Approved quarters are those whose section-quarter is 承認済み; they are read from the
    approved record (``ApprovedRow``: the figures, target and status as the 課長 approved
    them, so the status at an approved quarter is the recorded one, not folded again).
    Quarters approved before records were kept are folded from their (locked) 実績.
    On the approved basis
    a row counts the 実績 of its approved quarters only, and a section whose ``quarter``
    is not approved is 未入力 for it (its earlier approved quarters still count). With
    unapproved figures, the other quarters count too and are listed in
    ``RowFigures.unapproved`` (the book marks them); the quarter is 未入力 only while its
    window is open and nothing was entered. The entry basis counts every 実績, as the
    section enters them.

    ``sections`` adds (fiscal_year_id, section_id) pairs whose section-quarters are
    wanted even without rows (a business with no rows yet still shows its state).

    Queries: the section-quarters up to ``quarter``; the approved records up to it (when
    any is recorded); the rows' 実績 up to it (on the bases that include unapproved
    figures, or for an approved quarter without a record); on those bases the open
    windows — four at most, whatever the number of rows.
    """
    return _Snapshot(rows, basis=basis, upto=quarter, sections=sections).at(quarter)


def read_quarters(rows: Iterable[BasisRow], *, basis: Basis) -> dict[int, Figures]:
    """``read_progress`` at each quarter 1–4 from one read (a row's page)."""
    snapshot = _Snapshot(rows, basis=basis, upto=4, sections=())
    return {quarter: snapshot.at(quarter) for quarter in (1, 2, 3, 4)}


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """An approved row (``ApprovedRow``) read as a tuple: the quarter's figures as
    approved (read like a ``Result``) and the row's state at the end of the quarter."""

    item_id: int
    quarter: int
    value: Decimal | None
    extra_values: list
    done: bool | None
    cancelled: bool
    cancel_scope: str
    cancel_reason: str
    reason: str
    note: str
    actual: Decimal | None
    extra_actuals: list
    bar: Decimal | None
    expected: Decimal
    rate: Decimal | None
    status: str
    state_reason: str

    # The same rules as the model's.
    is_entered = Result.is_entered
    cancels_year = Result.cancels_year
    cancels_quarter = Result.cancels_quarter


_JSON_FIELDS = ("extra_values", "extra_actuals")
_RECORD_FACTS = [
    Cast(f.name, TextField()) if f.name in _JSON_FIELDS else f.name
    for f in dataclasses.fields(RecordFacts)
]
_RECORD_JSON = [i for i, f in enumerate(dataclasses.fields(RecordFacts)) if f.name in _JSON_FIELDS]


def _record_facts(values: tuple) -> RecordFacts:
    values = list(values)
    for index in _RECORD_JSON:
        text = values[index]
        values[index] = json.loads(text) if text and text != "[]" else []
    return RecordFacts(*values)


def _recorded_progress(
    item: object, quarter: int, record: RecordFacts, counted: list
) -> ItemProgress:
    """A row's progress at an approved quarter, as recorded when it was approved."""
    upto = sorted(counted, key=lambda r: r.quarter)
    return ItemProgress(
        item=item,
        quarter=quarter,
        by_quarter={r.quarter: r for r in upto},
        actual=record.actual,
        extra_actuals=tuple(
            None if v in (None, "") else Decimal(str(v)) for v in record.extra_actuals
        ),
        progress=Progress(
            status=Status(record.status),
            target=record.bar,
            expected=record.expected,
            actual=record.actual if record.actual is not None else Decimal("0"),
            rate=record.rate,
        ),
        cancel_reason=record.state_reason,
        reasons=tuple(r.reason for r in upto if r.reason),
    )


class _Snapshot:
    """The section-quarters, approved records, 実績 and open windows of some rows up to a
    quarter: what every basis is folded from."""

    def __init__(
        self,
        rows: Iterable[BasisRow],
        *,
        basis: Basis,
        upto: int,
        sections: Iterable[tuple[int, int]],
    ):
        self.rows = list(rows)
        self.basis = basis
        keys = {(r.fiscal_year_id, r.section_id) for r in self.rows} | set(sections)
        years = {year for year, _ in keys}
        business_ids = {r.business_id for r in self.rows}
        self.approved: dict[tuple[int, int], set[int]] = {}
        # Approved quarters whose approval was recorded (ApprovedRow): read from the record.
        self.recorded: set[tuple[int, int, int]] = set()
        self.section_quarters: dict[tuple[int, int, int], SectionQuarter] = {}
        if keys:
            for sq in (
                SectionQuarter.objects.filter(
                    fiscal_year_id__in=years,
                    section_id__in={section for _, section in keys},
                    quarter__lte=upto,
                )
                .annotate(
                    recorded=Exists(
                        Approval.objects.filter(
                            section_quarter=OuterRef("pk"), withdrawn_at__isnull=True
                        )
                    )
                )
                .order_by()
            ):
                key = (sq.fiscal_year_id, sq.section_id)
                if key not in keys:
                    continue
                self.section_quarters[(*key, sq.quarter)] = sq
                if sq.state == SectionQuarter.State.APPROVED:
                    self.approved.setdefault(key, set()).add(sq.quarter)
                    if sq.recorded:
                        self.recorded.add((*key, sq.quarter))

        self.records: dict[int, dict[int, RecordFacts]] = {}
        if basis is not Basis.ENTRY and self.recorded and self.rows:
            for values in (
                ApprovedRow.objects.filter(
                    current=True,
                    item__initiative__business_id__in=business_ids,
                    quarter__lte=upto,
                )
                .order_by()
                .values_list(*_RECORD_FACTS)
            ):
                facts = _record_facts(values)
                self.records.setdefault(facts.item_id, {})[facts.quarter] = facts

        # 実績 are read for the bases that show unapproved figures, and for approved
        # quarters recorded before the approved record existed (read as they were locked).
        unrecorded = any(
            (*key, q) not in self.recorded
            for key, quarters in self.approved.items()
            for q in quarters
        )
        self.results: dict[int, list[ResultFacts]] = {}
        if self.rows and (basis is not Basis.APPROVED or unrecorded):
            for values in (
                Result.objects.filter(
                    item__initiative__business_id__in=business_ids, quarter__lte=upto
                )
                .order_by()  # item_progress takes any order
                .values_list(*_RESULT_FACTS)
            ):
                facts = _result_facts(values)
                self.results.setdefault(facts.item_id, []).append(facts)

        self.open: set[tuple[int, int]] = set()  # (fiscal_year_id, quarter) open for entry
        if basis is not Basis.APPROVED and self.rows:
            self.open = set(
                QuarterWindow.objects.filter(
                    fiscal_year_id__in=years, quarter__lte=upto, is_open=True
                ).values_list("fiscal_year_id", "quarter")
            )

    def at(self, quarter: int) -> Figures:
        basis = self.basis
        figures: dict[int, RowFigures] = {}
        for row in self.rows:
            key = (row.fiscal_year_id, row.section_id)
            approved = self.approved.get(key, set())
            records = self.records.get(row.item.pk, {})
            counted = []
            unapproved: set[int] = set()
            for result in self.results.get(row.item.pk, ()):
                if result.quarter > quarter:
                    continue
                if basis is Basis.ENTRY:
                    counted.append(result)
                elif result.quarter in approved:
                    if (*key, result.quarter) not in self.recorded:
                        counted.append(result)  # approved before records were kept
                elif basis is Basis.WITH_UNAPPROVED:
                    counted.append(result)
                    if result.is_entered or result.note or result.reason:
                        unapproved.add(result.quarter)
            if basis is not Basis.ENTRY:
                counted.extend(
                    record
                    for q, record in records.items()
                    if q <= quarter and q in approved and (*key, q) in self.recorded
                )
            record = records.get(quarter)
            if basis is not Basis.ENTRY and record is not None and (*key, quarter) in self.recorded:
                progress = _recorded_progress(row.item, quarter, record, counted)
            else:
                window_open = (row.fiscal_year_id, quarter) in self.open
                if basis is Basis.APPROVED:
                    quarter_open = quarter not in approved
                elif basis is Basis.WITH_UNAPPROVED:
                    quarter_open = quarter not in approved and window_open
                else:
                    quarter_open = window_open
                progress = item_progress(
                    row.item,
                    counted,
                    quarter,
                    quarter_open=quarter_open,
                    tolerance=row.tolerance,
                    target=row.target_at(quarter),
                )
            figures[row.item.pk] = RowFigures(progress=progress, unapproved=frozenset(unapproved))
        return Figures(
            basis=basis,
            quarter=quarter,
            rows=figures,
            approved={k: frozenset(q for q in v if q <= quarter) for k, v in self.approved.items()},
            section_quarters={
                (year, section): sq
                for (year, section, q), sq in self.section_quarters.items()
                if q == quarter
            },
        )
