"""Book jobs that their infrastructure lets down: a broker that cannot be reached, a lost
message, a worker gone, a database that went away, a job that runs too long. Each ends
sent again or failed with a Japanese message on its page, and no upload is left behind.

These run on the test database with Celery eager; tests/test_books_infra.py stops a real
Redis and restarts a real PostgreSQL.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from books import services
from books.models import BookJob
from books.services import (
    MAX_ATTEMPTS,
    MAX_REQUEUES,
    book_job_create,
    book_job_run,
    book_jobs_sweep,
)
from shakyo.celery import app

from .factories import PASSWORD


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def broker_down():
    """Celery sends to a port where nothing listens (not eager)."""
    keys = ("task_always_eager", "broker_url")
    before = {key: app.conf[key] for key in keys}
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:9/0"
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        for key, value in before.items():
            app.conf[key] = value
        app._pool = None
        app.amqp._producer_pool = None


def _job(world, **fields) -> BookJob:
    return BookJob.objects.create(
        organization=world.organization,
        user=world.users["secretariat"],
        kind=fields.pop("kind", BookJob.Kind.PLAN_EXPORT),
        year=2020,
        **fields,
    )


def _with_upload(job: BookJob) -> BookJob:
    job.upload.save(f"job-{job.pk}.xlsx", ContentFile(b"PK\x03\x04 notes"), save=True)
    return job


def _page(client, job: BookJob) -> str:
    assert client.login(username=job.user.username, password=PASSWORD)
    return client.get(reverse("books:job", args=[job.pk])).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_book_asked_for_while_the_broker_is_down_says_so_and_waits(client, world, broker_down):
    job = book_job_create(user=world.users["secretariat"], kind=BookJob.Kind.PLAN_EXPORT, year=2020)
    job.refresh_from_db()
    assert job.state == BookJob.State.PENDING
    assert job.queued_at is None  # the sweeper sends it when it runs next
    assert "処理の受付に一時的につながらないため、まだ順番待ちに入っていません" in _page(
        client, job
    )


def test_the_sweeper_sends_a_job_that_was_never_queued_and_it_is_made(world):
    job = _job(world, message=services._NOT_QUEUED)  # queued_at None: sending failed
    summary = book_jobs_sweep()  # eager here: the job runs at once
    job.refresh_from_db()
    assert (summary.sent, summary.failed) == (1, 0)
    assert job.state == BookJob.State.DONE, job.message
    assert job.requeues == 1


def test_a_job_whose_message_was_lost_is_sent_again_under_a_new_task_id(world):
    with time_machine.travel(timezone.now() - timedelta(hours=1)):
        job = _job(world, task_id="lost", queued_at=timezone.now())
    book_jobs_sweep()
    job.refresh_from_db()
    assert job.state == BookJob.State.DONE
    assert job.task_id not in ("", "lost")
    # The lost message, delivered late after all, finds a finished job and leaves it.
    assert book_job_run(job_id=job.pk, task_id="lost").finished_at == job.finished_at


def test_an_older_copy_of_a_message_leaves_a_waiting_job_alone(world):
    job = _job(world, task_id="current", queued_at=timezone.now())
    assert book_job_run(job_id=job.pk, task_id="older").state == BookJob.State.PENDING
    job.refresh_from_db()
    assert (job.attempts, job.started_at) == (0, None)


def test_a_job_sent_again_too_often_is_failed_and_its_upload_deleted(client, world):
    with time_machine.travel(timezone.now() - timedelta(hours=1)):
        job = _with_upload(
            _job(world, kind=BookJob.Kind.PLAN_IMPORT, queued_at=None, requeues=MAX_REQUEUES)
        )
    path = job.upload.path
    summary = book_jobs_sweep()
    job.refresh_from_db()
    assert (summary.sent, summary.failed) == (0, 1)
    assert job.state == BookJob.State.FAILED
    assert not job.upload
    assert not os.path.exists(path)
    assert "処理を始められないまま時間が過ぎたため中止しました" in _page(client, job)


def test_a_job_left_running_past_the_limit_is_run_again(world, settings):
    with time_machine.travel(
        timezone.now() - timedelta(seconds=settings.BOOKS_JOB_RUN_SECONDS + 60)
    ):
        job = _job(world, state=BookJob.State.RUNNING, attempts=1, started_at=timezone.now())
    assert book_jobs_sweep().sent == 1
    job.refresh_from_db()
    assert job.state == BookJob.State.DONE, job.message
    assert job.attempts == 2


def test_a_running_job_within_the_limit_is_left_to_its_worker(world, settings):
    with time_machine.travel(
        timezone.now() - timedelta(seconds=settings.BOOKS_JOB_RUN_SECONDS - 60)
    ):
        job = _job(world, state=BookJob.State.RUNNING, attempts=1, started_at=timezone.now())
    assert book_jobs_sweep() == services.SweepSummary()
    job.refresh_from_db()
    assert job.state == BookJob.State.RUNNING


def test_a_job_stuck_running_after_its_last_attempt_is_failed(client, world, settings):
    with time_machine.travel(
        timezone.now() - timedelta(seconds=settings.BOOKS_JOB_RUN_SECONDS + 60)
    ):
        job = _with_upload(
            _job(
                world,
                kind=BookJob.Kind.PLAN_IMPORT,
                state=BookJob.State.RUNNING,
                attempts=MAX_ATTEMPTS,
                started_at=timezone.now(),
            )
        )
    assert book_jobs_sweep().failed == 1
    job.refresh_from_db()
    assert job.state == BookJob.State.FAILED
    assert not job.upload
    assert "処理が途中で止まったまま時間が過ぎたため中止しました" in _page(client, job)


def test_uploads_no_job_will_read_are_deleted(world, settings):
    done = _with_upload(_job(world, kind=BookJob.Kind.PLAN_IMPORT, state=BookJob.State.FAILED))
    waiting = _with_upload(_job(world, kind=BookJob.Kind.PLAN_IMPORT, queued_at=timezone.now()))
    orphan = settings.MEDIA_ROOT / "books" / str(world.organization.pk) / "uploads" / "job-999.xlsx"
    orphan.write_bytes(b"left by a job that was deleted")
    old = (timezone.now() - timedelta(hours=1)).timestamp()
    os.utime(orphan, (old, old))
    assert book_jobs_sweep().uploads_deleted == 2
    done.refresh_from_db()
    waiting.refresh_from_db()
    assert not done.upload
    assert not orphan.exists()
    assert waiting.upload and waiting.upload.storage.exists(waiting.upload.name)


@pytest.mark.parametrize("how", ["own clock", "celery soft limit"])
def test_a_job_past_its_time_limit_is_failed_with_a_message(
    client, world, settings, monkeypatch, how
):
    if how == "own clock":
        settings.BOOKS_JOB_SOFT_SECONDS = -1  # the first progress step is already late
    else:

        def interrupted(*args, **kwargs):
            raise SoftTimeLimitExceeded

        monkeypatch.setattr(services.reports, "report_book", interrupted)
    job = _job(world, kind=BookJob.Kind.REPORT_EXPORT, quarter=1)
    job = book_job_run(job_id=job.pk)
    assert job.state == BookJob.State.FAILED
    assert not job.result
    assert "処理が制限時間" in job.message and "を超えたため中止しました" in job.message
    assert job.message in _page(client, job)


def test_a_database_error_leaves_the_job_for_the_retry_with_its_upload(world, monkeypatch):
    job = _with_upload(_job(world, kind=BookJob.Kind.PLAN_IMPORT))

    def restarted(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(services, "plan_import", restarted)
    with pytest.raises(OperationalError):
        book_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == BookJob.State.RUNNING  # not failed: the task tries again
    assert job.upload and job.upload.storage.exists(job.upload.name)


def test_the_sweep_command_reports_what_it_did(world, settings):
    from io import StringIO

    from django.core.management import call_command

    with time_machine.travel(
        timezone.now() - timedelta(seconds=settings.BOOKS_JOB_RUN_SECONDS + 60)
    ):
        _job(world, state=BookJob.State.RUNNING, attempts=MAX_ATTEMPTS, started_at=timezone.now())
    out = StringIO()
    call_command("sweep_book_jobs", stdout=out)
    assert out.getvalue().strip() == "やり直し 0件、中止 1件、削除したアップロード 0件"
