"""The rules of one row's 実績 entry, in one place.

The entry screen's form (``results.forms.RowForm``), the Excel 実績 import (which cleans
each row through that form) and ``results.services.results_save`` (which checks again
before writing) all call these functions, so the same input is refused with the same
Japanese message wherever it comes from. Pure: no queries.

- Figures: 0 to 999,999,999, with the decimals their unit allows (``figure_problem``).
- 中止: 「今期の回を中止」 or 「事業を年度中止」, always with its reason, and never with a
  figure or 「実施」 of the same quarter: 中止 says nothing was held that quarter, so a
  number typed before choosing 中止 would be counted while the page says 中止.
- Plausibility: a quarter's figure above 3× the year's target, or above 10× what the
  pace expects of the quarter, is kept only once the person confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shakyo.lib.numbers import figure_problem, round_half_up
from shakyo.lib.text import text_problem
from targets.display import format_number
from targets.pace import expected_cumulative
from targets.types import Kind, ParsedTarget, Quantity

from .models import CANCEL_REASON_MAX, NOTE_MAX, REASON_MAX, Result

CancelScope = Result.CancelScope

# What each kind of 中止 does, shown next to the choice on the entry page.
CANCEL_EFFECTS: dict[str, str] = {
    "": "",
    CancelScope.QUARTER: (
        "この四半期の回を行わなかったことを記録します。事業は続き、累計・達成率・状況は"
        "これまでの実績で判定します（目標を減らすときは目標の補正を申請してください）。"
    ),
    CancelScope.YEAR: (
        "この四半期から年度末まで事業を行わないことを記録します。状況は年度末まで"
        "「中止」となり、遅れとしては数えません。これまでの四半期の実績は残ります。"
    ),
}

CANCEL_WITH_FIGURE = (
    "中止とした四半期には実績の数を入力できません。実施した回があるときは中止を選ばずに"
    "数を入力し、中止した回のことは理由・今後の対応に書いてください。"
)
CANCEL_WITH_DONE = (
    "中止とした四半期は「実施」にできません。実施した場合は中止を選ばないでください。"
)
CANCEL_NEEDS_REASON = "中止の場合は中止の理由を入力してください。"
CANCEL_REASON_WITHOUT_CANCEL = "中止の理由は、中止を選んだときだけ入力してください。"

PLAUSIBLE_TIMES_TARGET = 3
PLAUSIBLE_TIMES_PACE = 10


def figure_fields(target: ParsedTarget) -> list[tuple[str, Quantity]]:
    """The figure inputs of a row: ``value`` for the main quantity, ``x0``, ``x1`` … after."""
    if target.kind != Kind.QUANTITY:
        return []
    return [
        ("value" if position == 0 else f"x{position - 1}", quantity)
        for position, quantity in enumerate(target.quantities)
    ]


@dataclass(frozen=True)
class RowEntry:
    """What was typed for one row in one quarter, as the rules read it."""

    figures: dict[str, Decimal | None]  # by field name: value, x0, x1, …
    done: bool | None
    cancel_scope: str
    cancel_reason: str
    note: str
    reason: str


def row_problems(target: ParsedTarget, entry: RowEntry) -> list[tuple[str, str]]:
    """Every reason ``entry`` cannot be saved for a row with ``target``: (field, message).

    Fields are the entry form's: value, x0 …, done, cancelled, cancel_reason, note, reason.
    """
    problems: list[tuple[str, str]] = []
    quantities = dict(figure_fields(target))
    for name, number in entry.figures.items():
        if number is None:
            continue
        quantity = quantities.get(name)
        message = figure_problem(number, quantity.unit if quantity else "")
        if message:
            problems.append((name, message))
    cancelled = bool(entry.cancel_scope)
    if cancelled:
        if entry.cancel_scope not in CancelScope.values:
            problems.append(("cancelled", "中止の種類を選び直してください。"))
        if any(number is not None for number in entry.figures.values()):
            first = next(name for name, number in entry.figures.items() if number is not None)
            problems.append((first, CANCEL_WITH_FIGURE))
        if entry.done:
            problems.append(("done", CANCEL_WITH_DONE))
        if not entry.cancel_reason:
            problems.append(("cancel_reason", CANCEL_NEEDS_REASON))
    elif entry.cancel_reason:
        problems.append(("cancel_reason", CANCEL_REASON_WITHOUT_CANCEL))
    for name, label, text, limit in (
        ("cancel_reason", "中止の理由", entry.cancel_reason, CANCEL_REASON_MAX),
        ("note", "実施内容", entry.note, NOTE_MAX),
        ("reason", "理由・今後の対応", entry.reason, REASON_MAX),
    ):
        message = text_problem(label, text, limit)
        if message:
            problems.append((name, message))
    return problems


def changed_figures(
    figures: dict[str, Decimal | None], current: Result | None
) -> dict[str, Decimal | None]:
    """The figures that differ from what is stored for the quarter (all when nothing is).

    A figure confirmed once is not questioned again at every later save of the page.
    """
    if current is None:
        return dict(figures)
    stored: dict[str, Decimal | None] = {"value": current.value}
    for index, text in enumerate(current.extra_values or []):
        stored[f"x{index}"] = None if text in (None, "") else Decimal(str(text))
    return {name: number for name, number in figures.items() if number != stored.get(name)}


def is_flow(item) -> bool:
    """The row's quarters add up (集計方法 合計), rather than giving a level or a maximum."""
    return getattr(item, "aggregation", "flow") == "flow"


def _amount(number: Decimal, unit: str) -> str:
    return f"{format_number(number)}{unit}"


def implausible_figures(
    target: ParsedTarget,
    quarter: int,
    figures: dict[str, Decimal | None],
    *,
    flow: bool = True,
) -> list[tuple[str, str]]:
    """Figures of one quarter that are far beyond the target or the pace: (field, warning).

    A figure is implausible when it is more than 3× its quantity's annual target, or (the
    main quantity of a flow only) more than 10× what the pace expects of this quarter —
    the expected cumulative at the end of the quarter less that of the quarter before; a
    quarter in which nothing is expected is judged by the first rule alone. A level or a
    maximum (``flow=False``: the figure is the count itself, not the quarter's share) is
    judged by the first rule alone. A target of 0 judges nothing.
    """
    warnings: list[tuple[str, str]] = []
    for name, quantity in figure_fields(target):
        number = figures.get(name)
        if number is None or quantity.value <= 0:
            continue
        bar = quantity.value * PLAUSIBLE_TIMES_TARGET
        if number > bar:
            warnings.append(
                (
                    name,
                    f"{_amount(number, quantity.unit)}は年間の目標"
                    f"（{_amount(quantity.value, quantity.unit)}）の{PLAUSIBLE_TIMES_TARGET}倍を"
                    "超えています。",
                )
            )
            continue
        if name != "value" or not flow:
            continue
        expected = expected_cumulative(target, quarter) - (
            expected_cumulative(target, quarter - 1) if quarter > 1 else Decimal(0)
        )
        if expected > 0 and number > expected * PLAUSIBLE_TIMES_PACE:
            warnings.append(
                (
                    name,
                    f"{_amount(number, quantity.unit)}はこの四半期の予定"
                    f"（{_amount(round_half_up(expected, 1), quantity.unit)}）"
                    f"の{PLAUSIBLE_TIMES_PACE}倍を超えています。",
                )
            )
    return warnings


CONFIRM_HINT = (
    "入力した数で正しければ「この数で正しい」にチェックして、もう一度保存（取り込み）してください。"
)
