"""The audit trail: written by services, read by the 事務局, edited by nobody."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from plans.models import AuditEvent, PlanItem
from results.models import QuarterWindow
from results.services import (
    ResultInput,
    results_save,
    section_quarter_approve,
    section_quarter_get,
    section_quarter_submit,
)

from .factories import PASSWORD


@pytest.fixture
def saved(world):
    fiscal_year = world.business_a.fiscal_year
    QuarterWindow.objects.create(fiscal_year=fiscal_year, quarter=1, is_open=True)
    rows = PlanItem.objects.filter(initiative__business=world.business_a)
    item = rows.get(target_text="7回予定")
    monthly = rows.get(target_text="年24回 （月2回）")
    qualitative = rows.get(target_text="随時実施")
    sq = section_quarter_get(fiscal_year=fiscal_year, section=world.section_a, quarter=1)
    sq = results_save(
        section_quarter=sq,
        user=world.users["staff_a"],
        inputs=[
            ResultInput(item_id=item.pk, value=Decimal(2), note="理事会を開催"),
            ResultInput(item_id=monthly.pk, value=Decimal(6)),
            ResultInput(item_id=qualitative.pk, done=True),
        ],
        version=sq.version,
    )
    sq = results_save(
        section_quarter=sq,
        user=world.users["staff_a"],
        inputs=[ResultInput(item_id=item.pk, value=Decimal(3), note="理事会を開催")],
        version=sq.version,
    )
    sq = section_quarter_submit(section_quarter=sq, user=world.users["staff_a"])
    section_quarter_approve(section_quarter=sq, user=world.users["department_head"])
    return item


def test_every_change_and_decision_is_recorded_with_old_and_new(world, saved):
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == [
        "result_changed",
        "result_changed",
        "result_changed",
        "result_changed",
        "submitted",
        "approved",
    ]
    assert events[0].changes["value"] == [None, "2"]
    assert events[3].changes == {"value": ["2", "3"]}
    assert events[3].user == world.users["staff_a"]
    assert events[5].user == world.users["department_head"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("secretariat", 200),
        ("department_head", 403),
        ("staff_a", 403),
        ("board", 403),
        ("city", 403),
        ("other_org", 200),  # the secretariat of another council: its own (empty) trail
    ],
)
def test_only_the_secretariat_reads_the_audit_trail(client, world, saved, role, status):
    client.login(username=world.users[role].username, password=PASSWORD)
    assert client.get(reverse("plans:audit")).status_code == status


def test_audit_trail_filters_by_user_and_row(client, world, saved):
    client.login(username=world.users["secretariat"].username, password=PASSWORD)
    by_head = client.get(reverse("plans:audit"), {"user": world.users["department_head"].pk})
    rows = by_head.content.decode().split("<tbody")[1]
    assert "承認" in rows
    assert "実績の変更" not in rows
    by_row = client.get(reverse("plans:audit"), {"item": saved.pk}).content.decode()
    assert by_row.split("<tbody")[1].count("実績の変更") == 2
    assert "2 → 3" in by_row


def test_another_councils_trail_is_not_shown(client, world, saved):
    client.login(username=world.users["other_org"].username, password=PASSWORD)
    response = client.get(reverse("plans:audit"))
    assert response.status_code == 200
    assert "記録はありません" in response.content.decode()
    assert "実績の変更</td>" not in response.content.decode()


def test_the_admin_cannot_edit_or_delete_audit_events(admin_client, world, saved):
    event = AuditEvent.objects.first()
    url = reverse("admin:plans_auditevent_change", args=[event.pk])
    assert admin_client.get(url).status_code == 200  # view only
    admin_client.post(url, {"summary": "改ざん"})
    event.refresh_from_db()
    assert event.summary != "改ざん"
    delete = reverse("admin:plans_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    ("value", "stored"),
    [("20", "20"), ("20.00", "20"), ("2100", "2100"), ("1.50", "1.5"), ("0", "0")],
)
def test_decimals_are_recorded_in_plain_notation(value, stored):
    from results.services import _jsonable

    assert _jsonable(Decimal(value)) == stored


def test_editing_a_plan_row_is_recorded_with_old_and_new(client, world):
    item = PlanItem.objects.filter(initiative__business=world.business_a).first()
    old_target = item.target_text
    client.login(username=world.users["staff_a"].username, password=PASSWORD)
    client.post(
        reverse("plans:item_edit", args=[item.pk]),
        {"group": item.group, "name": item.name, "detail": item.detail, "target_text": "9回"},
    )
    event = AuditEvent.objects.get(action="plan_item_changed")
    assert event.plan_item == item
    assert event.user == world.users["staff_a"]
    assert event.changes == {"target_text": [old_target, "9回"]}


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        # A transition records the new state only: its Japanese name, no empty 「before」.
        ({"state": [None, "draft"]}, [("状態", "", "入力中")]),
        ({"state": [None, "submitted"]}, [("状態", "", "提出済み（承認待ち）")]),
        # The window's two fields are read one by one, the date in 和暦.
        (
            {"is_open,deadline": [[True, "2019-01-01"], [False, None]]},
            [("入力の受付", "受付中", "締切"), ("提出期限", "平成31年1月1日", "（なし）")],
        ),
        (
            {"is_open,deadline": [[False, None], [True, "2020-10-15"]]},
            [("入力の受付", "締切", "受付中"), ("提出期限", "", "令和2年10月15日")],
        ),
        # Nothing was entered either way: not a change.
        ({"extra_values": [[], [None]]}, []),
        ({"note": ["", None]}, []),
        ({"value": [None, "2"], "done": [None, True]}, [("実績", "", "2"), ("実施", "", "実施")]),
        ({"done": [True, False]}, [("実施", "実施", "未実施")]),
        ({"extra_values": [["40"], ["45"]]}, [("実績（そのほかの数）", "40", "45")]),
        ({"tolerance": ["0.10", "0.15"]}, [("順調とみなす許容幅", "10%", "15%")]),
        ({"created": 3, "updated": 0}, [("追加した事業", "", "3件"), ("更新した事業", "", "0件")]),
        ({"target_text": ["7回予定", "9回"]}, [("目標値", "7回予定", "9回")]),
    ],
)
def test_audit_changes_read_in_japanese_without_empty_ones(changes, shown):
    from plans.audit import describe_changes

    assert [(c.label, c.old, c.new) for c in describe_changes(changes)] == shown


def test_audit_trail_shows_names_and_japanese_dates(client, world, saved):
    client.login(username=world.users["secretariat"].username, password=PASSWORD)
    html = client.get(reverse("plans:audit")).content.decode()
    rows = html.split("<tbody")[1]
    assert world.users["department_head"].display_name in rows
    assert world.users["department_head"].username not in rows
    assert "令和" in rows and "/" not in rows.split("</td>")[0]
    assert "承認済み" in rows  # the state, in words
    assert "approved" not in rows
    # The user filter offers people by name and a Japanese empty choice.
    filter_form = html.split("<tbody")[0]
    assert '<option value="" selected>すべて</option>' in filter_form
    assert world.users["staff_a"].display_name in filter_form
