"""One basis for every reader: the dashboard and the books count the same approved 実績.

On the demo (令和2年度: 第1四半期 approved everywhere; 第2四半期 approved, waiting or still
being entered, by section), every role sees on its dashboard exactly the counts that the
事業報告's 概要 (or the 市への報告) gives it, at every quarter; the default books hold no
unapproved figure, and the internal book marks each one.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from books import access as book_access
from books import reports, xlsx
from books.models import BookJob
from plans.demo import demo_load
from plans.models import Business, User
from results import selectors
from results.basis import Basis, Purpose, basis_for
from results.models import SectionQuarter
from results.status import Status


@pytest.fixture
def demo(db, r2_plan_data):
    return demo_load(data=r2_plan_data)


def _book_counts(book: reports.ReportBook) -> Counter:
    return Counter(row.status for sheet in book.sheets for _b, _i, row in sheet.rows())


def test_every_role_sees_the_same_counts_on_the_dashboard_and_in_the_books(demo):
    checked = 0
    for user in User.objects.filter(is_active=True).order_by("username"):
        scope = book_access.book_scope(user)
        for quarter in (1, 2, 3, 4):
            board = selectors.dashboard(user, year=2020, quarter=quarter)
            expected = Counter({s: n for s, n in board.counts.counter.items() if n})
            if book_access.can_export_plan(user):
                book = reports.report_book(scope, year=2020, quarter=quarter)
                summary_total = next(line for line in book.summary if line.department == "合計")
                assert Counter(summary_total.counts) == expected, (user.username, quarter)
                assert _book_counts(book) == expected
                assert not book.has_unapproved
                checked += 1
            for body in book_access.city_bodies(user):
                city = reports.city_book(scope, year=2020, quarter=quarter, commissioner=body)
                # The city's dashboard shows what it commissioned: the city book says the same.
                if user.role == User.Role.CITY:
                    assert _book_counts(city) == expected, (user.username, quarter)
                assert not city.has_unapproved
                checked += 1
    assert checked >= 4 * 8  # every council role and the city, at four quarters


def test_at_q2_the_dashboard_and_the_book_agree_where_entry_is_unapproved(demo):
    board = User.objects.get(username="riji")
    book = reports.report_book(book_access.book_scope(board), year=2020, quarter=2)
    unapproved = SectionQuarter.objects.filter(quarter=2).exclude(
        state=SectionQuarter.State.APPROVED
    )
    assert unapproved.exists()
    # A section still entering Q2 is 未入力 for it in the official book, as on the dashboard.
    waiting = {sq.section.name for sq in unapproved}
    for sheet in book.sheets:
        for business, _initiative, row in sheet.rows():
            if business.section in waiting and row.status not in (
                Status.CANCELLED,
                Status.NO_TARGET,
            ):
                assert row.status == Status.NOT_ENTERED, (business.section, row.name)


def test_the_default_book_has_no_unapproved_figure_and_says_so(demo, tmp_path):
    scope = Business.objects.filter(fiscal_year=demo.fiscal_year)
    book = reports.report_book(scope, year=2020, quarter=2)
    path = tmp_path / "report.xlsx"
    xlsx.write_report(book, path)
    wb = load_workbook(path)
    # The figure columns (第1〜第4四半期, 累計, 達成率, 状況); plan texts may use ※ themselves.
    figures = [
        c for ws in wb.worksheets[1:] for row in ws.iter_rows(min_col=4, max_col=10) for c in row
    ]
    assert not any(isinstance(c.value, str) and "※" in c.value for c in figures)
    assert not any("※" in c.number_format for c in figures)
    assert "課長が承認した実績で集計" in wb["概要"]["A3"].value
    states = [wb["概要"].cell(r, wb["概要"].max_column).value for r in range(6, 20)]
    assert "承認済み" in states and "入力中" in states


def test_the_internal_book_marks_every_unapproved_figure(demo, tmp_path):
    scope = Business.objects.filter(fiscal_year=demo.fiscal_year)
    book = reports.report_book(scope, year=2020, quarter=2, basis=Basis.WITH_UNAPPROVED)
    assert book.title.endswith("【内部確認用】")
    draft_sections = {
        sq.section.name
        for sq in SectionQuarter.objects.filter(quarter=2).exclude(
            state=SectionQuarter.State.APPROVED
        )
    }
    marked = [
        (business.section, row)
        for sheet in book.sheets
        for business, _i, row in sheet.rows()
        if row.has_unapproved
    ]
    assert marked
    # Only the sections whose Q2 is not approved have marks, and only on Q2.
    assert {section for section, _row in marked} <= draft_sections
    assert all(row.unapproved == frozenset({2}) for _s, row in marked)

    path = tmp_path / "internal.xlsx"
    xlsx.write_report(book, path)
    wb = load_workbook(path)
    assert "内部確認用" in wb["概要"]["A3"].value
    _section, row = marked[0]

    def line_of(ws):
        return next(
            (c.row for c in ws["B"] if isinstance(c.value, str) and c.value.startswith(row.name)),
            None,
        )

    ws = next(ws for ws in wb.worksheets[1:] if line_of(ws))
    line = line_of(ws)
    status_cell = ws.cell(line, 10).value
    assert status_cell == f"{row.status.value}※"
    q2 = ws.cell(line, 5)
    assert "※" in str(q2.value) or "※" in q2.number_format


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("jimukyoku", True), ("kacho", True), ("kakaricho", True), ("riji", False), ("city", False)],
)
def test_only_council_staff_may_ask_for_unapproved_figures(demo, username, allowed):
    user = User.objects.get(username=username)
    assert basis_for(user, Purpose.DASHBOARD) is Basis.APPROVED
    assert basis_for(user, Purpose.REPORT) is Basis.APPROVED
    if allowed:
        assert basis_for(user, Purpose.REPORT, include_unapproved=True) is Basis.WITH_UNAPPROVED
    else:
        with pytest.raises(PermissionDenied):
            basis_for(user, Purpose.REPORT, include_unapproved=True)
    with pytest.raises(PermissionDenied):  # never on a screen
        basis_for(user, Purpose.DASHBOARD, include_unapproved=True)


def test_the_report_form_offers_the_internal_option_to_staff_only(client, demo, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the job is only recorded here
    url = reverse("books:export", args=["report"])
    client.force_login(User.objects.get(username="riji"))
    assert "入力中を含む（内部確認用）" not in client.get(reverse("books:index")).content.decode()
    response = client.post(url, {"year": 2020, "quarter": 2, "include_unapproved": "1"})
    assert response.status_code == 403
    assert not BookJob.objects.exists()

    client.force_login(User.objects.get(username="jimukyoku"))
    assert "入力中を含む（内部確認用）" in client.get(reverse("books:index")).content.decode()
    client.post(url, {"year": 2020, "quarter": 2, "include_unapproved": "1"})
    client.post(url, {"year": 2020, "quarter": 2})
    assert list(BookJob.objects.order_by("pk").values_list("include_unapproved", flat=True)) == [
        True,
        False,
    ]
