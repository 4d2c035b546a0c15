"""The 帳票 page: who may ask for which book or import, progress, download."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from books import xlsx
from books.models import BookJob
from books.services import book_job_run, entry_export, plan_export
from plans.models import Business, Organization, PlanItem
from results.models import QuarterWindow, Result

from .factories import PASSWORD

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def post_export(client, capture, kind, **data):
    with capture(execute=True):
        return client.post(reverse("books:export", args=[kind]), data)


@pytest.mark.parametrize(
    ("role", "plan", "report", "city", "entry_a", "entry_b", "plan_import", "results_import"),
    [
        ("secretariat", 302, 302, 302, 302, 302, 302, 302),
        ("department_head", 302, 302, 403, 403, 403, 403, 403),
        ("staff_a", 302, 302, 403, 302, 403, 403, 302),
        ("board", 302, 302, 302, 403, 403, 403, 403),
        ("city", 403, 403, 302, 403, 403, 403, 403),
        ("other_org", 302, 302, 403, 403, 403, 302, 302),  # its own council's books only
        ("no_role", 403, 403, 403, 403, 403, 403, 403),
    ],
)
def test_who_may_ask_for_which_book(
    client,
    world,
    django_capture_on_commit_callbacks,
    role,
    plan,
    report,
    city,
    entry_a,
    entry_b,
    plan_import,
    results_import,
):
    login(client, world.users[role])
    capture = django_capture_on_commit_callbacks
    assert post_export(client, capture, "plan", year=2020).status_code == plan
    assert post_export(client, capture, "report", year=2020, quarter=2).status_code == report
    response = post_export(
        client, capture, "city", year=2020, quarter=2, commissioner=world.city.pk
    )
    assert response.status_code == city
    response = post_export(
        client, capture, "entry", year=2020, quarter=1, section=world.section_a.pk
    )
    assert response.status_code == entry_a
    response = post_export(
        client, capture, "entry", year=2020, quarter=1, section=world.section_b.pk
    )
    assert response.status_code == entry_b
    upload = SimpleUploadedFile("plan.xlsx", b"not really", content_type=XLSX)
    response = client.post(reverse("books:import_plan"), {"year": 2021, "file": upload})
    assert response.status_code == plan_import
    upload = SimpleUploadedFile("entry.xlsx", b"not really", content_type=XLSX)
    response = client.post(
        reverse("books:import_results"), {"year": 2020, "quarter": 1, "file": upload}
    )
    assert response.status_code == results_import


def test_a_city_user_gets_only_its_own_bodys_report(
    client, world, django_capture_on_commit_callbacks
):
    login(client, world.users["city"])
    response = post_export(
        client,
        django_capture_on_commit_callbacks,
        "city",
        year=2020,
        quarter=2,
        commissioner=world.other_organization.pk,
    )
    assert response.status_code == 403
    response = post_export(
        client,
        django_capture_on_commit_callbacks,
        "city",
        year=2020,
        quarter=2,
        commissioner=world.city.pk,
    )
    job = BookJob.objects.get()
    download = client.get(reverse("books:download", args=[job.pk]))
    wb = load_workbook(BytesIO(b"".join(download.streaming_content)))
    text = "".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )
    assert world.commissioned.name in text
    assert world.business_a.name not in text


def test_index_page_shows_the_forms_the_user_may_use(client, world):
    login(client, world.users["staff_a"])
    html = client.get(reverse("books:index")).content.decode()
    assert "事業計画を作成" in html
    assert "入力用ブックを作成" in html
    assert "実績の取り込み" in html
    assert "事業計画の取り込み" not in html
    assert "市への報告を作成" not in html
    login(client, world.users["city"])
    html = client.get(reverse("books:index")).content.decode()
    assert "市への報告を作成" in html
    assert "事業計画を作成" not in html
    login(client, world.users["no_role"])
    assert client.get(reverse("books:index")).status_code == 403


def test_export_runs_as_a_job_with_progress_and_a_download(
    client, world, django_capture_on_commit_callbacks
):
    login(client, world.users["secretariat"])
    response = post_export(
        client, django_capture_on_commit_callbacks, "report", year=2020, quarter=2
    )
    job = BookJob.objects.get()
    assert response["Location"] == reverse("books:job", args=[job.pk])
    assert job.state == BookJob.State.DONE
    assert job.progress == 100
    status = client.get(reverse("books:job_status", args=[job.pk])).json()
    assert status["finished"] is True
    assert status["download_url"] == reverse("books:download", args=[job.pk])
    page = client.get(reverse("books:job", args=[job.pk])).content.decode()
    assert "令和2年度_事業報告_第2四半期.xlsx をダウンロード" in page
    assert "books_job.js" in page
    download = client.get(reverse("books:download", args=[job.pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    wb = load_workbook(BytesIO(b"".join(download.streaming_content)))
    assert wb.sheetnames[0] == "概要"


def test_a_pending_job_page_polls_for_progress(client, world):
    job = BookJob.objects.create(
        organization=world.organization,
        user=world.users["secretariat"],
        kind=BookJob.Kind.PLAN_EXPORT,
        year=2020,
    )
    login(client, world.users["secretariat"])
    page = client.get(reverse("books:job", args=[job.pk])).content.decode()
    assert 'data-finished="0"' in page
    assert "<progress" in page
    assert "<script>" not in page  # no inline scripts (CSP)
    status = client.get(reverse("books:job_status", args=[job.pk])).json()
    assert status == {
        "state": "pending",
        "state_label": "順番待ち",
        "progress": 0,
        "message": "",
        "finished": False,
        "download_url": "",
        "errors": 0,
    }
    assert client.get(reverse("books:download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("role", ["staff_a", "other_org", "city"])
def test_nobody_else_sees_or_downloads_a_job(client, world, role):
    job = BookJob.objects.create(
        organization=world.organization,
        user=world.users["secretariat"],
        kind=BookJob.Kind.PLAN_EXPORT,
        year=2020,
    )
    book_job_run(job_id=job.pk)
    login(client, world.users[role])
    for name in ("books:job", "books:job_status", "books:download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 403


def test_a_refused_import_lists_every_problem_and_changes_nothing(
    client, world, django_capture_on_commit_callbacks
):
    QuarterWindow.objects.create(fiscal_year=world.business_a.fiscal_year, quarter=1, is_open=True)
    buffer = BytesIO()
    entry_export(section=world.section_a, year=2020, quarter=1, output=buffer)
    wb = load_workbook(BytesIO(buffer.getvalue()))
    ws = wb["実績入力"]
    ws["E5"] = "多数"
    ws["E6"] = "=1+2"
    out = BytesIO()
    wb.save(out)
    login(client, world.users["staff_a"])
    upload = SimpleUploadedFile("entry.xlsx", out.getvalue(), content_type=XLSX)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("books:import_results"), {"year": 2020, "quarter": 1, "file": upload}
        )
    job = BookJob.objects.get()
    assert job.state == BookJob.State.FAILED
    assert [(e["sheet"], e["row"], e["column"]) for e in job.errors] == [
        ("実績入力", 5, "E"),
        ("実績入力", 6, "E"),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "取り込みませんでした（問題 2件）" in page
    assert "は数として読めません" in page
    assert "数式は使えません" in page
    assert not Result.objects.exists()


def test_a_clean_plan_import_through_the_page(client, world, django_capture_on_commit_callbacks):
    buffer = BytesIO()
    plan_export(
        businesses=Business.objects.filter(fiscal_year__organization=world.organization),
        year=2020,
        output=buffer,
    )
    login(client, world.users["secretariat"])
    upload = SimpleUploadedFile("計画.xlsx", buffer.getvalue(), content_type=XLSX)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("books:import_plan"), {"year": 2021, "file": upload})
    job = BookJob.objects.get()
    assert job.state == BookJob.State.DONE, job.errors
    assert job.upload_name == "計画.xlsx"
    assert "令和3年度の事業計画を作成しました" in client.get(response["Location"]).content.decode()
    assert PlanItem.objects.filter(initiative__business__fiscal_year__year=2021).count() == 12


def test_a_plan_naming_an_unknown_commissioner_is_refused_and_creates_no_organisation(
    client, world, django_capture_on_commit_callbacks
):
    """The attack of issue 14: a workbook names a body; the import no longer creates it,
    links it, or lets the council read that city's data afterwards."""
    buffer = BytesIO()
    plan_export(
        businesses=Business.objects.filter(fiscal_year__organization=world.organization),
        year=2020,
        output=buffer,
    )
    workbook = load_workbook(BytesIO(buffer.getvalue()))
    sheet = workbook[world.section_a.department.name]
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, xlsx.PLAN_TAG).value == "business":
            data = json.loads(sheet.cell(row, xlsx.PLAN_DATA).value)
            data["commissioned_by"] = "小金井市"
            sheet.cell(row, xlsx.PLAN_DATA).value = json.dumps(data, ensure_ascii=False)
            break
    edited = BytesIO()
    workbook.save(edited)
    organisations = Organization.objects.count()
    login(client, world.users["secretariat"])
    upload = SimpleUploadedFile("計画.xlsx", edited.getvalue(), content_type=XLSX)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("books:import_plan"), {"year": 2021, "file": upload})
    job = BookJob.objects.get()
    assert job.state == BookJob.State.FAILED
    page = client.get(response["Location"]).content.decode()
    assert (
        "委託元「小金井市」はこの法人に登録されていません。登録されている委託元: 西東京市。" in page
    )
    assert Organization.objects.count() == organisations
    assert not Business.objects.filter(fiscal_year__year=2021).exists()
    # The council still reads no 協働事業一覧 but the one granted to it.
    response = client.get(reverse("collab:index"))
    assert "小金井市" not in response.content.decode()


def test_only_xlsx_uploads_are_accepted_by_the_form(client, world):
    login(client, world.users["secretariat"])
    upload = SimpleUploadedFile("plan.xlsm", b"PK\x03\x04", content_type=XLSX)
    response = client.post(
        reverse("books:import_plan"), {"year": 2021, "file": upload}, follow=True
    )
    assert "Excel ブック（.xlsx）を選んでください" in response.content.decode()
    assert not BookJob.objects.exists()


def test_a_finished_job_is_not_run_twice(world):
    job = BookJob.objects.create(
        organization=world.organization,
        user=world.users["secretariat"],
        kind=BookJob.Kind.PLAN_EXPORT,
        year=2020,
    )
    first = book_job_run(job_id=job.pk)
    name = first.result.name
    again = book_job_run(job_id=job.pk)
    assert again.state == BookJob.State.DONE
    assert again.result.name == name
    assert again.finished_at == first.finished_at
    assert again.attempts == first.attempts == 1


def _running_job(world, attempts, kind=BookJob.Kind.PLAN_EXPORT):
    """A job as a worker that died left it: started ``attempts`` times, never finished."""
    return BookJob.objects.create(
        organization=world.organization,
        user=world.users["secretariat"],
        kind=kind,
        year=2020,
        state=BookJob.State.RUNNING,
        attempts=attempts,
        progress=40,
    )


def test_a_job_whose_worker_died_is_run_again(world):
    job = book_job_run(job_id=_running_job(world, attempts=2).pk)
    assert job.state == BookJob.State.DONE, job.message
    assert job.attempts == 3
    assert job.result


@pytest.mark.parametrize(
    ("kind", "advice"),
    [
        (
            BookJob.Kind.PLAN_EXPORT,
            "しばらくしてからもう一度お試しください。続く場合はシステム管理者にお知らせください。",
        ),
        (BookJob.Kind.PLAN_IMPORT, "ファイルの大きさや内容を確認し、もう一度お試しください。"),
    ],
)
def test_a_job_that_stopped_its_worker_three_times_is_given_up(client, world, kind, advice):
    job = book_job_run(job_id=_running_job(world, attempts=3, kind=kind).pk)
    assert job.state == BookJob.State.FAILED
    assert job.attempts == 3
    assert not job.result
    assert job.finished_at is not None
    assert job.message == "処理が3回とも途中で止まったため中止しました。" + advice
    login(client, world.users["secretariat"])
    page = client.get(reverse("books:job", args=[job.pk])).content.decode()
    assert job.message in page


def test_uploads_are_not_kept_and_old_jobs_are_forgotten(
    client, world, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    login(client, world.users["secretariat"])
    upload = SimpleUploadedFile("plan.xlsx", b"not a workbook", content_type=XLSX)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("books:import_plan"), {"year": 2021, "file": upload})
    job = BookJob.objects.get()
    assert job.state == BookJob.State.FAILED
    assert not job.upload
    assert job.upload_name == "plan.xlsx"
    assert not list((settings.MEDIA_ROOT / "books").rglob("*.xlsx"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("books:export", args=["plan"]), {"year": 2020})
    exported = BookJob.objects.get(kind=BookJob.Kind.PLAN_EXPORT)
    path = settings.MEDIA_ROOT / exported.result.name
    assert path.exists()
    BookJob.objects.update(
        finished_at=timezone.now() - timedelta(days=settings.BOOKS_KEEP_DAYS + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("books:export", args=["plan"]), {"year": 2020})
    assert BookJob.objects.count() == 1  # only the new one
    assert not path.exists()


@pytest.mark.parametrize("confirm", [False, True])
def test_a_large_imported_figure_is_kept_only_when_the_uploader_confirms_it(
    client, world, django_capture_on_commit_callbacks, confirm
):
    QuarterWindow.objects.create(fiscal_year=world.business_a.fiscal_year, quarter=1, is_open=True)
    buffer = BytesIO()
    entry_export(section=world.section_a, year=2020, quarter=1, output=buffer)
    wb = load_workbook(BytesIO(buffer.getvalue()))
    wb["実績入力"]["E5"] = 5000  # the 7回予定 row
    out = BytesIO()
    wb.save(out)
    login(client, world.users["staff_a"])
    page = client.get(reverse("books:index")).content.decode()
    assert "この数で正しい（目標や予定より極端に大きい数を確認しました）" in page
    data = {"year": 2020, "quarter": 1}
    if confirm:
        data["confirm_figures"] = "1"
    upload = SimpleUploadedFile("entry.xlsx", out.getvalue(), content_type=XLSX)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("books:import_results"), {**data, "file": upload})
    job = BookJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    if confirm:
        assert job.state == BookJob.State.DONE
        assert Result.objects.get().value == 5000
    else:
        assert job.state == BookJob.State.FAILED
        assert "5,000回は年間の目標（7回）の3倍を超えています。" in page
        assert "「この数で正しい」にチェックして" in page
        assert not Result.objects.exists()
