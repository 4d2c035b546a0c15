"""Celery tasks: thin wrappers that take a job's primary key and call the service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="books.run_job", acks_late=True, reject_on_worker_lost=True)
def book_job_run_task(job_id: int) -> str:
    """Run a book job; a redelivered task finds the job finished and does nothing."""
    job = services.book_job_run(job_id=job_id)
    return job.state if job is not None else "missing"
