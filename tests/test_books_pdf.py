"""Books as PDF, and the 理事会 packet: asked for on the 帳票 page or by command, made in the job."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from books import pdf
from books.models import BookJob
from plans.models import User
from results.models import SectionQuarter

from .factories import PASSWORD

needs_libreoffice = pytest.mark.skipif(
    not (pdf.soffice() and shutil.which("pdftotext")),
    reason="LibreOffice と poppler-utils が必要です（make test が scripts/ensure-print.sh で入れます）",
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _pages(path: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    count = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def _flat(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def _download(client, job: BookJob, directory: Path) -> Path:
    response = client.get(reverse("books:download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = directory / job.result_name
    path.write_bytes(b"".join(response.streaming_content))
    return path


@needs_libreoffice
@pytest.mark.django_db
@time_machine.travel("2020-10-20 10:00 +0900", tick=False)
def test_the_board_packet_is_one_pdf_cover_summary_shortfalls_report(
    client, django_capture_on_commit_callbacks, tmp_path
):
    call_command("load_demo", stdout=StringIO())
    approved = SectionQuarter.objects.filter(quarter=2, state=SectionQuarter.State.APPROVED)
    approved_names = sorted(approved.values_list("section__name", flat=True))
    assert approved_names  # the demo has approved and unapproved 係 at 第2四半期
    client.force_login(User.objects.get(username="jimukyoku"))
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("books:export", args=["packet"]), {"year": 2020, "quarter": 2}
        )
    seconds = time.perf_counter() - started
    job = BookJob.objects.get()
    assert response["Location"] == reverse("books:job", args=[job.pk])
    assert (job.state, job.progress, job.file_format) == ("done", 100, "pdf")
    assert job.message == "令和2年度　第2四半期　事業進捗報告を作成しました。"
    assert job.result_name == "令和2年度_第2四半期_理事会資料_事業進捗報告.pdf"
    pages = _pages(_download(client, job, tmp_path))
    flat = [_flat(page) for page in pages]

    cover = flat[0]
    assert "令和２年度第２四半期事業進捗報告" in cover
    assert "令和２年１０月２０日" in cover
    assert "社会福祉法人西東京市社会福祉協議会" in cover
    sections = SectionQuarter.objects.filter(quarter=2).count()
    assert f"実績を承認済みの係{len(approved_names)}/" in cover
    for name in approved_names:
        assert re.search(f"{name}承認済み", cover)
    assert sections >= 1
    # The summary with its chart, then the shortfalls with their reasons.
    assert "状況別の件数" in flat[1] and "係別の状況" in flat[1]
    assert "遅れ・未着手の事業と理由" in flat[2]
    assert "理由・今後の対応" in flat[2]
    assert "（第1四半期）" in flat[2]  # a reason as the 係 wrote it
    # Then the 事業報告, every page numbered 「n / N」.
    assert any("総務課事業報告" in page for page in flat[3:])
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"^\s*{number} / {len(pages)}\s*$", page, re.M), number
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / job.result_name)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert any("NotoSansCJK" in line for line in fonts)
    assert all(line.split()[-5] == "yes" for line in fonts)  # every font embedded
    print(f"理事会資料 (S, {len(pages)} pages): {seconds:.2f} s")


@needs_libreoffice
@pytest.mark.django_db
def test_a_plan_asked_for_as_pdf_is_the_printed_plan(
    client, world, django_capture_on_commit_callbacks, tmp_path
):
    assert client.login(username=world.users["secretariat"].username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("books:export", args=["plan"]), {"year": 2020, "file_format": "pdf"})
    job = BookJob.objects.get()
    assert job.state == "done"
    assert job.result_name == "令和2年度_事業計画.pdf"
    assert job.result.name.endswith(".pdf")
    pages = _pages(_download(client, job, tmp_path))
    assert "事業計画" in _flat(pages[0])
    assert world.business_a.section.name in _flat("".join(pages))
    index = client.get(reverse("books:index")).content.decode()
    assert "事業計画・PDF" in index


@pytest.mark.django_db
def test_without_libreoffice_a_pdf_job_fails_with_a_plain_message(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    assert client.login(username=world.users["secretariat"].username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("books:export", args=["report"]),
            {"year": 2020, "quarter": 2, "file_format": "pdf"},
        )
    job = BookJob.objects.get()
    assert job.state == "failed"
    assert job.message.startswith("PDF を作成できませんでした。Excel 形式なら作成できます。")
    assert not job.result


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("secretariat", 302), ("department_head", 302), ("board", 302), ("city", 403),
     ("no_role", 403)],
)  # fmt: skip
def test_who_may_ask_for_the_board_packet(
    client, world, django_capture_on_commit_callbacks, role, status
):
    assert client.login(username=world.users[role].username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("books:export", args=["packet"]), {"year": 2020, "quarter": 2}
        )
    assert response.status_code == status
    if status == 302:
        job = BookJob.objects.get()
        assert (job.kind, job.file_format) == ("board_packet", "pdf")


@pytest.mark.django_db
def test_the_board_packet_needs_a_quarter(client, world):
    assert client.login(username=world.users["secretariat"].username, password=PASSWORD)
    response = client.post(reverse("books:export", args=["packet"]), {"year": 2020}, follow=True)
    assert not BookJob.objects.exists()
    alerts = re.findall(r'role="alert">([^<]*)', response.content.decode())
    assert alerts == ["この項目は必須です。"]


@needs_libreoffice
@pytest.mark.django_db
def test_commands_write_pdf_when_the_output_ends_in_pdf(r2_plan, tmp_path):
    output = tmp_path / "report.pdf"
    out = StringIO()
    call_command("export_report", "--year=2020", "--quarter=2", f"--output={output}", stdout=out)
    assert output.read_bytes().startswith(b"%PDF")
    assert "事業報告" in _flat(_pages(output)[1])
    with pytest.raises(CommandError, match=r"\.pdf で指定してください"):
        call_command(
            "export_packet", "--year=2020", "--quarter=2", f"--output={tmp_path / 'p.xlsx'}"
        )


@needs_libreoffice
def test_conversions_at_the_same_time_do_not_share_a_profile(tmp_path):
    from openpyxl import Workbook

    book = tmp_path / "small.xlsx"
    wb = Workbook()
    wb.active["A1"] = "社会福祉協議会"
    wb.save(book)
    data = book.read_bytes()
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(pdf.workbook_to_pdf(data))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert all(result.startswith(b"%PDF") for result in results)


@needs_libreoffice
def test_a_conversion_past_its_timeout_is_stopped(tmp_path):
    with pytest.raises(pdf.PdfFailed, match="longer than"):
        pdf.workbook_to_pdf(b"PK not really a workbook", timeout=0.05)
