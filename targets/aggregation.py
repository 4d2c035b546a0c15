"""How a quantity target adds up over the quarters (集計方法), and what the wording proposes.

A flow adds its quarters up (回, 件, 延べ人数, 円); a level is a standing figure whose
latest report counts (登録者数, 会員数, 設置数, 「計2ヶ所」); a maximum counts the highest
quarter (「最大 40人」). The parser's result only proposes one: the 係 or the 事務局
confirm or change it on the row. Pure Python: no Django imports.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum

from .pace import expected_cumulative
from .types import Kind, ParsedTarget


class Aggregation(StrEnum):
    FLOW = "flow"  # 合計: the quarters add up
    LEVEL = "level"  # 最新値: the latest figure reported counts
    MAX = "max"  # 最大値: the highest quarter counts

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Aggregation.FLOW: "合計（四半期を足す）",
    Aggregation.LEVEL: "最新値（直近の数を使う）",
    Aggregation.MAX: "最大値（一番多い四半期）",
}

# Units that are always counted as they happen: a 回 or a 件 never "stands".
_FLOW_UNITS = frozenset({"回", "件", "円", "日", "時間", "枚", "部", "食", "泊"})
# Places and fixtures exist: 「50か所」 means fifty places at year end.
_LEVEL_UNITS = frozenset({"か所", "拠点", "施設", "台"})
_FLOW_WORDS = re.compile(r"延べ|延")
_MAX_WORDS = re.compile(r"最大|最高|ピーク")
_LEVEL_WORDS = re.compile(r"計\s*\d|累計|登録|会員|設置|加入|在籍|定員")


def propose_aggregation(target: ParsedTarget) -> Aggregation:
    """The 集計方法 the wording of ``target`` suggests; the first rule that applies wins.

    1. not a quantity target → flow (nothing is summed anyway);
    2. 「延べ」 → flow;
    3. a main unit that only happens (回, 件, 円, 日, 時間, 枚, 部, 食, 泊) → flow;
    4. 「最大」「最高」「ピーク」 → maximum;
    5. 「計N」「累計」 or a standing noun (登録, 会員, 設置, 加入, 在籍, 定員) → level;
    6. an increase (「30人増」) → flow: each quarter adds its newcomers;
    7. a place or fixture (か所, 拠点, 施設, 台) → level;
    8. otherwise → flow.
    """
    main = target.main
    if target.kind != Kind.QUANTITY or main is None:
        return Aggregation.FLOW
    text = unicodedata.normalize("NFKC", f"{target.text} {main.label}")
    if _FLOW_WORDS.search(text) or main.unit in _FLOW_UNITS:
        return Aggregation.FLOW
    if _MAX_WORDS.search(text):
        return Aggregation.MAX
    if _LEVEL_WORDS.search(text):
        return Aggregation.LEVEL
    if main.increase:
        return Aggregation.FLOW
    return Aggregation.LEVEL if main.unit in _LEVEL_UNITS else Aggregation.FLOW


def fold(values: Iterable[Decimal | None], aggregation: Aggregation | str) -> Decimal | None:
    """A row's figure to date from its quarter figures, oldest first (None: not reported).

    Flow: the sum; level: the latest reported figure; maximum: the highest. None when no
    quarter reported a figure.
    """
    present = [v for v in values if v is not None]
    if not present:
        return None
    match Aggregation(aggregation):
        case Aggregation.LEVEL:
            return present[-1]
        case Aggregation.MAX:
            return max(present)
        case _:
            return sum(present, Decimal("0"))


def expected_in_quarter(
    target: ParsedTarget, quarter: int, aggregation: Aggregation | str
) -> Decimal:
    """The figure a quarter itself should report on pace (the main quantity).

    A flow reports what the quarter adds: E(q) − E(q−1). A level or a maximum reports the
    figure standing at the quarter's end: E(q). E is ``targets.pace.expected_cumulative``;
    Decimal("0") without a quantity. A plausibility check compares an entry with this.
    """
    expected = expected_cumulative(target, quarter)
    if Aggregation(aggregation) != Aggregation.FLOW or quarter == 1:
        return expected
    return expected - expected_cumulative(target, quarter - 1)
