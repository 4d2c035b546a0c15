"""Bad files get a clear Japanese message and change nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from books import xlsx
from books.imports import ImportRefused, plan_import, results_import
from books.safety import UnsafeFile, check_upload
from books.services import entry_export, plan_export, report_export
from plans.models import AuditEvent, Business, Initiative, PlanItem
from results.models import QuarterWindow, Result, SectionQuarter


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def snapshot():
    return (
        Business.objects.count(),
        Initiative.objects.count(),
        list(PlanItem.objects.order_by("pk").values_list("pk", "group", "name", "target_text")),
        list(Result.objects.order_by("pk").values_list("pk", "value")),
        SectionQuarter.objects.count(),
        AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED).count(),
    )


def plan_file(world, path):
    plan_export(
        businesses=Business.objects.filter(fiscal_year__organization=world.organization),
        year=2020,
        output=path,
    )
    return path


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def refused_plan(world, path, year=2021) -> str:
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        plan_import(path=path, organization=world.organization, year=year, user=None)
    assert snapshot() == before
    return "\n".join(str(p) for p in refused.value.problems)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "パスワードで保護されたブック"),
        ("項目,内容\n会議,4回\n".encode(), "Excel ブック（.xlsx）ではありません"),
        (b"PK\x03\x04" + b"\x00garbage" * 50, "ファイルが壊れている"),
        (b"", "ファイルが空です"),
        (zip_bytes({"hello.txt": b"hello"}), "ブックの構成がありません"),
        (
            zip_bytes(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "xl/workbook.xml": b"<workbook/>",
                    "xl/vbaProject.bin": b"macro",
                }
            ),
            "マクロ付きのブック（.xlsm）は受け付けません",
        ),
        (
            zip_bytes(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "xl/workbook.xml": b"<workbook/>",
                    "xl/worksheets/sheet1.xml": b"\0" * (30 * 1024 * 1024),
                }
            ),
            "zip 爆弾",
        ),
        (
            zip_bytes(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "xl/workbook.xml": b"<workbook/>",
                    "xl/worksheets/sheet1.xml": b"<broken",
                }
            ),
            "ファイルが壊れている",
        ),
    ],
    ids=[
        "password",
        "csv",
        "corrupt-zip",
        "empty",
        "not-a-workbook",
        "xlsm",
        "zip-bomb",
        "bad-xml",
    ],
)
def test_bad_files_are_refused_with_a_clear_message(world, tmp_path, content, message):
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    assert message in refused_plan(world, path)


def test_a_zip_bomb_is_caught_by_its_declared_sizes_before_reading(tmp_path, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    settings.BOOKS_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    entries = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    entries.update({f"xl/worksheets/sheet{i}.xml": b"a" * 900_000 for i in range(8)})
    path = tmp_path / "many.xlsx"
    path.write_bytes(zip_bytes(entries))
    with pytest.raises(UnsafeFile, match="zip 爆弾"):
        check_upload(path)


def test_a_file_over_the_size_limit_is_refused(world, tmp_path, settings):
    path = plan_file(world, tmp_path / "plan.xlsx")
    settings.UPLOAD_MAX_BYTES = 1000
    assert "ファイルが大きすぎます" in refused_plan(world, path)


def test_the_wrong_template_is_refused(world, tmp_path):
    report = tmp_path / "report.xlsx"
    report_export(
        businesses=Business.objects.filter(fiscal_year__organization=world.organization),
        year=2020,
        quarter=1,
        output=report,
    )
    assert "このファイルは「事業報告」です。ここでは「事業計画」のブックを取り込みます" in (
        refused_plan(world, report)
    )
    plain = tmp_path / "plain.xlsx"
    wb = Workbook()
    wb.active["A1"] = "令和２年度　総務課　事業計画"
    wb.save(plain)
    assert "shakyo の「事業計画」のブックではありません" in refused_plan(world, plain)
    entry = tmp_path / "entry.xlsx"
    entry_export(section=world.section_a, year=2020, quarter=1, output=entry)
    assert "「実績入力用ブック」です" in refused_plan(world, entry)


def test_a_plan_of_another_year_is_refused_where_a_plan_exists(world, tmp_path):
    path = plan_file(world, tmp_path / "plan.xlsx")
    plan_import(path=path, organization=world.organization, year=2021, user=None)
    messages = refused_plan(world, path, year=2021)
    assert "このブックは令和2年度の事業計画です。令和3年度の計画は既にあるため" in messages


def test_a_plan_of_another_council_is_refused(world, tmp_path):
    path = plan_file(world, tmp_path / "plan.xlsx")
    before = snapshot()
    with pytest.raises(ImportRefused, match="には取り込めません"):
        plan_import(path=path, organization=world.other_organization, year=2022, user=None)
    assert snapshot() == before


def test_formulas_and_dates_in_the_plan_are_reported_cell_by_cell(world, tmp_path):
    path = plan_file(world, tmp_path / "plan.xlsx")
    wb = load_workbook(path)
    ws = wb[world.section_a.department.name]
    items = [r for r in range(1, ws.max_row + 1) if ws.cell(r, xlsx.PLAN_TAG).value == "item"]
    ws.cell(items[0], 4).value = "=2+3"
    ws.cell(items[1], 3).value = __import__("datetime").datetime(2020, 5, 11)
    ws.cell(items[2], 4).value = "x" * 301
    wb.save(path)
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        plan_import(path=path, organization=world.organization, year=2020, user=None)
    assert snapshot() == before
    problems = {(p.row, p.column): p.message for p in refused.value.problems}
    sheet = {p.sheet for p in refused.value.problems}
    assert sheet == {world.section_a.department.name}
    assert "数式は使えません" in problems[(items[0], "D")]
    assert "日付に変換されています" in problems[(items[1], "C")]
    assert problems[(items[2], "D")] == "目標値は300文字以内で入力してください（今は301文字です）。"


def test_a_copied_row_with_the_same_key_is_refused(world, tmp_path):
    path = plan_file(world, tmp_path / "plan.xlsx")
    wb = load_workbook(path)
    ws = wb[world.section_a.department.name]
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, xlsx.PLAN_TAG).value == "item")
    for merged in list(ws.merged_cells.ranges):
        ws.unmerge_cells(merged.coord)
    ws.insert_rows(first + 1)
    for column in range(1, 8):
        ws.cell(first + 1, column).value = ws.cell(first, column).value
    ws.cell(first + 1, 1).value = "会議の開催"
    wb.save(path)
    message = refused_plan(world, path, year=2020)
    assert "同じ照合番号の行が2つあります" in message
    assert f"{first + 1}行目" in message


def test_bad_results_files_change_nothing(world, tmp_path):
    QuarterWindow.objects.create(fiscal_year=world.business_a.fiscal_year, quarter=1, is_open=True)
    path = tmp_path / "plan.xlsx"
    plan_file(world, path)
    before = snapshot()
    with pytest.raises(ImportRefused, match="「事業計画」です。ここでは「実績入力用ブック」"):
        results_import(
            path=path, organization=world.organization, user=world.users["staff_a"], year=2020
        )
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(ImportRefused, match="パスワード"):
        results_import(
            path=path, organization=world.organization, user=world.users["staff_a"], year=2020
        )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("column", "field", "text", "message"),
    [
        (3, "detail", "あ" * 2001, "内容は2,000文字以内で入力してください（今は2,001文字です）。"),
        (4, "target_text", "1" * 301, "目標値は300文字以内で入力してください（今は301文字です）。"),
        (1, "group", "項" * 201, "項目は200文字以内で入力してください（今は201文字です）。"),
    ],
)
def test_the_row_screen_and_the_plan_import_refuse_a_long_text_alike(
    client, world, tmp_path, column, field, text, message
):
    """One set of limits (#14): what the import refuses, the screen refuses, in the same words."""
    from django.urls import reverse

    from .factories import PASSWORD

    path = plan_file(world, tmp_path / "plan.xlsx")
    wb = load_workbook(path)
    ws = wb[world.section_a.department.name]
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, xlsx.PLAN_TAG).value == "item")
    for merged in list(ws.merged_cells.ranges):
        if merged.min_row <= first <= merged.max_row and merged.min_col <= column <= merged.max_col:
            ws.unmerge_cells(str(merged))
    ws.cell(first, column).value = text
    wb.save(path)
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        plan_import(path=path, organization=world.organization, year=2020, user=None)
    assert snapshot() == before
    assert message in [p.message for p in refused.value.problems]

    item = PlanItem.objects.filter(initiative__business=world.business_a).first()
    client.login(username=world.users["staff_a"].username, password=PASSWORD)
    data = {"group": item.group, "name": item.name, "detail": item.detail, "target_text": "2回"}
    data[field] = text
    response = client.post(reverse("plans:item_edit", args=[item.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before
