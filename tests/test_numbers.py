"""四捨五入, 達成率 and user-typed counts. Every expected value was worked out by hand."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shakyo.lib.numbers import achievement_rate, parse_count, round_half_up


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("0.125"), 1, "0.1"),  # only the first dropped digit decides: 2 < 5
        (Decimal("0.125"), 2, "0.13"),
        (Decimal("0.15"), 1, "0.2"),
        (Decimal("0.25"), 1, "0.3"),  # banker's rounding would give 0.2
        (Decimal("0.05"), 1, "0.1"),
        (Decimal("0.04"), 1, "0.0"),
        (Decimal("2.5"), 0, "3"),  # banker's rounding would give 2
        (Decimal("3.5"), 0, "4"),
        (Decimal("66.66666"), 1, "66.7"),
        (Decimal("12.45"), 1, "12.5"),
        (Decimal("12.449"), 1, "12.4"),
        (Decimal("1"), 1, "1.0"),
        (Decimal("-0.125"), 2, "-0.13"),  # halves go away from zero
        (Decimal("-2.5"), 0, "-3"),
        (Decimal("-0.04"), 1, "0.0"),  # no negative zero
        (Fraction(2, 3), 2, "0.67"),
        (Fraction(1, 8), 2, "0.13"),
        (7, 1, "7.0"),
    ],
)
def test_round_half_up(value, places, expected):
    result = round_half_up(value, places)
    assert str(result) == expected


def test_round_half_up_defaults_to_one_place():
    assert str(round_half_up(Decimal("12.25"))) == "12.3"


def test_round_half_up_refuses_floats():
    with pytest.raises(TypeError):
        round_half_up(0.125)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "places"), [(Decimal("1"), -1), (Decimal("NaN"), 1), (Decimal("Infinity"), 1)]
)
def test_round_half_up_refuses_what_cannot_be_rounded(value, places):
    with pytest.raises(ValueError):
        round_half_up(value, places)


@pytest.mark.parametrize(
    ("actual", "target", "rate"),
    [
        ("2", "3", "66.7"),  # 66.66…
        ("1", "3", "33.3"),  # 33.33…
        ("1", "8", "12.5"),
        ("5", "6", "83.3"),  # 83.33…
        ("8", "7", "114.3"),  # 114.285…
        ("1", "16", "6.3"),  # 6.25: half up, not half even
        ("1", "80", "1.3"),  # 1.25
        ("1", "800", "0.1"),  # 0.125: only the first dropped digit decides
        ("7", "7", "100.0"),
        ("2100", "2100", "100.0"),
        ("0", "12", "0.0"),
        ("1.5", "2", "75.0"),
    ],
)
def test_achievement_rate_is_percent_rounded_half_up(actual, target, rate):
    assert str(achievement_rate(Decimal(actual), Decimal(target))) == rate


@pytest.mark.parametrize(
    ("actual", "target"),
    [
        (Decimal("3"), Decimal("0")),
        (Decimal("3"), None),
        (None, Decimal("3")),
    ],
)
def test_achievement_rate_is_none_without_a_target_or_actual(actual, target):
    assert achievement_rate(actual, target) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2,100", "2100"),
        ("２，１００", "2100"),
        ("2100", "2100"),
        ("２１００", "2100"),
        (" 12 ", "12"),
        ("\u300012\u3000", "12"),  # ideographic spaces
        ("1.5", "1.5"),
        ("１．５", "1.5"),
        ("0", "0"),
        ("1,234,567", "1234567"),
        ("1,234.5", "1234.5"),
    ],
)
def test_parse_count_reads_typed_numbers(text, value):
    assert parse_count(text) == Decimal(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "-5",
        "－５",
        "+5",
        "12回",
        "abc",
        "1,00",
        "1,2345",
        ",100",
        "1.",
        ".5",
        "1.2.3",
        "2 100",
        "١٢",  # Arabic-Indic digits are not what a 社協 office types
        None,
    ],
)
def test_parse_count_refuses_what_is_not_a_count(text):
    assert parse_count(text) is None


@settings(max_examples=500, deadline=None)
@given(
    st.fractions(min_value=-(10**9), max_value=10**9, max_denominator=10**6),
    st.integers(min_value=0, max_value=4),
)
def test_round_half_up_is_floor_of_value_plus_a_half(value, places):
    # The definition, in Fractions: |v| × 10^p + 1/2, floored, with the sign put back.
    scaled = math.floor(abs(value) * 10**places + Fraction(1, 2))
    expected = Decimal(scaled).scaleb(-places) * (-1 if value < 0 else 1)
    assert round_half_up(value, places) == expected
    assert round_half_up(Decimal(value.numerator) / 1, places) == round_half_up(
        Fraction(value.numerator), places
    )


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=0, max_value=10**7, places=2),
    st.decimals(min_value=Decimal("0.01"), max_value=10**7, places=2),
)
def test_achievement_rate_is_the_rounded_exact_quotient(actual, target):
    exact = Fraction(actual) * 100 / Fraction(target)
    assert achievement_rate(actual, target) == round_half_up(exact, 1)
