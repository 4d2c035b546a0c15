"""python manage.py export_plan --year 2020 --output plan.xlsx (or plan.pdf)"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from plans.models import Business
from shakyo.lib.fiscal import fiscal_year_label

from ...services import plan_export
from ._common import add_organization_argument, export_to, organization_get


class Command(BaseCommand):
    help = "事業計画のブック（課ごとのシート）を出力します。--year は年度の西暦の開始年（2020 = 令和2年度）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度（西暦の開始年）")
        parser.add_argument(
            "--output", required=True, help="出力するファイル（.xlsx、.pdf なら PDF）"
        )
        add_organization_argument(parser)

    def handle(self, *args, year: int, output: str, organization: str | None, **options):
        council = organization_get(organization)
        scope = Business.objects.filter(fiscal_year__organization=council)
        if not scope.filter(fiscal_year__year=year).exists():
            raise CommandError(f"{fiscal_year_label(year)}の事業計画がありません。")
        book = export_to(output, plan_export, businesses=scope, year=year)
        self.stdout.write(f"{book.title}を出力しました（{book.row_count}行）: {output}")
