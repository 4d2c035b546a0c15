"""THE status rule. Targets are built by hand from ``targets.types``; for each table the
expected cumulative E and the 順調 bar E × 0.9 (default tolerance 10%) were worked out by
hand and are written in the comments."""

from datetime import date
from decimal import Decimal

import pytest

from results.status import Progress, Status, item_status
from targets.types import Kind, ParsedTarget, Quantity

ACHIEVED = Status.ACHIEVED
ON_TRACK = Status.ON_TRACK
BEHIND = Status.BEHIND
NOT_STARTED = Status.NOT_STARTED
NOT_DUE = Status.NOT_DUE


def quantity(text: str, value: str, unit: str = "回", **schedule) -> ParsedTarget:
    extra = {k: schedule.pop(k) for k in ("max", "increase") if k in schedule}
    return ParsedTarget(
        text=text,
        kind=Kind.QUANTITY,
        quantities=(Quantity(Decimal(value), unit, **extra),),
        **schedule,
    )


def qualitative(text: str, **schedule) -> ParsedTarget:
    return ParsedTarget(text=text, kind=Kind.QUALITATIVE, qualitative_text=text, **schedule)


def status_of(target: ParsedTarget, quarter: int, actual: str | None, **kwargs) -> Status:
    amount = Decimal(actual) if actual is not None else None
    return item_status(target, quarter, actual=amount, **kwargs).status


# E = 3, 6, 9, 12; E × 0.9 = 2.7, 5.4, 8.1, 10.8
LINEAR_12 = quantity("12回", "12")
# 5月 → Q1, 11月 → Q3. E = 1, 1, 2, 2; E × 0.9 = 0.9, 0.9, 1.8, 1.8
MAY_NOV = quantity("5月、11月に開催 2回", "2", months=(5, 11))
# Q1: 5; Q2: 7; Q3: 10, 12; Q4: 2, 3. E = 1, 2, 4, 6; E × 0.9 = 0.9, 1.8, 3.6, 5.4
SIX_MONTHS = quantity("6回", "6", months=(5, 7, 10, 12, 2, 3))
# 9月 → Q2. E = 0, 1, 1, 1
ONE_DATE = quantity("2020年9月10日（木）", "1", dates=(date(2020, 9, 10),))
# A 研修 on 2020-09-10 for 50 people. E = 0, 50, 50, 50
ONE_DATE_50 = quantity("2020年9月10日 50人", "50", unit="人", dates=(date(2020, 9, 10),))
# 1月 → Q4. E = 0, 0, 0, 2; E × 0.9 at Q4 = 1.8
DEADLINE_JAN = quantity("面接2回実施 1月末日までに終了", "2", deadline_month=1)
# E = 0, 1, 1, 1
FIRST_HALF = quantity("上半期実施 1回", "1", halves=(1,))
# E = 0, 1, 1, 2; E × 0.9 = 0, 0.9, 0.9, 1.8
BOTH_HALVES = quantity("上半期・下半期 各1回", "2", halves=(1, 2))
# 10月 → Q3, so linear over Q3–Q4. E = 0, 0, 4, 8; E × 0.9 = 0, 0, 3.6, 7.2
FROM_OCTOBER = quantity("10月～ 8回", "8", start_month=10)
# T = 2 (the lower bound). E = 0.5, 1, 1.5, 2; E × 0.9 = 0.45, 0.9, 1.35, 1.8
RANGE = quantity("2～3回", "2", max=Decimal("3"))
# T = 30 (the increase). E = 7.5, 15, 22.5, 30; E × 0.9 = 6.75, 13.5, 20.25, 27
INCREASE = quantity("30人増", "30", unit="人", increase=True)


@pytest.mark.parametrize(
    ("target", "quarter", "actual", "expected"),
    [
        # linear 12回
        pytest.param(LINEAR_12, 1, "0", NOT_STARTED, id="linear-q1-nothing-yet"),
        pytest.param(LINEAR_12, 1, "2", BEHIND, id="linear-q1-2-below-2.7"),
        pytest.param(LINEAR_12, 1, "3", ON_TRACK, id="linear-q1-on-pace"),
        pytest.param(LINEAR_12, 1, "5", ON_TRACK, id="linear-q1-ahead"),
        pytest.param(LINEAR_12, 1, "12", ACHIEVED, id="linear-q1-all-done-early"),
        pytest.param(LINEAR_12, 2, "5", BEHIND, id="linear-q2-5-below-5.4"),
        pytest.param(LINEAR_12, 2, "6", ON_TRACK, id="linear-q2-on-pace"),
        pytest.param(LINEAR_12, 3, "8", BEHIND, id="linear-q3-8-below-8.1"),
        pytest.param(LINEAR_12, 3, "9", ON_TRACK, id="linear-q3-on-pace"),
        pytest.param(LINEAR_12, 4, "10", BEHIND, id="linear-q4-10-below-10.8"),
        pytest.param(LINEAR_12, 4, "11", ON_TRACK, id="linear-q4-11-within-tolerance"),
        pytest.param(LINEAR_12, 4, "12", ACHIEVED, id="linear-q4-achieved"),
        pytest.param(LINEAR_12, 4, "13", ACHIEVED, id="linear-q4-exceeded"),
        # 5月・11月 2回
        pytest.param(MAY_NOV, 1, "0", NOT_STARTED, id="may-nov-q1-may-missed"),
        pytest.param(MAY_NOV, 1, "1", ON_TRACK, id="may-nov-q1-may-held"),
        pytest.param(MAY_NOV, 2, "1", ON_TRACK, id="may-nov-q2-nothing-due-in-q2"),
        pytest.param(MAY_NOV, 3, "1", BEHIND, id="may-nov-q3-november-missed"),
        pytest.param(MAY_NOV, 3, "2", ACHIEVED, id="may-nov-q3-both-held"),
        pytest.param(MAY_NOV, 4, "1", BEHIND, id="may-nov-q4-one-of-two"),
        # 5・7・10・12・2・3月 6回
        pytest.param(SIX_MONTHS, 1, "1", ON_TRACK, id="six-q1"),
        pytest.param(SIX_MONTHS, 2, "1", BEHIND, id="six-q2-1-below-1.8"),
        pytest.param(SIX_MONTHS, 2, "2", ON_TRACK, id="six-q2"),
        pytest.param(SIX_MONTHS, 3, "3", BEHIND, id="six-q3-3-below-3.6"),
        pytest.param(SIX_MONTHS, 3, "4", ON_TRACK, id="six-q3"),
        pytest.param(SIX_MONTHS, 4, "5", BEHIND, id="six-q4-5-below-5.4"),
        pytest.param(SIX_MONTHS, 4, "6", ACHIEVED, id="six-q4"),
        # a single date in September
        pytest.param(ONE_DATE, 1, "0", NOT_DUE, id="date-q1-before-the-event"),
        pytest.param(ONE_DATE, 1, "1", ACHIEVED, id="date-q1-held-early"),
        pytest.param(ONE_DATE, 2, "0", NOT_STARTED, id="date-q2-event-missed"),
        pytest.param(ONE_DATE, 2, "1", ACHIEVED, id="date-q2-held"),
        pytest.param(ONE_DATE, 3, "0", NOT_STARTED, id="date-q3-still-missing"),
        pytest.param(ONE_DATE_50, 1, "10", ON_TRACK, id="date-q1-ahead-of-schedule"),
        pytest.param(ONE_DATE_50, 2, "44", BEHIND, id="date-q2-44-below-45"),
        pytest.param(ONE_DATE_50, 2, "45", ON_TRACK, id="date-q2-45-within-tolerance"),
        # deadline 1月末日
        pytest.param(DEADLINE_JAN, 1, "0", NOT_DUE, id="deadline-q1"),
        pytest.param(DEADLINE_JAN, 2, "0", NOT_DUE, id="deadline-q2"),
        pytest.param(DEADLINE_JAN, 3, "0", NOT_DUE, id="deadline-q3"),
        pytest.param(DEADLINE_JAN, 3, "1", ON_TRACK, id="deadline-q3-started-early"),
        pytest.param(DEADLINE_JAN, 4, "0", NOT_STARTED, id="deadline-q4-nothing"),
        pytest.param(DEADLINE_JAN, 4, "1", BEHIND, id="deadline-q4-1-below-1.8"),
        pytest.param(DEADLINE_JAN, 4, "2", ACHIEVED, id="deadline-q4-done"),
        # 上半期
        pytest.param(FIRST_HALF, 1, "0", NOT_DUE, id="first-half-q1"),
        pytest.param(FIRST_HALF, 2, "0", NOT_STARTED, id="first-half-q2-missed"),
        pytest.param(FIRST_HALF, 2, "1", ACHIEVED, id="first-half-q2-done"),
        # 上半期・下半期
        pytest.param(BOTH_HALVES, 1, "0", NOT_DUE, id="halves-q1"),
        pytest.param(BOTH_HALVES, 2, "0", NOT_STARTED, id="halves-q2-missed"),
        pytest.param(BOTH_HALVES, 2, "1", ON_TRACK, id="halves-q2"),
        pytest.param(BOTH_HALVES, 3, "1", ON_TRACK, id="halves-q3"),
        pytest.param(BOTH_HALVES, 4, "1", BEHIND, id="halves-q4-1-below-1.8"),
        pytest.param(BOTH_HALVES, 4, "2", ACHIEVED, id="halves-q4"),
        # 10月～
        pytest.param(FROM_OCTOBER, 1, "0", NOT_DUE, id="from-october-q1"),
        pytest.param(FROM_OCTOBER, 2, "0", NOT_DUE, id="from-october-q2"),
        pytest.param(FROM_OCTOBER, 3, "0", NOT_STARTED, id="from-october-q3-nothing"),
        pytest.param(FROM_OCTOBER, 3, "3", BEHIND, id="from-october-q3-3-below-3.6"),
        pytest.param(FROM_OCTOBER, 3, "4", ON_TRACK, id="from-october-q3"),
        pytest.param(FROM_OCTOBER, 4, "7", BEHIND, id="from-october-q4-7-below-7.2"),
        pytest.param(FROM_OCTOBER, 4, "8", ACHIEVED, id="from-october-q4"),
        # 2～3回: the bar is 2
        pytest.param(RANGE, 1, "0", NOT_STARTED, id="range-q1"),
        pytest.param(RANGE, 2, "1", ON_TRACK, id="range-q2"),
        pytest.param(RANGE, 3, "1", BEHIND, id="range-q3-1-below-1.35"),
        pytest.param(RANGE, 4, "2", ACHIEVED, id="range-q4-lower-bound-is-enough"),
        # 30人増: the increase is the target
        pytest.param(INCREASE, 1, "6", BEHIND, id="increase-q1-6-below-6.75"),
        pytest.param(INCREASE, 1, "7", ON_TRACK, id="increase-q1"),
        pytest.param(INCREASE, 2, "13", BEHIND, id="increase-q2-13-below-13.5"),
        pytest.param(INCREASE, 2, "14", ON_TRACK, id="increase-q2"),
        pytest.param(INCREASE, 4, "26", BEHIND, id="increase-q4-26-below-27"),
        pytest.param(INCREASE, 4, "29", ON_TRACK, id="increase-q4-within-tolerance"),
        pytest.param(INCREASE, 4, "30", ACHIEVED, id="increase-q4"),
    ],
)
def test_quantity_status(target, quarter, actual, expected):
    assert status_of(target, quarter, actual) == expected


def test_no_actual_counts_as_zero():
    assert status_of(LINEAR_12, 1, None) == NOT_STARTED
    assert status_of(ONE_DATE, 1, None) == NOT_DUE


@pytest.mark.parametrize(
    ("actual", "tolerance", "expected"),
    [
        # Q1 of 12回: E = 3.
        ("2.7", Decimal("0.10"), ON_TRACK),  # exactly E × 0.9
        ("2.699", Decimal("0.10"), BEHIND),  # just below
        ("2.4", Decimal("0.20"), ON_TRACK),  # exactly E × 0.8
        ("2.399", Decimal("0.20"), BEHIND),
        ("3", Decimal("0"), ON_TRACK),  # no tolerance: exactly on pace
        ("2.999", Decimal("0"), BEHIND),
        ("0.001", Decimal("1"), ON_TRACK),  # full tolerance: anything started is 順調
        ("0", Decimal("1"), NOT_STARTED),  # … but nothing is still 未着手
    ],
)
def test_tolerance_edges(actual, tolerance, expected):
    assert status_of(LINEAR_12, 1, actual, tolerance=tolerance) == expected


def test_tolerance_edge_is_exact_when_the_expected_value_repeats():
    # 32時間 in 5・7・10月: by Q1 E = 32/3 = 10.666…, E × 0.9 = 9.6 exactly. Decimal
    # arithmetic would round E up and put the bar a hair above 9.6.
    target = quantity("32時間", "32", unit="時間", months=(5, 7, 10))
    assert status_of(target, 1, "9.6") == ON_TRACK
    assert status_of(target, 1, "9.59") == BEHIND


@pytest.mark.parametrize("tolerance", [Decimal("-0.1"), Decimal("1.1")])
def test_tolerance_outside_0_to_1_is_refused(tolerance):
    with pytest.raises(ValueError):
        item_status(LINEAR_12, 1, actual=Decimal("1"), tolerance=tolerance)


ANYTIME = qualitative("随時実施")
IN_NOVEMBER = qualitative("11月に実施", months=(11,))
UNREADABLE = ParsedTarget(text="適正な件数", kind=Kind.QUANTITY, needs_review=True)


@pytest.mark.parametrize(
    ("target", "quarter", "done", "actual", "expected"),
    [
        pytest.param(ANYTIME, 1, True, None, Status.DONE, id="anytime-done"),
        pytest.param(ANYTIME, 1, False, None, Status.NOT_DONE, id="anytime-not-done-q1"),
        pytest.param(ANYTIME, 4, False, None, Status.NOT_DONE, id="anytime-not-done-q4"),
        pytest.param(IN_NOVEMBER, 1, False, None, NOT_DUE, id="november-q1-before"),
        pytest.param(IN_NOVEMBER, 2, False, None, NOT_DUE, id="november-q2-before"),
        pytest.param(IN_NOVEMBER, 3, False, None, Status.NOT_DONE, id="november-q3-missed"),
        pytest.param(IN_NOVEMBER, 4, False, None, Status.NOT_DONE, id="november-q4-missed"),
        pytest.param(IN_NOVEMBER, 2, True, None, Status.DONE, id="november-done-early"),
        pytest.param(IN_NOVEMBER, 3, True, None, Status.DONE, id="november-done"),
        pytest.param(ANYTIME, 1, None, "3", Status.DONE, id="no-flag-but-an-actual-is-done"),
        pytest.param(ANYTIME, 1, None, None, Status.NOT_DONE, id="no-flag-no-actual"),
        pytest.param(ANYTIME, 1, False, "3", Status.NOT_DONE, id="explicit-flag-wins"),
        pytest.param(UNREADABLE, 2, True, None, Status.DONE, id="unreadable-quantity-done"),
        pytest.param(UNREADABLE, 2, None, None, Status.NOT_DONE, id="unreadable-not-done"),
    ],
)
def test_qualitative_status(target, quarter, done, actual, expected):
    assert status_of(target, quarter, actual, done=done) == expected


def test_qualitative_progress_has_no_figures():
    progress = item_status(ANYTIME, 2, actual=None, done=True)
    assert progress == Progress(
        status=Status.DONE,
        target=None,
        expected=Decimal("0"),
        actual=Decimal("0"),
        rate=None,
    )


NO_TARGET = ParsedTarget(text="―", kind=Kind.NONE)


@pytest.mark.parametrize(
    ("target", "actual", "kwargs"),
    [
        pytest.param(LINEAR_12, "12", {}, id="even-when-achieved"),
        pytest.param(LINEAR_12, "0", {}, id="with-nothing-done"),
        pytest.param(ANYTIME, None, {"done": True}, id="qualitative"),
        pytest.param(NO_TARGET, None, {}, id="without-a-target"),
        pytest.param(LINEAR_12, None, {"entered": False, "quarter_open": True}, id="unentered"),
    ],
)
def test_cancelled_comes_first(target, actual, kwargs):
    assert status_of(target, 2, actual, cancelled=True, **kwargs) == Status.CANCELLED


@pytest.mark.parametrize(
    ("actual", "kwargs"),
    [
        (None, {}),
        ("5", {}),
        (None, {"entered": False, "quarter_open": True}),
    ],
)
def test_no_target_is_reported_as_such(actual, kwargs):
    assert status_of(NO_TARGET, 3, actual, **kwargs) == Status.NO_TARGET


@pytest.mark.parametrize(
    ("target", "kwargs"),
    [
        pytest.param(LINEAR_12, {}, id="quantity"),
        pytest.param(ONE_DATE, {}, id="quantity-not-due"),
        pytest.param(ANYTIME, {"done": False}, id="qualitative"),
    ],
)
def test_open_quarter_without_entry_is_not_entered(target, kwargs):
    assert (
        status_of(target, 1, None, entered=False, quarter_open=True, **kwargs) == Status.NOT_ENTERED
    )


def test_closed_quarter_without_entry_is_judged_on_the_cumulative_actual():
    assert status_of(LINEAR_12, 1, None, entered=False, quarter_open=False) == NOT_STARTED
    assert status_of(LINEAR_12, 2, "6", entered=False, quarter_open=False) == ON_TRACK


@pytest.mark.parametrize(
    ("target", "quarter", "actual", "kwargs", "expected"),
    [
        # Q3 before its period: 6 of 12 by Q2 would be 遅れ against 9 expected.
        pytest.param(LINEAR_12, 3, "6", {"entered": False}, Status.NOT_DUE, id="behind-pace"),
        pytest.param(LINEAR_12, 1, None, {"entered": False}, Status.NOT_DUE, id="nothing-yet"),
        pytest.param(ANYTIME, 2, None, {"entered": False}, Status.NOT_DUE, id="qualitative"),
        # Whatever was entered (the 事務局 may) is judged as always.
        pytest.param(LINEAR_12, 3, "6", {"entered": True}, BEHIND, id="entered-is-judged"),
        pytest.param(LINEAR_12, 3, "12", {"entered": True}, Status.ACHIEVED, id="achieved"),
        pytest.param(LINEAR_12, 2, None, {"cancelled": True}, Status.CANCELLED, id="cancelled"),
        pytest.param(NO_TARGET, 2, None, {"entered": False}, Status.NO_TARGET, id="no-target"),
    ],
)
def test_quarter_before_its_period_is_not_due_not_a_shortfall(
    target, quarter, actual, kwargs, expected
):
    assert status_of(target, quarter, actual, quarter_begun=False, **kwargs) == expected


def test_open_quarter_with_an_entry_is_judged_normally():
    assert status_of(LINEAR_12, 1, "3", entered=True, quarter_open=True) == ON_TRACK


@pytest.mark.parametrize(
    ("target", "quarter", "actual", "progress"),
    [
        pytest.param(
            LINEAR_12,
            4,
            "8",
            Progress(BEHIND, Decimal("12"), Decimal("12"), Decimal("8"), Decimal("66.7")),
            id="two-thirds-is-66.7",
        ),
        pytest.param(
            quantity("8回", "8"),
            1,
            "1",
            Progress(BEHIND, Decimal("8"), Decimal("2"), Decimal("1"), Decimal("12.5")),
            id="one-eighth-is-12.5",
        ),
        pytest.param(
            RANGE,
            4,
            "3",
            Progress(ACHIEVED, Decimal("2"), Decimal("2"), Decimal("3"), Decimal("150.0")),
            id="range-rate-against-the-lower-bound",
        ),
        pytest.param(
            INCREASE,
            1,
            "7",
            Progress(ON_TRACK, Decimal("30"), Decimal("7.5"), Decimal("7"), Decimal("23.3")),
            id="increase-rate-against-the-increase",
        ),
        pytest.param(
            LINEAR_12,
            1,
            None,
            Progress(NOT_STARTED, Decimal("12"), Decimal("3"), Decimal("0"), None),
            id="no-actual-no-rate",
        ),
    ],
)
def test_progress_carries_target_expected_actual_and_rate(target, quarter, actual, progress):
    amount = Decimal(actual) if actual is not None else None
    assert item_status(target, quarter, actual=amount) == progress


def test_cancelled_item_keeps_its_figures():
    progress = item_status(LINEAR_12, 2, actual=Decimal("3"), cancelled=True)
    assert (progress.target, progress.actual, progress.rate) == (
        Decimal("12"),
        Decimal("3"),
        Decimal("25.0"),
    )


@pytest.mark.parametrize(
    ("status", "shortfall"),
    [
        (Status.ACHIEVED, False),
        (Status.ON_TRACK, False),
        (Status.BEHIND, True),
        (Status.NOT_STARTED, True),
        (Status.NOT_DUE, False),
        (Status.NOT_ENTERED, False),
        (Status.CANCELLED, False),
        (Status.DONE, False),
        (Status.NOT_DONE, False),
        (Status.NO_TARGET, False),
    ],
)
def test_only_behind_and_not_started_are_shortfalls(status, shortfall):
    assert status.is_shortfall is shortfall


def test_status_values_are_the_japanese_labels():
    assert [str(s) for s in Status] == [
        "達成",
        "順調",
        "遅れ",
        "未着手",
        "予定前",
        "未入力",
        "中止",
        "実施",
        "未実施",
        "目標なし",
    ]


BOOTSTRAP = {"primary", "secondary", "success", "danger", "warning", "info", "light", "dark"}


def test_every_status_has_a_bootstrap_class_and_shortfalls_stand_out():
    assert {s.css for s in Status} <= BOOTSTRAP
    assert Status.ACHIEVED.css == "success"
    assert Status.NOT_STARTED.css == "danger"
    assert Status.BEHIND.css == "warning"


def test_order_sorts_statuses_in_the_design_table_order():
    shuffled = [Status.NO_TARGET, Status.BEHIND, Status.DONE, Status.ACHIEVED, Status.NOT_DUE]
    assert sorted(shuffled, key=lambda s: s.order) == [
        Status.ACHIEVED,
        Status.BEHIND,
        Status.NOT_DUE,
        Status.DONE,
        Status.NO_TARGET,
    ]
    assert sorted(s.order for s in Status) == list(range(len(Status)))
