"""Read a written 目標値 into a :class:`~targets.types.ParsedTarget`.

The contract (DESIGN.md, "目標値: what a target can say"):

* :func:`parse_target` never raises, for any ``str``. The text is kept verbatim in
  ``ParsedTarget.text``; whatever the parser does not fully understand sets
  ``needs_review`` (要確認) with a Japanese note, and only the figures it is sure of are
  returned — it never guesses a number or a unit.
* The text is NFKC-normalised first (full-width digits and brackets), ケ所/ヶ所/カ所/箇所
  become the unit 「か所」, ケ月/ヶ月 become 「か月」, and 名 after a number becomes 「人」.
* The schedule (months, dates, half-years, a deadline, a start month, a cadence) is read
  from the 目標値 and from 内容 (``detail``); the 目標値 wins where both say something. From
  内容 only the schedule and a product (「20地区×11月」) are read: it is free prose.
* :func:`target_to_dict` / :func:`target_from_dict` turn a ParsedTarget into a JSON-ready
  dict and back, exactly.

How a target is read, in order: the normalised text is scanned for products, dates, era
years, cadences, month ranges, deadlines, start months, months and half-years, each one
recorded and blanked out; what is left is cut into tokens (numbers with their units,
words, brackets) and read as a list of labelled segments of quantities. Two or more
segments labelled by place or line with the same units are a breakdown (parts, summed);
otherwise the quantities are listed as written, the main one first.

Pure Python: no Django imports (the fiscal month order is therefore spelled out here
rather than imported from ``shakyo.lib.fiscal``, whose package imports Celery).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial
from typing import Any

from .types import Factor, Kind, Number, ParsedTarget, Part, Quantity, Role

__all__ = ["parse_target", "target_from_dict", "target_to_dict"]

# ---------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------

# Calendar months in fiscal order: April first.
_FISCAL_MONTHS: tuple[int, ...] = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
_ODD_MONTHS: tuple[int, ...] = (5, 7, 9, 11, 1, 3)
_EVEN_MONTHS: tuple[int, ...] = (4, 6, 8, 10, 12, 2)

# Any run of up to four kanji or katakana right after a number is its unit, cut before a
# verb or particle that follows it (「2回実施」 → 回, 「5店舗」 → 店舗, 「15事業所」 →
# 事業所). Units in kana (か所, か月, つ) and % are listed here; so are the usual
# counters, which alone may follow the number after a space (「2 回」) and make the
# factors of a product (「8拠点×1回」).
_UNITS: tuple[str, ...] = (
    "事業所", "事業", "行事", "項目", "団体", "世帯", "時間", "地区", "拠点", "圏域",
    "か所", "か月", "施設", "教室", "講座", "品目", "種類", "日間", "週間", "年間", "年度",
    "回", "件", "人", "名", "円", "日", "分", "枚", "部", "校", "駅", "台", "個", "館", "組",
    "冊", "本", "社", "店", "点", "号", "週", "年", "%", "つ", "食", "軒", "戸", "園", "法人",
)  # fmt: skip
_KANA_UNITS: tuple[str, ...] = ("か所", "か月", "つ", "%")
_UNIT_SET = frozenset(_UNITS)
# Written forms of the same unit.
_UNIT_ALIASES: dict[str, str] = {"名": "人", "日間": "日", "週間": "週", "年間": "年"}
# Factors of a product may also count months (「×12月」).
_FACTOR_UNITS: tuple[str, ...] = (*_UNITS, "月")
# Units of a product's factors that count places or periods rather than the thing done:
# the product 「8拠点×1回」 is in 回.
_PLACE_OR_PERIOD_UNITS = frozenset({
    "か所", "地区", "拠点", "圏域", "館", "校", "駅", "施設", "団体", "週", "月", "年", "か月", "日",
})  # fmt: skip
# Units of a figure that says what is done (for the main figure of a breakdown).
_ACTIVITY_UNITS = frozenset({"回", "件", "日", "時間", "円"})

_MULTIPLIERS: dict[str, Decimal] = {
    "千": Decimal(1000),
    "万": Decimal(10_000),
    "百万": Decimal(1_000_000),
    "億": Decimal(100_000_000),
}

# Words that carry no figure: particles, verbs of doing, qualitative phrases, and the
# flags a figure can have. A word made only of these is understood; anything else next
# to a figure is a label (before it) or not understood (after it).
_PLANNED_TERMS = frozenset({"予定"})
_APPROX_TERMS = frozenset({"程度", "前後", "くらい", "ぐらい", "余", "余り", "強", "弱"})
_INCREASE_TERMS = frozenset({"増", "増加"})
_DECREASE_TERMS = frozenset({"減", "減少"})
_UPPER_LIMIT_TERMS = frozenset({"以内", "以下", "未満", "まで"})
_TERMS: tuple[str, ...] = (
    # particles and connectives
    "を", "に", "で", "へ", "と", "の", "は", "が", "も", "や", "て", "から", "まで", "より",
    "にて", "により", "による", "に向けて", "に向けた", "に応じて", "に応じ", "について",
    "及び", "および", "ならびに", "または", "又は", "等", "など", "ほか", "他", "・",
    "する", "します", "して", "し", "行う", "行います", "目指す",
    # what is done
    "実施", "開催", "終了", "完了", "発行", "作成", "評価", "目標", "達成", "見込み", "見込",
    "受付", "受け付け", "設置", "配布", "掲載", "参加", "開講", "募集", "確保", "検討", "対応",
    "準備", "見直し", "推進", "周知", "協力", "連携", "支援", "臨時", "定例", "以上", "頃",
    "ごろ", "中",
    # qualitative targets
    "随時", "通年", "適宜", "必要", "状況", "臨機", "臨機応変", "法の規定", "規定", "不定期",
    "定期的", "定期", "継続", "常時", "年度内",
    *_PLANNED_TERMS, *_APPROX_TERMS, *_INCREASE_TERMS, *_DECREASE_TERMS, *_UPPER_LIMIT_TERMS,
)  # fmt: skip

# Words before a figure that say something about it (「約70人」「年24回」「新規1か所」).
_APPROX_PREFIXES: tuple[str, ...] = ("約", "概ね", "おおむね", "およそ")
_IGNORED_PREFIXES: tuple[str, ...] = ("延べ", "のべ")
_PER_PREFIXES: dict[str, str] = {"年間": "年", "毎年": "年", "毎月": "月", "毎週": "週"}
_PER_WORDS: dict[str, str] = {"年": "年", "月": "月", "週": "週"}
_PREFIX_TERMS: tuple[str, ...] = (
    *_APPROX_PREFIXES,
    *_IGNORED_PREFIXES,
    *_PER_PREFIXES,
    *_PER_WORDS,
    "各",
    "新規",
)
# Words ending in 約 that are not 「約」 (about): 「契約30件」 is thirty contracts.
_YAKU_WORDS: tuple[str, ...] = (
    "契約", "予約", "節約", "集約", "要約", "規約", "公約", "条約", "制約", "誓約", "解約", "成約",
)  # fmt: skip
# Labels that name a total or a new count rather than a place or line of a breakdown.
_NOT_PART_LABELS = frozenset({"計", "合計", "小計", "総計", "新規"})
_TRAILING_PARTICLES = re.compile(r"(?:を|は|が|に|で|の|と|も)+$")

# Notes (shown to users).
_NOTE_INTERNAL = "解析中に予期しないエラーが発生しました。目標値を確認してください。"

# ---------------------------------------------------------------------------------------
# Regular expressions (compiled once; none can backtrack badly on long input)
# ---------------------------------------------------------------------------------------


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_NUM = r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
_MULT = r"百万|万|千|億"
_CJK_RUN = r"[\u4e00-\u9fff々\u30a1-\u30fa\u30fc]"
_WEEKDAY = r"[月火水木金土日]"
_WEEKDAY_PAREN = rf"(?:\s*\(\s*(?:{_WEEKDAY}(?:曜日?)?|祝)\s*\))?"

# A counter after a number (or its 万/千/億): 「8ケ所」「3ヶ月」「30名」「1万名」.
_COUNTER_RE = re.compile(
    r"([0-9万千億])\s*(?:(?P<place>[ケヶカヵか箇個]所)|(?P<month>[ケヶカヵか箇]月)|名)"
)
_DASHES_RE = re.compile("[〜∼〰‐‑–—−]")
# Invisible characters that come with pasted text (soft hyphen, zero-width space, BOM …).
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_DASHES = {"〜": "~", "∼": "~", "〰": "~", "‐": "-", "‑": "-", "–": "-", "—": "-", "−": "-"}
_NONE_RE = re.compile(r"[\s\-―ー_・.。…─━]*|なし|無し|該当なし")
_ASCII_GAP_RE = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")

_FACTOR_UNIT = rf"(?:{_alternation(_FACTOR_UNITS)}|{_CJK_RUN}{{1,4}})"
_FACTOR_RE = re.compile(rf"(?:毎?[週月年日]\s*)?(?P<v>{_NUM})\s*(?P<u>{_FACTOR_UNIT})")
# 「1団体30,000円×15団体」: the 1団体 before a unit price says what the price is for.
_UNIT_PRICE = rf"1\s*{_FACTOR_UNIT}\s*(?:あたり|当たり|当り|につき)?\s*(?=[0-9])"
_PRODUCT_RE = re.compile(
    rf"(?<![0-9])(?P<pre>{_UNIT_PRICE})?(?:毎?[週月年日]\s*)?{_NUM}\s*{_FACTOR_UNIT}"
    rf"(?:\s*[×✕✖*xX]\s*(?:毎?[週月年日]\s*)?{_NUM}\s*{_FACTOR_UNIT})+"
)
_DEADLINE_TAIL = r"\s*(?:末日?|中|上旬|中旬|下旬|初旬)?\s*まで"
# A year and month with no day before 「まで」 is a deadline (「令和3年3月末までに」): the
# year is then blanked out as an era year and the deadline step reads the month.
_DATE_RE = re.compile(
    r"(?:(?P<era>令和|平成)\s*(?P<ey>元|[0-9]{1,2})|(?<![0-9])(?P<y>[0-9]{4}))\s*年\s*"
    rf"(?P<m>[0-9]{{1,2}})\s*月(?:\s*(?P<d>[0-9]{{1,2}})\s*日{_WEEKDAY_PAREN}|(?!{_DEADLINE_TAIL}))"
)
_ERA_YEAR_RE = re.compile(
    r"(?<![0-9])(?P<y2>(?:19|20)[0-9]{2})\s*\(\s*(?:令和|平成|昭和)\s*(?:元|[0-9]{1,2})\s*\)\s*年度?"
    r"|(?P<era>令和|平成|昭和)\s*(?P<ey>元|[0-9]{1,2})\s*(?P<eyd>年度?)"
    r"|(?<![0-9A-Za-z])(?P<abbr>[RH])\s*(?P<ay>元|[0-9]{1,2})(?![0-9])\s*(?:年度?)?"
    r"|(?<![0-9])(?P<y>(?:19|20)[0-9]{2})\s*(?P<yd>年度?)"
    r"|(?<![0-9.,])(?P<sy>[0-9]{1,2})\s*年度"
    r"|(?<![0-9.,])(?P<sc>[0-9]{2})\s*年(?=\s*:)"
)
# 「1日あたり」「1月当たり」「1人につき」: the figure is a rate (not January).
_RATE_RE = re.compile(
    r"(?<![0-9])(?:1\s*)?(?P<u>か月|月|日|週|年間|年|人|回|件|世帯|団体|か所|校|施設)"
    r"\s*(?:あたり|当たり|当り|につき)"
    # 「1ヵ月2回」: per month; 「1年間の利用件数」: the figure is for a year.
    r"|(?<![0-9月])1\s*(?P<u2>か月|週)(?=\s*[0-9])"
    r"|(?<![0-9月])1\s*(?P<u3>年|か月|週|日)間(?=\s*[のでに])"
    # 「1口 500円」: what a price in yen is for.
    r"|(?<![0-9])1\s*(?P<u4>口|人|世帯|団体|地区|校|か所|件)\s*(?=[0-9][0-9,]*\s*(?:円|万円|千円))"
)
# 「5年に1回」「3年ごと」「隔年」: not every year.
_MULTI_YEAR_RE = re.compile(
    r"(?<![0-9])(?P<n>[0-9]{1,2})\s*年\s*(?:に|ごとに|毎に|おきに)\s*(?P<k>[0-9]{1,2})\s*(?:回|度)"
    r"|(?<![0-9])(?P<n2>[0-9]{1,2})\s*年\s*(?:ごと|毎|おき)(?:に)?"
    r"|隔年"
)
# Times of day: 「10時～12時」「13:30~15:00」「10時半」 (never 「2時間」).
_CLOCK = r"[0-9]{1,2}\s*(?::\s*[0-9]{2}|時(?!間)(?:\s*[0-9]{1,2}\s*分|半)?)"
_TIME_RE = re.compile(rf"(?<![0-9])(?P<a>{_CLOCK})(?:\s*[~\-]\s*(?P<b>{_CLOCK}))?")
_CLOCK_RE = re.compile(
    r"(?P<h>[0-9]{1,2})\s*(?::\s*(?P<m>[0-9]{2})|時\s*(?:(?P<mm>[0-9]{1,2})\s*分|(?P<half>半))?)"
)
# 「75歳以上の」「65～74歳」「60代」: an age says who is counted, it is not counted.
_AGE_RE = re.compile(
    r"(?<![0-9])[0-9]{1,3}\s*(?:歳|才)?\s*[~\-]\s*[0-9]{1,3}\s*(?:歳|才)(?:以上|以下|未満|超)?"
    r"|(?<![0-9])[0-9]{1,3}\s*(?:歳|才)(?:以上|以下|未満|超)?|(?<![0-9])[1-9]0\s*代"
)
# 「第2層」「第3回」「第4期」: a number that is part of a name.
_ORDINAL_RE = re.compile(
    r"第\s*[0-9]+\s*(?:回|期|次|号|層|条|種|位|弾|部|章|節|版|地区|区|日曜|四半期)?"
    # 「第4回、5回の2回」: the numbers listed after an ordinal are ordinals too.
    r"(?:\s*[、,・]\s*[0-9]+\s*(?:回|期|次|号))*"
    # 「2種免許」「1級」: a class, part of a name.
    r"|(?<![0-9])[0-9](?:種(?!類)|級|類)(?=[\u4e00-\u9fff\u30a1-\u30fa])"
    # 「2目介護予防…事業費」: the number of a budget line (款・項・目).
    r"|(?<![0-9])[0-9]{1,2}(?:款|項(?!目)|目(?![標的次録安]))(?=[^\s0-9、,])"
)
_WEEKDAY_CADENCE_RE = re.compile(
    rf"(?:(?P<par>奇数|偶数)月\s*の?\s*)?(?:毎月\s*)?第\s*(?P<n>[0-9])\s*(?P<wd>{_WEEKDAY})\s*曜日?"
    rf"|毎週\s*(?P<wwd>{_WEEKDAY})\s*曜日?"
)
_EVERY_MONTHS_RE = re.compile(
    r"(?<![0-9])(?P<n>[0-9]{1,2})\s*か月\s*(?:に|ごとに|毎に)\s*(?P<k>[0-9]{1,2})\s*(?:回|度)"
)
_QUARTERLY_RE = re.compile(r"四半期\s*(?:に|ごとに|毎に)\s*(?P<k>[0-9]{1,2})\s*(?:回|度)")
_ALTERNATE_RE = re.compile(r"隔(?P<p>月|週)")
_EVERY_RE = re.compile(rf"毎(?P<p>月(?!\s*[0-9第平]|曜)|週(?!\s*[0-9平]|\s*{_WEEKDAY}))")
_PER_CADENCE_RE = re.compile(r"(?<![0-9])(?:毎\s*)?(?P<p>月|週)\s*(?P<k>[0-9]{1,2})\s*(?:回|度)")
_MONTH_RANGE_RE = re.compile(
    r"(?<![0-9])(?P<a>[0-9]{1,2})\s*(?:月\s*)?(?:~|から|-)\s*(?P<b>[0-9]{1,2})\s*月"
)
_MONTH_DAY_RE = re.compile(
    rf"(?<![0-9])(?P<m>[0-9]{{1,2}})\s*月\s*(?P<d>[0-9]{{1,2}})\s*日{_WEEKDAY_PAREN}"
)
# 「（1ヶ月間）」 after dates, 「2日間で延べ100人」: how long it runs, not what is counted.
_DURATION_RE = re.compile(
    r"\(\s*[0-9]+\s*(?:か月|日|週|年)間\s*\)"
    r"|(?<![0-9])[0-9]+\s*(?:か月|日|週|年)間(?=\s*(?:で|に|を通じ|にわたり)\s*\S*[0-9])"
)
# 「11日:9人」: the day of a dated line (the month is written above it).
_DAY_LABEL_RE = re.compile(
    rf"(?<![0-9月])[0-9]{{1,2}}\s*日(?=\s*:)"
    # 「2016年10月22日(土)～24日(月)」: the last day of a range of dates.
    rf"|(?<=~)\s*[0-9]{{1,2}}\s*日{_WEEKDAY_PAREN}"
)
_DEADLINE_RE = re.compile(
    rf"(?:(?<![0-9])(?P<m>[0-9]{{1,2}})\s*月|(?P<fy>年度|\ue000 *)){_DEADLINE_TAIL}(?:に)?"
)
_START_RE = re.compile(r"(?<![0-9])(?P<m>[0-9]{1,2})\s*月\s*(?:~|から|より|以降)(?!\s*[0-9])")
_PARITY_RE = re.compile(r"(?P<par>奇数|偶数)月")
_FISCAL_END_RE = re.compile(r"年度末")
_MONTH_RE = re.compile(
    r"(?<![0-9])(?P<m>[0-9]{1,2})\s*月(?:\s*(?:末|頃|ごろ|上旬|中旬|下旬|初旬))?"
)
_HALF_RE = re.compile(
    r"(?P<first>上半期|前半期|上期|前期(?!高齢))|(?P<second>下半期|後半期|下期|後期(?!高齢))"
)

_QTY_RE = re.compile(
    rf"(?P<n1>{_NUM})(?P<m1>{_MULT})?(?:\s*[~\-ー]\s*(?P<n2>{_NUM}))?(?P<m2>{_MULT})?"
)
_KANA_UNIT_RE = re.compile(_alternation(_KANA_UNITS))
_UNIT_RUN_RE = re.compile(rf"{_CJK_RUN}+")
_PER_RE = re.compile(r"\s*/\s*(?P<per>年間?|月|週|日)(?![0-9])")
_TERM_RE = re.compile(_alternation(_TERMS))
_PREFIX_RE = re.compile(_alternation(_PREFIX_TERMS))
_SEPARATORS = frozenset("/、,;:。[]{}「」『』【】〈〉《》<>\"'")
_TIMES = frozenset("×✕✖*")
_WORD_RE = re.compile(r"[^\s()0-9/、,;:。\[\]{}「」『』【】〈〉《》<>\"'×✕✖*\ue000]+")
# Marks that say nothing about a figure; any other symbol (「？」「※」「~」) is 要確認.
_HARMLESS_SYMBOLS = frozenset("・.…―ー_-~")

# Beyond these a figure cannot be stored (the models keep 14 digits, 2 of them decimal)
# and would not survive the float of the JSON form: it is not read, only noted.
_MAX_VALUE = Decimal(10) ** 12


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------


def parse_target(text: str, detail: str = "") -> ParsedTarget:
    """What the 目標値 ``text`` says, with the schedule also read from 内容 ``detail``.

    Never raises, for any ``str`` (``None`` is read as blank). ``text`` is kept verbatim;
    ``needs_review`` is True exactly when ``notes`` says (in Japanese) what was not
    understood. Quantities are listed main first; months are 1–12 in fiscal order
    (April first) without duplicates; values are never negative.
    """
    text = "" if text is None else text if isinstance(text, str) else str(text)
    detail = "" if detail is None else detail if isinstance(detail, str) else str(detail)
    try:
        return _parse(text, detail)
    except Exception:  # the contract: never raise; a bug shows as 要確認, not as a 500
        return ParsedTarget(
            text=text,
            kind=Kind.QUALITATIVE if text.strip() else Kind.NONE,
            needs_review=True,
            qualitative_text=text.strip(),
            notes=(_NOTE_INTERNAL,),
        )


def target_to_dict(p: ParsedTarget) -> dict[str, Any]:
    """A JSON-serialisable dict of every field of ``p``; :func:`target_from_dict` inverts it.

    Numbers are ints when integral, else floats (the parser keeps at most two decimals);
    ``max`` and ``of_total`` are null unless set; dates are ISO strings; tuples are lists.
    """
    return {
        "text": p.text,
        "kind": p.kind.value,
        "needs_review": p.needs_review,
        "quantities": [_quantity_to_dict(q) for q in p.quantities],
        "months": list(p.months),
        "dates": [d.isoformat() for d in p.dates],
        "halves": list(p.halves),
        "deadline_month": p.deadline_month,
        "start_month": p.start_month,
        "cadence": p.cadence,
        "factors": [{"value": _number_out(f.value), "unit": f.unit} for f in p.factors],
        "parts": [
            {"label": part.label, "quantities": [_quantity_to_dict(q) for q in part.quantities]}
            for part in p.parts
        ],
        "of_total": None if p.of_total is None else _number_out(p.of_total),
        "qualitative_text": p.qualitative_text,
        "notes": list(p.notes),
        "compared": [_quantity_to_dict(q) for q in p.compared],
        "base": None if p.base is None else _quantity_to_dict(p.base),
        "every_years": p.every_years,
        "times": list(p.times),
        "numbers": [{"text": n.text, "role": n.role.value} for n in p.numbers],
    }


def target_from_dict(d: Mapping[str, Any]) -> ParsedTarget:
    """The ParsedTarget that :func:`target_to_dict` turned into ``d``.

    ``target_from_dict(target_to_dict(p)) == p`` for every ``p`` the parser returns.
    Keys other than ``text`` and ``kind`` may be missing (their defaults are used).
    Raises KeyError, TypeError or ValueError when ``d`` is not such a dict.
    """
    return ParsedTarget(
        text=_str(d["text"]),
        kind=Kind(d["kind"]),
        needs_review=_bool(d.get("needs_review", False)),
        quantities=tuple(_quantity_from_dict(q) for q in d.get("quantities") or ()),
        months=tuple(_int(m) for m in d.get("months") or ()),
        dates=tuple(date.fromisoformat(_str(x)) for x in d.get("dates") or ()),
        halves=tuple(_int(h) for h in d.get("halves") or ()),
        deadline_month=_optional_int(d.get("deadline_month")),
        start_month=_optional_int(d.get("start_month")),
        cadence=_str(d.get("cadence", "")),
        factors=tuple(
            Factor(_number_in(f["value"]), _str(f["unit"])) for f in d.get("factors") or ()
        ),
        parts=tuple(
            Part(_str(part["label"]), tuple(_quantity_from_dict(q) for q in part["quantities"]))
            for part in d.get("parts") or ()
        ),
        of_total=None if d.get("of_total") is None else _number_in(d["of_total"]),
        qualitative_text=_str(d.get("qualitative_text", "")),
        notes=tuple(_str(n) for n in d.get("notes") or ()),
        compared=tuple(_quantity_from_dict(q) for q in d.get("compared") or ()),
        base=None if d.get("base") is None else _quantity_from_dict(d["base"]),
        every_years=_optional_int(d.get("every_years")),
        times=tuple(_str(t) for t in d.get("times") or ()),
        numbers=tuple(Number(_str(n["text"]), Role(n["role"])) for n in d.get("numbers") or ()),
    )


# ---------------------------------------------------------------------------------------
# Serialisation helpers
# ---------------------------------------------------------------------------------------


def _number_out(value: Decimal) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _number_in(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("a number was expected, not a bool")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr() is the shortest text that reads back as this float: 1.5 → "1.5".
        number = Decimal(repr(value))
        if not number.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return number
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {value!r}") from exc
        if not number.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return number
    raise TypeError(f"a number was expected, not {type(value).__name__}")


def _quantity_to_dict(q: Quantity) -> dict[str, Any]:
    return {
        "value": _number_out(q.value),
        "max": None if q.max is None else _number_out(q.max),
        "unit": q.unit,
        "label": q.label,
        "approximate": q.approximate,
        "planned": q.planned,
        "increase": q.increase,
        "per": q.per,
    }


def _quantity_from_dict(d: Mapping[str, Any]) -> Quantity:
    return Quantity(
        value=_number_in(d["value"]),
        unit=_str(d["unit"]),
        max=None if d.get("max") is None else _number_in(d["max"]),
        label=_str(d.get("label", "")),
        approximate=_bool(d.get("approximate", False)),
        planned=_bool(d.get("planned", False)),
        increase=_bool(d.get("increase", False)),
        per=_str(d.get("per", "")),
    )


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a string was expected, not {type(value).__name__}")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"a boolean was expected, not {type(value).__name__}")
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"an integer was expected, not {type(value).__name__}")
    return value


def _optional_int(value: Any) -> int | None:
    return None if value is None else _int(value)


# ---------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """NFKC, one spelling per range mark, counter and space; stripped."""
    if not _CIRCLED_TRIGGERS.isdisjoint(text):
        # 「①中丸支部」: a list marker; NFKC would make it the number 1.
        text = _CIRCLED_RE.sub(" ", text)
    s = unicodedata.normalize("NFKC", text)
    if "¥" in s:
        s = _YEN_SIGN_RE.sub(r"\1円", s)  # 「¥11,828,600」
    if _INVISIBLE_RE.search(s):
        s = _INVISIBLE_RE.sub("", s)
    if _DASHES_RE.search(s):
        s = _DASHES_RE.sub(lambda m: _DASHES[m.group()], s)
    if not _KANJI_TRIGGERS.isdisjoint(s):
        s = _KANJI_NUM_RE.sub(_kanji_number, s)
    if "万" in s or "億" in s or "千" in s:
        s = _SPACED_MULT_RE.sub(r"\1\2", s)
        s = _COMPOUND_RE.sub(_compound_number, s)
    if "所" in s or "月" in s or "名" in s:
        s = _COUNTER_RE.sub(_counter, s)
    if "・" in s:
        s = _NAKAGURO_POINT_RE.sub(r"\1.\2", s)  # 「6・9%」 is 6.9%
    # Runs of whitespace to one space, trimmed: str.split() splits where \s matches.
    return " ".join(s.split())


_KANJI_DIGITS = {
    "〇": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_TENS = {"十": 10, "百": 100, "千": 1000}
# A number in kanji is read only before a counter (「年四回」「二十件」「五月」) and never
# after a digit (「2,400千円」 is read by the multipliers); a lone 一 only before a counter
# that cannot start a word (「一人暮らし」「一部」「一日も早く」「一年を通じて」 stay words).
_KANJI_COUNTERS = (
    r"回|件|人(?![暮ひ一])|名|か所|ヶ所|ケ所|カ所|箇所|団体|校|世帯|地区|施設|館|園|種類|度|割"
)
_KANJI_NUM_RE = re.compile(
    r"(?<![0-9,.])(?:(?P<one>一)(?=" + _KANJI_COUNTERS + r")"
    r"|(?P<run>[〇二三四五六七八九十百千][〇一二三四五六七八九十百千万]*"
    r"|一[〇一二三四五六七八九十百千万]+)"
    r"(?=" + _KANJI_COUNTERS + r"|か月|ヶ月|ケ月|カ月|月|日|時間|週|年|部|枚|万|人))"
)


# 「300 千円」: the multiplier of a figure in yen, after a space.
_SPACED_MULT_RE = re.compile(r"([0-9]) (百万|千|万|億)(?=円)")
# 「1億7,586万4千円」「1万5千人」: one number written in parts, largest first.
_COMPOUND_RE = re.compile(
    r"(?<![0-9,.])[0-9][0-9,]*(?:億|千万|百万|万|千)(?:[0-9][0-9,]*(?:億|千万|百万|万|千)?)+"
)
_COMPOUND_PART_RE = re.compile(r"([0-9][0-9,]*)(億|千万|百万|万|千)?")
_PART_SCALE = {
    "億": 100_000_000, "千万": 10_000_000, "百万": 1_000_000, "万": 10_000, "千": 1000, None: 1,
}  # fmt: skip


def _compound_number(m: re.Match[str]) -> str:
    total, previous = 0, 10**12
    for part in _COMPOUND_PART_RE.finditer(m.group()):
        scale = _PART_SCALE[part.group(2)]
        digits = part.group(1).replace(",", "")
        if scale >= previous or not digits.isdigit():
            return m.group()  # not parts of one number, largest first: left as written
        total += int(digits) * scale
        previous = scale
    return str(total)


def _kanji_number(m: re.Match[str]) -> str:
    if m.group("one"):
        return "1"
    total = section = 0
    digit: int | None = None
    for ch in m.group("run"):
        if ch in _KANJI_DIGITS:
            # 「二〇二〇」 is written digit by digit.
            digit = _KANJI_DIGITS[ch] if digit is None else digit * 10 + _KANJI_DIGITS[ch]
        elif ch in _KANJI_TENS:
            section += (1 if digit is None else digit) * _KANJI_TENS[ch]
            digit = None
        else:  # 万
            total += (section + (digit or 0)) * 10_000
            section, digit = 0, None
    return str(total + section + (digit or 0))


_KANJI_TRIGGERS = frozenset("〇一二三四五六七八九十百千")


_CIRCLED_RE = re.compile("[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")
_CIRCLED_TRIGGERS = frozenset(
    chr(c)
    for r in ((0x2460, 0x24FF), (0x2776, 0x2793), (0x3251, 0x325F), (0x32B1, 0x32BF))
    for c in range(r[0], r[1] + 1)
)
_YEN_SIGN_RE = re.compile(r"¥\s*([0-9][0-9,]*)")
_NAKAGURO_POINT_RE = re.compile(r"(?<![0-9])([0-9]+)・([0-9]+)(?=\s*%)")


def _counter(m: re.Match[str]) -> str:
    unit = "か所" if m.group("place") else "か月" if m.group("month") else "人"
    return m.group(1) + unit


def _fiscal_sorted(months: list[int]) -> tuple[int, ...]:
    return tuple(sorted(set(months), key=_FISCAL_MONTHS.index)) if months else ()


def _month_span(first: int, last: int) -> list[int]:
    """Calendar months from ``first`` to ``last`` inclusive, wrapping past December."""
    months = [first]
    while months[-1] != last:
        months.append(months[-1] % 12 + 1)
    return months


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _storable(value: Decimal) -> bool:
    """Below 10¹² with at most two decimals (``value`` is never negative)."""
    return value < _MAX_VALUE and (value * 100) % 1 == 0


def _format(value: Decimal) -> str:
    return f"{value.normalize():f}"


# ---------------------------------------------------------------------------------------
# The schedule (and products), from the target or from 内容
# ---------------------------------------------------------------------------------------


@dataclass
class _Schedule:
    months: list[int] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    halves: set[int] = field(default_factory=set)
    deadline: int | None = None
    start: int | None = None
    cadence: list[tuple[int, str]] = field(default_factory=list)  # (position, text)
    factors: list[Factor] = field(default_factory=list)
    product_text: str = ""
    years: dict[int, str] = field(default_factory=dict)  # position → 「令和4年度」
    times: list[str] = field(default_factory=list)
    every_years: int | None = None
    rate: str = ""  # 「1日あたり」 → "日"
    more_products: list[tuple[list[Factor], str]] = field(default_factory=list)


_NO_SCHEDULE = _Schedule()  # 内容 without a schedule (only read, never changed)


class _ScheduleReader:
    """Finds the schedule in a normalised text and blanks it out.

    In a target (``strict``) a month or date that cannot be one is noted; in 内容 it is
    silently skipped, since 内容 is prose the parser does not otherwise read.
    """

    def __init__(self, text: str, *, strict: bool) -> None:
        self.text = text
        self.strict = strict
        self.schedule = _NO_SCHEDULE  # replaced by a new one when there is one to read
        self.notes: list[str] = []
        # (start, end, text, role) of every number read here, positions in ``text``.
        self.spans: list[tuple[int, int, str, Role]] = []

    def read(self) -> tuple[str, _Schedule]:
        text = self.text
        present = set(text)
        if present.isdisjoint(_STRICT_TRIGGERS if self.strict else _TRIGGERS):
            return text, self.schedule
        self.schedule = _Schedule()
        has_digit = not present.isdisjoint(_DIGITS)
        for step in _STRICT_STEPS if self.strict else _SCHEDULE_STEPS:
            if (step.needs_digit and not has_digit) or present.isdisjoint(step.triggers):
                continue
            text = step.pattern.sub(partial(_blank, step, self), text)
        return text, self.schedule

    def _note(self, note: str) -> None:
        if self.strict:
            self.notes.append(note)

    def _valid_month(self, month: int, written: str) -> bool:
        if 1 <= month <= 12:
            return True
        self._note(f"「{written}」は月として読み取れません。")
        return False

    def _product(self, m: re.Match[str]) -> Any:
        factors = []
        pre = m.group("pre") or ""
        for fm in _FACTOR_RE.finditer(m.group(), len(pre)):
            unit = _UNIT_ALIASES.get(fm.group("u"), fm.group("u"))
            factors.append(Factor(_number(fm.group("v")), unit))
        if not all(_storable(factor.value) for factor in factors):
            self._note(f"「{m.group()}」の数値は大きすぎるか細かすぎるため読み取れません。")
            return None
        if self.schedule.factors:
            # 「30,000円×12地区 15,000円×1地区 (合計375,000円)」: checked against the total.
            self.schedule.more_products.append((factors, m.group()))
            return None
        self.schedule.factors = factors
        self.schedule.product_text = m.group()[len(pre) :].strip()
        if pre:
            return [(0, len(pre), Role.RATE), (len(pre), len(m.group()), Role.FACTOR)]
        return None

    def _date(self, m: re.Match[str]) -> None:
        if m.group("era"):
            era_year = 1 if m.group("ey") == "元" else int(m.group("ey"))
            year = (2018 if m.group("era") == "令和" else 1988) + era_year
        else:
            year = int(m.group("y"))
        month = int(m.group("m"))
        if not self._valid_month(month, m.group()):
            return
        if m.group("d"):
            try:
                self.schedule.dates.append(date(year, month, int(m.group("d"))))
            except ValueError:
                self._note(f"「{m.group()}」は日付として読み取れません。")
                return
        self.schedule.months.append(month)

    def _era_year(self, m: re.Match[str]) -> str:
        # The year is kept as a word (「令和4年度」) so that 「R4:12件、R5:15件」 reads as
        # figures labelled by year, never as the figure 4.
        if m.group("y2"):
            label = f"{m.group('y2')}年"
        elif m.group("era"):
            label = f"{m.group('era')}{m.group('ey')}{m.group('eyd')}"
        elif m.group("abbr"):
            label = f"{'令和' if m.group('abbr') == 'R' else '平成'}{m.group('ay')}年度"
        elif m.group("y"):
            label = f"{m.group('y')}{m.group('yd')}"
        elif m.group("sy"):
            label = f"{m.group('sy')}年度"
        else:
            label = f"{m.group('sc')}年"
        self.schedule.years[m.start()] = label
        return _YEAR_MARK + " " * (len(m.group()) - 1)

    def _rate(self, m: re.Match[str]) -> None:
        unit = m.group("u") or m.group("u2") or m.group("u3") or m.group("u4")
        self.schedule.rate = {"か月": "月", "年間": "年"}.get(unit, unit)

    def _multi_year(self, m: re.Match[str]) -> Any:
        if m.group() == "隔年":
            n, k = 2, 1
        else:
            n = int(m.group("n") or m.group("n2"))
            k = int(m.group("k")) if m.group("k") else 1
        if n == 1:
            if not m.group("k"):
                return None  # 「1年ごと」: every year, nothing to count
            # 「1年に2回」 is 「年2回」: the count stays a figure of the year.
            at = m.start("k") - m.start()
            return " " * (at - 1) + "年" + m.group()[at:], [(0, at, Role.CADENCE)]
        if k != 1 or self.schedule.every_years not in (None, n):
            self._note(f"「{m.group()}」の頻度を読み取れませんでした。")
        self.schedule.every_years = n
        self._cadence(m, f"{n}年に{k}回")
        return None

    def _time(self, m: re.Match[str]) -> Any:
        clocks = []
        for part in (m.group("a"), m.group("b")):
            if part is None:
                continue
            c = _CLOCK_RE.fullmatch(part)
            if c is None:  # pragma: no cover - _TIME_RE only matches clocks
                return False
            minute = int(c.group("m") or c.group("mm") or (30 if c.group("half") else 0))
            if int(c.group("h")) > 24 or minute > 59:
                return False  # not a time: left for the quantities (and noted there)
            clocks.append(f"{int(c.group('h'))}:{minute:02d}")
        self.schedule.times.append("～".join(clocks))
        return None

    def _weekday_cadence(self, m: re.Match[str]) -> None:
        if m.group("wwd"):
            self._cadence(m, f"毎週{m.group('wwd')}曜日")
            return
        prefix = ""
        if m.group("par"):
            prefix = f"{m.group('par')}月の"
            self.schedule.months += _ODD_MONTHS if m.group("par") == "奇数" else _EVEN_MONTHS
        self._cadence(m, f"{prefix}第{m.group('n')}{m.group('wd')}曜日")

    def _every_months(self, m: re.Match[str]) -> None:
        self._cadence(m, f"{int(m.group('n'))}か月に{int(m.group('k'))}回")

    def _quarterly(self, m: re.Match[str]) -> None:
        self._cadence(m, f"四半期に{int(m.group('k'))}回")

    def _alternate(self, m: re.Match[str]) -> None:
        self._cadence(m, "2か月に1回" if m.group("p") == "月" else "2週に1回")

    def _every(self, m: re.Match[str]) -> None:
        self._cadence(m, f"{m.group('p')[0]}1回")

    def _per_cadence(self, m: re.Match[str]) -> None:
        self._cadence(m, f"{m.group('p')}{int(m.group('k'))}回")

    def _cadence(self, m: re.Match[str], text: str) -> None:
        self.schedule.cadence.append((m.start(), text))

    def _month_range(self, m: re.Match[str]) -> None:
        first, last = int(m.group("a")), int(m.group("b"))
        if self._valid_month(first, m.group()) and self._valid_month(last, m.group()):
            self.schedule.months += _month_span(first, last)

    def _month_day(self, m: re.Match[str]) -> None:
        # Without a year the day cannot be placed in a fiscal year: keep the month only.
        if self._valid_month(int(m.group("m")), m.group()):
            self.schedule.months.append(int(m.group("m")))

    def _deadline(self, m: re.Match[str]) -> None:
        month = 3 if m.group("fy") else int(m.group("m"))
        if m.group("fy") and m.group("fy")[0] == _YEAR_MARK:
            # 「20年度末までに」: the end of that fiscal year; 「2020年末まで」: December.
            year = self.schedule.years.get(m.start("fy"), "")
            month = 3 if year.endswith("年度") else 12
        if self._valid_month(month, m.group()):
            self.schedule.deadline = month

    def _start(self, m: re.Match[str]) -> None:
        if self._valid_month(int(m.group("m")), m.group()):
            self.schedule.start = int(m.group("m"))

    def _parity(self, m: re.Match[str]) -> None:
        self.schedule.months += _ODD_MONTHS if m.group("par") == "奇数" else _EVEN_MONTHS

    def _fiscal_end(self, m: re.Match[str]) -> None:
        self.schedule.months.append(3)

    def _month(self, m: re.Match[str]) -> None:
        # 「×12月」 is a factor of a product, not a month, even when the product was not read.
        before = self.text[max(0, m.start() - 8) : m.start()].rstrip()
        if before.endswith(tuple(_TIMES)):
            return
        if self._valid_month(int(m.group("m")), m.group()):
            self.schedule.months.append(int(m.group("m")))

    def _ordinal(self, m: re.Match[str]) -> None:
        return None

    def _half(self, m: re.Match[str]) -> None:
        self.schedule.halves.add(1 if m.group("first") else 2)


_YEAR_MARK = "\ue000"  # where a year was read; _tokenise turns it into a year word


def _blank(step: _Step, reader: _ScheduleReader, m: re.Match[str]) -> str:
    """A re.sub callback: hands the match to the step's handler, records the role of the
    numbers in it, then blanks it out (same length, so positions stay comparable).

    The handler returns None (the whole match has the step's role), False (not a
    schedule after all: left as it is), a list of (start, end, role) within the match,
    a replacement of the same length, or a replacement and such a list.
    """
    answer = step.handler(reader, m)
    if answer is False:
        return m.group()
    replacement = " " * len(m.group())
    spans: list[tuple[int, int, Role]] = [(0, len(m.group()), step.role)]
    if isinstance(answer, str):
        replacement = answer
    elif isinstance(answer, tuple):
        replacement, spans = answer
    elif isinstance(answer, list):
        spans = answer
    text = m.group()
    for start, end, role in spans:
        if _DIGIT_RE.search(text, start, end):
            reader.spans.append((m.start() + start, m.start() + end, text[start:end].strip(), role))
    return replacement


@dataclass(frozen=True, slots=True)
class _Step:
    """One pass of the schedule reader.

    The pass is skipped unless the text has one of ``triggers`` (and a digit, when the
    pattern needs one): a set test is much cheaper than a regex pass that cannot match.
    """

    pattern: re.Pattern[str]
    handler: Callable[[_ScheduleReader, re.Match[str]], Any]
    triggers: frozenset[str]
    role: Role
    needs_digit: bool = True
    detail_only: bool = False


# In the order they run: products first so that 「×12月」 is not a month, dates before
# months, 「第2月曜日」 before months, month ranges before single months.
_R = _ScheduleReader
_SCHEDULE_STEPS: tuple[_Step, ...] = (
    _Step(_PRODUCT_RE, _R._product, frozenset("×✕✖*xX"), Role.FACTOR),
    _Step(_RATE_RE, _R._rate, frozenset("あ当き間月週円"), Role.RATE, False),
    _Step(_DATE_RE, _R._date, frozenset("年"), Role.DATE),
    _Step(_ERA_YEAR_RE, _R._era_year, frozenset("年RH"), Role.YEAR),
    _Step(_MULTI_YEAR_RE, _R._multi_year, frozenset("年"), Role.CADENCE, False),
    _Step(_TIME_RE, _R._time, frozenset("時:"), Role.TIME),
    _Step(_WEEKDAY_CADENCE_RE, _R._weekday_cadence, frozenset("曜"), Role.CADENCE, False),
    _Step(_ORDINAL_RE, _R._ordinal, frozenset("第款項目種級類"), Role.ORDINAL),
    _Step(_DURATION_RE, _R._ordinal, frozenset("間"), Role.DURATION),
    _Step(_AGE_RE, _R._ordinal, frozenset("歳才代"), Role.QUALIFIER),
    _Step(_EVERY_MONTHS_RE, _R._every_months, frozenset("月"), Role.CADENCE),
    _Step(_QUARTERLY_RE, _R._quarterly, frozenset("半"), Role.CADENCE),
    _Step(_ALTERNATE_RE, _R._alternate, frozenset("隔"), Role.CADENCE, False),
    _Step(_EVERY_RE, _R._every, frozenset("毎"), Role.CADENCE, False),
    # In a target 「月2回」 is a figure (2回 a month); in 内容 it is the cadence.
    _Step(_PER_CADENCE_RE, _R._per_cadence, frozenset("回度"), Role.CADENCE, detail_only=True),
    _Step(_MONTH_RANGE_RE, _R._month_range, frozenset("月"), Role.MONTH),
    _Step(_MONTH_DAY_RE, _R._month_day, frozenset("日"), Role.DATE),
    _Step(_DAY_LABEL_RE, _R._ordinal, frozenset("日"), Role.DATE),
    _Step(_DEADLINE_RE, _R._deadline, frozenset("ま"), Role.MONTH, False),
    _Step(_START_RE, _R._start, frozenset("月"), Role.MONTH),
    _Step(_PARITY_RE, _R._parity, frozenset("数"), Role.MONTH, False),
    _Step(_FISCAL_END_RE, _R._fiscal_end, frozenset("末"), Role.MONTH, False),
    _Step(_MONTH_RE, _R._month, frozenset("月"), Role.MONTH),
    _Step(_HALF_RE, _R._half, frozenset("期"), Role.MONTH, False),
)
_STRICT_STEPS = tuple(step for step in _SCHEDULE_STEPS if not step.detail_only)
_DIGIT_RE = re.compile("[0-9]")
_DIGITS = frozenset("0123456789")
_TRIGGERS = frozenset().union(*(step.triggers for step in _SCHEDULE_STEPS))
_STRICT_TRIGGERS = frozenset().union(
    *(step.triggers for step in _SCHEDULE_STEPS if not step.detail_only)
)


# ---------------------------------------------------------------------------------------
# Quantities: tokens, segments, breakdowns
# ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Q:
    """A quantity being read (mutable until it becomes a Quantity)."""

    value: Decimal
    unit: str
    max: Decimal | None = None
    label: str = ""
    approximate: bool = False
    planned: bool = False
    increase: bool = False
    per: str = ""
    each: bool = False  # 「各1回」: a figure for each of something, not the total
    written: str = ""
    start: int = 0  # where it is written in the normalised text
    end: int = 0
    role: Role | None = None

    def freeze(self, label: str | None = None) -> Quantity:
        return _frozen(
            Quantity,
            value=self.value,
            unit=self.unit,
            max=self.max,
            label=self.label if label is None else label,
            approximate=self.approximate,
            planned=self.planned,
            increase=self.increase,
            per=self.per,
        )


@dataclass(slots=True)
class _Token:
    kind: str  # "word", "qty", "sep", "times", "group"
    text: str = ""
    q: _Q | None = None
    group: list[_Token] = field(default_factory=list)


@dataclass(slots=True)
class _Segment:
    label: str
    quantities: list[_Q] = field(default_factory=list)
    subset: bool = False  # 「…のうち新規80件」
    year: bool = False  # labelled by a year: 「R4:12件」


def _copied(tokens: list[_Token]) -> list[_Token]:
    return [
        _Token(t.kind, t.text, None if t.q is None else replace(t.q), _copied(t.group))
        for t in tokens
    ]


def _tokenise(s: str, notes: list[str], years: Mapping[int, str]) -> list[_Token]:
    """Cut a (blanked-out) normalised target into tokens; a bracket becomes a group token.

    Brackets inside a bracket are only separators: groups are one level deep.
    """
    top: list[_Token] = []
    current = top
    depth = 0
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == " ":  # the only space left by _normalise and the schedule reader
            i += 1
        elif c == _YEAR_MARK:
            current.append(_Token("year", years.get(i, "")))
            i += 1
        elif c == "(":
            if depth == 0:
                group = _Token("group")
                top.append(group)
                current = group.group
            depth += 1
            i += 1
        elif c == ")":
            if depth > 0:
                depth -= 1
                if depth == 0:
                    current = top
            i += 1
        elif "0" <= c <= "9":
            token, i = _read_quantity(s, i, notes)
            current.append(token)
        elif c in _SEPARATORS:
            current.append(_Token("sep", c))
            i += 1
        elif c in _TIMES:
            current.append(_Token("times", c))
            i += 1
        else:
            m = _WORD_RE.match(s, i)
            end = m.end() if m else i + 1
            current.append(_Token("word", s[i:end]))
            i = end
    return top


def _read_quantity(s: str, i: int, notes: list[str]) -> tuple[_Token, int]:
    """The number at ``s[i]`` with its range, multiplier, unit and 「/年」."""
    m = _QTY_RE.match(s, i)
    assert m is not None  # s[i] is a digit
    unit, end = _unit(s, m.end())
    written = s[i:end]
    n1, m1, n2, m2 = m.group("n1", "m1", "n2", "m2")
    value, upper = _number(n1), None
    if n2 is None:
        # 「3千万円」: both multipliers apply to the one number.
        for mult in (m1, m2):
            if mult:
                value *= _MULTIPLIERS[mult]
    else:
        # 「1～2万円」: the multiplier after the range applies to both ends.
        upper = _number(n2)
        if m1 or m2:
            value *= _MULTIPLIERS[m1 or m2]
        if m2:
            upper *= _MULTIPLIERS[m2]
    pm = _PER_RE.match(s, end)
    per = ""
    if pm:
        per = pm.group("per")[0]
        end = pm.end()
    if not (_storable(value) and (upper is None or _storable(upper))):
        notes.append(f"「{written}」の数値は大きすぎるか細かすぎるため読み取れません。")
        return _Token("word", ""), end
    unit = _UNIT_ALIASES.get(unit, unit)
    q = _Q(value=value, unit=unit, max=upper, per=per, written=s[i:end], start=i, end=end)
    if upper is not None:
        if upper < value:
            notes.append(f"「{written}」の範囲は上下が逆です。")
            q.value, q.max = upper, value
        elif upper == value:
            q.max = None
    if unit == "月":
        notes.append(f"「{written}」を読み取れませんでした。")
    return _Token("qty", written, q), end


def _unit(s: str, i: int) -> tuple[str, int]:
    """The unit written at ``s[i]`` and where it ends; ``""`` when there is none."""
    m = _KANA_UNIT_RE.match(s, i)
    if m:
        return m.group(), m.end()
    unit, end = _unit_run(s, i)
    if not unit and s.startswith(" ", i):
        m = _KANA_UNIT_RE.match(s, i + 1)  # 「100 %」
        if m:
            return m.group(), m.end()
        unit, end = _unit_run(s, i + 1)
        # 「570 自治体」: a counter after a space, when nothing follows it.
        if unit not in _UNIT_SET and not (unit and (end == len(s) or s[end] in "、,/()")):
            return "", i
    return unit, end


def _unit_run(s: str, i: int) -> tuple[str, int]:
    """A counter word at ``s[i]``: the kanji / katakana up to a verb or particle after it.

    At most four characters: a longer run of kanji is not read as a unit.
    """
    m = _UNIT_RUN_RE.match(s, i)
    if not m:
        return "", i
    run = m.group()
    if run in _UNIT_SET:
        return run, i + len(run)
    for k in range(1, min(len(run) - 1, 4) + 1):
        if _split(run[k:], _TERM_RE) is not None:
            return run[:k], i + k
    # 「15食配食」「2回配食サービス」: a known counter followed by more words.
    if len(run) >= 3:
        for k in range(min(len(run) - 1, 4), 0, -1):
            if run[:k] in _UNIT_SET:
                return run[:k], i + k
    if len(run) <= 4:
        return run, i + len(run)
    return "", i


def _split(word: str, pattern: re.Pattern[str]) -> list[str] | None:
    """``word`` cut into the terms of ``pattern`` (longest first, left to right), or None."""
    terms = []
    i = 0
    while i < len(word):
        m = pattern.match(word, i)
        if not m:
            return None
        terms.append(m.group())
        i = m.end()
    return terms


@lru_cache(maxsize=4096)
def _decompose(word: str) -> frozenset[str] | None:
    """The terms ``word`` is made of when it is only particles, verbs and flags; else None."""
    terms = _split(word, _TERM_RE)
    return None if terms is None else frozenset(terms)


def _canonical_label(words: list[str]) -> str:
    """Label words as written, without particles at the end, the measure noun last.

    「アクセス数 HP」 → 「HP アクセス数」: the name of the medium first, what is counted last.
    """
    cleaned = []
    for word in words:
        stripped = _TRAILING_PARTICLES.sub("", word).strip("・")
        if stripped:
            cleaned.append(stripped)
    measures = [w for w in cleaned if w.endswith("数")]
    names = [w for w in cleaned if not w.endswith("数")]
    return " ".join(names + measures)


class _QuantityReader:
    """Reads tokens into labelled segments of quantities.

    A segment starts at a quantity preceded by label words (「田無」「参加者」) and takes
    the quantities that follow it without new label words (「田無10団体 440回/年」).
    """

    def __init__(self) -> None:
        self.segments: list[_Segment] = []
        self.pending: list[str] = []  # label words waiting for their quantity
        self.last: _Q | None = None
        self.previous = ""  # kind of the previous token
        self.of_total_q: _Q | None = None
        self.of_total: Decimal | None = None
        self.cadence: list[str] = []
        self.notes: list[str] = []
        self.understood = False  # a word such as 随時 or 実施 was read
        self.years: set[str] = set()  # year words read (「令和4年度」)
        self.subset_next = False  # 「うち」 was read: the next figure is part of the last
        self.after_no = False  # 「(320人)の」: a share may follow
        self.after_ni = False  # 「2校に」: a ratio may follow
        self.after_kara = False  # 「50件から」: a range may follow
        self.no_label = False  # 「1件の受任が」: the next figure may be counted in its group
        # The range just read with から, to undo when a change follows (「3回から4回に増」).
        self.kara: tuple[_Q, _Q, int, str] | None = None
        self.base: _Q | None = None
        self.compared: list[_Q] = []
        self.spans: list[tuple[int, int, str, Role]] = []  # roles recorded while reading

    # -- tokens ---------------------------------------------------------------------

    def feed(self, tokens: list[_Token]) -> None:
        for token in tokens:
            if token.kind not in ("word", "qty"):
                self.after_no = self.after_ni = self.after_kara = False
            if token.kind == "word":
                self._word(token.text)
            elif token.kind == "year":
                self.years.add(token.text)
                self.pending.append(token.text)
                self.previous = "year"
            elif token.kind == "qty":
                assert token.q is not None
                self._quantity(token.q)
            elif token.kind == "group":
                self._group(token.group)
            elif token.kind == "times":
                self.notes.append("掛け算（×）を読み取れませんでした。")
                self.previous = "sep"
            else:
                if token.text == ":" and self.pending and self.last is not None:
                    # 「23地区交流センター等:延べ8,188人」: a figure inside the label.
                    self.no_label = True
                self.previous = "sep"

    def _word(self, word: str) -> None:
        if not word:
            return
        # Checked before the terms, where 中 alone is only a particle (「年度中」).
        if word == "中" and self.previous == "qty" and self.last is not None:
            # 「11項目中 8項目」: the figure before 中 is the whole the next one is part of.
            self.segments[-1].quantities.pop()  # self.last, read just before
            self.of_total_q, self.last = self.last, None
            self.previous = "fill"
            return
        if self.kara is not None and self.last is self.kara[0] and _CHANGE_RE.match(word):
            # 「年3回から4回に増した」「週16人から40人まで増やす」: the figure is the new
            # one; the old one is what it is compared with.
            old, new, end, written = self.kara
            old.max, old.end, old.written, old.role = None, end, written, Role.PREVIOUS
            new.per = new.per or old.per
            self.segments[-1].quantities.remove(old)
            self.compared.append(old)
            self.segments[-1].quantities.append(new)
            self.last, self.kara = new, None
            self.understood = True
            self.previous = "fill"
            return
        self.kara = None
        marker = "うち" if "うち" in word else "の内" if "の内" in word else ""
        if marker and self.last is not None and not self.pending:
            # 「相談200件のうち新規80件」: the next figure is part of the last, never added.
            head, rest = word.split(marker, 1)
            head_terms = _decompose(head) if head else frozenset()
            if head_terms is not None:
                self._flag(self.last, head_terms)
                self.subset_next = True
                word = rest
                if not word:
                    self.previous = "fill"
                    return
        terms = _decompose(word)
        self.after_no = terms == _NO_TERM
        # 「1件の受任が2,013人」: the figure before names a group of the next one.
        if word.startswith("の") and terms is None and self.previous == "qty" and not self.pending:
            self.no_label = True
        self.after_ni = terms == _NI_TERM and self.previous == "qty"
        self.after_kara = terms == _KARA_TERM and self.previous == "qty"
        if terms is None and "各" in word and self.last is not None and not self.pending:
            # 「年1回以上各施設」: the scope of the figure before (once for each facility).
            head, scope = word.split("各", 1)
            head_terms = _decompose(head) if head else frozenset()
            if head_terms is not None and scope and self.previous in ("qty", "fill"):
                self._flag(self.last, head_terms)
                if not self.last.label:
                    self.last.label = "各" + scope
                self.understood = True
                self.previous = "fill"
                return
        if terms is not None:
            self.understood = True
            if self.last is not None and self.previous in ("qty", "fill") and not self.pending:
                self._flag(self.last, terms)
            self.previous = "fill"
            return
        if _HARMLESS_SYMBOLS.issuperset(word):
            self.previous = "sep"
            return
        self.pending.append(word)
        self.previous = "word"

    def _flag(self, q: _Q, terms: frozenset[str]) -> None:
        if terms & _PLANNED_TERMS:
            q.planned = True
        if terms & _APPROX_TERMS:
            q.approximate = True
        if terms & _INCREASE_TERMS:
            q.increase = True
        if terms & _DECREASE_TERMS:
            self.notes.append(f"「{q.written}」は減らす目標です。達成の判定を確認してください。")
        if terms & _UPPER_LIMIT_TERMS:
            self.notes.append(
                f"「{q.written}」は上限を示す目標（以内・以下・未満）です。"
                "達成の判定を確認してください。"
            )

    def _quantity(self, q: _Q) -> None:
        if self.previous == "word" and self.pending:
            rest = self._prefixes(self.pending[-1], q)
            if rest:
                self.pending[-1] = rest
            else:
                self.pending.pop()
        if q.each:
            self.spans.append((q.start, q.end, q.written, Role.SHARE_OUT))
            self.notes.append(
                f"「各{q.written}」は一つ当たりの数で、合計が分からないため目標値にしていません。"
            )
            self.pending = []
            self.last = None
            self.previous = "sep"
            return
        if q.unit == "%" and self.after_no and self.last is not None and self.segments:
            # 「登録者(320人)の10%」: the figure before is the base of the share.
            segment = self.segments[-1]
            segment.quantities.remove(self.last)
            if not segment.quantities:
                self.segments.pop()
                self.last.label = self.last.label or segment.label
            self.last.role = Role.BASE
            self.base = self.last
        self.after_no = False
        if self.after_ni and self.last is not None and not self.pending:
            # 「2校に1人」: a ratio, not two figures to track.
            self.notes.append(
                f"「{self.last.written}に{q.written}」は割合です。目標値を確認してください。"
            )
        self.after_ni = False
        if self.no_label and self.last is not None and self.last.unit != q.unit:
            self.notes.append(
                f"「{self.last.written}」と「{q.written}」のどちらが目標値か読み取れませんでした。"
            )
        self.no_label = False
        last = self.last
        if (
            self.after_kara
            and last is not None
            and not self.pending
            and q.unit == last.unit
            and q.per in ("", last.per)
            and q.max is None
            and last.max is None
            and q.value > last.value
        ):
            # 「50件から60件前後」: a range written with から (the lower bound is the bar).
            self.after_kara = False
            self.kara = (last, q, last.end, last.written)
            last.max, last.end, last.written = q.value, q.end, f"{last.written}から{q.written}"
            self.previous = "qty"
            return
        self.after_kara = False
        year = False
        label = ""
        if self.pending:
            pending = self.pending
            year = bool(self.years) and not self.years.isdisjoint(pending)
            for word in pending:
                if _LABEL_SYMBOLS.issuperset(word):
                    self.notes.append(f"「{' '.join(pending)}」を読み取れませんでした。")
                    break
            label = _canonical_label(pending)
            if label and _LIMIT_RE.search(label):
                self.notes.append(
                    f"「{label} {q.written}」は上限を示す数です。目標値を確認してください。"
                )
            self.pending = []
        if not q.unit:
            # 「開催回数: 2」「総利用者数 2,510」: the label says what is counted.
            q.unit = next((u for suffix, u in _COUNT_LABELS if label.endswith(suffix)), "")
            if not q.unit:
                self.notes.append(f"「{q.written}」に単位がありません。")
        if self.subset_next and not label and self.last is not None:
            # 「36校の内19校に実施」: a part with no name of its own is what was done, out
            # of the whole before it, as in 「11項目中 8項目」.
            self.subset_next = False
            self.of_total_q = self.last
            self.segments[-1].quantities.remove(self.last)
        if self.subset_next:
            q.role = Role.SUBSET
            q.increase = False  # 「うち新規」 counts new cases, not an increase
            self.segments.append(_Segment(label, subset=True))
            label = ""
            self.subset_next = False
        if self.of_total_q is not None:
            whole, self.of_total_q = self.of_total_q, None
            if whole.unit == q.unit:
                self.of_total = whole.value
                self.spans.append((whole.start, whole.end, whole.written, Role.WHOLE))
            else:
                self.notes.append(f"「{whole.written}中」と「{q.written}」の単位が異なります。")
        if label or not self.segments:
            self.segments.append(_Segment(label, year=year))
        self.segments[-1].quantities.append(q)
        self.last = q
        self.previous = "qty"

    @staticmethod
    def _prefixes(word: str, q: _Q) -> str:
        """Applies the prefixes at the end of ``word`` (「参加者約」) to ``q``; returns the rest.

        A lone 年 / 月 / 週 is a prefix only as a word of its own (「年24回」), so that
        「青年10人」 keeps its label; 「新規」 stays as the label of the new count.
        """
        for start in range(max(0, len(word) - 8), len(word)):
            terms = _split(word[start:], _PREFIX_RE)
            if terms is None or (
                start > 0 and terms[0] in _PER_WORDS and word[start - 1] not in "でにはを、"
            ):
                continue
            if terms[0] == "約" and word[: start + 1].endswith(_YAKU_WORDS):
                continue
            for term in terms:
                if term in _APPROX_PREFIXES:
                    q.approximate = True
                elif term in _PER_PREFIXES:
                    q.per = _PER_PREFIXES[term]
                elif term in _PER_WORDS:
                    q.per = _PER_WORDS[term]
                elif term == "各":
                    q.each = True
                elif term == "新規":
                    q.increase = True
            return word[:start] + ("新規" if "新規" in terms else "")
        return word

    def _group(self, tokens: list[_Token]) -> None:
        """A bracket: a label, a flag, a cadence, a remark, or more figures."""
        inner = _QuantityReader()
        inner.feed(_copied(tokens))
        quantities = [q for seg in inner.segments for q in seg.quantities]
        if not quantities and inner.of_total_q is None and not inner.notes:
            if inner.pending:
                # 「360回（新規相談）」: what the figure before counts.
                label = _canonical_label(inner.pending)
                if self.last is not None and not self.last.label and not self.pending:
                    self.last.label = label
                else:
                    self.pending.append(label)
                    self.previous = "sep"
            else:
                # 「（予定）」, 「（5月）」 (already read), or nothing at all.
                self.feed([t for t in tokens if t.kind == "word"])
            return
        first_word = next((t.text for t in tokens if t.kind == "word"), "")
        if first_word.startswith("各") and self.last is not None:
            # 「年8回（各圏域2回）」: how the stated total is shared out. The total is the
            # target; the share is not a second figure to track (the text keeps it).
            for q in quantities:
                self.spans.append((q.start, q.end, q.written, Role.SHARE_OUT))
            self.previous = "sep"
            return
        if (
            len(quantities) == 1
            and quantities[0].per in ("月", "週", "日")
            and not inner.pending
            and not inner.notes
            and not any(seg.label for seg in inner.segments)
            and self.last is not None
        ):
            # 「年24回（月2回）」: the cadence of the figure before.
            q = quantities[0]
            self.cadence.append(f"{q.per}{_format(q.value)}{q.unit}")
            self.spans.append((q.start, q.end, q.written, Role.CADENCE))
            self.previous = "sep"
            return
        self.feed(tokens)
        self.previous = "sep"

    # -- result ---------------------------------------------------------------------

    def finish(self, *, scheduled: bool = False) -> None:
        """Ends the reading; ``scheduled`` says the schedule reader found a schedule."""
        # A year alone says when, not what: 「令和3年度中に実施」.
        if self.pending and self.years:
            self.pending = [word for word in self.pending if word not in self.years]
        if (
            self.pending
            and (self.last is not None or scheduled)
            and all(map(_is_description, self.pending))
        ):
            # 「1,237件の相談に対応」: what the figure counts; 「総会の開催 6月17日」: what
            # is done on the date.
            self.pending = []
        if self.pending:
            self.notes.append(f"「{' '.join(self.pending)}」を読み取れませんでした。")
            self.pending = []
        if self.of_total_q is not None:
            self.notes.append(f"「{self.of_total_q.written}中」の後に数値がありません。")
            self.of_total_q = None
        self.segments = [seg for seg in self.segments if seg.quantities]

    def result(self) -> tuple[tuple[Quantity, ...], tuple[Part, ...]]:
        """The quantities (main first) and, for a breakdown, its parts.

        Every figure read gets its role here (``_Q.role``); ``self.compared`` and
        ``self.base`` hold the figures that are not targets.
        """
        segments = self.segments
        if len(segments) == 1 and len(segments[0].quantities) == 1:
            # The usual target, one figure: nothing to compare, add or share out.
            seg, q = segments[0], segments[0].quantities[0]
            if seg.label:
                q.label = seg.label
            if q.role is None:
                q.role = Role.TOTAL if q.label in _TOTAL_LABELS else Role.MAIN
            return (q.freeze(),), ()
        labelled = any(seg.label for seg in segments)
        # 「予算2,400千円（前年度2,350千円）」: a previous or baseline value is compared
        # with, never tracked nor added — unless it is all the text says.
        compared = [_is_comparison(seg.label) for seg in segments] if labelled else []
        if compared and any(compared) and not all(compared):
            for seg, is_compared in zip(segments, compared, strict=True):
                if is_compared:
                    for position, q in enumerate(seg.quantities):
                        q.role = Role.PREVIOUS
                        q.label = seg.label if position == 0 else q.label
                        self.compared.append(q)
            segments = [seg for seg, c in zip(segments, compared, strict=True) if not c]
        years = {seg.label for seg in segments if seg.year} if self.years else set()
        if len(years) >= 2:
            # 「R4:12件、R5:15件」: one target per year; which one is this year's is for a
            # person to say (the parser does not know the plan's year).
            self.notes.append(
                f"年度ごとの目標値です（{'・'.join(sorted(years))}）。"
                "今年度の目標値を確認してください。"
            )
        elif labelled and _is_breakdown(segments):
            totals = _breakdown_totals(segments)
            if all(_storable(v) for q in totals for v in (q.value, q.max) if v is not None):
                for seg in segments:
                    for q in seg.quantities:
                        q.role = Role.PART
                parts = tuple(
                    Part(seg.label, tuple(q.freeze(label="") for q in seg.quantities))
                    for seg in segments
                )
                return totals, parts
            self.notes.append("内訳の合計が大きすぎるため、合計を出していません。")
        listed: list[_Q] = []
        for seg in segments:
            for position, q in enumerate(seg.quantities):
                if position == 0 and seg.label:
                    q.label = seg.label
                listed.append(q)
        parts: tuple[Part, ...] = ()
        if labelled and len(listed) > 2:
            listed, parts = self._stated_total(listed)
        seen: set[tuple[str, str]] = set()
        for q in listed:
            if q.role is None and (q.unit, q.per) in seen and not q.label:
                # 「34,000部・34,000部・33,000部」: a list of one kind of figure — a total,
                # one per year, one per place? That is for a person to say.
                self.notes.append(
                    f"「{q.written}」は同じ単位の数値の並びです。目標値を確認してください。"
                )
                break
            seen.add((q.unit, q.per))
        whole = next((q for q in listed[1:] if q.label == "全" and q.role is None), None)
        if whole is not None:
            # 「1回2時間 全5回」: 全 names the whole count, the target.
            whole.role = Role.TOTAL
            listed = [whole, *(q for q in listed if q is not whole)]
        for position, q in enumerate(listed):
            if q.role is None:
                q.role = (
                    Role.TOTAL
                    if q.label in _TOTAL_LABELS
                    else Role.MAIN
                    if position == 0
                    else Role.SECONDARY
                )
        return tuple(q.freeze() for q in listed), parts

    def _stated_total(self, listed: list[_Q]) -> tuple[list[_Q], tuple[Part, ...]]:
        """「市内8保育園、3幼稚園（計11園）」: a stated 計 over two or more figures before
        it of its kind is the main quantity, and those figures are its parts. The stated
        total wins; when the parts do not add up to it, the text is 要確認.
        """
        for index, total in enumerate(listed):
            if total.label not in _TOTAL_LABELS or total.role is not None:
                continue
            before = [
                q
                for q in listed[:index]
                if q.role is None
                and (q.unit.endswith(total.unit) or total.unit.endswith(q.unit))
                and q.per == total.per
            ]
            if len(before) < 2:
                continue
            added = sum((q.value for q in before), Decimal(0))
            if added != total.value:
                self.notes.append(
                    f"内訳の合計（{_format(added)}{total.unit}）と"
                    f"「{total.written}」が一致しません。"
                )
            total.role = Role.TOTAL
            for q in before:
                q.role = Role.PART
            parts = tuple(Part(q.label, (q.freeze(label=""),)) for q in before)
            rest = [q for q in listed if q is not total and q not in before]
            return [total, *rest], parts
        return listed, ()

    def roles(self) -> list[tuple[int, int, str, Role]]:
        """Where each figure read is written and its role (after ``result``)."""
        spans = list(self.spans)
        seen: set[int] = set()
        for q in (*self.all_read(), *self.compared, *([self.base] if self.base else [])):
            if q.role is not None and id(q) not in seen:
                seen.add(id(q))
                spans.append((q.start, q.end, q.written, q.role))
        return spans

    def all_read(self) -> list[_Q]:
        return [q for seg in self.segments for q in seg.quantities]


_TOTAL_LABELS = frozenset({"計", "合計", "総計", "総数"})
_NO_TERM, _NI_TERM, _KARA_TERM = frozenset({"の"}), frozenset({"に"}), frozenset({"から"})
_CHANGE_RE = re.compile(r"(?:に|へ|まで)(?:増|拡|伸|引き上げ)")
_LIMIT_LABELS = ("上限", "限度", "最大", "最高")
_LABEL_SYMBOLS = frozenset("~・.…―ー_-")  # a label of these alone is a stray mark
# A figure without a unit takes it from a label naming a count (「開催回数」 → 回).
_COUNT_LABELS: tuple[tuple[str, str], ...] = (
    ("回数", "回"), ("件数", "件"), ("人数", "人"), ("者数", "人"), ("団体数", "団体"),
    ("世帯数", "世帯"), ("か所数", "か所"), ("箇所数", "か所"), ("施設数", "施設"),
    ("校数", "校"), ("部数", "部"), ("枚数", "枚"), ("日数", "日"), ("時間数", "時間"),
)  # fmt: skip
# Words after the last figure that say what it counts (「の相談に対応」, 「配食」) are read
# as a description — unless they could change the figure's meaning.
_DESCRIPTION_RE = re.compile(r"[\u3041-\u309f\u30a1-\u30fa\u30fc\u4e00-\u9fff々A-Za-z・]+")
_DANGER_WORDS = (
    "中止", "休止", "廃止", "未", "なし", "無し", "減", "以下", "以内", "未満", "見送", "延期",
    "除", "不", "止", "前年", "比", "うち", "増", "差", "累計", "平均", "割", "倍", "当た",
    "あたり", "以外", "最大", "最低", "上限", "下限", "まで", "のみ", "だけ", "ずつ", "毎",
    "各", "計", "延べ", "のべ", "見込", "予定", "程度", "約", "率",
)  # fmt: skip
# Labels of a value the target is compared with, not a target (「前年度2,350千円」).
_COMPARISON_WORDS = ("前年", "昨年", "前回", "現状", "現在", "基準", "実績", "策定時")


_DANGER_RE = re.compile(_alternation(_DANGER_WORDS))
_COMPARISON_RE = re.compile(_alternation(_COMPARISON_WORDS))
_LIMIT_RE = re.compile(_alternation(_LIMIT_LABELS))


def _is_description(word: str) -> bool:
    return bool(_DESCRIPTION_RE.fullmatch(word)) and not _DANGER_RE.search(word)


def _is_comparison(label: str) -> bool:
    return bool(label) and _COMPARISON_RE.search(label) is not None


def _is_breakdown(segments: list[_Segment]) -> bool:
    """Two or more segments, each labelled by a place or line, with the same units.

    Labels naming a measure (「フォロワー数」) or a role (「参加者」), and 計 / 新規, are not
    places: such figures are different measures and are never summed.
    """
    if len(segments) < 2:
        return False
    for seg in segments:
        if seg.subset:
            return False
        label = seg.label
        if (
            not label
            or label in _NOT_PART_LABELS
            or label.startswith(("各", "の"))
            or label.endswith(("数", "者", "額", "率", "費"))
        ):
            return False
    signature = [(q.unit, q.per) for q in segments[0].quantities]
    return all([(q.unit, q.per) for q in seg.quantities] == signature for seg in segments)


def _breakdown_totals(segments: list[_Segment]) -> tuple[Quantity, ...]:
    """One total per figure of the breakdown, the one saying what is done first."""
    width = len(segments[0].quantities)
    totals = []
    for position in range(width):
        column = [seg.quantities[position] for seg in segments]
        total = sum((q.value for q in column), Decimal(0))
        upper = None
        if any(q.max is not None for q in column):
            upper = sum((q.max if q.max is not None else q.value for q in column), Decimal(0))
        totals.append(
            Quantity(
                value=total,
                unit=column[0].unit,
                max=upper,
                approximate=any(q.approximate for q in column),
                planned=any(q.planned for q in column),
                increase=all(q.increase for q in column),
                per=column[0].per,
            )
        )
    totals.sort(key=lambda q: 0 if q.unit in _ACTIVITY_UNITS or q.per else 1)
    return tuple(totals)


# ---------------------------------------------------------------------------------------
# Putting it together
# ---------------------------------------------------------------------------------------


def _frozen[T](cls: type[T], /, **values: Any) -> T:
    """``cls(**values)`` for a frozen dataclass of ``targets.types``, every field given,
    without its ``__init__``: the ``object.__setattr__`` per field of a frozen dataclass
    was a fifth of a parse (a ParsedTarget and its Quantities each time, bench/).

    These classes have no ``__post_init__`` and no slots, so the object is the same
    (equal, same hash); ``tests/test_target_parser.py`` checks that every field is given.
    """
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj


def _parse(text: str, detail: str) -> ParsedTarget:
    s = _normalise(text)
    if _NONE_RE.fullmatch(s):
        return ParsedTarget(text=text, kind=Kind.NONE)

    reader = _ScheduleReader(s, strict=True)
    rest, schedule = reader.read()
    notes = reader.notes
    quantity_reader = _QuantityReader()
    quantity_reader.feed(_tokenise(rest, notes, schedule.years))
    quantity_reader.finish(
        scheduled=bool(
            schedule.months
            or schedule.dates
            or schedule.cadence
            or schedule.deadline
            or schedule.start
            or schedule.halves
            or schedule.times
        )
    )
    quantities, parts = quantity_reader.result()
    notes += quantity_reader.notes
    if schedule.rate and quantities and not quantities[0].per:
        main = _frozen(Quantity, **{**vars(quantities[0]), "per": schedule.rate})
        quantities = (main, *quantities[1:])

    from_detail = _NO_SCHEDULE
    detail_s = _normalise(detail) if detail else ""
    if detail_s:
        from_detail = _ScheduleReader(detail_s, strict=False).read()[1]

    factors: list[Factor] = schedule.factors
    product_text = schedule.product_text
    if not factors and quantities:
        factors, product_text = from_detail.factors, from_detail.product_text
    if schedule.more_products:
        # Several products are added only to check a stated total; without one they are
        # 要確認 (a sum is computed only where the text states it).
        product = sum(
            (_product_of(f) for f, _ in [(factors, ""), *schedule.more_products]), Decimal(0)
        )
        main = quantities[0] if quantities else None
        if main is None or main.value != product:
            notes.append(f"掛け算が複数あります（「{schedule.more_products[0][1]}」）。")
    elif factors:
        product = _product_of(factors)
        if quantities:
            main = quantities[0]
            upper = main.value if main.max is None else main.max
            if not main.value <= product <= upper:
                notes.append(
                    f"掛け算「{product_text}」（{_format(product)}）と"
                    f"目標値（{_format(main.value)}{main.unit}）が一致しません。"
                )
        else:
            units = {f.unit for f in factors} - _PLACE_OR_PERIOD_UNITS
            if len(units) == 1 and _storable(product):
                quantities = (Quantity(value=product, unit=units.pop()),)
            else:
                notes.append(f"掛け算「{product_text}」の結果の単位を決められません。")

    pieces = [piece for _, piece in sorted(schedule.cadence)] + quantity_reader.cadence
    understood_schedule = bool(
        pieces or schedule.months or schedule.dates or schedule.halves or schedule.factors
    ) or bool(schedule.deadline or schedule.start)
    if not pieces:
        pieces = [piece for _, piece in sorted(from_detail.cadence)]
    cadence = "、".join(dict.fromkeys(pieces))

    understood_schedule = understood_schedule or bool(
        schedule.times or schedule.every_years or schedule.rate
    )
    numbers = _numbers(s, reader.spans + quantity_reader.roles(), notes)

    kind = Kind.QUANTITY if quantities else Kind.QUALITATIVE
    if kind == Kind.QUALITATIVE and not (
        notes or quantity_reader.understood or understood_schedule
    ):
        notes.append("目標値を読み取れませんでした。")
    return _frozen(
        ParsedTarget,
        text=text,
        kind=kind,
        needs_review=bool(notes),
        quantities=quantities,
        months=_fiscal_sorted(schedule.months or from_detail.months),
        dates=tuple(dict.fromkeys(schedule.dates or from_detail.dates)),
        halves=tuple(sorted(schedule.halves or from_detail.halves)),
        deadline_month=schedule.deadline or from_detail.deadline,
        start_month=schedule.start or from_detail.start,
        cadence=cadence,
        factors=tuple(factors),
        parts=parts,
        of_total=quantity_reader.of_total,
        qualitative_text=_ASCII_GAP_RE.sub("", s) if kind == Kind.QUALITATIVE else "",
        notes=tuple(dict.fromkeys(notes)),
        compared=tuple(q.freeze() for q in quantity_reader.compared),
        base=None if quantity_reader.base is None else quantity_reader.base.freeze(),
        every_years=schedule.every_years,
        times=tuple(schedule.times),
        numbers=numbers,
    )


def _product_of(factors: list[Factor]) -> Decimal:
    product = Decimal(1)
    for factor in factors:
        product *= factor.value
    return product


_NUMBER_RE = re.compile(r"[0-9]+(?:[,.][0-9]+)*")


def _numbers(
    s: str, spans: list[tuple[int, int, str, Role]], notes: list[str]
) -> tuple[Number, ...]:
    """Every number of ``s`` with its role, in the order written.

    A number no step gave a role to is noted, which makes the target 要確認: the rule
    that a figure the parser cannot place is never silently dropped nor guessed.
    """
    if len(spans) > 1:
        spans.sort(key=_span_start)
    for m in _NUMBER_RE.finditer(s):
        at = m.start()
        for start, end, _, _ in spans:
            if start <= at < end:
                break
        else:
            notes.append(f"「{m.group()}」が何の数か読み取れませんでした。")
    return tuple([_number_role(text, role) for _, _, text, role in spans])


def _span_start(span: tuple[int, int, str, Role]) -> int:
    return span[0]


@lru_cache(maxsize=4096)
def _number_role(text: str, role: Role) -> Number:
    # Numbers are immutable and few texts are new: build each one once (bench/parser.py).
    return _frozen(Number, text=text, role=role)
