"""The offline 実績 entry workbook: exported per 係 and quarter, filled in, imported."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from books import xlsx
from books.imports import ImportRefused, results_import
from books.services import entry_export
from plans.models import AuditEvent, PlanItem
from results.models import QuarterWindow, Result, SectionQuarter
from results.services import ResultInput, results_save, section_quarter_get


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def open_q1(world):
    return QuarterWindow.objects.create(
        fiscal_year=world.business_a.fiscal_year, quarter=1, is_open=True
    )


def rows_a(world):
    return list(PlanItem.objects.filter(initiative__business=world.business_a).order_by("order"))


def export_entry(world, path, quarter=1, section=None):
    entry_export(section=section or world.section_a, year=2020, quarter=quarter, output=path)
    return path


def fill(path, values: dict) -> None:
    """Type ``values`` ({item: {field: value}}) into the workbook, as a section head would."""
    wb = load_workbook(path)
    meta = {
        row[0].value: json.loads(row[1].value)
        for row in wb["_shakyo"].iter_rows(min_row=2)
        if row[0].value
    }
    columns = {name: index for index, name in enumerate(meta["columns"], start=1)}
    ws = wb[xlsx.ENTRY_SHEET]
    by_key = {
        ws.cell(r, columns["key"]).value: r for r in range(meta["header_row"] + 1, ws.max_row + 1)
    }
    for item, fields in values.items():
        for name, value in fields.items():
            cell = ws.cell(by_key[str(item.key)], columns[name])
            if isinstance(value, str) and value.startswith("'"):
                # Excel's leading apostrophe: what follows is text, even 「=SUM(1)」.
                cell.value = value[1:]
                cell.data_type = "s"
            else:
                cell.value = value
    wb.save(path)


def test_entry_workbook_lists_the_sections_rows_with_inputs_and_drop_downs(world, tmp_path):
    path = export_entry(world, tmp_path / "entry.xlsx")
    wb = load_workbook(path)
    ws = wb[xlsx.ENTRY_SHEET]
    assert ws["A1"].value == "令和２年度　第1四半期（4〜6月）　実績入力　福祉活動推進課　A係"
    headers = [ws.cell(xlsx.ENTRY_HEADER_ROW, c).value for c in range(1, ws.max_column + 1)]
    assert "第1四半期の実績（数値）" in headers
    assert "実施・未実施" in headers and "中止" in headers
    assert "理由・今後の対応（遅れ・未着手のとき）" in headers
    keys = [ws.cell(r, len(headers)).value for r in range(5, ws.max_row + 1)]
    assert keys == [str(item.key) for item in rows_a(world)]
    assert ws.column_dimensions[xlsx.column_letter(len(headers))].hidden
    validations = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert validations["list"].formula1 in ('"実施,未実施"', '"今期の回を中止,事業を年度中止"')
    assert {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"} == {
        '"実施,未実施"',
        '"今期の回を中止,事業を年度中止"',
    }
    assert validations["decimal"].operator == "greaterThanOrEqual"
    assert ws.protection.sheet
    value_column = headers.index("第1四半期の実績（数値）") + 1
    assert ws.cell(5, value_column).protection.locked is False  # 7回予定: a number
    assert ws.cell(7, value_column).protection.locked is True  # 随時実施: 実施・未実施
    assert ws.page_setup.orientation == "landscape"


def test_filled_workbook_is_saved_through_the_entry_rules(world, open_q1, tmp_path):
    behind, yearly, qualitative = rows_a(world)
    path = export_entry(world, tmp_path / "entry.xlsx")
    fill(
        path,
        {
            behind: {"value": 2, "note": "2回開催"},
            yearly: {"value": "６", "reason": ""},
            qualitative: {"done": "実施", "note": "'=SUM(1)"},
        },
    )
    summary = results_import(
        path=path, organization=world.organization, user=world.users["staff_a"], year=2020
    )
    assert "3行" in summary.message
    results = {r.item_id: r for r in Result.objects.filter(quarter=1)}
    assert results[behind.pk].value == 2
    assert results[behind.pk].updated_by == world.users["staff_a"]
    assert results[yearly.pk].value == 6  # full-width digits read as a number
    assert results[qualitative.pk].done is True
    assert results[qualitative.pk].note == "=SUM(1)"  # text, not a formula
    assert SectionQuarter.objects.get(section=world.section_a, quarter=1).version == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RESULT_CHANGED).count() == 3
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED).count() == 1


def test_an_exported_workbook_shows_what_was_entered(world, open_q1, tmp_path):
    behind, _yearly, qualitative = rows_a(world)
    sq = section_quarter_get(
        fiscal_year=world.business_a.fiscal_year, section=world.section_a, quarter=1
    )
    results_save(
        section_quarter=sq,
        user=world.users["staff_a"],
        inputs=[
            ResultInput(item_id=behind.pk, value=Decimal("3")),
            ResultInput(item_id=qualitative.pk, done=True, note="=HYPERLINK(1)"),
        ],
        version=0,
    )
    ws = load_workbook(export_entry(world, tmp_path / "e.xlsx"))[xlsx.ENTRY_SHEET]
    values = [c.value for c in ws[5]]
    assert 3 in values
    note = next(c for c in ws[7] if c.value == "=HYPERLINK(1)")
    assert note.data_type == "s"
    assert "実施" in [c.value for c in ws[7]]


@pytest.mark.parametrize(
    ("fields", "column_header", "message"),
    [
        ({"value": "たくさん"}, "第1四半期の実績（数値）", "「たくさん」は数として読めません"),
        ({"value": -1}, "第1四半期の実績（数値）", "0 以上"),
        ({"value": "=1+1"}, "第1四半期の実績（数値）", "数式は使えません"),
        ({"value": 1.5}, "第1四半期の実績（数値）", "回の数は整数で入力してください"),
        ({"value": 10**20}, "第1四半期の実績（数値）", "999,999,999 までの数を入力してください"),
        ({"note": "あ" * 2001}, "実施内容", "実施内容は2,000文字以内で入力してください"),
        ({"cancelled": "事業を年度中止"}, "中止の理由", "中止の理由を入力してください"),
        (
            {"cancelled": "今期の回を中止", "cancel_reason": "台風", "value": 1},
            "第1四半期の実績（数値）",
            "中止とした四半期には実績の数を入力できません",
        ),
        ({"cancelled": "やめた", "cancel_reason": "x"}, "中止", "から選んでください"),
        ({"value": 0}, "理由・今後の対応（遅れ・未着手のとき）", "未着手のため、理由・今後の対応"),
    ],
)
def test_every_problem_is_reported_with_its_place_and_nothing_is_saved(
    world, open_q1, tmp_path, fields, column_header, message
):
    behind, yearly, _qualitative = rows_a(world)
    path = export_entry(world, tmp_path / "entry.xlsx")
    fill(path, {behind: fields, yearly: {"value": 1, "reason": "遅れています"}})
    with pytest.raises(ImportRefused) as refused:
        results_import(
            path=path, organization=world.organization, user=world.users["staff_a"], year=2020
        )
    problems = refused.value.problems
    assert any(message in p.message for p in problems), problems
    problem = next(p for p in problems if message in p.message)
    ws = load_workbook(path)[xlsx.ENTRY_SHEET]
    headers = {ws.cell(xlsx.ENTRY_HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    assert problem.sheet == "実績入力"
    assert problem.row == 5
    assert problem.column == xlsx.column_letter(headers[column_header])
    assert Result.objects.count() == 0
    assert not SectionQuarter.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED).exists()


def test_approved_quarter_is_locked(world, open_q1, tmp_path):
    path = export_entry(world, tmp_path / "entry.xlsx")
    SectionQuarter.objects.create(
        fiscal_year=world.business_a.fiscal_year,
        section=world.section_a,
        quarter=1,
        state=SectionQuarter.State.APPROVED,
    )
    fill(path, {rows_a(world)[0]: {"value": 5}})
    with pytest.raises(ImportRefused) as refused:
        results_import(
            path=path, organization=world.organization, user=world.users["staff_a"], year=2020
        )
    assert "承認済みのため変更できません" in str(refused.value)
    assert Result.objects.count() == 0


def test_closed_quarter_is_refused_for_staff_but_the_secretariat_may_correct(world, tmp_path):
    path = export_entry(world, tmp_path / "entry.xlsx")
    fill(path, {rows_a(world)[0]: {"value": 7}})
    with pytest.raises(ImportRefused) as refused:
        results_import(
            path=path, organization=world.organization, user=world.users["staff_a"], year=2020
        )
    assert "入力期間ではありません" in str(refused.value)
    results_import(
        path=path, organization=world.organization, user=world.users["secretariat"], year=2020
    )
    assert Result.objects.get().value == 7


def test_a_workbook_made_before_someone_else_saved_is_refused(world, open_q1, tmp_path):
    behind = rows_a(world)[0]
    path = export_entry(world, tmp_path / "entry.xlsx")
    sq = section_quarter_get(
        fiscal_year=world.business_a.fiscal_year, section=world.section_a, quarter=1
    )
    results_save(
        section_quarter=sq,
        user=world.users["secretariat"],
        inputs=[ResultInput(item_id=behind.pk, value=Decimal("1"))],
        version=0,
    )
    fill(path, {behind: {"value": 7}})
    with pytest.raises(ImportRefused) as refused:
        results_import(
            path=path, organization=world.organization, user=world.users["staff_a"], year=2020
        )
    assert "もう一度ブックを出力" in str(refused.value)
    assert Result.objects.get().value == 1


def test_another_sections_workbook_is_refused(world, open_q1, tmp_path):
    path = export_entry(world, tmp_path / "entry.xlsx", section=world.section_b)
    with pytest.raises(ImportRefused) as refused:
        results_import(
            path=path, organization=world.organization, user=world.users["staff_a"], year=2020
        )
    assert "権限がありません" in str(refused.value)


def test_wrong_year_or_quarter_is_refused(world, open_q1, tmp_path):
    path = export_entry(world, tmp_path / "entry.xlsx")
    with pytest.raises(ImportRefused) as refused:
        results_import(
            path=path,
            organization=world.organization,
            user=world.users["staff_a"],
            year=2021,
            quarter=2,
        )
    messages = str(refused.value)
    assert "令和2年度の実績入力用です。令和3年度には取り込めません" in messages
    assert "第1四半期の実績入力用です（選んだのは第2四半期）" in messages
