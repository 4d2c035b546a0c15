"""python manage.py import_collaboration FILE --year 2020 [--city 小金井市] [--replace]"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from collab import services
from plans.models import Organization
from shakyo.lib.fiscal import fiscal_year_label


class Command(BaseCommand):
    help = (
        "市の協働事業一覧（西東京市・小金井市の一覧のテキスト、または見出し行のある"
        " Excel・CSV）を取り込みます。形式は内容から判断します。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="取り込むファイル")
        parser.add_argument("--year", type=int, required=True, help="年度（西暦）。例：2020")
        parser.add_argument(
            "--city",
            help="市の名称。西東京市・小金井市の一覧では省略できます（内容から判断）。",
        )
        parser.add_argument(
            "--replace", action="store_true", help="取り込み済みの一覧を置き換えます。"
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"ファイル「{path}」が見つかりません。")
        year: int = options["year"]
        if path.stat().st_size > settings.UPLOAD_MAX_BYTES:
            limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
            self._refuse([f"ファイルが大きすぎます（上限 {limit} MB）"])
        result = services.collaboration_parse_file(path.read_bytes())
        problems = [str(error) for error in result.errors]
        if result.fiscal_year and result.fiscal_year != year:
            problems.insert(
                0,
                f"ファイルは{fiscal_year_label(result.fiscal_year)}の一覧ですが、"
                f"--year {year}（{fiscal_year_label(year)}）が指定されています",
            )
        city_name = options["city"] or services.FORMAT_CITIES.get(result.format, "")
        if not city_name and not result.errors:
            problems.append("市を --city で指定してください（例：--city 小金井市）")
        cities = Organization.objects.filter(kind=Organization.Kind.CITY)
        city = cities.filter(name=city_name).first() if city_name else None
        if city_name and city is None:
            # Cities are registered by the operator (manage.py organization add), never here.
            known = list(cities.order_by("name").values_list("name", flat=True))
            listed = "、".join(known) or "なし"
            problems.append(
                f"市「{city_name}」は登録されていません。登録されている市: {listed}。"
                f"先に python manage.py organization add {city_name} --kind city で登録してください。"
            )
        if problems:
            self._refuse(problems)
        try:
            outcome = services.collaboration_import(
                organization=city, year=year, records=result.projects, replace=options["replace"]
            )
        except services.CollaborationImportError as exc:
            self._refuse(exc.errors)
        for warning in result.warnings:
            self.stdout.write(f"要確認: {warning}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.imported}件の協働事業を取り込みました"
                f"（{city.name} {fiscal_year_label(year)}、{result.format_label}）"
            )
        )

    def _refuse(self, problems: list[str]) -> None:
        for problem in problems:
            self.stderr.write(problem)
        raise CommandError(f"取り込みませんでした（問題 {len(problems)}件）。")
