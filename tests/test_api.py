"""The read API: what each kind of token reads, and how the 事務局 issues and revokes them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from api.models import ApiToken
from api.services import api_token_issue
from plans.models import AuditEvent, PlanItem

from .conftest import make_business
from .factories import PASSWORD, FiscalYearFactory, OrganizationFactory


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def items_of(client, key: str, **params) -> list[dict]:
    response = client.get(reverse("api:items"), params, **bearer(key))
    assert response.status_code == 200, response.content
    return response.json()["results"]


def business_names(rows: list[dict]) -> set[str]:
    return {row["business"]["name"] for row in rows}


def test_a_council_token_reads_every_business_of_its_council_and_nothing_else(client, world):
    _, key = api_token_issue(user=world.users["secretariat"], name="法人のシステム")
    rows = items_of(client, key)
    assert business_names(rows) == {
        world.business_a.name,
        world.business_b.name,
        world.business_c.name,
        world.commissioned.name,
    }
    assert {row["organization"] for row in rows} == {"テスト市社会福祉協議会"}


def test_a_city_token_reads_exactly_the_businesses_the_city_commissioned(client, world):
    _, key = api_token_issue(
        user=world.users["secretariat"], name="市の連携", commissioner=world.city
    )
    rows = items_of(client, key)
    assert business_names(rows) == {"受託の事業"}
    assert {row["business"]["commissioned_by"] for row in rows} == {world.city.name}


def test_a_city_token_of_one_council_does_not_read_what_the_city_commissioned_elsewhere(
    client, world
):
    from plans.models import Section

    other_section = Section.objects.filter(
        department__organization=world.other_organization
    ).first()
    make_business(other_section, commissioned_by=world.city, name="よその受託事業")
    _, key = api_token_issue(
        user=world.users["secretariat"], name="市の連携", commissioner=world.city
    )
    assert business_names(items_of(client, key)) == {"受託の事業"}


def test_each_row_carries_its_target_as_written_and_as_understood(client, world):
    _, key = api_token_issue(user=world.users["secretariat"], name="法人のシステム")
    rows = items_of(client, key, business=world.business_a.pk)
    first = rows[0]
    assert first["target_text"] == "7回予定"
    assert first["target"]["kind"] == "quantity"
    assert first["target_reading"], "the reading in words is given"
    assert first["year"] == 2020
    assert first["initiative"]["number"] == 1
    assert "updated_by" not in first


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": "2020"}, 4),
        ({"year": "2021"}, 0),
        ({"commissioner": "架空市"}, 0),
    ],
)
def test_the_items_filters(client, world, params, expected):
    _, key = api_token_issue(user=world.users["secretariat"], name="法人のシステム")
    assert len(business_names(items_of(client, key, **params))) == expected


def test_the_commissioner_filter_names_the_commissioning_body(client, world):
    _, key = api_token_issue(user=world.users["secretariat"], name="法人のシステム")
    assert business_names(items_of(client, key, commissioner=world.city.name)) == {"受託の事業"}


@pytest.mark.parametrize("params", [{"year": "令和2"}, {"business": "x"}, {"page": "99"}])
def test_bad_query_parameters_answer_400_or_404_never_500(client, world, params):
    _, key = api_token_issue(user=world.users["secretariat"], name="法人のシステム")
    response = client.get(reverse("api:items"), params, **bearer(key))
    assert response.status_code in (400, 404)


def test_no_token_a_wrong_token_or_a_revoked_token_is_refused_in_japanese(client, world):
    token, key = api_token_issue(user=world.users["secretariat"], name="法人のシステム")
    url = reverse("api:items")
    assert client.get(url).status_code == 401
    wrong = client.get(url, **bearer("shakyo_not-a-key"))
    assert wrong.status_code == 401
    assert "利用キー" in wrong.json()["detail"]
    client.login(username=world.users["secretariat"].username, password=PASSWORD)
    client.post(reverse("api:token_revoke", args=[token.pk]))
    client.logout()
    revoked = client.get(url, **bearer(key))
    assert revoked.status_code == 401
    assert "無効" in revoked.json()["detail"]


def test_a_signed_in_session_is_not_a_token(client, world):
    client.login(username=world.users["board"].username, password=PASSWORD)
    assert client.get(reverse("api:items")).status_code == 401


def test_years_list_the_years_the_token_reads(client, world):
    FiscalYearFactory(organization=world.organization, year=2021)  # no businesses yet
    _, key = api_token_issue(user=world.users["secretariat"], name="法人のシステム")
    response = client.get(reverse("api:years"), **bearer(key))
    assert response.json()["results"] == [
        {"year": 2020, "label": "令和2年度", "organization": "テスト市社会福祉協議会"}
    ]


def test_pages_of_rows(client, world):
    _, key = api_token_issue(user=world.users["secretariat"], name="法人のシステム")
    first = client.get(reverse("api:items"), {"page_size": 5}, **bearer(key)).json()
    assert (
        first["count"]
        == PlanItem.objects.filter(
            initiative__business__fiscal_year__organization=world.organization
        ).count()
    )
    assert len(first["results"]) == 5
    second = client.get(first["next"], **bearer(key)).json()
    assert {row["id"] for row in second["results"]}.isdisjoint(
        row["id"] for row in first["results"]
    )


def test_a_page_costs_the_same_queries_whatever_its_length(
    client, world, django_assert_num_queries
):
    _, key = api_token_issue(user=world.users["secretariat"], name="法人のシステム")
    items_of(client, key)  # last_used_at is written on the first use only
    # 1 token, 2 count, 3 the page with its business, section, 課, year and 委託元
    with django_assert_num_queries(3):
        items_of(client, key, page_size=2)
    with django_assert_num_queries(3):
        items_of(client, key, page_size=200)


def test_each_token_has_its_own_rate(client, world, monkeypatch):
    from api.throttling import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api_token": "3/min"})
    _, key = api_token_issue(user=world.users["secretariat"], name="一つ目")
    _, other = api_token_issue(user=world.users["secretariat"], name="二つ目")
    answers = [client.get(reverse("api:years"), **bearer(key)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert client.get(reverse("api:years"), **bearer(other)).status_code == 200


def test_the_schema_describes_every_list(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/years/", "/api/v1/items/", "/api/v1/results/"} <= set(paths)


# --- the 事務局's screen -----------------------------------------------------------------


def test_the_secretariat_issues_a_key_that_is_shown_once(client, world):
    client.login(username=world.users["secretariat"].username, password=PASSWORD)
    response = client.post(reverse("api:tokens"), {"name": "市の福祉システム", "commissioner": ""})
    body = response.content.decode()
    assert "この画面でしか表示されません" in body
    token = ApiToken.objects.get()
    key = body.split('id="api-key">')[1].split("<")[0]
    assert key.startswith(token.key_prefix)
    assert key not in client.get(reverse("api:tokens")).content.decode()
    assert items_of(client, key)
    assert AuditEvent.objects.filter(summary__contains="利用キーを発行").exists()


def test_the_secretariat_may_give_a_key_only_to_a_body_that_commissions_it(client, world):
    stranger = OrganizationFactory(name="関係のない市", kind="city")
    client.login(username=world.users["secretariat"].username, password=PASSWORD)
    page = client.get(reverse("api:tokens")).content.decode()
    assert f"{world.city.name}から受託した事業のみ" in page
    assert stranger.name not in page
    response = client.post(
        reverse("api:tokens"), {"name": "不正", "commissioner": str(stranger.pk)}
    )
    assert response.status_code == 200
    assert "正しく選択してください" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_another_councils_secretariat_neither_sees_nor_revokes_a_key(client, world):
    token, _ = api_token_issue(user=world.users["secretariat"], name="会計システム連携")
    client.login(username=world.users["other_org"].username, password=PASSWORD)
    assert "会計システム連携" not in client.get(reverse("api:tokens")).content.decode()
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.is_active


# --- approved figures, on the demo -------------------------------------------------------


@pytest.fixture
def demo(db, r2_plan_data):
    from plans.demo import demo_load

    return demo_load(data=r2_plan_data)


def all_pages(client, url: str, key: str, **params) -> list[dict]:
    rows: list[dict] = []
    response = client.get(url, {**params, "page_size": 500}, **bearer(key))
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        if not body["next"]:
            return rows
        response = client.get(body["next"], **bearer(key))


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_the_api_gives_every_token_the_statuses_its_screens_show(client, demo, quarter):
    """A council token counts like the board's dashboard, a city token like the city's."""
    from collections import Counter

    from plans.models import Organization, User
    from results import selectors

    secretariat = User.objects.get(username="jimukyoku")
    city = Organization.objects.get(name="西東京市")
    _, council_key = api_token_issue(user=secretariat, name="法人")
    _, city_key = api_token_issue(user=secretariat, name="市", commissioner=city)
    for key, username in ((council_key, "riji"), (city_key, "city")):
        rows = all_pages(client, reverse("api:results"), key, year=2020, quarter=quarter)
        board = selectors.dashboard(User.objects.get(username=username), year=2020, quarter=quarter)
        expected = Counter({str(s): n for s, n in board.counts.counter.items() if n})
        assert Counter(row["status"] for row in rows) == expected, username


def test_the_city_token_reads_its_ten_commissioned_businesses_and_nothing_else(client, demo):
    from plans.models import Business, Organization, User

    secretariat = User.objects.get(username="jimukyoku")
    city = Organization.objects.get(name="西東京市")
    _, key = api_token_issue(user=secretariat, name="市", commissioner=city)
    items = all_pages(client, reverse("api:items"), key, year=2020)
    commissioned = set(Business.objects.filter(commissioned_by=city).values_list("name", flat=True))
    assert len(commissioned) == 10
    assert business_names(items) == commissioned
    results = all_pages(client, reverse("api:results"), key, year=2020, quarter=2)
    assert {row["item"] for row in results} == {row["id"] for row in items}


def test_no_unapproved_figure_leaves_through_the_api(client, demo):
    from plans.models import User
    from results.models import Result, SectionQuarter

    _, key = api_token_issue(user=User.objects.get(username="jimukyoku"), name="法人")
    rows = all_pages(client, reverse("api:results"), key, year=2020, quarter=2)
    approved_sections = set(
        SectionQuarter.objects.filter(quarter=2, state=SectionQuarter.State.APPROVED).values_list(
            "section_id", flat=True
        )
    )
    assert approved_sections, "the demo has approved and unapproved sections at 第2四半期"
    by_item = {row["item"]: row for row in rows}
    unapproved = Result.objects.filter(quarter=2, value__isnull=False).exclude(
        item__initiative__business__section_id__in=approved_sections
    )
    assert unapproved.exists()
    for result in unapproved:
        row = by_item[result.item_id]
        assert row["approved"] is False
        assert row["quarter_value"] is None
        assert row["status"] == "未入力"
    approved = Result.objects.filter(
        quarter=2,
        value__isnull=False,
        item__initiative__business__section_id__in=approved_sections,
    ).first()
    assert by_item[approved.item_id]["approved"] is True
    assert by_item[approved.item_id]["quarter_value"] == f"{approved.value:.2f}"


@pytest.mark.parametrize("params", [{}, {"year": "2020"}, {"year": "2020", "quarter": "5"}])
def test_results_need_a_year_and_a_quarter(client, world, params):
    _, key = api_token_issue(user=world.users["secretariat"], name="法人のシステム")
    response = client.get(reverse("api:results"), params, **bearer(key))
    assert response.status_code == 400
    assert "quarter" in response.json()


def test_a_page_of_results_costs_the_same_queries_whatever_its_length(
    client, demo, django_assert_num_queries
):
    from plans.models import User

    _, key = api_token_issue(user=User.objects.get(username="jimukyoku"), name="法人")
    params = {"year": 2020, "quarter": 2}
    client.get(reverse("api:results"), params, **bearer(key))  # last_used_at written once
    # 1 token, 2 count, 3 the page's rows, 4 their sections' quarters, 5 their 実績
    for size in (5, 300):
        with django_assert_num_queries(5):
            response = client.get(
                reverse("api:results"), {**params, "page_size": size}, **bearer(key)
            )
        assert len(response.json()["results"]) == size


def test_an_operator_gives_a_city_one_key_for_what_it_commissioned_everywhere(client, world):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from plans.models import Commission, Section

    other_section = Section.objects.filter(
        department__organization=world.other_organization
    ).first()
    Commission.objects.create(council=world.other_organization, commissioner=world.city)
    make_business(other_section, commissioned_by=world.city, name="よその受託事業")
    out = StringIO()
    call_command("api_token", "issue", world.city.name, "--name", "市の基幹システム", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert business_names(items_of(client, key)) == {"受託の事業", "よその受託事業"}
    with pytest.raises(CommandError, match="委託していません"):
        call_command("api_token", "issue", world.organization.name, "--name", "x", stdout=out)
    call_command("api_token", "revoke", key[:12], stdout=out)
    assert client.get(reverse("api:items"), **bearer(key)).status_code == 401
