"""The 事務局's scripted exports and imports: same validation and messages as the screens."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from books import xlsx
from plans.models import AuditEvent, PlanItem
from results.models import Result

ROOT = Path(__file__).resolve().parents[1]


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_plan_writes_the_plan(r2_plan, tmp_path):
    path = tmp_path / "plan.xlsx"
    out, _ = run("export_plan", "--year", "2020", "--output", str(path))
    assert "令和２年度　事業計画を出力しました（320行）" in out
    assert load_workbook(path)["総務課"]["A1"].value == "令和２年度　総務課　事業計画"


def test_export_report_for_a_quarter(world, tmp_path):
    path = tmp_path / "report.xlsx"
    out, _ = run(
        "export_report",
        "--year=2020",
        "--quarter=2",
        f"--output={path}",
        f"--organization={world.organization.name}",
    )
    assert "第2四半期（7〜9月）まで" in out
    assert load_workbook(path).sheetnames[0] == "概要"
    city = tmp_path / "city.xlsx"
    run(
        "export_report",
        "--year=2020",
        "--quarter=1",
        f"--output={city}",
        f"--organization={world.organization.name}",
        "--commissioner=西東京市",
    )
    assert "西東京市受託事業" in load_workbook(city).worksheets[0]["A1"].value


def test_commands_name_what_is_missing(world, tmp_path):
    with pytest.raises(CommandError, match="法人が複数あります"):
        run("export_plan", "--year=2020", f"--output={tmp_path / 'x.xlsx'}")
    with pytest.raises(CommandError, match="令和5年度の事業計画がありません"):
        run(
            "export_plan",
            "--year=2023",
            f"--output={tmp_path / 'x.xlsx'}",
            f"--organization={world.organization.name}",
        )
    with pytest.raises(CommandError, match="--quarter は 1〜4"):
        run(
            "export_report",
            "--year=2020",
            "--quarter=5",
            f"--output={tmp_path / 'x.xlsx'}",
            f"--organization={world.organization.name}",
        )


def test_import_plan_into_another_year(r2_plan, tmp_path):
    path = tmp_path / "plan.xlsx"
    run("export_plan", "--year", "2020", "--output", str(path))
    out, _ = run("import_plan", str(path), "--year", "2021")
    assert "令和3年度の事業計画を作成しました（320行）" in out
    assert PlanItem.objects.filter(initiative__business__fiscal_year__year=2021).count() == 320


def test_import_plan_into_a_year_with_a_plan_writes_nothing_and_says_where_to_confirm(
    r2_plan, tmp_path
):
    path = tmp_path / "plan.xlsx"
    run("export_plan", "--year", "2020", "--output", str(path))
    workbook = load_workbook(path)
    sheet = workbook["総務課"]
    row = next(
        r for r in range(1, sheet.max_row + 1) if sheet.cell(r, xlsx.PLAN_TAG).value == "item"
    )
    key = sheet.cell(row, xlsx.PLAN_KEY).value
    before = PlanItem.objects.get(key=key).target_text
    sheet.cell(row, 4).value = "99回"
    workbook.save(path)
    out, _ = run("import_plan", str(path), "--year", "2020")
    assert "まだ反映していません（変更 1行・追加 0行・削除 0行）" in out
    assert "/plans/imports/" in out
    assert PlanItem.objects.get(key=key).target_text == before


def test_import_plan_prints_every_problem_and_fails(world, tmp_path):
    path = tmp_path / "plan.xlsx"
    org = f"--organization={world.organization.name}"
    run("export_plan", "--year=2020", f"--output={path}", org)
    wb = load_workbook(path)
    ws = wb[world.section_a.department.name]
    items = [r for r in range(1, ws.max_row + 1) if ws.cell(r, xlsx.PLAN_TAG).value == "item"]
    ws.cell(items[0], 4).value = "=1+1"
    ws.cell(items[1], 4).value = "=2+2"
    wb.save(path)
    out, err = StringIO(), StringIO()
    with pytest.raises(
        CommandError, match="取り込みませんでした（問題 2件）。何も変更していません"
    ):
        call_command("import_plan", str(path), "--year=2020", org, stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert lines == [
        f"シート「{ws.title}」 {items[0]}行目 D列: 数式は使えません。値（文字）を入力してください。",
        f"シート「{ws.title}」 {items[1]}行目 D列: 数式は使えません。値（文字）を入力してください。",
    ]
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED).exists()


def test_import_results_as_the_secretariat(world, tmp_path):
    path = tmp_path / "entry.xlsx"
    from books.services import entry_export

    entry_export(section=world.section_a, year=2020, quarter=1, output=path)
    wb = load_workbook(path)
    wb["実績入力"]["E5"] = 4
    wb.save(path)
    org = f"--organization={world.organization.name}"
    out, _ = run("import_results", str(path), "--year=2020", "--quarter=1", org)
    assert "A係 第1四半期の実績を取り込みました" in out
    result = Result.objects.get()
    assert result.value == 4
    assert result.updated_by == world.users["secretariat"]
    with pytest.raises(CommandError, match="問題 1件"):
        run("import_results", str(path), "--year=2020", "--quarter=2", org)


def test_a_refused_import_exits_non_zero_from_the_shell(tmp_path):
    """Scripts see the failure in the exit status (CommandError → 1)."""
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    database = tmp_path / "cli.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": "",
        "SQLITE_PATH": str(database),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    subprocess.run([*manage, "load_demo", "--no-results"], env=env, check=True, capture_output=True)
    result = subprocess.run(
        [*manage, "import_plan", str(bad), "--year", "2021"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "パスワードで保護されたブック" in result.stderr
