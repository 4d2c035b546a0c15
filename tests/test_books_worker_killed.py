"""A worker killed with SIGKILL in the middle of a book job leaves nothing half-written,
and the job runs again from the broker's copy of the message, once.

Two ways a worker dies, both run against Redis and the shared test database, as in
tests/test_books_celery.py (whose helpers this file uses):

* ``worker``: the whole worker process dies (``--pool=solo``, the machine or container
  gone). Nothing acknowledged the message (acks_late), so Redis keeps it in its unacked
  set; a new worker restores it after the broker's ``visibility_timeout`` (an hour by
  default, 1 second here) and runs the job.
* ``child``: the pool process running the task dies (``--pool=prefork``, the OOM killer).
  Its worker sees the loss and puts the message back at once (reject_on_worker_lost); a
  new pool process runs the job.

To kill at a known moment, the test starts the workers through ``WORKER`` below, which
adds pause points to the worker process only (production code is unchanged). The first
run of a job stops at the chosen point, tells the test where it is through a marker file
and waits to be killed; the next run waits at its start until the test has looked at
the database, then does the job normally.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from kombu import pools
from openpyxl import load_workbook

from books.models import BookJob
from books.services import book_job_create, plan_export
from books.tasks import book_job_run_task
from plans.models import AuditEvent, Business, FiscalYear, PlanItem, User
from shakyo.celery import app

from .factories import UserFactory
from .test_books_celery import (
    BROKER,
    ROOT,
    _database_env,
    _wait_until_ready,
)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not BROKER, reason="CELERY_TEST_BROKER_URL is not set"),
]

WAIT = 60  # seconds, at most, for anything the test waits for

# `python -c WORKER worker --pool=...`: a Celery worker for the shakyo app, with pause
# points that only this test's environment variables (KILL_TEST_*) turn on.
WORKER = r'''
import json
import os
import sys
import time
from pathlib import Path

import django

django.setup()

from celery import current_task
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection

from books import services
from books.models import BookJob
from plans.models import PlanItem
from shakyo.celery import app

app.conf.broker_transport_options = json.loads(os.environ["KILL_TEST_TRANSPORT"])
app.conf.worker_enable_remote_control = False  # no pidbox bindings left in Redis
PAUSE = os.environ["KILL_TEST_PAUSE"]  # "import" or "export"
MARKER = Path(os.environ["KILL_TEST_MARKER"])  # written by the first run, at its pause
GATE = Path(os.environ["KILL_TEST_GATE"])  # made by the test to let the next run go


def write_json(path, data):
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(data))
    part.rename(path)


def pause(seen):
    """Tell the test where the first run is, then wait to be killed."""
    seen.update(pid=os.getpid(), task_id=current_task.request.id)
    write_json(MARKER, seen)
    time.sleep(60)
    os._exit(70)  # never killed: the test has failed; end without committing anything


real_run = services.book_job_run


def book_job_run(*, job_id, **kwargs):
    if MARKER.exists():  # a later run: wait for the test to look at the database
        request = current_task.request
        write_json(
            GATE.with_name(GATE.name + ".waiting"),
            {
                "pid": os.getpid(),
                "task_id": request.id,
                "redelivered": bool((request.delivery_info or {}).get("redelivered")),
            },
        )
        deadline = time.monotonic() + 60
        while not GATE.exists():
            if time.monotonic() > deadline:
                os._exit(71)
            time.sleep(0.05)
    return real_run(job_id=job_id, **kwargs)


services.book_job_run = book_job_run

real_finish = services._finish


def finish(job, state, message, problems):
    real_finish(job, state, message, problems)
    if PAUSE == "import" and state == BookJob.State.DONE and not MARKER.exists():
        # Inside the import's transaction: every row written and the job marked done,
        # nothing committed yet.
        pause(
            {
                "in_transaction": connection.in_atomic_block,
                "items": PlanItem.objects.filter(
                    initiative__business__fiscal_year__year=job.year
                ).count(),
                "state": BookJob.objects.get(pk=job.pk).state,
            }
        )


services._finish = finish

real_save = FileSystemStorage._save


def save(self, name, content):
    if PAUSE != "export" or "/results/" not in name or MARKER.exists():
        return real_save(self, name, content)
    data = content.read()
    half = len(data) // 2

    class Halting(ContentFile):
        """The workbook's first half reaches the file, then the process is killed."""

        def chunks(self, chunk_size=None):
            yield data[:half]
            pause({"name": name, "written": half, "size": len(data)})
            yield data[half:]

    return real_save(self, name, Halting(data))


FileSystemStorage._save = save

app.worker_main(sys.argv[1:])
'''


@dataclass
class Workers:
    """Workers for one test, on a queue (and Redis unacked set) of their own."""

    directory: Path
    env: dict[str, str]
    queue: str
    transport: dict
    pause: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def marker(self) -> Path:
        return self.directory / "paused.json"

    @property
    def gate(self) -> Path:
        return self.directory / "gate"

    def log(self, number: int) -> str:
        return (self.directory / f"worker-{number}.log").read_text()

    def start(self, *, pool: str) -> subprocess.Popen:
        number = len(self.processes) + 1
        log = self.directory / f"worker-{number}.log"
        env = {
            **self.env,
            "KILL_TEST_TRANSPORT": json.dumps(self.transport),
            "KILL_TEST_PAUSE": self.pause,
            "KILL_TEST_MARKER": str(self.marker),
            "KILL_TEST_GATE": str(self.gate),
        }
        with log.open("w") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    WORKER,
                    "worker",
                    f"--pool={pool}",
                    "--concurrency=1",
                    f"--queues={self.queue}",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: its pool goes with it
            )
        self.processes.append(process)
        _wait_until_ready(process, log)
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- worker {n} (exit {p.poll()}):\n{self.log(n)[-3000:]}"
            for n, p in enumerate(self.processes, start=1)
        )

    def wait_for(self, what: str, condition: Callable[[], object]) -> object:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"no {what} within {WAIT} s\n{self.logs()}")

    def wait_for_json(self, path: Path) -> dict:
        self.wait_for(path.name, path.exists)
        return json.loads(path.read_text())

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                _signal_group(process, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                # Not reaped yet, so the process group is still this worker's.
                _signal_group(process, signal.SIGKILL)
                process.wait()


def _reset_broker_pools() -> None:
    """Forget every broker connection and producer pool of this process.

    Closing the app's pool alone (as tests/test_books_celery.py does) leaves the closed
    pool in kombu's registry, where the next use of the same broker URL finds it.
    """
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


@pytest.fixture
def workers(settings, tmp_path) -> Iterator[Workers]:
    """Start workers with ``workers.start``; all are stopped, and their keys removed."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    queue = f"shakyo-kill-{uuid.uuid4().hex[:12]}"
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    before = {key: app.conf[key] for key in keys}
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    app.conf.task_default_queue = queue
    _reset_broker_pools()
    transport = {
        # The unacked set is shared by every queue of a Redis database: use one of our own.
        "unacked_key": f"{queue}.unacked",
        "unacked_index_key": f"{queue}.unacked_index",
        "unacked_mutex_key": f"{queue}.unacked_mutex",
    }
    group = Workers(
        directory=tmp_path,
        env={
            **os.environ,
            **_database_env(),
            "CELERY_BROKER_URL": BROKER,
            "MEDIA_ROOT": str(media),
            "DJANGO_SETTINGS_MODULE": "shakyo.settings",
        },
        queue=queue,
        transport=transport,
    )
    try:
        yield group
    finally:
        group.stop()
        with app.connection_for_write() as broker:
            broker.default_channel.client.delete(
                queue,
                f"_kombu.binding.{queue}",
                f"_kombu.binding_permanent.{queue}",
                *transport.values(),
            )
        for key, value in before.items():
            app.conf[key] = value
        _reset_broker_pools()


def _count_rows() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _secretariat(organization) -> User:
    return UserFactory(organization=organization, role=User.Role.SECRETARIAT)


def _run_and_kill(
    workers: Workers, how: str, make_job: Callable[[], BookJob]
) -> tuple[BookJob, dict]:
    """Make the job, SIGKILL its first run at the pause point, and wait until the same
    message reaches a new run (held at the gate). Returns the job and where it was killed."""
    if how == "worker":
        # Redis gives a message back after its visibility timeout (an hour by default).
        workers.transport.update(
            visibility_timeout=1, unacked_restore_interval=1, unacked_restore_throttle=1
        )
        first = workers.start(pool="solo")
    else:
        first = workers.start(pool="prefork")
    job = make_job()
    paused = workers.wait_for_json(workers.marker)
    if how == "worker":
        assert paused["pid"] == first.pid
        first.kill()
        assert first.wait(timeout=WAIT) == -signal.SIGKILL
        second = workers.start(pool="solo")
    else:
        assert paused["pid"] != first.pid  # a pool process, not the worker itself
        os.kill(paused["pid"], signal.SIGKILL)
        second = first
    again = workers.wait_for_json(workers.gate.with_name("gate.waiting"))
    # The same message again, not a new one (nobody sent another), in another process.
    assert again["task_id"] == paused["task_id"]
    assert again["pid"] != paused["pid"]
    assert again["redelivered"] or how == "child", workers.logs()
    assert second.poll() is None, workers.logs()
    if how == "worker":
        assert again["pid"] == second.pid
    return job, paused


def _wait_until_finished(workers: Workers, job: BookJob) -> None:
    def finished() -> bool:
        job.refresh_from_db()
        return job.is_finished

    workers.wait_for("finished job", finished)


def _run_again_explicitly(workers: Workers, job: BookJob) -> None:
    """Send the job's task once more and wait until a worker has done it."""
    task = book_job_run_task.delay(job.pk)
    workers.wait_for(
        "explicit re-run",
        lambda: any(
            f"books.run_job[{task.id}] succeeded" in workers.log(n)
            for n in range(1, len(workers.processes) + 1)
        ),
    )


@pytest.mark.parametrize("how", ["worker", "child"])
@pytest.mark.django_db(transaction=True)
def test_a_killed_plan_import_writes_nothing_and_runs_again_once(r2_plan, workers, how):
    organization = r2_plan.organization
    user = _secretariat(organization)
    workbook = BytesIO()
    plan_export(businesses=Business.objects.filter(fiscal_year=r2_plan), year=2020, output=workbook)
    upload = SimpleUploadedFile("令和2年度_事業計画.xlsx", workbook.getvalue())
    before = _count_rows()
    workers.pause = "import"

    def make_job() -> BookJob:
        return book_job_create(user=user, kind=BookJob.Kind.PLAN_IMPORT, year=2021, upload=upload)

    job, paused = _run_and_kill(workers, how, make_job)

    # Killed with all 320 rows written and the job marked done, in a transaction...
    assert paused["in_transaction"]
    assert (paused["items"], paused["state"]) == (320, BookJob.State.DONE)
    # ...of which nothing is left: no row of 2021 (nor any other new row), job not done.
    assert not FiscalYear.objects.filter(organization=organization, year=2021).exists()
    assert not PlanItem.objects.filter(initiative__business__fiscal_year__year=2021).exists()
    assert _count_rows() == {**before, "books.BookJob": before["books.BookJob"] + 1}
    job.refresh_from_db()
    assert job.state == BookJob.State.RUNNING
    assert job.finished_at is None
    assert job.upload and job.upload.storage.exists(job.upload.name)  # still there to read

    workers.gate.touch()
    _wait_until_finished(workers, job)
    assert job.state == BookJob.State.DONE, f"{job.message} {job.errors}\n{workers.logs()}"
    assert job.message == "令和3年度の事業計画を作成しました（320行）。"

    _run_again_explicitly(workers, job)  # idempotent: a finished job is left alone

    assert FiscalYear.objects.filter(organization=organization, year=2021).count() == 1
    assert Business.objects.filter(fiscal_year__year=2021).count() == 24
    assert PlanItem.objects.filter(initiative__business__fiscal_year__year=2021).count() == 320
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED).count() == 1
    job.refresh_from_db()
    assert job.state == BookJob.State.DONE
    assert not job.upload  # read, then not kept


@pytest.mark.parametrize("how", ["worker", "child"])
@pytest.mark.django_db(transaction=True)
def test_a_killed_plan_export_leaves_no_half_file_as_its_result(r2_plan, workers, how):
    user = _secretariat(r2_plan.organization)
    workers.pause = "export"

    def make_job() -> BookJob:
        return book_job_create(user=user, kind=BookJob.Kind.PLAN_EXPORT, year=2020)

    job, paused = _run_and_kill(workers, how, make_job)

    # Killed with half the workbook in its file: that file is not the job's result.
    half = Path(job.result.storage.path(paused["name"]))
    assert half.stat().st_size == paused["written"] < paused["size"]
    assert not zipfile.is_zipfile(half)
    job.refresh_from_db()
    assert job.state == BookJob.State.RUNNING
    assert (job.result.name, job.result_name, job.finished_at) == ("", "", None)

    workers.gate.touch()
    _wait_until_finished(workers, job)
    assert job.state == BookJob.State.DONE, f"{job.message}\n{workers.logs()}"
    result = job.result.name
    assert result == paused["name"]  # the half file was replaced, not left beside it
    assert zipfile.is_zipfile(half)
    assert job.result_name == "令和2年度_事業計画.xlsx"

    _run_again_explicitly(workers, job)  # idempotent: a finished job is left alone

    job.refresh_from_db()
    assert (job.state, job.result.name) == (BookJob.State.DONE, result)
    with job.result.open("rb") as handle:
        data = handle.read()
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == ["総務課", "福祉活動推進課", "福祉支援課", "_shakyo"]
    assert wb["総務課"]["A1"].value == "令和２年度　総務課　事業計画"
