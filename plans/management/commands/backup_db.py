from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plans.backup import BackupError, database_backup


class Command(BaseCommand):
    help = "データベース全体をバックアップします（SQLite はオンラインバックアップ、PostgreSQL は pg_dump）。"

    def add_arguments(self, parser):
        parser.add_argument("--output", help="出力先（既定: backups/shakyo-日時.*）")

    def handle(self, *args, **options):
        output = options["output"]
        if not output:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = f"backups/shakyo-{stamp}.backup"
        try:
            path = database_backup(output=Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"バックアップしました: {path}")
