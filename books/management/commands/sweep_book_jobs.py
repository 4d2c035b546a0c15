"""python manage.py sweep_book_jobs — for cron where no Celery beat runs (the embedded
default): jobs left waiting or running past their limits are sent again or failed, and
uploads no job will read are deleted (see books.services.book_jobs_sweep)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ...services import book_jobs_sweep


class Command(BaseCommand):
    help = "止まった帳票の処理をやり直すか中止し、読まれないアップロードを削除します。"

    def handle(self, *args, **options) -> None:
        summary = book_jobs_sweep()
        self.stdout.write(
            f"やり直し {summary.sent}件、中止 {summary.failed}件、"
            f"削除したアップロード {summary.uploads_deleted}件"
        )
