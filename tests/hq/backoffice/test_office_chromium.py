"""The back office in headless Chromium (Debian's) against a real HQ on loopback, on SQLite and
PostgreSQL: sign in, search a member, reveal with a reason (audited), adjust points, resolve a
conflict, check and preview rules, publish them for a store from a later date and cancel that,
open a report with its chart; screenshots at 1366x768."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import CHROMIUM_FLAGS, chromium_paths, wait_replaced
from hq_server import RunningServer
from office import PASSWORD, Chain, add_operator, make_chain
from sqlalchemy import select

from posloyalty.hq.models import AuditEvent, Conflict, Member, RuleDocument, RulePublication
from posloyalty.hq.services import HqService

#: ``make screenshots`` points this at docs/screenshots; a plain test run keeps the tree clean.
SCREENSHOTS = Path(
    os.environ.get("POSLOYALTY_SCREENSHOT_DIR")
    or Path(tempfile.gettempdir()) / "posloyalty-screenshots"
)
WAIT = 15


@pytest.fixture
def chrome(tmp_path: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1366,768"]:
        options.add_argument(flag)
    options.add_argument("--lang=zh-CN")
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    browser = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()


def shot(chrome: Any, name: str) -> None:
    """The visible 1366x768 screen, saved under SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chrome.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        assert chrome.save_screenshot(str(SCREENSHOTS / name))
    finally:
        chrome.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def submit(chrome: Any, button: Any) -> None:
    from selenium.webdriver.common.by import By

    old = chrome.find_element(By.TAG_NAME, "html")
    button.click()
    wait_replaced(chrome, old)


def until(chrome: Any, check: Any) -> Any:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.wait import WebDriverWait

    # htmx swaps elements out while we look: a stale one means "not yet".
    return WebDriverWait(chrome, WAIT, ignored_exceptions=(StaleElementReferenceException,)).until(
        check
    )


def test_back_office_in_chromium(chrome: Any, svc: HqService, server: RunningServer) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    chain: Chain = make_chain(svc)
    add_operator(svc, "boss", "hq_admin")
    office = f"{server.url}/office"

    # Sign in (the page is in Chinese from the browser's Accept-Language).
    chrome.get(f"{office}/members")
    assert chrome.current_url.startswith(f"{office}/login")
    chrome.find_element(By.NAME, "username").send_keys("boss")
    chrome.find_element(By.NAME, "password").send_keys(PASSWORD)
    shot(chrome, "office-login.png")
    submit(chrome, chrome.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert chrome.current_url == f"{office}/members"

    # Search by phone: htmx fills the results in place.
    box = chrome.find_element(By.ID, "q")
    box.send_keys("13800000001", Keys.ENTER)
    link = until(
        chrome, lambda c: c.find_element(By.CSS_SELECTOR, f"#member-results a[href$='{chain.li}']")
    )
    assert "138****0001" in chrome.find_element(By.ID, "member-results").text
    shot(chrome, "office-search.png")
    submit(chrome, link)
    assert chrome.find_element(By.ID, "phone").text == "138****0001"

    # Reveal with a reason: the profile box is replaced in place; the reveal is audited.
    form = chrome.find_element(By.ID, "reveal-form")
    form.find_element(By.NAME, "reason").send_keys("会员来电查询积分")
    form.find_element(By.TAG_NAME, "button").click()
    until(chrome, lambda c: c.find_element(By.ID, "phone").text == "13800000001")
    assert chrome.find_element(By.ID, "name").text == "李雷"
    with svc.db.transaction() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "reveal")).one()
        assert (event.operator, event.target, event.reason) == (
            "boss",
            f"member:{chain.li}",
            "会员来电查询积分",
        )

    # Adjust points: the page comes back with the new balance.
    form = chrome.find_element(By.ID, "adjust-form")
    form.find_element(By.NAME, "points").send_keys("200")
    form.find_element(By.NAME, "reason").send_keys("送货延误补偿")
    submit(chrome, form.find_element(By.TAG_NAME, "button"))
    assert chrome.find_element(By.ID, "available").text == "320"
    shot(chrome, "office-member.png")

    # Resolve the quarantined entry: accepted, credited, in the history.
    chrome.get(f"{office}/conflicts")
    row = chrome.find_element(By.ID, f"conflict-{chain.conflict}")
    shot(chrome, "office-conflicts.png")
    row.find_element(By.NAME, "reason").send_keys("核对小票:促销积分有效")
    submit(chrome, row.find_element(By.CSS_SELECTOR, "button[value=accept]"))
    assert "核对小票" in chrome.find_element(By.ID, f"conflict-{chain.conflict}").text
    with svc.db.transaction() as s:
        conflict = s.get(Conflict, chain.conflict)
        member = s.get(Member, chain.li)
        assert conflict is not None and conflict.resolved_at is not None
        assert member is not None and member.state["available"] == 320 + chain.claimed

    # Rules: an edit checked in place, with the problem at its key path.
    chrome.get(f"{office}/rules/edit")
    area = chrome.find_element(By.ID, "rules-text")
    text = area.get_attribute("value").replace("min_growth = 6000", "min_growth = -5")
    chrome.execute_script("arguments[0].value = arguments[1]", area, text)
    chrome.find_element(By.ID, "check").click()
    problem = until(chrome, lambda c: c.find_element(By.ID, "check-problem"))
    assert "tiers.levels[2].min_growth" in problem.text
    chrome.execute_script(
        "arguments[0].value = arguments[1]",
        area,
        text.replace("min_growth = -5", "min_growth = 5000")
        .replace("revision = 1", "revision = 2")
        .replace('regular = "1"', 'regular = "2"'),
    )
    chrome.find_element(By.ID, "check").click()
    preview = until(chrome, lambda c: c.find_element(By.ID, "preview"))
    # Members earn twice the points on regular goods under the edit: those rows are marked.
    assert preview.find_elements(By.CSS_SELECTOR, "tr.changed")
    chrome.execute_script("document.getElementById('check-result').scrollIntoView()")
    shot(chrome, "office-rules.png")

    # Publish it for store S2 only, from the first of December (Beijing time): HQ keeps it
    # scheduled (nothing changes yet); the list shows it with its scope; cancelling drops it.
    chrome.find_element(By.ID, "effective-at").send_keys("2026-12-01T00:00+08:00")
    chrome.find_element(By.CSS_SELECTOR, "input[name=store][value=S2]").click()
    chrome.execute_script("document.getElementById('publish-when-where').scrollIntoView()")
    shot(chrome, "office-rules-publish-scope.png")
    submit(chrome, chrome.find_element(By.CSS_SELECTOR, "#rules-form button[type=submit]"))
    assert chrome.current_url == f"{office}/rules?scheduled=1"
    row = chrome.find_element(By.CSS_SELECTOR, "#scheduled tbody tr")
    assert "2026-11-30 16:00 UTC" in row.text and "S2" in row.text and "boss" in row.text
    shot(chrome, "office-rules-scheduled.png")
    with svc.db.transaction() as s:
        pub = s.scalars(select(RulePublication).where(RulePublication.revision == 2)).one()
        assert (pub.stores, pub.regions, pub.cancelled_at) == (["S2"], [], None)
        assert pub.effective_at == dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC)
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "rules_scheduled")).one()
        assert (event.operator, event.target) == ("boss", "rules:miniso@2")
        assert event.detail["stores"] == ["S2"]
        assert s.get(RuleDocument, ("miniso", 2)).active is False  # type: ignore[union-attr]
    submit(chrome, row.find_element(By.TAG_NAME, "button"))
    assert chrome.current_url == f"{office}/rules?cancelled=1"
    assert "S2" not in chrome.find_element(By.ID, "scheduled").text
    with svc.db.transaction() as s:
        assert s.get(RulePublication, pub.id).cancelled_at is not None  # type: ignore[union-attr]
        assert s.scalars(
            select(AuditEvent).where(AuditEvent.action == "rules_schedule_cancelled")
        ).one()

    # A report with its chart (ECharts draws an SVG), then the page in English.
    chrome.get(f"{office}/reports?name=points")
    until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "#chart svg"))
    shot(chrome, "office-report-points.png")
    chrome.get(f"{office}/lang/en?next=/office/reports")
    until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "#chart svg"))
    assert "Member count and growth" in chrome.page_source
    shot(chrome, "office-report-members-en.png")
    chrome.get(f"{office}/stores")
    shot(chrome, "office-stores-en.png")

    # Every other page, for the screenshots: joins per cashier, the audit trail (with the
    # schedule and its cancelling), operators, the account.
    chrome.get(f"{office}/reports?name=joins_cashier")
    assert "Joins per store, channel and cashier" in chrome.page_source
    shot(chrome, "office-report-joins-cashier-en.png")
    chrome.get(f"{office}/audit")
    assert "rules_schedule_cancelled" in chrome.page_source
    shot(chrome, "office-audit-en.png")
    chrome.get(f"{office}/operators")
    shot(chrome, "office-operators-en.png")
    chrome.get(f"{office}/account")
    shot(chrome, "office-account-en.png")
