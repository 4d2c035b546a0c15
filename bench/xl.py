"""XL: a hosted installation written with PostgreSQL COPY (psycopg), not the ORM.

1,000 councils × 3 years × 400 rows × 4 quarters is about 5 million 実績 rows: the ORM
would take hours, COPY takes minutes. Councils are built as in ``bench.generate`` (a few
distinct blueprints, cycled) and written table by table in batches of councils, with
explicit ids; the sequences are moved past them at the end.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from .generate import (
    FIRST_YEAR,
    PREFECTURE_COUNCIL,
    STAFF_PER_SECTION,
    CouncilBP,
    Parsed,
    Size,
    Summary,
    build_council,
    city_name,
    council_name,
    load_plan,
    password_hash,
    quarter_state,
    username,
)

BLUEPRINTS = 8  # distinct councils, cycled
BATCH = 25  # councils per COPY batch


def _json(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


class _Table:
    """Rows of one model waiting for COPY, with ids allocated from ``start``."""

    def __init__(self, model, start: int):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.json = [f.get_internal_type() == "JSONField" for f in self.fields]
        self.next_id = start
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, values: dict[str, Any]) -> int:
        pk = self.next_id
        self.next_id += 1
        values["id"] = pk
        row = []
        for f, is_json in zip(self.fields, self.json, strict=True):
            value = values[f.attname] if f.attname in values else f.get_default()
            row.append(_json(value) if is_json and not isinstance(value, str) else value)
        self.rows.append(tuple(row))
        return pk

    def flush(self, cursor) -> None:
        if not self.rows:
            return
        table = self.model._meta.db_table
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for row in self.rows:
                copy.write_row(row)
        self.written += len(self.rows)
        self.rows = []


def _start(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _moment(year: int, quarter: int, day: int) -> datetime:
    month = (3 + 3 * quarter) % 12 + 1
    tz = timezone.get_current_timezone()
    return datetime(year + (1 if quarter == 4 else 0), month, day, 10, tzinfo=tz)


def generate_copy(size: Size, *, councils: int, log: Callable[[str], None] = print) -> Summary:
    from plans.models import (
        Business,
        CollaborationGrant,
        Commission,
        Department,
        FiscalYear,
        Initiative,
        Organization,
        PlanItem,
        Section,
        TargetQuantity,
        User,
    )
    from results.models import QuarterWindow, Result, SectionQuarter

    started = time.perf_counter()
    data = load_plan()
    parsed = Parsed()
    blueprints: list[CouncilBP] = [
        build_council(size, seed=seed, data=data, parsed=parsed)
        for seed in range(1, min(BLUEPRINTS, councils) + 1)
    ]
    hashed = password_hash()
    prefecture, _ = Organization.objects.get_or_create(
        name=PREFECTURE_COUNCIL, defaults={"kind": Organization.Kind.COUNCIL}
    )
    models = [
        Organization,
        Commission,
        CollaborationGrant,
        Department,
        Section,
        User,
        FiscalYear,
        Business,
        Initiative,
        PlanItem,
        TargetQuantity,
        Result,
        QuarterWindow,
        SectionQuarter,
    ]
    tables = {model: _Table(model, _start(model)) for model in models}
    t = tables
    now = timezone.now()
    years = range(FIRST_YEAR, FIRST_YEAR + size.years)
    role = User.Role
    summary = Summary(years=size.years)
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")

    for index in range(1, councils + 1):
        bp = blueprints[(index - 1) % len(blueprints)]
        council = t[Organization].add(
            {
                "name": council_name(index),
                "short_name": f"ベンチ{index}市社協",
                "kind": "council",
                "tolerance": Decimal("0.10"),
            }
        )
        city = t[Organization].add(
            {
                "name": city_name(index),
                "short_name": "",
                "kind": "city",
                "tolerance": Decimal("0.10"),
            }
        )
        # The relations an operator would create: who commissions this council, and the
        # city whose 協働事業一覧 it reads.
        t[Commission].add({"council_id": council, "commissioner_id": city})
        t[Commission].add({"council_id": council, "commissioner_id": prefecture.pk})
        t[CollaborationGrant].add({"council_id": council, "city_id": city})
        departments = [
            t[Department].add({"organization_id": council, "name": name, "order": d + 1})
            for d, name in enumerate(bp.departments)
        ]
        sections = [
            t[Section].add(
                {"department_id": departments[s.department], "name": s.name, "order": n + 1}
            )
            for n, s in enumerate(bp.sections)
        ]

        def user(name: str, **values: Any) -> int:
            return t[User].add(
                {
                    "username": name,
                    "password": hashed,
                    "is_superuser": False,
                    "is_staff": False,
                    "is_active": True,
                    "date_joined": now,
                    "role": "",
                    "city_department": "",
                    **values,
                }
            )

        user(username(index, "jimukyoku"), organization_id=council, role=role.SECRETARIAT)
        user(username(index, "riji"), organization_id=council, role=role.BOARD)
        user(username(index, "city"), organization_id=city, role=role.CITY)
        heads = [
            user(
                username(index, "kacho", d + 1),
                organization_id=council,
                role=role.DEPARTMENT_HEAD,
                department_id=department,
                last_name="課長",
            )
            for d, department in enumerate(departments)
        ]
        staff = {}
        for n, section in enumerate(sections):
            for p in range(STAFF_PER_SECTION):
                pk = user(
                    username(index, "staff", n + 1, p + 1),
                    organization_id=council,
                    role=role.SECTION_STAFF,
                    section_id=section,
                    last_name="係長" if p == 0 else "担当",
                )
                staff.setdefault(section, pk)
        summary.users += 3 + len(heads) + STAFF_PER_SECTION * len(sections)
        summary.sections += len(sections)

        for year in years:
            fiscal_year = t[FiscalYear].add({"organization_id": council, "year": year})
            for section, section_bp in zip(sections, bp.sections, strict=True):
                for order, bus in enumerate(section_bp.businesses, start=1):
                    commissioned = {None: None, "city": city}.get(bus.commissioned, prefecture.pk)
                    business = t[Business].add(
                        {
                            "fiscal_year_id": fiscal_year,
                            "section_id": section,
                            "name": bus.name,
                            "order": order,
                            "commissioned_by_id": commissioned,
                            "city_department": "",
                            "policies": bus.policies,
                            "policies_shared": bus.policies_shared,
                        }
                    )
                    summary.businesses += 1
                    for ini in bus.initiatives:
                        initiative = t[Initiative].add(
                            {
                                "business_id": business,
                                "number": ini.number,
                                "title": ini.title,
                                "policy": ini.policy,
                                "order": ini.number,
                            }
                        )
                        for item_order, it in enumerate(ini.items, start=1):
                            item = t[PlanItem].add(
                                {
                                    "key": uuid.uuid4(),
                                    "initiative_id": initiative,
                                    "order": item_order,
                                    "group": it.group,
                                    "name": it.name,
                                    "detail": it.detail,
                                    "target_text": it.target_text,
                                    "target_edited": False,
                                    "source_confidence": it.confidence,
                                    "source_note": it.note,
                                    **it.fields,
                                }
                            )
                            summary.items += 1
                            for q in it.quantities:
                                t[TargetQuantity].add({"item_id": item, **q})
                                summary.quantities += 1
                            for r in it.results:
                                t[Result].add(
                                    {
                                        "item_id": item,
                                        "updated_at": now,
                                        "updated_by_id": staff[section],
                                        **r,
                                    }
                                )
                                summary.results += 1
            for q in (1, 2, 3, 4):
                state, is_open = quarter_state(year, size.current_year, q)
                t[QuarterWindow].add(
                    {
                        "fiscal_year_id": fiscal_year,
                        "quarter": q,
                        "is_open": is_open,
                        "deadline": date(year + (1 if q == 4 else 0), (3 + 3 * q) % 12 + 1, 15),
                        "updated_at": now,
                    }
                )
                approved = state == "approved"
                for n, section in enumerate(sections):
                    department = departments[bp.sections[n].department]
                    t[SectionQuarter].add(
                        {
                            "fiscal_year_id": fiscal_year,
                            "section_id": section,
                            "quarter": q,
                            "state": state,
                            "version": 3 if approved else 1,
                            "submitted_at": _moment(year, q, 10) if approved else None,
                            "submitted_by_id": staff[section] if approved else None,
                            "decided_at": _moment(year, q, 20) if approved else None,
                            "decided_by_id": heads[departments.index(department)]
                            if approved
                            else None,
                            "comment": "",
                            "updated_at": now,
                        }
                    )
        summary.councils += 1
        if index % BATCH == 0 or index == councils:
            with transaction.atomic(), raw.cursor() as cursor:
                for model in models:
                    tables[model].flush(cursor)
            elapsed = time.perf_counter() - started
            log(
                f"   {index:,} / {councils:,} councils, {t[Result].written:,} 実績 ({elapsed:,.0f} s)"
            )

    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
            )
    summary.seconds = time.perf_counter() - started
    return summary
