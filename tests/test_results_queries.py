"""The section's entry page and the organisation's dashboard run a fixed number of queries,
whatever the number of rows (no N+1), at two data sizes."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from plans.models import PlanItem
from results.models import QuarterWindow, Result, SectionQuarter

from .conftest import make_business
from .factories import PlanItemFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add_results(world, *quarters):
    """One 実績 per row and quarter for every row of the organisation, approved."""
    fiscal_year = world.business_a.fiscal_year
    items = PlanItem.objects.filter(initiative__business__fiscal_year=fiscal_year)
    Result.objects.bulk_create(
        Result(item=item, quarter=q, value=1, note="実施")
        for item in items
        for q in quarters
        if not Result.objects.filter(item=item, quarter=q).exists()
    )
    for section in (world.section_a, world.section_b, world.section_c):
        for q in quarters:
            SectionQuarter.objects.update_or_create(
                fiscal_year=fiscal_year,
                section=section,
                quarter=q,
                defaults={"state": SectionQuarter.State.APPROVED},
            )


def grow(world):
    for section in (world.section_a, world.section_b, world.section_c):
        for _ in range(4):
            make_business(section, rows=10)
    add_results(world, 1, 2)


@pytest.fixture
def q2(world):
    fiscal_year = world.business_a.fiscal_year
    QuarterWindow.objects.create(fiscal_year=fiscal_year, quarter=1, deadline=date(2020, 7, 15))
    QuarterWindow.objects.create(
        fiscal_year=fiscal_year, quarter=2, is_open=True, deadline=date(2020, 10, 15)
    )
    add_results(world, 1, 2)
    return fiscal_year


def test_entry_page_query_count_does_not_grow_with_rows(
    client, world, q2, django_assert_num_queries
):
    client.force_login(world.users["staff_a"])
    url = reverse("results:entry", args=[2020, 2, world.section_a.pk])
    # session, user, section (+課, organisation), fiscal year (+organisation),
    # section-quarter, window, rows (+initiative, business), their 実績 up to Q2,
    # and the session save of every request (savepoint, update, release)
    expected = 11
    with django_assert_num_queries(expected):
        small = client.get(url)
    grow(world)
    with django_assert_num_queries(expected):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert large.content.count(b"data-status-url") == 3 + 40
    assert small.content.count(b"data-status-url") == 3


def test_dashboard_query_count_does_not_grow_with_rows(
    client, world, q2, django_assert_num_queries
):
    client.force_login(world.users["board"])
    url = reverse("results:dashboard", args=[2020, 2])
    # session, user, visible years, businesses (+section, 課, year, organisation,
    # commissioner), rows (+initiative), 実績 up to the quarter, section-quarters,
    # and the session save of every request (savepoint, update, release)
    expected = 10
    with django_assert_num_queries(expected):
        small = client.get(url)
    grow(world)
    with django_assert_num_queries(expected):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    # Every row is counted; the page lists businesses, and their rows on demand.
    assert "テスト市社会福祉協議会　12行" in small.content.decode()  # 4 businesses × 3 rows
    assert "テスト市社会福祉協議会　132行" in large.content.decode()  # + 12 × 10
    assert large.content.count(b"business-summary") == small.content.count(b"business-summary") + 12
    assert large.content.count(b'class="business-rows"') == 0


def test_business_rows_query_count_does_not_grow_with_rows(
    client, world, q2, django_assert_num_queries
):
    client.force_login(world.users["board"])
    business = world.business_a
    url = reverse("results:business_rows", args=[2020, 2, business.pk]) + "?fragment=1"
    # session, user, business (+section, 課, year), may read it, businesses,
    # rows, 実績, section-quarters, and the session save (savepoint, update, release)
    expected = 11
    with django_assert_num_queries(expected):
        small = client.get(url)
    make_business(world.section_a, rows=0)  # another business does not change this one
    for initiative in business.initiatives.all():
        for index in range(30):
            PlanItemFactory(initiative=initiative, group=f"追加{index}", target_text="随時実施")
    with django_assert_num_queries(expected):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert large.content.count(b"results/items/") >= small.content.count(b"results/items/") + 30
    assert b"<html" not in large.content  # the fragment only
