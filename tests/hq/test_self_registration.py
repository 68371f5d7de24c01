"""Self-service registration: signed links, the form's rules, the page over real uvicorn, and
the whole flow in headless Chromium (SQLite and PostgreSQL where a database is involved)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests
from chromium import CHROMIUM_FLAGS, chromium_paths, wait_replaced
from hq_server import RunningServer
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from posloyalty.clock import FixedClock
from posloyalty.hq import selfreg
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.errors import BadRequest
from posloyalty.hq.models import Coupon, LedgerEntry, Member, MemberStore, RegistrationLinkUse
from posloyalty.hq.phone_codes import SmsLimits
from posloyalty.hq.pii import phone_index, pii_of
from posloyalty.hq.selfreg import (
    FormProblem,
    LinkProblem,
    SelfRegConfig,
    SelfRegForm,
    SelfRegistration,
    clean_form,
    clean_phone,
    make_token,
    parse_token,
)
from posloyalty.hq.selfreg_page import choose_lang
from posloyalty.hq.selfreg_web import same_origin
from posloyalty.hq.services import HqConfig, HqService
from posloyalty.hq.sms import ConsoleSms
from posloyalty.resources import resources_dir
from posloyalty.sync.protocol import request_headers

TIMEOUT = 10
ROOT = Path(__file__).resolve().parents[2]
#: ``make screenshots`` points this at docs/screenshots; a plain test run keeps the tree clean.
SCREENSHOTS = Path(
    os.environ.get("POSLOYALTY_SCREENSHOT_DIR")
    or Path(tempfile.gettempdir()) / "posloyalty-screenshots"
)
MINISO = resources_dir() / "rules" / "miniso.toml"


def enrol(svc: HqService, store: str) -> tuple[Caller, str]:
    enrolled = svc.enroll(svc.make_enrolment_code(store))
    return svc.authenticate(f"Bearer {enrolled.token}"), enrolled.token


def form(phone: str = "13812345678", consent: bool = True, **extra: str) -> SelfRegForm:
    return SelfRegForm(phone=phone, consent=consent, **extra)


#: Codes as often as a test asks (the limits have tests of their own).
UNLIMITED = SelfRegConfig(sms_limits=SmsLimits(interval_s=0, per_phone_hour=10**6,
                                               per_address_hour=10**6))  # fmt: skip


@pytest.fixture
def reg(svc: HqService) -> SelfRegistration:
    return SelfRegistration(svc, UNLIMITED, ConsoleSms(io.StringIO()))


def proven(reg: SelfRegistration, token: str, typed: SelfRegForm) -> SelfRegForm:
    """The form with the SMS code sent to its phone, typed as the shopper would (a number that
    cannot get a code is left without one)."""
    try:
        reg.send_code(token, typed.phone, "192.0.2.1")
    except FormProblem:
        return typed
    sms = reg.codes.provider
    assert isinstance(sms, ConsoleSms)
    code = sms.last_code(clean_phone(typed.phone))
    assert code is not None
    return replace(typed, code=code)


def register(
    reg: SelfRegistration, token: str, typed: SelfRegForm, *, lang: str
) -> selfreg.SelfRegistered:
    """Register as the page does: ask for a code, then submit the form with it."""
    return reg.register(token, proven(reg, token, typed), lang=lang)


# --------------------------------------------------------------------------- pure parts


def test_token_round_trip_and_size() -> None:
    key = bytes(range(32))
    token = make_token(key, "S1", "T0ABCDEFG", 1_800_000_000, b"\x01" * 8)
    assert len(token) == 48 and re.fullmatch(r"[A-Za-z0-9._-]+", token)
    terminal, expires, nonce, mac = parse_token(token)
    assert (terminal, expires, nonce, len(mac)) == ("T0ABCDEFG", 1_800_000_000, b"\x01" * 8, 16)
    # The MAC covers the store: the same link for another store is another token.
    assert make_token(key, "S2", "T0ABCDEFG", 1_800_000_000, b"\x01" * 8) != token


@given(st.text(max_size=80))
def test_parse_token_refuses_garbage_cleanly(text: str) -> None:
    try:
        parse_token(text)
    except LinkProblem as problem:
        assert problem.reason == "invalid" and problem.status == 400


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits from a Chinese keyboard
    ],
)
def test_clean_phone_accepts_mainland_spellings(raw: str, digits: str) -> None:
    assert clean_phone(raw) == digits


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "phone_missing"),
        ("  ", "phone_missing"),
        ("12812345678", "phone_format"),  # second digit 2
        ("1381234567", "phone_format"),  # 10 digits
        ("138123456789", "phone_format"),
        ("+1 415 555 0100", "phone_format"),
        ("13812345abc", "phone_format"),
        ("١٣٨١٢٣٤٥٦٧٨", "phone_format"),  # Arabic-Indic digits are not ASCII
    ],
)
def test_clean_phone_refuses(raw: str, code: str) -> None:
    with pytest.raises(FormProblem) as caught:
        clean_phone(raw)
    assert caught.value.errors == {"phone": code}


def test_clean_phone_pattern_is_configurable() -> None:
    assert clean_phone("+852 6123 4567".replace("+852", ""), r"[569]\d{7}") == "61234567"


def test_clean_form_lists_every_problem() -> None:
    today = dt.date(2026, 11, 26)
    with pytest.raises(FormProblem) as caught:
        clean_form(SelfRegForm("123", False, "x\x07y", "2027-01-01"), today)
    assert caught.value.errors == {
        "phone": "phone_format",
        "name": "name_invalid",
        "birthday": "birthday_invalid",
        "consent": "consent_required",
    }
    with pytest.raises(FormProblem) as caught:
        clean_form(SelfRegForm("13812345678", True, "a" * 65, "26/11/1990"), today)
    assert set(caught.value.errors) == {"name", "birthday"}
    clean = clean_form(SelfRegForm("13812345678", True, "  张三 ", "1990-05-01"), today)
    assert clean == selfreg.CleanForm("13812345678", "张三", dt.date(1990, 5, 1))
    assert clean_form(SelfRegForm("13812345678", True), today).birthday is None


@pytest.mark.parametrize(
    ("explicit", "accept", "lang"),
    [
        ((None,), None, "zh-CN"),
        ((None,), "en-US,en;q=0.9", "en"),
        ((None,), "fr-FR,es;q=0.8,en;q=0.5", "es"),
        ((None,), "zh-TW,zh;q=0.9", "zh-CN"),
        ((None,), "en;q=0.2,es;q=0.9", "es"),
        ((None,), "de,fr", "zh-CN"),
        (("en",), "es", "en"),
        (("xx", "es"), "en", "es"),
        ((None,), "en;q=bogus,es", "es"),
    ],
)
def test_choose_lang(explicit: tuple[str | None, ...], accept: str | None, lang: str) -> None:
    assert choose_lang(*explicit, accept_language=accept) == lang


def test_same_origin() -> None:
    host = {"host": "hq.test:8700"}
    assert same_origin(host, None)  # no browser headers: the token decides
    assert same_origin(host | {"origin": "http://hq.test:8700"}, None)
    assert not same_origin(host | {"origin": "https://evil.test"}, None)
    assert not same_origin(host | {"origin": "null"}, None)
    assert not same_origin(host | {"sec-fetch-site": "cross-site"}, None)
    assert same_origin(host | {"referer": "http://hq.test:8700/r/x"}, None)
    assert not same_origin(host | {"referer": "http://evil.test/"}, None)
    proxied = {"host": "10.0.0.5:8700", "origin": "https://join.example.cn"}
    assert same_origin(proxied, "https://join.example.cn")


# --------------------------------------------------------------------------- services


def test_link_registers_once(svc: HqService, reg: SelfRegistration, clock: FixedClock) -> None:
    till, _ = enrol(svc, "S1")
    link = reg.issue(till)
    assert link.expires_at == clock.now() + dt.timedelta(minutes=5)
    assert reg.check(link.token).store_id == "S1"
    done = register(reg, link.token, form(name="张三", birthday="1990-05-01"), lang="zh-CN")
    assert done.created and done.phone_masked == "138****5678" and len(done.member_id) == 10
    with pytest.raises(LinkProblem) as caught:
        register(reg, link.token, form("13900000000"), lang="zh-CN")
    assert caught.value.reason == "used" and caught.value.status == 410
    with svc.db.transaction() as s:
        member = s.get(Member, done.member_id)
        assert member is not None
        assert (member.home_store, pii_of(s, member).name, pii_of(s, member).birthday) == (
            "S1",
            "张三",
            dt.date(1990, 5, 1),
        )
        assert member.consent_at == clock.now()
        (use,) = selfreg.uses_of(s, till.terminal_id)
        assert (use.nonce, use.member_id, use.created, use.lang) == (
            link.link_id,
            done.member_id,
            True,
            "zh-CN",
        )
        taken = select(Member).where(Member.phone_index == phone_index(s, "13900000000"))
        assert s.scalar(taken) is None
    status = reg.status(till, link.link_id)
    assert status.used and status.member_id == done.member_id and status.created
    # Another terminal cannot learn about this terminal's link.
    other, _ = enrol(svc, "S1")
    assert not reg.status(other, link.link_id).used


def test_refused_input_leaves_the_link_usable(svc: HqService, reg: SelfRegistration) -> None:
    till, _ = enrol(svc, "S1")
    link = reg.issue(till)
    with pytest.raises(FormProblem) as caught:
        register(reg, link.token, form(consent=False), lang="en")
    assert caught.value.errors == {"consent": "consent_required"}
    with pytest.raises(FormProblem):
        register(reg, link.token, form("12345"), lang="en")
    with svc.db.transaction() as s:
        assert s.scalars(select(Member)).all() == []
    assert register(reg, link.token, form(), lang="en").created


def test_expiry(svc: HqService, reg: SelfRegistration, clock: FixedClock) -> None:
    till, _ = enrol(svc, "S1")
    link = reg.issue(till)
    clock.advance(minutes=4, seconds=59)
    reg.check(link.token)
    clock.advance(seconds=1)
    with pytest.raises(LinkProblem) as caught:
        register(reg, link.token, form(), lang="en")
    assert caught.value.reason == "expired" and caught.value.status == 410
    short = reg.issue(till, dt.timedelta(seconds=30))
    assert short.expires_at == clock.now() + dt.timedelta(seconds=30)
    with pytest.raises(BadRequest):
        reg.issue(till, dt.timedelta(hours=1))


def test_forged_tokens_are_invalid(svc: HqService, reg: SelfRegistration) -> None:
    till, _ = enrol(svc, "S1")
    s2, _ = enrol(svc, "S2")
    token = reg.issue(till).token
    terminal, expires, nonce, _mac = parse_token(token)
    with svc.db.transaction() as s:
        key = selfreg.link_key(s, create=False)
    assert key is not None
    blob = bytearray(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    blob[-1] ^= 1
    flipped = f"{terminal}.{base64.urlsafe_b64encode(bytes(blob)).rstrip(b'=').decode()}"
    later = bytearray(blob)
    later[-1] ^= 1
    later[3] ^= 0x40  # a later expiry, keeping the original MAC
    extended = f"{terminal}.{base64.urlsafe_b64encode(bytes(later)).rstrip(b'=').decode()}"
    forged = [
        flipped,
        extended,
        token.replace(terminal, s2.terminal_id),  # another terminal (and so store)
        make_token(os.urandom(32), "S1", terminal, expires, nonce),  # another key
        make_token(key, "S1", "TNOSUCH00", expires, nonce),  # unknown terminal
        make_token(key, "S2", terminal, expires, nonce),  # signed for another store
        token[:-1],
        token + "A",
        "",
        "T.x",
    ]
    for bad in forged:
        with pytest.raises(LinkProblem) as caught:
            register(reg, bad, form(), lang="en")
        assert caught.value.reason == "invalid", bad
    assert register(reg, token, form(), lang="en").created


def test_revoked_terminal_link(svc: HqService, reg: SelfRegistration) -> None:
    till, _ = enrol(svc, "S1")
    link = reg.issue(till)
    svc.revoke_terminal(till.terminal_id)
    with pytest.raises(LinkProblem) as caught:
        reg.check(link.token)
    assert caught.value.reason == "revoked"


def test_a_proven_phone_that_is_a_member_stays_one_member(
    svc: HqService, reg: SelfRegistration
) -> None:
    first = svc.register_member("S2", "13812345678", "李四", dt.date(1980, 1, 2), True)
    till, _ = enrol(svc, "S1")
    link = reg.issue(till)
    done = register(reg, link.token, form("+86 138 1234 5678", name="Other"), lang="zh-CN")
    # Only the phone's owner (the SMS code) gets here: they learn their own member number.
    assert not done.created and done.member_id == first.member_id
    assert done.phone_masked == "138****5678"
    with svc.db.transaction() as s:
        (member,) = s.scalars(select(Member)).all()
        name = pii_of(s, member).name
        assert (member.id, name, member.home_store) == (first.member_id, "李四", "S2")
        assert s.get(MemberStore, (first.member_id, "S1")) is None
        assert s.get(RegistrationLinkUse, link.link_id) is not None
    # Used up, so one link cannot probe many numbers.
    with pytest.raises(LinkProblem):
        register(reg, link.token, form("13900000000"), lang="zh-CN")
    # A typed phone proves nothing: the existing member stays out of S1's slice.
    pulled = svc.pull(till, selfreg_pull_request())
    assert [c.key for c in pulled.changes if c.kind in ("member", "member_secret")] == []


def selfreg_pull_request(cursor: int = 0) -> Any:
    from posloyalty.sync.protocol import PullRequest

    return PullRequest(cursor=cursor)


def test_welcome_benefits_of_the_rules(svc: HqService, reg: SelfRegistration) -> None:
    till, _ = enrol(svc, "S1")
    assert reg.gift() == ""
    svc.publish_rules(MINISO.read_text(encoding="utf-8"))
    assert reg.gift() == "购物袋"
    done = register(reg, reg.issue(till).token, form(), lang="zh-CN")
    assert done.gift == "购物袋" and len(done.coupons) == 1
    again = register(reg, reg.issue(till).token, form(), lang="zh-CN")
    assert not again.created and again.coupons == ()
    with svc.db.transaction() as s:
        coupons = s.scalars(select(Coupon)).all()
    assert [(c.member_id, c.template) for c in coupons] == [(done.member_id, "new_member_5")]
    pulled = svc.pull(till, selfreg_pull_request())
    assert {c.kind for c in pulled.changes} >= {"member", "member_secret", "coupon"}
    # Welcome points become an HQ ledger entry the jobs count.
    text = MINISO.read_text(encoding="utf-8").replace("revision = 1", "revision = 2", 1)
    svc.publish_rules(text.replace("points = 0\n", "points = 50\n", 1))
    rich = register(reg, reg.issue(till).token, form("13700000000"), lang="en")
    with svc.db.transaction() as s:
        (welcome,) = s.scalars(select(LedgerEntry).where(LedgerEntry.member_ref == rich.member_id))
        assert (welcome.kind, welcome.points, welcome.reason) == ("bonus", 50, "welcome")
        assert (welcome.store_id, welcome.terminal_id) == ("S1", till.terminal_id)
    svc.run_jobs()
    with svc.db.transaction() as s:
        member = s.get(Member, rich.member_id)
        assert member is not None and member.state["available"] == 50


def test_concurrent_submits_register_once(svc: HqService, reg: SelfRegistration) -> None:
    till, _ = enrol(svc, "S1")
    link = reg.issue(till)
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def submit(i: int) -> None:
        start.wait()
        try:
            register(reg, link.token, form(f"1391234567{i}"), lang="en")
            outcomes.append("created")
        except LinkProblem as problem:
            outcomes.append(problem.reason)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created", "used", "used", "used"]
    with svc.db.transaction() as s:
        assert len(s.scalars(select(Member)).all()) == 1


# --------------------------------------------------------------------------- HTTP


def new_link(server: RunningServer, token: str) -> dict[str, Any]:
    r = requests.post(
        f"{server.url}/v1/registration-links", headers=request_headers(token), timeout=TIMEOUT
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def submit(
    url: str, fields: dict[str, str], *, origin: str | None = None, **headers: str
) -> requests.Response:
    token = url.rsplit("/", 1)[1]
    data = {"token": token, **fields}
    extra = {"Origin": origin} if origin else {}
    return requests.post(url, data=data, headers=extra | headers, timeout=TIMEOUT)


def send_code(
    server: RunningServer, url: str, phone: str, lang: str = "en"
) -> tuple[requests.Response, str | None]:
    """Press "send code" on the page: the answer and the code the phone received."""
    r = submit(url, {"phone": phone, "lang": lang, "action": "send_code"}, origin=server.url)
    try:
        digits = clean_phone(phone)
    except FormProblem:
        return r, None
    return r, server.sms.last_code(digits)


def submit_proven(
    server: RunningServer, url: str, fields: dict[str, str], **kwargs: Any
) -> requests.Response:
    """Submit the form as a shopper holding the phone does: code first, then the form."""
    _, code = send_code(server, url, fields["phone"], fields.get("lang", "en"))
    assert code is not None
    return submit(url, fields | {"code": code, "action": "register"}, **kwargs)


def test_link_endpoint(server: RunningServer, svc: HqService, clock: FixedClock) -> None:
    r = requests.post(f"{server.url}/v1/registration-links", headers=request_headers())
    assert r.status_code == 401
    _, token = enrol(svc, "S1")
    link = new_link(server, token)
    assert link["url"] == f"{server.url}/r/{link['token']}"
    assert len(link["url"]) <= 120 and len(link["url"].removeprefix(server.url)) <= 60
    assert dt.datetime.fromisoformat(link["expires_at"]) == clock.now() + dt.timedelta(minutes=5)
    r = requests.post(
        f"{server.url}/v1/registration-links",
        json={"ttl_seconds": 120},
        headers=request_headers(token),
        timeout=TIMEOUT,
    )
    assert dt.datetime.fromisoformat(r.json()["expires_at"]) == clock.now() + dt.timedelta(
        minutes=2
    )
    for bad in (5, 3600):
        r = requests.post(
            f"{server.url}/v1/registration-links",
            json={"ttl_seconds": bad},
            headers=request_headers(token),
            timeout=TIMEOUT,
        )
        assert r.status_code == 422
    status = f"{server.url}/v1/registration-links/{link['link_id']}"
    r = requests.get(status, headers=request_headers(token), timeout=TIMEOUT)
    assert r.json() == {
        "link_id": link["link_id"],
        "used": False,
        "member_id": None,
        "created": None,
    }
    r = requests.post(
        f"{server.url}/v1/registration-links", json={}, headers=request_headers(token)
    )
    assert r.status_code == 200 and r.json()["expires_at"] == link["expires_at"]
    svc.revoke_terminal(svc.authenticate(f"Bearer {token}").terminal_id)
    r = requests.post(f"{server.url}/v1/registration-links", headers=request_headers(token))
    assert r.status_code == 403
    schema = requests.get(f"{server.url}/openapi.json", timeout=TIMEOUT).json()
    assert "/v1/registration-links" in schema["paths"]
    assert not any(p.startswith("/r/") for p in schema["paths"])


def test_page_language_and_markup(server: RunningServer, svc: HqService) -> None:
    _, token = enrol(svc, "S1")
    url = new_link(server, token)["url"]
    r = requests.get(url, timeout=TIMEOUT)
    assert r.status_code == 200 and r.headers["content-language"] == "zh-CN"
    assert '<html lang="zh-CN">' in r.text and "手机号码" in r.text
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    # Accessible labels, consent unchecked, the token in a hidden field.
    for field in ("phone", "name", "birthday", "consent"):
        assert f'<label for="{field}">' in r.text and f'id="{field}"' in r.text
    assert re.search(r'<input type="checkbox" id="consent"[^>]*>', r.text)
    box = re.search(r'<input type="checkbox"[^>]*>', r.text)
    assert box is not None and "checked" not in box[0]
    assert f'name="token" value="{url.rsplit("/", 1)[1]}"' in r.text
    r = requests.get(url, headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}, timeout=TIMEOUT)
    assert '<html lang="es">' in r.text and "Número de móvil" in r.text
    r = requests.get(f"{url}?lang=en", headers={"Accept-Language": "es"}, timeout=TIMEOUT)
    assert '<html lang="en">' in r.text and "Mobile number" in r.text
    assert "What we store and why" in r.text
    # The visible switch offers every language.
    assert all(f"?lang={code}" in r.text for code in ("zh-CN", "en", "es"))


def test_register_over_http(server: RunningServer, svc: HqService) -> None:
    till, token = enrol(svc, "S1")
    url = new_link(server, token)["url"]
    r = submit_proven(
        server,
        url,
        {"phone": "138 1234 5678", "name": "王五", "consent": "yes", "lang": "zh-CN"},
        origin=server.url,
    )
    assert r.status_code == 200, r.text
    assert "注册成功" in r.text and "138****5678" in r.text and "13812345678" not in r.text
    shown = re.search(r'<dd class="big">([0-9A-Z]{10})</dd>', r.text)
    assert shown is not None
    member_id = shown[1]
    assert svc.pull(till, selfreg_pull_request()).changes[0].key == member_id
    # Replay: refused, in the page's language, and nothing changes.
    r = submit(url, {"phone": "13900000000", "consent": "yes", "lang": "en"}, origin=server.url)
    assert r.status_code == 410 and "Link already used" in r.text
    assert requests.get(url, timeout=TIMEOUT).status_code == 410
    with svc.db.transaction() as s:
        assert len(s.scalars(select(Member)).all()) == 1


def test_refusals_over_http(server: RunningServer, svc: HqService, clock: FixedClock) -> None:
    _, token = enrol(svc, "S1")
    url = new_link(server, token)["url"]
    fields = {"phone": "13812345678", "consent": "yes"}
    # Forged: 400 page, never a traceback.
    forged = url[:-2] + ("AA" if not url.endswith("AA") else "BB")
    for target in (forged, f"{server.url}/r/nonsense", f"{server.url}/r/T1.{'A' * 38}"):
        r = requests.get(target, timeout=TIMEOUT)
        assert r.status_code == 400 and "链接无效" in r.text and "Traceback" not in r.text
        r = submit(target, fields | {"lang": "es"})
        assert r.status_code == 400 and "Enlace no válido" in r.text
    # The hidden token must be the link's own.
    r = requests.post(url, data=fields | {"token": forged.rsplit("/", 1)[1]}, timeout=TIMEOUT)
    assert r.status_code == 400
    # Cross-site submit.
    r = submit(url, fields | {"lang": "en"}, origin="https://evil.example")
    assert r.status_code == 403 and "Cannot submit" in r.text
    # Garbage bodies.
    for junk in (b"\xff\xfe%%%", b"&".join(b"f%d=1" % i for i in range(50)), b"x" * 5000):
        r = requests.post(url, data=junk, timeout=TIMEOUT)
        assert r.status_code == 400 and "text/html" in r.headers["content-type"]
    # Expired.
    clock.advance(minutes=6)
    r = submit(url, fields | {"lang": "en"})
    assert r.status_code == 410 and "Link expired" in r.text
    r = requests.get(url, headers={"Accept-Language": "es"}, timeout=TIMEOUT)
    assert r.status_code == 410 and "Enlace caducado" in r.text


@pytest.mark.parametrize(
    ("lang", "phone_msg", "consent_msg"),
    [
        ("zh-CN", "11 位中国大陆手机号", "请勾选同意"),
        ("en", "11-digit mainland China mobile number", "Please tick the box"),
        ("es", "móvil de China continental de 11 dígitos", "Marca la casilla"),
    ],
)
def test_bad_input_is_explained_in_each_language(
    server: RunningServer, svc: HqService, lang: str, phone_msg: str, consent_msg: str
) -> None:
    _, token = enrol(svc, "S1")
    url = new_link(server, token)["url"]
    r = submit(url, {"phone": "12345", "name": "Ana", "lang": lang}, origin=server.url)
    assert r.status_code == 400 and f'<html lang="{lang}">' in r.text
    assert phone_msg in r.text and consent_msg in r.text
    assert 'aria-invalid="true"' in r.text and 'value="12345"' in r.text and 'value="Ana"' in r.text
    r = submit(url, {"phone": "13812345678", "lang": lang}, origin=server.url)
    assert r.status_code == 400 and consent_msg in r.text and phone_msg not in r.text
    # The link still works after refused input.
    r = submit_proven(
        server, url, {"phone": "13812345678", "consent": "yes", "lang": lang}, origin=server.url
    )
    assert r.status_code == 200 and "138****5678" in r.text


def test_the_page_never_tells_whether_a_phone_is_a_member(
    server: RunningServer, svc: HqService
) -> None:
    existing = svc.register_member("S2", "13812345678", "李四", None, True)
    till, token = enrol(svc, "S1")
    url = new_link(server, token)["url"]

    def same(text: str, phone: str) -> str:
        return text.replace(phone, "…").replace(phone[:3] + "****" + phone[-4:], "…")

    # Asking for a code: the same page for a member's phone and a stranger's.
    member_page, _ = send_code(server, url, "13812345678")
    stranger_page, _ = send_code(server, url, "13712345678")
    assert member_page.status_code == stranger_page.status_code == 200
    assert same(member_page.text, "13812345678") == same(stranger_page.text, "13712345678")
    # Submitting without the code: the same refusal, and nothing registered or linked.
    refusals = [
        submit(url, {"phone": p, "consent": "yes", "lang": "en", "action": "register"})
        for p in ("13812345678", "13712345678")
    ]
    assert [r.status_code for r in refusals] == [400, 400]
    assert same(refusals[0].text, "13812345678") == same(refusals[1].text, "13712345678")
    assert "Please type the SMS code" in refusals[0].text
    # A wrong code: refused alike.
    r = submit(url, {"phone": "13812345678", "consent": "yes", "code": "000000", "lang": "en"})
    assert r.status_code == 400 and "wrong or has expired" in r.text
    with svc.db.transaction() as s:
        assert len(s.scalars(select(Member)).all()) == 1
        assert s.get(MemberStore, (existing.member_id, "S1")) is None
    pulled = svc.pull(till, selfreg_pull_request()).changes
    assert [c.key for c in pulled if c.kind in ("member", "member_secret")] == []
    # The phone's owner, with the code, learns their own membership; the member stays where
    # they were (a page is no proof of presence at S1).
    r = submit_proven(server, url, {"phone": "13812345678", "consent": "yes", "lang": "en"})
    assert r.status_code == 200 and "already a member" in r.text and existing.member_id in r.text
    assert "李" not in r.text
    with svc.db.transaction() as s:
        assert s.get(MemberStore, (existing.member_id, "S1")) is None


def test_new_member_reaches_the_issuing_terminal(server: RunningServer, svc: HqService) -> None:
    till, token = enrol(svc, "S1")
    _, other_store = enrol(svc, "S2")

    def pull(credential: str, cursor: int) -> dict[str, Any]:
        r = requests.post(
            f"{server.url}/v1/pull",
            json={"cursor": cursor},
            headers=request_headers(credential),
            timeout=TIMEOUT,
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    cursor, elsewhere = pull(token, 0)["next_cursor"], pull(other_store, 0)["next_cursor"]
    link = new_link(server, token)
    r = submit_proven(
        server, link["url"], {"phone": "13712345678", "consent": "yes", "birthday": "1995-02-03"}
    )
    assert r.status_code == 200, r.text
    page = pull(token, cursor)
    members = [c["data"] for c in page["changes"] if c["kind"] == "member"]
    assert len(members) == 1 and members[0]["home_store"] == "S1"
    # Month and day only: the year stands in as 2000 (HQ's feed keeps no year of birth).
    assert members[0]["phone_masked"] == "137****5678" and members[0]["birthday"] == "2000-02-03"
    assert "13712345678" not in str(page)
    assert any(c["kind"] == "member_secret" for c in page["changes"])
    assert pull(other_store, elsewhere)["changes"] == []
    r = requests.get(
        f"{server.url}/v1/registration-links/{link['link_id']}",
        headers=request_headers(token),
        timeout=TIMEOUT,
    )
    assert r.json() == {
        "link_id": link["link_id"],
        "used": True,
        "member_id": members[0]["id"],
        "created": True,
    }
    assert till.store_id == "S1"


def test_rate_limits_per_link_and_address(svc: HqService) -> None:
    config = SelfRegConfig(token_rate_per_s=0.001, token_burst=2, ip_rate_per_s=0.001, ip_burst=6)
    svc_limits = HqService(svc.db, svc.clock, HqConfig(rate_per_s=1000, rate_burst=1000))
    with RunningServer(svc_limits, config) as server:
        _, token = enrol(svc_limits, "S1")
        url = new_link(server, token)["url"]
        bad = {"phone": "1", "consent": "yes", "lang": "en"}
        statuses = [submit(url, bad).status_code for _ in range(3)]
        assert statuses == [400, 400, 429]
        r = submit(url, bad)
        assert int(r.headers["retry-after"]) >= 1 and "Please wait" in r.text
        other = new_link(server, token)["url"]
        statuses = [requests.get(other, timeout=TIMEOUT).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]


# --------------------------------------------------------------------------- Chromium


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=412,1100"]:
        options.add_argument(flag)
    options.add_argument("--lang=zh-CN")
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    chrome.set_page_load_timeout(30)
    try:
        yield chrome
    finally:
        chrome.quit()


def _screenshot(chrome: Any, name: str) -> None:
    """The whole page at a phone's width, saved under SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chrome.execute_script("window.scrollTo(0, 0)")
    metrics = {"width": 412, "height": 800, "deviceScaleFactor": 1, "mobile": True}
    try:
        for _ in range(3):  # the layout at the emulated size decides the page's height
            chrome.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
            height = int(chrome.execute_script("return document.documentElement.scrollHeight"))
            if height == metrics["height"]:
                break
            metrics["height"] = height
        assert chrome.save_screenshot(str(SCREENSHOTS / name))
    finally:
        chrome.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _submit(chrome: Any, action: str = "register") -> None:
    """Click the register (or "send code") button and wait for the next page."""
    from selenium.webdriver.common.by import By

    old = chrome.find_element(By.TAG_NAME, "html")
    chrome.find_element(By.CSS_SELECTOR, f"button[value={action}]").click()
    wait_replaced(chrome, old)


def _type_code(chrome: Any, server: RunningServer, phone: str) -> None:
    """Press "send code" and type what the phone received."""
    from selenium.webdriver.common.by import By

    _submit(chrome, "send_code")
    code = server.sms.last_code(phone)
    assert code is not None
    chrome.find_element(By.ID, "code").send_keys(code)


def test_self_registration_in_chromium(browser: Any, svc: HqService, server: RunningServer) -> None:
    from selenium.webdriver.common.by import By

    svc.publish_rules(MINISO.read_text(encoding="utf-8"))
    till, token = enrol(svc, "S1")
    cursor = svc.pull(till, selfreg_pull_request()).next_cursor

    # zh-CN from the browser's Accept-Language: a refused submit first, then a good one.
    url = new_link(server, token)["url"]
    browser.get(url)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    consent = browser.find_element(By.ID, "consent")
    assert not consent.is_selected()
    browser.find_element(By.ID, "phone").send_keys("1381234")
    _submit(browser)
    assert "请输入 11 位中国大陆手机号" in browser.find_element(By.ID, "phone-error").text
    assert "请勾选同意" in browser.find_element(By.ID, "consent-error").text
    _screenshot(browser, "self-registration-zh-errors.png")
    browser.get(url)  # refused input left the link usable
    browser.find_element(By.ID, "phone").send_keys("138 1234 5678")
    browser.find_element(By.ID, "name").send_keys("张三")
    browser.execute_script("document.getElementById('birthday').value = '1992-03-14'")
    browser.find_element(By.CSS_SELECTOR, "label[for=consent]").click()  # labels work
    assert browser.find_element(By.ID, "consent").is_selected()
    _type_code(browser, server, "13812345678")
    assert "验证码已发送到 138****5678" in browser.find_element(By.TAG_NAME, "body").text
    assert browser.find_element(By.ID, "consent").is_selected()  # kept across the send
    _screenshot(browser, "self-registration-zh.png")
    _submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "注册成功"
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "138****5678" in body and "购物袋" in body
    member_id = browser.find_element(By.CSS_SELECTOR, "dd.big").text
    _screenshot(browser, "self-registration-zh-done.png")
    changes = svc.pull(till, selfreg_pull_request(cursor)).changes
    assert member_id in {c.key for c in changes if c.kind == "member"}

    # English through the visible switch; a replayed link is refused.
    url = new_link(server, token)["url"]
    browser.get(url)
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.LINK_TEXT, "English").click()
    wait_replaced(browser, old)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    browser.find_element(By.ID, "phone").send_keys("13912345678")
    browser.find_element(By.ID, "consent").click()
    _type_code(browser, server, "13912345678")
    _screenshot(browser, "self-registration-en.png")
    _submit(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "You are registered"
    _screenshot(browser, "self-registration-en-done.png")
    browser.get(url)  # the browser's own language again
    assert "链接已使用" in browser.find_element(By.TAG_NAME, "h1").text
    browser.get(f"{url}?lang=en")
    assert "already been used" in browser.find_element(By.TAG_NAME, "body").text
