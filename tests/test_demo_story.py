"""The demo's sample 実績 tell a consistent 令和2年度 story, and say they are samples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plans.demo import demo_load
from results.demo import COVID_REASON, SAMPLE_NOTE
from results.models import Result, SectionQuarter
from results.progress import item_progress
from results.status import Status


@pytest.fixture
def demo(db, r2_plan_data):
    return demo_load(data=r2_plan_data)


def statuses(fiscal_year) -> list[tuple[Result, Status]]:
    results = list(
        Result.objects.filter(item__initiative__business__fiscal_year=fiscal_year)
        .select_related("item")
        .order_by("item_id", "quarter")
    )
    by_item: dict[int, list[Result]] = {}
    for result in results:
        by_item.setdefault(result.item_id, []).append(result)
    return [
        (result, item_progress(result.item, by_item[result.item_id], result.quarter).status)
        for result in results
    ]


def test_a_row_reported_as_carried_out_was_carried_out(demo):
    for result, status in statuses(demo.fiscal_year):
        if "実施しました" in result.note and "できません" not in result.note:
            assert result.done is True or (result.value or 0) > 0, result.item
            assert status not in (Status.NOT_DONE, Status.NOT_STARTED), result.item
        if result.done is False or result.value == 0:
            assert "計画どおり" not in result.note, result.item


def test_secondary_figures_follow_the_main_one(demo):
    """No 時間 without 日, no 人 without 回."""
    rows = Result.objects.filter(item__initiative__business__fiscal_year=demo.fiscal_year)
    for result in rows.exclude(extra_values=[]):
        if result.value == 0:
            assert all(Decimal(v) == 0 for v in result.extra_values if v), result.item


def test_a_few_shortfalls_each_with_a_reason(demo):
    shortfalls = [(r, s) for r, s in statuses(demo.fiscal_year) if s.is_shortfall]
    # A few: most rows keep pace (of 640 quarter-rows, about one in twenty falls short).
    assert 3 <= len(shortfalls) <= 40
    for result, _status in shortfalls:
        assert result.reason.startswith(SAMPLE_NOTE)
        assert len(result.reason) > 20


def test_events_that_gather_people_were_cancelled_for_covid(demo):
    cancelled = Result.objects.filter(cancelled=True)
    assert cancelled.count() >= 4
    assert set(cancelled.values_list("cancel_reason", flat=True)) == {COVID_REASON}
    assert (
        cancelled.filter(item__group__contains="バザー").exists()
        or cancelled.filter(item__name__contains="バザー").exists()
    )


def test_everything_is_marked_as_sample_data(demo):
    results = Result.objects.all()
    assert results.count() == demo.results > 0
    assert not results.exclude(note__startswith=SAMPLE_NOTE).exists()
    assert not results.exclude(reason="").exclude(reason__startswith=SAMPLE_NOTE).exists()
    returned = SectionQuarter.objects.filter(state=SectionQuarter.State.RETURNED)
    assert returned.exists()
    assert all(sq.comment.startswith(SAMPLE_NOTE) for sq in returned)
