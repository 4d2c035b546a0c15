"""Importing the real 協働事業一覧 seeds through the command and the service (all or nothing).

The hand counts (93 projects in seed 000, 77 in seed 001, 17 of them cancelled) and how they
were made are written down in ``tests/test_collab_parsing.py``.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from collab.models import CollaborationProject, ProjectValue, Review
from collab.parsing import Choice, ProjectRecord
from collab.services import CollaborationImportError, collaboration_import
from plans.models import AuditEvent, Organization

from .factories import CityFactory, OrganizationFactory

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"
NISHITOKYO = SEEDS / "000_130e65980c83cad3.txt"
KOGANEI = SEEDS / "001_069e6f1201844a42.txt"


@pytest.fixture(autouse=True)
def registered_cities(db):
    """The cities an operator registered (the command never creates one)."""
    return [CityFactory(name=name) for name in ("西東京市", "小金井市", "テスト市")]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_collaboration", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_collaboration", *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def labels(project: CollaborationProject, kind: str) -> list[str]:
    return [value.label for value in project.values_of(kind)]


@pytest.mark.django_db
def test_command_imports_the_93_projects_of_seed_000():
    output = run(str(NISHITOKYO), "--year", "2020")
    assert "93件の協働事業を取り込みました" in output
    assert "要確認: 33行目" in output
    city = Organization.objects.get(name="西東京市")
    assert city.kind == Organization.Kind.CITY
    projects = CollaborationProject.objects.filter(organization=city, year=2020)
    assert projects.count() == 93
    assert projects.filter(area="commission").count() == 27
    assert projects.filter(area="designated_manager").count() == 11
    assert not projects.filter(cancelled=True).exists()


@pytest.mark.django_db
def test_seed_000_rows_are_stored_field_by_field():
    run(str(NISHITOKYO), "--year", "2020")
    projects = CollaborationProject.objects.filter(organization__name="西東京市").prefetch_related(
        "values"
    )
    first = projects.get(position=1)
    assert (first.area, first.department, first.section, first.name, first.summary) == (
        "commission",
        "総務部",
        "危機管理課",
        "災害対策事業",
        "緊急医療救護所開設訓練。",
    )
    assert labels(first, "form") == ["委託"]
    mail = projects.get(name="ささえあいメール見守りサービス")
    assert (mail.department, mail.section, mail.position) == ("健康福祉部", "高齢者支援課", 2)
    shifted = projects.get(name="点訳サービス")
    assert (shifted.area, shifted.department, shifted.section) == (
        "cooperation",
        "教育部",
        "図書館",
    )
    assert shifted.summary == "図書館所蔵資料の点訳。各課発行物の点訳。"
    hall = projects.get(name="南町地区会館管理運営（指定管理）")
    assert (hall.area, hall.department, hall.section) == (
        "designated_manager",
        "生活文化スポーツ部",
        "文化振興課",
    )
    assert [p.area for p in projects.filter(name="交通安全対策事業").order_by("position")] == [
        "subsidy",
        "cooperation",
    ]
    last = projects.get(position=93)
    assert (last.area, last.section, last.name) == ("other", "健康課", "健康応援団")


@pytest.mark.django_db
def test_command_imports_the_77_projects_of_seed_001_with_their_ordered_values():
    output = run(str(KOGANEI), "--year", "2020")
    assert "77件の協働事業を取り込みました" in output
    projects = CollaborationProject.objects.filter(organization__name="小金井市").prefetch_related(
        "values"
    )
    assert projects.count() == 77
    assert list(projects.order_by("number").values_list("number", flat=True)) == list(range(1, 78))
    assert projects.filter(cancelled=True).count() == 17
    first = projects.get(number=1)
    assert labels(first, "category") == ["男女共同参画", "人権擁護、平和", "社会教育"]
    assert labels(first, "partner") == ["その他（編集委員会）"]
    assert labels(first, "form") == ["実行委員会・協議会"]
    assert first.area == "committee"
    sport = projects.get(number=59)
    assert labels(sport, "category") == ["社会教育", "学術、文化、芸術、スポーツ"]
    assert labels(sport, "partner") == ["財団法人", "NPO法人"]
    assert labels(sport, "form") == ["委託"]
    festival = projects.get(number=13)
    assert festival.cancelled is True
    assert labels(festival, "form") == ["実行委員会・協議会", "補助（助成）"]
    assert labels(projects.get(number=14), "form") == ["補助（助成）", "後援"]
    commissioned_and_cancelled = (
        projects.with_form("commission").filter(cancelled=True).order_by("number")
    )
    assert [p.name for p in commissioned_and_cancelled] == [
        "敬老会",
        "シニア世代のための地域参加講座",
    ]
    # One 形態 each, and a second one for 9, 10, 13, 14, 15, 22, 23, 24, 35, 39, 61, 64, 65.
    assert ProjectValue.objects.filter(project__in=projects, kind="form").count() == 77 + 13


@pytest.mark.django_db
def test_command_refuses_a_year_that_does_not_match_the_title():
    errors = refused(str(NISHITOKYO), "--year", "2021")
    assert "ファイルは令和2年度の一覧ですが、--year 2021（令和3年度）が指定されています" in errors
    assert not CollaborationProject.objects.exists()


@pytest.mark.django_db
def test_command_refuses_a_second_import_unless_replace_and_keeps_reviews():
    run(str(KOGANEI), "--year", "2020")
    errors = refused(str(KOGANEI), "--year", "2020")
    assert "小金井市の令和2年度の協働事業一覧は取り込み済みです（77件）" in errors
    project = CollaborationProject.objects.get(number=43)
    project.start_year = 1973
    project.save()
    review = Review.objects.create(project=project, year=2020, **dict.fromkeys(SCORES, 3))
    output = run(str(KOGANEI), "--year", "2020", "--replace")
    assert "77件の協働事業を取り込みました" in output
    assert CollaborationProject.objects.count() == 77
    project.refresh_from_db()
    assert project.start_year == 1973  # the text list carries no profile: kept
    assert Review.objects.get().pk == review.pk
    assert ProjectValue.objects.filter(project=project).count() == 3


SCORES = (
    "effectiveness",
    "goal_setting",
    "goal_sharing",
    "achievement",
    "cooperation",
    "beneficiary_satisfaction",
    "partner_satisfaction",
)


@pytest.mark.django_db
def test_command_prints_every_problem_in_japanese_and_stores_nothing(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text(
        "番号\t課\tコロナのため中止\t1 協働事業名\t2 事業内容\t3 分類\t4 相手\t5 形態\n"
        "1\t健康課\t\t献血\t献血の推進\t福祉\tボランティア団体\t共催\n"
        "2\t健康課\t済\t食育\t\t環境\t\t共催\n",
        encoding="utf-8",
    )
    errors = refused(str(bad), "--year", "2020")
    assert "3行目: 番号2: 中止欄の「済」は読めません" in errors
    assert "3行目: 番号2: 分類「環境」は選択肢にありません" in errors
    assert not CollaborationProject.objects.exists()


@pytest.mark.django_db
def test_command_reads_an_excel_sheet_and_needs_the_city_for_it(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["令和2年度 協働事業一覧"])
    sheet.append(["協働分野", "課", "事業名", "分類1", "相手1", "形態1", "形態2", "中止", "始期"])
    sheet.append(
        ["委託", "地域福祉課", "見守り", "福祉", "NPO法人", "委託", "事業協力", "", "平成21"]
    )
    sheet.append([None, None, "配食", "福祉", "社会福祉法人", None, None, "○", None])
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    errors = refused(str(path), "--year", "2020")
    assert "市を --city で指定してください" in errors
    output = run(str(path), "--year", "2020", "--city", "テスト市")
    assert "2件の協働事業を取り込みました" in output
    watch, meals = CollaborationProject.objects.order_by("position")
    assert (watch.section, watch.start_year, labels(watch, "form")) == (
        "地域福祉課",
        2009,
        ["委託", "事業協力"],
    )
    assert (meals.area, meals.section, meals.cancelled) == ("commission", "地域福祉課", True)


@pytest.mark.django_db
def test_command_refuses_a_city_nobody_registered_and_creates_none(tmp_path):
    errors = refused(str(KOGANEI), "--year", "2020", "--city", "武蔵野市")
    assert (
        "市「武蔵野市」は登録されていません。登録されている市: テスト市、小金井市、西東京市。"
        in errors
    )
    assert not Organization.objects.filter(name="武蔵野市").exists()
    assert not CollaborationProject.objects.exists()


@pytest.mark.django_db
def test_command_refuses_a_missing_file():
    with pytest.raises(CommandError, match="が見つかりません"):
        call_command("import_collaboration", "/nonexistent.txt", "--year", "2020")


def record(line: int, name: str, **kwargs) -> ProjectRecord:
    return ProjectRecord(line=line, name=name, **kwargs)


@pytest.mark.django_db
def test_service_refuses_an_organisation_that_is_not_a_city():
    council = OrganizationFactory(name="社協")
    with pytest.raises(CollaborationImportError) as caught:
        collaboration_import(organization=council, year=2020, records=[record(1, "見守り")])
    assert caught.value.errors == ["「社協」は市ではありません。協働事業一覧は市ごとに取り込みます"]


@pytest.mark.django_db
def test_service_stores_nothing_when_one_record_is_bad():
    city = CityFactory()
    records = [
        record(1, "見守り", area="commission", forms=[Choice("commission")]),
        record(2, "長" * 301),
        record(3, "配食", area="bogus"),
    ]
    with pytest.raises(CollaborationImportError) as caught:
        collaboration_import(organization=city, year=2020, records=records)
    assert len(caught.value.errors) == 2
    assert caught.value.errors[0].startswith("2行目「" + "長" * 301 + "」: name:")
    assert caught.value.errors[1].startswith("3行目「配食」: area:")
    assert not CollaborationProject.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_service_replace_refuses_to_drop_a_project_with_a_review():
    city = CityFactory()
    collaboration_import(
        organization=city, year=2020, records=[record(1, "見守り"), record(2, "配食")]
    )
    kept = CollaborationProject.objects.get(name="配食")
    Review.objects.create(project=kept, year=2020, **dict.fromkeys(SCORES, 2))
    with pytest.raises(CollaborationImportError) as caught:
        collaboration_import(
            organization=city, year=2020, records=[record(1, "見守り")], replace=True
        )
    assert "ふりかえりが登録されている「配食」" in caught.value.errors[0]
    assert CollaborationProject.objects.count() == 2


@pytest.mark.django_db
def test_service_replace_updates_adds_and_removes():
    city = CityFactory()
    collaboration_import(
        organization=city, year=2020, records=[record(1, "見守り"), record(2, "配食")]
    )
    watch = CollaborationProject.objects.get(name="見守り")
    outcome = collaboration_import(
        organization=city,
        year=2020,
        records=[record(1, "新規"), record(2, "見守り", summary="更新した")],
        replace=True,
    )
    assert (outcome.created, outcome.updated, outcome.deleted) == (1, 1, 1)
    watch.refresh_from_db()
    assert (watch.summary, watch.position) == ("更新した", 2)
    assert sorted(CollaborationProject.objects.values_list("name", flat=True)) == ["新規", "見守り"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED).count() == 2


def _zip(entries: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


_WORKBOOK = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_zip({**_WORKBOOK, "xl/worksheets/sheet1.xml": b"\0" * (30 * 1024 * 1024)}), "zip 爆弾"),
        (_zip({**_WORKBOOK, "xl/vbaProject.bin": b"macro"}), "マクロ付き"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "パスワードで保護"),
    ],
    ids=["zip-bomb", "xlsm", "password"],
)
def test_unsafe_workbooks_are_refused_before_reading_and_change_nothing(tmp_path, content, message):
    path = tmp_path / "一覧.xlsx"
    path.write_bytes(content)
    error = refused(str(path), "--year", "2020", "--city", "西東京市")
    assert message in error
    assert not CollaborationProject.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(tmp_path, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    path = tmp_path / "一覧.csv"
    path.write_bytes(NISHITOKYO.read_bytes())
    assert "ファイルが大きすぎます" in refused(str(path), "--year", "2020")
    assert not CollaborationProject.objects.exists()
