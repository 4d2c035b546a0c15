"""集計方法: which targets add their quarters up, which count the latest figure or the
highest, as proposed from the wording and as the status rule folds them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plans.models import PlanItem
from plans.services import target_fields
from results.models import Result
from results.progress import item_progress
from results.status import Status
from targets.aggregation import Aggregation, expected_in_quarter, fold, propose_aggregation
from targets.parser import parse_target

FLOW, LEVEL, MAX = Aggregation.FLOW, Aggregation.LEVEL, Aggregation.MAX


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Things that happen add up: 回, 件, 円, 延べ.
        ("7回予定", FLOW),
        ("2,100件程度", FLOW),
        ("延べ20件/年", FLOW),
        ("253万円", FLOW),
        ("1回（160人）", FLOW),  # the main figure is 回
        ("8拠点×1回", FLOW),  # a product of places and times: still 回
        ("3,650人", FLOW),  # people without a standing noun: participants, added up
        ("30人増", FLOW),  # an increase: each quarter adds its newcomers
        ("11項目中 8項目を作成", FLOW),
        ("登録者研修 3回", FLOW),  # 回 wins over 登録
        # Standing figures: the latest report counts.
        ("登録者 130名", LEVEL),
        ("会員数 500人", LEVEL),
        ("設置数 12台", LEVEL),
        ("新規１カ所 計2ヶ所", LEVEL),  # 「計2ヶ所」: the total standing
        ("50か所", LEVEL),  # places exist
        ("サロン 25か所", LEVEL),
        ("加入世帯 3,000世帯", LEVEL),
        ("ボランティア登録 200人", LEVEL),
        # The highest quarter counts.
        ("最大 40人", MAX),
        # Nothing to add up.
        ("随時実施", FLOW),
        ("―", FLOW),
    ],
)
def test_the_wording_proposes_how_a_target_adds_up(text, expected):
    assert propose_aggregation(parse_target(text, "")) == expected


@pytest.mark.parametrize(
    ("values", "aggregation", "expected"),
    [
        ((Decimal("30"), Decimal("40"), Decimal("35")), FLOW, Decimal("105")),
        ((Decimal("30"), Decimal("40"), Decimal("35")), LEVEL, Decimal("35")),
        ((Decimal("30"), Decimal("40"), Decimal("35")), MAX, Decimal("40")),
        ((Decimal("30"), None, Decimal("35")), LEVEL, Decimal("35")),
        ((Decimal("30"), Decimal("40"), None), LEVEL, Decimal("40")),  # not reported yet
        ((None, None), FLOW, None),
        ((None, None), LEVEL, None),
    ],
)
def test_quarters_fold_by_their_aggregation(values, aggregation, expected):
    assert fold(values, aggregation) == expected


def _row(target_text: str, aggregation: Aggregation) -> PlanItem:
    parsed = parse_target(target_text, "")
    return PlanItem(target_text=target_text, aggregation=aggregation, **target_fields(parsed))


def _results(*values: str) -> list[Result]:
    return [Result(quarter=q, value=Decimal(v)) for q, v in enumerate(values, start=1)]


def test_a_level_counts_the_latest_registrations_not_their_sum():
    # 登録者 130名: 120, 125, 128 registered at the end of Q1–Q3 (not 373 people).
    row = _row("登録者 130名", LEVEL)
    progress = item_progress(row, _results("120", "125", "128"), 3)
    assert progress.actual == Decimal("128")
    assert progress.progress.rate == Decimal("98.5")
    assert progress.status == Status.ON_TRACK  # 128 ≥ 97.5 × 0.9
    summed = item_progress(row, _results("120", "125", "128"), 3, aggregation=FLOW)
    assert summed.status == Status.ACHIEVED  # what the sum wrongly claimed


def test_a_level_that_falls_below_the_pace_is_behind():
    # 50か所: 10 places at Q2 where 25 are expected by then.
    row = _row("50か所", LEVEL)
    progress = item_progress(row, _results("12", "10"), 2)
    assert progress.actual == Decimal("10")
    assert progress.status == Status.BEHIND


def test_a_maximum_counts_the_highest_quarter():
    # 最大 40人: 30, 42, 35 → 42 reached the target in Q2 and stays reached.
    row = _row("最大 40人", MAX)
    progress = item_progress(row, _results("30", "42", "35"), 3)
    assert progress.actual == Decimal("42")
    assert progress.status == Status.ACHIEVED


def test_a_flow_adds_its_quarters_up():
    row = _row("12回", FLOW)
    progress = item_progress(row, _results("3", "3", "3"), 3)
    assert progress.actual == Decimal("9")
    assert progress.status == Status.ON_TRACK  # 9 of the 9 expected by Q3


@pytest.mark.parametrize(
    ("text", "aggregation", "quarter", "expected"),
    [
        # 12回 spread evenly: each quarter should add 3.
        ("12回", FLOW, 1, Decimal("3")),
        ("12回", FLOW, 3, Decimal("3")),
        # 登録者 120名 growing evenly: 30 registered by Q1, 90 standing at the end of Q3.
        ("登録者 120名", LEVEL, 1, Decimal("30")),
        ("登録者 120名", LEVEL, 3, Decimal("90")),
        # 5月、11月 (Q1 and Q3): the flow's Q2 adds nothing, its Q3 adds the second half.
        ("2回 5月、11月に開催", FLOW, 2, Decimal("0")),
        ("2回 5月、11月に開催", FLOW, 3, Decimal("1")),
        ("随時実施", FLOW, 2, Decimal("0")),
    ],
)
def test_the_pace_of_a_quarter_follows_the_aggregation(text, aggregation, quarter, expected):
    assert expected_in_quarter(parse_target(text, ""), quarter, aggregation) == expected
