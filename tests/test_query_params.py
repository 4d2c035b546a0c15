"""Bad query parameters answer 400 with a Japanese message, never a server error (500).

Every view that reads its query string is listed with the values an outsider or a stale
bookmark may send: a number past any database integer, words where numbers go, a NUL
character, unknown choices. Pages keep answering 200 to good parameters.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.models import PlanItem
from results.models import QuarterWindow

HUGE = "9" * 30


@pytest.fixture
def q1(world):
    return QuarterWindow.objects.create(
        fiscal_year=world.business_a.fiscal_year, quarter=1, is_open=True
    )


@pytest.fixture
def item(world):
    return PlanItem.objects.filter(initiative__business=world.business_a).order_by("order").first()


def _url(name, world, item):
    return {
        "audit": reverse("plans:audit"),
        "review": reverse("plans:review", args=[2020]),
        "preview": reverse("plans:target_preview"),
        "item_detail": reverse("results:item_detail", args=[item.pk]) if item else "",
        "row_status": reverse("results:row_status", args=[2020, 1, item.pk]) if item else "",
        "collab_list": reverse("collab:list", args=[world.city.pk, 2020]),
    }[name]


BAD = [
    ("secretariat", "audit", {"item": HUGE}),
    ("secretariat", "audit", {"item": "-1"}),
    ("secretariat", "audit", {"item": "abc"}),
    ("secretariat", "audit", {"user": HUGE}),
    ("secretariat", "audit", {"user": "abc"}),
    ("secretariat", "audit", {"action": "nonsense"}),
    ("secretariat", "review", {"kind": "nonsense"}),
    ("secretariat", "review", {"q": "\x00"}),
    ("staff_a", "item_detail", {"q": "abc"}),
    ("staff_a", "item_detail", {"q": HUGE}),
    ("staff_a", "item_detail", {"q": "5"}),
    ("city", "collab_list", {"form": "nonsense"}),
    ("city", "collab_list", {"q": "\x00"}),
]


@pytest.mark.parametrize(("role", "name", "params"), BAD)
def test_bad_query_parameters_answer_400(client, world, q1, item, role, name, params):
    client.force_login(world.users[role])
    response = client.get(_url(name, world, item), params)
    assert response.status_code == 400, response.status_code


@pytest.mark.parametrize(
    ("role", "name"), [("secretariat", "audit"), ("secretariat", "review"), ("city", "collab_list")]
)
@pytest.mark.parametrize("params", [{"page": HUGE}, {"page": "abc"}, {"sort": "nonsense"}])
def test_odd_paging_and_sorting_shows_a_page(client, world, q1, item, role, name, params):
    """The tables' own parameters fall back to the first or last page and the usual order."""
    client.force_login(world.users[role])
    assert client.get(_url(name, world, item), params).status_code == 200


GOOD = [
    ("secretariat", "audit", {}),
    ("secretariat", "audit", {"item": "1", "action": "result_changed"}),
    ("secretariat", "review", {"kind": "quantity", "q": "理事会"}),
    ("staff_a", "item_detail", {"q": "2"}),
    ("city", "collab_list", {"form": ""}),
]


@pytest.mark.parametrize(("role", "name", "params"), GOOD)
def test_good_query_parameters_still_answer_200(client, world, q1, item, role, name, params):
    client.force_login(world.users[role])
    assert client.get(_url(name, world, item), params).status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"target": "\x00"}, {"target": "1" * 5000}, {"detail": "\x00" * 10}],
)
def test_target_preview_never_fails_on_odd_text(client, world, params):
    client.force_login(world.users["staff_a"])
    response = client.get(reverse("plans:target_preview"), params)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("value", [HUGE, "abc", "\x00", "-1"])
def test_row_status_answers_a_message_for_odd_numbers(client, world, q1, item, value):
    client.force_login(world.users["staff_a"])
    response = client.get(_url("row_status", world, item), {f"r{item.pk}-value": value})
    assert response.status_code == 200
    assert "text-danger" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        f"/results/items/{HUGE}/",
        f"/results/items/{HUGE}/history/",
        f"/plans/{HUGE}/",
        f"/plans/items/{HUGE}/edit/",
        f"/results/{HUGE}/q1/dashboard/",
        f"/results/2020/q1/sections/{HUGE}/",
        f"/books/jobs/{HUGE}/",
        f"/collab/projects/{HUGE}/",
    ],
)
def test_an_id_past_any_database_integer_is_not_found_or_refused(client, world, q1, path):
    """Ids and years in the path: 404 (no such row) or 403 (no such year to read), never 500."""
    client.force_login(world.users["secretariat"])
    assert client.get(path).status_code in (403, 404)
