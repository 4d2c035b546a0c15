"""Every URL in the URLconf, for every role, against one declared table.

A new view without a row in ACCESS makes ``test_every_url_has_a_row`` fail, so nobody
adds a screen without deciding who may open it. Answers are for a GET of the URL with
the objects of the ``world`` fixture: section A's rows, 課 of A and B, the city that
commissioned a business of section B.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from collab.models import CollaborationProject, Review
from plans.models import PlanItem, User

from .factories import PASSWORD, UserFactory

ROLES = (
    "secretariat",
    "department_head",
    "staff_a",
    "staff_b",
    "board",
    "city",
    "other_org",
    "collab",  # last before anonymous: its POST to the delete view really deletes
    "anonymous",
)
LOGIN = "login"  # a redirect to the login page


@dataclass(frozen=True)
class Row:
    args: Callable[[dict], list]
    expect: dict[str, int | str]  # role → status code, or LOGIN
    method: str = "get"  # POST-only views are walked with an empty POST


def every(status: int | str, **overrides: int | str) -> dict[str, int | str]:
    """The same answer for every signed-in role, the login page for anonymous."""
    expected: dict[str, int | str] = dict.fromkeys(ROLES, status)
    expected["anonymous"] = LOGIN
    expected.update(overrides)
    return expected


def only(allowed: dict[str, int | str], others: int = 403) -> dict[str, int | str]:
    return every(others, **allowed)


NO_ARGS: Callable[[dict], list] = lambda o: []  # noqa: E731
YEAR = lambda o: [2020]  # noqa: E731
ITEM_A = lambda o: [o["item_a"].pk]  # noqa: E731
SECTION_A_Q1 = lambda o: [2020, 1, o["section_a"].pk]  # noqa: E731
CITY_YEAR = lambda o: [o["city"].pk, 2020]  # noqa: E731
PROJECT = lambda o: [o["project"].pk]  # noqa: E731
PROJECT_YEAR = lambda o: [o["project"].pk, 2020]  # noqa: E731
STAFF_A = lambda o: [o["users"]["staff_a"].pk]  # noqa: E731


def book_job(o: dict) -> list:
    """A plan export requested by the 事務局, not finished yet."""
    from books.models import BookJob

    owner = o["users"]["secretariat"]
    job, _ = BookJob.objects.get_or_create(
        organization_id=owner.organization_id, user=owner, kind="plan_export", year=2020
    )
    return [job.pk]


def api_token(o: dict) -> list:
    """A token the 事務局 issued for its own council."""
    from api.services import api_token_issue

    token, _ = api_token_issue(user=o["users"]["secretariat"], name="連携テスト")
    return [token.pk]


def revision(o: dict) -> list:
    """A 補正 of section A's row, waiting for the 事務局."""
    from plans.models import TargetRevision

    item = o["item_a"]
    made, _ = TargetRevision.objects.get_or_create(
        item=item,
        state=TargetRevision.State.REQUESTED,
        defaults={
            "from_quarter": 3,
            "old_text": item.target_text,
            "new_text": "9回",
            "reason": "r",
        },
    )
    return [made.pk]


def plan_import(o: dict) -> list:
    """A plan workbook read into 2020, waiting for the 事務局's review."""
    from plans.models import PlanImport

    made, _ = PlanImport.objects.get_or_create(
        fiscal_year=o["item_a"].initiative.business.fiscal_year, defaults={"businesses": []}
    )
    return [made.pk]


COUNCIL_READERS = {"secretariat": 200, "board": 200}
CITY_READERS = {**COUNCIL_READERS, "city": 200, "collab": 200}
# Who reads section A's business (and its rows): the council-wide roles and the people
# of its 課; it is not commissioned, so not the city.
BUSINESS_A_READERS = {
    **COUNCIL_READERS,
    "department_head": 200,
    "staff_a": 200,
    "staff_b": 200,
}

ACCESS: dict[str, Row] = {
    # Signing in and out.
    "login": Row(NO_ARGS, every(200, anonymous=200)),
    "logout": Row(NO_ARGS, every(LOGIN), method="post"),
    # Everyone changes their own password; a mailed one-time link works signed out (a
    # link that is not one, as here, says so).
    "password_change": Row(NO_ARGS, every(200)),
    "password_change_done": Row(NO_ARGS, every(200)),
    "password_reset_confirm": Row(lambda o: ["MQ", "not-a-token"], every(200, anonymous=200)),
    "password_reset_complete": Row(NO_ARGS, every(200, anonymous=200)),
    # The landing page: what needs this person now.
    "home": Row(NO_ARGS, every(200)),
    # Plans: every role reads what it may (another council reads its own plan).
    # The city's roles read the businesses it commissioned.
    "plans:latest": Row(NO_ARGS, every(302)),
    "plans:year": Row(YEAR, every(200)),
    "plans:review": Row(YEAR, every(200)),
    "plans:item_edit": Row(ITEM_A, only({"secretariat": 200, "staff_a": 200})),
    "plans:item_structure": Row(ITEM_A, only({"secretariat": 302, "staff_a": 302})),
    "plans:target_preview": Row(
        NO_ARGS, only({"secretariat": 200, "staff_a": 200, "staff_b": 200, "other_org": 200})
    ),
    # 確定 and 補正: the 事務局 fixes its own council's plan and decides every 補正; a 係
    # follows its own 補正 (another council's 事務局 sees its own, none of ours).
    "plans:fix": Row(YEAR, only({"secretariat": 302, "other_org": 302}), method="post"),
    "plans:revisions": Row(
        YEAR, only({"secretariat": 200, "staff_a": 200, "staff_b": 200, "other_org": 200})
    ),
    "plans:revision_decide": Row(revision, only({"secretariat": 302}), method="post"),
    "plans:import_preview": Row(plan_import, only({"secretariat": 200})),
    # Another council's 事務局 reaches its own council's trail and settings only.
    "plans:audit": Row(NO_ARGS, only({"secretariat": 200, "other_org": 200})),
    # Login lockouts: each 事務局 lifts its own council's (an empty POST goes back to the list).
    "plans:lockouts": Row(NO_ARGS, only({"secretariat": 200, "other_org": 200})),
    "plans:lockout_clear": Row(
        NO_ARGS, only({"secretariat": 302, "other_org": 302}), method="post"
    ),
    # People: each 事務局 manages its own council's users; another council's are not there.
    "plans:users": Row(NO_ARGS, only({"secretariat": 200, "other_org": 200})),
    "plans:user_add": Row(NO_ARGS, only({"secretariat": 200, "other_org": 200})),
    "plans:user_edit": Row(STAFF_A, only({"secretariat": 200, "other_org": 404})),
    "plans:user_active": Row(STAFF_A, only({"secretariat": 302, "other_org": 404}), method="post"),
    "plans:user_password_reset": Row(
        STAFF_A, only({"secretariat": 302, "other_org": 404}), method="post"
    ),
    # 実績.
    "results:home": Row(NO_ARGS, every(302)),
    "results:dashboard_latest": Row(NO_ARGS, every(302)),
    "results:dashboard": Row(lambda o: [2020, 1], every(200)),
    "results:item_detail": Row(ITEM_A, only(BUSINESS_A_READERS)),
    # A business's rows on the dashboard: the same people.
    "results:business_rows": Row(
        lambda o: [2020, 1, o["item_a"].initiative.business_id], only(BUSINESS_A_READERS)
    ),
    "results:item_history": Row(
        ITEM_A, only({"secretariat": 200, "staff_a": 200, "department_head": 200})
    ),
    "results:entry": Row(
        SECTION_A_Q1, only({"secretariat": 200, "staff_a": 200, "department_head": 200})
    ),
    "results:row_status": Row(
        lambda o: [2020, 1, o["item_a"].pk],
        only({"secretariat": 200, "staff_a": 200, "department_head": 200}),
    ),
    # Decisions on a draft entry: allowed people are told it cannot be done (302 back).
    "results:approve": Row(SECTION_A_Q1, only({"department_head": 302}), method="post"),
    "results:send_back": Row(SECTION_A_Q1, only({"department_head": 302}), method="post"),
    "results:unlock": Row(SECTION_A_Q1, only({"secretariat": 302}), method="post"),
    "results:withdraw": Row(
        SECTION_A_Q1, only({"secretariat": 302, "staff_a": 302}), method="post"
    ),
    "results:department": Row(
        lambda o: [2020, 1, o["section_a"].department_id],
        only({"secretariat": 200, "department_head": 200}),
    ),
    "results:manage": Row(YEAR, only({"secretariat": 200, "other_org": 200})),
    "results:window_set": Row(
        lambda o: [2020, 1], only({"secretariat": 302, "other_org": 302}), method="post"
    ),
    "results:tolerance_set": Row(
        NO_ARGS, only({"secretariat": 302, "other_org": 302}), method="post"
    ),
    # 帳票: anyone who reads plans may export the books of what they read (the city only
    # its own city report); imports write, so only the 事務局 (plan) and staff (実績).
    "books:index": Row(NO_ARGS, every(200, collab=403)),
    "books:export": Row(lambda o: ["plan"], every(302, city=403, collab=403), method="post"),
    "books:import_plan": Row(NO_ARGS, only({"secretariat": 302, "other_org": 302}), method="post"),
    "books:import_results": Row(
        NO_ARGS,
        only({"secretariat": 302, "staff_a": 302, "staff_b": 302, "other_org": 302}),
        method="post",
    ),
    # A job is its requester's alone; its file is not there before the job is done.
    "books:job": Row(book_job, only({"secretariat": 200})),
    "books:job_status": Row(book_job, only({"secretariat": 200})),
    "books:download": Row(book_job, only({"secretariat": 404})),
    # 総括: the 係 (and the 事務局) write it, the 課長 reads it in the review.
    "books:summary": Row(
        SECTION_A_Q1, only({"secretariat": 200, "staff_a": 200, "department_head": 200})
    ),
    # 協働事業 of the city.
    # Council readers see the inventories of the cities an operator granted to their council.
    "collab:index": Row(NO_ARGS, only(CITY_READERS)),
    "collab:import": Row(NO_ARGS, only({"collab": 200})),
    "collab:list": Row(CITY_YEAR, only(CITY_READERS)),
    "collab:project_create": Row(CITY_YEAR, only({"collab": 200})),
    "collab:project": Row(PROJECT, only(CITY_READERS)),
    "collab:project_edit": Row(PROJECT, only({"collab": 200})),
    "collab:project_delete": Row(PROJECT, only({"collab": 302}), method="post"),
    # (another council's 事務局 is refused before the project is looked at: 403, not 404)
    "collab:profile": Row(PROJECT, only({"collab": 200})),
    # The review form; readers see the reviews and the radar chart on the project page.
    "collab:review": Row(PROJECT_YEAR, only({"city": 200, "collab": 200})),
    "collab:review_export": Row(PROJECT_YEAR, only(CITY_READERS)),
    # The read API answers tokens only: a signed-in session is not enough
    # (tests/test_api.py walks every token kind). Its schema is public.
    "api:years": Row(NO_ARGS, every(401, anonymous=401)),
    "api:items": Row(NO_ARGS, every(401, anonymous=401)),
    "api:results": Row(NO_ARGS, every(401, anonymous=401)),
    "api:schema": Row(NO_ARGS, every(200, anonymous=200)),
    # Tokens are issued and revoked by a council's 事務局, for its own council only.
    "api:tokens": Row(NO_ARGS, only({"secretariat": 200, "other_org": 200})),
    "api:token_revoke": Row(api_token, only({"secretariat": 302, "other_org": 404}), method="post"),
}


def url_names() -> list[str]:
    """Every named URL of the project (the admin's own URLs are Django's, tested there)."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                full = f"{namespace}:{inner}" if namespace and inner else namespace or inner
                yield from walk(pattern.url_patterns, full)
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}:{pattern.name}" if namespace else str(pattern.name)

    return sorted(
        {name for name in walk(get_resolver().url_patterns) if not name.startswith("admin:")}
    )


def test_every_url_has_a_row():
    missing = [name for name in url_names() if name not in ACCESS]
    stale = [name for name in ACCESS if name not in url_names()]
    assert not missing, f"ACCESS に行がない URL: {missing}"
    assert not stale, f"もう存在しない URL の行: {stale}"


def test_every_row_names_every_role():
    for name, row in ACCESS.items():
        assert set(row.expect) == set(ROLES), name


@pytest.fixture
def objects(world):
    city = world.city
    users = dict(world.users)
    users["collab"] = UserFactory(organization=city, role=User.Role.COLLAB_STAFF)
    project = CollaborationProject.objects.create(
        organization=city, year=2020, name="ささえあいメール見守りサービス", section="高齢者支援課"
    )
    scores = dict.fromkeys(
        [
            "effectiveness",
            "goal_setting",
            "goal_sharing",
            "achievement",
            "cooperation",
            "beneficiary_satisfaction",
            "partner_satisfaction",
        ],
        4,
    )
    Review.objects.create(project=project, year=2020, result="実施できた", **scores)
    return {
        "users": users,
        "item_a": PlanItem.objects.filter(initiative__business=world.business_a).first(),
        "section_a": world.section_a,
        "city": city,
        "project": project,
    }


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_each_role_gets_the_declared_answer(client, objects, name):
    row = ACCESS[name]
    url = reverse(name, args=row.args(objects))
    answers = {}
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            assert client.login(username=objects["users"][role].username, password=PASSWORD)
        response = getattr(client, row.method)(url)
        if response.status_code == 302 and response["Location"].startswith(reverse("login")):
            answers[role] = LOGIN
        else:
            answers[role] = response.status_code
    assert answers == row.expect, f"{name}: {answers}"


# --- Tenancy by relation (issue 14) --------------------------------------------------------
# A second city, 小金井市, that the operator never related to the council. The council's
# plan names it on a business anyway (as importing a workbook did before relations
# existed), and it keeps a 協働事業一覧. Neither side reaches the other through that name.


@pytest.fixture
def stranger(objects, world):
    from plans.models import Organization

    from .conftest import make_business

    city = Organization.objects.create(name="小金井市", kind=Organization.Kind.CITY)
    named = make_business(world.section_b, commissioned_by=city, name="名前だけの受託事業")
    project = CollaborationProject.objects.create(
        organization=city, year=2020, name="小金井の見守り", section="福祉総合課"
    )
    users = dict(objects["users"])
    users["stranger_city"] = UserFactory(organization=city, role=User.Role.CITY)
    users["stranger_collab"] = UserFactory(organization=city, role=User.Role.COLLAB_STAFF)
    users["operator"] = UserFactory(
        organization=None, role="", is_staff=True, is_superuser=True, username="kanri"
    )
    return {
        "users": users,
        "city": city,
        "named": named,
        "named_item": PlanItem.objects.filter(initiative__business=named).first(),
        "project": project,
        "own_item": objects["item_a"],
    }


ADMIN_LOGIN = "admin-login"  # the admin sends everyone but an operator to its own login

ISOLATION = [
    # The council's readers and the city it was never related to: each other's data is 403.
    ("collab:list", lambda s: [s["city"].pk, 2020], "secretariat", 403),
    ("collab:list", lambda s: [s["city"].pk, 2020], "board", 403),
    ("collab:project", lambda s: [s["project"].pk], "secretariat", 403),
    ("collab:project", lambda s: [s["project"].pk], "board", 403),
    ("collab:review_export", lambda s: [s["project"].pk, 2020], "board", 403),
    ("results:item_detail", lambda s: [s["named_item"].pk], "stranger_city", 403),
    ("results:item_detail", lambda s: [s["named_item"].pk], "stranger_collab", 403),
    (
        "results:business_rows",
        lambda s: [2020, 1, s["named"].pk],
        "stranger_city",
        403,
    ),
    # The related city still reads what it commissioned; the council its own plan.
    ("results:item_detail", lambda s: [s["own_item"].pk], "secretariat", 200),
    # The Django admin is the operators' alone: no council or city role gets in.
    ("admin:index", lambda s: [], "secretariat", ADMIN_LOGIN),
    ("admin:plans_organization_changelist", lambda s: [], "secretariat", ADMIN_LOGIN),
    ("admin:plans_user_changelist", lambda s: [], "other_org", ADMIN_LOGIN),
    ("admin:index", lambda s: [], "board", ADMIN_LOGIN),
    ("admin:index", lambda s: [], "city", ADMIN_LOGIN),
    ("admin:index", lambda s: [], "operator", 200),
    ("admin:plans_commission_changelist", lambda s: [], "operator", 200),
]


@pytest.mark.parametrize(
    ("name", "args", "role", "expect"),
    ISOLATION,
    ids=[f"{name}-{role}" for name, _, role, _ in ISOLATION],
)
def test_no_council_or_city_reaches_another_by_a_name(client, stranger, name, args, role, expect):
    assert client.login(username=stranger["users"][role].username, password=PASSWORD)
    response = client.get(reverse(name, args=args(stranger)))
    answer = response.status_code
    if answer == 302 and response["Location"].startswith(reverse("admin:login")):
        answer = ADMIN_LOGIN
    assert answer == expect


def test_a_city_lists_only_what_it_commissioned_through_a_relation(client, stranger, world):
    assert client.login(username=stranger["users"]["stranger_city"].username, password=PASSWORD)
    page = client.get(reverse("plans:year", args=[2020])).content.decode()
    assert "名前だけの受託事業" not in page
    assert client.login(username=world.users["city"].username, password=PASSWORD)
    page = client.get(reverse("plans:year", args=[2020])).content.decode()
    assert "受託の事業" in page
    assert "名前だけの受託事業" not in page


def test_council_readers_list_only_the_cities_granted_to_them(client, stranger, world):
    assert client.login(username=world.users["board"].username, password=PASSWORD)
    page = client.get(reverse("collab:index")).content.decode()
    assert "西東京市" in page
    assert "小金井市" not in page


def test_the_council_cannot_ask_for_a_report_to_a_body_it_is_not_related_to(
    client, stranger, world
):
    assert client.login(username=world.users["secretariat"].username, password=PASSWORD)
    response = client.post(
        reverse("books:export", args=["city"]),
        {"year": 2020, "quarter": 1, "commissioner": stranger["city"].pk},
    )
    assert response.status_code == 403


def test_demo_jimukyoku_gets_no_django_admin(client, db, r2_plan_data):
    from plans.demo import DEMO_PASSWORD, demo_load

    demo_load(data=r2_plan_data, with_results=False)
    assert client.login(username="jimukyoku", password=DEMO_PASSWORD)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    # Signing in on the admin's own page does not let the 事務局 in either.
    client.logout()
    response = client.post(
        reverse("admin:login"), {"username": "jimukyoku", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # The demo's operator (システム管理者) is the one who gets in.
    assert client.login(username="kanri", password=DEMO_PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200
