"""python manage.py export_packet --year 2020 --quarter 2 --output packet.pdf"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from plans.models import Business
from shakyo.lib.fiscal import fiscal_year_label

from ...services import board_packet_export
from ._common import add_organization_argument, check_quarter, export_to, organization_get


class Command(BaseCommand):
    help = (
        "理事会資料（事業進捗報告）を1つの PDF に出力します: 表紙、状況別の件数とグラフ、"
        "遅れ・未着手の事業と理由、事業報告。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度（西暦の開始年）")
        parser.add_argument("--quarter", type=int, required=True, help="四半期（1〜4）")
        parser.add_argument("--output", required=True, help="出力するファイル（.pdf）")
        add_organization_argument(parser)

    def handle(self, *args, year, quarter, output, organization, **options):
        check_quarter(quarter)
        if not output.lower().endswith(".pdf"):
            raise CommandError("理事会資料は PDF です。--output は .pdf で指定してください。")
        council = organization_get(organization)
        scope = Business.objects.filter(fiscal_year__organization=council)
        if not scope.filter(fiscal_year__year=year).exists():
            raise CommandError(f"{fiscal_year_label(year)}の事業計画がありません。")
        packet = export_to(
            output, board_packet_export, businesses=scope, year=year, quarter=quarter
        )
        self.stdout.write(f"{packet.title}を出力しました: {output}")
