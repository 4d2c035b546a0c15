"""The openpyxl code of the 協働事業 app: reading an inventory sheet, writing the ふりかえりシート.

Kept in one module so that it can join the shared Excel module later.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.chart import RadarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from .models import PERSPECTIVES, CollaborationProject, Review

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADING_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_FONT = "游ゴシック"


def read_sheet_rows(data: bytes) -> tuple[list[list[object]], str]:
    """The cell values of the first sheet of a workbook, row by row, and an error ("" if none).

    Merged cells give their value on the first cell only; the parser reads the blanks
    below as "same as above".
    """
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return [], "Excel ファイルを開けません。.xlsx 形式で保存したファイルを指定してください"
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)], ""
    finally:
        workbook.close()


def _put(sheet: Worksheet, ref: str, value: object, **style: object) -> None:
    cell = sheet[ref]
    cell.value = value
    # User text never becomes a formula: a leading 「=」 stays text.
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)


def _box(sheet: Worksheet, cells: str) -> None:
    for row in sheet[cells]:
        for cell in row:
            cell.border = _BOX


def _labelled(sheet: Worksheet, row: int, label: str, value: str, *, height: float) -> None:
    _put(
        sheet,
        f"A{row}",
        label,
        fill=_HEADING_FILL,
        alignment=_CENTER,
        font=Font(name=_FONT, bold=True),
    )
    sheet.merge_cells(f"B{row}:G{row}")
    _put(sheet, f"B{row}", value, alignment=_WRAP, font=Font(name=_FONT))
    _box(sheet, f"A{row}:G{row}")
    sheet.row_dimensions[row].height = height


def review_workbook(review: Review, history: Sequence[Review] = ()) -> bytes:
    """The ふりかえりシート of one review on one A4 page, with the radar chart.

    ``history`` holds the reviews of other years of the same project; their scores stand
    in extra columns and are drawn as extra series of the radar chart.
    """
    project: CollaborationProject = review.project
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ふりかえりシート"
    widths = {"A": 20, "B": 14, "C": 14, "D": 14, "E": 14, "F": 14, "G": 9}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width

    sheet.merge_cells("A1:E1")
    _put(sheet, "A1", "ふりかえりシート", font=Font(name=_FONT, size=16, bold=True))
    sheet.merge_cells("F1:G1")
    _put(
        sheet,
        "F1",
        f"{review.year_label}　{project.organization.name}",
        alignment=Alignment(horizontal="right"),
        font=Font(name=_FONT),
    )
    sheet.row_dimensions[1].height = 28
    department = "　".join(part for part in (project.department, project.section) if part)
    _labelled(sheet, 3, "団体名", review.partner_name, height=20)
    _labelled(sheet, 4, "事業名", project.name, height=20)
    _labelled(sheet, 5, "担当課", department, height=20)
    _labelled(sheet, 6, "事業目的", review.purpose, height=45)
    _labelled(sheet, 7, "事業の実施により想定した効果", review.expected_effect, height=45)
    _labelled(sheet, 8, "事業概要", project.summary, height=60)

    # The perspectives, their questions and the scores: the chart reads columns A and G.
    header = 10
    _put(
        sheet, f"A{header}", "ふりかえりの視点（５段階評価）", fill=_HEADING_FILL, alignment=_CENTER
    )
    sheet.merge_cells(f"B{header}:F{header}")
    _put(sheet, f"B{header}", "問い", fill=_HEADING_FILL, alignment=_CENTER)
    _put(sheet, f"G{header}", review.year_label, fill=_HEADING_FILL, alignment=_CENTER)
    sheet.row_dimensions[header].height = 30
    older = sorted((r for r in history if r.year != review.year), key=lambda r: r.year)
    for offset, past in enumerate(older):
        column = chr(ord("I") + offset)
        sheet.column_dimensions[column].width = 11
        _put(sheet, f"{column}{header}", past.year_label, alignment=_CENTER)
    if older:
        _put(sheet, f"I{header - 1}", "過去のふりかえり", font=Font(name=_FONT, bold=True))
    for index, (name, heading, question) in enumerate(PERSPECTIVES):
        row = header + 1 + index
        _put(sheet, f"A{row}", heading, alignment=_WRAP, font=Font(name=_FONT, bold=True))
        sheet.merge_cells(f"B{row}:F{row}")
        _put(sheet, f"B{row}", question, alignment=_WRAP, font=Font(name=_FONT, size=9))
        _put(
            sheet,
            f"G{row}",
            getattr(review, name),
            alignment=_CENTER,
            font=Font(name=_FONT, bold=True, size=12),
        )
        for offset, past in enumerate(older):
            column = chr(ord("I") + offset)
            _put(sheet, f"{column}{row}", getattr(past, name), alignment=_CENTER)
        sheet.row_dimensions[row].height = 30
    last = header + len(PERSPECTIVES)
    _box(sheet, f"A{header}:G{last}")

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
    _labelled(sheet, texts, "事業の結果", review.result, height=60)
    _labelled(
        sheet,
        texts + 1,
        "★団体のコメント（今後に向けての課題・改善策・要望など）",
        review.partner_comment,
        height=60,
    )
    _labelled(sheet, texts + 2, "★市のコメント", review.city_comment, height=60)
    _labelled(sheet, texts + 3, "今後の展望", review.outlook, height=60)

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
