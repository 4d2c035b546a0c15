"""Making books and running imports, for the screens (as jobs) and the commands (directly).

``*_export`` functions write one workbook for a scope of businesses; ``book_job_create``
records a request and enqueues it after the transaction commits; ``book_job_run`` (called
by the Celery task) does the work, reports progress and keeps the file or the problems.
"""

from __future__ import annotations

import io
import logging
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from plans.audit import audit_record
from plans.models import AuditEvent, Business, Organization, Section, User
from results.basis import Basis, Purpose, basis_for
from results.models import SectionQuarter
from shakyo.lib.fiscal import fiscal_year_label, plain_digits

from . import pdf, reports, xlsx
from .access import book_scope
from .imports import ImportRefused, ImportSummary, Problem, plan_import, results_import
from .models import BookJob, ReportSummary

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Output = IO[bytes] | str | Path


def _no_progress(done: int, total: int) -> None:
    return None


def _audit_export(businesses: QuerySet[Business], user: User | None, summary: str) -> None:
    for organization in Organization.objects.filter(
        fiscal_years__businesses__in=businesses
    ).distinct():
        audit_record(
            organization=organization,
            user=user,
            action=AuditEvent.Action.EXPORTED,
            summary=summary,
        )


def plan_export(
    *, businesses: QuerySet[Business], year: int, output: Output, user: User | None = None
) -> reports.Book:
    """Write the 事業計画 of ``year`` for the given businesses."""
    book = reports.plan_book(businesses, year=year)
    xlsx.write_plan(book, output)
    _audit_export(
        businesses.filter(fiscal_year__year=year), user, f"{plain_digits(book.title)}を出力"
    )
    return book


def report_export(
    *,
    businesses: QuerySet[Business],
    year: int,
    quarter: int,
    output: Output,
    user: User | None = None,
    basis: Basis = Basis.APPROVED,
    on_progress: Progress = _no_progress,
) -> reports.ReportBook:
    """Write the 事業報告 of ``year`` with the 実績 up to ``quarter`` on ``basis``
    (``results.basis.basis_for``: approved figures only unless an internal book)."""
    book = reports.report_book(
        businesses, year=year, quarter=quarter, basis=basis, on_row=on_progress
    )
    xlsx.write_report(book, output)
    _audit_export(
        businesses.filter(fiscal_year__year=year), user, f"{plain_digits(book.title)}を出力"
    )
    return book


def city_export(
    *,
    businesses: QuerySet[Business],
    year: int,
    quarter: int,
    commissioner: Organization,
    output: Output,
    user: User | None = None,
    basis: Basis = Basis.APPROVED,
    on_progress: Progress = _no_progress,
) -> reports.ReportBook:
    """Write the 市への報告: the businesses ``commissioner`` commissioned, with 実績 on
    ``basis`` (as for ``report_export``)."""
    book = reports.city_book(
        businesses,
        year=year,
        quarter=quarter,
        commissioner=commissioner,
        basis=basis,
        on_row=on_progress,
    )
    xlsx.write_city_report(book, output)
    _audit_export(
        businesses.filter(fiscal_year__year=year, commissioned_by=commissioner),
        user,
        f"{plain_digits(book.title)}を出力",
    )
    return book


def board_packet_export(
    *,
    businesses: QuerySet[Business],
    year: int,
    quarter: int,
    output: Output,
    user: User | None = None,
    on_progress: Progress = _no_progress,
) -> reports.BoardPacket:
    """Write the workbook of the 理事会 packet of ``quarter``: cover, summary, shortfalls,
    事業報告. It is handed out printed as one PDF (``as_pdf``, and the job)."""
    packet = reports.board_packet(
        businesses,
        year=year,
        quarter=quarter,
        made_on=timezone.localdate(),
        on_row=on_progress,
    )
    xlsx.write_board_packet(packet, output)
    _audit_export(businesses.filter(fiscal_year__year=year), user, f"{packet.title}を出力")
    return packet


def _write(output: Output, data: bytes) -> None:
    if isinstance(output, (str, Path)):
        Path(output).write_bytes(data)
    else:
        output.write(data)


def as_pdf(export: Callable[..., object], *, output: Output, **arguments) -> object:
    """Run an ``*_export`` function and write its workbook printed as PDF to ``output``."""
    workbook = io.BytesIO()
    book = export(output=workbook, **arguments)
    _write(output, pdf.workbook_to_pdf(workbook.getvalue()))
    return book


def entry_export(
    *, section: Section, year: int, quarter: int, output: Output, user: User | None = None
) -> reports.EntryBook:
    """Write the offline 実績 entry workbook of ``section`` for ``quarter``.

    The workbook remembers the entry's version, so that importing it after someone else
    saved the same entry is refused instead of overwriting their input.
    """
    current = SectionQuarter.objects.filter(
        fiscal_year__organization=section.department.organization,
        fiscal_year__year=year,
        section=section,
        quarter=quarter,
    ).first()
    book = reports.entry_book(
        section=section,
        year=year,
        quarter=quarter,
        version=current.version if current else 0,
        state=current.get_state_display() if current else SectionQuarter.State.DRAFT.label,
    )
    xlsx.write_entry(book, output)
    audit_record(
        organization=section.department.organization,
        user=user,
        action=AuditEvent.Action.EXPORTED,
        summary=f"{plain_digits(book.title)}を出力",
        section=section,
    )
    return book


# ---------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------


def _download_name(job: BookJob) -> str:
    year = fiscal_year_label(job.year)
    quarter = f"_第{job.quarter}四半期" if job.quarter else ""
    internal = "_内部確認用" if job.include_unapproved else ""
    suffix = f".{job.file_format}"
    match job.kind:
        case BookJob.Kind.PLAN_EXPORT:
            return f"{year}_事業計画{suffix}"
        case BookJob.Kind.REPORT_EXPORT:
            return f"{year}_事業報告{quarter}{internal}{suffix}"
        case BookJob.Kind.CITY_EXPORT:
            return f"{year}_{job.commissioner.name}受託事業{quarter}{internal}{suffix}"
        case BookJob.Kind.ENTRY_EXPORT:
            return f"{year}{quarter}_実績入力_{job.section.name}{suffix}"
        case BookJob.Kind.BOARD_PACKET:
            return f"{year}{quarter}_理事会資料_事業進捗報告{suffix}"
    return f"{year}{suffix}"


@transaction.atomic
def book_job_create(
    *,
    user: User,
    kind: BookJob.Kind,
    year: int,
    quarter: int | None = None,
    section: Section | None = None,
    commissioner: Organization | None = None,
    include_unapproved: bool = False,
    confirm_figures: bool = False,
    upload: UploadedFile | None = None,
    file_format: BookJob.Format = BookJob.Format.XLSX,
) -> BookJob:
    """Record a book request and run it in the background once this transaction commits.

    The caller has checked that ``user`` may make it; the job runs with the user's
    permissions at that time (exports contain only what the user may read).
    """
    _purge_old_jobs(user)
    job = BookJob(
        organization_id=user.organization_id,
        user=user,
        kind=kind,
        year=year,
        quarter=quarter,
        section=section,
        commissioner=commissioner,
        include_unapproved=include_unapproved,
        file_format=BookJob.Format.PDF if kind == BookJob.Kind.BOARD_PACKET else file_format,
        confirm_figures=confirm_figures,
        message="順番を待っています。",
    )
    job.full_clean(exclude=["upload", "result"])
    job.save()
    if upload is not None:
        job.upload_name = upload.name[:255]
        job.upload.save(f"job-{job.pk}.xlsx", upload, save=False)
        job.save(update_fields=["upload", "upload_name"])
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


# Said on the job page while the job could not be queued; the sweeper sends it again.
_NOT_QUEUED = (
    "処理の受付に一時的につながらないため、まだ順番待ちに入っていません。"
    "自動でやり直しますので、このままお待ちください。"
)
# Publishing is retried this way before the job is left to the sweeper (about 2 s).
_PUBLISH_RETRY = {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.4, "interval_max": 1}


def _enqueue(job_id: int) -> bool:
    """Send the job's task under a new task id; False (and said on the job) if the
    broker could not be reached even after retrying."""
    from .tasks import book_job_run_task  # the task module imports this one

    task_id = str(uuid.uuid4())
    BookJob.objects.filter(pk=job_id).update(task_id=task_id, queued_at=timezone.now())
    try:
        book_job_run_task.apply_async(
            args=[job_id], task_id=task_id, retry=True, retry_policy=_PUBLISH_RETRY
        )
    except (BrokerError, OSError):
        logger.warning("book job %s could not be queued", job_id, exc_info=True)
        BookJob.objects.filter(pk=job_id, task_id=task_id, state=BookJob.State.PENDING).update(
            queued_at=None, message=_NOT_QUEUED
        )
        return False
    return True


def _purge_old_jobs(user: User) -> None:
    """Forget the user's finished jobs older than BOOKS_KEEP_DAYS, with their files."""
    cutoff = timezone.now() - timedelta(days=settings.BOOKS_KEEP_DAYS)
    old = list(BookJob.objects.filter(user=user, finished_at__lt=cutoff))
    for job in old:
        for stored in (job.result, job.upload):
            if stored:
                stored.delete(save=False)
    BookJob.objects.filter(pk__in=[job.pk for job in old]).delete()


def _set_progress(job_id: int, percent: int, message: str = "") -> None:
    fields = {"progress": max(0, min(100, percent))}
    if message:
        fields["message"] = message
    BookJob.objects.filter(pk=job_id).update(**fields)


# A job is started at most this many times (a worker that dies puts its job back).
MAX_ATTEMPTS = 3
_GIVEN_UP = f"処理が{MAX_ATTEMPTS}回とも途中で止まったため中止しました。"
_GIVEN_UP_IMPORT = _GIVEN_UP + "ファイルの大きさや内容を確認し、もう一度お試しください。"
_GIVEN_UP_EXPORT = (
    _GIVEN_UP
    + "しばらくしてからもう一度お試しください。続く場合はシステム管理者にお知らせください。"
)


class JobTooLong(Exception):
    """The job ran past BOOKS_JOB_SOFT_SECONDS (checked at each progress step)."""


def _too_long_message() -> str:
    minutes = max(1, settings.BOOKS_JOB_SOFT_SECONDS // 60)
    return (
        f"処理が制限時間（{minutes}分）を超えたため中止しました。"
        "範囲を絞るか、時間をおいてもう一度お試しください。何も変更していません。"
    )


def book_job_run(*, job_id: int, task_id: str | None = None) -> BookJob | None:
    """Do the work of a job; safe to call again for the same job (a redelivered task).

    A finished job is left alone, and so is a job sent again under another task id than
    ``task_id`` (this message is an older copy). An import marks its job done in the
    transaction that writes the data, so a task delivered twice never imports twice. A
    job already started ``MAX_ATTEMPTS`` times (each time its worker died) is marked
    failed, not run again. A job that runs past BOOKS_JOB_SOFT_SECONDS (or Celery's soft
    time limit) is failed with a message. A database error (the server restarting) is
    raised for the task to retry: the job is neither done nor failed by it.
    """
    with transaction.atomic():
        job = (
            BookJob.objects.select_for_update(of=("self",))
            .select_related("user", "organization", "section__department", "commissioner")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.is_finished:
            return job
        if task_id and job.task_id and task_id != job.task_id:
            return job
        if job.attempts >= MAX_ATTEMPTS:
            # Every start so far ended with its worker gone: the job would take the next
            # worker down too, so it stops here instead of being delivered forever.
            message = _GIVEN_UP_IMPORT if job.is_import else _GIVEN_UP_EXPORT
            _finish(job, BookJob.State.FAILED, message, [])
            job.refresh_from_db()
            return job
        job.state = BookJob.State.RUNNING
        job.attempts += 1
        job.progress = 1
        job.message = "処理しています。"
        job.started_at = timezone.now()
        job.save(update_fields=["state", "attempts", "progress", "message", "started_at"])

    deadline = time.monotonic() + settings.BOOKS_JOB_SOFT_SECONDS

    # The rows take 5–90 % of the bar; for a PDF, LibreOffice's print takes 70–95 %.
    share = 65 if job.file_format == BookJob.Format.PDF else 85

    def progress(done: int, total: int) -> None:
        if time.monotonic() > deadline:
            raise JobTooLong
        _set_progress(job_id, 5 + share * done // max(total, 1), f"{done} / {total} 行")

    try:
        if job.is_import:
            _run_import(job, progress)
        else:
            _run_export(job, progress)
    except ImportRefused as refused:
        _finish(job, BookJob.State.FAILED, _refused_message(refused), refused.problems)
    except (pdf.PdfUnavailable, pdf.PdfFailed):
        logger.exception("book job %s: no PDF", job_id)
        _finish(job, BookJob.State.FAILED, _NO_PDF, [])
    except (OperationalError, InterfaceError):
        raise  # the database went away: the task retries the job
    except (JobTooLong, SoftTimeLimitExceeded):
        logger.warning("book job %s ran past its time limit", job_id)
        _finish(job, BookJob.State.FAILED, _too_long_message(), [])
    except Exception:
        logger.exception("book job %s failed", job_id)
        _finish(
            job,
            BookJob.State.FAILED,
            "処理中に予期しないエラーが起きました。時間をおいてもう一度お試しください。",
            [],
        )
    job.refresh_from_db()
    return job


_NO_PDF = (
    "PDF を作成できませんでした。Excel 形式なら作成できます。"
    "続く場合はシステム管理者にお知らせください（PDF の作成には LibreOffice が必要です）。"
)


def _refused_message(refused: ImportRefused) -> str:
    count = len(refused.problems)
    return f"取り込みませんでした（問題 {count}件）。ファイルを直してもう一度アップロードしてください。"


def _finish(job: BookJob, state: str, message: str, problems: list[Problem]) -> None:
    BookJob.objects.filter(pk=job.pk).update(
        state=state,
        message=message[:300],
        errors=[p.as_dict() for p in problems],
        progress=100 if state == BookJob.State.DONE else job.progress,
        finished_at=timezone.now(),
    )
    if state == BookJob.State.FAILED:
        _delete_upload(job)


def _delete_upload(job: BookJob) -> None:
    """The upload may hold people's notes: it is not kept once its job has ended."""
    if job.upload:
        job.upload.delete(save=False)
        BookJob.objects.filter(pk=job.pk).update(upload="")


def _run_export(job: BookJob, progress: Progress) -> None:
    user = job.user
    output = io.BytesIO()
    scope = book_scope(user)
    match job.kind:
        case BookJob.Kind.PLAN_EXPORT:
            book = plan_export(businesses=scope, year=job.year, output=output, user=user)
        case BookJob.Kind.REPORT_EXPORT:
            book = report_export(
                businesses=scope,
                year=job.year,
                quarter=job.quarter,
                output=output,
                user=user,
                basis=basis_for(user, Purpose.REPORT, include_unapproved=job.include_unapproved),
                on_progress=progress,
            )
        case BookJob.Kind.CITY_EXPORT:
            book = city_export(
                businesses=scope,
                year=job.year,
                quarter=job.quarter,
                commissioner=job.commissioner,
                output=output,
                user=user,
                basis=basis_for(
                    user, Purpose.CITY_REPORT, include_unapproved=job.include_unapproved
                ),
                on_progress=progress,
            )
        case BookJob.Kind.ENTRY_EXPORT:
            book = entry_export(
                section=job.section, year=job.year, quarter=job.quarter, output=output, user=user
            )
        case BookJob.Kind.BOARD_PACKET:
            book = board_packet_export(
                businesses=scope,
                year=job.year,
                quarter=job.quarter,
                output=output,
                user=user,
                on_progress=progress,
            )
        case _:
            raise ValueError(job.kind)
    data = output.getvalue()
    if job.file_format == BookJob.Format.PDF:
        _set_progress(job.pk, 70, "PDF にしています。")
        data = pdf.workbook_to_pdf(data)
    _set_progress(job.pk, 95, "ファイルを保存しています。")
    # A run killed while writing left a partial file under this job's name, which the job
    # never pointed to: remove it so that a re-run replaces it instead of adding another.
    stored = f"job-{job.pk}.{job.file_format}"
    name = job.result.field.generate_filename(job, stored)
    if job.result.storage.exists(name):
        job.result.storage.delete(name)
    job.result.save(stored, ContentFile(data), save=False)
    BookJob.objects.filter(pk=job.pk).update(
        result=job.result.name, result_name=_download_name(job)
    )
    _finish(job, BookJob.State.DONE, f"{plain_digits(book.title)}を作成しました。", [])


def _run_import(job: BookJob, progress: Progress) -> None:
    def done(summary: ImportSummary) -> None:
        # Inside the import's transaction: the data and "done" commit together.
        if summary.plan_import_id is not None:
            BookJob.objects.filter(pk=job.pk).update(plan_import_id=summary.plan_import_id)
        _finish(job, BookJob.State.DONE, summary.message, [])

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "upload.xlsx"
        with job.upload.open("rb") as source:
            path.write_bytes(source.read())
        try:
            if job.kind == BookJob.Kind.PLAN_IMPORT:
                plan_import(
                    path=path,
                    organization=job.organization,
                    year=job.year,
                    user=job.user,
                    on_progress=progress,
                    on_written=done,
                    file_name=job.upload_name,
                )
            else:
                results_import(
                    path=path,
                    organization=job.organization,
                    user=job.user,
                    year=job.year,
                    quarter=job.quarter,
                    confirmed=job.confirm_figures,
                    on_progress=progress,
                    on_written=done,
                )
        except (OperationalError, InterfaceError):
            raise  # the database went away: the upload is kept for the retry
        except BaseException:
            _delete_upload(job)
            raise
        _delete_upload(job)


# ---------------------------------------------------------------------------------------
# 総括 (the written 事業報告)
# ---------------------------------------------------------------------------------------


def section_summary(*, section: Section, year: int, quarter: int) -> reports.SectionSummary | None:
    """The 総括 of one 係 at ``quarter``: drafts from the approved figures, with its edits."""
    book = reports.report_book(
        Business.objects.filter(section=section), year=year, quarter=quarter, basis=Basis.APPROVED
    )
    return book.written[0] if book.written else None


@transaction.atomic
def report_summary_save(
    *,
    user: User,
    section: Section,
    summary: reports.SectionSummary,
    quarter: int,
    texts: dict[int | None, str],
) -> int:
    """Keep the 係's 総括 (``texts`` by business pk, None for the 係's own paragraph).

    A text left as its draft, or emptied, goes back to the draft: only real edits are
    stored, so a draft follows the figures until somebody writes over it. Returns how
    many paragraphs changed; each change is audited with its old and new text.
    """
    current = {pk: written for pk, written in summary.businesses}
    current[None] = summary.overall
    changed = 0
    for business_id, text in texts.items():
        written = current[business_id]
        text = text.strip()
        keep = "" if text in ("", written.draft) else text
        before = written.text if written.edited else ""
        if keep == before:
            continue
        lookup = {
            "fiscal_year_id": summary.fiscal_year_id,
            "section_id": summary.section_id,
            "business_id": business_id,
            "quarter": quarter,
        }
        if keep:
            ReportSummary.objects.update_or_create(
                **lookup, defaults={"text": keep, "updated_by": user}
            )
        else:
            ReportSummary.objects.filter(**lookup).delete()
        audit_record(
            organization=user.organization,
            user=user,
            action=AuditEvent.Action.SUMMARY_EDITED,
            section=section,
            summary=f"{summary.section} 第{quarter}四半期 総括「{written.title}」",
            changes={"総括": [before or "（下書き）", keep or "（下書きに戻す）"]},
        )
        changed += 1
    return changed


# ---------------------------------------------------------------------------------------
# The sweeper: jobs that no worker will finish
# ---------------------------------------------------------------------------------------

# A job is sent again by the sweeper at most this many times before it is failed.
MAX_REQUEUES = 5
_STUCK_PENDING = (
    "処理を始められないまま時間が過ぎたため中止しました。"
    "しばらくしてからもう一度依頼してください。何も変更していません。"
)
_STUCK_RUNNING = (
    "処理が途中で止まったまま時間が過ぎたため中止しました。"
    "しばらくしてからもう一度依頼してください。続く場合はシステム管理者にお知らせください。"
)
_SENT_AGAIN = "処理が止まっていたため、もう一度順番待ちに入れました。"


@dataclass(frozen=True)
class SweepSummary:
    sent: int = 0
    failed: int = 0
    uploads_deleted: int = 0


def book_jobs_sweep() -> SweepSummary:
    """Send again or fail the jobs that no worker will finish; delete uploads no job reads.

    * waiting, never queued (sending failed: the broker was down) or queued more than
      BOOKS_JOB_QUEUE_SECONDS ago (the broker lost the message: Redis keeps nothing on
      disk) → sent again under a new task id, at most MAX_REQUEUES times, then failed;
    * running, started more than BOOKS_JOB_RUN_SECONDS ago → no worker is on it any more
      (the limit is past the hard time limit and the broker's visibility timeout, after
      which the broker would have delivered it again) → sent again while it has been
      started fewer than MAX_ATTEMPTS times, else failed;
    * an upload of a finished job, or a file in the uploads folders that no job names,
      older than BOOKS_JOB_QUEUE_SECONDS → deleted.

    Run by Celery beat every few minutes and when a worker starts; safe to run twice at
    once (each change is conditional on the state it saw).
    """
    now = timezone.now()
    queue_cutoff = now - timedelta(seconds=settings.BOOKS_JOB_QUEUE_SECONDS)
    run_cutoff = now - timedelta(seconds=settings.BOOKS_JOB_RUN_SECONDS)
    sent = failed = 0
    waiting = BookJob.objects.filter(state=BookJob.State.PENDING).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=queue_cutoff)
    )
    for job in waiting.only("pk", "task_id", "requeues", "progress", "upload"):
        if job.requeues >= MAX_REQUEUES:
            failed += _fail_if(
                job, Q(state=BookJob.State.PENDING, task_id=job.task_id), _STUCK_PENDING
            )
        elif _claim(job, Q(state=BookJob.State.PENDING, task_id=job.task_id)):
            sent += _enqueue(job.pk)
    stuck = BookJob.objects.filter(state=BookJob.State.RUNNING, started_at__lt=run_cutoff)
    for job in stuck.only(
        "pk", "task_id", "attempts", "requeues", "started_at", "progress", "upload"
    ):
        seen = Q(state=BookJob.State.RUNNING, started_at=job.started_at)
        if job.attempts >= MAX_ATTEMPTS or job.requeues >= MAX_REQUEUES:
            failed += _fail_if(job, seen, _STUCK_RUNNING)
        elif _claim(job, seen, state=BookJob.State.PENDING):
            sent += _enqueue(job.pk)
    return SweepSummary(
        sent=sent, failed=failed, uploads_deleted=_delete_stale_uploads(queue_cutoff)
    )


def _claim(job: BookJob, seen: Q, **changes: object) -> bool:
    """Count a resend of ``job`` if it is still as the sweeper saw it."""
    return bool(
        BookJob.objects.filter(seen, pk=job.pk).update(
            requeues=F("requeues") + 1, message=_SENT_AGAIN, **changes
        )
    )


def _fail_if(job: BookJob, seen: Q, message: str) -> int:
    updated = BookJob.objects.filter(seen, pk=job.pk).update(
        state=BookJob.State.FAILED, message=message, finished_at=timezone.now()
    )
    if updated:
        _delete_upload(job)
    return updated


def _delete_stale_uploads(cutoff) -> int:
    """Uploads of finished jobs, and upload files that no job names, older than ``cutoff``."""
    deleted = 0
    for job in BookJob.objects.filter(state__in=[BookJob.State.DONE, BookJob.State.FAILED]).exclude(
        upload=""
    ):
        _delete_upload(job)
        deleted += 1
    root = Path(settings.MEDIA_ROOT) / "books"
    if not root.is_dir():
        return deleted
    named = set(BookJob.objects.exclude(upload="").values_list("upload", flat=True))
    for folder in root.glob("*/uploads"):
        for path in folder.iterdir():
            name = path.relative_to(settings.MEDIA_ROOT).as_posix()
            if name in named or not path.is_file():
                continue
            if path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)
                deleted += 1
    return deleted
