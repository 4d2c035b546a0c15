"""The structure a written 目標値 is parsed into.

This module is the contract between the parser (``targets.parser``), the pace rules
(``targets.pace``), the status rule (``results.status``), the models that store a parsed
target so SQL can filter and sum it, the books and the ``parse_target`` command.
Pure Python: no Django imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    QUANTITY = "quantity"  # at least one countable quantity (回, 件, 円, …)
    QUALITATIVE = "qualitative"  # 随時実施, 通年, 適宜 … tracked as 実施 / 未実施
    NONE = "none"  # ―, －, blank: no target


class Role(StrEnum):
    """What a number written in a 目標値 is (DESIGN.md, "Never a wrong number")."""

    MAIN = "main"  # the main quantity: the target
    SECONDARY = "secondary"  # another trackable figure (the 160人 of 「1回（160人）」)
    PART = "part"  # a line of a breakdown (「田無10団体」, 「8保育園」)
    TOTAL = "total"  # a stated total (「計11園」), which wins over any sum
    SUBSET = "subset"  # a part of the figure before it (「200件のうち新規80件」)
    WHOLE = "whole"  # the whole of 「11項目中 8項目」
    FACTOR = "factor"  # a factor of a product (「20地区×11月」)
    RATE = "rate"  # the unit of a rate (「1日あたり」, 「1団体30,000円」)
    CADENCE = "cadence"  # 「月2回」 in brackets, 「3か月に1回」, 「5年に1回」, 「第2火曜日」
    SHARE_OUT = "share_out"  # how a total is shared out (「各圏域2回」): not tracked
    MONTH = "month"  # a scheduled month, a deadline or a start month
    DATE = "date"  # a date (「2020年9月10日」)
    TIME = "time"  # a time of day (「10時～12時」)
    DURATION = "duration"  # how long the schedule runs (「（1ヶ月間）」)
    YEAR = "year"  # a year or era (「令和4年度」, 「R4」)
    ORDINAL = "ordinal"  # part of a name (「第2層」, 「第3回」)
    QUALIFIER = "qualifier"  # who or what is counted (「75歳以上の」, 「60代」)
    BASE = "base"  # the base of a share (the 320人 of 「登録者(320人)の10%」)
    PREVIOUS = "previous"  # a previous or comparison value (「前年度2,350千円」)


ROLE_LABELS: dict[Role, str] = {
    Role.MAIN: "目標（主）",
    Role.SECONDARY: "副次的な数値",
    Role.PART: "内訳",
    Role.TOTAL: "合計（記載）",
    Role.SUBSET: "うち数",
    Role.WHOLE: "全体数",
    Role.FACTOR: "掛け算の因数",
    Role.RATE: "単位当たり",
    Role.CADENCE: "頻度",
    Role.SHARE_OUT: "割り振り",
    Role.MONTH: "月",
    Role.DATE: "日付",
    Role.TIME: "時刻",
    Role.DURATION: "期間",
    Role.YEAR: "年・年度",
    Role.ORDINAL: "名称の番号",
    Role.QUALIFIER: "対象の条件（年齢など）",
    Role.BASE: "割合の母数",
    Role.PREVIOUS: "比較値（前年度など）",
}


@dataclass(frozen=True)
class Number:
    """One number as written in the (normalised) target, and what it is."""

    text: str
    role: Role


@dataclass(frozen=True)
class Quantity:
    """One trackable number of a target.

    ``value`` is the bar to reach: for a range (「2～3回」) it is the lower bound and
    ``max`` the upper one. Money is always in yen (unit "円"): 「30万円」 → 300000.
    ``label`` names what is counted when the text says it (「参加者」, 「HP アクセス数」,
    「新規相談」, 「田無」); empty otherwise.
    """

    value: Decimal
    unit: str  # normalised: 回, 件, 人, 円, か所, 団体, 日, 時間, 枚, 部, 校, 駅, 世帯, 台, 個, …
    max: Decimal | None = None
    label: str = ""
    approximate: bool = False  # 程度, 約
    planned: bool = False  # 予定
    increase: bool = False  # 「30人増」: the target is the increase, not a level
    # The figure is per this when written: "年" (「240件／年」), "月", "週", "日" (「1日あたり
    # 40人」), or a counted unit of a rate (「1人当たり3回」 → "人"); else "".
    per: str = ""


@dataclass(frozen=True)
class Factor:
    """One factor of a product such as 「20地区×11月」 → (20, 地区), (11, 月)."""

    value: Decimal
    unit: str


@dataclass(frozen=True)
class Part:
    """One place or line of a breakdown (「田無10団体 440回/年」)."""

    label: str
    quantities: tuple[Quantity, ...]


@dataclass(frozen=True)
class ParsedTarget:
    """What a 目標値 says. ``text`` is always kept verbatim.

    ``quantities`` lists the trackable figures, the main one first; secondary ones follow
    (the 160人 of 「1回（160人）」). ``months`` are the scheduled months (1–12) in fiscal
    order (April first), read from the 目標値 and from 内容; the 目標値 wins where they
    disagree. ``needs_review`` (要確認) is set when the parser could not read all of it.
    """

    text: str
    kind: Kind
    needs_review: bool = False
    quantities: tuple[Quantity, ...] = ()
    months: tuple[int, ...] = ()
    dates: tuple[date, ...] = ()  # explicit dates: 「2020年9月10日（木）」
    halves: tuple[int, ...] = ()  # 1 = 上半期, 2 = 下半期
    deadline_month: int | None = None  # 「1月末日までに終了」 → 1
    start_month: int | None = None  # 「4月～」 → 4
    cadence: str = (
        ""  # normalised cadence text: "月2回", "週1回", "3か月に1回", "奇数月の第2火曜日"
    )
    factors: tuple[Factor, ...] = ()  # a product; the stated total (if any) is the main quantity
    parts: tuple[Part, ...] = ()  # a breakdown by place or line
    of_total: Decimal | None = None  # 「11項目中 8項目」 → 11 (main quantity is 8 項目)
    qualitative_text: str = ""  # for kind=qualitative: the normalised phrase (「随時実施」)
    notes: tuple[str, ...] = field(default=())  # what was not understood, in Japanese
    # Values the target is compared with, not targets: 「（前年度2,350千円）」, 「現状値 17」.
    compared: tuple[Quantity, ...] = ()
    base: Quantity | None = None  # 「登録者(320人)の10%」 → 320人 (the main quantity is 10%)
    every_years: int | None = None  # 「5年に1回」 → 5, 「隔年」 → 2: not every year
    times: tuple[str, ...] = ()  # times of day: 「10時～12時」 → ("10:00～12:00",)
    # Every number written in the text with its role, in the order written: a number
    # that has none makes the target 要確認 (DESIGN.md, "Never a wrong number").
    numbers: tuple[Number, ...] = ()

    @property
    def main(self) -> Quantity | None:
        return self.quantities[0] if self.quantities else None
