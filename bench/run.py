"""The benchmark harness: generate a size, serve it with gunicorn, time it, write the table.

    python -m bench.run --size S            # make bench SIZE=S
    python -m bench.run --size XL --councils 100

Every page is requested over loopback through the real WSGI stack (gunicorn, the
application's middleware, sessions and templates, DEBUG=0) by a logged-in user. A page's
time is the latency the client observes on 127.0.0.1: from opening the connection to the
last byte of the body; on loopback that is the server's time plus well under a
millisecond. Each page is requested after a warm-up, interleaved with its floor
(``bench.floors``) so that both see the same machine. Figures are the median and the 95th
percentile (nearest rank).

Everything is bounded: each loop has a count and the burst a deadline; the server is a
child process stopped at the end (also on errors).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DOC = BASE_DIR / "docs" / "performance.md"
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")

GOALS = {  # figure -> size -> limit (ms, s, MB, expressions/s or ×, as the figure is)
    "entry": {"S": 150, "L": 300, "XL": 150},
    "dashboard": {"S": 200, "L": 800, "XL": 200},
    "export_s": {"S": 2, "L": 15, "XL": 2},
    "export_mb": {"S": 200, "L": 500},
    "burst_p95": {"S": 500, "XL": 500},
    "parser": {"S": 20_000},
    "ratio": {"S": 5, "L": 5, "XL": 5},
}


# ---------------------------------------------------------------------------------------
# Statistics


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def p95(values: list[float]) -> float:
    """The 95th percentile by nearest rank (the value 95% of requests did not exceed)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# ---------------------------------------------------------------------------------------
# A minimal HTTP client with cookies (the session cookie is Secure with DEBUG=0; on
# loopback over plain HTTP it is sent back as a browser on an HTTPS proxy would)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def cpu(self) -> float | None:
        """The worker's CPU seconds for this request (``Server-Timing: cpu;dur=…``)."""
        match = re.search(r"cpu;dur=([\d.]+)", self.headers.get("Server-Timing", ""))
        return float(match.group(1)) / 1000 if match else None


class Client:
    def __init__(self, port: int, timeout: float = 60.0):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | list | None = None) -> Response:
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            seconds = time.perf_counter() - started
            for header in response.msg.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Response(response.status, dict(response.getheaders()), payload, seconds)
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict | list) -> Response:
        return self.request("POST", path, data)

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    def login(self, username: str, password: str) -> None:
        page = self.get("/login/")
        token = _csrf_in(page.text)
        response = self.post(
            "/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed: HTTP {response.status}")


def _csrf_in(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


class _EntryFormReader(HTMLParser):
    """The named fields of the entry form: version and the ``r<id>-…`` row inputs."""

    _NAMES = re.compile(r"^(version|csrfmiddlewaretoken|r\d+-\w+)$")

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name") or ""
        if not self._NAMES.match(name):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.fields.setdefault(name, a.get("value") or "on")
            elif kind == "radio":
                if "checked" in a or name not in self.fields:
                    self.fields[name] = a.get("value") or "" if "checked" in a else ""
            else:
                # The first CSRF token and version are the entry form's.
                self.fields.setdefault(name, a.get("value") or "")
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.fields.setdefault(self._textarea, "".join(self._text).strip())
            self._textarea = None


def entry_form(html: str) -> list[tuple[str, str]]:
    """The entry form's fields as the browser would post them (unchecked radios as "")."""
    reader = _EntryFormReader()
    reader.feed(html)
    return list(reader.fields.items())


def filled(fields: list[tuple[str, str]], round_: int, action: str) -> list[tuple[str, str]]:
    """The entry form as a person fills it at quarter end: every figure, a note, a reason.

    The same small figures go into every row, some of them far beyond a 「年1回」 target:
    each row confirms them (「この数で正しい」) as a person would after the warning. A row
    that says 中止 keeps no figure (a cancelled quarter holds none).
    """
    cancelled = {
        name.removesuffix("-cancelled")
        for name, value in fields
        if name.endswith("-cancelled") and value
    }
    out = []
    for name, value in fields:
        if name.rsplit("-", 1)[0] in cancelled and (
            name.endswith("-value") or re.search(r"-x\d+$", name)
        ):
            pass  # left as it is (empty)
        elif name.endswith("-value"):
            value = str(2 + round_ % 3)
            out.append((name.removesuffix("-value") + "-confirm", "on"))
        elif re.search(r"-x\d+$", name):
            value = str(2 + round_ % 3)
        elif name.endswith("-done"):
            value = "1"
        elif name.endswith("-note"):
            value = f"第4四半期に実施（ベンチ入力 {round_}）"
        elif name.endswith("-reason"):
            value = "年度末に向けて実施回数を確保します。"
        out.append((name, value))
    out.append(("action", action))
    return out


def _version_of(fields: list[tuple[str, str]]) -> int:
    return int(dict(fields).get("version") or 0)


def _with_version(fields: list[tuple[str, str]], version: int) -> list[tuple[str, str]]:
    return [(n, str(version) if n == "version" else v) for n, v in fields]


# ---------------------------------------------------------------------------------------
# Database and server


@dataclass
class Target:
    backend: str  # "postgresql" or "sqlite"
    url: str
    name: str


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, connect_timeout=3):
            return True
    except Exception:
        return False


def prepare_database(size: str, backend: str, reuse: bool) -> Target:
    name = f"shakyo_bench_{size.lower()}"
    if backend == "sqlite":
        path = Path(tempfile.gettempdir()) / f"{name}.sqlite3"
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return Target("sqlite", f"sqlite:///{path}", str(path))
    import psycopg

    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    if not reuse:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    return Target("postgresql", f"{base}/{name}", name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the application (``bench.settings``: the floors mounted too)."""

    def __init__(self, database_url: str, workers: int, log: Path):
        self.port = free_port()
        self.workers = workers
        self.log = log
        self.media = tempfile.mkdtemp(prefix="shakyo-bench-media-")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-not-a-secret",
            "SECURE_SSL_REDIRECT": "0",
            "AXES_ENABLED": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "MEDIA_ROOT": self.media,
            "CELERY_BROKER_URL": "",
        }
        self.process: subprocess.Popen | None = None

    @property
    def command(self) -> list[str]:
        return [
            str(VENV_BIN / "gunicorn"),
            "shakyo.wsgi",
            "-w",
            str(self.workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "120",
        ]

    def __enter__(self) -> Server:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                if Client(self.port, timeout=5).get("/login/").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.media, ignore_errors=True)


# ---------------------------------------------------------------------------------------
# Figures


@dataclass
class Figure:
    name: str
    times: list[float] = field(default_factory=list)  # seconds
    floor: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # the worker's CPU seconds
    floor_cpu: list[float] = field(default_factory=list)
    queries: int | None = None
    errors: int = 0
    note: str = ""
    missing: bool = False

    def add(self, response: Response, floor: Response | None) -> None:
        self.times.append(response.seconds)
        if response.cpu is not None:
            self.cpu.append(response.cpu)
        if floor is not None:
            self.floor.append(floor.seconds)
            if floor.cpu is not None:
                self.floor_cpu.append(floor.cpu)

    @property
    def median_ms(self) -> float:
        return median(self.times) * 1000

    @property
    def p95_ms(self) -> float:
        return p95(self.times) * 1000

    @property
    def floor_median_ms(self) -> float:
        return median(self.floor) * 1000

    @property
    def cpu_ms(self) -> float:
        return median(self.cpu) * 1000

    @property
    def floor_cpu_ms(self) -> float:
        return median(self.floor_cpu) * 1000

    @property
    def ratio(self) -> float:
        return median(self.times) / median(self.floor) if self.floor else math.nan


@dataclass
class Page:
    key: str
    name: str
    user: str
    method: str
    path: str
    floor_path: str | None
    goal_key: str | None = None


def load_average() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def cpu_ticks() -> tuple[int, int] | None:
    """(steal, total) CPU ticks since boot from /proc/stat; None where there is none.

    Steal is time this virtual machine was ready to run but the hypervisor ran another:
    it shows in latency and in CPU time alike, and no other figure here reveals it.
    """
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return (values[7] if len(values) > 7 else 0), sum(values[:8])


@dataclass
class Results:
    size: str
    backend: str
    command: str
    started: datetime
    generation: dict = field(default_factory=dict)
    pages: list[Figure] = field(default_factory=list)
    export: dict | None = None
    export_note: str = ""
    import_: dict | None = None
    parser: dict | None = None
    burst: dict | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    load: list[str] = field(default_factory=list)
    ticks: list[tuple[int, int] | None] = field(default_factory=list)

    @property
    def steal_percent(self) -> float | None:
        if len(self.ticks) != 2 or None in self.ticks:
            return None
        (steal_a, total_a), (steal_b, total_b) = self.ticks
        return 100 * (steal_b - steal_a) / max(total_b - total_a, 1)


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shakyo.settings")
    os.environ["AXES_ENABLED"] = "0"
    import django

    django.setup()


def measure_parser(seconds: float = 3.0) -> dict:
    """Expressions per second of ``parse_target`` over every 目標値 of the real plan: the
    目標値 alone, and read with its 内容 (as the import and the editor parse it: a second
    text, for the schedule), in alternating rounds until ``seconds`` have passed
    (bounded). Wall-clock and CPU time are both kept: CPU time is what other work on the
    machine does not inflate."""
    from targets.parser import parse_target

    from .generate import load_plan

    data = load_plan()
    pairs = [
        (item.get("target") or "", item.get("detail") or "")
        for department in data["departments"]
        for section in department["sections"]
        for business in section["businesses"]
        for initiative in business["initiatives"]
        for item in initiative["items"]
    ]

    alone = [(target, "") for target, _ in pairs]
    for target, detail in pairs:  # warm the regular expressions
        parse_target(target, detail)
    # Both measured in alternating rounds, so that both see the same machine: on a shared
    # machine the speed of the CPU moves by a third within minutes (docs/performance.md).
    totals = {"with": [0, 0.0, 0.0], "alone": [0, 0.0, 0.0]}  # count, wall, cpu
    started = time.perf_counter()
    rounds = 0
    while time.perf_counter() - started < seconds and rounds < 100_000:
        for key, inputs in (("with", pairs), ("alone", alone)):
            wall, cpu = time.perf_counter(), time.process_time()
            for target, detail in inputs:
                parse_target(target, detail)
            totals[key][0] += len(inputs)
            totals[key][1] += time.perf_counter() - wall
            totals[key][2] += time.process_time() - cpu
        rounds += 1
    count, wall, cpu = totals["with"]
    alone_count, alone_wall, alone_cpu = totals["alone"]
    return {
        "expressions": count + alone_count,
        "distinct": len(pairs),
        "per_second": count / wall,
        "cpu_per_second": count / max(cpu, 1e-9),
        "alone_per_second": alone_count / alone_wall,
        "alone_cpu_per_second": alone_count / max(alone_cpu, 1e-9),
    }


def query_counts(pages: list[Page]) -> tuple[dict[str, int | None], dict[str, list[str]]]:
    """Queries each page runs, counted in-process with Django's test client (same DB).

    On PostgreSQL each SELECT is also EXPLAINed: a sequential scan of a table of more
    than 10,000 rows is reported (an index is missing, or the query cannot use one).
    """
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from plans.models import User

    counts: dict[str, int | None] = {}
    scans: dict[str, list[str]] = {}
    for page in pages:
        if not url_exists(page.path):
            continue
        client = DjangoClient()
        client.force_login(User.objects.get(username=page.user))
        first = client.get(page.path)  # the first request also loads what is cached
        if page.method == "GET":
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page.path)
            ok = response.status_code == 200
        else:
            data = filled(entry_form(first.content.decode()), 0, "save")
            with CaptureQueriesContext(connection) as captured:
                response = client.post(page.path, dict(data))
            ok = response.status_code == 302
        counts[page.key] = len(captured) if ok else None
        if connection.vendor == "postgresql":
            scans[page.key] = sorted(
                {
                    scan
                    for query in captured.captured_queries
                    if query["sql"].lstrip().upper().startswith("SELECT")
                    for scan in _large_seq_scans(query["sql"])
                }
            )
    return counts, scans


def _large_seq_scans(sql: str, threshold: int = 10_000) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
    found = []
    stack = [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        stack.extend(node.get("Plans", []))
        if node.get("Node Type") == "Seq Scan":
            relation = node.get("Relation Name", "")
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [relation])
                row = cursor.fetchone()
            if row and row[0] > threshold:
                found.append(f"{relation} (~{row[0]:,.0f} rows)")
    return found


def url_exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path)
        return True
    except Resolver404:
        return False


def bench_pages(ref, *, quarter: int) -> list[Page]:
    year = ref.year
    section = ref.largest_section
    staff = ref.staff(section)
    entry = f"/results/{year}/q{quarter}/sections/{section.pk}/"
    # The board lands on the latest quarter with approved 実績 (results:dashboard_latest):
    # with Q4 being entered, Q3 — where the shortfalls and their reasons are.
    board = max(1, quarter - 1)
    floor_entry = f"/bench/floor/{year}/q{quarter}/sections/{section.pk}/"
    return [
        Page(
            "entry",
            f"section entry page (largest 係, {section.rows} rows)",
            staff,
            "GET",
            entry,
            floor_entry,
            "entry",
        ),
        Page(
            "save",
            f"saving a section's quarter (POST, {section.rows} rows)",
            staff,
            "POST",
            entry,
            floor_entry + "save/",
        ),
        Page(
            "dashboard",
            f"board dashboard (理事, Q{board})",
            ref.user("riji"),
            "GET",
            f"/results/{year}/q{board}/dashboard/",
            f"/bench/floor/{year}/q{board}/dashboard/",
            "dashboard",
        ),
        Page(
            "city",
            f"city dashboard (市の所管課, Q{board})",
            ref.user("city"),
            "GET",
            f"/results/{year}/q{board}/dashboard/",
            f"/bench/floor/{year}/q{board}/city/",
        ),
        Page(
            "plan",
            "plan page (事務局)",
            ref.user("jimukyoku"),
            "GET",
            f"/plans/{year}/",
            f"/bench/floor/plan/{year}/",
        ),
    ]


def measure_pages(
    server: Server, pages: list[Page], *, requests: int, warmup: int, password: str
) -> list[Figure]:
    clients: dict[str, Client] = {}
    for page in pages:
        if page.user not in clients:
            clients[page.user] = Client(server.port)
            clients[page.user].login(page.user, password)
    figures = []
    for page in pages:
        figure = Figure(page.name)
        figures.append(figure)
        if not url_exists(page.path):
            figure.missing = True
            continue
        client = clients[page.user]
        if page.method == "GET":
            for n in range(warmup + requests):
                response = client.get(page.path)
                floor = client.get(page.floor_path) if page.floor_path else None
                if response.status != 200 or (floor and floor.status != 200):
                    figure.errors += 1
                    continue
                if n >= warmup:
                    figure.add(response, floor)
        else:
            form = entry_form(client.get(page.path).text)
            version = _version_of(form)
            for n in range(warmup + requests):
                data = filled(_with_version(form, version), n, "save")
                response = client.post(page.path, data)
                if response.status == 302:
                    version += 1
                else:
                    figure.errors += 1
                    form = entry_form(client.get(page.path).text)
                    version = _version_of(form)
                    continue
                floor = client.post(page.floor_path, data)
                if floor.status != 204:
                    figure.errors += 1
                if n >= warmup:
                    figure.add(response, floor)
            figure.note = "every row changed on each save (the heaviest save)"
    return figures


def run_probe(args: list[str], env: dict[str, str], timeout: float) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.probe", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-2000:])
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------
# The quarter-end burst


@dataclass
class Actor:
    username: str
    kind: str  # "staff" or "head"
    entry_paths: list[str]  # staff: its section's entry; head: its 課's sections' entries
    department_path: str = ""


@dataclass
class BurstLog:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def record(self, kind: str, response: Response | None, expected: set[int], error: str = ""):
        with self.lock:
            if response is None:
                self.errors.append(f"{kind}: {error}")
                return
            self.times.setdefault(kind, []).append(response.seconds)
            self.statuses[(kind, response.status)] += 1
            if response.status not in expected:
                self.errors.append(f"{kind}: HTTP {response.status}")


def burst_actors(refs: list, *, users: int, quarter: int) -> list[Actor]:
    """``users`` people at quarter end: 課長 (a sixth of them) returning submitted entries,
    the rest 係 staff entering, saving and submitting, spread over the councils given."""
    heads: list[Actor] = []
    staff: list[Actor] = []
    for ref in refs:
        year = ref.year
        for department in ref.departments:
            sections = [s for s in ref.sections if s.department_id == department]
            heads.append(
                Actor(
                    ref.head(department),
                    "head",
                    [f"/results/{year}/q{quarter}/sections/{s.pk}/" for s in sections],
                    f"/results/{year}/q{quarter}/departments/{department}/",
                )
            )
        for person in range(1, 4):
            for section in ref.sections:
                staff.append(
                    Actor(
                        ref.staff(section, person),
                        "staff",
                        [f"/results/{year}/q{quarter}/sections/{section.pk}/"],
                    )
                )
    n_heads = min(len(heads), max(1, users // 6))
    if len(refs) > 1:
        # Several councils: the largest 係 of each council, and the 課長 over it.
        firsts = {
            f"/results/{ref.year}/q{quarter}/sections/{ref.largest_section.pk}/" for ref in refs
        }
        staff.sort(key=lambda a: (a.entry_paths[0] not in firsts, not a.username.endswith("-1")))
        heads.sort(key=lambda a: firsts.isdisjoint(a.entry_paths))
        chosen_heads = heads[:n_heads]
    else:
        chosen_heads = heads[:: max(1, len(heads) // n_heads)][:n_heads]
    return chosen_heads + staff[: users - len(chosen_heads)]


def run_burst(
    server: Server,
    actors: list[Actor],
    *,
    password: str,
    cycles: int,
    think: tuple[float, float],
    deadline_s: float,
    seed: int = 1,
) -> dict:
    log = BurstLog()
    clients = {a.username: Client(server.port, timeout=60) for a in actors}
    with ThreadPoolExecutor(max_workers=len(actors)) as pool:
        list(pool.map(lambda a: clients[a.username].login(a.username, password), actors))
    start_at = time.monotonic()
    deadline = start_at + deadline_s

    def pause(rng: random.Random) -> None:
        time.sleep(min(rng.uniform(*think), max(0.0, deadline - time.monotonic())))

    def act(actor: Actor, index: int) -> None:
        rng = random.Random(f"{seed}-{index}")
        client = clients[actor.username]
        time.sleep(rng.uniform(0, think[1]))  # people do not all click at the same instant

        def call(kind: str, method: str, path: str, data=None, expected=(200, 302)):
            try:
                response = client.request(method, path, data)
            except Exception as exc:  # a refused or dropped connection is an error
                log.record(kind, None, set(expected), repr(exc))
                return None
            log.record(kind, response, set(expected))
            return response

        for round_ in range(cycles):
            if time.monotonic() > deadline:
                return
            if actor.kind == "staff":
                path = actor.entry_paths[0]
                page = call("entry page", "GET", path)
                if page is None or page.status != 200:
                    continue
                form = entry_form(page.text)
                pause(rng)
                saved = call(
                    "save",
                    "POST",
                    path,
                    filled(form, round_, "save"),
                    expected=(302, 400, 409),
                )
                pause(rng)
                if round_ == cycles - 1 and saved is not None and saved.status == 302:
                    # Drafts are saved several times; the entry is submitted once, at the end.
                    submit_form = _with_version(form, _version_of(form) + 1)
                    call(
                        "submit",
                        "POST",
                        path,
                        filled(submit_form, round_, "submit"),
                        expected=(302, 400, 409),
                    )
            else:
                call("department page", "GET", actor.department_path)
                pause(rng)
                for path in actor.entry_paths:
                    token = client.csrf
                    call(
                        "return",
                        "POST",
                        path + "return/",
                        {"comment": "数値を確認してください。", "csrfmiddlewaretoken": token},
                    )
                    pause(rng)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(actors)) as pool:
        futures = [pool.submit(act, actor, i) for i, actor in enumerate(actors)]
        for future in futures:
            future.result(timeout=deadline_s + 180)
    elapsed = time.perf_counter() - started
    all_times = [t for times in log.times.values() for t in times]
    by_kind = {
        kind: {
            "requests": len(times),
            "median_ms": median(times) * 1000,
            "p95_ms": p95(times) * 1000,
        }
        for kind, times in log.times.items()
    }
    refused = {
        f"{kind} HTTP {status}": n
        for (kind, status), n in sorted(log.statuses.items())
        if status in (400, 409)
    }
    return {
        "users": len(actors),
        "staff": sum(1 for a in actors if a.kind == "staff"),
        "heads": sum(1 for a in actors if a.kind == "head"),
        "workers": server.workers,
        "requests": len(all_times),
        "seconds": elapsed,
        "throughput": len(all_times) / elapsed if elapsed else 0.0,
        "median_ms": median(all_times) * 1000,
        "p95_ms": p95(all_times) * 1000,
        "errors": len(log.errors),
        "error_samples": log.errors[:5],
        "refused": refused,
        "by_kind": by_kind,
        "think": think,
        "cycles": cycles,
    }


# ---------------------------------------------------------------------------------------
# Report


def _ms(value: float) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:,.0f} ms"


def _goal(key: str, size: str, value: float, *, at_least: bool = False) -> str:
    limit = GOALS.get(key, {}).get(size)
    if limit is None or value is None or math.isnan(value):
        return ""
    ok = value >= limit if at_least else value < limit
    return ("met" if ok else "**missed**") + f" ({'≥' if at_least else '<'} {limit:,})"


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu or platform.processor()}){memory}, {platform.platform()}"


def versions(backend: str) -> str:
    import django
    from django.db import connection

    database = "SQLite " + __import__("sqlite3").sqlite_version
    if backend == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = "PostgreSQL " + cursor.fetchone()[0]
    return f"Python {platform.python_version()}, Django {django.get_version()}, {database}"


def render(results: Results) -> str:
    size = results.size
    g = results.generation
    lines = [
        f"### Size {size}",
        "",
        f"- Command: `{results.command}`",
        f"- Date: {results.started:%Y-%m-%d %H:%M %Z} (whole run {results.seconds:,.0f} s)",
        f"- Machine: {machine()}",
        f"- Software: {versions(results.backend)}; gunicorn sync workers, DEBUG=0",
        f"- Load average (1/5/15 min) at start and end: {' → '.join(results.load)} "
        "(other work on the machine inflates every figure)"
        + (
            ""
            if results.steal_percent is None
            else f"; CPU steal during the run {results.steal_percent:.1f} % (time the "
            "hypervisor gave this machine's CPUs to other machines)"
        ),
        f"- Data: {g.get('councils', 0):,} council(s) × {g.get('years', 0)} year(s), "
        f"{g.get('items', 0):,} plan rows, {g.get('results', 0):,} 実績 rows, "
        f"{g.get('users', 0):,} users; "
        + (
            "the database of an earlier run, reused (`--reuse`)"
            if g.get("reused")
            else f"generated in {g.get('seconds', 0):,.0f} s"
        ),
        "",
        "| figure | median | p95 | floor (median) | page / floor | worker CPU, page / floor "
        "(median) | queries | goal |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, figure in zip(
        ("entry", "save", "dashboard", "city", "plan"), results.pages, strict=False
    ):
        if figure.missing:
            lines.append(f"| {figure.name} | missing (no such URL) | | | | | | |")
            continue
        goal = ""
        if key in ("entry", "dashboard"):
            goal = _goal(key, size, figure.p95_ms)
        ratio = figure.ratio
        ratio_text = "—" if math.isnan(ratio) else f"{ratio:.1f}×"
        ratio_goal = _goal("ratio", size, ratio)
        goals = "; ".join(
            x for x in (goal and f"p95 {goal}", ratio_goal and f"ratio {ratio_goal}") if x
        )
        errors = f" ({figure.errors} errors)" if figure.errors else ""
        queries = "—" if figure.queries is None else str(figure.queries)
        lines.append(
            f"| {figure.name}{errors} | {_ms(figure.median_ms)} | {_ms(figure.p95_ms)} | "
            f"{_ms(figure.floor_median_ms)} | {ratio_text} | "
            f"{_ms(figure.cpu_ms)} / {_ms(figure.floor_cpu_ms)} | {queries} | {goals} |"
        )
    lines += ["", "| figure | value | goal |", "|---|---|---|"]
    if results.export:
        e = results.export
        lines.append(
            f"| 事業報告 export ({e['rows']:,} rows, {e['bytes'] / 1024:,.0f} KiB) | "
            f"{e['seconds']:.2f} s (first in a fresh process {e['cold_seconds']:.2f} s), "
            f"peak RSS {e['peak_rss_mb']:.0f} MiB (process before export {e['base_rss_mb']:.0f} MiB) | "
            + "; ".join(
                x
                for x in (
                    _goal("export_s", size, e["seconds"])
                    and f"time {_goal('export_s', size, e['seconds'])} s",
                    _goal("export_mb", size, e["peak_rss_mb"])
                    and f"memory {_goal('export_mb', size, e['peak_rss_mb'])} MB",
                )
                if x
            )
            + " |"
        )
    elif results.export_note:
        lines.append(f"| 事業報告 export | {results.export_note} | |")
    if results.import_:
        i = results.import_
        lines.append(
            f"| import of the 令和2年度 plan workbook ({i['rows']} rows) | {i['seconds']:.2f} s, "
            f"peak RSS {i['peak_rss_mb']:.0f} MiB | |"
        )
    if results.parser:
        p = results.parser
        lines.append(
            f"| 目標値 parser ({p['distinct']} real 目標値, alone and with their 内容 in "
            f"alternating rounds, {p['expressions']:,} parsed) | the 目標値 "
            f"{p['alone_per_second']:,.0f} expressions/s ({p['alone_cpu_per_second']:,.0f}/s "
            f"of CPU time); with its 内容 {p['per_second']:,.0f}/s "
            f"({p['cpu_per_second']:,.0f}/s of CPU time) | "
            + (
                f"目標値: {_goal('parser', size, p['alone_per_second'], at_least=True)}; "
                f"with 内容: {_goal('parser', size, p['per_second'], at_least=True)}"
                if size in GOALS["parser"]
                else ""
            )
            + " |"
        )
    if results.burst:
        b = results.burst
        refused = ", ".join(f"{k}: {v}" for k, v in b["refused"].items()) or "none"
        lines.append(
            f"| quarter-end burst: {b['users']} users ({b['staff']} 係 staff opening and saving "
            f"their entry {b['cycles']}×, then submitting; {b['heads']} 課長 returning "
            f"submitted entries), gunicorn -w {b['workers']}, think time "
            f"{b['think'][0]:g}–{b['think'][1]:g} s | p95 {b['p95_ms']:,.0f} ms, median "
            f"{b['median_ms']:,.0f} ms, {b['errors']} errors, {b['requests']:,} requests in "
            f"{b['seconds']:.0f} s ({b['throughput']:.1f} req/s); refused by the application "
            f"(stale version / already submitted, expected): {refused} | "
            f"{_goal('burst_p95', size, b['p95_ms']) and _goal('burst_p95', size, b['p95_ms']) + ' ms'}"
            f"{'' if b['errors'] == 0 else ', **errors**'} |"
        )
        kinds = "; ".join(
            f"{k} p95 {v['p95_ms']:,.0f} ms ({v['requests']})" for k, v in b["by_kind"].items()
        )
        lines.append(f"| burst by request | {kinds} | |")
    for note in results.notes:
        lines += ["", f"Note: {note}"]
    return "\n".join(lines) + "\n"


_INTRO = """# Performance

Figures written by the benchmark (`bench/`); each size's section below is replaced by its
last run, with the exact command. On this 2-core machine (times from a fresh clone,
`make install` included):

| command | what | takes |
|---|---|---|
| `make bench SIZE=S` | one council like the demo | 3 min (2 of them the burst's think time); ~4 min on a slower machine |
| `make bench SIZE=L` | one large council | 4 min; up to ~8 min on a slower machine |
| `make bench SIZE=XL` | 1,000 councils × 3 years on PostgreSQL (about 5 million 実績) | 5 min, of which ~2 min writing the data with COPY (~5–7 min on a slower machine); 2.3 GB of database |
| `make bench SIZE=XL BENCH_ARGS="--reuse"` | XL again on the database of the last XL run | ~3–5 min |
| `make bench SIZE=XL BENCH_ARGS="--councils 100"` | a scaled XL (not run here) | ~5 min, estimated |
| `make bench SIZE=S BENCH_ARGS="--db sqlite"` | S or L on SQLite (the burst then runs on SQLite too) | |

PostgreSQL is reached at `postgres://postgres@127.0.0.1:5432` (`BENCH_POSTGRES` to change);
the bench database `shakyo_bench_<size>` is dropped and created by each run (kept with
`--reuse`).
`python -m bench.run --help` lists the knobs (requests per page, workers, burst users,
think time). `python -m bench.profile --size S --page entry [--profile]` times (or
profiles with cProfile) one page in-process on the database a run left behind: the quick
loop for trying a change. How the figures are taken:

- **Data**: `bench/generate.py` cuts synthetic councils from the real 令和2年度 plan
  (`r2_plan.json`: real 項目, 内容 and 目標値, so the parser sees the real variety), with
  the real plan's uneven 係 sizes, four quarters of 実績 (most on pace, some behind with a
  理由・今後の対応, COVID-19 中止), the latest year at its quarter end (Q1–Q3 approved, the
  Q4 window open, every 係's Q4 entry a draft) and users of every role.
  S = 1 council, 5 課, 12 係, 400 rows; L = 1 council, 10 課, 40 係, 4,000 rows; XL = 1,000
  councils × 400 rows × 3 years on PostgreSQL (written with COPY), measured for council 1.
- **Pages** are requested over 127.0.0.1 through gunicorn (`-w 3`, sync workers, DEBUG=0,
  the application's own middleware, sessions and templates) by a logged-in user of the
  right role; the time is the latency the client observes on loopback (connect to last
  byte), i.e. the server's time plus well under a millisecond. Requests are sequential,
  after a warm-up; median and p95 (nearest rank). The entry page and the save are those of
  the largest 係 (the worst case); the save changes every row. The dashboards are those
  of Q3, the latest quarter with approved 実績, where `results:dashboard_latest` lands
  the board during Q4's entry (at Q4 itself every row is still 未入力 and there is no
  shortfall to list).
- **Floors** (`bench/floors.py`): the same rows read by one hand-written SQL query and
  rendered as a bare HTML table (the save: one multi-row upsert), served by the same
  server and middleware and requested alternately with the page. *page / floor* is the
  ratio of medians. *Worker CPU* is the CPU time the gunicorn worker spent on the
  request (a `Server-Timing` header added by `bench.middleware` in front of the
  application's middleware): other work on the machine inflates it much less than
  latency, but it leaves out PostgreSQL's own time.
- **Queries**: the number of SQL queries of one request, counted in-process with Django's
  test client on the same database (session and user included).
- **Parser**: every 目標値 of the real plan, alone and read with its 内容 (as the import
  and the editor do: a second text, for the schedule), in alternating rounds for 4.5 s,
  so that both figures see the same machine.
- **Export / import**: `bench/probe.py` in a fresh process: the 事業報告 of the whole
  council up to Q4 written twice (the figure is the second, as in a warm worker; the first
  is shown too), peak RSS of that process (`ru_maxrss`, so Django itself is included); the
  import is the application's own 事業計画 export of the real 令和2年度 plan imported as a
  new year's plan (rolled back).
- **Burst**: 30 people at once against gunicorn on PostgreSQL: 係 staff (2–3 per 係 of
  council 1 for S and L; the largest 係 of 25 councils for XL) each open the entry page
  and save every row, three times, then submit; 課長 open their 課 and return submitted
  entries with a comment. A person pauses between requests for a random 5–15 s (reading,
  typing); the achieved request rate is shown. *Errors* are 5xx responses,
  unexpected statuses and failed connections; 409 (someone of the same 係 saved first)
  and 400 (already submitted) are the application refusing a stale save as designed and
  are counted separately.
"""


def write_doc(results: Results, path: Path = DOC) -> None:
    """Replace this size's section of docs/performance.md, keeping the others."""
    sections: dict[str, str] = {}
    findings = ""
    if path.exists():
        text = path.read_text()
        for match in re.finditer(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->", text, re.S):
            sections[match.group(1)] = match.group(2)
        kept = re.search(r"<!-- findings -->.*?<!-- /findings -->", text, re.S)
        findings = kept.group(0) if kept else ""
    sections[results.size] = render(results)
    order = [s for s in ("S", "L", "XL", "tiny") if s in sections]
    parts = [_INTRO, "## Results", ""]
    for size in order:
        parts += [f"<!-- bench:{size} -->\n{sections[size]}<!-- /bench:{size} -->", ""]
    if findings:  # written by hand, kept across runs
        parts += [findings, ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts))


# ---------------------------------------------------------------------------------------
# Main


def main(argv: list[str] | None = None) -> Results:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--size", default="S", choices=["tiny", "S", "L", "XL"])
    parser.add_argument(
        "--db", choices=["postgresql", "sqlite"], help="default: PostgreSQL if reachable"
    )
    parser.add_argument("--councils", type=int, help="XL: fewer councils (a scaled XL)")
    parser.add_argument("--requests", type=int, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--burst-users", type=int, default=30)
    parser.add_argument("--burst-cycles", type=int, default=3)
    parser.add_argument(
        "--think", default="5,15", help="burst: a person's pause between requests, seconds"
    )
    parser.add_argument("--burst-deadline", type=float, default=240.0)
    parser.add_argument("--skip", default="", help="comma list: burst,export,import,parser")
    parser.add_argument("--reuse", action="store_true", help="keep an already generated DB")
    parser.add_argument("--output", type=Path, default=DOC)
    parser.add_argument("--no-doc", action="store_true", help="print only")
    args = parser.parse_args(argv)

    from .generate import PASSWORD, SIZES, expected_counts

    size = SIZES[args.size]
    skip = {s for s in args.skip.split(",") if s}
    # 30 requests: the p95 (nearest rank) is the second slowest, not the slowest.
    requests = args.requests or {"tiny": 3, "S": 30, "L": 30, "XL": 30}[size.name]
    backend = args.db or ("postgresql" if postgres_available() else "sqlite")
    if size.name == "XL" and backend != "postgresql":
        raise SystemExit("XL runs on PostgreSQL only (BENCH_POSTGRES).")
    command = os.environ.get("BENCH_COMMAND") or shlex.join(["python", "-m", "bench.run", *argv])
    results = Results(size.name, backend, command, datetime.now().astimezone())
    clock = time.perf_counter()
    results.load.append(load_average())
    results.ticks.append(cpu_ticks())
    print(f"== bench {size.name} on {backend}", flush=True)

    target = prepare_database(size.name, backend, args.reuse)
    _django(target.url)
    from django.core.management import call_command
    from django.db import connection

    from plans.models import Organization, PlanItem, User
    from results.models import Result

    from .generate import council_ref, generate

    call_command("migrate", verbosity=0, interactive=False)
    councils = args.councils or size.councils
    if not (args.reuse and Organization.objects.exists()):
        print("-- generating", flush=True)
        summary = generate(size, councils=councils, log=lambda m: print(m, flush=True))
        results.generation = {
            "councils": summary.councils,
            "years": size.years,
            "seconds": summary.seconds,
        }
        if backend == "postgresql":
            # As a live database is: vacuumed and analysed. Left to autovacuum, the fresh
            # tables may be vacuumed in the middle of the first page's measurements.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    else:
        # A reused database: put every entry back at its quarter end (a burst submitted some).
        from results.models import SectionQuarter

        SectionQuarter.objects.filter(quarter=4, fiscal_year__year=size.current_year).update(
            state=SectionQuarter.State.DRAFT
        )
        results.generation = {"councils": councils, "years": size.years, "reused": True}
    results.generation.update(
        items=PlanItem.objects.count(),
        results=Result.objects.count(),
        users=User.objects.count(),
    )
    expected = expected_counts(size, councils)
    print(f"   {results.generation} (expected {expected})", flush=True)
    if size.name == "XL" and councils != size.councils:
        results.notes.append(
            f"This is a scaled XL: {councils:,} councils instead of {size.councils:,} "
            f"({results.generation['results']:,} 実績 rows instead of about "
            f"{expected_counts(size)['results']:,}). The full XL is `make bench SIZE=XL`."
        )

    if "parser" not in skip:
        print("-- parser", flush=True)
        results.parser = measure_parser(4.5 if size.name != "tiny" else 0.3)

    ref = council_ref(1)
    pages = bench_pages(ref, quarter=4)
    counts, scans = query_counts(pages)
    connection.close()
    if backend == "postgresql":
        flagged = {k: v for k, v in scans.items() if v}
        results.notes.append(
            "Sequential scans of tables over 10,000 rows in the pages' queries (EXPLAIN): "
            + (
                "; ".join(f"{k}: {', '.join(v)}" for k, v in flagged.items())
                if flagged
                else "none."
            )
        )
    log = Path(tempfile.gettempdir()) / f"shakyo-bench-{size.name}-gunicorn.log"
    with Server(target.url, args.workers, log) as server:
        print(f"-- pages ({requests} requests each, port {server.port})", flush=True)
        results.pages = measure_pages(
            server, pages, requests=requests, warmup=args.warmup, password=PASSWORD
        )
        for page, figure in zip(pages, results.pages, strict=True):
            figure.queries = counts.get(page.key)
            print(
                f"   {figure.name}: median {figure.median_ms:.0f} ms, p95 {figure.p95_ms:.0f} ms,"
                f" floor {figure.floor_median_ms:.1f} ms, errors {figure.errors}",
                flush=True,
            )
        probe_env = {**server.env, "DJANGO_SETTINGS_MODULE": "shakyo.settings"}
        if "export" not in skip:
            print("-- export", flush=True)
            try:
                results.export = run_probe(
                    ["export", "--council", "1", "--year", str(ref.year), "--quarter", "4"],
                    probe_env,
                    timeout=600,
                )
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                results.export_note = f"failed: {str(exc)[-300:]}"
        if "import" not in skip:
            print("-- import", flush=True)
            results.import_ = run_probe(["import"], probe_env, timeout=600)
        if "burst" not in skip:
            low, high = (float(x) for x in args.think.split(","))
            refs = (
                [ref]
                if councils == 1
                else [council_ref(i) for i in range(1, min(councils, 30) + 1)]
            )
            connection.close()
            actors = burst_actors(refs, users=args.burst_users, quarter=4)
            print(f"-- burst ({len(actors)} users on {backend})", flush=True)
            results.burst = run_burst(
                server,
                actors,
                password=PASSWORD,
                cycles=args.burst_cycles,
                think=(low, high),
                deadline_s=args.burst_deadline,
            )
            if backend != "postgresql":
                results.notes.append("The burst ran on SQLite (PostgreSQL was not reachable).")
    results.seconds = time.perf_counter() - clock
    results.load.append(load_average())
    results.ticks.append(cpu_ticks())
    text = render(results)
    print()
    print(text)
    if not args.no_doc:
        write_doc(results, args.output)
        print(f"written to {args.output}")
    return results


if __name__ == "__main__":
    main()
