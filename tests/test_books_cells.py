"""Cell safety and text measuring (shakyo.lib.cells), and the one writer that uses them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from books.xlsx import put
from shakyo.lib.cells import display_width, needs_quote_prefix, wrapped_lines


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("=SUM(1)", True),
        ("+81-42-000-0000", True),
        ("-", True),
        ("@当番", True),
        ("  =1+1", True),
        ("7回予定", False),
        ("年24回（月2回）", False),
        ("", False),
        ("＝全角のイコール", False),
    ],
)
def test_text_that_a_spreadsheet_could_run_is_quoted(text, quoted):
    assert needs_quote_prefix(text) is quoted


@pytest.mark.parametrize(
    ("text", "width"),
    [("abc", 3), ("理事会", 6), ("7回予定", 7), ("（１）", 6), ("", 0)],
)
def test_full_width_characters_count_double(text, width):
    assert display_width(text) == width


@pytest.mark.parametrize(
    ("text", "columns", "lines"),
    [("", 10, 1), ("あいうえお", 10, 1), ("あいうえおか", 10, 2), ("a\nb\n\nc", 10, 4)],
)
def test_wrapped_lines(text, columns, lines):
    assert wrapped_lines(text, columns) == lines


@pytest.mark.parametrize("value", ["=SUM(1)", "+1", "-1", "@x", '=HYPERLINK("http://x")'])
def test_put_never_writes_a_formula(tmp_path, value):
    wb = Workbook()
    put(wb.active, 1, 1, value)
    path = tmp_path / "cells.xlsx"
    wb.save(path)
    cell = load_workbook(path).active["A1"]
    assert cell.value == value
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_put_refuses_floats_and_writes_decimals_as_numbers(tmp_path):
    wb = Workbook()
    with pytest.raises(TypeError):
        put(wb.active, 1, 1, 1.5)
    put(wb.active, 1, 1, Decimal("12.5"))
    put(wb.active, 2, 1, "制御\x01文字")
    path = tmp_path / "cells.xlsx"
    wb.save(path)
    ws = load_workbook(path).active
    assert ws["A1"].data_type == "n"
    assert ws["A2"].value == "制御文字"
