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


def test_a_streamed_sheet_keeps_a_block_until_flushed(tmp_path):
    """_RowStream: cells, merges and heights of a block are written when it is flushed;
    a row already streamed cannot be written again."""
    from books.xlsx import GRID, _RowStream, merge

    wb = Workbook(write_only=True)
    sheet = _RowStream(wb.create_sheet("報告"))
    sheet.column_dimensions["A"].width = 20
    put(sheet, 1, 1, "見出し")
    merge(sheet, 1, 1, 1, 3)
    sheet.flush()
    put(sheet, 3, 2, Decimal("2100"), border=GRID)  # row 2 stays empty
    put(sheet, 2 + 2, 1, "=SUM(1)", border=GRID)
    put(sheet, 3, 1, "会議の開催", border=GRID)
    merge(sheet, 3, 1, 4, 1)
    sheet.row_dimensions[4].height = 40
    sheet.flush()
    with pytest.raises(ValueError):
        put(sheet, 4, 2, "遅すぎる")
    path = tmp_path / "stream.xlsx"
    wb.save(path)

    ws = load_workbook(path)["報告"]
    assert ws["A1"].value == "見出し"
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A1:C1", "A3:A4"]
    assert ws["A2"].value is None and ws["B3"].value == 2100
    assert ws["A3"].value == "会議の開催" and ws["A3"].border.left.style == "thin"
    assert ws["A4"].border.left.style == "thin"  # covered by the merge, styled like A3
    assert ws.row_dimensions[4].height == 40
    assert ws.column_dimensions["A"].width == 20
