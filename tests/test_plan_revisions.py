"""確定 and 補正: after the 事務局 fixes a plan, a 目標値 changes only by an approved 補正,
from a quarter not yet approved; approved quarters keep the target they were judged by."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from plans.models import AuditEvent, PlanItem, TargetRevision, target_in_force
from plans.services import (
    plan_fix,
    plan_item_set_structure,
    plan_item_update,
    target_revision_approve,
    target_revision_refuse,
)
from results.models import Result, SectionQuarter
from results.progress import item_progress
from results.status import Status
from targets.parser import parse_target

from .factories import BusinessFactory, InitiativeFactory, PlanItemFactory


@pytest.fixture
def row(world) -> PlanItem:
    """「8回」, 2 held in each of Q1 and Q2: Q1 on track (2 of 2), Q2 on track (4 of 4)."""
    initiative = InitiativeFactory(business=BusinessFactory(section=world.section_a, name="補正"))
    item = PlanItemFactory(initiative=initiative, target_text="8回", detail="")
    for quarter in (1, 2):
        Result.objects.create(item=item, quarter=quarter, value=Decimal("2"))
    return item


def _approve(world, *quarters: int) -> None:
    fiscal_year = world.business_a.fiscal_year
    for quarter in quarters:
        SectionQuarter.objects.update_or_create(
            fiscal_year=fiscal_year,
            section=world.section_a,
            quarter=quarter,
            defaults={"state": SectionQuarter.State.APPROVED},
        )


def _edit(item: PlanItem, target_text: str, **kwargs):
    return plan_item_update(
        item=item,
        group=item.group,
        name=item.name,
        detail=item.detail,
        target_text=target_text,
        **kwargs,
    )


def _fixed(world):
    return plan_fix(fiscal_year=world.business_a.fiscal_year, user=world.users["secretariat"])


def test_before_the_plan_is_fixed_a_new_target_applies_at_once(world, row):
    change = _edit(row, "4回", user=world.users["staff_a"])
    row.refresh_from_db()
    assert change.revision is None
    assert row.target_text == "4回"
    assert row.target_value == Decimal("4")
    assert row.revision_label == ""


def test_fixing_the_plan_is_recorded_and_happens_once(world, row):
    fiscal_year = _fixed(world)
    assert fiscal_year.is_plan_fixed
    event = AuditEvent.objects.get(action=AuditEvent.Action.PLAN_FIXED)
    assert event.user == world.users["secretariat"]
    assert "確定" in event.summary
    with pytest.raises(ValidationError, match="既に確定"):
        _fixed(world)


def test_after_fixing_a_new_target_is_a_request_and_changes_nothing_yet(world, row):
    _fixed(world)
    change = plan_item_update(
        item=row,
        group=row.group,
        name="(1)会議（名称変更）",
        detail=row.detail,
        target_text="12回",
        revision_reason="会場が増えたため",
        revision_from=3,
        user=world.users["staff_a"],
    )
    row.refresh_from_db()
    assert row.target_text == "8回"  # the target waits for the 事務局
    assert row.name == "(1)会議（名称変更）"  # the other texts change at once
    revision = change.revision
    assert (revision.state, revision.old_text, revision.new_text, revision.from_quarter) == (
        TargetRevision.State.REQUESTED,
        "8回",
        "12回",
        3,
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVISION_REQUESTED).count() == 1


@pytest.mark.parametrize(
    ("reason", "from_quarter", "field", "message"),
    [
        ("", 3, "revision_reason", "補正の理由を入力してください"),
        ("事情が変わった", None, "revision_from", "四半期を選んでください"),
        ("事情が変わった", 2, "revision_from", "第2四半期は承認済み"),
    ],
)
def test_a_request_without_reason_or_from_an_approved_quarter_is_refused(
    world, row, reason, from_quarter, field, message
):
    _fixed(world)
    _approve(world, 1, 2)
    with pytest.raises(ValidationError) as refused:
        _edit(row, "12回", revision_reason=reason, revision_from=from_quarter)
    assert message in refused.value.message_dict[field][0]
    row.refresh_from_db()
    assert row.target_text == "8回"
    assert not TargetRevision.objects.exists()


def test_approved_quarters_keep_the_target_they_were_approved_against(world, row):
    _fixed(world)
    _approve(world, 1, 2)
    tolerance = Decimal("0.10")
    before = [item_progress(row, row.results.all(), q, tolerance=tolerance) for q in (1, 2)]
    change = _edit(row, "4回", revision_reason="年度途中で縮小", revision_from=3)
    target_revision_approve(revision=change.revision, user=world.users["secretariat"])
    row.refresh_from_db()

    assert [row.target_at(q).main.value for q in (1, 2, 3, 4)] == [8, 8, 4, 4]
    assert row.revision_label == "目標変更あり（第3四半期から）"
    assert row.revision_note == "当初 8回、第3四半期から 4回に補正"
    after = [item_progress(row, row.results.all(), q, tolerance=tolerance) for q in (1, 2)]
    # Q1: 2 of 8 (expected 2) stays 順調 25.0%, not 達成 against the new 4.
    assert [p.status for p in after] == [p.status for p in before] == [Status.ON_TRACK] * 2
    assert [p.progress.rate for p in after] == [Decimal("25.0"), Decimal("50.0")]
    assert item_progress(row, row.results.all(), 3, tolerance=tolerance).status == Status.ACHIEVED
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVISION_APPROVED)
    assert event.changes == {"target_text": ["8回", "4回"], "from_quarter": 3}


def test_the_status_read_from_stored_text_uses_the_same_target_in_force(world, row):
    _fixed(world)
    _approve(world, 1)
    change = _edit(row, "4回", revision_reason="縮小", revision_from=3)
    target_revision_approve(revision=change.revision, user=None)
    stored = PlanItem.objects.filter(pk=row.pk).values().get()
    for quarter in (1, 2, 3, 4):
        assert target_in_force(
            json.dumps(stored["target"]),
            json.dumps(stored["earlier_targets"]),
            stored["target_from_quarter"],
            quarter,
        ) == PlanItem.objects.get(pk=row.pk).target_at(quarter)


def test_a_second_revision_keeps_the_first_for_the_quarters_between(world, row):
    _fixed(world)
    first = _edit(row, "10回", revision_reason="増やす", revision_from=2).revision
    target_revision_approve(revision=first, user=None)
    second = _edit(row, "12回", revision_reason="さらに増やす", revision_from=4).revision
    target_revision_approve(revision=second, user=None)
    row.refresh_from_db()
    assert [row.target_text_at(q) for q in (1, 2, 3, 4)] == ["8回", "10回", "10回", "12回"]
    assert row.revision_note == "当初 8回、第4四半期から 12回に補正"


def test_approval_is_refused_when_the_quarter_was_approved_since_the_request(world, row):
    _fixed(world)
    revision = _edit(row, "4回", revision_reason="縮小", revision_from=2).revision
    _approve(world, 1, 2)
    with pytest.raises(ValidationError, match="第2四半期は承認済み"):
        target_revision_approve(revision=revision, user=None)
    row.refresh_from_db()
    revision.refresh_from_db()
    assert row.target_text == "8回"
    assert revision.state == TargetRevision.State.REQUESTED


def test_a_refused_revision_leaves_the_row_and_says_why(world, row):
    _fixed(world)
    revision = _edit(row, "4回", revision_reason="縮小", revision_from=3).revision
    with pytest.raises(ValidationError):
        target_revision_refuse(revision=revision, user=None, note="")
    target_revision_refuse(revision=revision, user=None, note="年度途中の縮小は認めません")
    row.refresh_from_db()
    revision.refresh_from_db()
    assert row.target_text == "8回"
    assert revision.state == TargetRevision.State.REFUSED
    assert revision.decision_note == "年度途中の縮小は認めません"
    # The row may ask again once the first request is decided.
    assert _edit(row, "6回", revision_reason="再申請", revision_from=3).revision is not None


def test_only_one_open_request_per_row(world, row):
    _fixed(world)
    _edit(row, "4回", revision_reason="縮小", revision_from=3)
    with pytest.raises(ValidationError, match="承認待ちの補正があります"):
        _edit(row, "6回", revision_reason="やはり6回", revision_from=3)


def test_a_hand_made_structure_after_fixing_is_a_request_too(world, row):
    _fixed(world)
    hand = parse_target("10回", "")
    with pytest.raises(ValidationError):
        plan_item_set_structure(item=row, parsed=hand)
    change = plan_item_set_structure(
        item=row, parsed=hand, revision_reason="読み取りの誤り", revision_from=1
    )
    target_revision_approve(revision=change.revision, user=None)
    row.refresh_from_db()
    assert row.target_text == "8回"  # the written text is kept
    assert row.target_value == Decimal("10")
    assert row.target_edited


def _admin_post(client, item: PlanItem, **changes):
    data = {
        "initiative": item.initiative_id,
        "order": item.order,
        "group": item.group,
        "name": item.name,
        "detail": item.detail,
        "target_text": item.target_text,
        "aggregation": item.aggregation,
        "revision_reason": "",
        "revision_from": "",
        "quantities-TOTAL_FORMS": "0",
        "quantities-INITIAL_FORMS": "0",
        "quantities-MIN_NUM_FORMS": "0",
        "quantities-MAX_NUM_FORMS": "1000",
        "_save": "保存",
        **changes,
    }
    return client.post(f"/admin/plans/planitem/{item.pk}/change/", data)


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_superuser("operator", "op@example.com", "pw-12345678")


def test_an_admin_edit_before_fixing_reads_the_target_again_and_is_audited(
    client, world, row, operator
):
    client.force_login(operator)
    response = _admin_post(client, row, target_text="登録者 130名")
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.target_value, row.target_unit) == (Decimal("130"), "人")
    assert row.aggregation == PlanItem.Aggregation.LEVEL  # proposed from the new wording
    assert [q.value for q in row.quantities.all()] == [Decimal("130")]
    event = AuditEvent.objects.get(plan_item=row)
    assert event.user == operator
    assert event.changes["target_text"] == ["8回", "登録者 130名"]


def test_an_admin_edit_after_fixing_needs_a_reason_and_becomes_a_request(
    client, world, row, operator
):
    _fixed(world)
    _approve(world, 1)
    client.force_login(operator)
    refused = _admin_post(client, row, target_text="4回")
    assert refused.status_code == 200
    assert "補正の理由を入力してください" in refused.content.decode()
    assert not TargetRevision.objects.exists()

    too_early = _admin_post(client, row, target_text="4回", revision_reason="縮小", revision_from=1)
    assert "第1四半期は承認済み" in too_early.content.decode()

    response = _admin_post(client, row, target_text="4回", revision_reason="縮小", revision_from=2)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.target_text == "8回"
    revision = TargetRevision.objects.get()
    assert (revision.source, revision.new_text, revision.from_quarter) == ("admin", "4回", 2)


def test_a_section_chief_asks_for_a_revision_on_the_row_screen_and_the_secretariat_approves(
    client, world, row
):
    from django.urls import reverse

    _fixed(world)
    _approve(world, 1, 2)
    client.force_login(world.users["staff_a"])
    url = reverse("plans:item_edit", args=[row.pk])
    page = client.get(url).content.decode()
    assert "確定済み" in page
    assert '<option value="1">' not in page  # approved quarters are not offered
    assert '<option value="3" selected>' in page
    data = {"group": row.group, "name": row.name, "detail": "", "target_text": "4回"}
    refused = client.post(url, data)
    assert "補正の理由を入力してください" in refused.content.decode()
    response = client.post(
        url, {**data, "aggregation": "flow", "revision_reason": "縮小", "revision_from": 3}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.target_text == "8回"

    client.force_login(world.users["secretariat"])
    listing = client.get(reverse("plans:revisions", args=[2020])).content.decode()
    assert "8回 → <strong>4回</strong>" in listing
    revision = TargetRevision.objects.get()
    client.post(reverse("plans:revision_decide", args=[revision.pk]), {"decision": "approve"})
    row.refresh_from_db()
    assert row.target_text == "4回"
    plan = client.get(reverse("plans:year", args=[2020])).content.decode()
    assert "目標変更あり（第3四半期から）" in plan
    edit = client.get(url).content.decode()
    assert "第1〜第2四半期: 8回" in edit
    assert "第3四半期から: 4回" in edit


def test_only_the_secretariat_fixes_the_plan_from_the_plan_page(client, world, row):
    from django.urls import reverse

    client.force_login(world.users["staff_a"])
    assert "計画を確定する" not in client.get(reverse("plans:year", args=[2020])).content.decode()
    assert client.post(reverse("plans:fix", args=[2020])).status_code == 403
    client.force_login(world.users["secretariat"])
    assert "計画を確定する" in client.get(reverse("plans:year", args=[2020])).content.decode()
    client.post(reverse("plans:fix", args=[2020]))
    world.business_a.fiscal_year.refresh_from_db()
    assert world.business_a.fiscal_year.is_plan_fixed


def test_the_revision_list_reads_in_a_fixed_number_of_queries(
    client, world, row, django_assert_num_queries
):
    from django.urls import reverse

    _fixed(world)
    client.force_login(world.users["secretariat"])
    url = reverse("plans:revisions", args=[2020])
    # session, user, sections exist?, revisions (+ row, initiative, business, 係, people),
    # and the session renewal for the idle timeout (savepoint, update, release)
    _edit(row, "4回", revision_reason="縮小", revision_from=3)
    with django_assert_num_queries(7):
        small = client.get(url)
    for text in ("5回", "6回", "7回"):
        other = PlanItemFactory(initiative=row.initiative, target_text="2回")
        _edit(other, text, revision_reason="変更", revision_from=2)
    with django_assert_num_queries(7):
        large = client.get(url)
    assert large.content.count(b"<tr") == small.content.count(b"<tr") + 3


def test_the_report_book_shows_the_original_and_the_revised_target(world, row):
    from books.reports import report_row
    from results.basis import RowFigures

    _fixed(world)
    _approve(world, 1, 2)
    change = _edit(row, "4回", revision_reason="縮小", revision_from=3)
    target_revision_approve(revision=change.revision, user=None)
    row.refresh_from_db()
    at_q2, at_q3 = (
        report_row(row, RowFigures(item_progress(row, row.results.all(), q), frozenset()))
        for q in (2, 3)
    )
    assert at_q2.target_text == "8回\n（当初 8回、第3四半期から 4回に補正）"
    assert at_q3.target_text == "4回\n（当初 8回、第3四半期から 4回に補正）"
    assert (at_q2.rate, at_q3.rate) == (Decimal("50.0"), Decimal("100.0"))


def test_the_aggregation_of_a_fixed_plan_changes_only_before_any_approval(world, row):
    _fixed(world)
    changed = _edit(row, row.target_text, aggregation="level")
    assert changed.item.aggregation == "level"
    _approve(world, 1)
    with pytest.raises(ValidationError) as refused:
        _edit(row, row.target_text, aggregation="max")
    assert "承認済みの四半期があるため" in refused.value.message_dict["aggregation"][0]
    row.refresh_from_db()
    assert row.aggregation == "level"
