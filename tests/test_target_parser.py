"""The 目標値 parser, against every target of the 令和2年度 plan and the DESIGN.md examples.

Every expected structure below was worked out by hand from the text (DESIGN.md, "目標値:
what a target can say"), not copied from the parser's output. Each row states the whole
structure: fields a row does not mention must be empty.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from plans.demo import DEMO_PLAN_PATH
from targets.parser import parse_target, target_from_dict, target_to_dict
from targets.types import Factor, Kind, Number, ParsedTarget, Part, Quantity, Role

PLAN_JSON = DEMO_PLAN_PATH


def _plan_items() -> list[dict[str, Any]]:
    data = json.loads(PLAN_JSON.read_text(encoding="utf-8"))
    return [
        item
        for department in data["departments"]
        for section in department["sections"]
        for business in section["businesses"]
        for initiative in business["initiatives"]
        for item in initiative["items"]
    ]


PLAN_ITEMS = _plan_items()


# -- building expectations ------------------------------------------------------------


def q(
    value: int | str,
    unit: str,
    *,
    max: int | str | None = None,
    label: str = "",
    approximate: bool = False,
    planned: bool = False,
    increase: bool = False,
    per: str = "",
) -> Quantity:
    return Quantity(
        value=Decimal(value),
        unit=unit,
        max=None if max is None else Decimal(max),
        label=label,
        approximate=approximate,
        planned=planned,
        increase=increase,
        per=per,
    )


def f(value: int, unit: str) -> Factor:
    return Factor(Decimal(value), unit)


def quantity(*quantities: Quantity, **fields: Any) -> dict[str, Any]:
    return {"kind": Kind.QUANTITY, "quantities": quantities, **fields}


def qualitative(text: str, **fields: Any) -> dict[str, Any]:
    return {"kind": Kind.QUALITATIVE, "qualitative_text": text, **fields}


NONE: dict[str, Any] = {"kind": Kind.NONE}
ALL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)

_EMPTY = {
    "needs_review": False,
    "quantities": (),
    "months": (),
    "dates": (),
    "halves": (),
    "deadline_month": None,
    "start_month": None,
    "cadence": "",
    "factors": (),
    "parts": (),
    "of_total": None,
    "qualitative_text": "",
    "compared": (),
    "base": None,
    "every_years": None,
    "times": (),
}


def assert_parsed(parsed: ParsedTarget, expected: dict[str, Any]) -> None:
    """The whole structure; the role of each number only where the row states it."""
    want = {**_EMPTY, **expected}
    got = {name: getattr(parsed, name) for name in want}
    assert got == want
    assert parsed.needs_review == bool(parsed.notes), "要確認 exactly when there is a note"


# -- every distinct target of the plan, alone -------------------------------------------

PLAN_TARGETS: list[tuple[str, dict[str, Any]]] = [
    ("", NONE),
    ("―", NONE),
    # one quantity
    ("1,000行事", quantity(q(1000, "行事"))),
    ("1,500件", quantity(q(1500, "件"))),
    ("100個", quantity(q(100, "個"))),
    ("10件", quantity(q(10, "件"))),
    ("10回", quantity(q(10, "回"))),
    ("10団体", quantity(q(10, "団体"))),
    ("12回", quantity(q(12, "回"))),
    ("130名", quantity(q(130, "人"))),
    ("15名", quantity(q(15, "人"))),
    ("1人", quantity(q(1, "人"))),
    ("1台", quantity(q(1, "台"))),
    ("1回", quantity(q(1, "回"))),
    ("2,500人", quantity(q(2500, "人"))),
    ("200回", quantity(q(200, "回"))),
    ("20回", quantity(q(20, "回"))),
    ("215名", quantity(q(215, "人"))),
    ("220回", quantity(q(220, "回"))),
    ("22回", quantity(q(22, "回"))),
    ("24回", quantity(q(24, "回"))),
    ("276回", quantity(q(276, "回"))),
    ("2回", quantity(q(2, "回"))),
    ("2校", quantity(q(2, "校"))),
    ("3,000枚", quantity(q(3000, "枚"))),
    ("3,200件", quantity(q(3200, "件"))),
    ("3,650人", quantity(q(3650, "人"))),
    ("3000部", quantity(q(3000, "部"))),
    ("30件", quantity(q(30, "件"))),
    ("30回", quantity(q(30, "回"))),
    ("360か所", quantity(q(360, "か所"))),
    ("384日", quantity(q(384, "日"))),
    ("3件", quantity(q(3, "件"))),
    ("3回", quantity(q(3, "回"))),
    ("3駅", quantity(q(3, "駅"))),
    ("48回", quantity(q(48, "回"))),
    ("4か所", quantity(q(4, "か所"))),
    ("4回", quantity(q(4, "回"))),
    ("4駅", quantity(q(4, "駅"))),
    ("500件", quantity(q(500, "件"))),
    ("50か所", quantity(q(50, "か所"))),
    ("50世帯", quantity(q(50, "世帯"))),
    ("52回", quantity(q(52, "回"))),
    ("5回", quantity(q(5, "回"))),
    ("6,000回", quantity(q(6000, "回"))),
    ("600件", quantity(q(600, "件"))),
    ("60名", quantity(q(60, "人"))),
    ("650回", quantity(q(650, "回"))),
    ("67か所", quantity(q(67, "か所"))),
    ("6回", quantity(q(6, "回"))),
    ("70人", quantity(q(70, "人"))),
    ("73か所", quantity(q(73, "か所"))),
    ("73枚", quantity(q(73, "枚"))),
    ("7回", quantity(q(7, "回"))),
    ("85件", quantity(q(85, "件"))),
    ("8回", quantity(q(8, "回"))),
    ("9,600時間", quantity(q(9600, "時間"))),
    ("9人", quantity(q(9, "人"))),
    ("１回", quantity(q(1, "回"))),
    ("２回", quantity(q(2, "回"))),
    ("５件", quantity(q(5, "件"))),
    ("５回", quantity(q(5, "回"))),
    ("28事業を評価", quantity(q(28, "事業"))),
    # planned, approximate, increase
    ("7回予定", quantity(q(7, "回", planned=True))),
    ("2,100件程度", quantity(q(2100, "件", approximate=True))),
    ("30人増", quantity(q(30, "人", increase=True))),
    # money, in yen
    ("170万円", quantity(q(1_700_000, "円"))),
    ("200万円", quantity(q(2_000_000, "円"))),
    ("253万円", quantity(q(2_530_000, "円"))),
    ("70万円", quantity(q(700_000, "円"))),
    ("30万円/年1回", quantity(q(300_000, "円"), q(1, "回", per="年"))),
    ("30万円/100カ所", quantity(q(300_000, "円"), q(100, "か所"))),
    # ranges: the lower bound is the bar
    ("1～2校", quantity(q(1, "校", max=2))),
    ("2～3件", quantity(q(2, "件", max=3))),
    ("2～3回", quantity(q(2, "回", max=3))),
    ("4～5回", quantity(q(4, "回", max=5))),
    ("各館 年1～2回", quantity(q(1, "回", max=2, per="年", label="各館"))),
    # per year
    ("1回/年", quantity(q(1, "回", per="年"))),
    ("20回/年", quantity(q(20, "回", per="年"))),
    ("240件／年", quantity(q(240, "件", per="年"))),
    ("2回/年", quantity(q(2, "回", per="年"))),
    ("3回/年", quantity(q(3, "回", per="年"))),
    ("4回/年", quantity(q(4, "回", per="年"))),
    ("6回/年", quantity(q(6, "回", per="年"))),
    ("延べ20件/年", quantity(q(20, "件", per="年"))),
    ("年10回", quantity(q(10, "回", per="年"))),
    ("年16回", quantity(q(16, "回", per="年"))),
    ("年1回", quantity(q(1, "回", per="年"))),
    ("年１回", quantity(q(1, "回", per="年"))),
    ("年2回", quantity(q(2, "回", per="年"))),
    ("年4回", quantity(q(4, "回", per="年"))),
    ("年間1235回 を予定", quantity(q(1235, "回", per="年", planned=True))),
    ("年間171回 を予定", quantity(q(171, "回", per="年", planned=True))),
    ("年間262回 を予定", quantity(q(262, "回", per="年", planned=True))),
    ("年間343回 を予定", quantity(q(343, "回", per="年", planned=True))),
    # cadence in brackets; a share-out in brackets is a remark, not a figure
    ("年12回 （月1回）", quantity(q(12, "回", per="年"), cadence="月1回")),
    ("年24回 （月2回）", quantity(q(24, "回", per="年"), cadence="月2回")),
    ("年8回 (各圏域2回)", quantity(q(8, "回", per="年"))),
    # a main quantity and secondary ones
    ("1回 15事業所", quantity(q(1, "回"), q(15, "事業所"))),
    ("1回 参加・協力者 200人", quantity(q(1, "回"), q(200, "人", label="参加・協力者"))),
    ("1回（160人）", quantity(q(1, "回"), q(160, "人"))),
    ("1回（20名）", quantity(q(1, "回"), q(20, "人"))),
    ("1回（30人）", quantity(q(1, "回"), q(30, "人"))),
    ("１回（200人）", quantity(q(1, "回"), q(200, "人"))),
    ("１回（8団体）", quantity(q(1, "回"), q(8, "団体"))),
    ("2回（40人）", quantity(q(2, "回"), q(40, "人"))),
    ("2回 （100,000円）", quantity(q(2, "回"), q(100_000, "円"))),
    ("6日 （30時間）", quantity(q(6, "日"), q(30, "時間"))),
    ("360回 （新規相談）", quantity(q(360, "回", label="新規相談"))),
    (
        "年1回（5月） 参加者約70人",
        quantity(q(1, "回", per="年"), q(70, "人", label="参加者", approximate=True), months=(5,)),
    ),
    (
        "新規１カ所 計2ヶ所 （20,000円）",
        quantity(
            q(1, "か所", label="新規", increase=True), q(2, "か所", label="計"), q(20_000, "円")
        ),
    ),
    ("11項目中 8項目を作成", quantity(q(8, "項目"), of_total=Decimal(11))),
    ("面接2回実施 1月末日までに 終了", quantity(q(2, "回", label="面接"), deadline_month=1)),
    # different measures: each labelled, never summed
    (
        "アクセス数 HP 40,000件/年 Facebook ﾌｫﾛﾜｰ数300人 twitter ﾌｫﾛﾜｰ数 200人",
        quantity(
            q(40_000, "件", label="HP アクセス数", per="年"),
            q(300, "人", label="Facebook フォロワー数"),
            q(200, "人", label="twitter フォロワー数"),
        ),
    ),
    # breakdowns by place or line: the totals, then the parts
    (
        "田無10団体 440回/年 保谷6団体 260回/年",
        quantity(
            q(700, "回", per="年"),
            q(16, "団体"),
            parts=(
                Part("田無", (q(10, "団体"), q(440, "回", per="年"))),
                Part("保谷", (q(6, "団体"), q(260, "回", per="年"))),
            ),
        ),
    ),
    (
        "田無25団体 保谷4団体",
        quantity(
            q(29, "団体"), parts=(Part("田無", (q(25, "団体"),)), Part("保谷", (q(4, "団体"),)))
        ),
    ),
    (
        "社協だより 48万円 ホームページ 40万円",
        quantity(
            q(880_000, "円"),
            parts=(
                Part("社協だより", (q(480_000, "円"),)),
                Part("ホームページ", (q(400_000, "円"),)),
            ),
        ),
    ),
    # qualitative
    ("上半期実施", qualitative("上半期実施", halves=(1,))),
    ("4月～", qualitative("4月~", start_month=4)),
    ("実施に向けて検討", qualitative("実施に向けて検討")),
    ("必要に応じて 実施", qualitative("必要に応じて実施")),
    ("検討・実施", qualitative("検討・実施")),
    ("臨機に受付", qualitative("臨機に受付")),
    ("通年", qualitative("通年")),
    ("適宜", qualitative("適宜")),
    ("随時", qualitative("随時")),
    ("随時実施", qualitative("随時実施")),
    ("随時開催", qualitative("随時開催")),
]


def test_the_table_covers_every_distinct_target_of_the_plan() -> None:
    in_plan = {item["target"] for item in PLAN_ITEMS}
    in_table = [text for text, _ in PLAN_TARGETS]
    assert len(in_table) == len(set(in_table)), "a target is listed twice"
    assert len(in_plan) == 128
    assert set(in_table) == in_plan


@pytest.mark.parametrize(("text", "expected"), PLAN_TARGETS, ids=[t for t, _ in PLAN_TARGETS])
def test_plan_target(text: str, expected: dict[str, Any]) -> None:
    assert_parsed(parse_target(text), expected)


# Plan items (目標値, 内容) that are 要確認, with why. Every item of the plan is read today.
EXPECTED_REVIEW: list[tuple[str, str]] = []


def test_at_least_95_percent_of_the_plan_items_need_no_review() -> None:
    flagged = []
    for item in PLAN_ITEMS:
        parsed = parse_target(item["target"], item["detail"])
        if parsed.needs_review:
            flagged.append((item["target"], item["detail"], parsed.notes))
    listing = "\n".join(map(repr, flagged))
    assert len(PLAN_ITEMS) == 320
    assert len(flagged) <= len(PLAN_ITEMS) * 5 // 100, listing
    assert [(target, detail) for target, detail, _ in flagged] == EXPECTED_REVIEW, listing


# -- (target, 内容) pairs of the plan: the schedule or the product is in 内容 ------------

PLAN_PAIRS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "7回予定",
        "5月、6月、9月、11月、2月、3月の定例開催の他、臨時に開催",
        quantity(q(7, "回", planned=True), months=(5, 6, 9, 11, 2, 3)),
    ),
    ("2回", "5月、11月に開催", quantity(q(2, "回"), months=(5, 11))),
    ("2回", "上半期、下半期に各１回", quantity(q(2, "回"), halves=(1, 2))),
    ("12回", "法の規定により開催", quantity(q(12, "回"))),
    (
        "30万円/年1回",
        "2020年9月10日（木）",
        quantity(q(300_000, "円"), q(1, "回", per="年"), dates=(date(2020, 9, 10),), months=(9,)),
    ),
    (
        "30万円/年1回",
        "市民まつりへの出店（11月）",
        quantity(q(300_000, "円"), q(1, "回", per="年"), months=(11,)),
    ),
    (
        "年4回",
        "社協だより等でのPR（6月、10月、12月、3月）",
        quantity(q(4, "回", per="年"), months=(6, 10, 12, 3)),
    ),
    ("1回", "12月に開催", quantity(q(1, "回"), months=(12,))),
    ("2回", "5月、3月に総会開催", quantity(q(2, "回"), months=(5, 3))),
    ("6回", "5月、7月、10月、12月、2月、3月", quantity(q(6, "回"), months=(5, 7, 10, 12, 2, 3))),
    ("4回", "5月、8月、10月，2月に開催", quantity(q(4, "回"), months=(5, 8, 10, 2))),
    ("4～5回", "3か月に1回", quantity(q(4, "回", max=5), cadence="3か月に1回")),
    ("2回", "6月、12月", quantity(q(2, "回"), months=(6, 12))),
    ("220回", "20地区×11月", quantity(q(220, "回"), factors=(f(20, "地区"), f(11, "月")))),
    ("1回", "1回", quantity(q(1, "回"))),
    (
        "384日",
        "週1回×8ケ所×4週×12月",
        quantity(q(384, "日"), factors=(f(1, "回"), f(8, "か所"), f(4, "週"), f(12, "月"))),
    ),
    ("2回", "年2回", quantity(q(2, "回"))),
    ("48回", "8ケ所×6回", quantity(q(48, "回"), factors=(f(8, "か所"), f(6, "回")))),
    ("2回", "7月、12月に開催", quantity(q(2, "回"), months=(7, 12))),
    ("8回", "8拠点×1回", quantity(q(8, "回"), factors=(f(8, "拠点"), f(1, "回")))),
    ("200万円", "4月、1地区あたり上限10万円", quantity(q(2_000_000, "円"), months=(4,))),
    ("70万円", "5月に実施", quantity(q(700_000, "円"), months=(5,))),
    (
        "4回",
        "不定期(概ね月1回、4月～7月)",
        quantity(q(4, "回"), months=(4, 5, 6, 7), cadence="月1回"),
    ),
    ("1回", "7月に開催", quantity(q(1, "回"), months=(7,))),
    ("随時", "不定期", qualitative("随時")),
    ("3回", "7月、10月、3月頃に開催。", quantity(q(3, "回"), months=(7, 10, 3))),
    ("8回", "6月、1～2月頃に、年2回4か所で開催。", quantity(q(8, "回"), months=(6, 1, 2))),
    (
        "1回",
        "訪問協力員活動や日々の見守りに関する意識づけのために、研修として年度末に開催。",
        quantity(q(1, "回"), months=(3,)),
    ),
    (
        "50世帯",
        "世帯状況に合わせて訪問（2ヶ月～1年に1回程度）、必要に応じて地域福祉コーディネーター等と同行",
        quantity(q(50, "世帯")),
    ),
    ("52回", "週1回実施", quantity(q(52, "回"), cadence="週1回")),
    ("12回", "月1回実施\u3000第4水曜日", quantity(q(12, "回"), cadence="月1回、第4水曜日")),
    ("12回", "月1回職員による訪問", quantity(q(12, "回"), cadence="月1回")),
    ("12回", "毎月", quantity(q(12, "回"), cadence="月1回")),
    (
        "4回/年",
        "連絡会会議への参加（四半期に1度程度・臨時会議有り）",
        quantity(q(4, "回", per="年"), cadence="四半期に1回"),
    ),
    (
        "延べ20件/年",
        "9月～12月に実施 学校の依頼に基づき、各種体験や講演会に協力いいただける講師や"
        "ボランティアグループとの調整を行う",
        quantity(q(20, "件", per="年"), months=(9, 10, 11, 12)),
    ),
    (
        "6回/年",
        "奇数月の第2火曜日に開催",
        quantity(q(6, "回", per="年"), months=(5, 7, 9, 11, 1, 3), cadence="奇数月の第2火曜日"),
    ),
    ("2回/年", "不定期開催（概ね4月・1月）", quantity(q(2, "回", per="年"), months=(4, 1))),
    (
        "4回/年",
        "4月・7月・10月・1月に開催",
        quantity(q(4, "回", per="年"), months=(4, 7, 10, 1)),
    ),
    (
        "3回/年",
        "不定期開催（概ね6月･9月･2月）",
        quantity(q(3, "回", per="年"), months=(6, 9, 2)),
    ),
    (
        "4回",
        "機関紙「ゆめこらぼ通信」の発行(6月、9月、12月、3月)",
        quantity(q(4, "回"), months=(6, 9, 12, 3)),
    ),
    ("1回", "団体紹介冊子の発行（1月）", quantity(q(1, "回"), months=(1,))),
    ("1回", "団体交流会の開催 6月に開催", quantity(q(1, "回"), months=(6,))),
    ("7回", "必要に応じて、第3火曜日に開催", quantity(q(7, "回"), cadence="第3火曜日")),
    ("6日 （30時間）", "1月～2月に開催", quantity(q(6, "日"), q(30, "時間"), months=(1, 2))),
    (
        "年1回",
        "10～11月に実施。\u3000※令和元年度は「ひばりヶ丘駅～新座市平林寺」を散策。",
        quantity(q(1, "回", per="年"), months=(10, 11)),
    ),
    (
        "年1回",
        "11月13日実施予定。こもれびホール大ホール",
        quantity(q(1, "回", per="年"), months=(11,)),
    ),
    (
        "年16回",
        "6月～3月、富士町福祉会館・多摩六都科学館等で実施",
        quantity(q(16, "回", per="年"), months=(6, 7, 8, 9, 10, 11, 12, 1, 2, 3)),
    ),
    (
        "年10回",
        "カラダのゆがみ改善講座。前期・後期各5回実施。",
        quantity(q(10, "回", per="年"), halves=(1, 2)),
    ),
    (
        "年2回",
        "「健康講座」として、健康増進についての講座を開催（9～10月を予定）",
        quantity(q(2, "回", per="年"), months=(9, 10)),
    ),
    (
        "年2回",
        "文化的テーマで、単発の講座を2回開催 （1～2月を予定） ※令和元年度「金融経済学入門」",
        quantity(q(2, "回", per="年"), months=(1, 2)),
    ),
    (
        "年間262回 を予定",
        "4月～3月まで、月4回の予定で実施",
        quantity(q(262, "回", per="年", planned=True), months=ALL_MONTHS, cadence="月4回"),
    ),
    (
        "年間171回 を予定",
        "5月～3月に「パステルアート」「健康麻雀教室」等9教室を開催",
        quantity(q(171, "回", per="年", planned=True), months=ALL_MONTHS[1:]),
    ),
    (
        "年1回（5月） 参加者約70人",
        "地域のつながりづくりを推進するための情報共有（説明会）実施",
        quantity(q(1, "回", per="年"), q(70, "人", label="参加者", approximate=True), months=(5,)),
    ),
    ("―", "", NONE),
]


def test_the_pairs_are_taken_from_the_plan() -> None:
    in_plan = {(item["target"], item["detail"]) for item in PLAN_ITEMS}
    missing = [(t, d) for t, d, _ in PLAN_PAIRS if (t, d) not in in_plan]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "detail", "expected"), PLAN_PAIRS, ids=[f"{t}|{d[:20]}" for t, d, _ in PLAN_PAIRS]
)
def test_plan_target_with_detail(text: str, detail: str, expected: dict[str, Any]) -> None:
    assert_parsed(parse_target(text, detail), expected)


# -- every number has a role (issue #17): the shapes other councils write ------------


def n(text: str, role: Role) -> Number:
    return Number(text, role)


SHAPES: list[tuple[str, dict[str, Any]]] = [
    # numbers in kanji, before a counter
    ("二十件", quantity(q(20, "件"), numbers=(n("20件", Role.MAIN),))),
    ("年四回", quantity(q(4, "回", per="年"))),
    ("広報紙（年四回）の発行", quantity(q(4, "回", per="年", label="広報紙"))),
    ("三万円", quantity(q(30_000, "円"))),
    ("百二十件", quantity(q(120, "件"))),
    # …but not in words: 一人暮らし is not 1 人
    ("一人暮らし高齢者訪問 50世帯", quantity(q(50, "世帯", label="一人暮らし高齢者訪問"))),
    # 以上 and a scope word: the figure is 2 回 a year in each district
    ("各地区で年2回以上", quantity(q(2, "回", per="年", label="各地区"))),
    # cadence words are the schedule of the figure, times of day are not quantities
    ("年6回（隔月）", quantity(q(6, "回", per="年"), cadence="2か月に1回")),
    ("年12回（毎月）", quantity(q(12, "回", per="年"), cadence="月1回")),
    (
        "毎週水曜日 10時～12時",
        qualitative(
            "毎週水曜日 10時~12時",
            cadence="毎週水曜日",
            times=("10:00～12:00",),
            numbers=(n("10時~12時", Role.TIME),),
        ),
    ),
    (
        "13:30～15:00 年10回",
        quantity(
            q(10, "回", per="年"),
            times=("13:30～15:00",),
            numbers=(n("13:30~15:00", Role.TIME), n("10回", Role.MAIN)),
        ),
    ),
    # a unit price times a count: the stated total is the target
    (
        "1団体30,000円×15団体（計450,000円）",
        quantity(
            q(450_000, "円", label="計"),
            factors=(f(30_000, "円"), f(15, "団体")),
            numbers=(
                n("1団体", Role.RATE),
                n("30,000円×15団体", Role.FACTOR),
                n("450,000円", Role.TOTAL),
            ),
        ),
    ),
    # a list with its total: the total, the list its parts
    (
        "市内8保育園、3幼稚園（計11園）",
        quantity(
            q(11, "園", label="計"),
            parts=(Part("市内", (q(8, "保育園"),)), Part("", (q(3, "幼稚園"),))),
            numbers=(n("8保育園", Role.PART), n("3幼稚園", Role.PART), n("11園", Role.TOTAL)),
        ),
    ),
    (
        "田無10件 保谷5件 計15件",
        quantity(
            q(15, "件", label="計"),
            parts=(Part("田無", (q(10, "件"),)), Part("保谷", (q(5, "件"),))),
        ),
    ),
    # a stated total that its parts do not add up to: the total, and 要確認
    (
        "8保育園、3幼稚園（計12園）",
        quantity(
            q(12, "園", label="計"),
            parts=(Part("", (q(8, "保育園"),)), Part("", (q(3, "幼稚園"),))),
            needs_review=True,
        ),
    ),
    # a subset is never added: 200 件, of which 80 new
    (
        "相談200件のうち新規80件",
        quantity(
            q(200, "件", label="相談"),
            q(80, "件", label="新規"),
            numbers=(n("200件", Role.MAIN), n("80件", Role.SUBSET)),
        ),
    ),
    # a comparison: this year's figure; last year's is kept aside, never added
    (
        "予算2,400千円（前年度2,350千円）",
        quantity(
            q(2_400_000, "円", label="予算"),
            compared=(q(2_350_000, "円", label="前年度"),),
            numbers=(n("2,400千円", Role.MAIN), n("2,350千円", Role.PREVIOUS)),
        ),
    ),
    (
        "現状値 17 目標値 23市町",
        # 17 has no unit: 要確認, but it is the current value, never the target
        quantity(
            q(23, "市町", label="目標値"),
            compared=(q(17, "", label="現状値"),),
            needs_review=True,
        ),
    ),
    # a figure labelled 実績 alone is the figure (a 実績 text)
    ("実績 120件", quantity(q(120, "件", label="実績"))),
    # a share of a base: the target is the share
    (
        "登録者(320人)の10%以上",
        quantity(
            q(10, "%"),
            base=q(320, "人", label="登録者"),
            numbers=(n("320人", Role.BASE), n("10%", Role.MAIN)),
        ),
    ),
    # rates: per day, per month — 「1月当たり」 is not January
    (
        "1日あたり来所者40人",
        quantity(
            q(40, "人", label="来所者", per="日"),
            numbers=(n("1日あたり", Role.RATE), n("40人", Role.MAIN)),
        ),
    ),
    ("1月当たり相談件数30件", quantity(q(30, "件", label="相談件数", per="月"))),
    # a multi-year cadence: not 5 年 as a quantity
    (
        "5年に1回",
        qualitative(
            "5年に1回",
            cadence="5年に1回",
            every_years=5,
            numbers=(n("5年に1回", Role.CADENCE),),
        ),
    ),
    ("隔年開催", qualitative("隔年開催", cadence="2年に1回", every_years=2)),
    ("隔年開催 1回", quantity(q(1, "回"), cadence="2年に1回", every_years=2)),
    # 「1年に2回」 is 「年2回」
    ("1年に2回", quantity(q(2, "回", per="年"))),
    # a year series: never 4 as the figure; which year is this year's is for a person
    (
        "R4:12件、R5:15件",
        quantity(
            q(12, "件", label="令和4年度"),
            q(15, "件", label="令和5年度"),
            needs_review=True,
            numbers=(
                n("R4", Role.YEAR),
                n("12件", Role.MAIN),
                n("R5", Role.YEAR),
                n("15件", Role.SECONDARY),
            ),
        ),
    ),
    ("令和3年度中に実施", qualitative("令和3年度中に実施")),
    # a number that is part of a name
    (
        "第2層協議体 年4回",
        quantity(
            q(4, "回", per="年", label="協議体"),
            numbers=(n("第2層", Role.ORDINAL), n("4回", Role.MAIN)),
        ),
    ),
    # money written in parts, largest first, is one number
    ("予算額 1億7,586万4千円", quantity(q(175_864_000, "円", label="予算額"))),
    ("1万5千人", quantity(q(15_000, "人"))),
    ("寄附金 1,200 千円", quantity(q(1_200_000, "円", label="寄附金"))),
    # two measures side by side are never added: 予算額 and 決算額 are not places
    (
        "予算額 2億円、決算額 1億円",
        quantity(q(200_000_000, "円", label="予算額"), q(100_000_000, "円", label="決算額")),
    ),
    # a figure without a unit takes it from a label that names a count…
    ("開催回数: 2", quantity(q(2, "回", label="開催回数"))),
    ("総利用者数 2,510", quantity(q(2510, "人", label="総利用者数"))),
    # …and is 要確認 otherwise
    ("理事 14", quantity(q(14, "", label="理事"), needs_review=True)),
    # a ratio is not two figures to track
    ("2校に1人の配置", quantity(q(2, "校"), q(1, "人"), needs_review=True)),
    # numbers listed after an ordinal are ordinals: the count is 2 回
    (
        "第4回、5回の2回、開催",
        quantity(q(2, "回"), numbers=(n("第4回、5回", Role.ORDINAL), n("2回", Role.MAIN))),
    ),
    # words after the figure that say what it counts
    ("のべ1,237件の相談に対応", quantity(q(1237, "件"))),
    ("毎月平均15食配食", quantity(q(15, "食", label="毎月平均"))),
    # …but not words that could change its meaning
    (
        "5回開催予定のうち2回中止",
        quantity(q(2, "回"), of_total=Decimal(5), needs_review=True),
    ),
    # a part with no name of its own is what was done, out of the whole (as 中)
    (
        "公立の小中学校36校の内19校に実施",
        quantity(q(19, "校", label="公立の小中学校"), of_total=Decimal(36)),
    ),
    # a range written with から
    ("50件から60件前後", quantity(q(50, "件", max=60, approximate=True))),
    # a list of one kind of figure: a total? one per year? 要確認
    (
        "副読本 34,000部・34,000部・33,000部",
        quantity(
            q(34_000, "部", label="副読本"), q(34_000, "部"), q(33_000, "部"), needs_review=True
        ),
    ),
    # an age says who is counted
    (
        "75歳以上の一人暮らし高齢者へのカレンダー配布(644世帯)",
        quantity(
            q(644, "世帯", label="の一人暮らし高齢者へのカレンダー配布"),
            numbers=(n("75歳以上", Role.QUALIFIER), n("644世帯", Role.MAIN)),
        ),
    ),
    # an upper limit is 要確認: the status rule counts up, not down
    ("上限額は20万円", quantity(q(200_000, "円", label="上限額"), needs_review=True)),
    # a scope after the figure: once a year for each facility
    ("年1回以上各施設", quantity(q(1, "回", per="年", label="各施設"))),
    # a year before a colon is a year, one figure per year is 要確認
    (
        "25年:7,479人、24年:7,170人",
        quantity(q(7479, "人", label="25年"), q(7170, "人", label="24年"), needs_review=True),
    ),
    # the end of a fiscal year written with its number
    ("20年度末までに1200万人", quantity(q(12_000_000, "人"), deadline_month=3)),
    # a change from one figure to another: the new one, the old one compared
    (
        "年3回から4回に増した",
        quantity(
            q(4, "回", per="年"),
            compared=(q(3, "回", per="年"),),
            numbers=(n("3回", Role.PREVIOUS), n("4回", Role.MAIN)),
        ),
    ),
    # words beside a date say what is done on it
    (
        "総会の開催 平成28年6月17日",
        qualitative("総会の開催平成28年6月17日", dates=(date(2016, 6, 17),), months=(6,)),
    ),
    # how long a schedule runs is not a figure to track
    (
        "令和元年12月1日~12月31日まで(1ヶ月間)",
        qualitative(
            "令和元年12月1日~12月31日まで(1か月間)",
            dates=(date(2019, 12, 1),),
            months=(12,),
            numbers=(
                n("令和元年12月1日", Role.DATE),
                n("12月31日", Role.DATE),
                n("(1か月間)", Role.DURATION),
            ),
        ),
    ),
    # a list marker is not the number 1; a yen sign is yen; 6・9% is 6.9%
    ("①中丸支部693,910円", quantity(q(693_910, "円", label="中丸支部"))),
    ("総額 ¥11,828,600", quantity(q(11_828_600, "円", label="総額"))),
    (
        "「子育て・母子保健」の226件(6・9%)",
        quantity(q(226, "件", label="子育て・母子保健"), q("6.9", "%")),
    ),
    # a price for one unit: 「1口 500円」 is 500 円 a 口
    ("1口 500円", quantity(q(500, "円", per="口"))),
    # a figure inside a label: which one is the target is for a person to say
    (
        "23地区交流センター等:延べ8,188人",
        quantity(q(23, "地区"), q(8188, "人", label="交流センター等"), needs_review=True),
    ),
    (
        "1件の受任が2,013人",
        quantity(q(1, "件"), q(2013, "人", label="の受任"), needs_review=True),
    ),
    # 全 names the whole count; a duration before で is not what is counted
    ("1回2時間 全5回", quantity(q(5, "回", label="全"), q(1, "回"), q(2, "時間"))),
    (
        "2日間で延べ100人",
        quantity(q(100, "人"), numbers=(n("2日間", Role.DURATION), n("100人", Role.MAIN))),
    ),
    # a share-out in brackets has its role too
    (
        "年8回 (各圏域2回)",
        quantity(q(8, "回", per="年"), numbers=(n("8回", Role.MAIN), n("2回", Role.SHARE_OUT))),
    ),
]


@pytest.mark.parametrize(("text", "expected"), SHAPES, ids=[t for t, _ in SHAPES])
def test_shape(text: str, expected: dict[str, Any]) -> None:
    parsed = parse_target(text)
    expected = dict(expected)
    numbers = expected.pop("numbers", None)
    assert_parsed(parsed, expected)
    if numbers is not None:
        assert parsed.numbers == numbers


# -- DESIGN.md examples and other forms not in the plan ------------------------------

OTHER_TARGETS: list[tuple[str, dict[str, Any]]] = [
    # money
    ("1,180千円", quantity(q(1_180_000, "円"))),
    ("（100,000円）", quantity(q(100_000, "円"))),
    ("30万円", quantity(q(300_000, "円"))),
    ("48万円", quantity(q(480_000, "円"))),
    ("1億円", quantity(q(100_000_000, "円"))),
    ("3千万円", quantity(q(30_000_000, "円"))),
    ("1～2万円", quantity(q(10_000, "円", max=20_000))),
    # normalisation: full-width digits, counters, 名 → 人
    ("１２回", quantity(q(12, "回"))),
    ("３０名", quantity(q(30, "人"))),
    ("５ｹ所", quantity(q(5, "か所"))),
    ("3箇所", quantity(q(3, "か所"))),
    ("2ヵ所", quantity(q(2, "か所"))),
    ("8ケ所", quantity(q(8, "か所"))),
    ("\ufeff12回\u200b", quantity(q(12, "回"))),
    ("1,000名程度", quantity(q(1000, "人", approximate=True))),
    ("約50人", quantity(q(50, "人", approximate=True))),
    ("1.5時間", quantity(q("1.5", "時間"))),
    ("2 回", quantity(q(2, "回"))),
    # a counter word not in any list is still a unit, cut before the verb after it
    ("5店舗", quantity(q(5, "店舗"))),
    ("3コース実施", quantity(q(3, "コース"))),
    ("2日間", quantity(q(2, "日"))),
    ("２回（予定）", quantity(q(2, "回", planned=True))),
    ("1回（参加者160人）", quantity(q(1, "回"), q(160, "人", label="参加者"))),
    ("月2回", quantity(q(2, "回", per="月"))),
    ("2回/月", quantity(q(2, "回", per="月"))),
    ("毎月2回", quantity(q(2, "回", per="月"))),
    ("年4回 (3か月に1回)", quantity(q(4, "回", per="年"), cadence="3か月に1回")),
    # labels that only look like prefixes
    ("契約30件", quantity(q(30, "件", label="契約"))),
    ("青年10人", quantity(q(10, "人", label="青年"))),
    ("前期高齢者100人", quantity(q(100, "人", label="前期高齢者"))),
    (
        "Facebook フォロワー数 300人 twitter フォロワー数 200人",
        quantity(
            q(300, "人", label="Facebook フォロワー数"), q(200, "人", label="twitter フォロワー数")
        ),
    ),
    # products: the stated total wins, else the product
    ("20地区×11月 220回", quantity(q(220, "回"), factors=(f(20, "地区"), f(11, "月")))),
    (
        "週1回×8ケ所×4週×12月 384日",
        quantity(q(384, "日"), factors=(f(1, "回"), f(8, "か所"), f(4, "週"), f(12, "月"))),
    ),
    ("8拠点×1回", quantity(q(8, "回"), factors=(f(8, "拠点"), f(1, "回")))),
    (
        "20地区×11月 200回",
        quantity(q(200, "回"), factors=(f(20, "地区"), f(11, "月")), needs_review=True),
    ),
    (
        "20地区×11月",
        qualitative("20地区×11月", factors=(f(20, "地区"), f(11, "月")), needs_review=True),
    ),
    # schedules
    ("4月・7月・10月・1月に開催", qualitative("4月・7月・10月・1月に開催", months=(4, 7, 10, 1))),
    ("5月、11月に開催", qualitative("5月、11月に開催", months=(5, 11))),
    (
        "奇数月の第2火曜日に開催",
        qualitative(
            "奇数月の第2火曜日に開催", months=(5, 7, 9, 11, 1, 3), cadence="奇数月の第2火曜日"
        ),
    ),
    ("3か月に1回", qualitative("3か月に1回", cadence="3か月に1回")),
    ("3ヶ月に1回", qualitative("3か月に1回", cadence="3か月に1回")),
    ("12月に開催 1回", quantity(q(1, "回"), months=(12,))),
    (
        "2020年9月10日（木）",
        qualitative("2020年9月10日(木)", dates=(date(2020, 9, 10),), months=(9,)),
    ),
    ("令和2年9月10日", qualitative("令和2年9月10日", dates=(date(2020, 9, 10),), months=(9,))),
    ("4月～7月", qualitative("4月~7月", months=(4, 5, 6, 7))),
    ("10月～3月", qualitative("10月~3月", months=(10, 11, 12, 1, 2, 3))),
    ("1～2月頃", qualitative("1~2月頃", months=(1, 2))),
    ("４月～", qualitative("4月~", start_month=4)),
    ("1月末日までに終了", qualitative("1月末日までに終了", deadline_month=1)),
    ("年度末までに作成", qualitative("年度末までに作成", deadline_month=3)),
    ("令和3年3月末までに", qualitative("令和3年3月末までに", deadline_month=3)),
    ("2021年1月末日までに終了", qualitative("2021年1月末日までに終了", deadline_month=1)),
    ("2020年9月", qualitative("2020年9月", months=(9,))),
    ("法の規定により開催", qualitative("法の規定により開催")),
    # no target
    ("－", NONE),
    ("-", NONE),
    ("ー", NONE),
    ("\u3000", NONE),
    ("なし", NONE),
    # not fully understood: 要確認, and no guessed figure
    ("10件以内", quantity(q(10, "件"), needs_review=True)),
    ("30件減", quantity(q(30, "件"), needs_review=True)),
    ("5～2回", quantity(q(2, "回", max=5), needs_review=True)),
    ("100", quantity(q(100, ""), needs_review=True)),
    ("11項目中 8件", quantity(q(8, "件"), needs_review=True)),
    ("各3回", qualitative("各3回", needs_review=True)),
    (
        "上半期、下半期に各１回",
        qualitative("上半期、下半期に各1回", halves=(1, 2), needs_review=True),
    ),
    ("13月に開催", qualitative("13月に開催", needs_review=True)),
    ("2020年2月30日", qualitative("2020年2月30日", needs_review=True)),
    ("ボランティア募集", qualitative("ボランティア募集", needs_review=True)),
    ("※", qualitative("※", needs_review=True)),
    ("10件？", quantity(q(10, "件"), needs_review=True)),
    ("1,2回", quantity(q(1, ""), q(2, "回"), needs_review=True)),
    ("99999999999999回", qualitative("99999999999999回", needs_review=True)),
]


@pytest.mark.parametrize(("text", "expected"), OTHER_TARGETS, ids=[t for t, _ in OTHER_TARGETS])
def test_other_target(text: str, expected: dict[str, Any]) -> None:
    assert_parsed(parse_target(text), expected)


OTHER_PAIRS: list[tuple[str, str, dict[str, Any]]] = [
    # the target wins where it has a schedule of its own
    ("年1回（5月）", "11月に開催", quantity(q(1, "回", per="年"), months=(5,))),
    ("随時", "毎週月曜日", qualitative("随時", cadence="毎週月曜日")),
    ("6回", "隔月開催", quantity(q(6, "回"), cadence="2か月に1回")),
    # no target: nothing is read from 内容
    ("―", "5月に開催", NONE),
    # a product in 内容 is checked against the stated total
    (
        "220回",
        "20地区×10月",
        quantity(q(220, "回"), factors=(f(20, "地区"), f(10, "月")), needs_review=True),
    ),
    # and is not read for a qualitative target
    ("随時", "20地区×11月", qualitative("随時")),
    # 内容 is prose: what is not a schedule there is not 要確認
    ("3回", "ボランティア講座を3回開催（予備日あり）", quantity(q(3, "回"))),
]


@pytest.mark.parametrize(
    ("text", "detail", "expected"), OTHER_PAIRS, ids=[f"{t}|{d}" for t, d, _ in OTHER_PAIRS]
)
def test_other_target_with_detail(text: str, detail: str, expected: dict[str, Any]) -> None:
    assert_parsed(parse_target(text, detail), expected)


# -- contract -------------------------------------------------------------------------


def test_the_text_is_kept_verbatim() -> None:
    text = "  年１回（５月）\u3000参加者約７０名 "
    parsed = parse_target(text)
    assert parsed.text == text
    assert parsed.quantities == (
        q(1, "回", per="年"),
        q(70, "人", label="参加者", approximate=True),
    )


def test_a_note_says_in_japanese_what_was_not_read() -> None:
    parsed = parse_target("20地区×11月 200回")
    assert parsed.notes == ("掛け算「20地区×11月」（220）と目標値（200回）が一致しません。",)


@pytest.mark.parametrize("text", [None, 12, "\x00", "(((", ")))", "×", "~~~", "年月日"])
def test_odd_input_never_raises(text: Any) -> None:
    parsed = parse_target(text)
    assert parsed.kind in set(Kind)


ALL_CASES = (
    [(item["target"], item["detail"]) for item in PLAN_ITEMS]
    + [(text, "") for text, _ in PLAN_TARGETS + OTHER_TARGETS]
    + [(text, detail) for text, detail, _ in OTHER_PAIRS]
    + [(text, "") for text, _ in SHAPES]
)


@pytest.mark.parametrize(("text", "detail"), ALL_CASES)
def test_round_trip_through_json(text: str, detail: str) -> None:
    parsed = parse_target(text, detail)
    as_json = json.dumps(target_to_dict(parsed), ensure_ascii=False)
    assert target_from_dict(json.loads(as_json)) == parsed


@pytest.mark.parametrize(("text", "detail"), ALL_CASES)
def test_every_field_is_set_as_the_constructor_would(text: str, detail: str) -> None:
    # The parser builds its frozen results without __init__ (targets.parser._frozen).
    parsed = parse_target(text, detail)
    for obj in (parsed, *parsed.quantities, *(q for p in parsed.parts for q in p.quantities)):
        names = {f.name for f in dataclasses.fields(obj)}
        assert set(vars(obj)) == names
        rebuilt = type(obj)(**vars(obj))
        assert rebuilt == obj and hash(rebuilt) == hash(obj)


def test_the_dict_form() -> None:
    d = target_to_dict(parse_target("2020年9月10日（木） 1.5時間", "（6月）"))
    assert d == {
        "text": "2020年9月10日（木） 1.5時間",
        "kind": "quantity",
        "needs_review": False,
        "quantities": [
            {
                "value": 1.5,
                "max": None,
                "unit": "時間",
                "label": "",
                "approximate": False,
                "planned": False,
                "increase": False,
                "per": "",
            }
        ],
        "months": [9],
        "dates": ["2020-09-10"],
        "halves": [],
        "deadline_month": None,
        "start_month": None,
        "cadence": "",
        "factors": [],
        "parts": [],
        "of_total": None,
        "qualitative_text": "",
        "notes": [],
        "compared": [],
        "base": None,
        "every_years": None,
        "times": [],
        "numbers": [
            {"text": "2020年9月10日(木)", "role": "date"},
            {"text": "1.5時間", "role": "main"},
        ],
    }
    assert isinstance(target_to_dict(parse_target("30万円"))["quantities"][0]["value"], int)


def test_from_dict_fills_in_missing_optional_keys() -> None:
    parsed = target_from_dict({"text": "12回", "kind": "quantity", "quantities": [
        {"value": 12, "unit": "回"}
    ]})  # fmt: skip
    assert parsed == ParsedTarget(text="12回", kind=Kind.QUANTITY, quantities=(q(12, "回"),))


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"text": "x", "kind": "bogus"},
        {"text": "x", "kind": "quantity", "quantities": [{"value": "abc", "unit": "回"}]},
        {"text": "x", "kind": "quantity", "quantities": [{"value": True, "unit": "回"}]},
        {"text": "x", "kind": "none", "months": ["5"]},
        {"text": "x", "kind": "none", "dates": ["2020-13-01"]},
        {"text": "x", "kind": "none", "of_total": "NaN"},
        {"text": "x", "kind": "none", "factors": [{"value": float("inf"), "unit": "回"}]},
    ],
)
def test_from_dict_rejects_what_to_dict_cannot_produce(bad: dict[str, Any]) -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        target_from_dict(bad)


def test_the_parse_target_command_shows_the_role_of_each_number() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("parse_target", "予算2,400千円（前年度2,350千円）", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["quantities"][0]["value"] == 2_400_000
    assert printed["compared"][0]["value"] == 2_350_000
    assert printed["numbers"] == [
        {"text": "2,400千円", "role": "main"},
        {"text": "2,350千円", "role": "previous"},
    ]
