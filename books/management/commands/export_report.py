"""python manage.py export_report --year 2020 --quarter 2 --output report.xlsx (or .pdf)"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from plans.models import Business, Organization
from results.basis import Purpose, basis_for
from shakyo.lib.fiscal import fiscal_year_label

from ...services import city_export, report_export
from ._common import add_organization_argument, check_quarter, export_to, organization_get


class Command(BaseCommand):
    help = (
        "事業報告のブック（概要とグラフ、課ごとの実績）を出力します。"
        "--commissioner を付けると、その委託元への報告（受託事業のみ）を出力します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度（西暦の開始年）")
        parser.add_argument("--quarter", type=int, default=4, help="この四半期までの実績（1〜4）")
        parser.add_argument(
            "--output", required=True, help="出力するファイル（.xlsx、.pdf なら PDF）"
        )
        parser.add_argument("--commissioner", help="市への報告の委託元（例: 西東京市）")
        parser.add_argument(
            "--include-unapproved",
            action="store_true",
            help="入力中を含む（内部確認用）: 承認前の実績も含め、その数値に ※ を付けます",
        )
        add_organization_argument(parser)

    def handle(
        self,
        *args,
        year,
        quarter,
        output,
        commissioner,
        organization,
        include_unapproved,
        **options,
    ):
        check_quarter(quarter)
        council = organization_get(organization)
        scope = Business.objects.filter(fiscal_year__organization=council)
        if not scope.filter(fiscal_year__year=year).exists():
            raise CommandError(f"{fiscal_year_label(year)}の事業計画がありません。")
        if commissioner:
            body = Organization.objects.filter(name=commissioner).first()
            if body is None or not scope.filter(commissioned_by=body).exists():
                raise CommandError(f"「{commissioner}」からの受託事業がありません。")
            basis = basis_for(None, Purpose.CITY_REPORT, include_unapproved=include_unapproved)
            book = export_to(
                output,
                city_export,
                businesses=scope,
                year=year,
                quarter=quarter,
                commissioner=body,
                basis=basis,
            )
        else:
            basis = basis_for(None, Purpose.REPORT, include_unapproved=include_unapproved)
            book = export_to(
                output, report_export, businesses=scope, year=year, quarter=quarter, basis=basis
            )
        self.stdout.write(f"{book.title}を出力しました（{book.row_count}行）: {output}")
