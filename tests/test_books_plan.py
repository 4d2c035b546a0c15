"""The 事業計画 workbook: laid out like the printed plan, and it round-trips."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from books import reports, xlsx
from books.imports import ImportRefused, plan_import
from books.services import plan_export
from plans.models import AuditEvent, Business, Initiative, PlanImport, PlanItem
from plans.services import plan_changes, plan_import_apply, plan_item_set_structure
from targets.parser import parse_target
from targets.types import Kind, ParsedTarget, Quantity

from .conftest import make_business


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def export(organization, path, year=2020):
    scope = Business.objects.filter(fiscal_year__organization=organization)
    plan_export(businesses=scope, year=year, output=path)
    return load_workbook(path)


def find_row(ws, column: int, text: str) -> int:
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == text:
            return row[0].row
    raise AssertionError(f"{text!r} not in column {column}")


def merged_range_of(ws, coordinate: str) -> str | None:
    for merged in ws.merged_cells.ranges:
        if coordinate in merged:
            return merged.coord
    return None


def unmerge_filling(ws) -> None:
    """Unmerge every range, repeating its value in each cell (as if typed row by row)."""
    for merged in list(ws.merged_cells.ranges):
        value = ws.cell(merged.min_row, merged.min_col).value
        ws.unmerge_cells(merged.coord)
        if merged.min_col == merged.max_col:
            for row in range(merged.min_row, merged.max_row + 1):
                ws.cell(row, merged.min_col).value = value


def plan_snapshot(fiscal_year_year: int, organization) -> dict:
    """Everything a plan says, in plan order, without primary keys."""
    businesses = Business.objects.filter(
        fiscal_year__organization=organization, fiscal_year__year=fiscal_year_year
    ).order_by("section__department__order", "section__order", "order")
    snapshot = []
    for business in businesses:
        initiatives = []
        for initiative in business.initiatives.order_by("order"):
            items = [
                (
                    item.group,
                    item.name,
                    item.detail,
                    item.target_text,
                    item.target,
                    item.target_kind,
                    item.needs_review,
                    item.target_value,
                    item.target_unit,
                    item.target_edited,
                    item.source_confidence,
                    item.source_note,
                    [
                        (q.position, q.value, q.max_value, q.unit, q.label)
                        for q in item.quantities.order_by("position")
                    ],
                )
                for item in initiative.items.order_by("order")
            ]
            initiatives.append((initiative.number, initiative.title, initiative.policy, items))
        snapshot.append(
            (
                business.section.department.name,
                business.section.name,
                business.name,
                business.commissioned_by.name if business.commissioned_by else None,
                business.policies,
                business.policies_shared,
                initiatives,
            )
        )
    return snapshot


def test_plan_has_one_sheet_per_department_titled_like_the_printed_plan(r2_plan, tmp_path):
    wb = export(r2_plan.organization, tmp_path / "plan.xlsx")
    assert wb.sheetnames == ["総務課", "福祉活動推進課", "福祉支援課", "_shakyo"]
    assert wb["_shakyo"].sheet_state == "hidden"
    ws = wb["総務課"]
    assert ws["A1"].value == "令和２年度　総務課　事業計画"
    assert merged_range_of(ws, "A1") == "A1:D1"
    assert ws["A1"].font.name == "ＭＳ ゴシック"
    assert ws["A1"].font.b


def test_plan_sheet_reads_like_seed_004(r2_plan, tmp_path):
    ws = export(r2_plan.organization, tmp_path / "plan.xlsx")["総務課"]
    section = find_row(ws, 1, "【法人運営係】")
    label = find_row(ws, 1, "係の方針")
    first_policy = label + 1
    assert section < label
    assert ws.cell(first_policy, 1).value.startswith("１.地域共生社会の実現")
    # The 方針 sit in a bordered box spanning the table's width.
    assert merged_range_of(ws, f"A{first_policy}") == f"A{first_policy}:D{first_policy}"
    assert ws.cell(first_policy, 1).border.top.style == "thin"
    assert ws.cell(first_policy, 1).border.left.style == "thin"
    assert ws.cell(first_policy, 4).border.right.style == "thin"
    heading = find_row(ws, 1, "１．組織運営の取り組み")
    assert ws.cell(heading + 1, 1).value == "方　　針"
    assert ws.cell(heading + 2, 1).value == "【理事会、評議員会の開催】"
    header = find_row(ws, 1, "項　　目")
    assert [ws.cell(header, c).value for c in (1, 2, 4)] == ["項　　目", "内　　容", "目標値"]
    assert merged_range_of(ws, f"B{header}") == f"B{header}:C{header}"
    # 理事会 and 評議員会 share their 項目 cell, as printed.
    first = header + 1
    assert [ws.cell(first, c).value for c in (1, 2, 3, 4)] == [
        "理事会、評議員会の開催",
        "(1)理事会",
        "5月、6月、9月、11月、2月、3月の定例開催の他、臨時に開催",
        "7回予定",
    ]
    assert ws.cell(first + 1, 2).value == "(2)評議員会"
    assert merged_range_of(ws, f"A{first}") == f"A{first}:A{first + 1}"
    assert merged_range_of(ws, f"A{first + 2}") is None  # 監事会の開催 stands alone
    assert ws.cell(first, 1).alignment.wrap_text
    assert ws.cell(first, 4).font.name == "ＭＳ ゴシック"
    # A section that does not share its 方針 heads each business with its name.
    ws2 = export(r2_plan.organization, tmp_path / "plan2.xlsx")["福祉活動推進課"]
    find_row(ws2, 1, "【相談支援係：地域福祉コーディネーター事業（西東京市からの受託事業）】")


def test_plan_prints_on_a4_portrait_one_page_wide_with_titles_and_page_numbers(r2_plan, tmp_path):
    ws = export(r2_plan.organization, tmp_path / "plan.xlsx")["総務課"]
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$2"
    assert ws.oddFooter.center.text == "&P / &N"
    assert "$A$1:$D$" in str(ws.print_area)
    # Widths that fit Japanese text; the key columns are hidden.
    assert ws.column_dimensions["C"].width >= 30
    assert ws.column_dimensions["E"].hidden and ws.column_dimensions["F"].hidden


def test_every_plan_row_carries_its_stable_key(r2_plan, tmp_path):
    ws = export(r2_plan.organization, tmp_path / "plan.xlsx")["総務課"]
    keys = {
        ws.cell(row, xlsx.PLAN_KEY).value
        for row in range(1, ws.max_row + 1)
        if ws.cell(row, xlsx.PLAN_TAG).value == "item"
    }
    expected = {
        str(key)
        for key in PlanItem.objects.filter(
            initiative__business__section__department__name="総務課"
        ).values_list("key", flat=True)
    }
    assert keys == expected


def test_full_r2_plan_round_trips_into_an_empty_year(r2_plan, tmp_path):
    path = tmp_path / "plan.xlsx"
    export(r2_plan.organization, path)
    summary = plan_import(path=path, organization=r2_plan.organization, year=2021, user=None)
    assert summary.created == 320
    before = plan_snapshot(2020, r2_plan.organization)
    after = plan_snapshot(2021, r2_plan.organization)
    assert len(after) == 24
    assert after == before
    # New rows, new keys: the two years do not share rows.
    keys_2020 = set(
        PlanItem.objects.filter(initiative__business__fiscal_year__year=2020).values_list(
            "key", flat=True
        )
    )
    keys_2021 = set(
        PlanItem.objects.filter(initiative__business__fiscal_year__year=2021).values_list(
            "key", flat=True
        )
    )
    assert len(keys_2021) == 320 and not keys_2020 & keys_2021
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED).count() == 1


def test_editing_rows_in_excel_updates_the_plan_by_key(world, tmp_path):
    path = tmp_path / "plan.xlsx"
    wb = export(world.organization, path)
    items = list(PlanItem.objects.filter(initiative__business=world.business_a).order_by("order"))
    ws = wb[world.section_a.department.name]
    unmerge_filling(ws)
    rows = {
        ws.cell(r, xlsx.PLAN_KEY).value: r
        for r in range(1, ws.max_row + 1)
        if ws.cell(r, xlsx.PLAN_TAG).value == "item"
    }
    changed, removed = items[0], items[1]
    ws.cell(rows[str(changed.key)], 4).value = "12回"
    ws.cell(rows[str(changed.key)], 3).value = "毎月開催"
    # Add a row: typed under the last one, without a key.
    last = rows[str(items[2].key)]
    ws.insert_rows(last + 1)
    ws.cell(last + 1, 1).value = "新しい項目"
    ws.cell(last + 1, 2).value = "(9)新しい会議"
    ws.cell(last + 1, 4).value = "年4回"
    ws.delete_rows(rows[str(removed.key)])
    wb.save(path)

    summary = plan_import(path=path, organization=world.organization, year=2020, user=None)
    # Nothing is written until the 事務局 has seen every change and confirmed it.
    assert "変更 1行・追加 1行・削除 1行" in summary.message
    changed.refresh_from_db()
    assert changed.target_text != "12回"
    assert PlanItem.objects.filter(pk=removed.pk).exists()
    assert not PlanItem.objects.filter(name="(9)新しい会議").exists()
    plan_import_record = PlanImport.objects.get(pk=summary.plan_import_id)
    preview = plan_changes(
        fiscal_year=world.business_a.fiscal_year, businesses=plan_import_record.businesses
    )
    assert [(row.kind, row.needs_revision) for row in preview.rows] == [
        ("changed", False),  # the plan is not 確定: no 補正 needed
        ("added", False),
        ("removed", False),
    ]
    message = plan_import_apply(plan_import=plan_import_record, user=world.users["secretariat"])
    assert "変更 1件・追加 1行・削除 1行" in message
    changed.refresh_from_db()
    assert changed.target_text == "12回"
    assert changed.detail == "毎月開催"
    assert changed.target_value == 12  # parsed again
    assert not PlanItem.objects.filter(pk=removed.pk).exists()
    new = PlanItem.objects.get(name="(9)新しい会議")
    assert new.initiative.business == world.business_a
    assert new.target_value == 4
    assert new.quantities.get().unit == "回"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PLAN_ITEM_CHANGED, plan_item=changed
    ).exists()


def test_user_text_that_looks_like_a_formula_is_written_as_text(world, tmp_path):
    item = PlanItem.objects.filter(initiative__business=world.business_a).first()
    PlanItem.objects.filter(pk=item.pk).update(detail="=SUM(1)", name="+81 電話", group="@当番")
    path = tmp_path / "plan.xlsx"
    ws = export(world.organization, path)[world.section_a.department.name]
    row = find_row(ws, 3, "=SUM(1)")
    for column in (1, 2, 3):
        cell = ws.cell(row, column)
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert ws.cell(row, 2).value == "+81 電話"
    # …and comes back as the same text.
    plan_import(path=path, organization=world.organization, year=2021, user=None)
    copy = PlanItem.objects.get(initiative__business__fiscal_year__year=2021, detail="=SUM(1)")
    assert (copy.group, copy.name) == ("@当番", "+81 電話")


def test_a_target_structure_edited_by_hand_survives_the_round_trip(world, tmp_path):
    item = PlanItem.objects.filter(
        initiative__business=world.business_a, target_text="随時実施"
    ).get()
    hand = ParsedTarget(
        text=item.target_text,
        kind=Kind.QUANTITY,
        quantities=(Quantity(value=parse_target("3回").main.value, unit="回"),),
    )
    plan_item_set_structure(item=item, parsed=hand)
    path = tmp_path / "plan.xlsx"
    export(world.organization, path)
    plan_import(path=path, organization=world.organization, year=2021, user=None)
    copy = PlanItem.objects.get(
        initiative__business__fiscal_year__year=2021,
        initiative__business__name=world.business_a.name,
        target_text="随時実施",
    )
    assert copy.target_edited
    assert copy.target_kind == "quantity"
    assert copy.target_value == 3


def test_plan_book_reads_the_database_in_three_queries(world, django_assert_num_queries):
    scope = Business.objects.filter(fiscal_year__organization=world.organization)
    # businesses (+ section, 課, year, organisation, 委託元), initiatives, rows
    with django_assert_num_queries(3):
        small = reports.plan_book(scope, year=2020)
    for _ in range(5):
        make_business(world.section_a, rows=10)
    with django_assert_num_queries(3):
        large = reports.plan_book(scope, year=2020)
    assert large.row_count == small.row_count + 50


def test_plan_export_records_who_exported(world):
    scope = Business.objects.filter(fiscal_year__organization=world.organization)
    plan_export(businesses=scope, year=2020, output=BytesIO(), user=world.users["secretariat"])
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.user == world.users["secretariat"]
    assert "事業計画" in event.summary


def test_initiative_and_policy_edits_are_imported(world, tmp_path):
    path = tmp_path / "plan.xlsx"
    wb = export(world.organization, path)
    ws = wb[world.section_a.department.name]
    initiative = Initiative.objects.get(business=world.business_a)
    heading = next(
        r
        for r in range(1, ws.max_row + 1)
        if ws.cell(r, xlsx.PLAN_TAG).value == "initiative"
        and ws.cell(r, xlsx.PLAN_KEY).value == str(initiative.pk)
    )
    ws.cell(heading, 1).value = "３．名前を変えた取り組み"
    wb.save(path)
    summary = plan_import(path=path, organization=world.organization, year=2020, user=None)
    initiative.refresh_from_db()
    assert initiative.number != 3  # waiting for the 事務局
    plan_import_apply(plan_import=PlanImport.objects.get(pk=summary.plan_import_id), user=None)
    initiative.refresh_from_db()
    assert (initiative.number, initiative.title) == (3, "名前を変えた取り組み")


def test_deleting_a_row_that_has_results_is_refused(world, tmp_path):
    from results.models import Result

    path = tmp_path / "plan.xlsx"
    wb = export(world.organization, path)
    item = PlanItem.objects.filter(initiative__business=world.business_a).first()
    Result.objects.create(item=item, quarter=1, value=1)
    ws = wb[world.section_a.department.name]
    unmerge_filling(ws)
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, xlsx.PLAN_KEY).value == str(item.key):
            ws.delete_rows(r)
            break
    wb.save(path)
    with pytest.raises(ImportRefused) as refused:
        plan_import(path=path, organization=world.organization, year=2020, user=None)
    assert "実績が入力されているため削除できません" in str(refused.value)
    assert PlanItem.objects.filter(pk=item.pk).exists()
