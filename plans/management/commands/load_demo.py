"""Load the demo: the real 令和2年度 plan of 西東京市社会福祉協議会 and one login per role."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from plans.demo import DEMO_PASSWORD, DEMO_PLAN_PATH, demo_load


class Command(BaseCommand):
    help = "デモ用の令和2年度事業計画と、役割ごとのデモ利用者を読み込みます（2回実行しても変わりません）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan",
            default=str(DEMO_PLAN_PATH),
            help="読み込む事業計画（r2_plan.json 形式）",
        )
        parser.add_argument(
            "--no-results", action="store_true", help="サンプルの実績を読み込みません。"
        )

    def handle(self, *args, **options):
        path = Path(options["plan"])
        if not path.exists():
            raise CommandError(f"事業計画のファイルが見つかりません: {path}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"事業計画のファイルを読めません（{path}）: {exc}") from exc
        with transaction.atomic():
            summary = demo_load(data=data, with_results=not options["no_results"])
        verb = "読み込みました" if summary.plan_created else "既に読み込まれています"
        self.stdout.write(
            f"{summary.organization.name} {summary.fiscal_year.label} の事業計画を{verb}"
            f"（{summary.items}行）。"
        )
        if summary.results:
            self.stdout.write(f"サンプルの実績 {summary.results}件を読み込みました。")
        self.stdout.write("デモ用のログイン（パスワードはすべて " + DEMO_PASSWORD + "）:")
        for user in summary.users:
            self.stdout.write(
                f"  {user.username:<12} {user.get_role_display()}  {user.display_name}"
            )
