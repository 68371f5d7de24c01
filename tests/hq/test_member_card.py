"""The member's own card page in headless Chromium (Debian's): sign in with an SMS code, show a
code the till verifies, keep showing valid codes with the network cut (service worker), and
reach the card straight from self-registration."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import zxingcpp
from chromium import CHROMIUM_FLAGS, chromium_paths
from hq_server import RunningServer
from PIL import Image
from test_self_registration import (
    MINISO,
    _screenshot,
    enrol,
    new_link,
    submit_proven,
)

from posloyalty.clock import SystemClock
from posloyalty.domain import codes
from posloyalty.hq.members import secret_of
from posloyalty.hq.models import Member
from posloyalty.hq.services import HqService
from posloyalty.sync.client import SyncClient, enroll
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.member_scan import identify
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.vault import open_vault

TIMEOUT = 10


@pytest.fixture
def phone_browser(tmp_path: Path) -> Iterator[Any]:
    """Chromium at a phone's size, English (the page follows the browser's language)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tempfile.mkdtemp(prefix="chromium-card-", dir=tmp_path)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=412,1000"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en"})
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    chrome.set_page_load_timeout(30)
    try:
        yield chrome
    finally:
        chrome.quit()


def _wait(chrome: Any, script: str, seconds: float = 15) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = chrome.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}")


def _shown_code(chrome: Any) -> str:
    code: str = _wait(chrome, "return document.getElementById('qr').dataset.code || ''")
    return code


def _qr_in_screenshot(chrome: Any) -> str:
    image = Image.open(io.BytesIO(chrome.get_screenshot_as_png()))
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code readable on the page"
    text: str = found[0].text
    return text


def _till(path: Path, hq_url: str, code: str) -> Database:
    db = Database.open(path, clock=SystemClock(), create=True)
    with db.write() as session:
        repo.set_setting(session, "zone", "Asia/Shanghai")
        repo.create_cashier(
            session, cashier_id="c1", name="C", role="cashier", pin="1111", at=db.clock.now()
        )
    enroll(db, hq_url, code, key_store="file")
    assert SyncClient(db).sync().last_error is None
    return db


def test_sign_in_show_a_code_the_till_verifies_and_keep_working_offline(
    phone_browser: Any, svc: HqService, server: RunningServer, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    svc.publish_rules(MINISO.read_text(encoding="utf-8"))
    member = svc.register_member("S1", "13812345678", "Li", None, True).member_id
    till = _till(tmp_path / "till.sqlite", server.url, svc.make_enrolment_code("S1"))
    browser = phone_browser
    browser.get(f"{server.url}/m/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    _wait(browser, "return !document.getElementById('signin').hidden")
    assert browser.find_element(By.ID, "title").text == "My member card"
    browser.find_element(By.ID, "phone").send_keys("138 1234 5678")
    browser.find_element(By.ID, "send-code").click()
    _wait(browser, "return !document.getElementById('code-form').hidden")
    sms = server.sms.last_code("13812345678")
    assert sms is not None
    browser.find_element(By.ID, "code").send_keys(sms)
    browser.find_element(By.ID, "sign-in").click()
    code = _shown_code(browser)
    assert _qr_in_screenshot(browser) == code  # the QR says what the text says
    _screenshot(browser, "member-card-en.png")
    # The till verifies it offline, as a phone code that may spend points.
    outcome = identify(code, db=till, vault=open_vault(till, create=False))
    assert isinstance(outcome, Identified) and outcome.member_id == member
    assert outcome.confirmed and outcome.may_redeem and outcome.by == "dynamic"
    # Installable: the manifest is linked and served; the service worker controls the page.
    manifest = requests.get(f"{server.url}/m/manifest.webmanifest", timeout=TIMEOUT).json()
    assert manifest["start_url"] == "/m/" and manifest["display"] == "standalone"
    _wait(browser, "return navigator.serviceWorker.controller !== null")
    # The network is cut (HQ stops): the page still opens and shows a valid, fresh code.
    server.__exit__(None, None, None)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/m/", timeout=2)
    browser.refresh()
    offline_code = _shown_code(browser)
    _wait(browser, "return !document.getElementById('offline').hidden")
    with svc.db.transaction() as s:
        row = s.get(Member, member)
        assert row is not None
        secret = secret_of(s, row)
    check = codes.verify_dynamic(offline_code, secret, int(time.time()))
    assert check.ok, check.message
    assert _qr_in_screenshot(browser) == offline_code
    _screenshot(browser, "member-card-offline-en.png")
    till.close()


def test_self_registration_leads_to_the_card(
    phone_browser: Any, svc: HqService, server: RunningServer
) -> None:
    from selenium.webdriver.common.by import By

    svc.publish_rules(MINISO.read_text(encoding="utf-8"))
    _, token = enrol(svc, "S1")
    url = new_link(server, token)["url"]
    r = submit_proven(
        server, url, {"phone": "13712345678", "consent": "yes", "lang": "es"}, origin=server.url
    )
    assert r.status_code == 200
    start = r.text.index('id="card-link" href="') + len('id="card-link" href="')
    card_url = r.text[start : r.text.index('"', start)].replace("&amp;", "&")
    assert card_url.startswith("/m/?lang=es#s=")
    phone_browser.get(server.url + card_url)
    code = _shown_code(phone_browser)
    assert phone_browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert "#s=" not in phone_browser.current_url  # the session left the address bar
    member = codes.parse_scan(code).member_id  # type: ignore[union-attr]
    with svc.db.transaction() as s:
        row = s.get(Member, member)
        assert row is not None
        secret = secret_of(s, row)
    now = int(dt.datetime.now(dt.UTC).timestamp())
    assert codes.verify_dynamic(code, secret, now).ok
    body = phone_browser.find_element(By.ID, "account").text
    assert "Puntos disponibles" in body
