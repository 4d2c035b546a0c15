"""The demo's 事業計画 and 事業報告, printed by LibreOffice, obey the page rules on every page.

Each book is written as the 帳票 page writes it, printed to PDF by LibreOffice headless
(books.pdf) and read back page by page with ``pdftotext -layout`` (poppler-utils). On
every page: no heading (【係】, 係の方針, 「１．…」, 方針) and no table header is the last
line; a page that is not the first of its 課 starts with a 【係】 heading or names its 係
with 「【係】（続き）」; the plan repeats the table header on a page that starts inside a
table, the report has it on every page; LibreOffice added no page break of its own.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from openpyxl import load_workbook

from books import pdf, reports
from books.services import plan_export, report_export
from plans.models import Business

pytestmark = [
    pytest.mark.skipif(
        not (pdf.soffice() and shutil.which("pdftotext")),
        reason="LibreOffice と poppler-utils が必要です（make test が scripts/ensure-print.sh で入れます）",
    ),
    # The module's fixture loads the demo itself; the mark makes pytest-django create the
    # test database.
    pytest.mark.django_db,
]

YEAR, QUARTER = 2020, 2
FOOTER = re.compile(r"^\d+ / \d+$")


def _flat(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


@dataclass
class Printed:
    pages: list[list[str]]  # the lines of each page, blanks and the footer left out
    planned_pages: int  # pages the workbook's own breaks make
    headings: set[str]  # 【係】 headings of the book
    initiatives: set[str]  # 「１．…の取り組み」


def _print(data: bytes, directory: Path, name: str, book: reports.Book) -> Printed:
    path = directory / f"{name}.pdf"
    path.write_bytes(pdf.workbook_to_pdf(data))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    count = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    pages = []
    for number in range(1, count + 1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        lines = [_flat(line) for line in text.splitlines() if line.strip()]
        pages.append([line for line in lines if not FOOTER.match(line)])
    workbook = load_workbook(io.BytesIO(data))
    # The 課 sheets place their own breaks (the 概要 and the 総括 are not tables of 係).
    planned = sum(
        len(ws.row_breaks.brk) + 1
        for ws in workbook.worksheets
        if ws.sheet_state == "visible" and ws.title not in ("概要", "総括")
    )
    headings = {_flat(b.heading) for s in book.sheets for b in s.businesses if b.heading}
    initiatives = {
        _flat(i.heading) for s in book.sheets for b in s.businesses for i in b.initiatives
    }
    return Printed(pages, planned, headings, initiatives)


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Printed]:
    """Both books of the demo at 第2四半期, printed once for the module."""
    directory = tmp_path_factory.mktemp("print")
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        businesses = Business.objects.all()
        plan, report = io.BytesIO(), io.BytesIO()
        plan_book = plan_export(businesses=businesses, year=YEAR, output=plan)
        report_book = report_export(
            businesses=businesses, year=YEAR, quarter=QUARTER, output=report
        )
        transaction.set_rollback(True)
    return {
        "plan": _print(plan.getvalue(), directory, "plan", plan_book),
        "report": _print(report.getvalue(), directory, "report", report_book),
    }


def _kind(line: str, printed: Printed) -> str:
    if line.endswith("（続き）") and line.removesuffix("（続き）") in printed.headings:
        return "continued"
    if line in printed.headings:
        return "heading"
    if line in ("係の方針", "方針"):
        return "label"
    if line in printed.initiatives or any(
        len(line) >= 6 and heading.startswith(line) for heading in printed.initiatives
    ):
        return "initiative"
    if line.startswith("項目内容"):
        return "header"
    return "text"


def _is_department(title: str) -> bool:
    """「令和２年度　総務課　事業報告」, not the 概要 or the 総括 of the whole book."""
    return title.endswith(("事業計画", "事業報告")) and "課" in title


def _sheets(printed: Printed, title_lines: int) -> list[list[list[str]]]:
    """The pages of each 課 sheet (a sheet's pages repeat its title), titles taken off."""
    sheets: list[list[list[str]]] = []
    title = None
    for page in printed.pages:
        if page[0] != title:
            title = page[0]
            sheets.append([] if _is_department(title) else None)
        if sheets[-1] is not None:
            sheets[-1].append(page[title_lines:])
    return [sheet for sheet in sheets if sheet is not None]


@pytest.mark.parametrize("name", ["plan", "report"])
def test_libreoffice_breaks_the_pages_where_the_book_does(printed, name):
    book = printed[name]
    pages = sum(len(sheet) for sheet in _sheets(book, 0))
    assert pages == book.planned_pages
    assert pages > 10


@pytest.mark.parametrize(("name", "title_lines"), [("plan", 1), ("report", 3)])
def test_no_page_ends_with_a_heading_or_a_table_header(printed, name, title_lines):
    book = printed[name]
    for sheet in _sheets(book, title_lines):
        for page in sheet:
            assert page, "a page with nothing but its title"
            assert _kind(page[-1], book) == "text", page[-1]


@pytest.mark.parametrize(("name", "title_lines"), [("plan", 1), ("report", 3)])
def test_every_continuation_page_names_its_section(printed, name, title_lines):
    book = printed[name]
    continued = 0
    for sheet in _sheets(book, title_lines):
        heading = None
        for number, page in enumerate(sheet):
            first = _kind(page[0], book)
            if number:
                assert first in ("heading", "continued"), page[:2]
            if first == "continued":
                continued += 1
                assert page[0] == f"{heading}（続き）"
                assert _kind(page[1], book) != "heading", page[:2]  # a new 係 needs no 「続き」
            for line in page:
                if _kind(line, book) == "heading":
                    heading = line
    assert continued >= 5


def test_a_plan_page_that_starts_inside_a_table_repeats_its_header(printed):
    book = printed["plan"]
    repeated = 0
    for sheet in _sheets(book, 1):
        for page in sheet[1:]:
            if _kind(page[0], book) != "continued":
                continue
            assert _kind(page[1], book) in ("initiative", "label", "header"), page[:3]
            repeated += _kind(page[1], book) == "header"
    assert repeated >= 5


def test_every_report_page_has_the_table_header(printed):
    book = printed["report"]
    for sheet in _sheets(book, 0):
        for page in sheet:
            assert page[2].startswith("項目内容目標値第1四半期"), page[:3]
