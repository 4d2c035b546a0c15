"""python manage.py import_plan plan.xlsx --year 2021"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.urls import reverse

from ...imports import ImportRefused, plan_import
from ._common import add_organization_argument, organization_get, report_refused


class Command(BaseCommand):
    help = (
        "事業計画のブックを取り込みます。計画のない年度には計画を作成します。計画のある年度では"
        "出力したブックの行と照らし合わせた変更点を保存するだけで、計画は変えません（事務局が画面で確認して反映します）。"
        "問題があればすべて表示し、何も変更せずに終了します（終了コード 1）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="取り込むブック（.xlsx）")
        parser.add_argument("--year", type=int, required=True, help="年度（西暦の開始年）")
        add_organization_argument(parser)

    def handle(self, *args, file: str, year: int, organization: str | None, **options):
        council = organization_get(organization)
        try:
            summary = plan_import(path=file, organization=council, year=year, user=None)
        except ImportRefused as refused:
            report_refused(self, refused)
        self.stdout.write(summary.message)
        if summary.plan_import_id is not None:
            url = reverse("plans:import_preview", args=[summary.plan_import_id])
            self.stdout.write(f"変更点の確認と反映は事務局の画面で行います: {url}")
