"""One measurement in a fresh process, printed as JSON (run by ``bench.run``).

A fresh process per measurement makes its peak memory (``ru_maxrss``) the peak of that
one job, as a Celery worker would see it, not of whatever the harness did before.

    python -m bench.probe export --council 1 --year 2020 --quarter 4
    python -m bench.probe import
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def _rss_mb() -> float:
    """The current resident set size, in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export(council: int, year: int, quarter: int) -> dict:
    """The 事業報告 of council ``council``, written to a temporary file, twice.

    The first run pays for importing openpyxl and warming caches, as a worker's first job
    does; the figure is the second (``seconds``), the first is kept as ``cold_seconds``.
    """
    from books.services import report_export
    from plans.models import Business, Organization

    from .generate import council_name

    organization = Organization.objects.get(name=council_name(council))
    scope = Business.objects.filter(fiscal_year__organization=organization)
    base = _rss_mb()
    times = []
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "report.xlsx"
        for _ in range(2):
            started = time.perf_counter()
            book = report_export(businesses=scope, year=year, quarter=quarter, output=path)
            times.append(time.perf_counter() - started)
        size = path.stat().st_size
    return {
        "seconds": times[-1],
        "cold_seconds": times[0],
        "rows": book.row_count,
        "bytes": size,
        "base_rss_mb": base,
        "peak_rss_mb": _peak_mb(),
    }


def import_plan() -> dict:
    """Import the 令和2年度 plan workbook as a new year's plan (rolled back afterwards).

    The workbook is the application's own 事業計画 export of ``r2_plan.json`` (the real
    plan), made first in the same transaction; only ``plan_import`` is timed.
    """
    from django.db import transaction

    from books.imports import plan_import
    from books.services import plan_export
    from plans.demo import demo_relations_load
    from plans.models import Business, Organization, PlanItem
    from plans.services import plan_load

    from .generate import load_plan

    data = load_plan()
    with tempfile.TemporaryDirectory() as directory, transaction.atomic():
        path = Path(directory) / "r2_plan.xlsx"
        source = Organization.objects.create(name="ベンチ取込元社会福祉協議会")
        demo_relations_load(council=source)  # the plan names 西東京市 and 東京都社協
        plan_load(organization=source, data=data)
        plan_export(
            businesses=Business.objects.filter(fiscal_year__organization=source),
            year=2020,
            output=path,
        )
        base = _rss_mb()
        started = time.perf_counter()
        # Into the next year, which has no plan yet: the workbook is created as a plan.
        summary = plan_import(path=path, organization=source, year=2021, user=None)
        seconds = time.perf_counter() - started
        rows = PlanItem.objects.filter(
            initiative__business__fiscal_year__organization=source,
            initiative__business__fiscal_year__year=2021,
        ).count()
        transaction.set_rollback(True)
    return {
        "seconds": seconds,
        "rows": rows,
        "message": summary.message,
        "base_rss_mb": base,
        "peak_rss_mb": _peak_mb(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("export")
    one.add_argument("--council", type=int, default=1)
    one.add_argument("--year", type=int, required=True)
    one.add_argument("--quarter", type=int, default=4)
    sub.add_parser("import")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shakyo.settings")
    import django

    django.setup()
    if args.what == "export":
        figures = export(args.council, args.year, args.quarter)
    else:
        figures = import_plan()
    json.dump(figures, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
