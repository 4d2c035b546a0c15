"""The Celery application. Without CELERY_BROKER_URL tasks run eagerly in-process."""

import logging
import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shakyo.settings")

logger = logging.getLogger(__name__)

app = Celery("shakyo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Beat (with a broker): reminders every morning, Japan time (CELERY_TIMEZONE); the book
# jobs' sweeper every two minutes (jobs whose message was lost or whose worker is gone).
app.conf.beat_schedule = {
    "results-reminders": {
        "task": "results.send_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "books-sweep-jobs": {
        "task": "books.sweep_jobs",
        "schedule": 120.0,
    },
}


@worker_ready.connect
def _sweep_when_a_worker_starts(sender, **kwargs) -> None:
    """A worker starting after an outage sends again what waited for it, at once."""
    from django.db import connections

    from books.services import book_jobs_sweep

    try:
        book_jobs_sweep()
    except Exception:  # the database may be down too: beat sweeps again later
        logger.exception("sweeping book jobs at worker start failed")
    finally:
        connections.close_all()  # not kept open in the worker's main process
