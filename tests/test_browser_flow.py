"""The quarterly flow in a real browser (Debian chromium, headless) against the live server.

Every person starts from their landing page and reaches the work from it. A 係長 enters
Q1 実績 with a shortfall, is refused until the shortfall has its reason, submits; the
事務局 sees who has not submitted; the 課長 returns it; the 係長 corrects and resubmits;
the 課長 approves; the entry is locked; the board's dashboard shows the new figure.
Screenshots of the landing page of each role, the entry page and the dashboard are saved
to docs/screenshots/ (linked from README.md).
"""

from __future__ import annotations

import math
import time
from datetime import date

import pytest
from django.urls import reverse

from plans.models import Organization, Section, User
from results.models import QuarterWindow, SectionQuarter
from results.services import ResultInput, results_save, section_items, section_quarter_get
from targets.pace import expected_cumulative
from targets.types import Kind

from .browser import SCREENSHOTS, browser, scroll_and_click  # noqa: F401 (fixture)

PASSWORD = "browser-pass-1234"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username, role, organization, **kwargs) -> User:
    user = User(username=username, role=role, organization=organization, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def prefill_draft(fiscal_year, section, user, *, leave_out):
    """What the 係長 had already saved as a draft: every row on pace, except ``leave_out``."""
    inputs = []
    for item in section_items(fiscal_year=fiscal_year, section=section):
        if item.pk in leave_out:
            continue
        target = item.parsed
        if target.kind == Kind.QUANTITY and target.quantities:
            expected = expected_cumulative(target, 1)
            extras = [
                math.ceil(q.value / 4) for q in target.quantities[1:]
            ]  # secondary figures on pace too
            inputs.append(
                ResultInput(
                    item_id=item.pk, value=math.ceil(expected), extra_values=extras, note="実施"
                )
            )
        elif target.kind != Kind.NONE:
            inputs.append(ResultInput(item_id=item.pk, done=True, note="実施"))
    section_quarter = section_quarter_get(fiscal_year=fiscal_year, section=section, quarter=1)
    results_save(
        section_quarter=section_quarter, user=user, inputs=inputs, version=section_quarter.version
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_quarterly_flow_in_a_real_browser(browser, live_server, r2_plan):  # noqa: F811
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
        WebDriverException,
    )
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    started = time.monotonic()
    organization = r2_plan.organization
    section = Section.objects.get(department__organization=organization, name="地域福祉推進係")
    staff = make_user(
        "kakaricho", User.Role.SECTION_STAFF, organization, section=section, last_name="係長"
    )
    make_user(
        "kacho",
        User.Role.DEPARTMENT_HEAD,
        organization,
        department=section.department,
        last_name="課長",
    )
    make_user("riji", User.Role.BOARD, organization, last_name="理事")
    make_user("jimukyoku", User.Role.SECRETARIAT, organization, last_name="事務局")
    city = Organization.objects.get(name="西東京市")  # related by the r2_plan fixture
    make_user("city", User.Role.CITY, city, last_name="市所管課")
    QuarterWindow.objects.create(
        fiscal_year=r2_plan, quarter=1, is_open=True, deadline=date(2020, 7, 15)
    )
    # The row to fall behind: the first one (in plan order) expecting at least 4 by Q1.
    items = list(section_items(fiscal_year=r2_plan, section=section))
    behind = next(
        item
        for item in items
        if item.parsed.kind == Kind.QUANTITY
        and len(item.parsed.quantities) == 1
        and expected_cumulative(item.parsed, 1) >= 4
    )
    expected = expected_cumulative(behind.parsed, 1)
    on_pace = math.ceil(expected)
    unit = behind.parsed.main.unit
    prefill_draft(r2_plan, section, staff, leave_out={behind.pk})

    # A click that submits a form returns before the next page has loaded: elements read
    # in between may belong to the page being left.
    wait = WebDriverWait(
        browser, 15, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    )
    entry_path = reverse("results:entry", args=[2020, 1, section.pk])
    row = f"#row-{behind.pk}"

    def login(username):
        browser.delete_all_cookies()
        browser.get(live_server.url + reverse("login"))
        browser.find_element(By.NAME, "username").send_keys(username)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "nav .navbar-text")))

    def status_text():
        return browser.find_element(By.CSS_SELECTOR, f"{row} .status-badge").text

    def page_text():
        """The messages and banners (reading the whole 115-row page's text is slow).

        Read while the next page replaces this one, an element found a moment before may
        be gone: chromium then says so as a plain WebDriverException, not as a stale
        element. That reads as no text yet; ``wait`` asks again.
        """
        try:
            return "\n".join(
                element.text
                for element in browser.find_elements(By.CSS_SELECTOR, "main .alert, h1")
            )
        except WebDriverException as exc:
            if "does not belong to the document" not in exc.msg:
                raise
            return ""

    def click(selector):
        scroll_and_click(browser, browser.find_element(By.CSS_SELECTOR, selector))

    def landing(name):
        """Every login lands on the landing page; ``name`` saves its screenshot."""
        wait.until(ec.presence_of_element_located((By.ID, "tasks")))
        assert browser.current_url == live_server.url + reverse("home")
        if name:
            browser.save_screenshot(str(SCREENSHOTS / f"landing-{name}.png"))

    def follow(link_text):
        main = browser.find_element(By.TAG_NAME, "main")
        scroll_and_click(browser, main.find_element(By.LINK_TEXT, link_text))

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # 係長: the landing page asks for Q1; type a shortfall (full-width digits); the status
    # follows as they type.
    login("kakaricho")
    landing("section-staff")
    assert (
        "地域福祉推進係の令和2年度 第1四半期の実績（入力中）"
        in browser.find_element(By.ID, "tasks").text
    )
    follow("実績を入力する")
    wait.until(lambda d: d.current_url == live_server.url + entry_path)
    assert status_text() == "未入力"
    value = browser.find_element(By.ID, f"id_r{behind.pk}-value")
    value.send_keys("１")
    wait.until(lambda d: status_text() == "遅れ")
    reason = browser.find_element(By.ID, f"id_r{behind.pk}-reason")
    assert "is-invalid" in reason.get_attribute("class")
    browser.save_screenshot(str(SCREENSHOTS / "entry.png"))

    # Submitting without 理由・今後の対応 is refused; the draft is kept.
    click("button[name=action][value=submit]")
    wait.until(lambda d: "提出できませんでした" in page_text())
    assert "理由・今後の対応を入力してください" in page_text()
    assert browser.find_element(By.ID, f"id_r{behind.pk}-value").get_attribute("value") == "1"
    reason = browser.find_element(By.ID, f"id_r{behind.pk}-reason")
    reason.send_keys("緊急事態宣言により延期しました。第2四半期に2回分を実施します。")
    click("button[name=action][value=submit]")
    wait.until(lambda d: "提出しました" in page_text())
    assert "提出済みです" in page_text()

    # 事務局: the other sections of the council have not submitted yet.
    login("jimukyoku")
    landing("secretariat")
    tasks = browser.find_element(By.ID, "tasks").text
    assert "令和2年度 第1四半期:" in tasks and "未提出です" in tasks
    assert "地域福祉推進係（" not in tasks  # submitted: not listed

    # 課長: the landing page lists the submission; open it, return it with a comment.
    login("kacho")
    landing("department-head")
    follow("確認して承認")
    wait.until(ec.presence_of_element_located((By.ID, "return-button")))
    browser.find_element(By.ID, "id_comment").send_keys("実績の数を日報と照合してください。")
    click("#return-button")
    wait.until(lambda d: "差し戻しました" in page_text())

    # 係長: the landing page shows the return and its comment; correct and resubmit.
    login("kakaricho")
    landing("")
    assert "実績の数を日報と照合してください。" in browser.find_element(By.ID, "tasks").text
    follow("修正する")
    wait.until(lambda d: "実績の数を日報と照合してください。" in page_text())
    value = browser.find_element(By.ID, f"id_r{behind.pk}-value")
    value.clear()
    value.send_keys(f"{on_pace:,}")
    wait.until(lambda d: status_text() in ("順調", "達成"))
    click("button[name=action][value=submit]")
    wait.until(lambda d: "提出しました" in page_text())

    # 課長: approves, from the landing page.
    login("kacho")
    landing("")
    follow("確認して承認")
    wait.until(ec.presence_of_element_located((By.ID, "approve-button")))
    click("#approve-button")
    wait.until(lambda d: "第1四半期の実績を承認しました" in page_text())
    assert SectionQuarter.objects.get(section=section, quarter=1).state == "approved"

    # The approved entry is locked.
    login("kakaricho")
    browser.get(live_server.url + entry_path)
    assert "承認済みのため変更できません" in page_text()
    assert not browser.find_element(By.ID, f"id_r{behind.pk}-value").is_enabled()
    assert not browser.find_elements(By.CSS_SELECTOR, "button[name=action]")

    # 市: only what the city commissioned; nothing to do for the council's entries.
    login("city")
    landing("city")
    assert "いま対応が必要なことはありません。" in browser.find_element(By.ID, "tasks").text

    # 理事: from the landing page to the dashboard of approved figures; drill down to the
    # row's chart.
    login("riji")
    landing("board")
    follow("進捗ダッシュボード")
    wait.until(lambda d: "事業の進捗" in page_text())
    assert "第1四半期" in browser.title
    section_row = browser.find_element(By.ID, f"sec-{section.pk}").text
    assert "承認済み" in section_row
    browser.save_screenshot(str(SCREENSHOTS / "dashboard.png"))
    summary = browser.find_element(By.ID, f"business-{behind.initiative.business_id}")
    summary.find_element(By.TAG_NAME, "summary").click()
    # The business's rows are fetched when it is opened (static/js/dashboard.js).
    wait.until(lambda d: summary.find_elements(By.CSS_SELECTOR, "table.business-rows"))
    link = summary.find_element(By.PARTIAL_LINK_TEXT, behind.name or behind.group)
    assert f"{on_pace:,}{unit}" in summary.text
    link.click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "svg.quarter-chart")))
    detail = browser.find_element(By.TAG_NAME, "main").text
    assert f"{on_pace:,}{unit}" in detail
    assert "緊急事態宣言により延期しました。" in detail
    assert browser.find_elements(By.CSS_SELECTOR, "svg.quarter-chart rect.chart-bar")

    # Nine logins, each through its landing page, and seven screenshots: about 40 s on an
    # idle 2-core machine, up to 70 s while other test runs share it.
    assert time.monotonic() - started < 100
