"""The benchmark's generator writes what it says, the pages it times keep a fixed number
of queries whatever the number of rows, and the harness runs end to end (tiny, SQLite).

No timing is asserted here: figures belong to docs/performance.md, not to tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.generate import (
    SIZES,
    Parsed,
    build_council,
    council_ref,
    expected_counts,
    generate,
    load_plan,
    password_hash,
    write_council,
)
from bench.run import entry_form, filled
from plans.models import PlanItem, TargetQuantity, User
from results.models import QuarterWindow, Result, SectionQuarter

ROOT = Path(__file__).resolve().parents[1]
TINY = SIZES["tiny"]


def test_generator_writes_the_expected_counts_with_the_real_targets(db):
    summary = generate(TINY)

    expected = expected_counts(TINY)
    assert summary.councils == expected["councils"]
    assert PlanItem.objects.count() == expected["items"]
    assert Result.objects.count() == expected["results"]
    assert SectionQuarter.objects.count() == expected["section_quarters"]
    assert User.objects.count() == expected["users"]
    assert TargetQuantity.objects.exists()
    # Rows carry the real plan's 目標値 verbatim, parsed by the real parser.
    real = {
        item["target"]
        for department in load_plan()["departments"]
        for section in department["sections"]
        for business in section["businesses"]
        for initiative in business["initiatives"]
        for item in initiative["items"]
    }
    assert set(PlanItem.objects.values_list("target_text", flat=True)) <= real
    assert PlanItem.objects.exclude(target_kind="none").exists()


def test_generated_council_is_at_its_quarter_end(db):
    generate(TINY)
    ref = council_ref(1)

    assert QuarterWindow.objects.get(quarter=4).is_open
    assert not QuarterWindow.objects.filter(quarter__lt=4, is_open=True).exists()
    assert set(SectionQuarter.objects.filter(quarter=4).values_list("state", flat=True)) == {
        "draft"
    }
    assert set(SectionQuarter.objects.filter(quarter=3).values_list("state", flat=True)) == {
        "approved"
    }
    # Sizes are uneven like the real plan's sections; the largest is timed.
    rows = sorted(s.rows for s in ref.sections)
    assert sum(rows) == TINY.rows and rows[-1] > rows[0]
    assert User.objects.filter(username=ref.staff(ref.largest_section)).exists()


def test_harness_reads_and_fills_the_entry_form(client, db):
    generate(TINY)
    ref = council_ref(1)
    section = ref.largest_section
    client.force_login(User.objects.get(username=ref.staff(section)))
    url = reverse("results:entry", args=[ref.year, 4, section.pk])

    form = entry_form(client.get(url).content.decode())
    response = client.post(url, dict(filled(form, 1, "submit")))

    assert response.status_code == 302
    assert SectionQuarter.objects.get(section_id=section.pk, quarter=4).state == "submitted"


def _council(index: int, rows: int) -> None:
    size = replace(TINY, rows=rows)
    blueprint = build_council(size, seed=index, data=load_plan(), parsed=Parsed())
    write_council(
        blueprint,
        index=index,
        years=[size.current_year],
        current_year=size.current_year,
        password_hash=password_hash(),
    )


def _queries(client, username: str, method: str, url: str, data=None) -> tuple[int, int]:
    client.force_login(User.objects.get(username=username))
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data) if method == "POST" else client.get(url)
    return len(captured), response.status_code


@pytest.fixture
def small_and_large(db, settings):
    """Council 1 with 30 rows and council 2 with 150 rows, same 課 and 係."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _council(1, 30)
    _council(2, 150)
    return council_ref(1), council_ref(2)


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("riji", "results:dashboard"),
        ("city", "results:dashboard"),
        ("jimukyoku", "plans:year"),
    ],
)
def test_benchmarked_read_pages_run_the_same_queries_at_any_size(
    client, small_and_large, role, url_name
):
    small, large = small_and_large
    args = [small.year, 4] if url_name == "results:dashboard" else [small.year]
    url = reverse(url_name, args=args)

    counts = [_queries(client, ref.user(role), "GET", url) for ref in (small, large)]

    assert counts[0] == counts[1]
    assert counts[0][1] == 200


@pytest.mark.parametrize("action", ["save", "submit"])
def test_saving_and_submitting_a_quarter_run_the_same_queries_at_any_size(
    client, small_and_large, action
):
    counts = []
    for ref in small_and_large:
        section = ref.largest_section
        url = reverse("results:entry", args=[ref.year, 4, section.pk])
        client.force_login(User.objects.get(username=ref.staff(section)))
        data = dict(filled(entry_form(client.get(url).content.decode()), 1, action))
        counts.append(_queries(client, ref.staff(section), "POST", url, data))

    # save (21 on PostgreSQL): session, user, section, year, section-quarter, window, rows,
    # their 実績; in the save's transaction the section-quarter (get; lock, with its year,
    # organisation and section), window, rows, this quarter's 実績, one insert of the
    # audit events, one upsert of the 実績, version; the session renewal. Submit adds its own
    # transaction: lock, year, section, rows, 実績, organisation, update, 課, audit event.
    assert counts[0] == counts[1]
    assert counts[0][1] == 302


@pytest.mark.skipif(sys.platform != "linux", reason="the harness reads /proc")
def test_harness_runs_end_to_end_on_sqlite(tmp_path):
    output = tmp_path / "performance.md"
    env = {
        **os.environ,
        "TMPDIR": str(tmp_path),
        "BENCH_COMMAND": "pytest tests/test_bench.py",
    }
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--size",
            "tiny",
            "--db",
            "sqlite",
            "--requests",
            "2",
            "--warmup",
            "1",
            "--burst-users",
            "4",
            "--burst-cycles",
            "1",
            "--think",
            "0,0.05",
            "--workers",
            "1",
            "--skip",
            "import,parser",
            "--output",
            str(output),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    text = output.read_text()
    assert "### Size tiny" in text
    assert "section entry page" in text and "page / floor" in text
    assert "事業報告 export" in text
    assert "quarter-end burst: 4 users" in text
    assert "0 errors" in text
