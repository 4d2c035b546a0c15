"""Sample 実績 for the demo: the first two quarters of 令和2年度, made up but plausible.

The story is 2020's: most rows keep pace; events that gather many people were cancelled
for COVID-19 (新型コロナウイルス感染症拡大防止のため中止); a few rows fell behind, each with
a reason a 係 would write; one 係's second quarter was sent back by its 課長. Every
figure agrees with its own text: a row reported 「計画どおり実施」 was carried out, a row
with nothing done says so, and secondary figures (人, 時間 …) follow the main one, so
there are never hours without days. Every note, reason and comment starts with
「サンプルデータ」, which the screens show as sample data.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from plans.models import FiscalYear, PlanItem, Section
from targets.pace import expected_cumulative, expected_share
from targets.types import Kind, ParsedTarget

from .models import QuarterWindow, Result, SectionQuarter
from .progress import item_progress
from .services import approval_record

SAMPLE_NOTE = "サンプルデータ"
COVID_REASON = "新型コロナウイルス感染症拡大防止のため中止"
# Events that gather many people: cancelled for the year in the demo, as in 2020.
_COVID_WORDS = ("チャリティーゴルフ", "バザー", "まつり", "夏！体験", "サミット", "交流会")
# How a row went, as a share of its expected pace, with its weight: most on pace, some
# ahead, one in thirty behind and one in thirty not started at all.
_PACES = ((Decimal("1.1"), 4), (Decimal("1"), 24), (Decimal("0.5"), 1), (Decimal("0"), 1))
# 理由・今後の対応 of a shortfall, by quarter: April–June 2020 was the first 緊急事態宣言.
_SHORTFALL_REASONS = {
    1: (
        "緊急事態宣言（4月7日〜5月25日）を受けて開催を見合わせました。6月から感染対策を"
        "講じて再開し、下半期に回数を補います。",
        "緊急事態宣言中は訪問を電話での連絡に切り替えました。7月から訪問を再開します。",
        "会場の公共施設が休館となり、予定の回を延期しました。代わりの会場を確保しました。",
    ),
    2: (
        "参加者の募集が想定を下回りました。周知の方法を見直し、市報とホームページで広報を"
        "強化します。",
        "感染対策のため定員を半分に減らして開催しました。第3四半期はオンラインを併用します。",
        "担当者の異動で着手が遅れました。第3四半期に集中して取り組みます。",
    ),
}
_RETURN_COMMENT = (
    "遅れの行の「理由・今後の対応」が具体的ではありません。いつ、どのように取り戻すかを"
    "書いてから提出し直してください。"
)


def _sample(text: str) -> str:
    return f"{SAMPLE_NOTE}: {text}"


def _whole(value: Decimal, *, up: bool = False) -> Decimal:
    """A whole number: rounded half up, or up (a row on pace never reads as behind)."""
    return value.quantize(Decimal("1"), rounding=ROUND_CEILING if up else ROUND_HALF_UP)


def _quantity_results(
    item: PlanItem, parsed: ParsedTarget, pace: Decimal
) -> list[tuple[Decimal, list[str], str]]:
    """(value, secondary values, note) for Q1 and Q2 of a quantity row.

    Secondary figures are the same share of their own targets as the main figure, so a
    quarter with no main figure has none either (no hours without days). A flow reports
    what happened in the quarter; a level or a maximum reports the figure as it stands
    (集計方法).
    """
    standing = item.aggregation != PlanItem.Aggregation.FLOW
    main = parsed.main
    quarters = []
    previous = Decimal("0")
    previous_extras = [Decimal("0")] * (len(parsed.quantities) - 1)
    for quarter in (1, 2):
        expected = expected_cumulative(parsed, quarter)
        cumulative = _whole(expected * pace, up=pace >= 1)
        added = max(cumulative - previous, Decimal("0"))
        value = cumulative if standing else added
        extras = []
        for index, quantity in enumerate(parsed.quantities[1:]):
            share = cumulative / main.value if main.value else Decimal("0")
            extra_cumulative = _whole(quantity.value * min(share, Decimal("1.2")))
            extra_added = max(extra_cumulative - previous_extras[index], Decimal("0"))
            extras.append(str(extra_cumulative if standing else extra_added))
            previous_extras[index] = extra_cumulative
        due = expected - expected_cumulative(parsed, quarter - 1) if quarter > 1 else expected
        if added == 0 and standing and cumulative > 0:
            note = _sample("前期から変わりありません。")
        elif added == 0 and cumulative >= main.value and cumulative > 0:
            note = _sample("年間の予定は前期までに実施済みです。")
        elif added == 0 and (due == 0 or cumulative >= expected):
            note = _sample("今期の予定はありません。")
        elif added == 0:
            note = _sample("今期は実施できませんでした。")
        elif pace > 1:
            note = _sample("予定を上回って実施しました。")
        elif pace == 1:
            note = _sample("計画どおり実施しました。")
        else:
            note = _sample("予定の一部を実施しました。")
        quarters.append((value, extras, note))
        previous = cumulative
    return quarters


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
        pace = rng.choices([p for p, _ in _PACES], [w for _, w in _PACES])[0]
        if any(word in f"{item.group}{item.name}{item.detail}" for word in _COVID_WORDS):
            for quarter in (1, 2):
                results.append(
                    Result(
                        item=item,
                        quarter=quarter,
                        cancelled=True,
                        cancel_scope=Result.CancelScope.YEAR,
                        cancel_reason=COVID_REASON,
                        note=_sample("中止しました。"),
                    )
                )
        elif parsed.kind == Kind.QUANTITY and parsed.main is not None:
            for quarter, (value, extras, note) in enumerate(
                _quantity_results(item, parsed, pace), start=1
            ):
                results.append(
                    Result(item=item, quarter=quarter, value=value, extra_values=extras, note=note)
                )
        elif parsed.kind != Kind.NONE:
            # Qualitative (or a quantity whose figure could not be read): done or not.
            for quarter in (1, 2):
                due = expected_share(parsed, quarter) > 0
                done = due and pace > 0
                if done:
                    note = _sample("計画どおり実施しました。")
                elif due:
                    note = _sample("今期は実施できませんでした。")
                else:
                    note = _sample("今期の予定はありません。")
                results.append(Result(item=item, quarter=quarter, done=done, note=note))
        else:
            for quarter in (1, 2):
                results.append(Result(item=item, quarter=quarter, note=_sample("目標値なし。")))
    Result.objects.bulk_create(results)

    # Shortfalls and work not carried out need 理由・今後の対応: give them one.
    by_item: dict[int, list[Result]] = {}
    for result in results:
        by_item.setdefault(result.item_id, []).append(result)
    to_update = []
    for item in items:
        for quarter in (1, 2):
            progress = item_progress(item, by_item[item.pk], quarter)
            if progress.status.is_shortfall or progress.status.value == "未実施":
                current = progress.current
                current.reason = _sample(rng.choice(_SHORTFALL_REASONS[quarter]))
                to_update.append(current)
    Result.objects.bulk_update(to_update, ["reason"])

    _sample_workflow(fiscal_year)
    return len(results)


def _sample_workflow(fiscal_year: FiscalYear) -> None:
    """Q1 closed and approved; Q2 open: some 係 approved, some waiting for their 課長,
    some still entering, and one sent back with a comment."""
    QuarterWindow.objects.get_or_create(
        fiscal_year=fiscal_year,
        quarter=1,
        defaults={"is_open": False, "deadline": date(fiscal_year.year, 7, 15)},
    )
    QuarterWindow.objects.get_or_create(
        fiscal_year=fiscal_year,
        quarter=2,
        defaults={"is_open": True, "deadline": date(fiscal_year.year, 10, 15)},
    )
    now = timezone.now()
    State = SectionQuarter.State
    sections = Section.objects.filter(businesses__fiscal_year=fiscal_year).distinct().order_by("pk")
    approved: list[SectionQuarter] = []
    for index, section in enumerate(sections):
        first, _ = SectionQuarter.objects.get_or_create(
            fiscal_year=fiscal_year,
            section=section,
            quarter=1,
            defaults={"state": State.APPROVED, "submitted_at": now, "decided_at": now},
        )
        state = [State.APPROVED, State.SUBMITTED, State.RETURNED, State.DRAFT][index % 4]
        second, _ = SectionQuarter.objects.get_or_create(
            fiscal_year=fiscal_year,
            section=section,
            quarter=2,
            defaults={
                "state": state,
                "submitted_at": now if state != State.DRAFT else None,
                "decided_at": now if state in (State.APPROVED, State.RETURNED) else None,
                "comment": _sample(_RETURN_COMMENT) if state == State.RETURNED else "",
            },
        )
        approved += [sq for sq in (first, second) if sq.state == SectionQuarter.State.APPROVED]
    # What the 課長 approved, as a real approval records it (the board reads this).
    for section_quarter in approved:
        if not section_quarter.approvals.exists():
            approval_record(section_quarter=section_quarter, user=None)
