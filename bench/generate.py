"""Synthetic but realistic councils at named sizes, for the benchmarks.

Every council is cut from the real 令和2年度 plan (``r2_plan.json``): its 課 and 係 are
named like a 社協's, each 係 takes a run of real rows (項目, 内容, 目標値 verbatim, so the
parser sees the real variety) in plan order, 事業 and 取り組み as written, and its size
follows the real plan's uneven sections (the largest 係 has several times the rows of
the smallest). Each row gets four quarters of 実績 shaped like the demo's: most keep
pace, some fall behind with a 理由・今後の対応, events that gather people are 中止.

The latest year is at its quarter end: Q1–Q3 approved, the Q4 window open and every 係's
Q4 entry a draft. Earlier years (XL) are closed and approved.

Sizes: ``tiny`` (tests), ``S`` (one council like the demo), ``L`` (one large council),
``XL`` (a hosted installation: 1,000 councils × 3 years on PostgreSQL, written with COPY;
``--councils`` scales it down). Councils are named 「ベンチN市社会福祉協議会」 and the
benchmarked one is N = 1; its users are ``c1-jimukyoku``, ``c1-riji``, ``c1-kacho1`` …,
``c1-s1-1`` … (係 1, person 1) and ``c1-city``, all with :data:`PASSWORD`.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

PASSWORD = "bench-pass-2020"
R2_PLAN = Path(
    os.environ.get(
        "BENCH_PLAN_JSON",
        Path(__file__).resolve().parents[1] / "plans" / "data" / "r2_plan.json",
    )
)
FIRST_YEAR = 2020
STAFF_PER_SECTION = 3
PREFECTURE_COUNCIL = "東京都社会福祉協議会"


@dataclass(frozen=True)
class Size:
    name: str
    councils: int
    departments: int
    sections: int
    rows: int  # per council and year
    years: int

    @property
    def current_year(self) -> int:
        return FIRST_YEAR + self.years - 1


SIZES = {
    "tiny": Size("tiny", councils=1, departments=2, sections=3, rows=30, years=1),
    "S": Size("S", councils=1, departments=5, sections=12, rows=400, years=1),
    "L": Size("L", councils=1, departments=10, sections=40, rows=4000, years=1),
    "XL": Size("XL", councils=1000, departments=5, sections=12, rows=400, years=3),
}

DEPARTMENT_NAMES = (
    "総務課", "福祉活動推進課", "福祉支援課", "地域福祉課", "在宅福祉課",
    "障害福祉課", "子ども家庭支援課", "生活支援課", "権利擁護課", "介護保険課",
)  # fmt: skip
SECTION_NAMES = (
    "法人運営係", "相談支援係", "地域福祉推進係", "権利擁護係", "サービス提供係",
    "ボランティアセンター係", "生活支援係", "地域包括支援係", "居宅介護支援係",
    "障害者支援係", "子育て支援係", "総務係", "経理係", "広報係", "在宅サービス係",
    "福祉のまちづくり係", "成年後見係", "生活福祉資金係", "住まい支援係", "食事サービス係",
)  # fmt: skip
_COVID_WORDS = ("チャリティーゴルフ", "バザー", "まつり", "夏！体験", "サミット", "交流会")
COVID_REASON = "新型コロナウイルス感染症拡大防止のため中止"
_REASONS = (
    "緊急事態宣言により開催を延期しました。下半期にオンライン併用で実施します。",
    "担当者の異動により着手が遅れました。次の四半期に集中して取り組みます。",
    "参加者の募集が想定を下回りました。周知方法を見直し、広報を強化します。",
)
_NOTES = ("計画どおり実施", "予定どおり開催", "関係機関と連携して実施", "オンライン併用で実施")


def load_plan(path: Path = R2_PLAN) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------
# Blueprint: one council-year as plain data (no database)


@dataclass
class ItemBP:
    group: str
    name: str
    detail: str
    target_text: str
    confidence: str
    note: str
    fields: dict[str, Any]  # plans.services.target_fields of the parsed target
    quantities: list[dict[str, Any]]
    results: list[dict[str, Any]]  # quarter 1..4


@dataclass
class InitiativeBP:
    number: int
    title: str
    policy: str
    items: list[ItemBP] = field(default_factory=list)


@dataclass
class BusinessBP:
    name: str
    commissioned: str | None  # None, "city" (the council's own city) or a body's name
    policies: list[str]
    policies_shared: bool
    initiatives: list[InitiativeBP] = field(default_factory=list)


@dataclass
class SectionBP:
    department: int  # index into the council's departments
    name: str
    businesses: list[BusinessBP] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(len(i.items) for b in self.businesses for i in b.initiatives)


@dataclass
class CouncilBP:
    departments: list[str]
    sections: list[SectionBP]

    def items(self) -> Iterator[ItemBP]:
        for section in self.sections:
            for business in section.businesses:
                for initiative in business.initiatives:
                    yield from initiative.items


@dataclass(frozen=True)
class _Template:
    business: dict
    initiative: dict
    item: dict


def _templates(data: dict) -> list[_Template]:
    return [
        _Template(business, initiative, item)
        for department in data["departments"]
        for section in department["sections"]
        for business in section["businesses"]
        for initiative in business["initiatives"]
        for item in initiative["items"]
    ]


def _section_weights(data: dict) -> list[int]:
    """Rows per 係 of the real plan (73, 19, 115, 21, 92): sizes are uneven on purpose."""
    return [
        sum(len(i["items"]) for b in section["businesses"] for i in b["initiatives"])
        for department in data["departments"]
        for section in department["sections"]
    ]


def _apportion(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), at least 1 each."""
    scale = sum(weights)
    shares = [max(1, total * w // scale) for w in weights]
    order = sorted(range(len(weights)), key=lambda i: -(total * weights[i] % scale))
    for i in order[: max(0, total - sum(shares))]:
        shares[i] += 1
    while sum(shares) > total:
        shares[shares.index(max(shares))] -= 1
    return shares


class Parsed:
    """The parser's reading of each distinct (目標値, 内容), computed once per run."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], tuple] = {}

    def get(self, target: str, detail: str) -> tuple:
        key = (target, detail)
        if key not in self._cache:
            from plans.services import target_fields
            from targets.parser import parse_target

            parsed = parse_target(target, detail)
            quantities = [
                {
                    "position": position,
                    "value": q.value,
                    "max_value": q.max,
                    "unit": q.unit,
                    "label": q.label,
                }
                for position, q in enumerate(parsed.quantities)
            ]
            self._cache[key] = (parsed, target_fields(parsed), quantities)
        return self._cache[key]


def _scaled(value: Decimal, factor: Decimal) -> Decimal:
    return (value * factor).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def _results(parsed, text: str, rng: random.Random) -> list[dict[str, Any]]:
    """Four quarters of 実績 for one row, like ``results.demo`` (per quarter, not cumulative)."""
    from plans.models import PlanItem
    from results.models import Result
    from results.progress import item_progress
    from targets.pace import expected_cumulative
    from targets.types import Kind

    cancelled_from = rng.choice((1, 2, 3)) if any(word in text for word in _COVID_WORDS) else None
    pace = rng.choices([Decimal("1.1"), Decimal("1"), Decimal("0.5"), Decimal("0")], [3, 10, 2, 1])[
        0
    ]
    rows: list[dict[str, Any]] = []
    previous = Decimal("0")
    for quarter in (1, 2, 3, 4):
        row: dict[str, Any] = {
            "quarter": quarter,
            "value": None,
            "extra_values": [],
            "done": None,
            "cancelled": False,
            "cancel_scope": "",
            "cancel_reason": "",
            "note": rng.choice(_NOTES),
            "reason": "",
        }
        if cancelled_from is not None and quarter >= cancelled_from:
            row.update(cancelled=True, cancel_scope="year", cancel_reason=COVID_REASON, note="")
        elif parsed.kind == Kind.QUALITATIVE:
            row["done"] = pace > 0
        elif parsed.kind == Kind.QUANTITY:
            cumulative = _scaled(expected_cumulative(parsed, quarter), pace)
            row["value"] = max(cumulative - previous, Decimal("0"))
            previous = max(cumulative, previous)
            row["extra_values"] = [
                str(_scaled(q.value * Decimal(quarter) / 4, pace) // quarter)
                for q in parsed.quantities[1:]
            ]
        rows.append(row)
    # Shortfalls carry 理由・今後の対応, as submission requires.
    unsaved = [Result(quarter=r["quarter"], **_result_fields(r)) for r in rows]
    item = PlanItem()
    for row, result in zip(rows, unsaved, strict=True):
        progress = item_progress(item, unsaved, row["quarter"], target=parsed)
        if progress.status.is_shortfall:
            row["reason"] = result.reason = rng.choice(_REASONS)
    return rows


def _result_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "quarter"}


def build_council(size: Size, *, seed: int, data: dict, parsed: Parsed) -> CouncilBP:
    """One council-year: 課, 係 and their rows, cut from the real plan at ``size``."""
    rng = random.Random(f"shakyo-bench-{seed}")
    templates = _templates(data)
    weights = _section_weights(data)
    counts = _apportion(size.rows, [weights[i % len(weights)] for i in range(size.sections)])
    offset = rng.randrange(len(templates))
    departments = [
        DEPARTMENT_NAMES[d % len(DEPARTMENT_NAMES)]
        + ("" if d < len(DEPARTMENT_NAMES) else f"{d // len(DEPARTMENT_NAMES) + 1}")
        for d in range(size.departments)
    ]
    sections: list[SectionBP] = []
    for s, count in enumerate(counts):
        name = SECTION_NAMES[s % len(SECTION_NAMES)]
        if s >= len(SECTION_NAMES):
            name = f"{name}{s // len(SECTION_NAMES) + 1}"
        section = SectionBP(department=s * size.departments // size.sections, name=name)
        business: BusinessBP | None = None
        initiative: InitiativeBP | None = None
        last: _Template | None = None
        names: set[str] = set()
        for k in range(count):
            template = templates[(offset + k) % len(templates)]
            if last is None or template.business is not last.business:
                bus = template.business
                bus_name = bus["name"]
                n = 2
                while bus_name in names:
                    bus_name = f"{bus['name']}（{n}）"
                    n += 1
                names.add(bus_name)
                commissioned = bus.get("commissioned_by")
                business = BusinessBP(
                    name=bus_name,
                    commissioned=None
                    if not commissioned
                    else ("city" if commissioned.endswith("市") else commissioned),
                    policies=list(bus.get("section_policies") or []),
                    policies_shared=bool(bus.get("section_policies_shared")),
                )
                section.businesses.append(business)
                initiative = None
            if initiative is None or template.initiative is not last.initiative:
                ini = template.initiative
                initiative = InitiativeBP(
                    number=len(business.initiatives) + 1,
                    title=ini["title"],
                    policy=ini.get("policy") or "",
                )
                business.initiatives.append(initiative)
            raw = template.item
            target, detail = raw.get("target") or "", raw.get("detail") or ""
            reading, fields, quantities = parsed.get(target, detail)
            initiative.items.append(
                ItemBP(
                    group=raw.get("group") or "",
                    name=raw.get("name") or "",
                    detail=detail,
                    target_text=target,
                    confidence=raw.get("confidence") or "",
                    note=raw.get("note") or "",
                    fields=fields,
                    quantities=quantities,
                    results=_results(reading, f"{raw.get('group')}{raw.get('name')}{detail}", rng),
                )
            )
            last = template
        offset += count
        sections.append(section)
    return CouncilBP(departments=departments, sections=sections)


# ---------------------------------------------------------------------------------------
# Names


def council_name(index: int) -> str:
    return f"ベンチ{index}市社会福祉協議会"


def city_name(index: int) -> str:
    return f"ベンチ{index}市"


def username(index: int, role: str, number: int | None = None, person: int | None = None) -> str:
    """``c1-jimukyoku``, ``c1-riji``, ``c1-kacho2`` (課 2), ``c1-s3-1`` (係 3, person 1)."""
    if role == "staff":
        return f"c{index}-s{number}-{person}"
    if role == "kacho":
        return f"c{index}-kacho{number}"
    return f"c{index}-{role}"


def quarter_state(year: int, current_year: int, quarter: int) -> tuple[str, bool]:
    """(SectionQuarter state, window open) of a quarter: the current year is at Q4's end."""
    if year < current_year or quarter < 4:
        return "approved", False
    return "draft", True


def _moment(year: int, quarter: int, day: int = 10) -> datetime:
    from django.utils import timezone

    month = (3 + 3 * quarter) % 12 + 1  # the month after the quarter
    tz = timezone.get_current_timezone()
    return datetime(year + (1 if quarter == 4 else 0), month, day, 10, tzinfo=tz)


# ---------------------------------------------------------------------------------------
# Writing with the ORM (tiny, S, L; SQLite or PostgreSQL)


@dataclass
class Summary:
    councils: int = 0
    years: int = 0
    sections: int = 0
    businesses: int = 0
    items: int = 0
    quantities: int = 0
    results: int = 0
    users: int = 0
    seconds: float = 0.0

    def add(self, other: Summary) -> None:
        for name in ("sections", "businesses", "items", "quantities", "results", "users"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def write_council(
    blueprint: CouncilBP,
    *,
    index: int,
    years: Iterable[int],
    current_year: int,
    password_hash: str,
) -> Summary:
    """Create council ``index`` with its city, users and the plan of each year (ORM)."""
    from django.db import transaction

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

    summary = Summary()
    with transaction.atomic():
        council = Organization.objects.create(
            name=council_name(index), short_name=f"ベンチ{index}市社協"
        )
        city = Organization.objects.create(name=city_name(index), kind=Organization.Kind.CITY)
        prefecture, _ = Organization.objects.get_or_create(
            name=PREFECTURE_COUNCIL, defaults={"kind": Organization.Kind.COUNCIL}
        )
        # The relations an operator would create (plans.services audits them; a bench
        # council needs none of that trail).
        Commission.objects.bulk_create(
            [
                Commission(council=council, commissioner=city),
                Commission(council=council, commissioner=prefecture),
            ]
        )
        CollaborationGrant.objects.create(council=council, city=city)
        departments = Department.objects.bulk_create(
            Department(organization=council, name=name, order=d + 1)
            for d, name in enumerate(blueprint.departments)
        )
        sections = Section.objects.bulk_create(
            Section(department=departments[s.department], name=s.name, order=n + 1)
            for n, s in enumerate(blueprint.sections)
        )
        summary.sections = len(sections)
        role = User.Role
        users = [
            User(
                username=username(index, "jimukyoku"),
                organization=council,
                role=role.SECRETARIAT,
                last_name="事務局",
            ),
            User(username=username(index, "riji"), organization=council, role=role.BOARD),
            User(username=username(index, "city"), organization=city, role=role.CITY),
        ]
        users += [
            User(
                username=username(index, "kacho", d + 1),
                organization=council,
                role=role.DEPARTMENT_HEAD,
                department=department,
                last_name="課長",
            )
            for d, department in enumerate(departments)
        ]
        users += [
            User(
                username=username(index, "staff", n + 1, p + 1),
                organization=council,
                role=role.SECTION_STAFF,
                section=section,
                last_name="係長" if p == 0 else "担当",
            )
            for n, section in enumerate(sections)
            for p in range(STAFF_PER_SECTION)
        ]
        for user in users:
            user.password = password_hash
        users = User.objects.bulk_create(users)
        summary.users = len(users)
        staff = {u.section_id: u for u in users if u.role == role.SECTION_STAFF}
        heads = {u.department_id: u for u in users if u.role == role.DEPARTMENT_HEAD}

        for year in years:
            fiscal_year = FiscalYear.objects.create(organization=council, year=year)
            pairs: list[tuple[Business, BusinessBP]] = []
            for section, section_bp in zip(sections, blueprint.sections, strict=True):
                for order, bus in enumerate(section_bp.businesses, start=1):
                    commissioned = {None: None, "city": city}.get(bus.commissioned, prefecture)
                    pairs.append(
                        (
                            Business(
                                fiscal_year=fiscal_year,
                                section=section,
                                name=bus.name,
                                order=order,
                                commissioned_by=commissioned,
                                policies=bus.policies,
                                policies_shared=bus.policies_shared,
                            ),
                            bus,
                        )
                    )
            Business.objects.bulk_create([b for b, _ in pairs])
            summary.businesses += len(pairs)
            initiatives: list[tuple[Initiative, InitiativeBP]] = [
                (
                    Initiative(
                        business=business,
                        number=ini.number,
                        title=ini.title,
                        policy=ini.policy,
                        order=ini.number,
                    ),
                    ini,
                )
                for business, bus in pairs
                for ini in bus.initiatives
            ]
            Initiative.objects.bulk_create([i for i, _ in initiatives])
            items: list[tuple[PlanItem, ItemBP, Business]] = [
                (
                    PlanItem(
                        initiative=initiative,
                        order=order,
                        group=it.group,
                        name=it.name,
                        detail=it.detail,
                        target_text=it.target_text,
                        source_confidence=it.confidence,
                        source_note=it.note,
                        **it.fields,
                    ),
                    it,
                    initiative.business,
                )
                for initiative, ini in initiatives
                for order, it in enumerate(ini.items, start=1)
            ]
            PlanItem.objects.bulk_create([i for i, _, _ in items], batch_size=1000)
            summary.items += len(items)
            quantities = TargetQuantity.objects.bulk_create(
                (TargetQuantity(item=item, **q) for item, it, _ in items for q in it.quantities),
                batch_size=2000,
            )
            summary.quantities += len(quantities)
            results = Result.objects.bulk_create(
                (
                    Result(
                        item=item,
                        quarter=r["quarter"],
                        updated_by=staff[business.section_id],
                        **_result_fields(r),
                    )
                    for item, it, business in items
                    for r in it.results
                ),
                batch_size=2000,
            )
            summary.results += len(results)
            QuarterWindow.objects.bulk_create(
                QuarterWindow(
                    fiscal_year=fiscal_year,
                    quarter=q,
                    is_open=quarter_state(year, current_year, q)[1],
                    deadline=date(year + (1 if q == 4 else 0), (3 + 3 * q) % 12 + 1, 15),
                )
                for q in (1, 2, 3, 4)
            )
            section_quarters = []
            for section in sections:
                for q in (1, 2, 3, 4):
                    state, _ = quarter_state(year, current_year, q)
                    approved = state == "approved"
                    section_quarters.append(
                        SectionQuarter(
                            fiscal_year=fiscal_year,
                            section=section,
                            quarter=q,
                            state=state,
                            version=3 if approved else 1,
                            submitted_at=_moment(year, q) if approved else None,
                            submitted_by=staff[section.pk] if approved else None,
                            decided_at=_moment(year, q, 20) if approved else None,
                            decided_by=heads[section.department_id] if approved else None,
                        )
                    )
            SectionQuarter.objects.bulk_create(section_quarters)
            summary.years += 1
    summary.councils = 1
    return summary


def password_hash() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def generate(size: Size, *, councils: int | None = None, log=print) -> Summary:
    """Write ``size`` into the (empty, migrated) default database.

    XL on PostgreSQL is written with COPY (:func:`bench.xl.generate_copy`); every other
    size with the ORM.
    """
    import time

    from django.db import connection

    started = time.perf_counter()
    count = councils or size.councils
    if size.name == "XL" and connection.vendor == "postgresql":
        from .xl import generate_copy

        summary = generate_copy(size, councils=count, log=log)
    else:
        data = load_plan()
        parsed = Parsed()
        hashed = password_hash()
        summary = Summary()
        years = range(FIRST_YEAR, FIRST_YEAR + size.years)
        for index in range(1, count + 1):
            blueprint = build_council(size, seed=index, data=data, parsed=parsed)
            one = write_council(
                blueprint,
                index=index,
                years=years,
                current_year=size.current_year,
                password_hash=hashed,
            )
            summary.add(one)
            summary.councils += 1
            summary.years = size.years
    summary.seconds = time.perf_counter() - started
    return summary


# ---------------------------------------------------------------------------------------
# What the harness needs to know about a generated council


@dataclass
class SectionRef:
    pk: int
    department_id: int
    number: int  # 1-based, as in the staff user names
    rows: int


@dataclass
class CouncilRef:
    index: int
    organization_id: int
    city_id: int
    year: int
    sections: list[SectionRef]
    departments: list[int]

    @property
    def largest_section(self) -> SectionRef:
        return max(self.sections, key=lambda s: (s.rows, -s.pk))

    def staff(self, section: SectionRef, person: int = 1) -> str:
        return username(self.index, "staff", section.number, person)

    def head(self, department_id: int) -> str:
        return username(self.index, "kacho", self.departments.index(department_id) + 1)

    def user(self, role: str) -> str:
        return username(self.index, role)


def council_ref(index: int) -> CouncilRef:
    """Look up council ``index`` as generated (its latest year)."""
    from django.db.models import Count, Max, Q

    from plans.models import Department, FiscalYear, Organization, Section

    organization = Organization.objects.get(name=council_name(index))
    city = Organization.objects.get(name=city_name(index))
    year = FiscalYear.objects.filter(organization=organization).aggregate(y=Max("year"))["y"]
    sections = (
        Section.objects.filter(department__organization=organization)
        .annotate(
            rows=Count(
                "businesses__initiatives__items",
                filter=Q(businesses__fiscal_year__year=year),
            )
        )
        .order_by("department__order", "order", "pk")
    )
    return CouncilRef(
        index=index,
        organization_id=organization.pk,
        city_id=city.pk,
        year=year,
        sections=[
            SectionRef(pk=s.pk, department_id=s.department_id, number=n + 1, rows=s.rows)
            for n, s in enumerate(sections)
        ],
        departments=list(
            Department.objects.filter(organization=organization)
            .order_by("order", "pk")
            .values_list("pk", flat=True)
        ),
    )


def expected_counts(size: Size, councils: int | None = None) -> dict[str, int]:
    """What :func:`generate` writes, for the smoke test."""
    count = councils or size.councils
    items = count * size.years * size.rows
    return {
        "councils": count,
        "items": items,
        "results": 4 * items,
        "section_quarters": 4 * count * size.years * size.sections,
        "users": count * (3 + size.departments + STAFF_PER_SECTION * size.sections),
    }
