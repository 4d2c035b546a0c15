"""The one rounding helper (四捨五入), 達成率 and reading user-typed counts.

Rates are Decimal rounded half up — the rounding Japanese offices do by hand — and never
pass through floats. Pure Python: no Django imports.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from fractions import Fraction

# A count as people type it: digits with optional thousands separators and decimals.
# [0-9], not \d: \d would accept digits of other scripts that NFKC leaves alone.
_COUNT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


def round_half_up(value: Decimal | Fraction | int, places: int = 1) -> Decimal:
    """``value`` rounded to ``places`` decimal places, halves away from zero (四捨五入).

    The rounding is exact (done on the rational value, so no intermediate precision can
    tip a half): 0.125 → 0.1 and 0.15 → 0.2 at one place, 2/3 → 0.67 at two. The result
    always shows ``places`` decimals (1 → Decimal("1.0")). Raises TypeError for floats
    (they cannot hold most decimal fractions exactly) and ValueError for a negative
    ``places`` or a NaN / infinite Decimal.
    """
    if isinstance(value, float):
        raise TypeError("round_half_up takes Decimal, Fraction or int, never float")
    if places < 0:
        raise ValueError(f"places must be >= 0, got {places!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"cannot round {value!r}")
    numerator, denominator = value.as_integer_ratio()
    return _round_ratio(numerator, denominator, places)


def _round_ratio(numerator: int, denominator: int, places: int) -> Decimal:
    """numerator / denominator (denominator > 0) rounded half up, in integers only.

    floor(|n| × 10^places / d + 1/2) = (2 × |n| × 10^places + d) // (2 × d): exact, and
    an order of magnitude faster than the same sum in Fractions (the dashboard rounds a
    rate for every row).
    """
    rounded = (2 * abs(numerator) * 10**places + denominator) // (2 * denominator)
    sign = "-" if numerator < 0 and rounded else ""
    # The string constructor is exact; Decimal arithmetic would round to 28 digits.
    return Decimal(f"{sign}{rounded}E-{places}")


def achievement_rate(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    """達成率 in percent with one decimal place: actual / target × 100, rounded half up.

    2 of 3 → Decimal("66.7"), 1 of 8 → Decimal("12.5"). None when there is no rate to show:
    the target is None or 0, or the actual is None.
    """
    if actual is None or target is None or target == 0:
        return None
    actual_n, actual_d = actual.as_integer_ratio()
    target_n, target_d = target.as_integer_ratio()
    numerator, denominator = actual_n * target_d * 100, actual_d * target_n
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    return _round_ratio(numerator, denominator, 1)


def parse_count(text: str | None) -> Decimal | None:
    """A non-negative number typed by a user, or None when it is not one.

    The text is NFKC-normalised (full-width digits, 「，」 and 「．」) and stripped, then
    must be digits with optional thousands separators in groups of three and an optional
    decimal part: 「2,100」「２，１００」「 12 」「1.5」 → 2100, 2100, 12, 1.5. Negative
    numbers, signs, letters, units, malformed separators (「1,00」) and empty text give
    None. Forms and the Excel import call this; Excel cell values other than text should
    be turned into text first. Never raises.
    """
    if not isinstance(text, str):
        return None
    normalized = unicodedata.normalize("NFKC", text).strip()
    if not _COUNT.fullmatch(normalized):
        return None
    return Decimal(normalized.replace(",", ""))


# ---------------------------------------------------------------------------------------
# One set of limits and one precision for every figure a person types (screen or Excel).

FIGURE_MAX = Decimal("999999999")
FIGURE_MAX_MESSAGE = "999,999,999 までの数を入力してください。"

# Decimal places a figure may have, by unit. Every unit not listed here counts something
# (回, 件, 人, か所, 団体 …) or is yen: whole numbers only. The database column keeps two
# places, so no unit may declare more than two.
UNIT_PLACES: dict[str, int] = {"時間": 2, "%": 1, "か月": 1}


def unit_places(unit: str) -> int:
    """How many decimal places a figure in ``unit`` may have (0 for counts and yen)."""
    return UNIT_PLACES.get(unit, 0)


def figure_problem(value: Decimal, unit: str) -> str | None:
    """Why ``value`` cannot be kept as a figure in ``unit``, in Japanese; None when it can.

    A figure is 0 to 999,999,999 and has no more decimals than its unit declares
    (``unit_places``): 1.5 is refused for 回, 1.555 for 時間. Nothing is ever rounded, so
    the screen, the Excel import, the database and the audit trail keep the same number.
    """
    if not value.is_finite() or value < 0:
        return "0 以上の数を入力してください。"
    if value > FIGURE_MAX:
        return FIGURE_MAX_MESSAGE
    places = unit_places(unit)
    if value != value.quantize(Decimal(1).scaleb(-places)):
        if places == 0:
            name = f"{unit}の数" if unit else "数"
            return f"{name}は整数で入力してください（小数は使えません）。"
        return f"{unit}は小数第{places}位までで入力してください。"
    return None
