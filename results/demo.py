"""Sample 実績 for the demo: the first two quarters of 令和2年度, made up but plausible.

Most rows keep pace; a few fall behind or have not started (with a reason), and events
that gather people were cancelled for COVID-19, as many were in 2020. The screens label
these figures as sample data.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from plans.models import FiscalYear, PlanItem, Section
from targets.pace import expected_cumulative
from targets.types import Kind

from .models import QuarterWindow, Result, SectionQuarter
from .progress import item_progress
from .services import approval_record

SAMPLE_NOTE = "サンプルデータ"
COVID_REASON = "新型コロナウイルス感染症拡大防止のため中止"
# Events that gather many people: cancelled in the demo, as in 2020.
_COVID_WORDS = ("チャリティーゴルフ", "バザー", "まつり", "夏！体験", "サミット", "交流会")
_SHORTFALL_REASONS = (
    "緊急事態宣言により開催を延期しました。下半期にオンライン併用で実施します。",
    "担当者の異動により着手が遅れました。第3四半期に集中して取り組みます。",
    "参加者の募集が想定を下回りました。周知方法を見直し、広報を強化します。",
)


def _scaled(value: Decimal, factor: Decimal) -> Decimal:
    return (value * factor).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


@transaction.atomic
def sample_results_load(*, fiscal_year: FiscalYear) -> int:
    """Create Q1 and Q2 実績 once (idempotent); returns how many were created."""
    if Result.objects.filter(item__initiative__business__fiscal_year=fiscal_year).exists():
        return 0
    rng = random.Random(f"shakyo-demo-{fiscal_year.year}")
    items = list(
        PlanItem.objects.filter(initiative__business__fiscal_year=fiscal_year).order_by("pk")
    )
    results: list[Result] = []
    for item in items:
        parsed = item.parsed
        cancelled = any(word in f"{item.group}{item.name}{item.detail}" for word in _COVID_WORDS)
        pace = rng.choices(
            [Decimal("1.1"), Decimal("1"), Decimal("0.5"), Decimal("0")], [3, 10, 2, 1]
        )[0]
        previous = Decimal("0")
        for quarter in (1, 2):
            result = Result(item=item, quarter=quarter, note=f"{SAMPLE_NOTE}: 計画どおり実施")
            if cancelled:
                result.cancelled = True
                result.cancel_reason = COVID_REASON
                result.note = SAMPLE_NOTE
            elif parsed.kind == Kind.QUALITATIVE:
                result.done = pace > 0
            elif parsed.kind == Kind.QUANTITY:
                cumulative = _scaled(expected_cumulative(parsed, quarter), pace)
                # A flow reports what happened in the quarter; a level or a maximum reports
                # the figure as it stands (集計方法).
                standing = item.aggregation != PlanItem.Aggregation.FLOW
                result.value = cumulative if standing else max(cumulative - previous, Decimal("0"))
                previous = cumulative
                extras = []
                for quantity in parsed.quantities[1:]:
                    extras.append(str(_scaled(quantity.value * Decimal(quarter) / 4, pace)))
                result.extra_values = extras
            else:
                result.note = SAMPLE_NOTE
            results.append(result)
    Result.objects.bulk_create(results)

    # Shortfalls need 理由・今後の対応 before submission: give them one.
    by_item: dict[int, list[Result]] = {}
    for result in results:
        by_item.setdefault(result.item_id, []).append(result)
    to_update = []
    for item in items:
        for quarter in (1, 2):
            progress = item_progress(item, by_item[item.pk], quarter)
            if progress.status.is_shortfall:
                current = progress.current
                current.reason = rng.choice(_SHORTFALL_REASONS)
                to_update.append(current)
    Result.objects.bulk_update(to_update, ["reason"])

    QuarterWindow.objects.get_or_create(
        fiscal_year=fiscal_year,
        quarter=1,
        defaults={"is_open": False, "deadline": date(2020, 7, 15)},
    )
    QuarterWindow.objects.get_or_create(
        fiscal_year=fiscal_year,
        quarter=2,
        defaults={"is_open": True, "deadline": date(2020, 10, 15)},
    )
    now = timezone.now()
    sections = Section.objects.filter(businesses__fiscal_year=fiscal_year).distinct().order_by("pk")
    approved: list[SectionQuarter] = []
    for index, section in enumerate(sections):
        first, _ = SectionQuarter.objects.get_or_create(
            fiscal_year=fiscal_year,
            section=section,
            quarter=1,
            defaults={
                "state": SectionQuarter.State.APPROVED,
                "submitted_at": now,
                "decided_at": now,
            },
        )
        # Q2: some approved, some waiting for the 課長, some still being entered.
        state = [
            SectionQuarter.State.APPROVED,
            SectionQuarter.State.SUBMITTED,
            SectionQuarter.State.DRAFT,
        ][index % 3]
        second, _ = SectionQuarter.objects.get_or_create(
            fiscal_year=fiscal_year,
            section=section,
            quarter=2,
            defaults={
                "state": state,
                "submitted_at": now if state != SectionQuarter.State.DRAFT else None,
                "decided_at": now if state == SectionQuarter.State.APPROVED else None,
            },
        )
        approved += [sq for sq in (first, second) if sq.state == SectionQuarter.State.APPROVED]
    # What the 課長 approved, as a real approval records it (the board reads this).
    for section_quarter in approved:
        if not section_quarter.approvals.exists():
            approval_record(section_quarter=section_quarter, user=None)
    return len(results)
