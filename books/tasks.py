"""Celery tasks: thin wrappers that take a job's primary key and call the service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections

from . import services

# A job whose database went away (a restart) is tried again after 5, 10, 20 … seconds,
# about five minutes in all; after that the sweeper finds it.
DATABASE_RETRIES = 6


@shared_task(
    bind=True,
    name="books.run_job",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.BOOKS_JOB_SOFT_SECONDS,
    time_limit=settings.BOOKS_JOB_HARD_SECONDS,
    max_retries=DATABASE_RETRIES,
)
def book_job_run_task(self, job_id: int) -> str:
    """Run a book job; a redelivered task finds the job finished and does nothing."""
    try:
        job = services.book_job_run(job_id=job_id, task_id=self.request.id)
    except (OperationalError, InterfaceError) as error:
        close_old_connections()  # the broken connection is not used again
        raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error
    return job.state if job is not None else "missing"


@shared_task(name="books.sweep_jobs")
def book_jobs_sweep_task() -> dict[str, int]:
    """Send again or fail the jobs no worker will finish (see services.book_jobs_sweep)."""
    summary = services.book_jobs_sweep()
    return {"sent": summary.sent, "failed": summary.failed, "uploads": summary.uploads_deleted}
