"""Send today's reminders: for cron in the embedded default, where no Celery beat runs."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from results.reminders import reminders_send


class Command(BaseCommand):
    help = "提出期限前の係と、承認待ちのある課長にお知らせのメールを送ります。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days-before",
            type=int,
            default=None,
            help="提出期限の何日前に係へ送るか（既定: RESULTS_REMINDER_DAYS_BEFORE）",
        )

    def handle(self, *args, **options):
        days = options["days_before"]
        if days is None:
            days = settings.RESULTS_REMINDER_DAYS_BEFORE
        sent = reminders_send(today=timezone.localdate(), days_before=days)
        self.stdout.write(
            f"提出のお知らせ {sent['submission']}通、承認待ちのお知らせ {sent['approval']}通を送りました。"
        )
