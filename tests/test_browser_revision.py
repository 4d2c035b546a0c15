"""確定 and 補正 in a real browser: after the 事務局 fixes the plan and the 課長 has approved
第1四半期, a 係長 changes a target on the row screen (a 補正 request), the 事務局 imports
a plan workbook mid-year (a preview; nothing is written until confirmed) and an operator
edits a row in the Django admin (a 補正 request too). Every approved quarter keeps the
target it was approved against, and the 補正 shows on the row.
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from books import xlsx
from books.services import plan_export
from plans.models import Business, PlanItem, Section, TargetRevision, User
from results.models import QuarterWindow, SectionQuarter
from results.progress import item_progress
from results.services import (
    ResultInput,
    results_save,
    section_items,
    section_quarter_approve,
    section_quarter_get,
    section_quarter_submit,
)
from targets.pace import expected_cumulative
from targets.types import Kind

from .browser import SCREENSHOTS, browser, scroll_and_click  # noqa: F401 (fixture)

PASSWORD = "browser-pass-1234"


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def make_user(username, role, organization, **kwargs) -> User:
    user = User(username=username, role=role, organization=organization, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def approve_first_quarter(fiscal_year, section, staff, head) -> None:
    """第1四半期 entered on pace for every row, submitted and approved by the 課長."""
    inputs = []
    for item in section_items(fiscal_year=fiscal_year, section=section):
        target = item.parsed
        if target.kind == Kind.QUANTITY and target.quantities:
            extras = [math.ceil(q.value / 4) for q in target.quantities[1:]]
            value = math.ceil(expected_cumulative(target, 1))
            inputs.append(ResultInput(item_id=item.pk, value=value, extra_values=extras))
        elif target.kind != Kind.NONE:
            inputs.append(ResultInput(item_id=item.pk, done=True))
    section_quarter = section_quarter_get(fiscal_year=fiscal_year, section=section, quarter=1)
    results_save(
        section_quarter=section_quarter, user=staff, inputs=inputs, version=section_quarter.version
    )
    section_quarter_submit(section_quarter=section_quarter, user=staff)
    section_quarter_approve(section_quarter=section_quarter, user=head)


def q1_judgement(item: PlanItem) -> tuple:
    item = PlanItem.objects.get(pk=item.pk)
    progress = item_progress(item, item.results.all(), 1)
    return item.target_text_at(1), progress.status, progress.progress.rate


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_revisions_after_approval_leave_approved_quarters_as_approved(
    browser,  # noqa: F811
    live_server,
    r2_plan,
    tmp_path,
):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    organization = r2_plan.organization
    section = Section.objects.get(department__organization=organization, name="地域福祉推進係")
    staff = make_user("kakaricho", User.Role.SECTION_STAFF, organization, section=section)
    head = make_user(
        "kacho", User.Role.DEPARTMENT_HEAD, organization, department=section.department
    )
    make_user("jimukyoku", User.Role.SECRETARIAT, organization, last_name="事務局")
    operator = User.objects.create_superuser("operator", "op@example.com", PASSWORD)
    first = QuarterWindow.objects.create(
        fiscal_year=r2_plan, quarter=1, is_open=True, deadline=date(2020, 7, 15)
    )
    approve_first_quarter(r2_plan, section, staff, head)
    QuarterWindow.objects.filter(pk=first.pk).update(is_open=False)
    QuarterWindow.objects.create(fiscal_year=r2_plan, quarter=2, is_open=True)
    # Three rows with one quantity, something expected by Q1: one per way of changing it.
    rows = [
        item
        for item in section_items(fiscal_year=r2_plan, section=section)
        if item.parsed.kind == Kind.QUANTITY
        and len(item.parsed.quantities) == 1
        and expected_cumulative(item.parsed, 1) > 0
        and item.target_value >= 4
    ][:3]
    by_screen, by_import, by_admin = rows
    before = {item.pk: q1_judgement(item) for item in rows}
    new_targets = {
        by_screen.pk: f"{int(by_screen.target_value) * 2}{by_screen.target_unit}",
        by_import.pk: f"{int(by_import.target_value) * 3}{by_import.target_unit}",
        by_admin.pk: f"{int(by_admin.target_value) // 2}{by_admin.target_unit}",
    }

    wait = WebDriverWait(
        browser, 15, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    )

    def login(username, path="login"):
        browser.delete_all_cookies()
        browser.get(live_server.url + reverse(path))
        browser.find_element(By.NAME, "username").send_keys(username)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(
            By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]"
        ).click()
        wait.until(lambda d: "/login/" not in d.current_url)

    def page_text():
        return browser.find_element(By.TAG_NAME, "body").text

    def click(selector):
        scroll_and_click(browser, browser.find_element(By.CSS_SELECTOR, selector))

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # 事務局: fixes the plan from the plan page.
    login("jimukyoku")
    browser.get(live_server.url + reverse("plans:year", args=[2020]))
    click("form[action$='/fix/'] button")
    wait.until(lambda d: "事業計画を確定しました" in page_text())
    assert "確定済み" in browser.find_element(By.ID, "plan-fix-state").text

    # 係長: a new target on the row screen is a 補正 request; 第1四半期 is not offered.
    login("kakaricho")
    browser.get(live_server.url + reverse("plans:item_edit", args=[by_screen.pk]))
    quarters = Select(browser.find_element(By.ID, "id_revision_from"))
    assert [o.get_attribute("value") for o in quarters.options] == ["", "2", "3", "4"]
    target = browser.find_element(By.ID, "id_target_text")
    target.clear()
    target.send_keys(new_targets[by_screen.pk])
    click("#item-form button[type=submit]")
    wait.until(lambda d: "補正の理由を入力してください" in page_text())
    browser.find_element(By.ID, "id_revision_reason").send_keys("参加希望が増えたため倍増します。")
    click("#item-form button[type=submit]")
    wait.until(lambda d: "補正として申請しました" in page_text())
    assert PlanItem.objects.get(pk=by_screen.pk).target_text == by_screen.target_text

    # 事務局: approves it on the 補正 page.
    login("jimukyoku")
    browser.get(live_server.url + reverse("plans:revisions", args=[2020]))
    assert new_targets[by_screen.pk] in browser.find_element(By.ID, "pending-revisions").text
    click("#pending-revisions button[value=approve]")
    wait.until(lambda d: "補正を承認しました" in page_text())

    # 事務局: a plan workbook imported mid-year is shown, not written.
    path = tmp_path / "plan.xlsx"
    plan_export(
        businesses=Business.objects.filter(fiscal_year=r2_plan), year=2020, output=str(path)
    )
    workbook = load_workbook(path)
    sheet = workbook[section.department.name]
    for number in range(1, sheet.max_row + 1):
        if sheet.cell(number, xlsx.PLAN_KEY).value == str(by_import.key):
            sheet.cell(number, 4).value = new_targets[by_import.pk]
    workbook.save(path)
    browser.get(live_server.url + reverse("books:index"))
    form = "form[action$='/import/plan/']"
    browser.find_element(By.CSS_SELECTOR, f"{form} input[type=file]").send_keys(str(path))
    click(f"{form} button[type=submit]")
    wait.until(lambda d: d.find_elements(By.LINK_TEXT, "変更点を確認する"))
    assert "まだ反映していません" in page_text()
    click("main a.btn-primary")
    wait.until(lambda d: d.find_elements(By.ID, "import-changes"))
    changes = browser.find_element(By.ID, "import-changes").text
    assert "補正が必要" in changes
    assert f"{by_import.target_text} → {new_targets[by_import.pk]}" in changes
    browser.save_screenshot(str(SCREENSHOTS / "plan-import-preview.png"))
    assert PlanItem.objects.get(pk=by_import.pk).target_text == by_import.target_text
    click("#import-decision button[value=apply]")
    wait.until(lambda d: "補正の理由を入力してください" in page_text())
    assert PlanItem.objects.get(pk=by_import.pk).target_text == by_import.target_text
    browser.find_element(By.ID, "id_reason").send_keys("理事会で承認された補正予算による。")
    click("#import-decision button[value=apply]")
    wait.until(lambda d: "事業計画を更新しました" in page_text())
    assert PlanItem.objects.get(pk=by_import.pk).target_text == new_targets[by_import.pk]

    # Operator: an edit in the Django admin is a 補正 request too.
    login("operator", "admin:login")
    browser.get(live_server.url + reverse("admin:plans_planitem_change", args=[by_admin.pk]))
    target = browser.find_element(By.ID, "id_target_text")
    target.clear()
    target.send_keys(new_targets[by_admin.pk])
    browser.find_element(By.ID, "id_revision_reason").send_keys("事業規模の見直し。")
    Select(browser.find_element(By.ID, "id_revision_from")).select_by_value("3")
    click("input[name=_save]")
    wait.until(lambda d: "補正として申請しました" in page_text())
    revision = TargetRevision.objects.get(item=by_admin, state="requested")
    assert (revision.source, revision.requested_by) == ("admin", operator)
    login("jimukyoku")
    browser.get(live_server.url + reverse("plans:revisions", args=[2020]))
    click("#pending-revisions button[value=approve]")
    wait.until(lambda d: "補正を承認しました" in page_text())
    browser.save_screenshot(str(SCREENSHOTS / "revisions.png"))

    # Every approved quarter stays as approved; the 補正 shows on the rows.
    assert SectionQuarter.objects.get(section=section, quarter=1).state == "approved"
    assert {item.pk: q1_judgement(item) for item in rows} == before
    for item, start in ((by_screen, 2), (by_import, 2), (by_admin, 3)):
        item = PlanItem.objects.get(pk=item.pk)
        assert item.target_text == new_targets[item.pk]
        assert item.revision_label == f"目標変更あり（第{start}四半期から）"
    browser.get(live_server.url + reverse("plans:year", args=[2020]))
    assert page_text().count("目標変更あり") == 3
    login("kacho")
    browser.get(live_server.url + reverse("results:item_detail", args=[by_screen.pk]))
    detail = browser.find_element(By.TAG_NAME, "main").text
    assert "目標変更あり（第2四半期から）" in detail
    assert (
        f"当初 {by_screen.target_text}、第2四半期から {new_targets[by_screen.pk]}に補正" in detail
    )
