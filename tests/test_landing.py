"""The landing page lists what needs each person now, one click from the work."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from books.models import BookJob
from plans.models import PlanItem, TargetRevision
from results.models import QuarterWindow, SectionQuarter

from .factories import PASSWORD, UserFactory

State = SectionQuarter.State


def landing(client, user) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def quarter_open(world):
    """令和2年度 第2四半期 open with a deadline; A係 returned, B係 submitted, C係 nothing."""
    fiscal_year = world.business_a.fiscal_year
    QuarterWindow.objects.create(
        fiscal_year=fiscal_year, quarter=2, is_open=True, deadline=date(2020, 10, 15)
    )
    head = world.users["department_head"]
    returned = SectionQuarter.objects.create(
        fiscal_year=fiscal_year,
        section=world.section_a,
        quarter=2,
        state=State.RETURNED,
        comment="相談件数を日報と照合してください。",
        decided_by=head,
        decided_at=timezone.now(),
    )
    submitted = SectionQuarter.objects.create(
        fiscal_year=fiscal_year,
        section=world.section_b,
        quarter=2,
        state=State.SUBMITTED,
        submitted_by=world.users["staff_b"],
        submitted_at=datetime.fromisoformat("2020-10-09T14:05:00+09:00"),
    )
    return returned, submitted


@time_machine.travel("2020-10-12 09:00 +0900", tick=False)
def test_section_staff_sees_the_return_to_correct_with_the_comment(client, world, quarter_open):
    returned, _ = quarter_open
    html = landing(client, world.users["staff_a"])
    assert f'id="task-return-{returned.pk}"' in html
    assert "令和2年度 第2四半期の実績が差し戻されました" in html
    assert "相談件数を日報と照合してください。" in html
    assert reverse("results:entry", args=[2020, 2, world.section_a.pk]) in html
    # The open window and its deadline, with the days left.
    assert "提出期限 令和2年10月15日（あと3日）" in html
    assert "A係: 差戻し" in html


@time_machine.travel("2020-10-12 09:00 +0900", tick=False)
def test_section_staff_with_nothing_submitted_is_asked_to_enter(client, world, quarter_open):
    html = landing(client, world.users["staff_b"])
    assert "差し戻されました" not in html
    assert "実績を入力する" not in html  # B係 has submitted: nothing to do
    assert "B係: 提出済み（承認待ち）" in html
    SectionQuarter.objects.filter(section=world.section_b).delete()
    html = landing(client, world.users["staff_b"])
    assert "B係の令和2年度 第2四半期の実績（未入力）。提出期限は令和2年10月15日。" in html
    assert reverse("results:entry", args=[2020, 2, world.section_b.pk]) in html


@time_machine.travel("2020-10-20 09:00 +0900", tick=False)
def test_department_head_sees_entries_waiting_for_approval(client, world, quarter_open):
    _, submitted = quarter_open
    html = landing(client, world.users["department_head"])
    assert f'id="task-approve-{submitted.pk}"' in html
    assert "承認待ち" in html
    assert "B係の令和2年度 第2四半期の実績" in html
    assert "令和2年10月9日 14:05 提出" in html
    assert reverse("results:entry", args=[2020, 2, world.section_b.pk]) in html
    assert "確認して承認" in html
    assert "（期限を過ぎています）" in html
    # The returned entry is the 係's work, not the 課長's.
    assert "修正する" not in html
    assert reverse("results:department", args=[2020, 2, world.section_a.department_id]) in html


def test_department_head_of_another_department_sees_no_approvals(client, world, quarter_open):
    head = UserFactory(
        organization=world.organization,
        role="department_head",
        department=world.section_c.department,
    )
    html = landing(client, head)
    assert "確認して承認" not in html
    assert "いま対応が必要なことはありません。" in html


def test_secretariat_sees_the_sections_that_have_not_submitted(client, world, quarter_open):
    html = landing(client, world.users["secretariat"])
    assert "3係のうち2係が未提出です" in html
    # A係 (returned) and C係 (nothing entered) are listed with a link to their entry page.
    for section, state in ((world.section_a, "差戻し"), (world.section_c, "未入力")):
        link = reverse("results:entry", args=[2020, 2, section.pk])
        assert f'href="{link}">{section.department.name} {section.name}</a>（{state}）' in html
    assert reverse("results:entry", args=[2020, 2, world.section_b.pk]) not in html
    assert "提出 1係・承認済み 0係・差戻し 1係（全3係）" in html
    assert reverse("results:manage", args=[2020]) in html


def test_secretariat_sees_revisions_waiting_for_a_decision(client, world):
    item = PlanItem.objects.filter(initiative__business=world.business_a).first()
    revision = TargetRevision.objects.create(
        item=item,
        from_quarter=3,
        old_text=item.target_text,
        new_text="5回",
        reason="会場の改修で下半期の回数が減るため。",
        requested_by=world.users["staff_a"],
    )
    html = landing(client, world.users["secretariat"])
    assert f'id="task-revision-{revision.pk}"' in html
    assert f"の目標値 {item.target_text} → 5回（第3四半期から" in html
    assert "会場の改修で下半期の回数が減るため。" in html
    assert reverse("plans:revisions", args=[2020]) + f"#revision-{revision.pk}" in html
    # Decided requests and other people's landing pages do not list it.
    assert "補正の申請" not in landing(Client(), world.users["staff_a"])
    TargetRevision.objects.filter(pk=revision.pk).update(state=TargetRevision.State.REFUSED)
    assert "補正の申請" not in landing(client, world.users["secretariat"])


def test_without_an_open_window_nobody_is_asked_to_enter(client, world):
    html = landing(client, world.users["staff_a"])
    assert "いま受け付けている入力期間はありません。" in html
    assert "いま対応が必要なことはありません。" in html


def test_returned_entry_is_listed_after_its_window_closed(client, world, quarter_open):
    QuarterWindow.objects.update(is_open=False)
    html = landing(client, world.users["staff_a"])
    assert "差し戻されました" in html


def test_city_and_board_see_no_council_work(client, world, quarter_open):
    for role in ("city", "board"):
        html = landing(Client(), world.users[role])
        assert "未提出" not in html
        assert "確認して承認" not in html
        assert reverse("plans:year", args=[2020]) in html
    assert "入力期間" not in landing(Client(), world.users["city"])


def test_finished_book_jobs_of_the_user_link_to_the_file(client, world):
    secretariat = world.users["secretariat"]
    done = BookJob.objects.create(
        organization=world.organization,
        user=secretariat,
        kind=BookJob.Kind.REPORT_EXPORT,
        year=2020,
        quarter=2,
        state=BookJob.State.DONE,
        finished_at=timezone.now(),
    )
    BookJob.objects.create(
        organization=world.organization,
        user=world.users["board"],
        kind=BookJob.Kind.PLAN_EXPORT,
        year=2020,
        state=BookJob.State.DONE,
        finished_at=timezone.now(),
    )
    html = landing(client, secretariat)
    assert "事業報告（令和2年度 第2四半期）" in html
    assert reverse("books:download", args=[done.pk]) in html
    assert "事業計画（令和2年度）" not in html  # the board's job


@pytest.mark.parametrize(
    ("role", "queries"),
    [
        # Every page: session, user, and the session saved (savepoint, update, release).
        # Every role: "now" (results.now: visible years, open windows) for the plan link.
        # 係長: their section (for the 課 they read), visible years, open windows, section
        # with 課, its entries, finished jobs.
        ("staff_a", 12),
        # 課長: visible years, open windows, entries to approve, finished jobs.
        ("department_head", 10),
        # 事務局: visible years, open windows, planned (year, 係), sections, entries,
        # finished jobs, the cities whose 協働事業 it reads.
        # 補正 requests waiting.
        ("secretariat", 14),
        # 理事: visible years, open windows, finished jobs, cities.
        ("board", 10),
        # 市: visible years, finished jobs, its city.
        ("city", 9),
    ],
)
def test_landing_page_query_count_is_fixed(
    client, world, quarter_open, role, queries, django_assert_num_queries
):
    client.force_login(world.users[role])
    with django_assert_num_queries(queries):
        assert client.get(reverse("home")).status_code == 200


# ---------------------------------------------------------------------------------------
# Error pages


def test_refused_page_is_japanese_with_the_header_and_a_way_back(client, world):
    client.force_login(world.users["city"])
    response = client.get(reverse("results:manage", args=[2020]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "このページは表示できません" in html
    assert "この操作を行う権限がありません。" in html
    assert "委託した事業（受託事業）だけを表示します" in html
    assert 'class="navbar' in html and "ログアウト" in html
    assert f'href="{reverse("home")}"' in html
    assert "Forbidden" not in html


def test_missing_page_is_japanese_with_the_header_and_a_way_back(client, world):
    client.force_login(world.users["staff_a"])
    response = client.get(reverse("results:item_detail", args=[999999]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "ページが見つかりません" in html
    assert "matches the given query" not in html
    assert "ログアウト" in html
    assert "トップページへ戻る" in html


def test_server_error_page_needs_no_database(rf):
    """Without the ``db`` fixture any query raises: the page is rendered without one."""
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "システムで問題が起きました" in html
    assert "トップページへ戻る" in html
    assert "Server Error" not in html


def test_refused_form_post_is_explained_in_japanese(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["secretariat"])
    response = client.post(reverse("results:tolerance_set"), {"percent": "10"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "もう一度お試しください" in html
    assert "入力した内容は保存されていません" in html
    assert "トップページへ戻る" in html
    assert "CSRF" not in html
