"""A row's progress at a quarter: its 実績 folded into the one status rule.

Screens, books and reminders all call :func:`item_progress`; none of them sums or judges
a row by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from plans.models import PlanItem
from targets.aggregation import Aggregation, fold
from targets.types import ParsedTarget

from .models import Result
from .status import Progress, Status, item_status


@dataclass(frozen=True)
class ItemProgress:
    """A row, its 実績 by quarter, and its status at ``quarter``."""

    item: PlanItem
    quarter: int
    by_quarter: dict[int, Result]
    # The main quantity up to ``quarter``, folded by the row's 集計方法 (None: nothing entered)
    actual: Decimal | None
    extra_actuals: tuple[Decimal | None, ...]  # the secondary quantities, folded the same way
    progress: Progress
    cancel_reason: str
    reasons: tuple[str, ...]  # 理由・今後の対応 of the quarters up to ``quarter``, oldest first

    @property
    def status(self) -> Status:
        return self.progress.status

    @property
    def current(self) -> Result | None:
        return self.by_quarter.get(self.quarter)

    @property
    def explained(self) -> bool:
        """This quarter says why it fell short: 理由・今後の対応, or the reason its
        occurrence was cancelled (今期の回を中止)."""
        current = self.current
        return bool(current and (current.reason or current.cancels_quarter))

    def quarter_value(self, quarter: int) -> Decimal | None:
        result = self.by_quarter.get(quarter)
        return result.value if result else None


def item_progress(
    item: PlanItem,
    results: Iterable[Result],
    quarter: int,
    *,
    quarter_open: bool = False,
    quarter_begun: bool = True,
    tolerance: Decimal = Decimal("0.10"),
    target: ParsedTarget | None = None,
    aggregation: Aggregation | str | None = None,
) -> ItemProgress:
    """Fold a row's per-quarter 実績 (any order, any quarters) into its status at ``quarter``.

    The row is judged against the target in force at ``quarter`` (``PlanItem.target_at``:
    a 補正 applies from its quarter on) unless ``target`` is given, and its quarters are
    folded by its 集計方法 (``aggregation``, else the row's): a flow adds them up, a level
    takes the latest figure reported, a maximum the highest. Secondary quantities fold the
    same way. A row whose business was cancelled for the year (事業を年度中止) in any
    quarter up to ``quarter`` is 中止 from then on. A quarter whose occurrence was
    cancelled (今期の回を中止) adds nothing and the row is judged on its figures, as the
    year goes on. A cancelled quarter never counts a figure (the entry rules refuse one;
    a figure stored before those rules is left out rather than counted under 「中止」).
    A qualitative row counts as 実施 once any quarter says 実施. ``quarter_open`` and
    ``quarter_begun`` say where the quarter's entry window stands (``item_status``).
    """
    parsed = target if target is not None else item.target_at(quarter)
    how = aggregation if aggregation is not None else item.aggregation
    by_quarter = {r.quarter: r for r in results}
    upto = [by_quarter[q] for q in sorted(by_quarter) if q <= quarter]
    counted = [r for r in upto if not r.cancelled]
    actual = fold((r.value for r in counted), how)
    extra_count = max(0, item_quantity_count(parsed) - 1)
    extras = tuple(fold((_extra(r, index) for r in counted), how) for index in range(extra_count))
    cancelled = next((r for r in upto if r.cancels_year), None)
    done_flags = [r.done for r in counted if r.done is not None]
    done = any(done_flags) if done_flags else None
    current = by_quarter.get(quarter)
    progress = item_status(
        parsed,
        quarter,
        actual=actual,
        done=done,
        cancelled=cancelled is not None,
        entered=current is not None and current.is_entered,
        quarter_open=quarter_open,
        quarter_begun=quarter_begun,
        tolerance=tolerance,
    )
    return ItemProgress(
        item=item,
        quarter=quarter,
        by_quarter=by_quarter,
        actual=actual,
        extra_actuals=extras,
        progress=progress,
        cancel_reason=cancelled.cancel_reason if cancelled else "",
        reasons=tuple(r.reason for r in upto if r.reason),
    )


def item_quantity_count(parsed: ParsedTarget) -> int:
    return len(parsed.quantities)


def _extra(result: Result, index: int) -> Decimal | None:
    values = result.extra_values or []
    if index >= len(values) or values[index] in (None, ""):
        return None
    return Decimal(str(values[index]))
