"""python manage.py record_approvals — give approved quarters without an approved record one."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from results.services import approvals_backfill


class Command(BaseCommand):
    help = (
        "承認済みなのに承認の記録がない四半期（記録を始める前に承認したものなど）について、"
        "承認で固定された実績から承認の記録を作成します。何度実行しても同じです。"
    )

    def handle(self, *args, **options):
        count = approvals_backfill()
        self.stdout.write(f"承認の記録を{count}件（係・四半期）作成しました。")
