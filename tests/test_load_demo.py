"""The demo command loads the whole real plan, once."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from plans.models import Business, Initiative, PlanItem, TargetQuantity, User


def count_items(data: dict) -> tuple[int, int, int]:
    businesses = initiatives = items = 0
    for dep in data["departments"]:
        for sec in dep["sections"]:
            for bus in sec["businesses"]:
                businesses += 1
                for ini in bus["initiatives"]:
                    initiatives += 1
                    items += len(ini["items"])
    return businesses, initiatives, items


@pytest.mark.django_db
def test_load_demo_loads_every_row_and_one_login_per_role(r2_plan_data):
    out = StringIO()
    call_command("load_demo", "--no-results", stdout=out)
    businesses, initiatives, items = count_items(r2_plan_data)
    assert (businesses, initiatives, items) == (24, 61, 320)  # data/README.md
    assert Business.objects.count() == businesses
    assert Initiative.objects.count() == initiatives
    assert PlanItem.objects.count() == items
    roles = set(User.objects.values_list("role", flat=True))
    assert {"secretariat", "department_head", "section_staff", "board", "city"} <= roles
    text = out.getvalue()
    assert "令和2年度" in text
    assert "jimukyoku" in text


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    call_command("load_demo", "--no-results", stdout=StringIO())
    before = (
        PlanItem.objects.count(),
        TargetQuantity.objects.count(),
        User.objects.count(),
        sorted(PlanItem.objects.values_list("key", flat=True)),
    )
    out = StringIO()
    call_command("load_demo", "--no-results", stdout=out)
    after = (
        PlanItem.objects.count(),
        TargetQuantity.objects.count(),
        User.objects.count(),
        sorted(PlanItem.objects.values_list("key", flat=True)),
    )
    assert before == after
    assert "既に読み込まれています" in out.getvalue()


@pytest.mark.django_db
def test_load_demo_keeps_texts_verbatim(r2_plan_data):
    call_command("load_demo", "--no-results", stdout=StringIO())
    written = {
        (it["name"], it["target"])
        for dep in r2_plan_data["departments"]
        for sec in dep["sections"]
        for bus in sec["businesses"]
        for ini in bus["initiatives"]
        for it in ini["items"]
    }
    stored = set(PlanItem.objects.values_list("name", "target_text"))
    assert stored == written


def test_parse_target_command_prints_the_contract():
    out = StringIO()
    call_command("parse_target", "年24回（月2回）", "30万円/年1回", "随時実施", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["text"] for line in lines] == ["年24回（月2回）", "30万円/年1回", "随時実施"]
    assert lines[0]["kind"] == "quantity"
    assert lines[0]["quantities"][0] == {
        **lines[0]["quantities"][0],
        "value": 24,
        "max": None,
        "unit": "回",
    }
    assert [(q["value"], q["unit"]) for q in lines[1]["quantities"]] == [(300000, "円"), (1, "回")]
    assert lines[2]["kind"] == "qualitative"
    assert lines[2]["needs_review"] is False


def test_parse_target_command_reads_the_schedule_from_detail():
    out = StringIO()
    call_command("parse_target", "2回", "--detail", "5月、11月に開催", stdout=out)
    result = json.loads(out.getvalue())
    assert result["months"] == [5, 11]
    assert result["quantities"][0]["value"] == 2
