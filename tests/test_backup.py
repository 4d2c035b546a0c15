"""A backup taken while the application runs restores to the same data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from plans.models import PlanItem
from results.models import Result


def snapshot():
    return (
        sorted(PlanItem.objects.values_list("key", "target_text")),
        sorted(Result.objects.values_list("item__key", "quarter", "value")),
    )


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_back_the_same_data(tmp_path, r2_plan):
    from results.demo import sample_results_load

    sample_results_load(fiscal_year=r2_plan)
    before = snapshot()
    assert len(before[0]) == 320 and len(before[1]) == 640
    path = tmp_path / "shakyo.backup"
    call_command("backup_db", "--output", str(path), stdout=StringIO())
    assert path.stat().st_size > 0

    # Damage: change one row, delete all 実績.
    PlanItem.objects.filter(pk=PlanItem.objects.first().pk).update(target_text="壊れた")
    Result.objects.all().delete()
    assert snapshot() != before

    call_command("restore_db", str(path), "--yes", stdout=StringIO())
    assert snapshot() == before


@pytest.mark.django_db
def test_restore_refuses_without_confirmation(tmp_path):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore_db", str(tmp_path / "x.backup"))


@pytest.mark.django_db
def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="見つかりません"):
        call_command("restore_db", str(tmp_path / "missing.backup"), "--yes")
