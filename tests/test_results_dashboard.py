"""The board's dashboard and a row's page: approved figures only, counts in status order,
shortfalls with their reasons, the quarter-by-quarter chart, no personal data."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from plans.models import PlanItem
from results.models import QuarterWindow, Result, SectionQuarter
from results.selectors import STATUS_ORDER, StatusCounts, nice_ceiling
from results.services import ResultInput, results_save, section_quarter_get
from results.status import Status


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def q1(world):
    fiscal_year = world.business_a.fiscal_year
    QuarterWindow.objects.create(
        fiscal_year=fiscal_year, quarter=1, is_open=True, deadline=date(2020, 7, 15)
    )
    return fiscal_year


def rows_of(business) -> list[PlanItem]:
    return list(PlanItem.objects.filter(initiative__business=business).order_by("order", "pk"))


def enter_section_a(world, fiscal_year, *, seven="1", state=SectionQuarter.State.APPROVED):
    """Section A, Q1: 7回予定 → ``seven`` (1 is 遅れ, with a reason), 24回 → 6, 随時 → 実施."""
    seven_row, twenty_four, anytime = rows_of(world.business_a)[:3]
    section_quarter = section_quarter_get(
        fiscal_year=fiscal_year, section=world.section_a, quarter=1
    )
    results_save(
        section_quarter=section_quarter,
        user=world.users["staff_a"],
        version=section_quarter.version,
        inputs=[
            ResultInput(
                item_id=seven_row.pk,
                value=Decimal(seven),
                reason="緊急事態宣言により延期しました。下半期に実施します。",
            ),
            ResultInput(item_id=twenty_four.pk, value=Decimal("6")),
            ResultInput(item_id=anytime.pk, done=True, note="随時受付"),
        ],
    )
    SectionQuarter.objects.filter(pk=section_quarter.pk).update(state=state)
    return seven_row


def dashboard_html(client, world, role="board", quarter=1) -> str:
    client.force_login(world.users[role])
    response = client.get(reverse("results:dashboard", args=[2020, quarter]))
    assert response.status_code == 200
    return response.content.decode()


def section_row(html: str, section) -> str:
    return html.split(f'id="sec-{section.pk}"')[1].split("</tr>")[0]


def test_only_approved_figures_count_on_the_dashboard(client, world, q1):
    enter_section_a(world, q1, state=SectionQuarter.State.SUBMITTED)
    html = dashboard_html(client, world)
    row = section_row(html, world.section_a)
    assert "提出済み（承認待ち）" in row
    assert "未入力" in html.split("遅れ・未着手の行")[0]
    assert "緊急事態宣言により延期しました" not in html

    SectionQuarter.objects.filter(section=world.section_a).update(
        state=SectionQuarter.State.APPROVED
    )
    html = dashboard_html(client, world)
    assert "承認済み" in section_row(html, world.section_a)
    # The shortfall appears with its reason, and its figures.
    shortfalls = html.split("遅れ・未着手の行と理由")[1].split("事業ごとの達成状況")[0]
    assert "（1行）" in shortfalls
    assert "緊急事態宣言により延期しました。下半期に実施します。" in shortfalls
    assert "14.3%" in shortfalls  # 1 of 7
    assert "目安 2回" in shortfalls  # 1.75回 expected: a count is whole


def test_section_counts_follow_status_order(client, world, q1):
    enter_section_a(world, q1)
    html = dashboard_html(client, world)
    cells = re.findall(r'<td class="text-center">(\d*)</td>', section_row(html, world.section_a))
    counts = dict(zip(STATUS_ORDER, cells, strict=True))
    assert counts[Status.ON_TRACK] == "1"  # 24回: 6 of 6 expected
    assert counts[Status.BEHIND] == "1"  # 7回: 1 of 1.75 expected
    assert counts[Status.DONE] == "1"  # 随時実施
    # Columns are headed in Status.order.
    header = html.split("状況の内訳")[1].split("</tr>")[0]
    labels = re.findall(r'<th class="text-center small">(.+?)</th>', header)
    assert labels == [str(status) for status in STATUS_ORDER]


def test_good_share_is_rounded_half_up(client, world, q1):
    enter_section_a(world, q1)
    html = dashboard_html(client, world)
    # Section A: 順調 + 実施 = 2 of 3 judged rows → 66.7%.
    assert "66.7%" in section_row(html, world.section_a)


def test_city_sees_only_the_businesses_it_commissioned(client, world, q1):
    html = dashboard_html(client, world, role="city")
    assert world.commissioned.name in html
    assert world.business_a.name not in html
    assert world.business_b.name not in html
    assert "受託事業）のみを表示" in html


def test_dashboard_shows_no_personal_data(client, world, q1):
    enter_section_a(world, q1)
    html = dashboard_html(client, world)
    for role in ("staff_a", "department_head", "secretariat"):
        assert world.users[role].display_name not in html


def test_dashboard_bars_are_inline_svg_in_status_order(client, world, q1):
    enter_section_a(world, q1)
    html = dashboard_html(client, world)
    bar = section_row(html, world.section_a).split("<svg")[1].split("</svg>")[0]
    classes = re.findall(r'class="bar-(\w+)"', bar)
    assert classes == ["primary", "warning", "success"]  # 順調, 遅れ, 実施
    # No inline script (CSP): only script files.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_sample_data_is_labelled_on_the_dashboard(client, world, q1):
    seven = enter_section_a(world, q1)
    assert "デモ用に作った架空の数値" not in dashboard_html(client, world)
    Result.objects.filter(item=seven).update(note="サンプルデータ: 計画どおり実施")
    assert "デモ用に作った架空の数値" in dashboard_html(client, world)


def test_row_page_shows_quarters_and_an_svg_chart(client, world, q1):
    seven = enter_section_a(world, q1)
    client.force_login(world.users["board"])
    html = client.get(reverse("results:item_detail", args=[seven.pk])).content.decode()
    assert '<svg class="quarter-chart"' in html
    assert html.count('class="chart-bar"') == 1
    assert "目標 7回" in html
    assert "緊急事態宣言により延期しました" in html
    assert "14.3%" in html
    assert "変更履歴" not in html  # names are not for the board
    # Quarters that are not approved show no figures.
    assert html.count("未承認") == 3


def test_row_page_of_a_qualitative_row_has_no_chart(client, world, q1):
    enter_section_a(world, q1)
    anytime = rows_of(world.business_a)[2]
    client.force_login(world.users["staff_a"])
    html = client.get(reverse("results:item_detail", args=[anytime.pk])).content.decode()
    assert "quarter-chart" not in html
    assert "実施" in html
    assert "変更履歴を見る" in html


def test_row_page_hides_unapproved_figures(client, world, q1):
    seven = enter_section_a(world, q1, seven="3", state=SectionQuarter.State.SUBMITTED)
    client.force_login(world.users["board"])
    html = client.get(reverse("results:item_detail", args=[seven.pk])).content.decode()
    assert 'class="chart-bar"' not in html
    assert ">3回<" not in html.split("quarter-table")[1]


def test_status_counts_segments_cover_the_box():
    counts = StatusCounts()
    for status in [Status.BEHIND, Status.ON_TRACK, Status.ON_TRACK]:
        counts.add(status)
    segments = counts.segments
    assert [s.status for s in segments] == [Status.ON_TRACK, Status.BEHIND]
    assert segments[0].x == 0
    assert segments[0].width == Decimal("66.67")
    assert segments[1].x + segments[1].width == 100
    assert counts.good_rate == Decimal("66.7")


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(Fraction(77, 10), 10), (1, 1), (Fraction(11, 10), 2), (3, 5), (2200, 2500), (0, 1)],
)
def test_chart_axis_top_is_a_round_number(value, ceiling):
    assert nice_ceiling(Fraction(value)) == ceiling


def business_rows_html(client, world, business, *, fragment=False, role="board") -> str:
    client.force_login(world.users[role])
    url = reverse("results:business_rows", args=[2020, 1, business.pk])
    response = client.get(url + ("?fragment=1" if fragment else ""))
    assert response.status_code == 200
    return response.content.decode()


def test_a_business_rows_open_from_its_summary(client, world, q1):
    enter_section_a(world, q1, state=SectionQuarter.State.SUBMITTED)
    html = dashboard_html(client, world)
    summary = html.split(f'id="business-{world.business_a.pk}"')[1].split("</details>")[0]
    rows_url = reverse("results:business_rows", args=[2020, 1, world.business_a.pk])
    assert f'data-rows-url="{rows_url}?fragment=1"' in summary
    assert f'href="{rows_url}"' in summary  # without scripts, a link to the same rows

    # Not approved yet: the rows show nothing of Q1's 実績.
    fragment = business_rows_html(client, world, world.business_a, fragment=True)
    assert "<html" not in fragment
    assert fragment.count("results/items/") == 3
    assert "14.3%" not in fragment

    SectionQuarter.objects.filter(section=world.section_a).update(
        state=SectionQuarter.State.APPROVED
    )
    fragment = business_rows_html(client, world, world.business_a, fragment=True)
    seven = fragment.split("7回予定")[1].split("</tr>")[0]
    assert "1回" in seven and "14.3%" in seven and "遅れ" in seven
    twenty_four = fragment.split("年24回")[1].split("</tr>")[0]
    assert "6回" in twenty_four and "順調" in twenty_four

    page = business_rows_html(client, world, world.business_a)
    assert world.business_a.name in page.split("</h1>")[0]
    assert "順調以上 66.7%" in page
    assert reverse("results:dashboard", args=[2020, 1]) in page


def test_the_city_opens_only_the_rows_it_commissioned(client, world, q1):
    html = business_rows_html(client, world, world.commissioned, fragment=True, role="city")
    assert html.count("results/items/") == 3
    client.force_login(world.users["city"])
    url = reverse("results:business_rows", args=[2020, 1, world.business_b.pk])
    assert client.get(url).status_code == 403
    url = reverse("results:business_rows", args=[2021, 1, world.commissioned.pk])
    assert client.get(url).status_code == 404  # not that year's business


def test_status_bar_svg_worked_by_hand():
    from results.templatetags.results_tags import status_bar

    counts = StatusCounts()
    for status in (Status.BEHIND, Status.ON_TRACK, Status.ON_TRACK):
        counts.add(status)
    svg = str(status_bar(counts, large=True))
    assert svg.startswith('<svg class="status-bar status-bar-lg" viewBox="0 0 100 10"')
    assert 'aria-label="順調 2行、遅れ 1行"' in svg
    # 2 of 3 → 66.67 wide; the second segment fills the rest (33.33).
    assert '<rect x="0.00" y="0" width="66.67" height="10" class="bar-primary">' in svg
    assert "<title>順調 2行</title>" in svg
    assert '<rect x="66.67" y="0" width="33.33" height="10" class="bar-warning">' in svg
    empty = str(status_bar(StatusCounts()))
    assert 'aria-label="行なし"' in empty and 'class="bar-empty"' in empty
