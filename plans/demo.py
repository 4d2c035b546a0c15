"""The demo organisation: the real 令和2年度 plan and one login per role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .models import Department, FiscalYear, Organization, Section, User
from .services import (
    collaboration_grant_add,
    commission_add,
    organization_create,
    plan_load,
)

DEMO_PASSWORD = "shakyo-demo"
# The real 令和2年度 plan, transcribed from the printed plan (see plans/data/README.md).
DEMO_PLAN_PATH = Path(__file__).resolve().parent / "data" / "r2_plan.json"

# username, role, last name, first name, department, section, organisation ("city" = 西東京市)
_DEMO_USERS = [
    ("jimukyoku", User.Role.SECRETARIAT, "事務局", "花子", "総務課", "法人運営係", "council"),
    ("kacho", User.Role.DEPARTMENT_HEAD, "課長", "一郎", "福祉活動推進課", "", "council"),
    ("kacho_somu", User.Role.DEPARTMENT_HEAD, "総務課長", "四郎", "総務課", "", "council"),
    ("kacho_shien", User.Role.DEPARTMENT_HEAD, "支援課長", "五郎", "福祉支援課", "", "council"),
    (
        "kakaricho",
        User.Role.SECTION_STAFF,
        "係長",
        "二郎",
        "福祉活動推進課",
        "地域福祉推進係",
        "council",
    ),
    (
        "kakaricho2",
        User.Role.SECTION_STAFF,
        "係長",
        "三郎",
        "福祉活動推進課",
        "相談支援係",
        "council",
    ),
    ("riji", User.Role.BOARD, "理事", "和子", "", "", "council"),
    ("city", User.Role.CITY, "市所管課", "太郎", "", "", "city"),
    ("kyodo", User.Role.COLLAB_STAFF, "協働担当", "次郎", "", "", "city"),
]


# The bodies that commission the demo council's 受託事業 (named in the demo plan), and the
# city whose 協働事業一覧 the council reads. An operator would relate them; the demo does.
DEMO_CITY = "西東京市"
_DEMO_COMMISSIONERS = [
    (DEMO_CITY, Organization.Kind.CITY),
    ("東京都社会福祉協議会", Organization.Kind.COUNCIL),
]
# The installation's operator (システム管理者): the only demo user of the Django admin.
DEMO_OPERATOR = "kanri"


def demo_relations_load(*, council: Organization) -> Organization:
    """Create the demo's commissioning bodies and relate them to ``council``; the city."""
    bodies = {}
    for name, kind in _DEMO_COMMISSIONERS:
        body = Organization.objects.filter(name=name).first()
        bodies[name] = body or organization_create(name=name, kind=kind)
        commission_add(council=council, commissioner=bodies[name])
    city = bodies[DEMO_CITY]
    collaboration_grant_add(council=council, city=city)
    return city


@dataclass
class DemoSummary:
    organization: Organization
    fiscal_year: FiscalYear
    plan_created: bool
    items: int
    results: int = 0
    users: list[User] = field(default_factory=list)


# The sample 実績 live in results (a higher app, which plans never imports): results
# registers its loader here when it starts (results.apps).
SampleResults = Callable[[FiscalYear], int]
_sample_results: SampleResults | None = None


def register_sample_results(loader: SampleResults) -> None:
    """``loader(fiscal_year)`` creates the year's sample 実績 once and returns how many."""
    global _sample_results
    _sample_results = loader


def demo_load(*, data: dict[str, Any], with_results: bool = True) -> DemoSummary:
    """Create (or find) the demo council, its plan, its users and sample 実績."""
    organization, _ = Organization.objects.get_or_create(
        name=data["organization"],
        defaults={"short_name": "西東京市社協", "kind": Organization.Kind.COUNCIL},
    )
    city = demo_relations_load(council=organization)
    loaded = plan_load(organization=organization, data=data)
    summary = DemoSummary(
        organization=organization,
        fiscal_year=loaded.fiscal_year,
        plan_created=loaded.created,
        items=loaded.items,
    )
    for username, role, last, first, dep_name, sec_name, org_kind in _DEMO_USERS:
        department = (
            Department.objects.get(organization=organization, name=dep_name) if dep_name else None
        )
        section = Section.objects.get(department=department, name=sec_name) if sec_name else None
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "organization": city if org_kind == "city" else organization,
                "role": role,
                "last_name": last,
                "email": f"{username}@example.jp",
                "first_name": first,
                "department": department if role == User.Role.DEPARTMENT_HEAD else None,
                "section": section if role in (User.Role.SECTION_STAFF,) else None,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        elif user.is_staff or user.is_superuser:
            # No council role uses the Django admin (demos loaded before made 事務局 staff).
            user.is_staff = user.is_superuser = False
            user.save(update_fields=["is_staff", "is_superuser"])
        summary.users.append(user)
    operator, created = User.objects.get_or_create(
        username=DEMO_OPERATOR,
        defaults={
            "last_name": "システム管理者",
            "email": f"{DEMO_OPERATOR}@example.jp",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        operator.set_password(DEMO_PASSWORD)
        operator.save(update_fields=["password"])
    summary.users.append(operator)
    if with_results and _sample_results is not None:
        summary.results = _sample_results(loaded.fiscal_year)
    return summary
