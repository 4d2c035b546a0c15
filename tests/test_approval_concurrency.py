"""A 課長's approval of a version they did not see is refused, with two real connections on
PostgreSQL: the 課長's session and the 係's (after the 事務局 unlocked the entry) each run
in their own thread, with their own connection and transactions."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from plans.models import PlanItem
from results.models import Approval, ApprovedRow, QuarterWindow, SectionQuarter
from results.services import (
    EntryError,
    ResultInput,
    StaleApprovalError,
    entry_snapshot,
    results_save,
    section_quarter_approve,
    section_quarter_get,
    section_quarter_submit,
    section_quarter_unlock,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL（DATABASE_URL）で実行するテストです")


def in_thread(target) -> object:
    """Run ``target`` on its own connection; return its result or raise its error."""
    outcome: dict[str, object] = {}

    def runner():
        try:
            outcome["value"] = target()
        except BaseException as exc:  # re-raised below, in the test's thread
            outcome["error"] = exc
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=runner)
    thread.start()
    thread.join(timeout=60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def enter_and_submit(world, section_quarter, value: str) -> None:
    seven, twenty_four, anytime = PlanItem.objects.filter(
        initiative__business=world.business_a
    ).order_by("order", "pk")[:3]
    section_quarter.refresh_from_db()
    results_save(
        section_quarter=section_quarter,
        user=world.users["staff_a"],
        version=section_quarter.version,
        inputs=[
            # 9999 is far beyond 「7回」: the 係 confirmed it (「この数で正しい」).
            ResultInput(
                item_id=seven.pk, value=Decimal(value), reason="延期しました。", confirmed=True
            ),
            ResultInput(item_id=twenty_four.pk, value=Decimal("6"), reason="延期しました。"),
            ResultInput(item_id=anytime.pk, done=True),
        ],
    )
    section_quarter_submit(section_quarter=section_quarter, user=world.users["staff_a"])


@pytest.fixture
def submitted(world):
    fiscal_year = world.business_a.fiscal_year
    QuarterWindow.objects.create(
        fiscal_year=fiscal_year, quarter=1, is_open=True, deadline=date(2020, 7, 15)
    )
    section_quarter = section_quarter_get(
        fiscal_year=fiscal_year, section=world.section_a, quarter=1
    )
    enter_and_submit(world, section_quarter, "11")
    return section_quarter


def test_an_entry_changed_on_another_connection_is_not_approved_unseen(world, submitted):
    section_quarter = submitted
    head = world.users["department_head"]

    # The 課長 opens the entry (their connection): 11, at this version.
    def open_page():
        current = SectionQuarter.objects.get(pk=section_quarter.pk)
        return current.version, entry_snapshot(current)

    version, reviewed = in_thread(open_page)

    # On the 係's connection: the 事務局 unlocks, the 係 enters 9999 and submits again.
    def change():
        section_quarter_unlock(
            section_quarter=section_quarter, user=world.users["secretariat"], reason="訂正"
        )
        enter_and_submit(world, section_quarter, "9999")

    in_thread(change)

    # The 課長 presses 承認 on the page they opened: refused, with the change.
    def approve():
        return section_quarter_approve(
            section_quarter=section_quarter, user=head, version=version, reviewed=reviewed
        )

    with pytest.raises(StaleApprovalError) as refused:
        in_thread(approve)
    assert any("実績 11 → 9999" in m for m in refused.value.messages)
    assert SectionQuarter.objects.get(pk=section_quarter.pk).state == "submitted"
    assert not ApprovedRow.objects.exists()


def test_approval_racing_a_change_never_records_figures_the_head_did_not_see(world, submitted):
    """Both at once, several times: whichever takes the section-quarter's lock first,
    either the approval records exactly what the 課長 saw (and the unlock then withdraws
    it), or it is refused. It never records a figure they did not see."""
    section_quarter = submitted
    head = world.users["department_head"]
    item = PlanItem.objects.filter(initiative__business=world.business_a).order_by("order", "pk")[0]
    outcomes = []
    for round_ in range(6):
        seen = SectionQuarter.objects.get(pk=section_quarter.pk)
        version, reviewed = seen.version, entry_snapshot(seen)
        barrier = threading.Barrier(2)
        results: dict[str, str] = {}

        def approve(version=version, reviewed=reviewed, results=results, barrier=barrier):
            barrier.wait()
            try:
                section_quarter_approve(
                    section_quarter=section_quarter, user=head, version=version, reviewed=reviewed
                )
                results["approve"] = "approved"
            except EntryError:  # stale, or unlocked and not submitted yet
                results["approve"] = "refused"

        def change(round_=round_, barrier=barrier):
            barrier.wait()
            section_quarter_unlock(
                section_quarter=section_quarter, user=world.users["secretariat"], reason="訂正"
            )
            enter_and_submit(world, section_quarter, str(100 + round_))

        threads = [threading.Thread(target=_closing(f)) for f in (approve, change)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        outcomes.append(results["approve"])
        if results["approve"] == "approved":
            approval = Approval.objects.filter(section_quarter=section_quarter).latest("pk")
            assert approval.withdrawn_reason == "訂正"  # the unlock came after it
            record = approval.rows.get(item=item)
            assert f"{record.value.normalize():f}" == reviewed[str(item.pk)][0]
        assert SectionQuarter.objects.get(pk=section_quarter.pk).state == "submitted"
    assert set(outcomes) <= {"approved", "refused"}
    assert not ApprovedRow.objects.filter(current=True).exists()


def _closing(target):
    def runner():
        try:
            target()
        finally:
            close_old_connections()
            connection.close()

    return runner
