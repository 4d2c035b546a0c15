"""Fiscal years, quarters and 和暦 (Japanese era) labels.

A fiscal year runs from April to March and is named by the Western year it starts in:
FY2020 = 令和2年度 = April 2020 – March 2021. Its quarters are 第1 (4〜6月), 第2 (7〜9月),
第3 (10〜12月) and 第4 (1〜3月, in the following calendar year).

Pure Python: no Django imports, so the parser, the books and the tests can share it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Self

# Calendar months in fiscal order: April is the first month of the year.
FISCAL_MONTHS: tuple[int, ...] = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)

# The first day of each era, newest first. 明治 counts from 明治元年1月1日 (1868-01-25 in
# the Gregorian calendar): the 一世一元の詔 applied the era to the whole of that year.
_ERAS: tuple[tuple[str, str, date], ...] = (
    ("令和", "R", date(2019, 5, 1)),
    ("平成", "H", date(1989, 1, 8)),
    ("昭和", "S", date(1926, 12, 25)),
    ("大正", "T", date(1912, 7, 30)),
    ("明治", "M", date(1868, 1, 25)),
)

_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_HALF_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month!r}")


def fiscal_year_of(d: date) -> int:
    """The fiscal year (its Western start year) that ``d`` falls in: 2021-03-31 → 2020."""
    return d.year if d.month >= 4 else d.year - 1


def quarter_of_month(month: int) -> int:
    """The fiscal quarter (1–4) of a calendar month: 4–6 → 1 … 1–3 → 4.

    Raises ValueError for a month outside 1–12.
    """
    return (fiscal_month_index(month) - 1) // 3 + 1


def fiscal_month_index(month: int) -> int:
    """The position (1–12) of a calendar month in the fiscal year: 4 → 1 … 3 → 12.

    Raises ValueError for a month outside 1–12.
    """
    _check_month(month)
    return (month - 4) % 12 + 1


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    """One quarter of one fiscal year; ordered chronologically.

    ``year`` is the fiscal year's Western start year, ``quarter`` is 1–4 (ValueError
    otherwise). Q4 of FY2020 is January–March 2021.
    """

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1..4, got {self.quarter!r}")

    @classmethod
    def from_date(cls, d: date) -> Self:
        """The quarter that contains ``d``."""
        return cls(fiscal_year_of(d), quarter_of_month(d.month))

    @property
    def months(self) -> tuple[int, ...]:
        """The calendar months of this quarter in order: Q1 → (4, 5, 6), Q4 → (1, 2, 3)."""
        first = (self.quarter - 1) * 3
        return FISCAL_MONTHS[first : first + 3]

    @property
    def start(self) -> date:
        """The first day of the quarter."""
        first_month = self.months[0]
        year = self.year + 1 if first_month < 4 else self.year
        return date(year, first_month, 1)

    @property
    def end(self) -> date:
        """The last day of the quarter (inclusive)."""
        return self.next().start - timedelta(days=1)

    def next(self) -> FiscalQuarter:
        """The following quarter; after Q4 comes Q1 of the next fiscal year."""
        if self.quarter == 4:
            return FiscalQuarter(self.year + 1, 1)
        return FiscalQuarter(self.year, self.quarter + 1)

    def previous(self) -> FiscalQuarter:
        """The preceding quarter; before Q1 comes Q4 of the previous fiscal year."""
        if self.quarter == 1:
            return FiscalQuarter(self.year - 1, 4)
        return FiscalQuarter(self.year, self.quarter - 1)

    @property
    def label(self) -> str:
        """The quarter without its year, as column headings show it: 「第1四半期（4〜6月）」."""
        months = self.months
        return f"第{self.quarter}四半期（{months[0]}〜{months[-1]}月）"

    def __str__(self) -> str:
        return f"{fiscal_year_label(self.year)} 第{self.quarter}四半期"


def plain_digits(text: str) -> str:
    """A book title as screens write it: 「令和２年度　事業計画」 → 「令和2年度　事業計画」.

    Book titles keep the printed plan's full-width digits inside the workbook; messages
    and the 操作履歴 write every 令和N年度 with plain digits.
    """
    return text.translate(_HALF_WIDTH_DIGITS)


def _era_of(d: date) -> tuple[str, int]:
    """The era name and era year of a date; ValueError before 明治."""
    for name, _letter, start in _ERAS:
        if d >= start:
            return name, d.year - start.year + 1
    raise ValueError(f"{d.isoformat()} is before the 明治 era")


def _era_year_text(era_year: int, *, full_width: bool) -> str:
    text = "元" if era_year == 1 else str(era_year)
    return text.translate(_FULL_WIDTH_DIGITS) if full_width else text


def fiscal_year_label(year: int, *, full_width: bool = False, heisei_for_2019: bool = False) -> str:
    """The 和暦 name of a fiscal year: 2020 → 「令和2年度」, 2019 → 「令和元年度」.

    A fiscal year is named after the era in force on 1 May of its start year. 令和 began
    on 1 May 2019, so FY2019 is 「令和元年度」 as councils write it in their reports, while
    FY1988 stays 「昭和63年度」 (平成 began in January 1989, inside that fiscal year's
    last quarter) and FY1989 is 「平成元年度」. Plans written before the change call FY2019
    「平成31年度」: pass ``heisei_for_2019=True`` for that (it affects no other year).
    ``full_width`` writes the digits full-width, as book titles do: 「令和２年度」.

    Raises ValueError for a year before 明治.
    """
    if heisei_for_2019 and year == 2019:
        era, era_year = "平成", 31
    else:
        era, era_year = _era_of(date(year, 5, 1))
    return f"{era}{_era_year_text(era_year, full_width=full_width)}年度"


def wareki_date(d: date, *, full_width: bool = False) -> str:
    """A date in 和暦: 2020-09-10 → 「令和2年9月10日」; the first year of an era is 元年.

    The era changes on its first day: 2019-04-30 → 「平成31年4月30日」, 2019-05-01 →
    「令和元年5月1日」. ``full_width`` writes the digits full-width.
    Raises ValueError for a date before 明治.
    """
    era, era_year = _era_of(d)
    text = f"{era}{_era_year_text(era_year, full_width=False)}年{d.month}月{d.day}日"
    return text.translate(_FULL_WIDTH_DIGITS) if full_width else text


def wareki_datetime(moment: datetime) -> str:
    """A moment as every screen writes it: 「令和2年12月2日 13:28」 (24-hour clock).

    ``moment`` is taken as it is (convert an aware datetime to local time first).
    Raises ValueError for a date before 明治.
    """
    return f"{wareki_date(moment.date())} {moment.hour}:{moment.minute:02d}"


_ERA_STARTS: dict[str, int] = {}
for _name, _letter, _start in _ERAS:
    _ERA_STARTS[_name] = _start.year
    _ERA_STARTS[_letter] = _start.year


def era_last_year(era: str) -> int | None:
    """The last year number an era reached: 「平成」 → 31, 「昭和」 → 64, 「大正」 → 15.

    The era is named in full or by its initial letter. None for the current era (令和),
    whose span is still open, and for a name that is not an era.
    """
    key = unicodedata.normalize("NFKC", era).strip().upper()
    for index, (name, letter, start) in enumerate(_ERAS):
        if key in (name, letter):
            if index == 0:
                return None
            return _ERAS[index - 1][2].year - start.year + 1
    return None


_WAREKI_YEAR = re.compile(
    r"(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|[0-9]{1,2})\s*(?:年度?)?",
    re.IGNORECASE,
)


def parse_wareki_year(text: str) -> int | None:
    """The Western year named by a 和暦 year, or None when ``text`` is not one.

    Accepts the era by name or initial letter, a year number or 元, and an optional
    年 / 年度: 「昭和48」「平成21年度」「令和元年」「R2」「h21」 → 1973, 2009, 2019, 2020,
    2009. The text is NFKC-normalised first, so full-width digits and letters and the era
    ligatures (「㍻21」) are read too. The whole text (surrounding spaces aside) must be the
    year. Never raises.
    """
    if not isinstance(text, str):
        return None
    match = _WAREKI_YEAR.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    era, number = match.groups()
    era_year = 1 if number == "元" else int(number)
    if era_year < 1:
        return None
    return _ERA_STARTS[era.upper()] + era_year - 1
