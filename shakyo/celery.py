"""The Celery application. Without CELERY_BROKER_URL tasks run eagerly in-process."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shakyo.settings")

app = Celery("shakyo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Beat (with a broker): reminders every morning, Japan time (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    "results-reminders": {
        "task": "results.send_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
}
