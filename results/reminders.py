"""Who to remind, and the reminder mails: unsubmitted entries before a deadline, and
entries waiting for the 課長's approval.

``reminders_due`` decides (pure reads, easy to test); ``reminders_send`` mails what it
returns. The Celery task in ``results.tasks`` only calls ``reminders_send``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import timezone

from plans.models import Section, User
from shakyo.lib.fiscal import wareki_date, wareki_datetime

from .models import QuarterWindow, SectionQuarter
from .selectors import planned_sections, quarter_label

# Days before the deadline on which unsubmitted sections are reminded.
DEFAULT_DAYS_BEFORE = 3


@dataclass
class Reminder:
    """One mail to the people in ``recipients`` (each gets their own copy)."""

    kind: str  # "submission" or "approval"
    recipients: list[User]
    subject: str
    body: str
    sections: list[Section] = field(default_factory=list)

    @property
    def addresses(self) -> list[str]:
        return [user.email for user in self.recipients if user.email]


def _absolute(path: str) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{path}" if base else path


def submission_reminders(*, today: date, days_before: int = DEFAULT_DAYS_BEFORE) -> list[Reminder]:
    """Section staff whose entry is not yet submitted, ``days_before`` days before the
    deadline of an open window (one mail per section)."""
    deadline = today + timedelta(days=days_before)
    reminders: list[Reminder] = []
    windows = QuarterWindow.objects.filter(is_open=True, deadline=deadline).select_related(
        "fiscal_year"
    )
    for window in windows:
        fiscal_year = window.fiscal_year
        sections = list(planned_sections(fiscal_year))
        done = set(
            SectionQuarter.objects.filter(
                fiscal_year=fiscal_year,
                quarter=window.quarter,
                state__in=[SectionQuarter.State.SUBMITTED, SectionQuarter.State.APPROVED],
            ).values_list("section_id", flat=True)
        )
        staff: dict[int, list[User]] = {}
        for user in User.objects.filter(
            section__in=sections, role=User.Role.SECTION_STAFF, is_active=True
        ).order_by("pk"):
            staff.setdefault(user.section_id, []).append(user)
        label = quarter_label(window.quarter)
        for section in sections:
            if section.pk in done or not staff.get(section.pk):
                continue
            url = _absolute(
                reverse("results:entry", args=[fiscal_year.year, window.quarter, section.pk])
            )
            reminders.append(
                Reminder(
                    kind="submission",
                    recipients=staff[section.pk],
                    sections=[section],
                    subject=(
                        f"【shakyo】{fiscal_year.label} {label}の実績の提出期限は"
                        f"{wareki_date(deadline)}です"
                    ),
                    body=(
                        f"{section.department.name} {section.name} の皆さま\n\n"
                        f"{fiscal_year.label} {label}の実績がまだ提出されていません。\n"
                        f"提出期限は{wareki_date(deadline)}です"
                        f"（あと{days_before}日）。\n"
                        "遅れ・未着手の行には理由・今後の対応を入力してから提出してください。\n\n"
                        f"入力画面: {url}\n\n"
                        "このメールは shakyo から自動で送信しています。\n"
                    ),
                )
            )
    return reminders


def approval_reminders() -> list[Reminder]:
    """課長 whose 課 has entries waiting for approval (one mail per 課長, listing them)."""
    waiting = list(
        SectionQuarter.objects.filter(state=SectionQuarter.State.SUBMITTED)
        .select_related("section__department", "fiscal_year")
        .order_by("section__department_id", "fiscal_year__year", "quarter", "section__order")
    )
    by_department: dict[int, list[SectionQuarter]] = {}
    for section_quarter in waiting:
        by_department.setdefault(section_quarter.section.department_id, []).append(section_quarter)
    heads = User.objects.filter(
        role=User.Role.DEPARTMENT_HEAD, department_id__in=by_department, is_active=True
    ).order_by("pk")
    reminders = []
    for head in heads:
        entries = by_department[head.department_id]
        lines = []
        for sq in entries:
            url = _absolute(
                reverse("results:entry", args=[sq.fiscal_year.year, sq.quarter, sq.section_id])
            )
            submitted = ""
            if sq.submitted_at:
                at = timezone.localtime(sq.submitted_at)
                submitted = f"（{wareki_datetime(at)} 提出）"
            lines.append(
                f"・{sq.section.name} {sq.fiscal_year.label} {quarter_label(sq.quarter)}"
                f"{submitted}\n  {url}"
            )
        reminders.append(
            Reminder(
                kind="approval",
                recipients=[head],
                sections=[sq.section for sq in entries],
                subject=f"【shakyo】承認待ちの実績が{len(entries)}件あります",
                body=(
                    f"{head.display_name} 様\n\n"
                    "次の係の実績が提出され、承認を待っています。内容を確認し、"
                    "承認または差戻しをしてください。\n\n" + "\n".join(lines) + "\n\n"
                    "このメールは shakyo から自動で送信しています。\n"
                ),
            )
        )
    return reminders


def reminders_due(*, today: date, days_before: int = DEFAULT_DAYS_BEFORE) -> list[Reminder]:
    return [
        *submission_reminders(today=today, days_before=days_before),
        *approval_reminders(),
    ]


def reminders_send(*, today: date, days_before: int = DEFAULT_DAYS_BEFORE) -> dict[str, int]:
    """Mail every reminder due ``today``; returns how many mails of each kind were sent.

    People without an e-mail address are skipped.
    """
    messages = []
    sent = {"submission": 0, "approval": 0}
    for reminder in reminders_due(today=today, days_before=days_before):
        for address in reminder.addresses:
            messages.append(
                (reminder.subject, reminder.body, settings.DEFAULT_FROM_EMAIL, [address])
            )
            sent[reminder.kind] += 1
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return sent
