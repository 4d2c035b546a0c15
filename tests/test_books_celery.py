"""A book made by a real ``celery worker`` on Redis, as in production.

Runs when CELERY_TEST_BROKER_URL names a Redis database (``.ci/run`` sets it for the
PostgreSQL pass). The worker is another process, so it needs a database both can see:
PostgreSQL's test database, or on SQLite a file test database (SQLITE_TEST_PATH).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from io import BytesIO
from pathlib import Path

import pytest
from django.db import connection
from openpyxl import load_workbook

from books.models import BookJob
from books.services import book_job_create
from shakyo.celery import app

ROOT = Path(__file__).resolve().parents[1]
BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not BROKER, reason="CELERY_TEST_BROKER_URL is not set"),
]


def _database_env() -> dict[str, str]:
    """Environment that points the worker's settings at this test's database."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        if "memory" in name or not name:
            pytest.skip("the SQLite test database is in memory: set SQLITE_TEST_PATH")
        return {"DATABASE_URL": "", "SQLITE_PATH": name}
    if connection.vendor == "postgresql":
        user = settings.get("USER") or ""
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        url = f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
        return {"DATABASE_URL": url}
    pytest.skip(f"no worker set-up for {connection.vendor}")


def _reset_broker_pools() -> None:
    """Forget the app's broker connections: an eager task run earlier in this process
    made them for the (empty) default broker, and they would swallow what we send."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


def _wait_until_ready(process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if " ready." in log.read_text():
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError(f"the worker did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture
def worker(settings, tmp_path):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    env = {
        **os.environ,
        **_database_env(),
        "CELERY_BROKER_URL": BROKER,
        "MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "shakyo.settings",
    }
    # A queue of this run's own: other runs of the suite may share the Redis database.
    queue = f"shakyo-test-{uuid.uuid4().hex[:12]}"
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    before = {key: app.conf[key] for key in keys}
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    app.conf.task_default_queue = queue
    _reset_broker_pools()
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "shakyo",
            "worker",
            "--pool=solo",
            f"--queues={queue}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_ready(process, tmp_path / "worker.log")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        with app.connection_for_write() as broker:
            broker.default_channel.client.delete(
                queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
            )
        for key, value in before.items():
            app.conf[key] = value
        _reset_broker_pools()


@pytest.mark.django_db(transaction=True)
def test_a_report_is_made_by_a_real_worker(world, worker, tmp_path):
    job = book_job_create(
        user=world.users["secretariat"], kind=BookJob.Kind.REPORT_EXPORT, year=2020, quarter=2
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished or worker.poll() is not None:
            break
        time.sleep(0.5)
    log = (tmp_path / "worker.log").read_text()
    assert job.state == BookJob.State.DONE, (
        f"{job.state} {job.message} (worker exit: {worker.poll()})\n{log[-3000:]}"
    )
    assert "books.run_job" in log  # the worker process did it, not this one
    with job.result.open("rb") as handle:
        wb = load_workbook(BytesIO(handle.read()))
    assert wb.sheetnames[0] == "概要"
    assert wb["福祉活動推進課"]["A1"].value == "令和２年度　福祉活動推進課　事業報告"
    assert len(wb["概要"]._charts) == 1
