"""Expected pace per quarter. Targets are built by hand from ``targets.types`` (not by the
parser); every expected share was worked out by hand: Q1 = 4–6月, Q2 = 7–9月,
Q3 = 10–12月, Q4 = 1–3月."""

from datetime import date
from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from targets.pace import expected_cumulative, expected_share
from targets.types import Kind, ParsedTarget, Quantity


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


LINEAR_12 = quantity("12回", "12")
MAY_NOV = quantity("5月、11月に開催 2回", "2", months=(5, 11))
SIX_MONTHS = quantity("6回（5・7・10・12・2・3月）", "6", months=(5, 7, 10, 12, 2, 3))
EVERY_QUARTER = quantity("4月・7月・10月・1月に開催", "4", months=(4, 7, 10, 1))
ONE_DATE = quantity("2020年9月10日（木） 1回", "1", dates=(date(2020, 9, 10),))
TWO_DATES = quantity("2回", "2", dates=(date(2020, 6, 1), date(2021, 2, 1)))
DEADLINE_JAN = quantity("面接2回実施 1月末日までに終了", "2", deadline_month=1)
DEADLINE_JUN = quantity("6月末日までに 1回", "1", deadline_month=6)
FIRST_HALF = quantity("上半期実施 1回", "1", halves=(1,))
SECOND_HALF = quantity("下半期実施 1回", "1", halves=(2,))
BOTH_HALVES = quantity("上半期・下半期 各1回", "2", halves=(1, 2))
FROM_OCTOBER = quantity("10月～ 8回", "8", start_month=10)
FROM_APRIL = quantity("4月～ 8回", "8", start_month=4)
FROM_JULY = quantity("7月～ 6回", "6", start_month=7)
FROM_JANUARY = quantity("1月～ 3回", "3", start_month=1)
MONTHS_AND_HALF = quantity("上半期 11月 1回", "1", months=(11,), halves=(1,))
REPEATED_MONTH = quantity("5月、5月、11月", "2", months=(5, 5, 11))
RANGE = quantity("2～3回", "2", max=Decimal("3"))
INCREASE = quantity("30人増", "30", unit="人", increase=True)
SEVEN = quantity("7回予定", "7")
ANYTIME = qualitative("随時実施")
IN_NOVEMBER = qualitative("11月に実施", months=(11,))
EVERY_FIVE_YEARS = qualitative("5年に1回", every_years=5, cadence="5年に1回")
EVERY_OTHER_YEAR_IN_NOVEMBER = qualitative("隔年開催（11月）", every_years=2, months=(11,))
EVERY_OTHER_YEAR_ONCE = quantity("隔年開催 1回", "1", every_years=2)


@pytest.mark.parametrize(
    ("target", "shares"),
    [
        pytest.param(LINEAR_12, (F(1, 4), F(1, 2), F(3, 4), F(1)), id="linear"),
        pytest.param(MAY_NOV, (F(1, 2), F(1, 2), F(1), F(1)), id="months-5-11"),
        pytest.param(SIX_MONTHS, (F(1, 6), F(1, 3), F(2, 3), F(1)), id="months-5-7-10-12-2-3"),
        pytest.param(EVERY_QUARTER, (F(1, 4), F(1, 2), F(3, 4), F(1)), id="months-each-quarter"),
        pytest.param(ONE_DATE, (F(0), F(1), F(1), F(1)), id="single-date-in-q2"),
        pytest.param(TWO_DATES, (F(1, 2), F(1, 2), F(1, 2), F(1)), id="two-dates"),
        pytest.param(DEADLINE_JAN, (F(0), F(0), F(0), F(1)), id="deadline-january"),
        pytest.param(DEADLINE_JUN, (F(1), F(1), F(1), F(1)), id="deadline-june"),
        pytest.param(FIRST_HALF, (F(0), F(1), F(1), F(1)), id="first-half"),
        pytest.param(SECOND_HALF, (F(0), F(0), F(0), F(1)), id="second-half"),
        pytest.param(BOTH_HALVES, (F(0), F(1, 2), F(1, 2), F(1)), id="both-halves"),
        pytest.param(FROM_OCTOBER, (F(0), F(0), F(1, 2), F(1)), id="from-october"),
        pytest.param(FROM_APRIL, (F(1, 4), F(1, 2), F(3, 4), F(1)), id="from-april"),
        pytest.param(FROM_JULY, (F(0), F(1, 3), F(2, 3), F(1)), id="from-july"),
        pytest.param(FROM_JANUARY, (F(0), F(0), F(0), F(1)), id="from-january"),
        pytest.param(MONTHS_AND_HALF, (F(0), F(0), F(1), F(1)), id="months-win-over-halves"),
        pytest.param(REPEATED_MONTH, (F(1, 2), F(1, 2), F(1), F(1)), id="month-counted-once"),
        pytest.param(RANGE, (F(1, 4), F(1, 2), F(3, 4), F(1)), id="range"),
        pytest.param(INCREASE, (F(1, 4), F(1, 2), F(3, 4), F(1)), id="increase"),
        pytest.param(ANYTIME, (F(1, 4), F(1, 2), F(3, 4), F(1)), id="qualitative-linear"),
        pytest.param(IN_NOVEMBER, (F(0), F(0), F(1), F(1)), id="qualitative-in-november"),
        # not placed in this year: perhaps not this year's turn, so nothing is expected
        pytest.param(EVERY_FIVE_YEARS, (F(0), F(0), F(0), F(0)), id="every-5-years-unplaced"),
        pytest.param(
            EVERY_OTHER_YEAR_IN_NOVEMBER, (F(0), F(0), F(1), F(1)), id="every-2-years-in-nov"
        ),
        pytest.param(
            EVERY_OTHER_YEAR_ONCE, (F(1, 4), F(1, 2), F(3, 4), F(1)), id="every-2-years-1"
        ),
    ],
)
def test_expected_share_by_quarter(target, shares):
    assert tuple(expected_share(target, q) for q in (1, 2, 3, 4)) == shares


@pytest.mark.parametrize(
    ("target", "values"),
    [
        pytest.param(LINEAR_12, ("3", "6", "9", "12"), id="linear-12"),
        pytest.param(MAY_NOV, ("1", "1", "2", "2"), id="months-5-11"),
        pytest.param(SIX_MONTHS, ("1", "2", "4", "6"), id="six-months"),
        pytest.param(ONE_DATE, ("0", "1", "1", "1"), id="single-date"),
        pytest.param(DEADLINE_JAN, ("0", "0", "0", "2"), id="deadline"),
        pytest.param(BOTH_HALVES, ("0", "1", "1", "2"), id="both-halves"),
        pytest.param(FROM_OCTOBER, ("0", "0", "4", "8"), id="from-october"),
        pytest.param(RANGE, ("0.5", "1", "1.5", "2"), id="range-uses-lower-bound"),
        pytest.param(INCREASE, ("7.5", "15", "22.5", "30"), id="increase-uses-the-increase"),
        pytest.param(SEVEN, ("1.75", "3.5", "5.25", "7"), id="fractional"),
        pytest.param(ANYTIME, ("0", "0", "0", "0"), id="qualitative-has-no-quantity"),
    ],
)
def test_expected_cumulative_by_quarter(target, values):
    assert tuple(expected_cumulative(target, q) for q in (1, 2, 3, 4)) == tuple(
        Decimal(v) for v in values
    )


def test_expected_cumulative_of_a_repeating_share_is_close_to_exact():
    # 2 scheduled in 3 quarters' months: 2/3 of 1 by Q2 is 0.666…
    target = quantity("1回", "1", months=(5, 7, 10))
    assert abs(expected_cumulative(target, 2) - Decimal(2) / Decimal(3)) < Decimal("1e-20")


@pytest.mark.parametrize("quarter", [0, 5])
def test_quarter_outside_1_to_4_is_refused(quarter):
    with pytest.raises(ValueError):
        expected_share(LINEAR_12, quarter)
    with pytest.raises(ValueError):
        expected_cumulative(LINEAR_12, quarter)


def test_months_outside_1_to_12_are_ignored():
    target = quantity("2回", "2", months=(0, 5, 13, 11))
    assert expected_share(target, 1) == F(1, 2)


schedules = st.builds(
    lambda months, halves, deadline, start, dates: quantity(
        "x",
        "10",
        months=tuple(months),
        halves=tuple(halves),
        deadline_month=deadline,
        start_month=start,
        dates=tuple(dates),
    ),
    months=st.lists(st.integers(1, 12), max_size=6),
    halves=st.lists(st.sampled_from([1, 2]), max_size=2, unique=True),
    deadline=st.none() | st.integers(1, 12),
    start=st.none() | st.integers(1, 12),
    dates=st.lists(st.dates(date(2020, 4, 1), date(2021, 3, 31)), max_size=3),
)


@given(schedules)
def test_share_never_decreases_stays_within_0_and_1_and_is_complete_at_q4(target):
    shares = [expected_share(target, q) for q in (1, 2, 3, 4)]
    assert all(0 <= s <= 1 for s in shares)
    assert shares == sorted(shares)
    assert shares[-1] == 1
