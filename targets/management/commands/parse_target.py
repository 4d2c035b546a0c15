"""Print what the system understands from 目標値 texts, one JSON object per text."""

import json

from django.core.management.base import BaseCommand

from targets.parser import parse_target, target_to_dict


class Command(BaseCommand):
    help = "目標値の文言を解析し、1件ごとに JSON を1行で出力します。"

    def add_arguments(self, parser):
        parser.add_argument("texts", nargs="+", metavar="TEXT", help="目標値の文言")
        parser.add_argument("--detail", default="", help="内容（予定月などを読み取ります）")

    def handle(self, *args, **options):
        for text in options["texts"]:
            parsed = parse_target(text, options["detail"])
            self.stdout.write(json.dumps(target_to_dict(parsed), ensure_ascii=False))
