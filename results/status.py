"""THE status rule: what state an item is in at a quarter.

One function, ``item_status``, decides the 状況 shown on the screens, written into the
books and counted for notifications and the board summary (DESIGN.md, "Pace and status").
Pure Python: no Django imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from shakyo.lib.numbers import achievement_rate
from targets.pace import expected_cumulative, expected_share
from targets.types import Kind, ParsedTarget


class Status(StrEnum):
    """An item's state at a quarter; the value is the label users see.

    Members are declared in display order (DESIGN.md's table, 目標なし last); ``order``
    follows it, so sorting and counting by status give the same order everywhere.
    """

    ACHIEVED = "達成"
    ON_TRACK = "順調"
    BEHIND = "遅れ"
    NOT_STARTED = "未着手"
    NOT_DUE = "予定前"
    NOT_ENTERED = "未入力"
    CANCELLED = "中止"
    DONE = "実施"
    NOT_DONE = "未実施"
    NO_TARGET = "目標なし"

    @property
    def is_shortfall(self) -> bool:
        """遅れ and 未着手: the entry must explain 理由・今後の対応, and books highlight it."""
        return self in _SHORTFALLS

    @property
    def css(self) -> str:
        """The Bootstrap contextual class name for badges and rows (``text-bg-{css}``)."""
        return _CSS[self]

    @property
    def order(self) -> int:
        """Position in the fixed display order (0 first)."""
        return _ORDER[self]


_SHORTFALLS = frozenset({Status.BEHIND, Status.NOT_STARTED})

_CSS: dict[Status, str] = {
    Status.ACHIEVED: "success",
    Status.ON_TRACK: "primary",
    Status.BEHIND: "warning",
    Status.NOT_STARTED: "danger",
    Status.NOT_DUE: "info",
    Status.NOT_ENTERED: "secondary",
    Status.CANCELLED: "dark",
    Status.DONE: "success",
    Status.NOT_DONE: "warning",
    Status.NO_TARGET: "light",
}

_ORDER: dict[Status, int] = {status: index for index, status in enumerate(Status)}


@dataclass(frozen=True)
class Progress:
    """An item's status at a quarter with the figures behind it.

    ``target`` is the bar T (None when the target has no quantity), ``expected`` the
    cumulative amount E expected by the end of the quarter (``expected_cumulative``),
    ``actual`` the cumulative actual A (0 when none was given) and ``rate`` the 達成率
    in percent (None without a quantity target or without an actual).
    """

    status: Status
    target: Decimal | None
    expected: Decimal
    actual: Decimal
    rate: Decimal | None


def item_status(
    target: ParsedTarget,
    quarter: int,
    *,
    actual: Decimal | None,
    done: bool | None = None,
    cancelled: bool = False,
    entered: bool = True,
    quarter_open: bool = False,
    quarter_begun: bool = True,
    tolerance: Decimal = Decimal("0.10"),
) -> Progress:
    """The status of an item with ``target`` at the end of ``quarter`` (1–4).

    ``actual`` is the cumulative actual of the main quantity up to and including
    ``quarter`` (None: nothing given, counted as 0). ``done`` says whether a qualitative
    target has been carried out by then; when it is None, an actual above 0 counts as
    done. ``entered`` is False when nothing was entered for this quarter, ``quarter_open``
    True while the quarter still accepts entries, ``quarter_begun`` False before the
    quarter's entry period has begun (期間前). ``tolerance`` is the organisation's
    allowance below the expected pace (0–1).

    The first rule that applies wins:

    1. ``cancelled`` → 中止;
    2. no target (kind none) → 目標なし;
    3. nothing entered and the quarter open → 未入力; nothing entered and the quarter's
       period not begun → 予定前 (a quarter nobody could report yet falls short of nothing);
    4. qualitative, or a quantity target whose figure could not be read → 実施 if done,
       else 予定前 while nothing is expected yet (expected share 0), else 未実施;
    5. quantity, with T the main value (a range's lower bound, an increase's amount),
       E the expected cumulative and A the actual:
       A ≥ T → 達成; A = 0 → 未着手 if E > 0, else 予定前;
       A ≥ E × (1 − tolerance) → 順調 (so any A > 0 with E = 0 is 順調: ahead of
       schedule); otherwise (0 < A < E × (1 − tolerance)) → 遅れ.

    The comparisons are exact (rational arithmetic), so an actual of exactly
    E × (1 − tolerance) is 順調. Raises ValueError for a quarter outside 1–4 or a
    tolerance outside 0–1.
    """
    if not Decimal("0") <= tolerance <= Decimal("1"):
        raise ValueError(f"tolerance must be within 0..1, got {tolerance!r}")
    share = expected_share(target, quarter)
    main = target.main if target.kind == Kind.QUANTITY else None
    bar = main.value if main is not None else None
    amount = actual if actual is not None else Decimal("0")
    rate = achievement_rate(actual, bar)

    def progress(status: Status) -> Progress:
        return Progress(
            status=status,
            target=bar,
            expected=expected_cumulative(target, quarter) if main is not None else Decimal("0"),
            actual=amount,
            rate=rate,
        )

    if cancelled:
        return progress(Status.CANCELLED)
    if target.kind == Kind.NONE:
        return progress(Status.NO_TARGET)
    if not entered and quarter_open:
        return progress(Status.NOT_ENTERED)
    if not entered and not quarter_begun:
        return progress(Status.NOT_DUE)
    if main is None:
        # Qualitative, or a 要確認 quantity target without a readable figure: all that can
        # be judged is whether the work was carried out.
        is_done = done if done is not None else amount > 0
        if is_done:
            return progress(Status.DONE)
        return progress(Status.NOT_DUE if share == 0 else Status.NOT_DONE)

    expected = Fraction(bar) * share
    if amount >= bar:
        return progress(Status.ACHIEVED)
    if amount == 0:
        return progress(Status.NOT_STARTED if expected > 0 else Status.NOT_DUE)
    if Fraction(amount) >= expected * (1 - Fraction(tolerance)):
        return progress(Status.ON_TRACK)
    return progress(Status.BEHIND)
