"""Celery tasks of the 実績 workflow: thin wrappers around ``results.reminders``.

Without CELERY_BROKER_URL they run in-process (``CELERY_TASK_ALWAYS_EAGER``), so
``send_reminders.delay()`` works in the embedded default too.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .reminders import reminders_send


@shared_task(name="results.send_reminders")
def send_reminders(days_before: int | None = None) -> dict[str, int]:
    """Send today's reminders (today in Asia/Tokyo); returns mails sent by kind."""
    if days_before is None:
        days_before = settings.RESULTS_REMINDER_DAYS_BEFORE
    return reminders_send(today=timezone.localdate(), days_before=days_before)
