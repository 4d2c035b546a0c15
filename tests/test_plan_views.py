"""The plan screens: who sees what, who may edit, and what the page shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.models import PlanItem

from .conftest import make_business
from .factories import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize(
    ("role", "status", "sees_a", "sees_c", "sees_commissioned"),
    [
        ("secretariat", 200, True, True, True),
        ("board", 200, True, True, True),
        ("department_head", 200, True, False, True),  # own 課 only (A, B and B's 受託事業)
        ("staff_a", 200, True, False, True),  # own 課, read
        ("city", 200, False, False, True),  # only what the city commissioned
        ("other_org", 200, False, False, False),  # its own council's plan, none of ours
        ("no_role", 403, False, False, False),
    ],
)
def test_plan_page_shows_each_role_only_what_it_may_read(
    client, world, role, status, sees_a, sees_c, sees_commissioned
):
    login(client, world.users[role])
    response = client.get(reverse("plans:year", args=[2020]))
    assert response.status_code == status
    if status != 200:
        return
    html = response.content.decode()
    assert (world.business_a.name in html) is sees_a
    assert (world.business_c.name in html) is sees_c
    assert (world.commissioned.name in html) is sees_commissioned


def test_plan_page_requires_login(client, world):
    response = client.get(reverse("plans:year", args=[2020]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_plan_menu_opens_the_newest_visible_year(client, world):
    login(client, world.users["secretariat"])
    response = client.get(reverse("plans:latest"))
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:year", args=[2020])


def test_plan_page_is_laid_out_like_the_printed_plan(client, r2_plan, django_user_model):
    user = django_user_model.objects.create_user(
        "jim", password=PASSWORD, organization=r2_plan.organization, role="secretariat"
    )
    login(client, user)
    html = client.get(reverse("plans:year", args=[2020])).content.decode()
    assert "令和2年度　総務課　事業計画" in html
    assert "【法人運営係】" in html
    assert "１．組織運営の取り組み" in html
    assert "係の方針" in html
    # 「年24回（月2回）」 is shown as written and as understood.
    assert "年24回 （月2回）" in html
    assert "24回/年" in html
    assert "月2回" in html
    # 「30万円/年1回」 → 300,000円 and 1回
    assert "300,000円" in html
    # 「5月、11月に開催」 (内容) with 「2回」 → schedule 5月・11月
    assert "5月・11月" in html
    assert "（西東京市からの受託事業）" in html


def test_plan_page_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries):
    user = world.users["secretariat"]
    login(client, user)
    url = reverse("plans:year", args=[2020])
    # session, user, visible years, businesses (+section, department, commissioner, year,
    # organisation), initiatives, rows, editable sections, and the session renewal for
    # the idle timeout (savepoint, update, release)
    expected = 10
    with django_assert_num_queries(expected):
        small = client.get(url)
    for _ in range(6):
        make_business(world.section_a, rows=12)
    with django_assert_num_queries(expected):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert large.content.count(b"<tr") > small.content.count(b"<tr") + 60


@pytest.mark.parametrize(
    ("role", "section_attr", "status"),
    [
        ("secretariat", "section_a", 200),
        ("staff_a", "section_a", 200),
        ("staff_a", "section_b", 403),  # another section's row
        ("staff_b", "section_a", 403),
        ("department_head", "section_a", 403),
        ("board", "section_a", 403),
        ("city", "section_b", 403),
        ("other_org", "section_a", 403),
    ],
)
def test_only_secretariat_and_own_section_may_edit_a_row(client, world, role, section_attr, status):
    section = getattr(world, section_attr)
    item = PlanItem.objects.filter(initiative__business__section=section).first()
    login(client, world.users[role])
    assert client.get(reverse("plans:item_edit", args=[item.pk])).status_code == status
    response = client.post(
        reverse("plans:item_edit", args=[item.pk]),
        {"group": "g", "name": "n", "detail": "", "target_text": "9回"},
    )
    assert response.status_code == (302 if status == 200 else 403)
    item.refresh_from_db()
    assert (item.target_text == "9回") is (status == 200)


def test_editing_a_row_reparses_its_target(client, world):
    item = PlanItem.objects.filter(initiative__business=world.business_a).first()
    login(client, world.users["staff_a"])
    response = client.post(
        reverse("plans:item_edit", args=[item.pk]),
        {
            "group": "監事会の開催",
            "name": "(1)監事監査",
            "detail": "5月、11月に開催",
            "target_text": "2回",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.target_text == "2回"
    assert item.target_kind == "quantity"
    assert item.target_value == 2
    assert item.target_unit == "回"
    assert item.target["months"] == [5, 11]
    assert list(item.quantities.values_list("value", "unit")) == [(2, "回")]


def test_target_preview_shows_what_is_understood(client, world):
    login(client, world.users["staff_a"])
    response = client.get(reverse("plans:target_preview"), {"target": "年24回（月2回）"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "24回/年" in html
    assert "月2回" in html


def test_target_preview_is_forbidden_to_readers(client, world):
    login(client, world.users["board"])
    assert client.get(reverse("plans:target_preview"), {"target": "2回"}).status_code == 403


def test_review_list_filters_rows_that_need_review(client, world):
    item = PlanItem.objects.filter(initiative__business=world.business_a).first()
    PlanItem.objects.filter(pk=item.pk).update(needs_review=True)
    login(client, world.users["secretariat"])
    url = reverse("plans:review", args=[2020])
    everything = client.get(url).content.decode()
    only_review = client.get(url, {"needs_review": "on"}).content.decode()
    assert "要確認は <strong>1行</strong>" in everything
    assert only_review.count("table-warning") == 1
    assert everything.count("<tr") > only_review.count("<tr")


def test_structure_can_be_edited_by_hand(client, world):
    item = PlanItem.objects.filter(initiative__business=world.business_a).first()
    login(client, world.users["secretariat"])
    response = client.post(
        reverse("plans:item_structure", args=[item.pk]),
        {"kind": "quantity", "value": "11", "unit": "項目", "months": ["5", "1"]},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.target_edited is True
    assert item.needs_review is False
    assert item.target_value == 11
    assert item.target["months"] == [5, 1]


def test_structure_form_refuses_a_quantity_without_unit(client, world):
    item = PlanItem.objects.filter(initiative__business=world.business_a).first()
    before = item.target
    login(client, world.users["secretariat"])
    response = client.post(
        reverse("plans:item_structure", args=[item.pk]), {"kind": "quantity", "value": "3"}
    )
    assert response.status_code == 400
    assert "単位を入力してください" in response.content.decode()
    item.refresh_from_db()
    assert item.target == before
