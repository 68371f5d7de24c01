"""Headless Chromium (Debian's chromium and chromedriver) for the browser tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_paths() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
    )
    if browser is None or driver is None:
        pytest.fail(
            "headless Chromium is needed for the self-registration end-to-end test: "
            "install Debian's packages with `apt-get install -y chromium chromium-driver` "
            "(.ci/run does this)",
            pytrace=False,
        )
    return browser, driver


def wait_replaced(chrome: Any, old: Any) -> None:
    """Wait until the page that held ``old`` is gone and the next one has loaded.

    Selenium's ``staleness_of`` asks the old element a question; while Chromium is swapping
    the document it may answer "Node with given id does not belong to the document" (a
    WebDriverException, not a StaleElementReferenceException): that also means replaced.
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.wait import WebDriverWait

    def replaced(_: Any) -> bool:
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    WebDriverWait(chrome, 15).until(replaced)
    WebDriverWait(chrome, 15).until(
        lambda c: c.execute_script("return document.readyState") == "complete"
    )
