"""The job page in a real browser: the progress bar moves and the download link appears."""

from __future__ import annotations

import time

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from books.models import BookJob
from plans.models import User

from .browser import browser  # noqa: F401 (fixture)
from .factories import OrganizationFactory

PASSWORD = "browser-pass-1234"


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def wait_for(condition, timeout: float = 15):
    """Poll ``condition``; the page replaces its elements as the job advances."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except (NoSuchElementException, StaleElementReferenceException):
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_job_page_follows_the_job_until_the_download_is_ready(live_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    organization = OrganizationFactory(name="ブラウザ市社会福祉協議会")
    user = User(username="jim", role=User.Role.SECRETARIAT, organization=organization)
    user.set_password(PASSWORD)
    user.save()
    job = BookJob.objects.create(
        organization=organization,
        user=user,
        kind=BookJob.Kind.REPORT_EXPORT,
        year=2020,
        quarter=2,
        state=BookJob.State.RUNNING,
        progress=40,
        message="120 / 300 行",
    )
    browser.get(live_server.url + reverse("login"))
    browser.find_element(By.NAME, "username").send_keys("jim")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(
        By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]"
    ).click()
    wait_for(lambda: "/login/" not in browser.current_url)

    browser.get(live_server.url + reverse("books:job", args=[job.pk]))
    bar = browser.find_element(By.ID, "book-job-progress")
    assert bar.get_attribute("value") == "40"

    BookJob.objects.filter(pk=job.pk).update(progress=75, message="225 / 300 行")
    wait_for(
        lambda: browser.find_element(By.ID, "book-job-progress").get_attribute("value") == "75"
    )
    assert "225 / 300 行" in browser.find_element(By.ID, "book-job-message").text

    job.result.save("job.xlsx", ContentFile(b"PK"), save=False)
    BookJob.objects.filter(pk=job.pk).update(
        state=BookJob.State.DONE,
        progress=100,
        message="できました",
        result=job.result.name,
        result_name="令和2年度_事業報告_第2四半期.xlsx",
    )
    link = wait_for(
        lambda: browser.find_elements(By.PARTIAL_LINK_TEXT, "令和2年度_事業報告_第2四半期.xlsx")
    )
    assert link[0].get_attribute("href").endswith(reverse("books:download", args=[job.pk]))
    assert not browser.find_elements(By.ID, "book-job-progress")
