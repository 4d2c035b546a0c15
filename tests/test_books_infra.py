"""Book jobs survive a Redis that stops and a PostgreSQL that restarts, for real.

Each test starts its own throwaway servers on free ports (a redis-server; a PostgreSQL
cluster made with initdb), never the machine's shared ones, and stops or restarts those.
They run in the ``.ci/run`` pass on PostgreSQL and Redis (CELERY_TEST_BROKER_URL set).

* Redis stopped: a book asked for then is not lost. Sending it fails (after retrying),
  the job page says so in Japanese, and when Redis is back the worker that starts sends
  it again (the sweeper runs at worker start) and makes it.
* PostgreSQL restarted in the middle of a job: the job's next query fails, the task
  retries, and the job is made by its second run instead of staying 「処理中」.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

from books.models import BookJob
from books.services import book_job_create
from plans.demo import DEMO_PLAN_PATH
from shakyo.celery import app

from .factories import PASSWORD
from .test_books_celery import BROKER, ROOT, _database_env, _wait_until_ready

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not BROKER, reason="CELERY_TEST_BROKER_URL is not set"),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
]

WAIT = 90  # seconds, at most, for anything the tests wait for
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(what: str, condition, timeout: float = WAIT, logs=lambda: "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {timeout} s\n{logs()}")


class Redis:
    """A redis-server of this test only, that keeps nothing on disk (like the machine's)."""

    def __init__(self, directory: Path):
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait("redis", self._answers, 20)

    def _answers(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), 1) as s,
        ):
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


@pytest.fixture
def redis() -> Iterator[Redis]:
    directory = Path(tempfile.mkdtemp(prefix="shakyo-redis-"))
    server = Redis(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def _app_on(url: str) -> Iterator[None]:
    """This process sends tasks to ``url`` instead of running them (eager)."""
    keys = ("task_always_eager", "broker_url")
    before = {key: app.conf[key] for key in keys}
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        for key, value in before.items():
            app.conf[key] = value
        app._pool = None
        app.amqp._producer_pool = None


# `python -c WORKER worker …`: the shakyo worker, with a pause at a job's first progress
# step when INFRA_TEST_MARKER is set (the test restarts PostgreSQL there).
WORKER = r"""
import json
import os
import sys
import time
from pathlib import Path

import django

django.setup()

from books import services
from shakyo.celery import app

MARKER = os.environ.get("INFRA_TEST_MARKER")
real_set_progress = services._set_progress


def set_progress(job_id, percent, message=""):
    marker = Path(MARKER)
    if percent >= 5 and not marker.exists():
        marker.write_text(json.dumps({"pid": os.getpid(), "job": job_id}))
        gate = marker.with_suffix(".gate")
        deadline = time.monotonic() + 120
        while not gate.exists():
            if time.monotonic() > deadline:
                os._exit(71)
            time.sleep(0.05)
    return real_set_progress(job_id, percent, message)


if MARKER:
    services._set_progress = set_progress
app.worker_main(sys.argv[1:])
"""


@contextlib.contextmanager
def _worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                *(sys.executable, "-c", WORKER, "worker", "--pool=solo", "--loglevel=INFO"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "shakyo.settings", **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_ready(process, log)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.django_db(transaction=True)
def test_a_book_asked_for_while_redis_is_down_is_made_when_redis_returns(
    client, world, redis, settings, tmp_path
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    user = world.users["secretariat"]
    redis.stop()
    with _app_on(redis.url):
        started = time.monotonic()
        job = book_job_create(user=user, kind=BookJob.Kind.PLAN_EXPORT, year=2020)
        sending = time.monotonic() - started
    job.refresh_from_db()
    assert (job.state, job.queued_at) == (BookJob.State.PENDING, None)
    assert sending < 10  # retried for a few seconds, then left to the sweeper
    assert client.login(username=user.username, password=PASSWORD)
    page = client.get(reverse("books:job", args=[job.pk])).content.decode()
    assert "処理の受付に一時的につながらないため、まだ順番待ちに入っていません" in page

    redis.start()  # empty, as Redis after a restart: no message of the job anywhere
    env = {**_database_env(), "CELERY_BROKER_URL": redis.url, "MEDIA_ROOT": str(media)}
    log = tmp_path / "worker.log"
    with _worker(env, log):

        def finished() -> bool:
            job.refresh_from_db()
            return job.is_finished

        _wait("finished job", finished, logs=log.read_text)
    assert job.state == BookJob.State.DONE, f"{job.message}\n{log.read_text()[-3000:]}"
    assert job.requeues == 1
    assert job.result_name == "令和2年度_事業計画.xlsx"


# ---------------------------------------------------------------------------------------
# PostgreSQL, restarted in the middle of a job
# ---------------------------------------------------------------------------------------


class Postgres:
    """A PostgreSQL cluster of this test only, in a temporary folder, on a free port."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="shakyo-pg-"))
        self.data = self.directory / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/shakyo"

    def _run(self, program: str, *args: str) -> str:
        command = [str(PG_BIN / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"{program}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def init(self) -> None:
        if self.as_postgres:
            shutil.chown(self.directory, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "shakyo")

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.directory / "log"),
            "-w",
            *args,
        )

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")  # ends every connection, as a real restart does

    def remove(self) -> None:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self._ctl("-m", "immediate", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)

    def query(self, sql: str) -> str:
        return self._run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "shakyo",
            "-tAc",
            sql,
        ).strip()


# Run in a process on the test's own cluster: a council with the real 令和2年度 plan, its
# 事務局, and a 事業報告 asked for (sent to the test's Redis). Prints the job's id.
SETUP = r"""
import json
import sys

import django

django.setup()

from books.models import BookJob
from books.services import book_job_create
from plans.demo import demo_relations_load
from plans.models import Organization, User
from plans.services import plan_load

data = json.loads(open(sys.argv[1], encoding="utf-8").read())
organization = Organization.objects.create(name=data["organization"])
demo_relations_load(council=organization)  # the plan names 西東京市 and 東京都社協
plan_load(organization=organization, data=data)
user = User.objects.create_user(
    username="jimukyoku", password="x", organization=organization, role=User.Role.SECRETARIAT
)
job = book_job_create(user=user, kind=BookJob.Kind.REPORT_EXPORT, year=2020, quarter=4)
print(job.pk)
"""


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    if PG_BIN is None or not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL's initdb is not installed")
    cluster = Postgres()
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.remove()


def test_a_job_whose_postgresql_restarts_midway_is_made_by_its_retry(postgres, redis, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shakyo.settings",
        "DATABASE_URL": postgres.url,
        "CELERY_BROKER_URL": redis.url,
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    marker = tmp_path / "paused.json"
    log = tmp_path / "worker.log"
    with _worker({**env, "INFRA_TEST_MARKER": str(marker)}, log):
        setup = subprocess.run(
            [sys.executable, "-c", SETUP, str(DEMO_PLAN_PATH)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert setup.returncode == 0, setup.stderr[-3000:]
        job_id = int(setup.stdout.split()[-1])
        paused = json.loads(
            _wait("paused job", lambda: marker.exists() and marker.read_text(), logs=log.read_text)
        )
        assert paused["job"] == job_id
        assert postgres.query(f"select state from books_bookjob where id = {job_id}") == "running"

        postgres.restart()
        marker.with_suffix(".gate").touch()

        def finished() -> str:
            row = postgres.query(
                f"select state, attempts, message from books_bookjob where id = {job_id}"
            )
            return row if row.split("|")[0] in ("done", "failed") else ""

        row = _wait("finished job", finished, logs=log.read_text)
    state, attempts, message = row.split("|", 2)
    assert state == "done", f"{message}\n{log.read_text()[-3000:]}"
    assert message.endswith("を作成しました。")
    assert attempts == "2"  # the first run met the restart; the retry made the book
    assert "OperationalError" in log.read_text()  # it did meet it
