from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.backup import BackupError, database_restore


class Command(BaseCommand):
    help = "バックアップからデータベースを復元します（現在の内容は置き換えられます）。"

    def add_arguments(self, parser):
        parser.add_argument("source", help="バックアップファイル")
        parser.add_argument("--yes", action="store_true", help="確認せずに復元します")

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError(
                "現在のデータは置き換えられます。よろしければ --yes を付けて実行してください。"
            )
        try:
            database_restore(source=Path(options["source"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("復元しました。")
