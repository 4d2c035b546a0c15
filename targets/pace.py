"""Expected pace: how much of a target should be done by the end of each quarter.

The first rule that applies, in order (DESIGN.md, "Pace and status"):

1. a schedule — explicit dates, else scheduled months: the share of them that fall in
   quarters up to q. A single date or month is therefore nothing before its quarter and
   all of it from that quarter on, so a one-off event is never "behind" before it happens;
2. a deadline (「1月末日までに終了」): nothing before the deadline's quarter, all of it
   from that quarter on — the work may happen at any time before then;
3. half-years: 上半期 is due by the end of Q2, 下半期 by the end of Q4, each half
   carrying an equal share (上半期・下半期 → 1/2 by Q2, all by Q4);
4. a start month (「10月～」): linear over the quarters from the start month's quarter
   to Q4;
5. otherwise linear: q/4.

Before these, a multi-year cadence (「5年に1回」, 「隔年開催」: ``every_years`` ≥ 2) whose
text places nothing in this year — no month, date, half-year, deadline or start month, and
no figure for the year — expects nothing in any quarter, Q4 included: it may well not be
this year's turn, so the row stays 予定前 (never a shortfall), and shows 実施 once done.
Where the text does place it in the year (「隔年開催（11月）」, 「隔年開催 1回」) the rules
above apply as for any target.

Months are calendar months in fiscal order (Q1 = 4, 5, 6 … Q4 = 1, 2, 3). Pure Python:
no Django imports.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from shakyo.lib.fiscal import quarter_of_month
from targets.types import ParsedTarget


def _check_quarter(quarter: int) -> None:
    if not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1..4, got {quarter!r}")


def _scheduled_quarters(dates: tuple[date, ...], months: tuple[int, ...]) -> list[int]:
    """The quarter of each distinct scheduled date, else of each distinct scheduled month.

    Dates are the more precise schedule, so they win when both are given. Months outside
    1–12 (a hand-edited structure gone wrong) are skipped rather than failing a whole
    screen; the parser never produces them.
    """
    if dates:
        return [quarter_of_month(d.month) for d in set(dates)]
    return [quarter_of_month(m) for m in set(months) if 1 <= m <= 12]


def expected_share(target: ParsedTarget, quarter: int) -> Fraction:
    """The cumulative share of the target expected by the END of ``quarter`` (1–4).

    Always within [0, 1] and never decreasing from one quarter to the next; 1 at Q4
    whatever the target says, except for a multi-year cadence not placed in this year
    (0 throughout, see the module docstring). Raises ValueError for a quarter outside 1–4. The rules are
    listed in this module's docstring; the target's kind and quantities do not matter.
    """
    _check_quarter(quarter)
    if (
        (target.every_years or 0) >= 2
        and not target.quantities
        and not (target.dates or target.months or target.halves)
        and target.deadline_month is None
        and target.start_month is None
    ):
        return Fraction(0)
    return _share(
        tuple(target.dates),
        tuple(target.months),
        target.deadline_month,
        tuple(target.halves),
        target.start_month,
        quarter,
    )


@lru_cache(maxsize=4096)
def _share(
    dates: tuple[date, ...],
    months: tuple[int, ...],
    deadline_month: int | None,
    halves: tuple[int, ...],
    start_month: int | None,
    quarter: int,
) -> Fraction:
    # Cached by the schedule alone: a dashboard asks it for thousands of rows that share
    # a few dozen schedules (bench/). Fractions are immutable, so sharing one is safe.
    scheduled = _scheduled_quarters(dates, months)
    if scheduled:
        return Fraction(sum(1 for q in scheduled if q <= quarter), len(scheduled))
    if deadline_month is not None and 1 <= deadline_month <= 12:
        return Fraction(1 if quarter >= quarter_of_month(deadline_month) else 0)
    halves_due = {h for h in halves if h in (1, 2)}
    if halves_due:
        # The first half is due by the end of Q2, the second by the end of Q4.
        due = sum(1 for h in halves_due if h * 2 <= quarter)
        return Fraction(due, len(halves_due))
    if start_month is not None and 1 <= start_month <= 12:
        first = quarter_of_month(start_month)
        return Fraction(max(0, quarter - first + 1), 4 - first + 1)
    return Fraction(quarter, 4)


def expected_cumulative(target: ParsedTarget, quarter: int) -> Decimal:
    """The main quantity's value expected by the end of ``quarter``: value × share.

    For a range the value is its lower bound (the bar); for an increase, the increase.
    Decimal("0") when the target has no quantity. The result is exact when the product
    is a terminating decimal (7 × 1/4 → 1.75) and otherwise correct to the Decimal
    context's precision (7 × 1/3 → 2.333…): round it for display with ``round_half_up``.
    Decisions that compare against it (``results.status``) use the exact share instead.
    """
    main = target.main
    if main is None:
        return Decimal("0")
    exact = Fraction(main.value) * expected_share(target, quarter)
    return Decimal(exact.numerator) / Decimal(exact.denominator)
