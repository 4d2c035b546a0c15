"""Shared fixtures: the real 令和2年度 plan, a two-section plan, and users of every role."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from plans.demo import DEMO_PLAN_PATH, demo_relations_load
from plans.models import Business, CollaborationGrant, Commission, Section, User
from plans.services import plan_load

from .factories import (
    BusinessFactory,
    CityFactory,
    InitiativeFactory,
    OrganizationFactory,
    PlanItemFactory,
    SectionFactory,
    UserFactory,
)

PLAN_JSON = DEMO_PLAN_PATH


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 is deliberately slow; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # django-axes needs the request to authenticate, which client.login does not pass;
    # tests/test_security.py turns it on to test the lockout itself.
    settings.AXES_ENABLED = False


@pytest.fixture(scope="session")
def r2_plan_data() -> dict:
    return json.loads(PLAN_JSON.read_text(encoding="utf-8"))


@pytest.fixture
def r2_plan(db, r2_plan_data):
    """The real 令和2年度 plan of 西東京市社会福祉協議会, loaded."""
    organization = OrganizationFactory(name=r2_plan_data["organization"])
    demo_relations_load(council=organization)  # the plan names 西東京市 and 東京都社協
    return plan_load(organization=organization, data=r2_plan_data).fiscal_year


@dataclass
class World:
    """Two sections (A, B) in one 課, a third in another 課, a second council, a city.

    The operator related the city to the council: it commissions ``commissioned`` and the
    council reads its 協働事業一覧.
    """

    organization: object
    other_organization: object
    city: object
    section_a: Section
    section_b: Section
    section_c: Section
    business_a: Business
    business_b: Business
    business_c: Business
    commissioned: Business
    users: dict[str, User]


def make_business(section: Section, *, rows: int = 3, **kwargs) -> Business:
    business = BusinessFactory(section=section, **kwargs)
    initiative = InitiativeFactory(business=business, number=1)
    targets = ["7回予定", "年24回 （月2回）", "随時実施", "30万円/年1回", "2回"]
    details = ["", "", "", "", "5月、11月に開催"]
    for index in range(rows):
        PlanItemFactory(
            initiative=initiative,
            target_text=targets[index % len(targets)],
            detail=details[index % len(details)],
        )
    return business


@pytest.fixture
def world(db) -> World:
    organization = OrganizationFactory(name="テスト市社会福祉協議会")
    other = OrganizationFactory(name="よその市社会福祉協議会")
    city = CityFactory()
    # As an operator left them (no audit events: the audit tests count this council's).
    Commission.objects.create(council=organization, commissioner=city)
    CollaborationGrant.objects.create(council=organization, city=city)
    section_a = SectionFactory(
        department__organization=organization, department__name="福祉活動推進課", name="A係"
    )
    section_b = SectionFactory(department=section_a.department, name="B係")
    section_c = SectionFactory(department__organization=organization, department__name="総務課")
    other_section = SectionFactory(department__organization=other)
    business_a = make_business(section_a)
    business_b = make_business(section_b)
    business_c = make_business(section_c)
    commissioned = make_business(section_b, commissioned_by=city, name="受託の事業")
    make_business(other_section)
    role = User.Role
    users = {
        "secretariat": UserFactory(organization=organization, role=role.SECRETARIAT),
        "department_head": UserFactory(
            organization=organization, role=role.DEPARTMENT_HEAD, department=section_a.department
        ),
        "staff_a": UserFactory(
            organization=organization, role=role.SECTION_STAFF, section=section_a
        ),
        "staff_b": UserFactory(
            organization=organization, role=role.SECTION_STAFF, section=section_b
        ),
        "board": UserFactory(organization=organization, role=role.BOARD),
        "city": UserFactory(organization=city, role=role.CITY),
        "other_org": UserFactory(organization=other, role=role.SECRETARIAT),
        "no_role": UserFactory(organization=organization, role=""),
    }
    return World(
        organization=organization,
        other_organization=other,
        city=city,
        section_a=section_a,
        section_b=section_b,
        section_c=section_c,
        business_a=business_a,
        business_b=business_b,
        business_c=business_c,
        commissioned=commissioned,
        users=users,
    )


def approval_post_data(section_quarter) -> dict:
    """What the 課長's approval form posts for ``section_quarter`` as it stands now (the
    version and the figures they look at), as the entry page renders it."""
    from results.forms import ApproveForm
    from results.services import entry_snapshot

    section_quarter.refresh_from_db()
    form = ApproveForm.for_entry(
        version=section_quarter.version, snapshot=entry_snapshot(section_quarter)
    )
    return {"version": form.initial["version"], "reviewed": form.initial["reviewed"]}
