"""The 事業報告 and the 市への報告: 実績, status, shortfalls, 中止, summary and chart."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from books import reports, xlsx
from books.services import city_export, report_export
from plans.access import visible_businesses
from plans.models import Business, PlanItem
from results.models import QuarterWindow, Result, SectionQuarter
from results.status import Status

from .conftest import make_business


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def entered(world):
    """Q1 of section A: one row not started (with a reason), one cancelled, one done."""
    behind, cancelled, qualitative = PlanItem.objects.filter(
        initiative__business=world.business_a
    ).order_by("order")
    Result.objects.create(item=behind, quarter=1, value=0, reason="会場が使えませんでした。")
    Result.objects.create(
        item=cancelled,
        quarter=1,
        cancelled=True,
        cancel_scope="year",
        cancel_reason="新型コロナウイルス感染症拡大防止のため",
    )
    Result.objects.create(
        item=qualitative, quarter=1, done=True, note="ホームページで周知しました。"
    )
    Result.objects.create(item=qualitative, quarter=2, done=True, note="=SUM(1) と入力された")
    for quarter in (1, 2):
        SectionQuarter.objects.create(
            fiscal_year=world.business_a.fiscal_year,
            section=world.section_a,
            quarter=quarter,
            state=SectionQuarter.State.APPROVED,
        )
    return behind, cancelled, qualitative


def export_report(world, path, quarter=2, user=None):
    scope = (
        visible_businesses(user)
        if user
        else Business.objects.filter(fiscal_year__organization=world.organization)
    )
    report_export(businesses=scope, year=2020, quarter=quarter, output=path)
    return load_workbook(path)


def row_of(ws, text: str, column: int = 2) -> int:
    for cells in ws.iter_rows(min_col=column, max_col=column):
        value = cells[0].value
        if isinstance(value, str) and value.startswith(text):
            return cells[0].row
    raise AssertionError(text)


def header(ws) -> dict[str, int]:
    return {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(3, c).value}


def test_report_rows_show_quarters_total_rate_status_and_reasons(world, entered, tmp_path):
    behind, _cancelled, _qualitative = entered
    ws = export_report(world, tmp_path / "r.xlsx")["福祉活動推進課"]
    assert ws["A1"].value == "令和２年度　福祉活動推進課　事業報告"
    columns = header(ws)
    assert list(columns) == [
        "項　目",
        "内　容",
        "目標値",
        "第1四半期",
        "第2四半期",
        "第3四半期",
        "第4四半期",
        "累計実績",  # not the whole year yet
        "達成率",
        "状況",
        "理由・今後の対応",
    ]
    row = row_of(ws, behind.name)
    assert ws.cell(row, columns["目標値"]).value == "7回予定"
    assert ws.cell(row, columns["第1四半期"]).value == 0
    assert ws.cell(row, columns["第1四半期"]).number_format == '#,##0"回"'
    assert ws.cell(row, columns["状況"]).value == "未着手"
    assert ws.cell(row, columns["理由・今後の対応"]).value == "会場が使えませんでした。"
    assert ws.cell(row, columns["達成率"]).value == 0


def test_shortfall_rows_are_highlighted(world, entered, tmp_path):
    behind, _cancelled, qualitative = entered
    ws = export_report(world, tmp_path / "r.xlsx")["福祉活動推進課"]
    columns = header(ws)
    row = row_of(ws, behind.name)
    for column in (1, 2, columns["状況"], columns["理由・今後の対応"]):
        assert ws.cell(row, column).fill.fgColor.rgb.endswith(xlsx.SHORTFALL_FILL.fgColor.rgb[-6:])
    assert ws.cell(row, columns["状況"]).font.color.rgb.endswith("C00000")
    fine = row_of(ws, qualitative.name)
    assert ws.cell(fine, 1).fill.fill_type is None


def test_cancelled_rows_are_marked_with_their_reason(world, entered, tmp_path):
    _behind, cancelled, _qualitative = entered
    ws = export_report(world, tmp_path / "r.xlsx")["福祉活動推進課"]
    columns = header(ws)
    row = row_of(ws, cancelled.name)
    assert ws.cell(row, columns["状況"]).value == "中止"
    assert ws.cell(row, columns["第1四半期"]).value == "中止"
    assert ws.cell(row, columns["理由・今後の対応"]).value == (
        "事業を年度中止：新型コロナウイルス感染症拡大防止のため"
    )
    assert ws.cell(row, 2).fill.fgColor.rgb.endswith(xlsx.CANCELLED_FILL.fgColor.rgb[-6:])


def test_qualitative_rows_show_their_text(world, entered, tmp_path):
    _behind, _cancelled, qualitative = entered
    ws = export_report(world, tmp_path / "r.xlsx")["福祉活動推進課"]
    columns = header(ws)
    row = row_of(ws, qualitative.name)
    assert ws.cell(row, columns["第1四半期"]).value == "実施"
    assert ws.cell(row, columns["状況"]).value == "実施"
    text = ws.cell(row, columns["累計実績"])
    assert text.value == (
        "（第1四半期）ホームページで周知しました。\n（第2四半期）=SUM(1) と入力された"
    )
    assert text.data_type == "s"


def test_a_report_for_an_earlier_quarter_leaves_later_quarters_out(world, entered, tmp_path):
    _behind, _cancelled, qualitative = entered
    wb = export_report(world, tmp_path / "r.xlsx", quarter=1)
    assert wb["概要"]["A1"].value == "令和２年度　事業報告（第1四半期（4〜6月）まで）"
    ws = wb["福祉活動推進課"]
    columns = header(ws)
    row = row_of(ws, qualitative.name)
    assert ws.cell(row, columns["第2四半期"]).value is None
    assert "=SUM(1)" not in (ws.cell(row, columns["累計実績"]).value or "")


def test_year_end_report_says_annual_result(world, entered, tmp_path):
    ws = export_report(world, tmp_path / "r.xlsx", quarter=4)["福祉活動推進課"]
    assert "年間実績" in header(ws)


def test_summary_sheet_counts_statuses_per_section_with_an_editable_chart(world, entered, tmp_path):
    wb = export_report(world, tmp_path / "r.xlsx")
    assert wb.sheetnames[0] == "概要"
    ws = wb["概要"]
    statuses = [s.value for s in Status]
    assert [ws.cell(5, c).value for c in range(1, 3 + len(statuses) + 1)] == [
        "課",
        "係",
        *statuses,
        "計",
    ]
    lines = {
        (ws.cell(r, 1).value, ws.cell(r, 2).value): r
        for r in range(6, ws.max_row + 1)
        if ws.cell(r, 1).value
    }
    row = lines[("福祉活動推進課", "A係")]
    counts = {statuses[i]: ws.cell(row, 3 + i).value for i in range(len(statuses))}
    assert counts["未着手"] == 1
    assert counts["中止"] == 1
    assert counts["実施"] == 1
    assert ws.cell(row, 3 + len(statuses)).value == 3
    total = next(r for (first, _), r in lines.items() if first == "合計")
    assert (
        ws.cell(total, 3 + len(statuses)).value
        == PlanItem.objects.filter(
            initiative__business__fiscal_year__organization=world.organization
        ).count()
    )
    # The chart is an openpyxl chart (editable in Excel), one series per status.
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert chart.type == "bar"
    assert chart.grouping == "stacked"
    assert len(chart.series) == len(Status)
    assert ws.page_setup.orientation == "landscape"


def test_report_sheets_print_landscape_with_the_header_on_every_page(world, entered, tmp_path):
    ws = export_report(world, tmp_path / "r.xlsx")["福祉活動推進課"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$1:$3"
    assert ws.page_setup.fitToWidth == 1
    assert ws.oddFooter.center.text == "&P / &N"


def test_report_contains_only_what_the_user_may_read(world, entered, tmp_path):
    wb = export_report(world, tmp_path / "r.xlsx", user=world.users["department_head"])
    assert "総務課" not in wb.sheetnames  # section C's 課 is not theirs
    assert "福祉活動推進課" in wb.sheetnames


def test_report_book_reads_the_database_in_a_fixed_number_of_queries(
    world, entered, django_assert_num_queries
):
    scope = Business.objects.filter(fiscal_year__organization=world.organization)
    # businesses, initiatives, rows, 実績, open windows, the 係's edited 総括
    with django_assert_num_queries(6):
        small = reports.report_book(scope, year=2020, quarter=2)
    for _ in range(4):
        make_business(world.section_b, rows=8)
    with django_assert_num_queries(6):
        large = reports.report_book(scope, year=2020, quarter=2)
    assert large.row_count == small.row_count + 32


def test_open_quarter_without_entry_is_not_entered(world, tmp_path):
    QuarterWindow.objects.create(fiscal_year=world.business_a.fiscal_year, quarter=2, is_open=True)
    book = reports.report_book(
        Business.objects.filter(pk=world.business_a.pk), year=2020, quarter=2
    )
    statuses = {row.status for _b, _i, row in book.sheets[0].rows()}
    assert statuses == {Status.NOT_ENTERED}


def test_city_report_has_only_the_bodys_commissioned_businesses(world, tmp_path):
    item = PlanItem.objects.filter(initiative__business=world.commissioned).first()
    Result.objects.create(item=item, quarter=1, value=Decimal("3"))
    SectionQuarter.objects.create(
        fiscal_year=world.commissioned.fiscal_year,
        section=world.section_b,
        quarter=1,
        state=SectionQuarter.State.APPROVED,
    )
    path = tmp_path / "city.xlsx"
    scope = visible_businesses(world.users["city"])
    city_export(businesses=scope, year=2020, quarter=1, commissioner=world.city, output=path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["福祉活動推進課", "_shakyo"]
    ws = wb["福祉活動推進課"]
    assert ws["A1"].value == "令和２年度　福祉活動推進課　西東京市受託事業 実績報告"
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert f"【B係：{world.commissioned.name}】" in texts
    assert world.business_a.name not in "".join(texts)
    columns = header(ws)
    assert list(columns) == [
        "項　目",
        "内　容",
        "目標値",
        "実績（累計）",
        "達成率",
        "状況",
        "理由・今後の対応",
    ]
    row = row_of(ws, item.name)
    assert ws.cell(row, columns["実績（累計）"]).value == 3
    assert ws.page_setup.orientation == "portrait"


def test_city_report_of_another_body_is_empty_for_a_city_user(world, tmp_path):
    other_body = make_business(world.section_a, name="東社協の事業").commissioned_by
    assert other_body is None
    scope = visible_businesses(world.users["city"])
    book = reports.city_book(scope, year=2020, quarter=1, commissioner=world.other_organization)
    assert book.sheets == []
