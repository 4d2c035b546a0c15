"""python manage.py import_results results.xlsx --year 2020 [--quarter 2] [--user jimukyoku]"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ...imports import ImportRefused, results_import
from ._common import (
    add_organization_argument,
    check_quarter,
    organization_get,
    report_refused,
    secretariat_get,
)


class Command(BaseCommand):
    help = (
        "実績入力用ブックを取り込みます（係と四半期はブックに記録されています）。"
        "入力画面と同じ規則で確認し、問題があればすべて表示して何も変更せずに終了します（終了コード 1）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="取り込むブック（.xlsx）")
        parser.add_argument("--year", type=int, required=True, help="年度（西暦の開始年）")
        parser.add_argument("--quarter", type=int, help="四半期（指定するとブックと照合します）")
        parser.add_argument(
            "--user", help="記録に残す事務局の利用者名（省略時は事務局の最初の利用者）"
        )
        add_organization_argument(parser)

    def handle(self, *args, file, year, quarter, user, organization, **options):
        if quarter is not None:
            check_quarter(quarter)
        council = organization_get(organization)
        secretariat = secretariat_get(council, user)
        try:
            summary = results_import(
                path=file, organization=council, user=secretariat, year=year, quarter=quarter
            )
        except ImportRefused as refused:
            report_refused(self, refused)
        self.stdout.write(summary.message)
