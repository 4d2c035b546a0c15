"""Every line of openpyxl in shakyo: writing the books and reading uploaded workbooks.

The builders in ``books.reports`` say *what* a book contains; this module says how it
looks on paper: A4, ＭＳ ゴシック, column widths that fit Japanese text, wrapped text with
row heights computed here (neither Excel nor LibreOffice sizes merged cells), the title
rows repeated on every page, fit to one page wide and 「1 / 3」 in the footer.

Text from people goes through :func:`put`, the one cell-safety helper: a text that starts
with ``=``, ``+``, ``-`` or ``@`` is stored as text with Excel's quote prefix, never as a
formula.

Memory: books are written in openpyxl's normal mode, row by row in one pass, because the
printed layout needs merged cells (項目 spanning rows, the 方針 boxes), which write-only
mode cannot make. Style objects are shared constants whose indexes are cached, so a
4,000-row council is written in seconds with memory in the tens of MB (README, 帳票).

Every workbook carries a hidden sheet ``_shakyo`` naming its template, version, year and
organisation, and hidden columns carrying each row's stable key, so that the imports can
refuse the wrong file and match rows after people edited them in Excel.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.chart import BarChart, RadarChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import iterparse as safe_iterparse  # defusedxml when installed

from results.status import Status
from shakyo.lib.cells import needs_quote_prefix, wrapped_lines
from targets.display import format_number

from . import pages
from .reports import (
    UNAPPROVED_MARK,
    BoardPacket,
    Book,
    DepartmentSheet,
    EntryBook,
    EntryRow,
    ReportBook,
    ReportRow,
    quarter_heading,
)

if TYPE_CHECKING:
    from collab.models import CollaborationProject, Review

FONT_NAME = "ＭＳ ゴシック"
BODY_SIZE = 10
LINE_HEIGHT = 14  # points per wrapped line of BODY_SIZE text, with some air
META_SHEET = "_shakyo"
FORMAT_VERSION = 1

THIN = Side(style="thin", color="000000")
HAIR = Side(style="hair", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

FONT = Font(name=FONT_NAME, size=BODY_SIZE)
BOLD = Font(name=FONT_NAME, size=BODY_SIZE, bold=True)
HEADING = Font(name=FONT_NAME, size=11, bold=True)
TITLE = Font(name=FONT_NAME, size=14, bold=True)
SMALL = Font(name=FONT_NAME, size=9, color="404040")
RED_BOLD = Font(name=FONT_NAME, size=BODY_SIZE, bold=True, color="C00000")

HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
HEADING_FILL = PatternFill("solid", fgColor="F2F2F2")
SHORTFALL_FILL = PatternFill("solid", fgColor="FCE4D6")  # 遅れ・未着手
CANCELLED_FILL = PatternFill("solid", fgColor="D9D9D9")  # 中止
INPUT_FILL = PatternFill("solid", fgColor="FFFFE0")  # cells a section head fills in
LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")

WRAP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
RIGHT = Alignment(vertical="top", horizontal="right")
CENTER = Alignment(vertical="top", horizontal="center", wrap_text=True)

STATUS_COLORS: dict[Status, str] = {
    Status.ACHIEVED: "2E7D32",
    Status.ON_TRACK: "5B9BD5",
    Status.BEHIND: "F4B183",
    Status.NOT_STARTED: "C00000",
    Status.NOT_DUE: "9DC3E6",
    Status.NOT_ENTERED: "A5A5A5",
    Status.CANCELLED: "404040",
    Status.DONE: "70AD47",
    Status.NOT_DONE: "FFC000",
    Status.NO_TARGET: "D9D9D9",
}


# ---------------------------------------------------------------------------------------
# Writing: the one cell-safety helper and the page set-up
# ---------------------------------------------------------------------------------------


def _style_index(ws: Worksheet, collection: str, obj: Any) -> int:
    """The index of a style object in the workbook, looked up once per object.

    openpyxl hashes a Font or Border on every assignment, which dominated the time to
    write a book; the style objects here are shared constants, so their index is cached
    (keeping the object alive so that its id is not reused).
    """
    wb = ws.parent
    cache = wb.__dict__.setdefault("_shakyo_styles", {})
    key = (collection, id(obj))
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = (getattr(wb, collection).add(obj), obj)
    return hit[0]


def _restyle(
    cell: Cell,
    *,
    font: Font | None = None,
    alignment: Alignment | None = None,
    border: Border | None = None,
    fill: PatternFill | None = None,
) -> None:
    ws = cell.parent
    if not cell._style:
        cell._style = StyleArray()
    style = cell._style
    if font is not None:
        style.fontId = _style_index(ws, "_fonts", font)
    if alignment is not None:
        style.alignmentId = _style_index(ws, "_alignments", alignment)
    if border is not None:
        style.borderId = _style_index(ws, "_borders", border)
    if fill is not None:
        style.fillId = _style_index(ws, "_fills", fill)


def put(
    ws: Worksheet,
    row: int,
    column: int,
    value: Any,
    *,
    font: Font = FONT,
    alignment: Alignment | None = WRAP,
    border: Border | None = None,
    fill: PatternFill | None = None,
    number_format: str | None = None,
) -> Cell:
    """Write ``value`` to a cell; text is always text, never a formula.

    openpyxl turns any string that starts with ``=`` into a formula; here such text (and
    text starting with ``+``, ``-`` or ``@``, which other spreadsheet programs evaluate)
    is stored as a string with the quote prefix Excel itself uses for 「'=SUM(1)」.
    """
    cell = ws.cell(row=row, column=column)
    if isinstance(value, float):
        raise TypeError("books never write floats; pass Decimal or int")
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        if value and (needs_quote_prefix(value) or cell.data_type != "s"):
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
    _restyle(cell, font=font, alignment=alignment, border=border, fill=fill)
    if number_format:
        cell.number_format = number_format
    return cell


def merge(ws: Worksheet, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
    """Merge a range; every cell of it takes the top-left cell's style (its borders).

    Same result as ``ws.merge_cells`` for the ranges written here, without its per-cell
    border arithmetic.
    """
    first = ws.cell(row=start_row, column=start_column)
    coord = CellRange(
        min_row=start_row, min_col=start_column, max_row=end_row, max_col=end_column
    ).coord
    # Straight into the set: MultiCellRange.add scans every range (quadratic), and the
    # ranges written here never overlap.
    ws.merged_cells.ranges.add(MergedCellRange(ws, coord))
    for row in range(start_row, end_row + 1):
        for col in range(start_column, end_column + 1):
            if (row, col) == (start_row, start_column):
                continue
            cell = MergedCell(ws, row=row, column=col)
            cell._style = copy(first._style) if first._style else StyleArray()
            ws._cells[(row, col)] = cell


class _RowStream:
    """A write-only worksheet (openpyxl's streaming mode) filled like a normal one.

    Cells are kept until :meth:`flush` streams every row up to the last one used, so a
    block's merges and row heights — known once its last row is written — are set
    before it goes out: memory holds one block of a book, not the book. It offers what
    ``put``, ``merge``, ``_draw_pages`` and ``_widths`` use of a
    Worksheet. Column widths, the view and the sheet's properties must be set before
    the first flush (they open the sheet's XML); merges and print settings any time.
    """

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self._cells: dict[tuple[int, int], Cell | MergedCell] = {}
        self._streamed = 0

    @property
    def merged_cells(self):
        return self.ws.merged_cells

    @property
    def row_dimensions(self):
        return self.ws.row_dimensions

    @property
    def column_dimensions(self):
        return self.ws.column_dimensions

    @property
    def row_breaks(self):
        return self.ws.row_breaks

    def cell(self, row: int, column: int) -> Cell:
        if row <= self._streamed:
            raise ValueError(f"row {row} has already been streamed")
        cell = self._cells.get((row, column))
        if cell is None:
            cell = self._cells[(row, column)] = Cell(self.ws, row=row, column=column)
        return cell

    def flush(self) -> None:
        if not self._cells:
            return
        rows: dict[int, dict[int, Cell]] = {}
        for (row, column), cell in self._cells.items():
            if isinstance(cell, MergedCell):  # covered by a merge: only its style is written
                covered = Cell(self.ws, row=row, column=column)
                covered._style = cell._style
                cell = covered
            rows.setdefault(row, {})[column] = cell
        last = max(rows)
        for row in range(self._streamed + 1, last + 1):
            cells = rows.get(row, {})
            self.ws.append([cells.get(column) for column in range(1, max(cells, default=0) + 1)])
        self._cells.clear()
        self._streamed = last


def _page_setup(
    ws: Worksheet | WriteOnlyWorksheet,
    *,
    last_column: int,
    last_row: int | None,
    title_rows: str,
    landscape: bool = False,
) -> None:
    """A4, fitted to the page width, titles repeated, page numbers in the footer.

    A streamed sheet calls this before its first row (the sheet's properties and view
    are written first) with ``last_row=None``, then :func:`_print_area` at the end.
    """
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = title_rows
    if last_row is not None:
        _print_area(ws, last_column, last_row)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.7
    ws.page_margins.header = 0.3
    ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.center.font = FONT_NAME
    ws.oddFooter.center.size = 9
    ws.sheet_view.showGridLines = False


def _print_area(ws: Worksheet | WriteOnlyWorksheet, last_column: int, last_row: int) -> None:
    ws.print_area = f"A1:{get_column_letter(last_column)}{max(last_row, 1)}"


def _widths(ws: Worksheet, widths: list[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _hide_columns(ws: Worksheet, first: int, last: int) -> None:
    for index in range(first, last + 1):
        ws.column_dimensions[get_column_letter(index)].hidden = True


def _lines(text: str, width: float) -> int:
    # Excel's width unit is a digit of the default font (Calibri 11: 7 px); a full-width
    # character of 10 pt ＭＳ ゴシック is 13.3 px, so a column of width w holds about
    # 1.04 w half-width characters after its padding. LibreOffice fits slightly more.
    return wrapped_lines(str(text), max(width * 1.04 - 0.5, 2))


def _height(lines: int, *, font_size: float = BODY_SIZE) -> float:
    return min(409.0, lines * LINE_HEIGHT * font_size / BODY_SIZE + 4)


def _box(ws: Worksheet, first_row: int, last_row: int, first_col: int, last_col: int) -> None:
    """An outline around a block of (merged) cells, like the 方針 frames of the plan."""
    for row in range(first_row, last_row + 1):
        for col in range(first_col, last_col + 1):
            edges = (col == first_col, col == last_col, row == first_row, row == last_row)
            _restyle(ws.cell(row=row, column=col), border=_BOX_BORDERS[edges])


_BOX_BORDERS = {
    (left, right, top, bottom): Border(
        left=THIN if left else None,
        right=THIN if right else None,
        top=THIN if top else None,
        bottom=THIN if bottom else None,
    )
    for left in (False, True)
    for right in (False, True)
    for top in (False, True)
    for bottom in (False, True)
}


def _meta(wb: Workbook, values: dict[str, Any]) -> None:
    ws = wb.create_sheet(META_SHEET)
    ws.sheet_state = "hidden"
    sheet = _RowStream(ws) if wb.write_only else ws
    put(sheet, 1, 1, "このシートは shakyo が取り込みに使います。変更しないでください。")
    for row, (key, value) in enumerate({"version": FORMAT_VERSION, **values}.items(), start=2):
        put(sheet, row, 1, key, alignment=None)
        put(sheet, row, 2, json.dumps(value, ensure_ascii=False), alignment=None)
    if isinstance(sheet, _RowStream):
        sheet.flush()


def _new_workbook(*, write_only: bool = False) -> Workbook:
    """An empty workbook; ``write_only`` streams its sheets (see :class:`_RowStream`)."""
    if write_only:
        return Workbook(write_only=True)
    wb = Workbook()
    wb.remove(wb.active)
    return wb


_FORBIDDEN_IN_SHEET_NAMES = str.maketrans({c: "・" for c in "[]:*?/\\"})


def _sheet_title(name: str, used: set[str]) -> str:
    title = name.translate(_FORBIDDEN_IN_SHEET_NAMES)[:31] or "シート"
    base, number = title, 2
    while title in used or title == META_SHEET:
        suffix = f"({number})"
        title = base[: 31 - len(suffix)] + suffix
        number += 1
    used.add(title)
    return title


def save(wb: Workbook, output: IO[bytes] | str | Path) -> None:
    wb.save(output)


# ---------------------------------------------------------------------------------------
# 事業計画
# ---------------------------------------------------------------------------------------

# 項目 / 内容 (sub-item) / 内容 (detail) / 目標値, then hidden: tag, key, data.
PLAN_WIDTHS = [18.0, 25.0, 36.0, 17.0]
PLAN_TAG, PLAN_KEY, PLAN_DATA = 5, 6, 7
PLAN_LAST = 4


class _PlanSheetWriter:
    """Lays out one 課 of the 事業計画 like the printed plan, with its own page breaks.

    The rows are first described as :class:`books.pages.Line` values, cut into pages by
    :func:`books.pages.paginate`, then drawn: a continuation page starts with
    「【係】（続き）」 and, inside a table, the table's header again.
    """

    TITLE_HEIGHT, TITLE_GAP = 24.0, 6.0

    def __init__(self, ws: Worksheet, sheet: DepartmentSheet):
        self.ws = ws
        self.sheet = sheet
        self.total_width = sum(PLAN_WIDTHS)
        self.heading = ""  # the 【…】 heading in force

    def tag(self, row: int, tag: str, key: Any = None, data: dict | None = None) -> None:
        put(self.ws, row, PLAN_TAG, tag, alignment=None)
        if key is not None:
            put(self.ws, row, PLAN_KEY, str(key), alignment=None)
        if data:
            put(self.ws, row, PLAN_DATA, json.dumps(data, ensure_ascii=False), alignment=None)

    def _wide_draw(self, text: str, font: Font, tag: str, align, key: Any = None):
        def draw(row: int) -> None:
            put(self.ws, row, 1, text, font=font, alignment=align)
            merge(self.ws, row, 1, row, PLAN_LAST)
            self.tag(row, tag, key)

        return draw

    def wide(
        self, text: str, *, kind: str, tag: str, font: Font = FONT, keep: bool = False, key=None
    ) -> pages.Line:
        height = _height(_lines(text, self.total_width), font_size=font.size or BODY_SIZE)
        return pages.Line(
            kind, height, self._wide_draw(text, font, tag, WRAP, key), keep, self.heading
        )

    def spacer(self, height: float) -> pages.Line:
        return pages.Line(pages.Kind.SPACER, height, None, True, self.heading)

    def boxed(self, texts: list[str], tag: str) -> list[pages.Line]:
        """The lines of a 方針 box, kept together (a box never spans two pages)."""
        lines = []
        for index, text in enumerate(texts):
            edges = (index == 0, index == len(texts) - 1)
            line = self.wide(text, kind=pages.Kind.POLICY, tag=tag, keep=not edges[1])
            line.payload = self._boxed_draw(line.payload, *edges)
            lines.append(line)
        return lines

    def _boxed_draw(self, draw, top: bool, bottom: bool):
        def boxed(row: int) -> None:
            draw(row)
            for col in range(1, PLAN_LAST + 1):
                edges = (col == 1, col == PLAN_LAST, top, bottom)
                _restyle(self.ws.cell(row=row, column=col), border=_BOX_BORDERS[edges])

        return boxed

    def lines(self) -> list[pages.Line]:
        Kind = pages.Kind
        lines: list[pages.Line] = []
        for business in self.sheet.businesses:
            if business.heading:
                self.heading = business.heading
            lines.append(
                pages.Line(Kind.MARKER, 0, self._marker_draw(business), True, self.heading)
            )
            if business.heading:
                lines.append(self.spacer(6))
                lines.append(
                    self.wide(
                        business.heading, kind=Kind.HEADING, tag="heading", font=HEADING, keep=True
                    )
                )
            if business.show_policies:
                label = self.wide("係の方針", kind=Kind.LABEL, tag="label", font=BOLD)
                label.keep_with_next = bool(business.policies)
                lines.append(label)
                lines += self.boxed(business.policies, "policy")
            for initiative in business.initiatives:
                lines.append(self.spacer(8))
                lines.append(
                    self.wide(
                        initiative.heading,
                        kind=Kind.INITIATIVE,
                        tag="initiative",
                        font=HEADING,
                        keep=True,
                        key=initiative.pk,
                    )
                )
                if initiative.policy:
                    lines.append(
                        self.wide("方　　針", kind=Kind.LABEL, tag="label", font=BOLD, keep=True)
                    )
                    lines += self.boxed(initiative.policy.split("\n"), "initiative_policy")
                    lines[-1].keep_with_next = bool(initiative.rows)
                lines += self.table(initiative.rows)
        return lines

    def _marker_draw(self, business):
        def draw(row: int) -> None:
            self.tag(
                row,
                "business",
                business.pk,
                {
                    "section": business.section,
                    "name": business.name,
                    "commissioned_by": business.commissioned_by,
                    "city_department": business.city_department,
                    "policies_shared": business.policies_shared,
                    "policies_from_previous": not business.show_policies,
                },
            )
            self.ws.row_dimensions[row].hidden = True

        return draw

    def _header_draw(self, row: int) -> None:
        for col, text in ((1, "項　　目"), (2, "内　　容"), (3, ""), (4, "目標値")):
            put(self.ws, row, col, text, font=BOLD, alignment=WRAP_CENTER, border=GRID,
                fill=HEADER_FILL)  # fmt: skip
        merge(self.ws, row, 2, row, 3)
        self.tag(row, "header")

    def _item_draw(self, plan_row):
        def draw(row: int) -> None:
            texts = [plan_row.group, plan_row.name, plan_row.detail, plan_row.target_text]
            for col, text in enumerate(texts, start=1):
                put(self.ws, row, col, text, border=GRID, alignment=CENTER if col == 4 else WRAP)
            extra = {
                k: v
                for k, v in (
                    ("confidence", plan_row.confidence),
                    ("note", plan_row.note),
                    ("structure", plan_row.structure),
                )
                if v
            }
            self.tag(row, "item", plan_row.key, extra)

        return draw

    def table(self, rows: list) -> list[pages.Line]:
        header = pages.Line(pages.Kind.HEADER, 18, self._header_draw, True, self.heading)
        items = []
        for plan_row in rows:
            texts = [plan_row.name, plan_row.detail, plan_row.target_text]
            lines = max(_lines(text, PLAN_WIDTHS[col]) for col, text in enumerate(texts, 1))
            line = pages.Line(pages.Kind.ITEM, _height(lines), self._item_draw(plan_row))
            line.heading, line.header = self.heading, header
            line.group, line.name = plan_row.group, plan_row.name
            items.append(line)
        _fit_runs(items, "group", PLAN_WIDTHS[0])
        _fit_runs(items, "name", PLAN_WIDTHS[1], within="group")
        _keep_small_runs(items, "group")
        return [header, *items] if items else [header]

    def write(self) -> int:
        ws = self.ws
        _widths(ws, PLAN_WIDTHS)
        put(ws, 1, 1, self.sheet.title, font=TITLE, alignment=WRAP_CENTER)
        merge(ws, 1, 1, 1, PLAN_LAST)
        self.tag(1, "title")
        put(ws, 1, PLAN_DATA, json.dumps({"department": self.sheet.name}, ensure_ascii=False))
        ws.row_dimensions[1].height = self.TITLE_HEIGHT
        ws.row_dimensions[2].height = self.TITLE_GAP
        capacity = pages.page_capacity(
            PLAN_WIDTHS, landscape=False, title_height=self.TITLE_HEIGHT + self.TITLE_GAP
        )
        cut = pages.paginate(
            self.lines(), capacity=capacity, continued=self._continued, repeat_header=True
        )
        merges = ((1, PLAN_WIDTHS[0]), (2, PLAN_WIDTHS[1]))
        return _draw_pages(ws, cut, first_row=3, merges=merges)

    def _continued(self, heading: str) -> pages.Line:
        text = f"{heading}（続き）"
        return pages.Line(
            pages.Kind.CONTINUED,
            _height(_lines(text, self.total_width), font_size=HEADING.size),
            # Tagged as a label: the import skips it like 「係の方針」.
            self._wide_draw(text, HEADING, "label", WRAP),
            heading=heading,
        )


def _runs(items: list, attr: str, within: str | None = None) -> Iterator[list]:
    """Consecutive items with the same non-empty ``attr`` (and the same ``within``)."""
    index = 0
    while index < len(items):
        end = index
        text = getattr(items[index], attr)
        while (
            end + 1 < len(items)
            and text
            and getattr(items[end + 1], attr) == text
            and (within is None or getattr(items[end + 1], within) == getattr(items[index], within))
        ):
            end += 1
        yield items[index : end + 1]
        index = end + 1


def _fit_runs(items: list, attr: str, width: float, within: str | None = None) -> None:
    """Make each run of lines tall enough for the text of the cell merged across it."""
    for run in _runs(items, attr, within):
        needed = _height(_lines(getattr(run[0], attr), width))
        have = sum(line.height for line in run)
        if needed > have:
            run[-1].height += needed - have


def _keep_small_runs(items: list, attr: str, most: float = 200.0) -> None:
    """A 項目 of at most ``most`` points (about a quarter of a page) is not split."""
    for run in _runs(items, attr):
        if len(run) > 1 and sum(line.height for line in run) <= most:
            for line in run[:-1]:
                line.keep_with_next = True


def _draw_pages(
    ws, cut: list[list[pages.Line]], *, first_row: int, merges: tuple[tuple[int, float], ...]
) -> int:
    """Draw the pages from ``first_row`` with a row break before each page after the first.

    Item rows of one 項目 on one page share a merged cell; where a 項目 runs on to the
    next page its text stands again there. ``merges`` gives (column, width) of the 項目
    and, for the plan, of the 内容 merged within it.
    """
    row = first_row - 1
    for number, page in enumerate(cut):
        if number:
            ws.row_breaks.append(Break(id=row))
        items: list[tuple[int, pages.Line]] = []
        for line in page:
            row += 1
            if line.payload is not None:
                line.payload(row)
            if line.kind != pages.Kind.MARKER:
                ws.row_dimensions[row].height = line.height
            if line.kind == pages.Kind.ITEM:
                items.append((row, line))
        _merge_items(ws, items, merges)
        if isinstance(ws, _RowStream):
            ws.flush()
    return row


def _merge_items(
    ws, items: list[tuple[int, pages.Line]], merges: tuple[tuple[int, float], ...]
) -> None:
    """Merge the runs of one page's item rows, and make each run tall enough for its text."""
    row_of = {id(line): row for row, line in items}
    index = 0
    while index < len(items):
        # Rows written one after another: a header or a heading between ends a run.
        end = index
        while end + 1 < len(items) and items[end + 1][0] == items[end][0] + 1:
            end += 1
        block = [line for _row, line in items[index : end + 1]]
        groups = list(_runs(block, "group"))
        for depth, (column, width) in enumerate(merges):
            attr = ("group", "name")[depth]
            runs = groups if depth == 0 else [r for g in groups for r in _runs(g, attr)]
            for run in runs:
                first, last = row_of[id(run[0])], row_of[id(run[-1])]
                if last > first:
                    merge(ws, first, column, last, column)
                needed = _height(_lines(getattr(run[0], attr), width))
                have = sum(ws.row_dimensions[r].height or 0 for r in range(first, last + 1))
                if needed > have:  # a run cut by a page break
                    ws.row_dimensions[last].height += needed - have
        index = end + 1


def write_plan(book: Book, output: IO[bytes] | str | Path) -> None:
    """The 事業計画: one sheet per 課, A4 portrait, laid out like the printed plan."""
    wb = _new_workbook()
    used: set[str] = set()
    for sheet in book.sheets:
        ws = wb.create_sheet(_sheet_title(sheet.name, used))
        last = _PlanSheetWriter(ws, sheet).write()
        _hide_columns(ws, PLAN_TAG, PLAN_DATA)
        _page_setup(ws, last_column=PLAN_LAST, last_row=last, title_rows="1:2")
    if not book.sheets:
        ws = wb.create_sheet("事業計画")
        put(ws, 1, 1, "この年度に出力できる事業はありません。")
    _meta(
        wb,
        {"template": "plan", "organization": book.organization, "year": book.year},
    )
    save(wb, output)


# ---------------------------------------------------------------------------------------
# 事業報告 and 市への報告: one table per 課 with the 実績
# ---------------------------------------------------------------------------------------


@dataclass
class _Column:
    header: str
    width: float
    kind: str  # group, content, target, quarter1..4, actual, rate, status, reason


REPORT_COLUMNS = [
    _Column("項　目", 16, "group"),
    _Column("内　容", 36, "content"),
    _Column("目標値", 15, "target"),
    _Column("第1四半期", 9, "quarter1"),
    _Column("第2四半期", 9, "quarter2"),
    _Column("第3四半期", 9, "quarter3"),
    _Column("第4四半期", 9, "quarter4"),
    _Column("年間実績", 16, "actual"),
    _Column("達成率", 8, "rate"),
    _Column("状況", 8, "status"),
    _Column("理由・今後の対応", 34, "reason"),
]

CITY_COLUMNS = [
    _Column("項　目", 15, "group"),
    _Column("内　容", 30, "content"),
    _Column("目標値", 14, "target"),
    _Column("実績（累計）", 17, "actual"),
    _Column("達成率", 8, "rate"),
    _Column("状況", 8, "status"),
    _Column("理由・今後の対応", 26, "reason"),
]


def _number_format(value: Decimal, unit: str = "", mark: str = "") -> str:
    base = "#,##0" if value == value.to_integral_value() else "#,##0.0#"
    suffix = f"{unit}{mark}".replace('"', "")
    return f'{base}"{suffix}"' if suffix else base


def _content(row: ReportRow) -> str:
    return "\n".join(text for text in (row.name, row.detail) if text)


class _ReportSheetWriter:
    """Lays out one 課 of the 事業報告 (or of the city's report), streamed row by row."""

    def __init__(
        self, ws: WriteOnlyWorksheet, sheet: DepartmentSheet, columns: list[_Column], book: Book
    ):
        self.sheet_ws = ws
        self.ws = _RowStream(ws)
        self.sheet = sheet
        self.columns = columns
        self.book = book
        self.last = len(columns)
        self.row = 0

    def next_row(self) -> int:
        self.row += 1
        return self.row

    def wide(self, text: str, *, font: Font, fill: PatternFill | None = None, height=None) -> int:
        row = self.next_row()
        self._wide_draw(text, font, fill)(row)
        self.ws.row_dimensions[row].height = height or self._wide_height(text)
        return row

    def _wide_height(self, text: str, font: Font = FONT) -> float:
        total = sum(c.width for c in self.columns)
        return _height(_lines(text, total), font_size=font.size or BODY_SIZE)

    def _wide_draw(self, text: str, font: Font, fill: PatternFill | None = None):
        def draw(row: int) -> None:
            put(self.ws, row, 1, text, font=font, fill=fill, alignment=WRAP)
            if fill is not None:
                for col in range(2, self.last + 1):
                    self.ws.cell(row=row, column=col).fill = fill
            merge(self.ws, row, 1, row, self.last)

        return draw

    def write(self) -> int:
        ws = self.ws
        _widths(ws, [c.width for c in self.columns])
        title = self.wide(self.sheet.title, font=TITLE, height=24)
        ws.cell(row=title, column=1).alignment = WRAP_CENTER
        self.wide(
            f"{self.book.organization}　{self.book.quarter and _quarter_note(self.book.quarter)}"
            f"　{self.book.basis_note}",
            font=SMALL,
            height=16 if self.book.official else 30,
        )
        header = self.next_row()
        for col, column in enumerate(self.columns, start=1):
            text = column.header
            if column.kind == "actual" and self.book.quarter != 4 and column.header == "年間実績":
                text = "累計実績"
            put(
                ws,
                header,
                col,
                text,
                font=BOLD,
                alignment=WRAP_CENTER,
                border=GRID,
                fill=HEADER_FILL,
            )
        ws.row_dimensions[header].height = 28
        self.sheet_ws.freeze_panes = f"A{header + 1}"
        ws.flush()
        # The title, the note and the table header are the print titles (repeated on
        # every page), so a continuation page only needs 「【係】（続き）」.
        widths = [c.width for c in self.columns]
        capacity = pages.page_capacity(
            widths, landscape=len(self.columns) > 8, title_height=24 + 16 + 28
        )
        cut = pages.paginate(
            self.lines(), capacity=capacity, continued=self._continued, repeat_header=False
        )
        self.row = _draw_pages(ws, cut, first_row=header + 1, merges=((1, self.columns[0].width),))
        return self.row

    def lines(self) -> list[pages.Line]:
        Kind = pages.Kind
        lines: list[pages.Line] = []
        heading = ""
        for business in self.sheet.businesses:
            if business.heading:
                heading = business.heading
                lines.append(
                    pages.Line(
                        Kind.HEADING,
                        self._wide_height(heading, HEADING),
                        self._wide_draw(heading, HEADING, HEADING_FILL),
                        True,
                        heading,
                    )
                )
            for initiative in business.initiatives:
                lines.append(
                    pages.Line(
                        Kind.INITIATIVE,
                        self._wide_height(initiative.heading, BOLD),
                        self._wide_draw(initiative.heading, BOLD),
                        True,
                        heading,
                    )
                )
                items = [
                    pages.Line(
                        Kind.ITEM,
                        self.item_height(row),
                        self._item_draw(row),
                        heading=heading,
                        group=row.group,
                    )
                    for row in initiative.rows
                ]
                _fit_runs(items, "group", self.columns[0].width)
                _keep_small_runs(items, "group")
                lines += items
        return lines

    def _continued(self, heading: str) -> pages.Line:
        text = f"{heading}（続き）"
        return pages.Line(
            pages.Kind.CONTINUED,
            self._wide_height(text, HEADING),
            self._wide_draw(text, HEADING, HEADING_FILL),
            heading=heading,
        )

    def item_height(self, row: ReportRow) -> float:
        lines = 1
        for column in self.columns:
            if column.kind != "group":
                value = self.value(row, column.kind)[0]
                if isinstance(value, str):
                    lines = max(lines, _lines(value, column.width))
        return _height(lines)

    def _item_draw(self, row: ReportRow):
        def draw(number: int) -> None:
            self.item(row, number)

        return draw

    def item(self, row: ReportRow, number: int) -> None:
        ws = self.ws
        fill = SHORTFALL_FILL if row.is_shortfall else CANCELLED_FILL if row.is_cancelled else None
        for col, column in enumerate(self.columns, start=1):
            value, align, fmt, font = self.value(row, column.kind)
            put(ws, number, col, value, border=GRID, alignment=align, fill=fill,
                number_format=fmt, font=font)  # fmt: skip

    def value(self, row: ReportRow, kind: str):
        return _report_value(row, kind)


def _report_value(row: ReportRow, kind: str):
    """A cell of the report table: (value, alignment, number format, font)."""
    if kind == "group":
        return row.group, WRAP, None, FONT
    if kind == "content":
        return _content(row), WRAP, None, FONT
    if kind == "target":
        return row.target_text, CENTER, None, FONT
    # A figure that is not approved, or rests on one, carries the mark (internal book).
    if kind.startswith("quarter"):
        quarter = int(kind[-1])
        mark = UNAPPROVED_MARK if quarter in row.unapproved else ""
        value = row.quarters[quarter - 1]
        if isinstance(value, Decimal):
            return value, RIGHT, _number_format(value, row.unit, mark), FONT
        return (f"{value}{mark}" if value else value), CENTER, None, FONT
    mark = UNAPPROVED_MARK if row.has_unapproved else ""
    if kind == "actual":
        value = row.actual
        if isinstance(value, Decimal):
            if row.extras:
                # Secondary figures (「1回（160人）」's 人) follow the main one as text.
                return (
                    f"{format_number(value)}{row.unit}{mark}\n（{row.extras}）",
                    RIGHT,
                    None,
                    FONT,
                )
            return value, RIGHT, _number_format(value, row.unit, mark), FONT
        return (f"{value}{mark}" if value else value), WRAP, None, FONT
    if kind == "rate":
        if row.rate is None:
            return None, RIGHT, None, FONT
        return row.rate, RIGHT, f'0.0"%{mark}"', FONT
    if kind == "status":
        font = RED_BOLD if row.is_shortfall else BOLD if row.is_cancelled else FONT
        return f"{row.status.value}{mark}", CENTER, None, font
    if kind == "reason":
        return row.reason, WRAP, None, FONT
    raise ValueError(kind)


def _quarter_note(quarter: int) -> str:
    months = {1: "4〜6月", 2: "4〜9月", 3: "4〜12月", 4: "4〜3月"}[quarter]
    return f"第{quarter}四半期までの実績（{months}）"


def _summary_sheet(wb: Workbook, book: ReportBook, index: int = 0) -> None:
    """The front sheet: counts by status per 係 and per 課, each 係's approval, what the
    figures are (approved only, or internal with unapproved ones), and a bar chart."""
    sheet_ws = wb.create_sheet("概要", index)
    statuses = list(book.statuses)
    last = 2 + len(statuses) + 2  # 課, 係, the statuses, 計, 承認
    _page_setup(sheet_ws, last_column=last, last_row=None, title_rows="1:2", landscape=True)
    sheet_ws.page_setup.fitToHeight = 1  # the summary is one page
    ws = _RowStream(sheet_ws)
    _widths(ws, [16, 18, *([7] * len(statuses)), 7, 14])
    put(ws, 1, 1, book.title, font=TITLE, alignment=WRAP_CENTER)
    merge(ws, 1, 1, 1, last)
    ws.row_dimensions[1].height = 24
    put(ws, 2, 1, f"{book.organization}　状況別の件数（{_quarter_note(book.quarter)}）", font=SMALL)
    merge(ws, 2, 1, 2, last)
    put(ws, 3, 1, book.basis_note, font=SMALL if book.official else RED_BOLD, alignment=WRAP)
    merge(ws, 3, 1, 3, last)
    ws.row_dimensions[3].height = 16 if book.official else 30
    approval = {(s.department, s.section): s.state for s in book.sections}

    def header(row: int, first: str, second: str, *, with_state: bool = True) -> None:
        texts = [first, second, *[s.value for s in statuses], "計"]
        if with_state:
            texts.append(f"第{book.quarter}四半期の承認")
        for col, text in enumerate(texts, start=1):
            put(ws, row, col, text, font=BOLD, alignment=WRAP_CENTER, border=GRID, fill=HEADER_FILL)

    def line(row: int, first: str, second: str, counts, total: int, *, bold=False) -> None:
        font = BOLD if bold else FONT
        put(ws, row, 1, first, border=GRID, font=font)
        put(ws, row, 2, second, border=GRID, font=font)
        for col, status in enumerate(statuses, start=3):
            count = counts.get(status, 0)
            fill = SHORTFALL_FILL if status.is_shortfall and count else None
            put(ws, row, col, count, border=GRID, alignment=RIGHT, font=font, fill=fill)
        put(ws, row, last - 1, total, border=GRID, alignment=RIGHT, font=BOLD)

    put(ws, 4, 1, "係別", font=HEADING, alignment=None)
    header(5, "課", "係")
    row = 5
    sections = [s for s in book.summary if not s.is_total]
    for summary in sections:
        row += 1
        line(row, summary.department, summary.section, summary.counts, summary.total)
        state = approval.get((summary.department, summary.section), "")
        put(ws, row, last, state, border=GRID, alignment=CENTER, font=FONT)
    first_data, last_data = 6, row

    row += 2
    put(ws, row, 1, "課別", font=HEADING, alignment=None)
    row += 1
    header(row, "課", "", with_state=False)
    merge(ws, row, 1, row, 2)
    for summary in (s for s in book.summary if s.is_total):
        row += 1
        line(row, summary.department, "", summary.counts, summary.total, bold=True)
        merge(ws, row, 1, row, 2)

    if sections:
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.gapWidth = 60
        chart.title = "係別の状況"
        chart.y_axis.title = "件数"
        chart.x_axis.scaling.orientation = "maxMin"  # the first 係 on top, as in the table
        chart.y_axis.majorGridlines = None
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        data = Reference(
            sheet_ws, min_col=3, max_col=2 + len(statuses), min_row=5, max_row=last_data
        )
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet_ws, min_col=2, min_row=first_data, max_row=last_data))
        for series, status in zip(chart.series, statuses, strict=True):
            series.graphicalProperties = GraphicalProperties(solidFill=STATUS_COLORS[status])
            series.graphicalProperties.line.solidFill = STATUS_COLORS[status]
        chart.legend.position = "b"
        chart.width = 25
        chart.height = min(8 + 0.6 * len(sections), 40)
        sheet_ws.add_chart(chart, f"A{row + 2}")
        row += 2 + int(chart.height * 2)
    ws.flush()
    _print_area(sheet_ws, last, row)


def _write_table_book(book: Book, columns: list[_Column], output, *, template: str) -> Workbook:
    """The report books, in openpyxl's write-only mode: a council of 4,000 rows (or a city
    with many councils) is streamed a block at a time instead of held as cells."""
    wb = _new_workbook(write_only=True)
    used = {"概要"}
    for sheet in book.sheets:
        ws = wb.create_sheet(_sheet_title(sheet.name, used))
        _page_setup(
            ws,
            last_column=len(columns),
            last_row=None,
            title_rows="1:3",
            landscape=len(columns) > 8,
        )
        last = _ReportSheetWriter(ws, sheet, columns, book).write()
        _print_area(ws, len(columns), last)
    if not book.sheets:
        ws = _RowStream(wb.create_sheet("事業報告"))
        put(ws, 1, 1, "この年度に出力できる事業はありません。")
        ws.flush()
    _meta(
        wb,
        {
            "template": template,
            "organization": book.organization,
            "year": book.year,
            "quarter": book.quarter,
        },
    )
    return wb


# Narrow enough to print at 100% on A4 portrait (LibreOffice does not shrink a single wide
# column to the page), and a paragraph is cut into rows of at most this many lines:
# a row taller than a page cannot be printed.
SUMMARY_WIDTH = 78.0
SUMMARY_ROW_LINES = 18


def _paragraph_rows(title: str, text: str) -> list[str]:
    """``text`` cut after its sentences into pieces that fit a row; the title stays with
    the first piece, so a heading never ends a page."""
    sentences = [s + "。" for s in text.split("。") if s] if "。" in text else [text]
    if text and not text.endswith("。") and "。" in text:
        sentences[-1] = sentences[-1][:-1]
    pieces: list[str] = []
    current = title
    for sentence in sentences:
        candidate = f"{current}\n{sentence}" if current == title else current + sentence
        if current != title and _lines(candidate, SUMMARY_WIDTH) > SUMMARY_ROW_LINES:
            pieces.append(current)
            current = sentence
        else:
            current = candidate
    pieces.append(current)
    return pieces


def _written_sheet(wb: Workbook, book: ReportBook, index: int) -> None:
    """総括: per 係 its paragraph, then one per 事業 (A4 portrait). A heading and its
    paragraph share one cell, so that no heading is ever the last line of a page."""
    sheet_ws = wb.create_sheet("総括", index)
    _page_setup(sheet_ws, last_column=1, last_row=None, title_rows="1:2")
    ws = _RowStream(sheet_ws)
    _widths(ws, [SUMMARY_WIDTH])
    put(
        ws,
        1,
        1,
        f"{book.title.replace('事業報告', '事業報告　総括')}",
        font=TITLE,
        alignment=WRAP_CENTER,
    )
    ws.row_dimensions[1].height = 24
    put(ws, 2, 1, book.basis_note, font=SMALL, alignment=WRAP)
    ws.row_dimensions[2].height = _height(_lines(book.basis_note, SUMMARY_WIDTH), font_size=9)
    row = 2
    for section in book.written:
        for title, written in [(section.overall.title, section.overall)] + [
            (w.title, w) for _pk, w in section.businesses
        ]:
            font = BOLD if written is section.overall else FONT
            for piece in _paragraph_rows(title, written.printed):
                row += 1
                put(ws, row, 1, piece, alignment=WRAP, font=font)
                ws.row_dimensions[row].height = _height(
                    sum(_lines(line, SUMMARY_WIDTH) for line in piece.split("\n"))
                )
    if not book.written:
        row += 1
        put(ws, row, 1, "この年度に出力できる事業はありません。")
    ws.flush()
    _print_area(sheet_ws, 1, row)


def write_report(book: ReportBook, output: IO[bytes] | str | Path) -> None:
    """The 事業報告: a summary sheet with a chart, the 総括, then one sheet per 課."""
    wb = _write_table_book(book, REPORT_COLUMNS, output, template="report")
    _summary_sheet(wb, book)
    _written_sheet(wb, book, index=1)
    wb.active = 0
    save(wb, output)


def write_city_report(book: Book, output: IO[bytes] | str | Path) -> None:
    """The 市への報告: the commissioned businesses of one body, target against 実績."""
    wb = _write_table_book(book, CITY_COLUMNS, output, template="city")
    save(wb, output)


# ---------------------------------------------------------------------------------------
# 理事会資料: a cover, the summary with its chart, the shortfalls, then the 事業報告.
# One workbook, printed as one PDF (books/pdf.py), numbered 「1 / N」 throughout.
# ---------------------------------------------------------------------------------------

COVER_WIDTHS = [6.0, 22.0, 30.0, 24.0, 6.0]
COVER_TITLE = Font(name=FONT_NAME, size=20, bold=True)
COVER_LINE = Font(name=FONT_NAME, size=12)
APPROVED_FONT = Font(name=FONT_NAME, size=BODY_SIZE, bold=True, color="2E7D32")

SHORTFALL_COLUMNS = [
    _Column("課", 10, "department"),
    _Column("係", 14, "section"),
    _Column("項　目", 16, "group"),
    _Column("内　容", 34, "content"),
    _Column("目標値", 15, "target"),
    _Column("累計実績", 14, "actual"),
    _Column("達成率", 8, "rate"),
    _Column("状況", 8, "status"),
    _Column("理由・今後の対応", 40, "reason"),
]


def _cover_sheet(wb: Workbook, packet: BoardPacket) -> None:
    sheet_ws = wb.create_sheet("表紙", 0)
    last = len(COVER_WIDTHS)
    _page_setup(sheet_ws, last_column=last, last_row=None, title_rows="1:1")
    sheet_ws.print_title_rows = None
    sheet_ws.page_setup.fitToHeight = 1  # the cover is one page
    ws = _RowStream(sheet_ws)
    _widths(ws, COVER_WIDTHS)
    row = 0

    def line(text: str, font: Font, height: float, align: Alignment = WRAP_CENTER) -> None:
        nonlocal row
        row += 1
        put(ws, row, 2, text, font=font, alignment=align)
        merge(ws, row, 2, row, last - 1)
        ws.row_dimensions[row].height = height

    line("", FONT, 120)
    line(packet.title, COVER_TITLE, 40)
    line(f"（{_quarter_note(packet.report.quarter)}）", COVER_LINE, 24)
    line("", FONT, 60)
    line(packet.organization, COVER_LINE, 24)
    line(packet.made_on, COVER_LINE, 24)
    line("", FONT, 40)
    line("目　次", HEADING, 20, WRAP)
    for text in (
        "１．概要（状況別の件数とグラフ）",
        "２．遅れ・未着手の事業と理由",
        "３．事業報告（課ごとの実績）",
    ):
        line(text, COVER_LINE, 20, WRAP)
    line("", FONT, 20)
    line(
        f"実績を承認済みの係　{packet.approved_count} / {len(packet.sections)}",
        HEADING,
        22,
        WRAP,
    )
    row += 1
    for col, text in ((2, "課"), (3, "係"), (4, "今期の実績")):
        put(ws, row, col, text, font=BOLD, alignment=WRAP_CENTER, border=GRID, fill=HEADER_FILL)
    ws.row_dimensions[row].height = 18
    for approval in packet.sections:
        row += 1
        put(ws, row, 2, approval.department, border=GRID)
        put(ws, row, 3, approval.section, border=GRID)
        put(ws, row, 4, approval.state, border=GRID, alignment=CENTER,
            font=APPROVED_FONT if approval.approved else FONT)  # fmt: skip
        ws.row_dimensions[row].height = 16
    ws.flush()
    _print_area(sheet_ws, last, row)


def _shortfall_sheet(wb: Workbook, packet: BoardPacket, index: int) -> None:
    sheet_ws = wb.create_sheet("遅れ・未着手", index)
    columns = SHORTFALL_COLUMNS
    last = len(columns)
    _page_setup(sheet_ws, last_column=last, last_row=None, title_rows="1:3", landscape=True)
    ws = _RowStream(sheet_ws)
    _widths(ws, [c.width for c in columns])
    quarter = packet.report.quarter
    put(ws, 1, 1, f"遅れ・未着手の事業と理由（{quarter_heading(quarter)}）", font=TITLE,
        alignment=WRAP_CENTER)  # fmt: skip
    merge(ws, 1, 1, 1, last)
    ws.row_dimensions[1].height = 24
    put(ws, 2, 1, f"{packet.organization}　{len(packet.shortfalls)}件", font=SMALL)
    merge(ws, 2, 1, 2, last)
    ws.row_dimensions[2].height = 16
    for col, column in enumerate(columns, start=1):
        header = "累計実績" if column.kind == "actual" and quarter != 4 else column.header
        header = "年間実績" if column.kind == "actual" and quarter == 4 else header
        put(ws, 3, col, header, font=BOLD, alignment=WRAP_CENTER, border=GRID, fill=HEADER_FILL)
    ws.row_dimensions[3].height = 28
    row = 3
    if not packet.shortfalls:
        row += 1
        put(ws, row, 1, "遅れ・未着手の事業はありません。")
        merge(ws, row, 1, row, last)
    for shortfall in packet.shortfalls:
        row += 1
        lines = 1
        for col, column in enumerate(columns, start=1):
            if column.kind in ("department", "section"):
                value = shortfall.department if column.kind == "department" else shortfall.section
                align, fmt, font = WRAP, None, FONT
            else:
                value, align, fmt, font = _report_value(shortfall.row, column.kind)
            put(ws, row, col, value, border=GRID, alignment=align, number_format=fmt, font=font)
            if isinstance(value, str):
                lines = max(lines, _lines(value, column.width))
        ws.row_dimensions[row].height = _height(lines)
    ws.flush()
    _print_area(sheet_ws, last, row)


def write_board_packet(packet: BoardPacket, output: IO[bytes] | str | Path) -> None:
    """The 理事会 packet as one workbook: 表紙, 概要, 遅れ・未着手, then one sheet per 課."""
    wb = _write_table_book(packet.report, REPORT_COLUMNS, output, template="board_packet")
    _cover_sheet(wb, packet)
    _summary_sheet(wb, packet.report, index=1)
    _shortfall_sheet(wb, packet, index=2)
    _written_sheet(wb, packet.report, index=3)
    wb.active = 0
    save(wb, output)


# ---------------------------------------------------------------------------------------
# 実績入力用ブック (offline entry): written here, read back by books.imports
# ---------------------------------------------------------------------------------------

ENTRY_HEADER_ROW = 4
ENTRY_SHEET = "実績入力"
DONE_CHOICES = ("実施", "未実施")
# 中止 as the workbook writes it, by Result.CancelScope (the entry page's labels).
CANCEL_CHOICES = {"quarter": "今期の回を中止", "year": "事業を年度中止"}


@dataclass(frozen=True)
class EntryColumn:
    field: str  # value, extra1.., done, cancelled, cancel_reason, note, reason (inputs)
    header: str
    width: float
    is_input: bool


def entry_columns(book: EntryBook) -> list[EntryColumn]:
    quarter = f"第{book.quarter}四半期"
    columns = [
        EntryColumn("group", "項　目", 14, False),
        EntryColumn("content", "内　容", 32, False),
        EntryColumn("target", "目標値", 14, False),
        EntryColumn(
            "before",
            f"第{book.quarter - 1}四半期までの累計" if book.quarter > 1 else "前期までの累計",
            11,
            False,
        ),
        EntryColumn("value", f"{quarter}の実績（数値）", 11, True),
    ]
    for index in range(book.extra_columns):
        columns.append(
            EntryColumn(
                f"extra{index + 1}", f"{quarter}の実績（その他の数値{index + 1}）", 11, True
            )
        )
    columns += [
        EntryColumn("done", "実施・未実施", 10, True),
        EntryColumn("cancelled", "中止", 14, True),
        EntryColumn("cancel_reason", "中止の理由", 20, True),
        EntryColumn("note", "実施内容", 26, True),
        EntryColumn("reason", "理由・今後の対応（遅れ・未着手のとき）", 28, True),
        EntryColumn("key", "照合番号", 10, False),
    ]
    return columns


def _entry_input_allowed(row: EntryRow, field_name: str, extra_count: int) -> bool:
    if field_name == "value":
        return row.takes_number
    if field_name.startswith("extra"):
        return int(field_name[5:]) <= len(row.extra_units)
    if field_name == "done":
        return row.takes_done
    return True


def _entry_value(row: EntryRow, field_name: str):
    if field_name == "group":
        return row.group
    if field_name == "content":
        return "\n".join(t for t in (row.name, row.detail) if t)
    if field_name == "target":
        return row.target_text or "―"
    if field_name == "before":
        return row.before
    if field_name == "value":
        return row.value
    if field_name.startswith("extra"):
        index = int(field_name[5:]) - 1
        return row.extra_values[index] if index < len(row.extra_values) else None
    if field_name == "done":
        return {True: "実施", False: "未実施"}.get(row.done)
    if field_name == "cancelled":
        return CANCEL_CHOICES.get(row.cancel_scope)
    if field_name == "key":
        return row.key
    return getattr(row, field_name)


def write_entry(book: EntryBook, output: IO[bytes] | str | Path) -> None:
    """The offline 実績 entry workbook of one 係 and quarter.

    Yellow cells are inputs; the rest is locked (sheet protection without a password, so
    the layout survives but nobody is locked out). Numbers are validated as numbers
    ≥ 0, 実施・未実施 and 中止 are drop-downs.
    """
    wb = _new_workbook()
    ws = wb.create_sheet(ENTRY_SHEET)
    columns = entry_columns(book)
    last = len(columns) - 1  # the key column is hidden
    _widths(ws, [c.width for c in columns])
    put(ws, 1, 1, book.title, font=TITLE, alignment=WRAP_CENTER)
    merge(ws, 1, 1, 1, last)
    ws.row_dimensions[1].height = 24
    note = (
        "黄色のセルに入力してください。実績は今期（この四半期）の数だけを入力します（累計ではありません）。"
        "実績が遅れ・未着手になる行は「理由・今後の対応」を、中止の行は「中止の理由」を必ず入力してください。"
        "入力後、shakyo の「帳票」画面から取り込みます。"
    )
    put(ws, 2, 1, note, font=SMALL)
    merge(ws, 2, 1, 2, last)
    ws.row_dimensions[2].height = 30
    put(
        ws,
        3,
        1,
        f"{book.organization}　{book.department}　{book.section}　（状態: {book.state}）",
        font=SMALL,
    )
    merge(ws, 3, 1, 3, last)
    for col, column in enumerate(columns, start=1):
        put(ws, ENTRY_HEADER_ROW, col, column.header, font=BOLD, alignment=WRAP_CENTER,
            border=GRID, fill=HEADER_FILL)  # fmt: skip
    ws.row_dimensions[ENTRY_HEADER_ROW].height = 42
    first_row = ENTRY_HEADER_ROW + 1
    number_cells: list[str] = []
    done_cells: list[str] = []
    cancel_cells: list[str] = []
    for index, row in enumerate(book.rows):
        number = first_row + index
        lines = 1
        for col, column in enumerate(columns, start=1):
            value = _entry_value(row, column.field)
            allowed = column.is_input and _entry_input_allowed(
                row, column.field, book.extra_columns
            )
            fmt = None
            if isinstance(value, Decimal):
                unit = row.unit if column.field in ("before", "value") else ""
                fmt = _number_format(value, unit)
            cell = put(ws, number, col, value, border=GRID, number_format=fmt,
                       fill=INPUT_FILL if allowed else (LOCKED_FILL if column.is_input else None),
                       alignment=RIGHT if isinstance(value, Decimal) else WRAP)  # fmt: skip
            cell.protection = Protection(locked=not allowed)
            letter = get_column_letter(col)
            if allowed and (column.field == "value" or column.field.startswith("extra")):
                number_cells.append(f"{letter}{number}")
            elif allowed and column.field == "done":
                done_cells.append(f"{letter}{number}")
            elif allowed and column.field == "cancelled":
                cancel_cells.append(f"{letter}{number}")
            if isinstance(value, str) and column.field != "key":
                lines = max(lines, _lines(value, column.width))
        ws.row_dimensions[number].height = _height(min(lines, 12))
    _validations(ws, number_cells, done_cells, cancel_cells)
    ws.column_dimensions[get_column_letter(len(columns))].hidden = True
    ws.freeze_panes = ws.cell(row=first_row, column=4)
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    _page_setup(
        ws,
        last_column=last,
        last_row=first_row + len(book.rows) - 1,
        title_rows=f"{ENTRY_HEADER_ROW}:{ENTRY_HEADER_ROW}",
        landscape=True,
    )
    _meta(
        wb,
        {
            "template": "results",
            "organization": book.organization,
            "year": book.year,
            "quarter": book.quarter,
            "section_id": book.section_id,
            "section": book.section,
            "entry_version": book.version,
            "columns": [c.field for c in columns],
            "header_row": ENTRY_HEADER_ROW,
        },
    )
    save(wb, output)


def _validations(ws: Worksheet, numbers: list[str], done: list[str], cancel: list[str]) -> None:
    _validate(
        ws,
        numbers,
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        errorTitle="数値を入力してください",
        error="実績は 0 以上の数値で入力してください（単位は付けません）。",
        promptTitle="実績",
        prompt="今期の数だけを数値で入力します。",
        showInputMessage=True,
    )
    _validate(
        ws,
        done,
        type="list",
        formula1=f'"{",".join(DONE_CHOICES)}"',
        errorTitle="選択してください",
        error="「実施」または「未実施」を選んでください。",
    )
    _validate(
        ws,
        cancel,
        type="list",
        formula1=f'"{",".join(CANCEL_CHOICES.values())}"',
        errorTitle="選択してください",
        error="中止のときだけ「今期の回を中止」か「事業を年度中止」を選んでください。",
    )


def _validate(ws: Worksheet, coordinates: list[str], **rule: Any) -> None:
    """One data validation (blank allowed, an error shown) over ``coordinates``."""
    if not coordinates:
        return
    dv = DataValidation(allow_blank=True, showErrorMessage=True, **rule)
    for coordinate in coordinates:
        dv.add(coordinate)
    ws.add_data_validation(dv)


# ---------------------------------------------------------------------------------------
# Reading uploaded workbooks into plain values (books.imports judges them)
# ---------------------------------------------------------------------------------------


class WorkbookUnreadable(Exception):
    """openpyxl could not read the file although it passed books.safety."""


@dataclass(frozen=True)
class CellValue:
    column: str  # letter
    value: Any  # str, int, float, bool, datetime/date/time or None
    formula: bool = False

    @property
    def is_date(self) -> bool:
        return isinstance(self.value, (datetime, date, time))


@dataclass
class SheetRow:
    number: int
    cells: dict[int, CellValue] = field(default_factory=dict)

    def get(self, column: int) -> CellValue:
        return self.cells.get(column) or CellValue(get_column_letter(column), None)


@dataclass
class SheetData:
    title: str
    rows: list[SheetRow]


@dataclass
class WorkbookData:
    meta: dict[str, Any] | None
    sheets: list[SheetData]


def _is_formula(cell: Cell) -> bool:
    return cell.data_type == "f" or isinstance(cell.value, (ArrayFormula, DataTableFormula))


def read_workbook(path: str | Path, *, max_cells: int = 500_000) -> WorkbookData:
    """Every sheet's cell values (merged cells repeat their value), and the meta sheet.

    Call it only on a file that passed ``books.safety.check_upload``, which bounds the
    rows, columns, cells and text before openpyxl reads a byte. Read in openpyxl's
    read-only (streaming) mode: its normal mode spends most of its time re-applying
    borders to merged cells, which an import does not need. The declared dimension is
    ignored (it may be false, in either direction): rows are as long as their last
    cell and a gap of missing rows costs one step per row, never a row of empty cells.
    At most ``max_cells`` cells with a value, merged areas counted in full, are kept.
    Merged ranges are read from the sheet's XML (with defusedxml). Formulas are kept as
    formulas (``data_only=False``) so that the import can refuse them; VBA and external
    links are not loaded. Raises WorkbookUnreadable.
    """
    try:
        wb = load_workbook(path, read_only=True, data_only=False, keep_vba=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise WorkbookUnreadable(str(error)) from error
    try:
        return _read(wb, max_cells)
    except WorkbookUnreadable:
        raise
    except Exception as error:
        raise WorkbookUnreadable(str(error)) from error
    finally:
        wb.close()


def _read(wb: Workbook, max_cells: int) -> WorkbookData:
    meta = None
    sheets: list[SheetData] = []
    cells_seen = 0
    for ws in wb.worksheets:
        if ws.title == META_SHEET:
            meta = _read_meta(ws)
            continue
        rows: dict[int, SheetRow] = {}
        ws.reset_dimensions()
        for number, row_cells in enumerate(ws.iter_rows(), start=1):
            sheet_row = SheetRow(number=number)
            for cell in row_cells:
                if cell.value is None or not hasattr(cell, "column"):
                    continue
                cells_seen += 1
                if cells_seen > max_cells:
                    raise WorkbookUnreadable("too many cells")
                sheet_row.cells[cell.column] = CellValue(
                    get_column_letter(cell.column), cell.value, _is_formula(cell)
                )
            if sheet_row.cells:
                rows[number] = sheet_row
        for min_row, min_col, max_row, max_col in _merged_ranges(wb, ws):
            origin = rows.get(min_row, SheetRow(min_row)).cells.get(min_col)
            if origin is None:
                continue
            cells_seen += (max_row - min_row + 1) * (max_col - min_col + 1)
            if cells_seen > max_cells:
                raise WorkbookUnreadable("too many cells")
            for number in range(min_row, max_row + 1):
                target = rows.setdefault(number, SheetRow(number))
                for col in range(min_col, max_col + 1):
                    target.cells.setdefault(
                        col, CellValue(get_column_letter(col), origin.value, origin.formula)
                    )
        sheets.append(SheetData(title=ws.title, rows=[rows[n] for n in sorted(rows)]))
    return WorkbookData(meta=meta, sheets=sheets)


_MERGE_CELL = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}mergeCell"


def _merged_ranges(wb: Workbook, ws) -> Iterator[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of each merged range of a read-only sheet."""
    with wb._archive.open(ws._worksheet_path) as source:
        for _event, element in safe_iterparse(source):
            if element.tag == _MERGE_CELL:
                ref = element.get("ref", "")
                if ref:
                    min_col, min_row, max_col, max_row = range_boundaries(ref)
                    yield min_row, min_col, max_row, max_col
            element.clear()


def _read_meta(ws: Worksheet) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for key, value in ws.iter_rows(min_row=2, max_col=2, values_only=True):
        if not isinstance(key, str):
            continue
        if isinstance(value, str):
            try:
                meta[key] = json.loads(value)
            except ValueError:
                meta[key] = value
        else:
            meta[key] = value
    return meta


def column_letter(index: int) -> str:
    return get_column_letter(index)


def iter_cells(sheet: SheetData) -> Iterator[tuple[SheetRow, CellValue]]:
    for row in sheet.rows:
        for cell in row.cells.values():
            yield row, cell


# ---------------------------------------------------------------------------------------
# 協働事業 (collab/): reading an inventory sheet, writing the ふりかえりシート.

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_REVIEW_THIN = Side(style="thin", color="808080")
_REVIEW_BOX = Border(left=_REVIEW_THIN, right=_REVIEW_THIN, top=_REVIEW_THIN, bottom=_REVIEW_THIN)
_REVIEW_HEADING = PatternFill("solid", fgColor="DDEBF7")
_REVIEW_WRAP = Alignment(wrap_text=True, vertical="top")
_REVIEW_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_REVIEW_FONT = "游ゴシック"


def read_sheet_rows(data: bytes, *, max_cells: int = 500_000) -> tuple[list[list[object]], str]:
    """The cell values of the first sheet of a workbook, row by row, and an error ("" if none).

    Call it only on a file that passed ``books.safety.check_upload``. As in
    :func:`read_workbook`, the declared dimension is ignored (a row is as long as its
    last cell) and at most ``max_cells`` cells are read. Merged cells give their value on
    the first cell only; the parser reads the blanks below as "same as above".
    """
    unreadable = "Excel ファイルを開けません。.xlsx 形式で保存したファイルを指定してください"
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return [], unreadable
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows: list[list[object]] = []
        cells = 0
        for row in sheet.iter_rows(values_only=True):
            cells += len(row) + 1
            if cells > max_cells:
                return (
                    [],
                    f"セルが多すぎます（上限 {max_cells:,}）。表の部分だけのファイルにしてください",
                )
            rows.append(list(row))
        return rows, ""
    except Exception:  # openpyxl raises many kinds for a damaged sheet
        return [], unreadable
    finally:
        workbook.close()


def _review_put(sheet: Worksheet, ref: str, value: object, **style: object) -> None:
    cell = sheet[ref]
    cell.value = value
    # User text never becomes a formula (the same rule as ``put``).
    if isinstance(value, str) and value and needs_quote_prefix(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)


def _review_box(sheet: Worksheet, cells: str) -> None:
    for row in sheet[cells]:
        for cell in row:
            cell.border = _REVIEW_BOX


def _review_labelled(sheet: Worksheet, row: int, label: str, value: str, *, height: float) -> None:
    _review_put(
        sheet,
        f"A{row}",
        label,
        fill=_REVIEW_HEADING,
        alignment=_REVIEW_CENTER,
        font=Font(name=_REVIEW_FONT, bold=True),
    )
    sheet.merge_cells(f"B{row}:G{row}")
    _review_put(sheet, f"B{row}", value, alignment=_REVIEW_WRAP, font=Font(name=_REVIEW_FONT))
    _review_box(sheet, f"A{row}:G{row}")
    sheet.row_dimensions[row].height = height


def review_workbook(review: Review, history: Sequence[Review] = ()) -> bytes:
    """The ふりかえりシート of one review on one A4 page, with the radar chart.

    ``history`` holds the reviews of other years of the same project; their scores stand
    in extra columns and are drawn as extra series of the radar chart.
    """
    from collab.models import PERSPECTIVES

    project: CollaborationProject = review.project
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ふりかえりシート"
    widths = {"A": 20, "B": 14, "C": 14, "D": 14, "E": 14, "F": 14, "G": 9}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width

    sheet.merge_cells("A1:E1")
    _review_put(sheet, "A1", "ふりかえりシート", font=Font(name=_REVIEW_FONT, size=16, bold=True))
    sheet.merge_cells("F1:G1")
    _review_put(
        sheet,
        "F1",
        f"{review.year_label}　{project.organization.name}",
        alignment=Alignment(horizontal="right"),
        font=Font(name=_REVIEW_FONT),
    )
    sheet.row_dimensions[1].height = 28
    department = "　".join(part for part in (project.department, project.section) if part)
    _review_labelled(sheet, 3, "団体名", review.partner_name, height=20)
    _review_labelled(sheet, 4, "事業名", project.name, height=20)
    _review_labelled(sheet, 5, "担当課", department, height=20)
    _review_labelled(sheet, 6, "事業目的", review.purpose, height=45)
    _review_labelled(sheet, 7, "事業の実施により想定した効果", review.expected_effect, height=45)
    _review_labelled(sheet, 8, "事業概要", project.summary, height=60)

    # The perspectives, their questions and the scores: the chart reads columns A and G.
    header = 10
    _review_put(
        sheet,
        f"A{header}",
        "ふりかえりの視点（５段階評価）",
        fill=_REVIEW_HEADING,
        alignment=_REVIEW_CENTER,
    )
    sheet.merge_cells(f"B{header}:F{header}")
    _review_put(sheet, f"B{header}", "問い", fill=_REVIEW_HEADING, alignment=_REVIEW_CENTER)
    _review_put(
        sheet, f"G{header}", review.year_label, fill=_REVIEW_HEADING, alignment=_REVIEW_CENTER
    )
    sheet.row_dimensions[header].height = 30
    older = sorted((r for r in history if r.year != review.year), key=lambda r: r.year)
    for offset, past in enumerate(older):
        column = chr(ord("I") + offset)
        sheet.column_dimensions[column].width = 11
        _review_put(sheet, f"{column}{header}", past.year_label, alignment=_REVIEW_CENTER)
    if older:
        _review_put(
            sheet, f"I{header - 1}", "過去のふりかえり", font=Font(name=_REVIEW_FONT, bold=True)
        )
    for index, (name, heading, question) in enumerate(PERSPECTIVES):
        row = header + 1 + index
        _review_put(
            sheet,
            f"A{row}",
            heading,
            alignment=_REVIEW_WRAP,
            font=Font(name=_REVIEW_FONT, bold=True),
        )
        sheet.merge_cells(f"B{row}:F{row}")
        _review_put(
            sheet, f"B{row}", question, alignment=_REVIEW_WRAP, font=Font(name=_REVIEW_FONT, size=9)
        )
        _review_put(
            sheet,
            f"G{row}",
            getattr(review, name),
            alignment=_REVIEW_CENTER,
            font=Font(name=_REVIEW_FONT, bold=True, size=12),
        )
        for offset, past in enumerate(older):
            column = chr(ord("I") + offset)
            _review_put(sheet, f"{column}{row}", getattr(past, name), alignment=_REVIEW_CENTER)
        sheet.row_dimensions[row].height = 30
    last = header + len(PERSPECTIVES)
    _review_box(sheet, f"A{header}:G{last}")

    chart = RadarChart()
    chart.type = "marker"
    chart.style = 26
    chart.title = "ふりかえりの視点"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 5
    chart.y_axis.majorUnit = 1
    chart.y_axis.delete = False
    categories = Reference(sheet, min_col=1, min_row=header + 1, max_row=last)
    chart.add_data(Reference(sheet, min_col=7, min_row=header, max_row=last), titles_from_data=True)
    for offset in range(len(older)):
        column = 9 + offset
        chart.add_data(
            Reference(sheet, min_col=column, min_row=header, max_row=last), titles_from_data=True
        )
    chart.set_categories(categories)
    chart.height = 9
    chart.width = 15
    chart_row = last + 2
    sheet.add_chart(chart, f"A{chart_row}")

    texts = last + 2 + 19  # below the chart (about 18 rows high)
    _review_labelled(sheet, texts, "事業の結果", review.result, height=60)
    _review_labelled(
        sheet,
        texts + 1,
        "★団体のコメント（今後に向けての課題・改善策・要望など）",
        review.partner_comment,
        height=60,
    )
    _review_labelled(sheet, texts + 2, "★市のコメント", review.city_comment, height=60)
    _review_labelled(sheet, texts + 3, "今後の展望", review.outlook, height=60)

    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_area = f"A1:G{texts + 3}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
