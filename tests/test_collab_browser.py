"""In a real browser: a city's 協働 staff import seed 001, filter to 委託 and 中止, open a
project, write its ふりかえり and see the radar chart (screenshot in docs/screenshots/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from collab.models import Review
from plans.models import User

from .browser import SCREENSHOTS, browser, scroll_and_click  # noqa: F401 — the fixture
from .factories import PASSWORD, CityFactory, UserFactory

KOGANEI = Path(__file__).resolve().parent / "data" / "seeds" / "001_069e6f1201844a42.txt"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for_text(driver, text: str) -> None:
    """Wait until the page's main part shows ``text`` (a click does not wait for the page)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(
        driver, 15, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    ).until(lambda d: text in d.find_element(By.TAG_NAME, "main").text)


def test_city_staff_import_filter_open_and_review(browser, live_server):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    city = CityFactory(name="小金井市")
    user = UserFactory(organization=city, role=User.Role.COLLAB_STAFF)

    browser.get(f"{live_server.url}/login/?next=/collab/import/")
    browser.find_element(By.NAME, "username").send_keys(user.username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for_text(browser, "協働事業一覧の取り込み")

    # Import the real 小金井市 list.
    browser.find_element(By.NAME, "file").send_keys(str(KOGANEI))
    Select(browser.find_element(By.NAME, "year")).select_by_value("2020")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for_text(browser, "77件の協働事業を取り込みました")
    assert "事業は全部で 77件 です。" in browser.find_element(By.ID, "collab-total").text

    # Filter to 委託 and 中止: 敬老会 and シニア世代のための地域参加講座.
    Select(browser.find_element(By.NAME, "form")).select_by_visible_text("委託")
    Select(browser.find_element(By.NAME, "cancelled")).select_by_visible_text("中止のみ")
    browser.find_element(By.CSS_SELECTOR, "#collab-filter button[type=submit]").click()
    wait_for_text(browser, "条件に合う事業は")
    assert "条件に合う事業は 2件 です。" in browser.find_element(By.ID, "collab-total").text
    names = [
        cell.text
        for cell in browser.find_elements(By.CSS_SELECTOR, "table.collab-projects tbody td a")
    ]
    assert names == ["敬老会", "シニア世代のための地域参加講座"]
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.collab-bar-chart g.bar")
    assert [b.get_attribute("data-label") for b in bars][:1] == ["委託"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "collab_list_commission_cancelled.png"))

    # Open 敬老会 and write its ふりかえり.
    browser.find_element(By.LINK_TEXT, "敬老会").click()
    wait_for_text(browser, "コロナのため中止")
    browser.find_element(By.PARTIAL_LINK_TEXT, "ふりかえりを書く").click()
    wait_for_text(browser, "ふりかえりシート")
    browser.find_element(By.NAME, "partner_name").send_keys("小金井市シルバー人材センター")
    browser.find_element(By.NAME, "purpose").send_keys("高齢者の長寿を祝う")
    for name, score in zip(
        (
            "effectiveness",
            "goal_setting",
            "goal_sharing",
            "achievement",
            "cooperation",
            "beneficiary_satisfaction",
            "partner_satisfaction",
        ),
        (4, 5, 3, 1, 4, 2, 3),
        strict=True,
    ):
        scroll_and_click(
            browser, browser.find_element(By.CSS_SELECTOR, f"input[name={name}][value='{score}']")
        )
    browser.find_element(By.NAME, "result").send_keys("新型コロナウイルス感染症のため中止した。")
    browser.find_element(By.NAME, "partner_comment").send_keys("記念品の配布方法を検討したい。")
    browser.find_element(By.NAME, "city_comment").send_keys("来年度は規模を縮小して実施する。")
    browser.find_element(By.NAME, "outlook").send_keys("分散開催を検討する。")
    scroll_and_click(
        browser, browser.find_element(By.CSS_SELECTOR, "#review-form button[type=submit]")
    )

    wait_for_text(browser, "令和2年度のふりかえりを保存しました。")
    radar = browser.find_element(By.CSS_SELECTOR, "#review-radar svg.collab-radar-chart")
    series = radar.find_element(By.CSS_SELECTOR, "polygon.radar-series")
    assert series.get_attribute("data-scores") == "4,5,3,1,4,2,3"
    assert radar.size["width"] > 200
    review = Review.objects.get()
    assert review.scores == [4, 5, 3, 1, 4, 2, 3]
    browser.save_screenshot(str(SCREENSHOTS / "collab_review_radar.png"))
    assert (SCREENSHOTS / "collab_review_radar.png").stat().st_size > 10_000
