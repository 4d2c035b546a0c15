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
