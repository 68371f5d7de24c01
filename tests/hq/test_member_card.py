"""The member's own card page in headless Chromium (Debian's): sign in with an SMS code, show a
code the till verifies, keep showing valid codes with the network cut (service worker), and
reach the card straight from self-registration."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import zxingcpp
from chromium import CHROMIUM_FLAGS, chromium_paths
from hq_server import RunningServer
from PIL import Image
from test_member_account import PHONE, member_with_history
from test_self_registration import (
    MINISO,
    _screenshot,
    enrol,
    new_link,
    submit_proven,
)

from posloyalty.clock import FixedClock, SystemClock
from posloyalty.domain import codes
from posloyalty.hq.members import secret_of
from posloyalty.hq.models import Member
from posloyalty.hq.phone_codes import SmsLimits
from posloyalty.hq.selfreg import SelfRegConfig
from posloyalty.hq.services import HqService
from posloyalty.sync.client import SyncClient, enroll
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.member_scan import identify
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.vault import open_vault

TIMEOUT = 10


@contextmanager
def _phone(tmp_path: Path) -> Iterator[Any]:
    """Chromium at a phone's size, English (the page follows the browser's language), with a
    profile of its own (another phone)."""
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


@pytest.fixture
def phone_browser(tmp_path: Path) -> Iterator[Any]:
    with _phone(tmp_path) as chrome:
        yield chrome


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
    scanned = codes.parse_scan(code)
    assert isinstance(scanned, codes.DynamicMemberCode | codes.StaticCardCode)
    member = scanned.member_id
    with svc.db.transaction() as s:
        row = s.get(Member, member)
        assert row is not None
        secret = secret_of(s, row)
    now = int(dt.datetime.now(dt.UTC).timestamp())
    assert codes.verify_dynamic(code, secret, now).ok
    body = phone_browser.find_element(By.ID, "account").text
    assert "Puntos disponibles" in body


def _sign_in(browser: Any, server: RunningServer, phone: str) -> str:
    from selenium.webdriver.common.by import By

    browser.get(f"{server.url}/m/")
    _wait(browser, "return !document.getElementById('signin').hidden")
    browser.find_element(By.ID, "phone").send_keys(phone)
    browser.find_element(By.ID, "send-code").click()
    _wait(browser, "return !document.getElementById('code-form').hidden")
    sms = server.sms.last_code(phone)
    assert sms is not None
    browser.find_element(By.ID, "code").send_keys(sms)
    browser.find_element(By.ID, "sign-in").click()
    return _shown_code(browser)


def _texts(browser: Any, list_id: str) -> list[str]:
    found: list[str] = browser.execute_script(
        f"return [...document.querySelectorAll('#{list_id} li')].map(li => li.textContent)"
    )
    return found


def _field(browser: Any, name: str) -> str:
    text: str = browser.execute_script(
        f"return document.querySelector('#account dd[data-field={name}]').textContent"
    )
    return text


def test_every_figure_a_code_for_the_scanner_and_one_device_at_a_time(
    svc: HqService, clock: FixedClock, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    member = member_with_history(svc, clock)
    now = clock.now()
    lax = SelfRegConfig(sms_limits=SmsLimits(interval_s=0, per_phone_hour=100))
    with RunningServer(svc, lax) as server, _phone(tmp_path) as first:
        first_code = _sign_in(first, server, PHONE)
        _wait(first, "return document.querySelectorAll('#activity li').length > 0")
        assert _field(first, "points") == "250" and _field(first, "pending") == "80"
        assert _field(first, "tier") == "普通卡"
        assert _field(first, "needed") == "1800 growth or ¥180.00 spent"
        assert "Still needed for 银卡" in first.find_element(By.ID, "account").text

        def day(days: int) -> str:
            return (now + dt.timedelta(days=days)).date().isoformat()

        assert _texts(first, "pending-lots") == [f"80 · from {day(5)}"]
        assert first.find_element(By.ID, "expiring-title").text == "Points expiring soon"
        assert _texts(first, "expiring") == [f"200 · expire {day(20)}", f"80 · expire {day(60)}"]
        (coupon,) = _texts(first, "coupons")
        assert coupon.endswith(f"valid until {day(10)}")
        activity = _texts(first, "activity")
        assert activity[0] == f"{day(-1)} · Points spent -100"
        assert f"{day(-34)} · Return -¥20.00" in activity
        assert f"{day(-40)} · Purchase ¥120.00" in activity and len(activity) == 7
        _screenshot(first, "member-card-account-en.png")
        # The code for a counter scanner: nearly the screen's width, and it reads.
        first.find_element(By.ID, "show-big").click()
        _wait(first, "return !document.getElementById('big').hidden")
        _wait(first, "return document.getElementById('big-qr').dataset.code || ''")
        width = first.execute_script(
            "return document.querySelector('#big-qr svg').getBoundingClientRect().width"
        )
        assert width >= 380, width  # of a 412 px wide phone
        assert first.find_element(By.ID, "card").is_displayed() is False
        big_code = first.execute_script("return document.getElementById('big-qr').dataset.code")
        assert _qr_in_screenshot(first) == big_code
        _screenshot(first, "member-card-big-code-en.png")
        first.find_element(By.ID, "big-close").click()
        _wait(first, "return !document.getElementById('card').hidden")
        # Another phone signs in: it gets the card, with a new secret.
        with _phone(tmp_path) as second:
            second_code = _sign_in(second, server, PHONE)
            with svc.db.transaction() as s:
                row = s.get(Member, member)
                assert row is not None
                secret = secret_of(s, row)
            at = int(time.time())
            assert codes.verify_dynamic(second_code, secret, at).ok
            assert not codes.verify_dynamic(first_code, secret, at).ok
            # The first phone, opened again, says why its card is gone, and forgets the secret.
            first.refresh()
            _wait(first, "return !document.getElementById('signin').hidden")
            message = first.find_element(By.ID, "signin-message").text
            assert message.startswith("You signed in on another device")
            assert first.execute_script("return localStorage.getItem('card')") is None
            assert first.find_element(By.ID, "card").is_displayed() is False
            _screenshot(first, "member-card-replaced-en.png")
