"""A book job: one export or import, run in the background, with its progress and file."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from plans.models import Business, FiscalYear, Organization, PlanImport, Section, User

# A 総括 paragraph, as long as a council writes one for a 事業 (about a printed page).
SUMMARY_MAX_LENGTH = 2000


def _job_path(prefix: str, job: BookJob, filename: str) -> str:
    return f"books/{job.organization_id or 0}/{prefix}/{filename}"


def upload_path(job: BookJob, filename: str) -> str:
    return _job_path("uploads", job, filename)


def result_path(job: BookJob, filename: str) -> str:
    return _job_path("results", job, filename)


class BookJob(models.Model):
    """An export (the file is ``result``) or an import (the file is ``upload``).

    ``errors`` lists what refused an import, each ``{"sheet", "row", "column",
    "message"}``; a refused import changes nothing. Only the person who asked for a job
    sees it and downloads its file.
    """

    class Kind(models.TextChoices):
        PLAN_EXPORT = "plan_export", "事業計画"
        REPORT_EXPORT = "report_export", "事業報告"
        CITY_EXPORT = "city_export", "市への報告"
        ENTRY_EXPORT = "entry_export", "実績入力用ブック"
        BOARD_PACKET = "board_packet", "理事会資料（PDF）"
        PLAN_IMPORT = "plan_import", "事業計画の取り込み"
        RESULTS_IMPORT = "results_import", "実績の取り込み"

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel"
        PDF = "pdf", "PDF"

    class State(models.TextChoices):
        PENDING = "pending", "順番待ち"
        RUNNING = "running", "処理中"
        DONE = "done", "完了"
        FAILED = "failed", "エラー"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="book_jobs", verbose_name="法人"
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="book_jobs", verbose_name="依頼者"
    )
    kind = models.CharField("種類", max_length=20, choices=Kind)
    # An export is written as a workbook; as PDF it is that workbook printed (books/pdf.py).
    file_format = models.CharField(
        "ファイルの形式", max_length=4, choices=Format, default=Format.XLSX
    )
    state = models.CharField("状態", max_length=10, choices=State, default=State.PENDING)
    year = models.PositiveSmallIntegerField("年度（西暦）")
    quarter = models.PositiveSmallIntegerField("四半期", null=True, blank=True)
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="係",
    )
    commissioner = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="委託元",
    )
    # An internal 事業報告 / 市への報告 that includes 実績 not yet approved, each marked
    # (results.basis); the default book has approved figures only.
    include_unapproved = models.BooleanField("入力中を含む（内部確認用）", default=False)
    # A 実績 import whose person confirmed figures far beyond the target or the pace
    # (the entry page's 「この数で正しい」, results.rules).
    confirm_figures = models.BooleanField("この数で正しい（大きな数を確認済み）", default=False)
    progress = models.PositiveSmallIntegerField("進捗（%）", default=0)
    # How many times a worker has started the job: a job whose worker dies (out of memory,
    # killed) is delivered again, and is given up after services.MAX_ATTEMPTS starts.
    attempts = models.PositiveSmallIntegerField("開始回数", default=0)
    message = models.CharField("状況", max_length=300, blank=True)
    # The id of the one task message that may run the job. Sending the job again (the
    # sweeper) gives it a new id, so that an older copy of the message, if the broker
    # still delivers one, finds its id stale and leaves the job alone.
    task_id = models.CharField("処理の番号", max_length=64, blank=True)
    # When the job was last put in the queue (None: sending failed, the sweeper retries),
    # when a run last started it, and how often the sweeper has sent it again.
    queued_at = models.DateTimeField("順番待ちにした日時", null=True, blank=True)
    started_at = models.DateTimeField("開始日時", null=True, blank=True)
    requeues = models.PositiveSmallIntegerField("再送回数", default=0)
    upload = models.FileField("取り込むファイル", upload_to=upload_path, blank=True)
    upload_name = models.CharField("元のファイル名", max_length=255, blank=True)
    result = models.FileField("出力したファイル", upload_to=result_path, blank=True)
    result_name = models.CharField("ダウンロード名", max_length=255, blank=True)
    errors = models.JSONField("問題点", default=list, blank=True)
    # A plan import into a year that has a plan waits here for the 事務局's review.
    plan_import = models.ForeignKey(
        PlanImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="確認待ちの計画の取り込み",
    )
    created_at = models.DateTimeField("依頼日時", auto_now_add=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)

    class Meta:
        verbose_name = "帳票の処理"
        verbose_name_plural = "帳票の処理"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | (Q(quarter__gte=1) & Q(quarter__lte=4)),
                name="book_job_quarter_range",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="book_job_progress_range"),
            models.CheckConstraint(
                condition=~Q(kind="board_packet") | Q(file_format="pdf"),
                name="book_job_packet_is_pdf",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.get_state_display()}）"

    @property
    def is_import(self) -> bool:
        return self.kind in (self.Kind.PLAN_IMPORT, self.Kind.RESULTS_IMPORT)

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class ReportSummary(models.Model):
    """総括 as the 係 wrote it: one 事業's paragraph, or the 係's (``business`` empty).

    Only an edited text is stored; without one the 事業報告 prints the draft that
    ``books.summary`` writes from the figures.
    """

    fiscal_year = models.ForeignKey(
        FiscalYear,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="年度",
        db_index=False,  # unique_section_summary starts with this column
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="+", verbose_name="係"
    )
    business = models.ForeignKey(
        Business,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="事業",
        db_index=False,  # unique_business_summary starts with this column
    )
    quarter = models.PositiveSmallIntegerField("四半期")
    text = models.TextField("総括", max_length=SUMMARY_MAX_LENGTH)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    updated_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="更新者",
    )

    class Meta:
        verbose_name = "総括"
        verbose_name_plural = "総括"
        constraints = [
            models.UniqueConstraint(
                fields=["business", "quarter"],
                condition=Q(business__isnull=False),
                name="unique_business_summary",
            ),
            models.UniqueConstraint(
                fields=["fiscal_year", "section", "quarter"],
                condition=Q(business__isnull=True),
                name="unique_section_summary",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="summary_quarter_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section} 第{self.quarter}四半期 総括"
