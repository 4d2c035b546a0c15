"""Concurrent saves with real connections: no lost update, every refusal told.

Runs against the configured database with one connection per thread: PostgreSQL in the
second pass of .ci/run, and a file-backed SQLite (WAL, immediate transactions, busy
timeout) in the first, where it also shows that nobody gets "database is locked".
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from plans.models import AuditEvent, PlanItem
from results.models import QuarterWindow, Result
from results.services import (
    ResultInput,
    StaleEntryError,
    results_save,
    section_quarter_get,
)

from .conftest import make_business
from .factories import SectionFactory, UserFactory

WRITERS = 30

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _needs_shared_database():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("SQLite のメモリ上のデータベースではスレッド間の同時書き込みを再現できません")


def run_threads(target, count):
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def runner(index):
        try:
            barrier.wait()
            target(index)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_thirty_writers_on_one_section_quarter_lose_nothing(world):
    section = world.section_a
    fiscal_year = world.business_a.fiscal_year
    QuarterWindow.objects.create(fiscal_year=fiscal_year, quarter=1, is_open=True)
    item = PlanItem.objects.filter(initiative__business=world.business_a).first()
    section_quarter = section_quarter_get(fiscal_year=fiscal_year, section=section, quarter=1)
    user = world.users["staff_a"]
    accepted: list[tuple[int, int]] = []  # (version after save, value)
    refused: list[int] = []
    lock = threading.Lock()

    def writer(index: int) -> None:
        value = Decimal(index + 1)
        # Every writer starts from the same page (version 0), then retries like a person
        # who is told to reload: read the current version and save again.
        version = 0
        for _ in range(WRITERS * 2):
            try:
                saved = results_save(
                    section_quarter=section_quarter,
                    user=user,
                    inputs=[ResultInput(item_id=item.pk, value=value, confirmed=True)],
                    version=version,
                )
            except StaleEntryError:
                with lock:
                    refused.append(index)
                section_quarter.refresh_from_db(fields=["version"])
                version = section_quarter.version
                continue
            with lock:
                accepted.append((saved.version, int(value)))
            return
        raise AssertionError(f"writer {index} was never accepted")

    run_threads(writer, WRITERS)

    assert len(accepted) == WRITERS  # every writer eventually saved
    assert len(refused) >= WRITERS - 1  # all but the first were told at least once
    versions = sorted(v for v, _ in accepted)
    assert versions == list(range(1, WRITERS + 1))  # one save per version: none overwritten
    last_value = max(accepted)[1]
    assert Result.objects.get(item=item, quarter=1).value == last_value
    # Every accepted save that changed the value is in the audit trail, in order.
    events = AuditEvent.objects.filter(plan_item=item, action="result_changed").order_by("id")
    assert events.count() == WRITERS
    assert events.last().changes["value"][1] == str(last_value)


def test_writers_on_different_sections_all_succeed_at_once(world):
    fiscal_year = world.business_a.fiscal_year
    QuarterWindow.objects.create(fiscal_year=fiscal_year, quarter=1, is_open=True)
    sections, users, items = [], [], []
    for index in range(WRITERS):
        section = SectionFactory(department=world.section_a.department, name=f"同時{index}係")
        business = make_business(section, rows=2)
        sections.append(section)
        users.append(
            UserFactory(organization=world.organization, role="section_staff", section=section)
        )
        items.append(PlanItem.objects.filter(initiative__business=business).first())

    def writer(index: int) -> None:
        section_quarter = section_quarter_get(
            fiscal_year=fiscal_year, section=sections[index], quarter=1
        )
        results_save(
            section_quarter=section_quarter,
            user=users[index],
            inputs=[ResultInput(item_id=items[index].pk, value=Decimal(index + 1), confirmed=True)],
            version=section_quarter.version,
        )

    run_threads(writer, WRITERS)
    values = dict(Result.objects.filter(item__in=items).values_list("item_id", "value"))
    assert values == {item.pk: Decimal(i + 1) for i, item in enumerate(items)}
