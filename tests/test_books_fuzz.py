"""Fuzzed workbooks: a real export with random cells overwritten is either imported or
refused with Japanese messages; no other exception escapes and a refusal writes nothing.

The workbooks are edited with openpyxl here, as a person would in Excel; the
application's own openpyxl code stays in books/xlsx.py.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from books.imports import ImportRefused, plan_import, results_import
from books.services import entry_export, plan_export
from plans.models import AuditEvent, Business, PlanItem
from results.models import QuarterWindow, Result

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

cell_values = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40),
    st.sampled_from(["=SUM(1)", "+1", "-3", "@A1", "２，１００", "1,000", "実施", "未実施", "○"]),
    st.integers(min_value=-(10**6), max_value=10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=3, max_value=10**9, min_value=-(10**9)
    ),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    st.booleans(),
)
edits = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=12), cell_values
    ),
    min_size=1,
    max_size=12,
)
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _Rollback(Exception):
    pass


def state() -> tuple:
    return (
        sorted(PlanItem.objects.values_list("pk", "target_text", "group", "name", "detail")),
        sorted(Result.objects.values_list("item_id", "quarter", "value", "done", "note")),
        AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED).count(),
    )


def mutate(source, target, changes) -> None:
    workbook = load_workbook(source)
    for row, column, value in changes:
        sheet = workbook.worksheets[(row + column) % len(workbook.worksheets)]
        if isinstance(value, float) and value != value:  # NaN: openpyxl writes it as text
            value = "NaN"
        if isinstance(value, Decimal):
            value = float(value)
        cell = sheet.cell(row=row, column=column)
        if isinstance(cell, MergedCell):  # the hidden part of a merge: nobody can type there
            continue
        cell.value = value
    workbook.save(target)


def attempt(run) -> None:
    """Run one import in a savepoint that is always rolled back; check the outcome."""
    before = state()
    try:
        with transaction.atomic():
            try:
                run()
            except ImportRefused as refused:
                assert refused.problems
                for problem in refused.problems:
                    assert JAPANESE.search(problem.message), problem.message
                assert state() == before  # a refusal writes nothing
            raise _Rollback
    except _Rollback:
        pass


@pytest.fixture
def plan_workbook(world, tmp_path):
    path = tmp_path / "plan.xlsx"
    plan_export(
        businesses=Business.objects.filter(fiscal_year__organization=world.organization),
        year=2020,
        output=path,
    )
    return path


@FUZZ
@given(changes=edits, year=st.sampled_from([2020, 2021]))
def test_fuzzed_plan_workbooks_are_imported_or_refused_cleanly(
    world, plan_workbook, tmp_path, changes, year
):
    fuzzed = tmp_path / "fuzzed.xlsx"
    mutate(plan_workbook, fuzzed, changes)
    attempt(
        lambda: plan_import(
            path=fuzzed, organization=world.organization, year=year, user=world.users["secretariat"]
        )
    )


@pytest.fixture
def entry_workbook(world, tmp_path):
    QuarterWindow.objects.create(fiscal_year=world.business_a.fiscal_year, quarter=1, is_open=True)
    path = tmp_path / "entry.xlsx"
    entry_export(section=world.section_a, year=2020, quarter=1, output=path)
    return path


@FUZZ
@given(changes=edits)
def test_fuzzed_results_workbooks_are_imported_or_refused_cleanly(
    world, entry_workbook, tmp_path, changes
):
    fuzzed = tmp_path / "fuzzed.xlsx"
    mutate(entry_workbook, fuzzed, changes)
    attempt(
        lambda: results_import(
            path=fuzzed, organization=world.organization, user=world.users["staff_a"], year=2020
        )
    )


# Raw sheets with fuzzed places: declared dimensions, row and cell numbers (up to 10¹⁵,
# out of order, missing), merges. Whatever they say, the import answers in Japanese
# within a bounded time, never reading row by row up to what a cell claims.
_places = st.tuples(st.integers(min_value=1, max_value=10**15), st.integers(1, 16_384))
_raw_sheets = st.fixed_dictionaries(
    {
        "dimension": st.one_of(st.none(), st.tuples(_places, _places)),
        "cells": st.lists(st.tuples(_places, st.text(max_size=20)), max_size=20),
        "merges": st.lists(st.tuples(_places, _places), max_size=3),
        "numbered": st.booleans(),
    }
)


def _raw_sheet(spec: dict) -> str:
    from xml.sax.saxutils import escape, quoteattr

    from books.safety import _column_letters

    def ref(place) -> str:
        return f"{_column_letters(place[1])}{place[0]}"

    parts = []
    if spec["dimension"]:
        first, last = spec["dimension"]
        parts.append(f'<dimension ref="{ref(first)}:{ref(last)}"/>')
    parts.append("<sheetData>")
    for place, text in spec["cells"]:
        row = f' r="{place[0]}"' if spec["numbered"] else ""
        value = escape(text)
        parts.append(
            f'<row{row}><c r={quoteattr(ref(place))} t="inlineStr"><is><t>{value}</t></is></c></row>'
        )
    parts.append("</sheetData>")
    if spec["merges"]:
        merges = "".join(f'<mergeCell ref="{ref(a)}:{ref(b)}"/>' for a, b in spec["merges"])
        parts.append(f"<mergeCells>{merges}</mergeCells>")
    return "".join(parts)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=_raw_sheets)
def test_fuzzed_sheet_places_are_refused_in_japanese_and_quickly(world, tmp_path, spec):
    import time

    from bench.uploads import MAIN, _workbook

    path = _workbook(
        tmp_path / "raw.xlsx",
        lambda: iter(
            [
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{_raw_sheet(spec)}</worksheet>'
            ]
        ),
    )
    started = time.process_time()
    attempt(lambda: plan_import(path=path, organization=world.organization, year=2020, user=None))
    assert time.process_time() - started < 2
