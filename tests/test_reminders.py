"""Reminder mails: section staff N days before the deadline of an open quarter whose entry
is not submitted, and 課長 while entries wait for approval. The Celery task runs
in-process when no broker is configured."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from results.models import QuarterWindow, SectionQuarter
from results.reminders import approval_reminders, reminders_send, submission_reminders
from results.tasks import send_reminders

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def q1(world):
    for role in ("staff_a", "staff_b", "department_head", "secretariat"):
        user = world.users[role]
        user.email = f"{role}@example.jp"
        user.save(update_fields=["email"])
    fiscal_year = world.business_a.fiscal_year
    QuarterWindow.objects.create(
        fiscal_year=fiscal_year, quarter=1, is_open=True, deadline=date(2020, 7, 15)
    )
    return fiscal_year


def recipients(reminders) -> set[str]:
    return {address for reminder in reminders for address in reminder.addresses}


def test_staff_of_unsubmitted_sections_are_reminded_three_days_before(world, q1):
    SectionQuarter.objects.create(
        fiscal_year=q1, section=world.section_a, quarter=1, state=SectionQuarter.State.SUBMITTED
    )
    reminders = submission_reminders(today=date(2020, 7, 12), days_before=3)
    assert recipients(reminders) == {"staff_b@example.jp"}  # A submitted; C has no staff
    (reminder,) = reminders
    assert "第1四半期（4〜6月）の実績の提出期限は令和2年7月15日です" in reminder.subject
    assert "B係" in reminder.body
    assert "あと3日" in reminder.body
    assert f"/results/2020/q1/sections/{world.section_b.pk}/" in reminder.body


@pytest.mark.parametrize("today", [date(2020, 7, 11), date(2020, 7, 13), date(2020, 7, 16)])
def test_no_submission_reminder_on_other_days(world, q1, today):
    assert submission_reminders(today=today, days_before=3) == []


def test_returned_and_draft_entries_are_reminded_but_approved_ones_are_not(world, q1):
    SectionQuarter.objects.create(
        fiscal_year=q1, section=world.section_a, quarter=1, state=SectionQuarter.State.RETURNED
    )
    SectionQuarter.objects.create(
        fiscal_year=q1, section=world.section_b, quarter=1, state=SectionQuarter.State.APPROVED
    )
    reminders = submission_reminders(today=date(2020, 7, 12))
    assert recipients(reminders) == {"staff_a@example.jp"}


def test_closed_quarters_are_not_reminded(world, q1):
    QuarterWindow.objects.update(is_open=False)
    assert submission_reminders(today=date(2020, 7, 12)) == []


def test_department_heads_are_reminded_of_entries_waiting_for_approval(world, q1):
    assert approval_reminders() == []
    SectionQuarter.objects.create(
        fiscal_year=q1,
        section=world.section_a,
        quarter=1,
        state=SectionQuarter.State.SUBMITTED,
        submitted_at=datetime(2020, 7, 10, 9, 0, tzinfo=TOKYO),
    )
    (reminder,) = approval_reminders()
    assert reminder.addresses == ["department_head@example.jp"]
    assert "承認待ちの実績が1件あります" in reminder.subject
    assert "A係" in reminder.body
    assert "（令和2年7月10日 9:00 提出）" in reminder.body


def test_people_without_an_address_are_skipped(world, q1):
    world.users["staff_b"].email = ""
    world.users["staff_b"].save(update_fields=["email"])
    sent = reminders_send(today=date(2020, 7, 12))
    assert sent == {"submission": 1, "approval": 0}  # staff_a only
    assert [m.to for m in mail.outbox] == [["staff_a@example.jp"]]


def test_the_task_runs_in_process_without_a_broker(world, q1, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    SectionQuarter.objects.create(
        fiscal_year=q1, section=world.section_b, quarter=1, state=SectionQuarter.State.SUBMITTED
    )
    # 08:00 in Tokyo on 12 July is still 11 July in UTC: "today" is the Japanese date.
    with time_machine.travel(datetime(2020, 7, 12, 8, 0, tzinfo=TOKYO), tick=False):
        result = send_reminders.delay().get()
    assert result == {"submission": 1, "approval": 1}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "department_head@example.jp",
        "staff_a@example.jp",
    ]
    assert all(m.from_email == settings.DEFAULT_FROM_EMAIL for m in mail.outbox)


def test_beat_runs_the_reminders_every_morning():
    from shakyo.celery import app

    entry = app.conf.beat_schedule["results-reminders"]
    assert entry["task"] == "results.send_reminders" == send_reminders.name
    assert entry["schedule"].hour == {8}


def test_the_command_sends_todays_reminders_for_cron(world, q1):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with time_machine.travel(datetime(2020, 7, 12, 8, 0, tzinfo=TOKYO), tick=False):
        call_command("send_reminders", stdout=out)
    assert "提出のお知らせ 2通" in out.getvalue()  # sections A and B, none submitted
    assert sorted(m.to[0] for m in mail.outbox) == ["staff_a@example.jp", "staff_b@example.jp"]
