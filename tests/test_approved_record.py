"""The approved record: what a 課長 approved, row by row, is what the board and the books
read; 承認解除 reopens it and re-approval records it again; an approval of a version the
課長 did not see is refused with what changed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from books import reports
from plans.models import Business, PlanItem
from results import selectors
from results.models import Approval, ApprovedRow, QuarterWindow, Result, SectionQuarter
from results.services import (
    ResultInput,
    StaleApprovalError,
    entry_snapshot,
    results_save,
    section_quarter_approve,
    section_quarter_get,
    section_quarter_submit,
    section_quarter_unlock,
)
from results.status import Status

from .conftest import approval_post_data, make_business


@pytest.fixture
def q1(world):
    fiscal_year = world.business_a.fiscal_year
    QuarterWindow.objects.create(
        fiscal_year=fiscal_year, quarter=1, is_open=True, deadline=date(2020, 7, 15)
    )
    return fiscal_year


def rows_of(business) -> list[PlanItem]:
    return list(PlanItem.objects.filter(initiative__business=business).order_by("order", "pk"))


def enter(world, fiscal_year, seven: str, *, submit: bool = True) -> SectionQuarter:
    """Section A, Q1: 「7回予定」 → ``seven``, 「年24回」 → 6, 「随時実施」 → 実施; submitted."""
    seven_row, twenty_four, anytime = rows_of(world.business_a)[:3]
    section_quarter = section_quarter_get(
        fiscal_year=fiscal_year, section=world.section_a, quarter=1
    )
    results_save(
        section_quarter=section_quarter,
        user=world.users["staff_a"],
        version=section_quarter.version,
        inputs=[
            # 9999 is far beyond 「7回」: the 係 confirmed it (「この数で正しい」).
            ResultInput(
                item_id=seven_row.pk, value=Decimal(seven), reason="延期しました。", confirmed=True
            ),
            ResultInput(item_id=twenty_four.pk, value=Decimal("6")),
            ResultInput(item_id=anytime.pk, done=True, note="随時受付"),
        ],
    )
    if submit:
        section_quarter_submit(section_quarter=section_quarter, user=world.users["staff_a"])
    section_quarter.refresh_from_db()
    return section_quarter


def dashboard_row(world, quarter: int, item: PlanItem):
    board = selectors.dashboard(world.users["board"], year=2020, quarter=quarter)
    rows = [r for d in board.departments for s in d.sections for b in s.businesses for r in b.rows]
    return next(r for r in rows if r.item.pk == item.pk)


def test_approval_records_target_figures_status_and_reason_per_row(world, q1):
    section_quarter = enter(world, q1, "1")
    section_quarter_approve(
        section_quarter=section_quarter, user=world.users["department_head"], version=None
    )
    approval = Approval.objects.get(section_quarter=section_quarter)
    assert approval.approved_by == world.users["department_head"]
    seven_row = rows_of(world.business_a)[0]
    record = ApprovedRow.objects.get(approval=approval, item=seven_row)
    assert record.quarter == 1 and record.current
    assert record.target_text == "7回予定"
    assert record.target["kind"] == "quantity"
    assert record.value == 1 and record.actual == 1
    assert record.bar == 7
    # 1 of 7 against an expected 1.75 at the end of Q1: 遅れ, 14.3%, with its reason.
    assert record.status == Status.BEHIND.value
    assert record.rate == Decimal("14.3")
    assert record.reason == "延期しました。"
    # Every row of the section is recorded, entered or not.
    assert approval.rows.count() == len(rows_of(world.business_a))


def test_the_dashboard_reads_the_approved_record_not_the_current_target(world, q1):
    section_quarter = enter(world, q1, "1")
    section_quarter_approve(
        section_quarter=section_quarter, user=world.users["department_head"], version=None
    )
    seven_row = rows_of(world.business_a)[0]
    assert dashboard_row(world, 1, seven_row).status == Status.BEHIND
    # The row's target is rewritten afterwards (outside any 補正): the approved quarter
    # stays what the 課長 approved, on the dashboard and in the book.
    PlanItem.objects.filter(pk=seven_row.pk).update(
        target_text="1回予定", target={"text": "1回予定", "kind": "quantity"}
    )
    assert dashboard_row(world, 1, seven_row).status == Status.BEHIND
    book = reports.report_book(
        Business.objects.filter(pk=world.business_a.pk), year=2020, quarter=1
    )
    row = next(r for _b, _i, r in book.sheets[0].rows() if r.name == seven_row.name)
    assert row.status == Status.BEHIND
    assert row.rate == Decimal("14.3")


def test_unlocking_reopens_and_reapproval_records_again(world, q1):
    section_quarter = enter(world, q1, "1")
    head = world.users["department_head"]
    section_quarter_approve(section_quarter=section_quarter, user=head, version=None)
    seven_row = rows_of(world.business_a)[0]
    section_quarter_unlock(
        section_quarter=section_quarter,
        user=world.users["secretariat"],
        reason="数値の訂正のため",
    )
    first = Approval.objects.get(section_quarter=section_quarter)
    assert first.withdrawn_reason == "数値の訂正のため"
    assert first.withdrawn_by == world.users["secretariat"]
    assert not first.rows.filter(current=True).exists()  # kept as history, not counted
    # Reopened: the board sees the quarter as not entered until it is approved again.
    assert dashboard_row(world, 1, seven_row).status == Status.NOT_ENTERED

    enter(world, q1, "7")
    section_quarter_approve(section_quarter=section_quarter, user=head, version=None)
    assert Approval.objects.filter(section_quarter=section_quarter).count() == 2
    current = ApprovedRow.objects.get(item=seven_row, quarter=1, current=True)
    assert current.value == 7 and current.status == Status.ACHIEVED.value
    assert dashboard_row(world, 1, seven_row).status == Status.ACHIEVED


def test_approving_a_changed_entry_is_refused_with_what_changed(world, q1):
    section_quarter = enter(world, q1, "11")
    reviewed = entry_snapshot(section_quarter)  # the 課長 opens the page
    version = section_quarter.version
    # Meanwhile the 事務局 unlocks it, the 係 changes 11 to 9999 and submits again.
    section_quarter_unlock(
        section_quarter=section_quarter, user=world.users["secretariat"], reason="訂正"
    )
    enter(world, q1, "9999")
    with pytest.raises(StaleApprovalError) as refused:
        section_quarter_approve(
            section_quarter=section_quarter,
            user=world.users["department_head"],
            version=version,
            reviewed=reviewed,
        )
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.SUBMITTED
    assert not Approval.objects.exists()
    seven_row = rows_of(world.business_a)[0]
    assert refused.value.messages[1] == f"「{seven_row.group} {seven_row.name}」: 実績 11 → 9999"


def test_the_approval_form_refuses_a_stale_version_and_shows_the_change(client, world, q1):
    section_quarter = enter(world, q1, "11")
    client.force_login(world.users["department_head"])
    url = reverse("results:entry", args=[2020, 1, world.section_a.pk])
    seen = client.get(url).context["approve_form"].initial
    section_quarter_unlock(
        section_quarter=section_quarter, user=world.users["secretariat"], reason="訂正"
    )
    enter(world, q1, "9999")
    response = client.post(
        reverse("results:approve", args=[2020, 1, world.section_a.pk]), seen, follow=True
    )
    page = response.content.decode()
    assert "承認の画面を開いた後に変更されました" in page
    assert "実績 11 → 9999" in page
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.SUBMITTED
    # Approving what is shown now goes through, and records 9999.
    client.post(
        reverse("results:approve", args=[2020, 1, world.section_a.pk]),
        approval_post_data(section_quarter),
    )
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.APPROVED
    assert ApprovedRow.objects.get(item=rows_of(world.business_a)[0], current=True).value == 9999


def test_a_tampered_approval_form_is_refused(client, world, q1):
    section_quarter = enter(world, q1, "3")
    client.force_login(world.users["department_head"])
    data = approval_post_data(section_quarter)
    data["reviewed"] = data["reviewed"][:-3] + "xyz"
    response = client.post(
        reverse("results:approve", args=[2020, 1, world.section_a.pk]), data, follow=True
    )
    assert "画面を開き直してから承認してください" in response.content.decode()
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.SUBMITTED


def test_dashboard_of_recorded_quarters_reads_no_results(
    client, world, q1, django_assert_num_queries
):
    section_quarter = enter(world, q1, "3")
    section_quarter_approve(
        section_quarter=section_quarter, user=world.users["department_head"], version=None
    )
    client.force_login(world.users["board"])
    url = reverse("results:dashboard", args=[2020, 1])
    client.get(url)
    # session, user, visible years, businesses (+section, 課, year, organisation,
    # commissioner), rows, section-quarters (with whether an approval is recorded),
    # approved rows — no 実績 — and the session save (savepoint, update, release)
    with django_assert_num_queries(10):
        response = client.get(url)
    assert "遅れ" in response.content.decode() or "順調" in response.content.decode()
    Result.objects.filter(item__initiative__business=world.business_a).update(value=999)
    seven_row = rows_of(world.business_a)[0]
    assert dashboard_row(world, 1, seven_row).progress.actual == 3  # the record, not 実績


def test_book_of_recorded_quarters_reads_a_fixed_number_of_queries(
    world, q1, django_assert_num_queries
):
    section_quarter = enter(world, q1, "3")
    section_quarter_approve(
        section_quarter=section_quarter, user=world.users["department_head"], version=None
    )
    scope = Business.objects.filter(fiscal_year=q1)
    # businesses, initiatives, rows, section-quarters (with whether an approval is
    # recorded), approved rows, the 係's edited 総括; 実績 only for sections approved
    # without a record (none)
    with django_assert_num_queries(6):
        small = reports.report_book(scope, year=2020, quarter=1)
    for _ in range(3):
        make_business(world.section_a, rows=6)
    with django_assert_num_queries(6):
        large = reports.report_book(scope, year=2020, quarter=1)
    assert large.row_count == small.row_count + 18


def test_quarters_approved_without_a_record_get_one_once(world, q1):
    section_quarter = enter(world, q1, "1")
    # Approved before the record existed (or loaded in bulk): only the state says so.
    SectionQuarter.objects.filter(pk=section_quarter.pk).update(state=SectionQuarter.State.APPROVED)
    seven_row = rows_of(world.business_a)[0]
    assert dashboard_row(world, 1, seven_row).status == Status.BEHIND  # folded from 実績
    out = StringIO()
    call_command("record_approvals", stdout=out)
    assert "承認の記録を1件" in out.getvalue()
    record = ApprovedRow.objects.get(item=seven_row, quarter=1, current=True)
    assert record.status == Status.BEHIND.value and record.target_text == "7回予定"
    assert dashboard_row(world, 1, seven_row).status == Status.BEHIND  # now from the record
    call_command("record_approvals", stdout=StringIO())
    assert Approval.objects.count() == 1
