"""Headless Debian chromium for the browser tests (``from .browser import browser``).

Skips with a clear reason when /usr/bin/chromium is missing (``scripts/ensure-browser.sh``
installs it).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"

_ARGUMENTS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1600",
    "--lang=ja",
]


def make_driver(profile: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in _ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_window_size(1280, 1600)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture
def browser():
    """A fresh headless chromium with its own profile directory, closed afterwards."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(
            "Debian の chromium / chromedriver が無いためブラウザのテストを省略します"
            "（scripts/ensure-browser.sh でインストールできます）。"
        )
    profile = tempfile.mkdtemp(prefix="shakyo-chromium-")
    driver = make_driver(profile)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def scroll_and_click(driver, element) -> None:
    """Scroll ``element`` to the middle of the window at once, then click it.

    At once (``behavior: 'instant'``): Bootstrap makes the page scroll smoothly, and a
    click during the scroll lands on whatever is under the point by then.
    """
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
    )
    element.click()
