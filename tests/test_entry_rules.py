"""The rules of a 実績 entry: one precision per unit, one set of limits, plausibility with
a confirmation, and the two kinds of 中止 — the same from the screen, the Excel import
and the audit trail. Every expected value in the tables was worked out by hand."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from books import xlsx
from books.imports import ImportRefused, results_import
from books.services import entry_export
from plans.models import AuditEvent, PlanItem
from results.models import QuarterWindow, Result, SectionQuarter
from results.progress import item_progress
from results.rules import implausible_figures
from results.status import Status
from shakyo.lib.numbers import figure_problem
from shakyo.lib.text import visible_text
from targets.parser import parse_target

from .factories import PlanItemFactory

# ---------------------------------------------------------------------------------------
# Tables of the pure rules


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        ("12", "回", None),
        ("12.0", "回", None),  # only trailing zeros: the same number
        ("1.5", "回", "回の数は整数で入力してください（小数は使えません）。"),
        ("0.125", "人", "人の数は整数で入力してください（小数は使えません）。"),
        ("2100", "円", None),
        ("2100.5", "円", "円の数は整数で入力してください（小数は使えません）。"),
        ("1.25", "時間", None),
        ("1.555", "時間", "時間は小数第2位までで入力してください。"),
        ("0.125", "時間", "時間は小数第2位までで入力してください。"),
        ("12.5", "%", None),
        ("12.55", "%", "%は小数第1位までで入力してください。"),
        ("3", "", None),
        ("3.5", "", "数は整数で入力してください（小数は使えません）。"),
        ("999999999", "円", None),
        ("1000000000", "円", "999,999,999 までの数を入力してください。"),
        ("12345678901234567890", "回", "999,999,999 までの数を入力してください。"),
        ("0", "回", None),
        ("-1", "回", "0 以上の数を入力してください。"),
    ],
)
def test_figure_precision_and_limit_by_unit(value, unit, message):
    assert figure_problem(Decimal(value), unit) == message


@pytest.mark.parametrize(
    ("target", "detail", "quarter", "figures", "warned"),
    [
        # 7回, no schedule: a quarter expects 7/4 = 1.75 (10× = 17.5); 3× the year = 21.
        ("7回予定", "", 1, {"value": "17"}, {}),
        ("7回予定", "", 1, {"value": "18"}, {"value": "18回はこの四半期の予定（1.8回）の10倍"}),
        ("7回予定", "", 1, {"value": "22"}, {"value": "22回は年間の目標（7回）の3倍"}),
        # 年24回: 6 a quarter (10× = 60); 3× the year = 72.
        ("年24回 （月2回）", "", 2, {"value": "60"}, {}),
        ("年24回 （月2回）", "", 2, {"value": "61"}, {"value": "61回はこの四半期の予定（6回）"}),
        ("年24回 （月2回）", "", 2, {"value": "73"}, {"value": "73回は年間の目標（24回）の3倍"}),
        # 2回 in May and November: Q1 expects 1 (10× = 10) but 3× the year (6) comes first.
        ("2回", "5月、11月に開催", 1, {"value": "6"}, {}),
        ("2回", "5月、11月に開催", 1, {"value": "7"}, {"value": "7回は年間の目標（2回）の3倍"}),
        # Q2 expects nothing more: only the 3× rule applies.
        ("2回", "5月、11月に開催", 2, {"value": "6"}, {}),
        ("年2回", "", 1, {"value": "5000"}, {"value": "5,000回は年間の目標（2回）の3倍"}),
        # 30万円: 75,000円 a quarter (10× = 750,000); 3× the year = 900,000.
        ("30万円/年1回", "", 1, {"value": "750000"}, {}),
        ("30万円/年1回", "", 1, {"value": "750001"}, {"value": "750,001円はこの四半期の予定"}),
        ("30万円/年1回", "", 1, {"value": "900001"}, {"value": "900,001円は年間の目標"}),
        # The secondary 160人 by its own target (3× = 480); the pace rule is the main one's.
        ("1回（160人）", "", 1, {"value": "1", "x0": "480"}, {}),
        ("1回（160人）", "", 1, {"value": "1", "x0": "481"}, {"x0": "481人は年間の目標（160人）"}),
        ("1回（160人）", "", 1, {"value": "3"}, {"value": "3回はこの四半期の予定（0.3回）"}),
        ("随時実施", "", 1, {}, {}),
    ],
)
def test_implausible_figures(target, detail, quarter, figures, warned):
    parsed = parse_target(target, detail)
    found = dict(implausible_figures(parsed, quarter, {k: Decimal(v) for k, v in figures.items()}))
    assert set(found) == set(warned)
    for name, start in warned.items():
        assert found[name].startswith(start), found[name]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("理由", "理由"),
        ("\u200b", ""),
        (" \u200b\u3000\ufeff ", ""),
        ("\u200b理由\u200b", "理由"),
        ("理\u200b由", "理\u200b由"),  # inside the text it stays
    ],
)
def test_visible_text(typed, kept):
    assert visible_text(typed) == kept


# ---------------------------------------------------------------------------------------
# The entry page


@pytest.fixture
def q1(world):
    fiscal_year = world.business_a.fiscal_year
    QuarterWindow.objects.create(
        fiscal_year=fiscal_year, quarter=1, is_open=True, deadline=date(2020, 7, 15)
    )
    return fiscal_year


def rows_of(business) -> list[PlanItem]:
    return list(PlanItem.objects.filter(initiative__business=business).order_by("order", "pk"))


def entry_url(section, quarter=1):
    return reverse("results:entry", args=[2020, quarter, section.pk])


def test_implausible_figure_shows_a_warning_and_a_checkbox_and_saves_nothing(client, world, q1):
    seven = rows_of(world.business_a)[0]
    client.force_login(world.users["staff_a"])
    response = client.post(
        entry_url(world.section_a), {f"r{seven.pk}-value": "5000", "version": "0"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "5,000回は年間の目標（7回）の3倍を超えています。" in html
    assert "この数で正しい" in html
    assert f'name="r{seven.pk}-confirm"' in html
    assert Result.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RESULT_CHANGED).exists()


def test_confirmed_figure_is_saved_and_the_confirmation_is_in_the_audit_trail(client, world, q1):
    seven = rows_of(world.business_a)[0]
    client.force_login(world.users["staff_a"])
    response = client.post(
        entry_url(world.section_a),
        {f"r{seven.pk}-value": "5000", f"r{seven.pk}-confirm": "on", "version": "0"},
    )
    assert response.status_code == 302
    assert Result.objects.get(item=seven).value == 5000
    event = AuditEvent.objects.get(action=AuditEvent.Action.RESULT_CHANGED, plan_item=seven)
    assert event.changes["value"] == [None, "5000"]
    assert event.changes["confirmed"][1].startswith("5,000回は年間の目標（7回）の3倍")
    history = client.get(reverse("results:item_history", args=[seven.pk])).content.decode()
    assert "大きな数の確認" in history
    # A later save of the page does not ask again for the figure already confirmed.
    again = client.post(
        entry_url(world.section_a),
        {f"r{seven.pk}-value": "5000", f"r{seven.pk}-note": "追記", "version": "1"},
    )
    assert again.status_code == 302


def test_every_error_of_a_save_is_reported_at_once(client, world, q1):
    seven, twenty_four, anytime = rows_of(world.business_a)[:3]
    client.force_login(world.users["staff_a"])
    response = client.post(
        entry_url(world.section_a),
        {
            f"r{seven.pk}-value": "12345678901234567890",  # 20 digits, refused on the first save
            f"r{twenty_four.pk}-value": "1.5",
            f"r{anytime.pk}-cancelled": "quarter",  # no reason
            f"r{anytime.pk}-note": "あ" * 2001,
            "version": "0",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "999,999,999 までの数を入力してください。" in html
    assert "回の数は整数で入力してください（小数は使えません）。" in html
    assert "中止の場合は中止の理由を入力してください。" in html
    assert "実施内容は2,000文字以内で入力してください（今は2,001文字です）。" in html
    assert Result.objects.count() == 0


def test_the_entry_page_explains_each_kind_of_cancellation(client, world, q1):
    client.force_login(world.users["staff_a"])
    html = client.get(entry_url(world.section_a)).content.decode()
    assert "今期の回を中止" in html and "事業を年度中止" in html
    assert "事業は続き、累計・達成率・状況はこれまでの実績で判定します" in html
    assert "この四半期から年度末まで事業を行わないことを記録します" in html


def test_a_figure_with_a_cancellation_is_refused(client, world, q1):
    seven = rows_of(world.business_a)[0]
    client.force_login(world.users["staff_a"])
    response = client.post(
        entry_url(world.section_a),
        {
            f"r{seven.pk}-value": "1",
            f"r{seven.pk}-cancelled": "year",
            f"r{seven.pk}-cancel_reason": "台風のため",
            "version": "0",
        },
    )
    assert response.status_code == 400
    assert "中止とした四半期には実績の数を入力できません" in response.content.decode()
    assert Result.objects.count() == 0


def test_a_comment_of_only_a_zero_width_space_is_refused(client, world, q1):
    section_quarter = SectionQuarter.objects.create(
        fiscal_year=q1, section=world.section_a, quarter=1, state=SectionQuarter.State.SUBMITTED
    )
    client.force_login(world.users["department_head"])
    response = client.post(
        reverse("results:send_back", args=[2020, 1, world.section_a.pk]),
        {"comment": "\u200b"},
        follow=True,
    )
    assert "差戻しの理由（コメント）を入力してください。" in response.content.decode()
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.SUBMITTED


# ---------------------------------------------------------------------------------------
# The two kinds of 中止 in the status rule and the books


def _results(item, rows):
    return [Result(item=item, quarter=q, **fields) for q, fields in rows]


@pytest.mark.parametrize(
    ("rows", "quarter", "status", "actual"),
    [
        # 7回, linear: Q2 expects 3.5 (順調 from 3.15). Q1 1 / Q2 今期の回を中止 → 累計 1, 遅れ.
        ([(1, {"value": Decimal(1)}), (2, {"cancelled": True, "cancel_scope": "quarter"})], 2,
         Status.BEHIND, Decimal(1)),
        # … and the year goes on: Q3 with 3 more is 4 of the 5.25 expected (遅れ, 4 < 4.725).
        ([(1, {"value": Decimal(1)}), (2, {"cancelled": True, "cancel_scope": "quarter"}),
          (3, {"value": Decimal(3)})], 3, Status.BEHIND, Decimal(4)),
        ([(1, {"value": Decimal(2)}), (2, {"cancelled": True, "cancel_scope": "quarter"}),
          (3, {"value": Decimal(5)})], 3, Status.ACHIEVED, Decimal(7)),
        # 事業を年度中止 at Q2: 中止 at Q2 and after, Q1's figure kept.
        ([(1, {"value": Decimal(1)}), (2, {"cancelled": True, "cancel_scope": "year"})], 2,
         Status.CANCELLED, Decimal(1)),
        ([(1, {"value": Decimal(1)}), (2, {"cancelled": True, "cancel_scope": "year"})], 4,
         Status.CANCELLED, Decimal(1)),
        ([(1, {"value": Decimal(1)}), (2, {"cancelled": True, "cancel_scope": "year"})], 1,
         Status.BEHIND, Decimal(1)),
        # A figure stored alongside 中止 before these rules is not counted: 累計 1, not 2.
        ([(1, {"value": Decimal(1)}),
          (2, {"value": Decimal(1), "cancelled": True, "cancel_scope": "year"})], 2,
         Status.CANCELLED, Decimal(1)),
    ],
)  # fmt: skip
def test_the_two_kinds_of_cancellation_in_the_status_rule(world, rows, quarter, status, actual):
    seven = rows_of(world.business_a)[0]
    progress = item_progress(seven, _results(seven, rows), quarter)
    assert progress.status == status
    assert progress.actual == actual


def test_a_quarter_cancellation_explains_a_shortfall_without_a_separate_reason(world):
    seven = rows_of(world.business_a)[0]
    rows = [(1, {"value": Decimal(1), "reason": "準備中"})]
    rows.append((2, {"cancelled": True, "cancel_scope": "quarter", "cancel_reason": "台風"}))
    progress = item_progress(seven, _results(seven, rows), 2)
    assert progress.status == Status.BEHIND
    assert progress.explained


# ---------------------------------------------------------------------------------------
# The screen and the Excel import refuse the same input with the same message


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _fill(path, item, fields: dict) -> None:
    wb = load_workbook(path)
    meta = {
        row[0].value: json.loads(row[1].value)
        for row in wb["_shakyo"].iter_rows(min_row=2)
        if row[0].value
    }
    columns = {name: index for index, name in enumerate(meta["columns"], start=1)}
    ws = wb[xlsx.ENTRY_SHEET]
    for r in range(meta["header_row"] + 1, ws.max_row + 1):
        if ws.cell(r, columns["key"]).value == str(item.key):
            for name, value in fields.items():
                ws.cell(r, columns[name]).value = value
    wb.save(path)


SAME_INPUT = [
    # (screen fields, workbook fields)
    ({"value": "1.5"}, {"value": 1.5}),
    ({"value": "12345678901234567890"}, {"value": 12345678901234567890}),
    ({"value": "1e3"}, {"value": "1e3"}),
    ({"value": "5000"}, {"value": 5000}),
    ({"note": "あ" * 2001}, {"note": "あ" * 2001}),
    ({"reason": "い" * 32767}, {"reason": "い" * 32767}),
    ({"cancelled": "year"}, {"cancelled": "事業を年度中止"}),
    (
        {"cancelled": "quarter", "cancel_reason": "台風", "value": "1"},
        {"cancelled": "今期の回を中止", "cancel_reason": "台風", "value": 1},
    ),
]


@pytest.mark.parametrize(("screen", "workbook"), SAME_INPUT)
def test_screen_and_import_refuse_the_same_input_with_the_same_message(
    client, world, q1, tmp_path, screen, workbook
):
    seven = rows_of(world.business_a)[0]
    client.force_login(world.users["staff_a"])
    data = {f"r{seven.pk}-{name}": value for name, value in screen.items()}
    response = client.post(entry_url(world.section_a), {**data, "version": "0"})
    assert response.status_code == 400
    html = response.content.decode()

    path = tmp_path / "entry.xlsx"
    entry_export(section=world.section_a, year=2020, quarter=1, output=path)
    _fill(path, seven, workbook)
    with pytest.raises(ImportRefused) as refused:
        results_import(
            path=path, organization=world.organization, user=world.users["staff_a"], year=2020
        )
    messages = [p.message for p in refused.value.problems]
    assert messages
    for message in messages:
        assert message in html, message
    assert Result.objects.count() == 0


def test_import_with_the_confirmation_keeps_a_large_figure_and_records_it(world, q1, tmp_path):
    seven = rows_of(world.business_a)[0]
    path = tmp_path / "entry.xlsx"
    entry_export(section=world.section_a, year=2020, quarter=1, output=path)
    _fill(path, seven, {"value": 5000})
    results_import(
        path=path,
        organization=world.organization,
        user=world.users["staff_a"],
        year=2020,
        confirmed=True,
    )
    assert Result.objects.get(item=seven).value == 5000
    event = AuditEvent.objects.get(action=AuditEvent.Action.RESULT_CHANGED, plan_item=seven)
    assert "3倍を超えています" in event.changes["confirmed"][1]


def test_an_imported_cancellation_keeps_its_kind(world, q1, tmp_path):
    seven = rows_of(world.business_a)[0]
    path = tmp_path / "entry.xlsx"
    entry_export(section=world.section_a, year=2020, quarter=1, output=path)
    _fill(path, seven, {"cancelled": "今期の回を中止", "cancel_reason": "台風のため"})
    results_import(
        path=path, organization=world.organization, user=world.users["staff_a"], year=2020
    )
    result = Result.objects.get(item=seven)
    assert result.cancel_scope == Result.CancelScope.QUARTER
    assert result.cancel_reason == "台風のため"


# ---------------------------------------------------------------------------------------
# The same number on SQLite and PostgreSQL, on the screen and in the audit trail


@pytest.mark.parametrize(("typed", "stored"), [("1.25", "1.25"), ("1.50", "1.5"), ("2", "2")])
def test_a_figure_in_hours_is_kept_exactly_everywhere(client, world, q1, typed, stored):
    initiative = world.business_a.initiatives.get()
    hours = PlanItemFactory(initiative=initiative, target_text="9,600時間")
    client.force_login(world.users["staff_a"])
    response = client.post(
        entry_url(world.section_a), {f"r{hours.pk}-value": typed, "version": "0"}
    )
    assert response.status_code == 302
    result = Result.objects.get(item=hours)
    assert f"{result.value.normalize():f}" == stored
    event = AuditEvent.objects.get(action=AuditEvent.Action.RESULT_CHANGED, plan_item=hours)
    assert event.changes["value"] == [None, stored]
    page = client.get(entry_url(world.section_a)).content.decode()
    assert f'value="{stored}"' in page


@pytest.mark.parametrize(
    ("flow", "warned"),
    [
        # 130人: a flow expects 32.5 a quarter (10× = 325); 3× the year = 390.
        (True, True),
        # As a level (登録者数), 330 is the count itself: only 3× the target (390) judges it.
        (False, False),
    ],
)
def test_a_level_is_judged_by_its_target_only(flow, warned):
    parsed = parse_target("登録者 130人")
    found = implausible_figures(parsed, 1, {"value": Decimal(330)}, flow=flow)
    assert bool(found) == warned
