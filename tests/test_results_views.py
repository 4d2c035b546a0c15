"""The 実績 screens: who may open and do what (every view × every role), and the quarterly
workflow as a user sees it — save, submit, return, approve, lock, unlock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from plans.models import AuditEvent, PlanItem
from results.models import QuarterWindow, Result, SectionQuarter

from .conftest import approval_post_data, make_business

ROLES = [
    "secretariat",
    "department_head",
    "staff_a",
    "staff_b",
    "board",
    "city",
    "other_org",
    "no_role",
    "anonymous",
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def q1(world):
    """令和2年度 Q1 open for entry (deadline 2020-07-15); returns the fiscal year."""
    fiscal_year = world.business_a.fiscal_year
    QuarterWindow.objects.create(
        fiscal_year=fiscal_year, quarter=1, is_open=True, deadline=date(2020, 7, 15)
    )
    return fiscal_year


def act_as(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def rows_of(business) -> list[PlanItem]:
    return list(PlanItem.objects.filter(initiative__business=business).order_by("order", "pk"))


def entry_url(section, quarter=1, year=2020):
    return reverse("results:entry", args=[year, quarter, section.pk])


def filled(business, **overrides) -> dict:
    """POST data for section A's business: 7回予定 → 2, 年24回 → 6, 随時実施 → 実施.

    At Q1 (linear) 7回 expects 1.75, so 2 is 順調; 24回 expects 6 (順調).
    """
    seven, twenty_four, anytime = rows_of(business)[:3]
    data = {
        f"r{seven.pk}-value": "2",
        f"r{seven.pk}-note": "理事会を2回開催",
        f"r{twenty_four.pk}-value": "6",
        f"r{anytime.pk}-done": "1",
        f"r{anytime.pk}-note": "随時受付",
        "version": "0",
        "action": "save",
    }
    data.update(overrides)
    return data


def assert_login_redirect(response):
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# ---------------------------------------------------------------------------------------
# Permissions: every view, every role


ENTRY_READERS = {"secretariat": 200, "department_head": 200, "staff_a": 200}


def expected(role: str, allowed: dict[str, int], forbidden: int = 403) -> int:
    if role == "anonymous":
        return 302
    return allowed.get(role, forbidden)


@pytest.mark.parametrize("role", ROLES)
def test_entry_page_opens_for_secretariat_own_staff_and_department_head(client, world, q1, role):
    response = act_as(client, world, role).get(entry_url(world.section_a))
    assert response.status_code == expected(role, ENTRY_READERS)
    if role == "anonymous":
        assert_login_redirect(response)


@pytest.mark.parametrize("role", ROLES)
def test_only_secretariat_and_own_staff_may_save(client, world, q1, role):
    response = act_as(client, world, role).post(
        entry_url(world.section_a), filled(world.business_a)
    )
    status = expected(role, {"secretariat": 302, "staff_a": 302})
    assert response.status_code == status
    assert Result.objects.exists() is (role in ("secretariat", "staff_a"))


@pytest.mark.parametrize("role", ROLES)
def test_live_status_is_for_those_who_open_the_entry_page(client, world, q1, role):
    item = rows_of(world.business_a)[0]
    url = reverse("results:row_status", args=[2020, 1, item.pk])
    response = act_as(client, world, role).get(url, {f"r{item.pk}-value": "1"})
    assert response.status_code == expected(role, ENTRY_READERS)


def submitted(world, section=None):
    section = section or world.section_a
    return SectionQuarter.objects.create(
        fiscal_year=world.business_a.fiscal_year,
        section=section,
        quarter=1,
        state=SectionQuarter.State.SUBMITTED,
        version=3,
    )


@pytest.mark.parametrize("role", ROLES)
def test_only_the_department_head_approves(client, world, q1, role):
    section_quarter = submitted(world)
    url = reverse("results:approve", args=[2020, 1, world.section_a.pk])
    response = act_as(client, world, role).post(url, approval_post_data(section_quarter))
    assert response.status_code == expected(role, {"department_head": 302})
    section_quarter.refresh_from_db()
    approved = section_quarter.state == SectionQuarter.State.APPROVED
    assert approved is (role == "department_head")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_department_head_returns(client, world, q1, role):
    section_quarter = submitted(world)
    url = reverse("results:send_back", args=[2020, 1, world.section_a.pk])
    response = act_as(client, world, role).post(url, {"comment": "数字を確認してください"})
    assert response.status_code == expected(role, {"department_head": 302})
    section_quarter.refresh_from_db()
    assert (section_quarter.state == SectionQuarter.State.RETURNED) is (role == "department_head")


def test_head_of_another_department_may_not_decide(client, world, q1, django_user_model):
    from .factories import UserFactory

    other_head = UserFactory(
        organization=world.organization,
        role="department_head",
        department=world.section_c.department,
    )
    section_quarter = submitted(world)
    client.force_login(other_head)
    response = client.post(reverse("results:approve", args=[2020, 1, world.section_a.pk]))
    assert response.status_code == 403
    assert client.get(entry_url(world.section_a)).status_code == 403
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.SUBMITTED


@pytest.mark.parametrize("role", ROLES)
def test_only_the_secretariat_unlocks(client, world, q1, role):
    section_quarter = submitted(world)
    SectionQuarter.objects.filter(pk=section_quarter.pk).update(state=SectionQuarter.State.APPROVED)
    url = reverse("results:unlock", args=[2020, 1, world.section_a.pk])
    response = act_as(client, world, role).post(url, {"reason": "数値の誤りを訂正するため"})
    assert response.status_code == expected(role, {"secretariat": 302})
    section_quarter.refresh_from_db()
    assert (section_quarter.state == SectionQuarter.State.DRAFT) is (role == "secretariat")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_section_and_the_secretariat_withdraw_a_submission(client, world, q1, role):
    section_quarter = submitted(world)
    url = reverse("results:withdraw", args=[2020, 1, world.section_a.pk])
    response = act_as(client, world, role).post(url)
    assert response.status_code == expected(role, {"secretariat": 302, "staff_a": 302})
    section_quarter.refresh_from_db()
    withdrawn = section_quarter.state == SectionQuarter.State.DRAFT
    assert withdrawn is (role in ("secretariat", "staff_a"))


@pytest.mark.parametrize("role", ROLES)
def test_department_list_is_for_its_head_and_the_secretariat(client, world, q1, role):
    url = reverse("results:department", args=[2020, 1, world.section_a.department_id])
    response = act_as(client, world, role).get(url)
    assert response.status_code == expected(role, {"secretariat": 200, "department_head": 200})


@pytest.mark.parametrize("role", ROLES)
def test_manage_page_is_for_the_secretariat(client, world, q1, role):
    response = act_as(client, world, role).get(reverse("results:manage", args=[2020]))
    # Another council's 事務局 manages its own council: never ours.
    assert response.status_code == expected(role, {"secretariat": 200, "other_org": 200})
    if role == "other_org":
        assert world.section_a.name not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_secretariat_opens_and_closes_windows(client, world, q1, role):
    url = reverse("results:window_set", args=[2020, 2])
    response = act_as(client, world, role).post(
        url, {"q2-is_open": "on", "q2-deadline": "2020-10-15"}
    )
    assert response.status_code == expected(role, {"secretariat": 302, "other_org": 302})
    ours = QuarterWindow.objects.filter(fiscal_year=q1, quarter=2)
    assert ours.exists() is (role == "secretariat")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_secretariat_changes_the_tolerance(client, world, q1, role):
    response = act_as(client, world, role).post(
        reverse("results:tolerance_set"), {"percent": "15", "year": "2020"}
    )
    assert response.status_code == expected(role, {"secretariat": 302, "other_org": 302})
    world.organization.refresh_from_db()
    assert (world.organization.tolerance == Decimal("0.15")) is (role == "secretariat")


@pytest.mark.parametrize("role", ROLES)
def test_row_history_is_for_those_who_open_the_entry_page(client, world, q1, role):
    item = rows_of(world.business_a)[0]
    response = act_as(client, world, role).get(reverse("results:item_history", args=[item.pk]))
    assert response.status_code == expected(role, ENTRY_READERS)


@pytest.mark.parametrize(
    ("role", "business_attr", "status"),
    [
        ("secretariat", "business_a", 200),
        ("department_head", "business_a", 200),
        ("staff_a", "business_a", 200),
        ("staff_b", "business_a", 200),  # same 課: read
        ("staff_a", "business_c", 403),  # another 課
        ("board", "business_c", 200),
        ("city", "business_a", 403),  # not commissioned
        ("city", "commissioned", 200),
        ("other_org", "business_a", 403),
        ("no_role", "business_a", 403),
        ("anonymous", "business_a", 302),
    ],
)
def test_row_page_follows_plan_visibility(client, world, q1, role, business_attr, status):
    item = rows_of(getattr(world, business_attr))[0]
    response = act_as(client, world, role).get(reverse("results:item_detail", args=[item.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status", "sees_a", "sees_c", "sees_commissioned"),
    [
        ("secretariat", 200, True, True, True),
        ("board", 200, True, True, True),
        ("department_head", 200, True, False, True),
        ("staff_a", 200, True, False, True),
        ("staff_b", 200, True, False, True),
        ("city", 200, False, False, True),
        ("other_org", 200, False, False, False),  # its own council's businesses only
        ("no_role", 403, False, False, False),
        ("anonymous", 302, False, False, False),
    ],
)
def test_dashboard_shows_each_role_what_it_may_read(
    client, world, q1, role, status, sees_a, sees_c, sees_commissioned
):
    response = act_as(client, world, role).get(reverse("results:dashboard", args=[2020, 1]))
    assert response.status_code == status
    if status != 200:
        return
    html = response.content.decode()
    assert (world.business_a.name in html) is sees_a
    assert (world.business_c.name in html) is sees_c
    assert (world.commissioned.name in html) is sees_commissioned


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("secretariat", "/results/2020/manage/"),
        ("department_head", "/departments/"),
        ("staff_a", "/sections/"),
        ("staff_b", "/sections/"),
        ("board", "/results/dashboard/"),
        ("city", "/results/dashboard/"),
        ("other_org", "/results/2020/manage/"),
    ],
)
def test_results_home_sends_each_role_to_its_screen(client, world, q1, role, target):
    response = act_as(client, world, role).get(reverse("results:home"))
    assert response.status_code == 302
    assert target in response["Location"]


@pytest.mark.parametrize("name", ["results:home", "results:dashboard_latest"])
def test_landing_pages_refuse_users_without_role_and_ask_anonymous_to_log_in(client, world, name):
    assert_login_redirect(client.get(reverse(name)))
    client.force_login(world.users["no_role"])
    assert client.get(reverse(name)).status_code == 403


def test_dashboard_latest_opens_the_latest_approved_quarter(client, world, q1):
    submitted(world)
    SectionQuarter.objects.update(state=SectionQuarter.State.APPROVED)
    client.force_login(world.users["board"])
    response = client.get(reverse("results:dashboard_latest"))
    assert response["Location"] == reverse("results:dashboard", args=[2020, 1])


def test_quarter_outside_one_to_four_is_not_found(client, world, q1):
    client.force_login(world.users["secretariat"])
    assert client.get(entry_url(world.section_a, quarter=5)).status_code == 404
    assert client.get(reverse("results:dashboard", args=[2020, 0])).status_code == 404


# ---------------------------------------------------------------------------------------
# Entering numbers


@pytest.mark.parametrize("typed", ["2,100", "２，１００", "2100", " 2100 "])
def test_numbers_are_read_as_people_type_them(client, world, q1, typed):
    item = rows_of(make_business(world.section_a, rows=4))[3]  # 30万円/年1回: 2,100 円 fits
    client.force_login(world.users["staff_a"])
    response = client.post(entry_url(world.section_a), {f"r{item.pk}-value": typed, "version": "0"})
    assert response.status_code == 302
    assert Result.objects.get(item=item, quarter=1).value == Decimal("2100")


def test_negative_or_text_is_refused_with_a_clear_message_and_nothing_is_saved(client, world, q1):
    seven, twenty_four, _ = rows_of(world.business_a)[:3]
    client.force_login(world.users["staff_a"])
    response = client.post(
        entry_url(world.section_a),
        filled(
            world.business_a,
            **{f"r{seven.pk}-value": "-3", f"r{twenty_four.pk}-value": "六回"},
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "保存できませんでした" in html
    assert "負の数は入力できません" in html
    assert "「六回」は数として読めません" in html
    assert Result.objects.count() == 0
    # What was typed stays on the page to be corrected.
    assert 'value="-3"' in html


def test_cancel_without_reason_is_refused_by_the_service_rule(client, world, q1):
    seven = rows_of(world.business_a)[0]
    client.force_login(world.users["staff_a"])
    response = client.post(
        entry_url(world.section_a), {f"r{seven.pk}-cancelled": "year", "version": "0"}
    )
    assert response.status_code == 400
    assert "中止の場合は中止の理由を入力してください" in response.content.decode()
    assert Result.objects.count() == 0


def test_cancel_with_reason_makes_the_row_cancelled(client, world, q1):
    seven = rows_of(world.business_a)[0]
    client.force_login(world.users["staff_a"])
    client.post(
        entry_url(world.section_a),
        {
            f"r{seven.pk}-cancelled": "year",
            f"r{seven.pk}-cancel_reason": "新型コロナウイルス感染症拡大防止のため",
            "version": "0",
        },
    )
    html = client.get(entry_url(world.section_a)).content.decode()
    assert 'data-status="中止"' in html


def test_a_save_of_more_than_400_fields_keeps_every_row(client, world, q1):
    business = make_business(world.section_a, rows=115)  # the largest real section
    rows = rows_of(business)
    client.force_login(world.users["staff_a"])
    page = client.get(entry_url(world.section_a)).content.decode()
    assert page.count('name="r') >= 400
    data = {"version": "0", "action": "save"}
    for index, item in enumerate(rows):
        target = item.parsed
        if target.quantities:
            data[f"r{item.pk}-value"] = "1"
            for extra in range(len(target.quantities) - 1):
                data[f"r{item.pk}-x{extra}"] = "1"
        elif target.kind == "qualitative":
            data[f"r{item.pk}-done"] = "1"
        data[f"r{item.pk}-note"] = f"行{index}の実施内容"
        data[f"r{item.pk}-cancel_reason"] = ""
        data[f"r{item.pk}-reason"] = f"行{index}の理由"
    assert len(data) >= 400
    response = client.post(entry_url(world.section_a), data)
    assert response.status_code == 302
    saved = Result.objects.filter(item__initiative__business=business, quarter=1)
    assert saved.count() == len(rows) == 115
    last = saved.get(item=rows[-1])
    assert last.note == "行114の実施内容"
    assert last.reason == "行114の理由"


def test_two_people_saving_the_same_quarter_the_later_is_refused_with_current_values(
    client, world, q1, django_user_model
):
    from .factories import UserFactory

    seven = rows_of(world.business_a)[0]
    colleague = UserFactory(
        organization=world.organization, role="section_staff", section=world.section_a
    )
    client.force_login(world.users["staff_a"])
    page = client.get(entry_url(world.section_a)).content.decode()
    assert 'name="version" value="0"' in page

    # The colleague saves first, from the same version 0.
    other = client.__class__()
    other.force_login(colleague)
    assert other.post(entry_url(world.section_a), filled(world.business_a)).status_code == 302

    response = client.post(
        entry_url(world.section_a),
        filled(world.business_a, **{f"r{seven.pk}-value": "5", "version": "0"}),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "ほかの方が先にこの係の実績を保存しました" in html
    assert 'value="2"' in html  # the colleague's saved value is shown
    assert "保存されなかったあなたの入力" in html
    assert "実績 5" in html
    assert 'name="version" value="1"' in html
    assert Result.objects.get(item=seven, quarter=1).value == 2


def test_staff_cannot_save_when_the_window_is_closed_but_the_secretariat_can(client, world, q1):
    QuarterWindow.objects.update(is_open=False)
    client.force_login(world.users["staff_a"])
    page = client.get(entry_url(world.section_a)).content.decode()
    assert "入力期間外" in page
    response = client.post(entry_url(world.section_a), filled(world.business_a))
    assert response.status_code == 400
    assert "この四半期の入力期間ではありません" in response.content.decode()
    client.force_login(world.users["secretariat"])
    assert client.post(entry_url(world.section_a), filled(world.business_a)).status_code == 302


def test_entry_page_shows_target_pace_and_status(client, world, q1):
    client.force_login(world.users["staff_a"])
    client.post(entry_url(world.section_a), filled(world.business_a))
    html = client.get(entry_url(world.section_a)).content.decode()
    assert "7回予定" in html
    assert "<dt>目安</dt><dd>2回</dd>" in html  # 7 × 1/4 = 1.75: a whole count to aim at
    assert "28.6%" in html  # 2 of 7
    assert 'data-status="順調"' in html
    assert 'data-status="実施"' in html
    assert "下書き保存" in html


def test_sample_results_are_labelled(client, world, q1):
    seven = rows_of(world.business_a)[0]
    Result.objects.create(item=seven, quarter=1, value=2, note="サンプルデータ: 計画どおり実施")
    client.force_login(world.users["staff_a"])
    assert "デモ用に作った架空の数値" in client.get(entry_url(world.section_a)).content.decode()
    client.force_login(world.users["staff_b"])
    page = client.get(entry_url(world.section_b)).content.decode()
    assert "デモ用に作った架空の数値" not in page


# ---------------------------------------------------------------------------------------
# The live status


def test_live_status_is_computed_by_the_server_as_typed(client, world, q1):
    seven = rows_of(world.business_a)[0]
    url = reverse("results:row_status", args=[2020, 1, seven.pk])
    client.force_login(world.users["staff_a"])
    behind = client.get(url, {f"r{seven.pk}-value": "1"}).content.decode()
    assert 'data-status="遅れ"' in behind
    assert 'data-shortfall="1"' in behind
    on_track = client.get(url, {f"r{seven.pk}-value": "２"}).content.decode()
    assert 'data-status="順調"' in on_track
    nothing = client.get(url).content.decode()
    assert 'data-status="未入力"' in nothing
    cancelled = client.get(
        url, {f"r{seven.pk}-cancelled": "year", f"r{seven.pk}-cancel_reason": "台風のため"}
    ).content.decode()
    assert 'data-status="中止"' in cancelled
    cancelled_with_figure = client.get(
        url,
        {
            f"r{seven.pk}-cancelled": "year",
            f"r{seven.pk}-cancel_reason": "台風のため",
            f"r{seven.pk}-value": "1",
        },
    ).content.decode()
    assert "中止とした四半期には実績の数を入力できません" in cancelled_with_figure
    wrong = client.get(url, {f"r{seven.pk}-value": "-1"}).content.decode()
    assert "負の数は入力できません" in wrong
    assert Result.objects.count() == 0


def test_live_status_adds_earlier_quarters(client, world, q1):
    seven = rows_of(world.business_a)[0]
    Result.objects.create(item=seven, quarter=1, value=1)
    QuarterWindow.objects.create(fiscal_year=q1, quarter=2, is_open=True)
    url = reverse("results:row_status", args=[2020, 2, seven.pk])
    client.force_login(world.users["staff_a"])
    # Q2 expects 3.5; 1 + 2 = 3 ≥ 3.5 × 0.9 = 3.15? No: 3 < 3.15 → 遅れ; 1 + 3 = 4 → 順調.
    assert 'data-status="遅れ"' in client.get(url, {f"r{seven.pk}-value": "2"}).content.decode()
    assert 'data-status="順調"' in client.get(url, {f"r{seven.pk}-value": "3"}).content.decode()


# ---------------------------------------------------------------------------------------
# The workflow


def test_shortfall_cannot_be_submitted_without_reason_and_the_draft_is_kept(client, world, q1):
    seven = rows_of(world.business_a)[0]
    client.force_login(world.users["staff_a"])
    data = filled(world.business_a, **{f"r{seven.pk}-value": "1", "action": "submit"})
    response = client.post(entry_url(world.section_a), data, follow=True)
    html = response.content.decode()
    assert "提出できませんでした" in html
    assert "遅れのため、理由・今後の対応を入力してください" in html
    section_quarter = SectionQuarter.objects.get(section=world.section_a, quarter=1)
    assert section_quarter.state == SectionQuarter.State.DRAFT
    assert Result.objects.get(item=seven, quarter=1).value == 1  # the draft was saved

    data = filled(
        world.business_a,
        **{
            f"r{seven.pk}-value": "1",
            f"r{seven.pk}-reason": "緊急事態宣言により延期。下半期に実施します。",
            "action": "submit",
            "version": str(section_quarter.version),
        },
    )
    response = client.post(entry_url(world.section_a), data, follow=True)
    assert "提出しました" in response.content.decode()
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.SUBMITTED
    assert section_quarter.submitted_by == world.users["staff_a"]


def submit_section_a(client, world):
    client.force_login(world.users["staff_a"])
    response = client.post(entry_url(world.section_a), filled(world.business_a, action="submit"))
    assert response.status_code == 302
    section_quarter = SectionQuarter.objects.get(section=world.section_a, quarter=1)
    assert section_quarter.state == SectionQuarter.State.SUBMITTED
    return section_quarter


def test_return_then_resubmit_then_approve_locks_the_entry(client, world, q1):
    section_quarter = submit_section_a(client, world)
    head = world.users["department_head"]
    client.force_login(head)
    listing = client.get(
        reverse("results:department", args=[2020, 1, world.section_a.department_id])
    ).content.decode()
    assert "提出済み（承認待ち）" in listing
    assert "確認して承認" in listing
    page = client.get(entry_url(world.section_a)).content.decode()
    assert "承認する" in page and "差し戻す" in page
    assert "disabled" in page  # the 課長 reads, does not type

    # A return needs a comment.
    url = reverse("results:send_back", args=[2020, 1, world.section_a.pk])
    response = client.post(url, {"comment": "  "}, follow=True)
    assert "差戻しの理由（コメント）を入力してください" in response.content.decode()
    client.post(url, {"comment": "理事会の回数を確認してください。"})
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.RETURNED

    client.force_login(world.users["staff_a"])
    page = client.get(entry_url(world.section_a)).content.decode()
    assert "課長から差し戻されました" in page
    assert "理事会の回数を確認してください。" in page
    seven = rows_of(world.business_a)[0]
    client.post(
        entry_url(world.section_a),
        filled(
            world.business_a,
            **{
                f"r{seven.pk}-value": "3",
                "action": "submit",
                "version": str(section_quarter.version),
            },
        ),
    )
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.SUBMITTED

    client.force_login(head)
    page = client.get(entry_url(world.section_a))
    client.post(
        reverse("results:approve", args=[2020, 1, world.section_a.pk]),
        page.context["approve_form"].initial,
    )
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.APPROVED
    assert section_quarter.decided_by == head

    # Approved entries are locked: the inputs are disabled and a save is refused.
    client.force_login(world.users["staff_a"])
    page = client.get(entry_url(world.section_a)).content.decode()
    assert "承認済みのため変更できません" in page
    assert "下書き保存" not in page
    response = client.post(
        entry_url(world.section_a),
        filled(world.business_a, version=str(section_quarter.version)),
    )
    assert response.status_code == 400
    assert "承認済み" in response.content.decode()
    assert Result.objects.get(item=seven, quarter=1).value == 3


def test_section_withdraws_its_submission_before_the_head_acts_and_submits_again(client, world, q1):
    section_quarter = submit_section_a(client, world)
    page = client.get(entry_url(world.section_a)).content.decode()
    assert "提出を取り消す" in page
    assert 'data-confirm="提出を取り消して入力中に戻します。' in page
    response = client.post(
        reverse("results:withdraw", args=[2020, 1, world.section_a.pk]), follow=True
    )
    html = response.content.decode()
    assert "提出を取り消しました。修正して、もう一度提出してください。" in html
    assert "下書き保存" in html and "提出（課長へ）" in html  # editable again
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.DRAFT
    event = AuditEvent.objects.get(action=AuditEvent.Action.WITHDRAWN)
    assert event.user == world.users["staff_a"]
    assert event.section == world.section_a

    # The 課長 has nothing to decide now.
    client.force_login(world.users["department_head"])
    response = client.post(
        reverse("results:approve", args=[2020, 1, world.section_a.pk]),
        approval_post_data(section_quarter),
        follow=True,
    )
    assert "提出されていない実績は承認できません" in response.content.decode()

    client.force_login(world.users["staff_a"])
    client.post(
        entry_url(world.section_a),
        filled(world.business_a, action="submit", version=str(section_quarter.version)),
    )
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.SUBMITTED


@pytest.mark.parametrize(
    ("decision", "refusal"),
    [
        ("approve", "課長が承認したため、提出を取り消せません。"),
        ("send_back", "課長が差し戻したため、取り消しは不要です。"),
    ],
)
def test_a_submission_the_head_has_decided_is_not_withdrawn(client, world, q1, decision, refusal):
    section_quarter = submit_section_a(client, world)
    client.force_login(world.users["department_head"])
    client.post(
        reverse(f"results:{decision}", args=[2020, 1, world.section_a.pk]),
        {**approval_post_data(section_quarter), "comment": "回数を確認してください。"},
    )
    section_quarter.refresh_from_db()
    decided_state = section_quarter.state
    assert decided_state != SectionQuarter.State.SUBMITTED

    client.force_login(world.users["staff_a"])
    assert "提出を取り消す" not in client.get(entry_url(world.section_a)).content.decode()
    response = client.post(
        reverse("results:withdraw", args=[2020, 1, world.section_a.pk]), follow=True
    )
    assert refusal in response.content.decode()
    section_quarter.refresh_from_db()
    assert section_quarter.state == decided_state
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.WITHDRAWN).exists()


def test_a_submission_is_not_withdrawn_once_the_window_is_closed(client, world, q1):
    section_quarter = submit_section_a(client, world)
    QuarterWindow.objects.filter(quarter=1).update(is_open=False)
    assert "提出を取り消す" not in client.get(entry_url(world.section_a)).content.decode()
    response = client.post(
        reverse("results:withdraw", args=[2020, 1, world.section_a.pk]), follow=True
    )
    assert "入力期間が締め切られているため、提出を取り消せません。" in response.content.decode()
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.SUBMITTED


def test_approving_what_was_not_submitted_is_refused(client, world, q1):
    client.force_login(world.users["department_head"])
    response = client.post(
        reverse("results:approve", args=[2020, 1, world.section_a.pk]), follow=True
    )
    assert "提出されていない実績は承認できません" in response.content.decode()


def test_secretariat_unlocks_an_approved_entry_with_a_reason(client, world, q1):
    section_quarter = submit_section_a(client, world)
    client.force_login(world.users["department_head"])
    client.post(
        reverse("results:approve", args=[2020, 1, world.section_a.pk]),
        approval_post_data(section_quarter),
    )
    client.force_login(world.users["secretariat"])
    url = reverse("results:unlock", args=[2020, 1, world.section_a.pk])
    page = client.get(entry_url(world.section_a)).content.decode()
    assert "解除して係に戻す" in page
    response = client.post(url, {"reason": ""}, follow=True)
    assert "承認を解除する理由を入力してください" in response.content.decode()
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.APPROVED
    client.post(url, {"reason": "理事会資料の数値訂正のため"})
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.DRAFT
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNLOCKED)
    assert "理事会資料の数値訂正のため" in event.summary
    assert event.user == world.users["secretariat"]


def test_every_change_is_in_the_row_history_with_who_and_old_and_new(client, world, q1):
    seven = rows_of(world.business_a)[0]
    client.force_login(world.users["staff_a"])
    client.post(entry_url(world.section_a), filled(world.business_a))
    client.post(
        entry_url(world.section_a),
        filled(world.business_a, **{f"r{seven.pk}-value": "3", "version": "1"}),
    )
    assert Result.objects.get(item=seven, quarter=1).value == 3
    client.force_login(world.users["department_head"])
    html = client.get(reverse("results:item_history", args=[seven.pk])).content.decode()
    assert world.users["staff_a"].display_name in html
    assert "<del>2</del> → <strong>3</strong>" in html
    # The first entry has nothing before it: just the value.
    assert '<span class="text-muted">実績:</span> <strong>2</strong>' in html
    assert "実施内容" in html
    assert "第1四半期" in html


# ---------------------------------------------------------------------------------------
# 事務局


def test_secretariat_opens_a_window_with_a_deadline(client, world, q1):
    client.force_login(world.users["secretariat"])
    response = client.post(
        reverse("results:window_set", args=[2020, 2]),
        {"q2-is_open": "on", "q2-deadline": "2020-10-15"},
        follow=True,
    )
    assert "第2四半期の入力を開始しました" in response.content.decode()
    window = QuarterWindow.objects.get(quarter=2)
    assert window.is_open and window.deadline == date(2020, 10, 15)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.WINDOW_CHANGED).count() == 1
    client.post(reverse("results:window_set", args=[2020, 1]), {"q1-deadline": "2020-07-15"})
    assert QuarterWindow.objects.get(quarter=1).is_open is False


def test_opening_a_window_needs_a_deadline(client, world, q1):
    client.force_login(world.users["secretariat"])
    response = client.post(
        reverse("results:window_set", args=[2020, 3]), {"q3-is_open": "on"}, follow=True
    )
    assert "提出期限を入力してください" in response.content.decode()
    assert not QuarterWindow.objects.filter(quarter=3).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [("abc", "数として読めません"), ("100", "0 以上 100 未満"), ("-5", "負の数")],
)
def test_tolerance_refuses_what_is_not_a_percentage(client, world, q1, typed, message):
    client.force_login(world.users["secretariat"])
    response = client.post(
        reverse("results:tolerance_set"), {"percent": typed, "year": "2020"}, follow=True
    )
    assert message in response.content.decode()
    world.organization.refresh_from_db()
    assert world.organization.tolerance == Decimal("0.10")


def test_tolerance_changes_the_status_band(client, world, q1):
    twenty_four = rows_of(world.business_a)[1]
    # Q1 expects 6 of 24; 5 is below 6 × 0.9 = 5.4 but above 6 × 0.8 = 4.8.
    url = reverse("results:row_status", args=[2020, 1, twenty_four.pk])
    client.force_login(world.users["secretariat"])
    params = {f"r{twenty_four.pk}-value": "5"}
    assert 'data-status="遅れ"' in client.get(url, params).content.decode()
    client.post(reverse("results:tolerance_set"), {"percent": "20", "year": "2020"})
    assert 'data-status="順調"' in client.get(url, params).content.decode()


def test_manage_page_lists_who_has_not_submitted(client, world, q1):
    submit_section_a(client, world)
    client.force_login(world.users["secretariat"])
    html = client.get(reverse("results:manage", args=[2020])).content.decode()
    missing = html.split('class="list-group mb-3 not-submitted"')[1].split("</ul>")[0]
    assert world.section_b.name in missing
    assert world.section_a.name not in missing
    assert world.users["staff_b"].display_name in missing
    assert "提出済み（承認待ち）" in html


def test_a_changed_result_records_when_and_who(client, world, q1):
    seven = rows_of(world.business_a)[0]
    client.force_login(world.users["staff_a"])
    client.post(entry_url(world.section_a), filled(world.business_a))
    first = Result.objects.get(item=seven, quarter=1)
    Result.objects.filter(pk=first.pk).update(updated_at=first.updated_at.replace(year=2020))
    client.force_login(world.users["secretariat"])
    client.post(
        entry_url(world.section_a),
        filled(world.business_a, **{f"r{seven.pk}-value": "3", "version": "1"}),
    )
    changed = Result.objects.get(pk=first.pk)
    assert changed.updated_by == world.users["secretariat"]
    assert changed.updated_at.year > 2020


# ---------------------------------------------------------------------------------------
# The entry page as people use it


def test_a_quarter_before_its_period_shows_not_due_not_shortfalls(client, world, q1):
    client.force_login(world.users["staff_a"])
    seven = rows_of(world.business_a)[0]
    client.post(entry_url(world.section_a), filled(world.business_a))  # Q1: 2 of 7
    # Q3 has no window yet: 2 of 7 would be behind its pace, but nobody could report Q3.
    response = client.get(entry_url(world.section_a, quarter=3))
    html = response.content.decode()
    assert "この四半期はまだ入力期間前です" in html
    statuses = {row.item.pk: row.status for row in response.context["page"].rows}
    assert statuses[seven.pk] == "予定前"
    assert set(statuses.values()) == {"予定前"}
    assert "提出には理由・今後の対応が必要です" not in html
    assert "理由・今後の対応が未入力の遅れ・未着手" not in html

    # Once the 事務局 has set up Q3's window, the same rows are judged.
    QuarterWindow.objects.create(fiscal_year=q1, quarter=3, is_open=True)
    QuarterWindow.objects.filter(quarter=3).update(is_open=False)
    page = client.get(entry_url(world.section_a, quarter=3)).context["page"]
    assert {row.item.pk: row.status for row in page.rows}[seven.pk] == "遅れ"


def test_the_red_hint_only_while_the_reason_is_empty(client, world, q1):
    seven = rows_of(world.business_a)[0]
    client.force_login(world.users["staff_a"])
    client.post(entry_url(world.section_a), filled(world.business_a, **{f"r{seven.pk}-value": "0"}))
    html = client.get(entry_url(world.section_a)).content.decode()
    row = html.split(f'id="row-{seven.pk}"')[1].split("</tr>")[0]
    assert 'reason-hint">提出には理由・今後の対応が必要です' in row  # shown

    client.post(
        entry_url(world.section_a),
        filled(
            world.business_a,
            **{
                f"r{seven.pk}-value": "0",
                f"r{seven.pk}-reason": "会場の都合で7月に延期",
                "version": "1",
            },
        ),
    )
    html = client.get(entry_url(world.section_a)).content.decode()
    row = html.split(f'id="row-{seven.pk}"')[1].split("</tr>")[0]
    assert "未着手" in row
    assert 'reason-hint" hidden>' in row  # kept for the page to show if the reason is erased


def test_the_live_status_carries_the_hint_for_the_page_to_follow_the_reason(client, world, q1):
    seven = rows_of(world.business_a)[0]
    client.force_login(world.users["staff_a"])
    url = reverse("results:row_status", args=[2020, 1, seven.pk])
    behind = client.get(url, {f"r{seven.pk}-value": "0"}).content.decode()
    assert 'data-shortfall="1"' in behind and "reason-hint" in behind
    on_track = client.get(url, {f"r{seven.pk}-value": "2"}).content.decode()
    assert 'data-shortfall="0"' in on_track and "reason-hint" not in on_track


def test_the_pace_reads_as_a_whole_guide(client, world, q1):
    client.force_login(world.users["staff_a"])
    seven = rows_of(world.business_a)[0]
    html = client.get(entry_url(world.section_a)).content.decode()
    row = html.split(f'id="row-{seven.pk}"')[1].split("</tr>")[0]
    # 7回 a year: 1.75回 expected by the end of Q1, shown as a whole count.
    assert "<dt>今期末の目安</dt><dd>2回</dd>" in row
    assert "<dt>目安</dt><dd>2回</dd>" in row
    assert "期待値" not in html and "1.8回" not in html


@pytest.mark.parametrize(
    ("expected", "unit", "text"),
    [
        ("0.3", "回", "1回"),  # at least one by the quarter's end
        ("1.75", "回", "2回"),
        ("6", "回", "6回"),
        ("0", "回", "0回"),
        ("2500.5", "円", "2,501円"),
        ("1.25", "時間", "1.3時間"),
        ("12.5", "%", "12.5%"),
    ],
)
def test_pace_text(expected, unit, text):
    from results.selectors import pace_text

    assert pace_text(Decimal(expected), unit) == text


def test_filters_and_a_jump_list_of_businesses(client, world, q1):
    second = make_business(world.section_a, fiscal_year=q1, name="ふれあい・いきいきサロン事業")
    client.force_login(world.users["staff_a"])
    seven = rows_of(world.business_a)[0]
    client.post(entry_url(world.section_a), filled(world.business_a))
    html = client.get(entry_url(world.section_a)).content.decode()
    assert "遅れ・未着手のみ" in html and "未入力のみ" in html
    assert f'href="#business-{world.business_a.pk}"' in html
    assert f'href="#business-{second.pk}">ふれあい・いきいきサロン事業</a>' in html
    # What the filters read: the rows entered this quarter and the ones not.
    assert f'id="row-{seven.pk}" data-status-url' in html
    assert html.split(f'id="row-{seven.pk}"')[1].split(">")[0].count('data-entered="1"') == 1
    untouched = rows_of(second)[0]
    assert 'data-entered="0"' in html.split(f'id="row-{untouched.pk}"')[1].split(">")[0]


def test_unlocking_outside_the_window_says_the_secretariat_corrects_it(client, world, q1):
    section_quarter = submit_section_a(client, world)
    client.force_login(world.users["department_head"])
    client.post(
        reverse("results:approve", args=[2020, 1, world.section_a.pk]),
        approval_post_data(section_quarter),
    )
    QuarterWindow.objects.filter(quarter=1).update(is_open=False)
    client.force_login(world.users["secretariat"])
    page = client.get(entry_url(world.section_a)).content.decode()
    assert "解除後の修正は事務局がこの画面で行います" in page
    response = client.post(
        reverse("results:unlock", args=[2020, 1, world.section_a.pk]),
        {"reason": "理事会資料の数値訂正のため"},
        follow=True,
    )
    html = response.content.decode()
    assert "係では修正できません。事務局がこの画面で修正して提出するか" in html
    assert "係で修正して" not in html
    assert "下書き保存" in html  # the 事務局 types outside the window

    client.force_login(world.users["staff_a"])
    page = client.get(entry_url(world.section_a)).content.decode()
    assert "係では入力できません。修正が必要な場合は事務局に依頼してください。" in page
    assert "下書き保存" not in page


def test_unlocking_inside_the_window_gives_it_back_to_the_section(client, world, q1):
    section_quarter = submit_section_a(client, world)
    client.force_login(world.users["secretariat"])
    response = client.post(
        reverse("results:unlock", args=[2020, 1, world.section_a.pk]),
        {"reason": "添付資料の差し替えのため"},
        follow=True,
    )
    assert "係で修正して、もう一度提出できます。" in response.content.decode()
    section_quarter.refresh_from_db()
    assert section_quarter.state == SectionQuarter.State.DRAFT
