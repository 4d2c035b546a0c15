"""Uploads that once tied up the server are refused before openpyxl reads them, each within
1 s of CPU per MB (at least 1 s) and 200 MB of memory, in Japanese, writing nothing.

The shapes are built by bench/uploads.py (``python -m bench.uploads`` prints the table in
docs/security.md) and measured in a fresh process, so that the peak memory is that
upload's own. CPU time, not wall time, is asserted: the machine is shared.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.urls import reverse

from bench import uploads
from books.imports import ImportRefused, plan_import, results_import
from collab.forms import ImportForm
from collab.models import CollaborationProject
from plans.models import AuditEvent, PlanItem
from results.models import QuarterWindow, Result

from .test_collab_views import client_for, collab  # noqa: F401 (a fixture)

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
MEMORY_MB = 200


@pytest.mark.parametrize(
    ("shape", "outcome", "message"),
    [
        ("huge-dimension", "refused", "シートの行が多すぎます（1,000,000,000,000行目まで"),
        ("far-cell", "refused", "シートの行が多すぎます（1,000,000,000,000行目まで"),
        ("empty-rows-4mb", "refused", "シートの行が多すぎます（20,001行目まで"),
        ("shared-strings-9mb", "read", ""),  # 120,000 strings: under the limits, read
        ("shared-strings-9mb-short", "refused", "ブックの中の文字列が多すぎます"),
        ("shared-strings-repetitive", "refused", "zip 爆弾"),
        ("merged-area", "refused", "入力されたセルが多すぎます"),
        ("long-cell", "refused", "1つのセルの文字が長すぎます（上限 32,767文字）"),
        ("long-attribute", "refused", "ブックの中身が大きすぎます"),
        ("collab-huge-dimension", "refused", "シートの行が多すぎます"),
        ("collab-empty-rows-4mb", "refused", "シートの行が多すぎます"),
        ("collab-long-csv-field", "refused", "2行目: 1つの欄の文字が長すぎます（131,072文字まで）"),
        ("collab-long-text-line", "refused", "の協働分野が分かりません"),
    ],
)
def test_a_hostile_upload_is_answered_within_its_cpu_and_memory_bounds(
    tmp_path, shape, outcome, message
):
    path = uploads.build(shape, tmp_path)
    figures = uploads.measure(uploads.SHAPES[shape][1], path)
    assert figures["outcome"] == outcome, figures
    assert message in figures["message"]
    if outcome == "refused":
        assert JAPANESE.search(figures["message"])
        assert len(figures["message"]) < 400  # a line of the file is not repeated whole
    assert figures["cpu_seconds"] < max(1.0, figures["megabytes"]), figures
    assert figures["peak_mb"] < MEMORY_MB, figures


def _snapshot() -> tuple:
    return (
        list(PlanItem.objects.order_by("pk").values_list("pk", "target_text")),
        list(Result.objects.order_by("pk").values_list("pk", "value")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("shape", ["huge-dimension", "far-cell", "merged-area", "long-cell"])
def test_the_plan_and_results_imports_refuse_the_shapes_and_write_nothing(world, tmp_path, shape):
    QuarterWindow.objects.create(fiscal_year=world.business_a.fiscal_year, quarter=1, is_open=True)
    path = uploads.build(shape, tmp_path)
    before = _snapshot()
    with pytest.raises(ImportRefused) as plan:
        plan_import(path=path, organization=world.organization, year=2020, user=None)
    with pytest.raises(ImportRefused) as results:
        results_import(
            path=path, organization=world.organization, user=world.users["staff_a"], year=2020
        )
    assert _snapshot() == before
    for refused in (plan.value, results.value):
        assert len(refused.problems) == 1
        assert JAPANESE.search(refused.problems[0].message)


@pytest.mark.django_db
def test_a_long_csv_field_is_a_japanese_error_not_a_server_error(client, collab, tmp_path):  # noqa: F811
    path = uploads.long_csv_field(tmp_path / "一覧.csv")
    upload = SimpleUploadedFile("一覧.csv", path.read_bytes(), content_type="text/csv")
    before = CollaborationProject.objects.count()
    response = client_for(client, collab.users["collab_staff"]).post(
        reverse("collab:import"), {"file": upload, "year": 2021}
    )
    assert response.status_code == 400
    assert "1つの欄の文字が長すぎます（131,072文字まで）" in response.content.decode()
    assert CollaborationProject.objects.count() == before


class _Unreadable(UploadedFile):
    """An upload that declares its size and fails if anything reads it."""

    def __init__(self, size: int):
        super().__init__(file=None, name="一覧.csv", content_type="text/csv", size=size)

    def read(self, *args):
        raise AssertionError("the upload was read")

    def chunks(self, chunk_size=None):
        raise AssertionError("the upload was read")


def test_the_collab_form_refuses_an_upload_over_the_limit_without_reading_it(settings):
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    form = ImportForm({"year": form_year()}, {"file": _Unreadable(3 * 1024**3)})
    assert not form.is_valid()
    assert form.errors["file"] == ["ファイルが大きすぎます（上限 10 MB）。"]


def form_year() -> int:
    return ImportForm().fields["year"].choices[0][0]


@pytest.mark.django_db
def test_the_collab_command_refuses_a_file_over_the_limit_before_reading_it(
    tmp_path, settings, monkeypatch
):
    from django.core.management import CommandError, call_command

    settings.UPLOAD_MAX_BYTES = 1024
    path = tmp_path / "一覧.csv"
    path.write_bytes(b"x" * 2048)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(CommandError):
        call_command("import_collaboration", str(path), "--year", "2020")
    assert not CollaborationProject.objects.exists()
