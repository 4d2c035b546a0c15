""" "Now": with next year's plan already written, everyone still opens this year's quarter."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from plans.now import year_by_date
from results.models import QuarterWindow
from results.now import Now, now_for

from .conftest import make_business
from .factories import PASSWORD, FiscalYearFactory


@pytest.mark.parametrize(
    ("years", "today", "expected"),
    [
        ([2020], date(2026, 12, 2), 2020),  # the demo, years later: its only plan
        ([2021, 2020], date(2020, 12, 1), 2020),  # next year's plan drafted in 令和2年度
        ([2021, 2020], date(2021, 3, 31), 2020),  # 31 March is still 令和2年度
        ([2021, 2020], date(2021, 4, 1), 2021),  # 1 April starts 令和3年度
        ([2022, 2020], date(2021, 6, 1), 2020),  # 令和3年度 has no plan: the last one before
        ([2022], date(2021, 5, 1), 2022),  # only a future plan so far
        ([], date(2021, 5, 1), None),
    ],
)
def test_the_year_by_date(years, today, expected):
    assert year_by_date(years, today) == expected


@pytest.fixture
def two_years(world):
    """令和2年度 as in the world fixture, and 令和3年度's plan already written."""
    next_year = FiscalYearFactory(organization=world.organization, year=2021)
    make_business(world.section_a, fiscal_year=next_year, name="翌年度の事業")
    return world


@pytest.mark.parametrize(
    ("open_quarters", "today", "expected"),
    [
        # 第3四半期 of 令和2年度 is open: everyone is there, whatever the date.
        ({(2020, 3)}, date(2020, 11, 10), Now(2020, 3, True)),
        ({(2020, 3)}, date(2021, 2, 10), Now(2020, 3, True)),
        # 令和2年度 第4四半期 and 令和3年度 第1四半期 both open: the older year first.
        ({(2020, 4), (2021, 1)}, date(2021, 4, 20), Now(2020, 4, True)),
        # Nothing open: the fiscal year and quarter of the date.
        (set(), date(2020, 11, 10), Now(2020, 3, False)),
        (set(), date(2021, 2, 10), Now(2020, 4, False)),
        (set(), date(2021, 5, 10), Now(2021, 1, False)),
    ],
)
def test_now_is_the_open_window_else_the_date(two_years, open_quarters, today, expected):
    from plans.models import FiscalYear

    for year, quarter in open_quarters:
        fiscal_year = FiscalYear.objects.get(organization=two_years.organization, year=year)
        QuarterWindow.objects.create(fiscal_year=fiscal_year, quarter=quarter, is_open=True)
    assert now_for(two_years.users["staff_a"], today=today) == expected


@time_machine.travel("2020-11-10 10:00 +0900", tick=False)
def test_with_next_years_plan_written_every_role_opens_this_years_open_quarter(client, two_years):
    fiscal_year = two_years.business_a.fiscal_year
    QuarterWindow.objects.create(fiscal_year=fiscal_year, quarter=3, is_open=True)
    users = two_years.users

    def landing_of(role: str) -> str:
        client.logout()
        client.login(username=users[role].username, password=PASSWORD)
        return client.get(reverse("results:home"))["Location"]

    assert landing_of("staff_a") == reverse("results:entry", args=[2020, 3, two_years.section_a.pk])
    assert landing_of("department_head") == reverse(
        "results:department", args=[2020, 3, two_years.section_a.department_id]
    )
    client.logout()
    client.login(username=users["board"].username, password=PASSWORD)
    assert client.get(reverse("results:dashboard_latest"))["Location"].startswith(
        reverse("results:dashboard", args=[2020, 1])[: -len("1/")]
    )
    assert client.get(reverse("plans:latest"))["Location"] == reverse("plans:year", args=[2020])
    client.logout()
    client.login(username=users["secretariat"].username, password=PASSWORD)
    books = client.get(reverse("books:index")).content.decode()
    assert '<option value="2020" selected>' in books
    assert '<option value="2021" selected>' not in books
    assert '<option value="3" selected>第3四半期まで</option>' in books
