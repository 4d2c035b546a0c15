"""Fiscal years, quarters and 和暦. Every expected value below was worked out by hand."""

from datetime import UTC, date, datetime

import pytest

from shakyo.lib.fiscal import (
    FISCAL_MONTHS,
    FiscalQuarter,
    fiscal_month_index,
    fiscal_year_label,
    fiscal_year_of,
    parse_wareki_year,
    plain_digits,
    quarter_of_month,
    wareki_date,
    wareki_datetime,
)

# Each boundary of the fiscal year as (day, fiscal year, quarter).
BOUNDARIES = [
    (date(2020, 3, 31), 2019, 4),
    (date(2020, 4, 1), 2020, 1),
    (date(2020, 6, 30), 2020, 1),
    (date(2020, 7, 1), 2020, 2),
    (date(2020, 9, 30), 2020, 2),
    (date(2020, 10, 1), 2020, 3),
    (date(2020, 12, 31), 2020, 3),
    (date(2021, 1, 1), 2020, 4),
    (date(2021, 2, 28), 2020, 4),
    (date(2021, 3, 31), 2020, 4),
    (date(2021, 4, 1), 2021, 1),
    (date(2020, 2, 29), 2019, 4),
]


@pytest.mark.parametrize(("day", "year", "quarter"), BOUNDARIES)
def test_fiscal_year_changes_in_april_not_january(day, year, quarter):
    assert fiscal_year_of(day) == year


@pytest.mark.parametrize(("day", "year", "quarter"), BOUNDARIES)
def test_quarter_from_date_at_each_boundary(day, year, quarter):
    assert FiscalQuarter.from_date(day) == FiscalQuarter(year, quarter)


@pytest.mark.parametrize(
    ("month", "quarter"),
    [
        (4, 1),
        (5, 1),
        (6, 1),
        (7, 2),
        (8, 2),
        (9, 2),
        (10, 3),
        (11, 3),
        (12, 3),
        (1, 4),
        (2, 4),
        (3, 4),
    ],
)
def test_quarter_of_month(month, quarter):
    assert quarter_of_month(month) == quarter


@pytest.mark.parametrize(
    ("month", "index"),
    [
        (4, 1),
        (5, 2),
        (6, 3),
        (7, 4),
        (8, 5),
        (9, 6),
        (10, 7),
        (11, 8),
        (12, 9),
        (1, 10),
        (2, 11),
        (3, 12),
    ],
)
def test_fiscal_month_index_counts_from_april(month, index):
    assert fiscal_month_index(month) == index


@pytest.mark.parametrize("month", [0, 13, -1])
def test_month_outside_1_to_12_is_refused(month):
    with pytest.raises(ValueError):
        quarter_of_month(month)
    with pytest.raises(ValueError):
        fiscal_month_index(month)


def test_fiscal_months_start_in_april():
    assert FISCAL_MONTHS == (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@pytest.mark.parametrize(
    ("year", "quarter", "start", "end", "months"),
    [
        (2020, 1, date(2020, 4, 1), date(2020, 6, 30), (4, 5, 6)),
        (2020, 2, date(2020, 7, 1), date(2020, 9, 30), (7, 8, 9)),
        (2020, 3, date(2020, 10, 1), date(2020, 12, 31), (10, 11, 12)),
        (2020, 4, date(2021, 1, 1), date(2021, 3, 31), (1, 2, 3)),
        (2023, 4, date(2024, 1, 1), date(2024, 3, 31), (1, 2, 3)),
    ],
)
def test_quarter_start_end_inclusive_and_months(year, quarter, start, end, months):
    fq = FiscalQuarter(year, quarter)
    assert (fq.start, fq.end, fq.months) == (start, end, months)
    assert FiscalQuarter.from_date(fq.start) == fq
    assert FiscalQuarter.from_date(fq.end) == fq


@pytest.mark.parametrize(
    ("current", "following"),
    [
        (FiscalQuarter(2020, 1), FiscalQuarter(2020, 2)),
        (FiscalQuarter(2020, 2), FiscalQuarter(2020, 3)),
        (FiscalQuarter(2020, 3), FiscalQuarter(2020, 4)),
        (FiscalQuarter(2020, 4), FiscalQuarter(2021, 1)),
        (FiscalQuarter(2018, 4), FiscalQuarter(2019, 1)),
    ],
)
def test_next_and_previous_cross_fiscal_years(current, following):
    assert current.next() == following
    assert following.previous() == current
    # Quarters tile the calendar: no gap, no overlap.
    assert date.fromordinal(current.end.toordinal() + 1) == following.start


def test_quarters_sort_chronologically_across_years():
    shuffled = [
        FiscalQuarter(2021, 1),
        FiscalQuarter(2020, 4),
        FiscalQuarter(2019, 4),
        FiscalQuarter(2020, 1),
    ]
    assert sorted(shuffled) == [
        FiscalQuarter(2019, 4),
        FiscalQuarter(2020, 1),
        FiscalQuarter(2020, 4),
        FiscalQuarter(2021, 1),
    ]
    assert FiscalQuarter(2020, 4) < FiscalQuarter(2021, 1)


def test_quarter_is_a_hashable_value():
    assert {FiscalQuarter(2020, 1), FiscalQuarter(2020, 1)} == {FiscalQuarter(2020, 1)}


@pytest.mark.parametrize("quarter", [0, 5, -1])
def test_quarter_outside_1_to_4_is_refused(quarter):
    with pytest.raises(ValueError):
        FiscalQuarter(2020, quarter)


@pytest.mark.parametrize(
    ("quarter", "label"),
    [
        (1, "第1四半期（4〜6月）"),
        (2, "第2四半期（7〜9月）"),
        (3, "第3四半期（10〜12月）"),
        (4, "第4四半期（1〜3月）"),
    ],
)
def test_quarter_label_names_its_months(quarter, label):
    assert FiscalQuarter(2020, quarter).label == label


@pytest.mark.parametrize(
    ("fq", "text"),
    [
        (FiscalQuarter(2020, 1), "令和2年度 第1四半期"),
        (FiscalQuarter(2019, 4), "令和元年度 第4四半期"),
        (FiscalQuarter(2018, 2), "平成30年度 第2四半期"),
    ],
)
def test_quarter_str_is_the_wareki_year_and_quarter(fq, text):
    assert str(fq) == text


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (2020, "令和2年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
        (1973, "昭和48年度"),
        (1927, "昭和2年度"),
        (1926, "大正15年度"),  # 昭和 began on 25 December 1926
        (1913, "大正2年度"),
        (1912, "明治45年度"),  # 大正 began on 30 July 1912
        (1868, "明治元年度"),
        (2030, "令和12年度"),
    ],
)
def test_fiscal_year_label(year, label):
    assert fiscal_year_label(year) == label


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (2019, "平成31年度"),
        (2018, "平成30年度"),
        (2020, "令和2年度"),
    ],
)
def test_heisei_flag_only_renames_fy2019(year, label):
    assert fiscal_year_label(year, heisei_for_2019=True) == label


@pytest.mark.parametrize(
    ("year", "heisei", "label"),
    [
        (2020, False, "令和２年度"),
        (2019, False, "令和元年度"),
        (2030, False, "令和１２年度"),
        (2019, True, "平成３１年度"),
    ],
)
def test_fiscal_year_label_full_width_digits_for_book_titles(year, heisei, label):
    assert fiscal_year_label(year, full_width=True, heisei_for_2019=heisei) == label


def test_fiscal_year_label_before_meiji_is_refused():
    with pytest.raises(ValueError):
        fiscal_year_label(1867)


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2020, 9, 10), "令和2年9月10日"),
        (date(2021, 1, 1), "令和3年1月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1912, 7, 29), "明治45年7月29日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1868, 1, 25), "明治元年1月25日"),
        (date(1973, 4, 1), "昭和48年4月1日"),
    ],
)
def test_wareki_date_changes_era_on_its_first_day(day, text):
    assert wareki_date(day) == text


def test_wareki_date_full_width():
    assert wareki_date(date(2020, 9, 10), full_width=True) == "令和２年９月１０日"


def test_wareki_date_before_meiji_is_refused():
    with pytest.raises(ValueError):
        wareki_date(date(1868, 1, 24))


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("昭和48", 1973),
        ("昭和48年", 1973),
        ("平成21年度", 2009),
        ("令和2", 2020),
        ("令和元年", 2019),
        ("令和元", 2019),
        ("平成31年度", 2019),
        ("平成元年", 1989),
        ("大正15", 1926),
        ("明治45年", 1912),
        ("R2", 2020),
        ("R02", 2020),
        ("H21", 2009),
        ("S48", 1973),
        ("T15", 1926),
        ("M1", 1868),
        ("r2", 2020),
        ("令和２年度", 2020),
        ("Ｒ２", 2020),
        ("㍻21", 2009),
        (" 令和 2年 ", 2020),
    ],
)
def test_parse_wareki_year(text, year):
    assert parse_wareki_year(text) == year


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "2020",
        "令和",
        "R",
        "令和0年",
        "X2",
        "R123",
        "令和2年4月",
        "令和2年度予算",
        "abc",
    ],
)
def test_parse_wareki_year_returns_none_for_other_text(text):
    assert parse_wareki_year(text) is None


def test_parse_wareki_year_never_raises_on_non_text():
    assert parse_wareki_year(2020) is None  # type: ignore[arg-type]
    assert parse_wareki_year(None) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2020, 12, 2, 13, 28), "令和2年12月2日 13:28"),
        (datetime(2020, 12, 2, 9, 5), "令和2年12月2日 9:05"),
        (datetime(2019, 5, 1, 0, 0), "令和元年5月1日 0:00"),
        (datetime(2019, 4, 30, 23, 59), "平成31年4月30日 23:59"),
    ],
)
def test_wareki_datetime_is_the_one_date_style_of_the_screens(moment, text):
    assert wareki_datetime(moment) == text


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("令和２年度　総務課　事業計画", "令和2年度　総務課　事業計画"),
        (
            "令和１２年度　事業報告（第1四半期（4〜6月）まで）",
            "令和12年度　事業報告（第1四半期（4〜6月）まで）",
        ),
        ("令和2年度", "令和2年度"),
    ],
)
def test_book_titles_on_screens_use_plain_digits(title, text):
    assert plain_digits(title) == text


def test_wareki_filter_writes_local_time_and_days():
    from django.utils import timezone

    from plans.templatetags.wareki import wareki

    moment = datetime(2020, 12, 2, 4, 28, tzinfo=UTC)  # 13:28 in Tokyo
    assert wareki(moment) == "令和2年12月2日 13:28"
    assert wareki(timezone.localtime(moment).date()) == "令和2年12月2日"
    assert wareki(None) == ""
