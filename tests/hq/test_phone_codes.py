"""Phones proven by their owner: SMS codes, their limits, the Aliyun adapter, member sign-in.

The Aliyun SMS adapter is tested against a local HTTP server standing in for Aliyun (which
cannot be reached from here). The stand-in speaks the protocol as Aliyun documents it for the
SendSms RPC API: it takes the GET query, checks the common parameters (Action=SendSms,
Version=2017-05-25, Format, SignatureMethod=HMAC-SHA1, SignatureVersion=1.0, a fresh
SignatureNonce, an ISO 8601 UTC Timestamp) and the operation's (PhoneNumbers, SignName,
TemplateCode, TemplateParam JSON), recomputes the signature its own way (parameters sorted,
names and values encoded per RFC 3986 unreserved characters, ``GET&%2F&`` + the encoded
canonical query, HMAC-SHA1 keyed with the secret and "&", Base64) and answers as Aliyun does:
``{"Code": "OK", ...}`` or ``SignatureDoesNotMatch``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from hq_server import RunningServer

from posloyalty.clock import FixedClock
from posloyalty.hq.phone_codes import MAX_ATTEMPTS, PhoneCodes, SmsLimits, TooManyCodes
from posloyalty.hq.services import HqService
from posloyalty.hq.sms import AliyunSms, ConsoleSms, SmsError, provider_from_env

KEY_ID, SECRET = "LTAI-test-key", "test-secret/with+odd=chars"
TIMEOUT = 10


class _Aliyun(BaseHTTPRequestHandler):
    """Aliyun's SendSms endpoint as documented (see the module docstring)."""

    secret = SECRET
    seen: list[dict[str, str]] = []  # noqa: RUF012 (one class per server below)
    nonces: set[str] = set()  # noqa: RUF012

    def log_message(self, *_args: Any) -> None:
        pass

    def do_GET(self) -> None:
        raw = urllib.parse.urlsplit(self.path).query
        pairs = [p.split("=", 1) for p in raw.split("&")]
        params = {urllib.parse.unquote(k): urllib.parse.unquote(v) for k, v in pairs}
        self.seen.append(params)
        answer = self._check(params)
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _check(self, params: dict[str, str]) -> dict[str, str]:
        expected = {
            "Action": "SendSms",
            "Version": "2017-05-25",
            "Format": "JSON",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "AccessKeyId": KEY_ID,
        }
        for key, value in expected.items():
            if params.get(key) != value:
                return {"Code": "MissingParameter", "Message": f"{key} wrong"}
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", params.get("Timestamp", "")):
            return {"Code": "InvalidTimeStamp.Format", "Message": "Timestamp"}
        nonce = params.get("SignatureNonce", "")
        if not nonce or nonce in self.nonces:
            return {"Code": "SignatureNonceUsed", "Message": "nonce"}
        self.nonces.add(nonce)
        for key in ("PhoneNumbers", "SignName", "TemplateCode", "TemplateParam"):
            if not params.get(key):
                return {"Code": "MissingParameter", "Message": key}
        json.loads(params["TemplateParam"])

        def enc(text: str) -> str:
            return urllib.parse.quote(text, safe="~")  # "-_." are never quoted by quote()

        canonical = "&".join(
            f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()) if k != "Signature"
        )
        to_sign = "GET&" + enc("/") + "&" + enc(canonical)
        mac = hmac.new(f"{self.secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
        if params.get("Signature") != base64.b64encode(mac).decode():
            return {
                "Code": "SignatureDoesNotMatch",
                "Message": "Specified signature is not matched",
            }
        return {"Code": "OK", "Message": "OK", "BizId": "9006197469364984^0", "RequestId": "x"}


@pytest.fixture
def aliyun() -> Iterator[tuple[str, type[_Aliyun]]]:
    handler = type("Handler", (_Aliyun,), {"seen": [], "nonces": set()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_aliyun_sendsms_is_signed_as_aliyun_documents(
    aliyun: tuple[str, type[_Aliyun]],
) -> None:
    url, handler = aliyun
    clock = FixedClock(dt.datetime(2026, 12, 6, 18, 0, 5, tzinfo=dt.UTC))
    sms = AliyunSms(KEY_ID, SECRET, "名创会员", "SMS_123456", endpoint=url, clock=clock)
    sms.send_code("13812345678", "042917")
    sms.send_code("13812345678", "111111")  # a fresh nonce each time
    first = handler.seen[0]
    assert first["PhoneNumbers"] == "13812345678" and first["SignName"] == "名创会员"
    assert json.loads(first["TemplateParam"]) == {"code": "042917"}
    assert first["Timestamp"] == "2026-12-06T18:00:05Z"
    # A wrong secret is refused by the provider, and the adapter says so.
    wrong = AliyunSms(KEY_ID, "not-the-secret", "名创会员", "SMS_123456", endpoint=url)
    with pytest.raises(SmsError, match="SignatureDoesNotMatch"):
        wrong.send_code("13812345678", "042917")
    # Unreachable: a clear error, not a traceback.
    gone = AliyunSms(KEY_ID, SECRET, "s", "t", endpoint="http://127.0.0.1:9", timeout=2)
    with pytest.raises(SmsError, match="cannot be reached"):
        gone.send_code("13812345678", "1")


def test_aliyun_sends_a_card_link_with_its_own_template(
    aliyun: tuple[str, type[_Aliyun]],
) -> None:
    url, handler = aliyun
    sms = AliyunSms(
        KEY_ID, SECRET, "名创会员", "SMS_123456", endpoint=url, link_template_code="SMS_654321"
    )
    sms.send_link("13812345678", "https://hq.example.cn/m/")
    (sent,) = handler.seen
    assert sent["TemplateCode"] == "SMS_654321"
    assert json.loads(sent["TemplateParam"]) == {"url": "https://hq.example.cn/m/"}
    # Without a link template the adapter refuses before calling Aliyun.
    plain = AliyunSms(KEY_ID, SECRET, "名创会员", "SMS_123456", endpoint=url)
    with pytest.raises(SmsError, match="POSLOYALTY_ALIYUN_SMS_LINK_TEMPLATE"):
        plain.send_link("13812345678", "https://hq.example.cn/m/")
    assert len(handler.seen) == 1


def test_providers_are_chosen_by_settings() -> None:
    assert isinstance(provider_from_env({}), ConsoleSms)
    chosen = provider_from_env(
        {
            "POSLOYALTY_SMS_PROVIDER": "aliyun",
            "POSLOYALTY_ALIYUN_ACCESS_KEY_ID": KEY_ID,
            "POSLOYALTY_ALIYUN_ACCESS_KEY_SECRET": SECRET,
            "POSLOYALTY_ALIYUN_SMS_SIGN_NAME": "s",
            "POSLOYALTY_ALIYUN_SMS_TEMPLATE": "SMS_1",
        }
    )
    assert isinstance(chosen, AliyunSms) and chosen.template_code == "SMS_1"
    assert chosen.link_template_code == ""
    with pytest.raises(ValueError, match="POSLOYALTY_ALIYUN_ACCESS_KEY_SECRET"):
        provider_from_env({"POSLOYALTY_SMS_PROVIDER": "aliyun"})
    with pytest.raises(ValueError, match="console or aliyun"):
        provider_from_env({"POSLOYALTY_SMS_PROVIDER": "carrier-pigeon"})


def codes_for(svc: HqService, clock: FixedClock, **limits: Any) -> tuple[PhoneCodes, ConsoleSms]:
    sms = ConsoleSms(io.StringIO())
    return PhoneCodes(svc.db, clock, sms, SmsLimits(**limits)), sms


def test_a_code_is_used_once_expires_and_dies_after_wrong_tries(
    svc: HqService, clock: FixedClock
) -> None:
    codes, sms = codes_for(svc, clock, interval_s=0)
    phone = "13812345678"
    codes.send(phone, "register", "a")
    code = sms.last_code(phone)
    assert code is not None and re.fullmatch(r"\d{6}", code)
    assert not codes.verify(phone, "sign_in", code)  # another purpose
    assert not codes.verify("13812345679", "register", code)  # another phone
    assert codes.verify(phone, "register", code)
    assert not codes.verify(phone, "register", code)  # used up
    codes.send(phone, "register", "a")
    code = sms.last_code(phone)
    assert code is not None
    clock.advance(minutes=5)
    assert not codes.verify(phone, "register", code)  # expired
    codes.send(phone, "register", "a")
    code = sms.last_code(phone)
    assert code is not None
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(MAX_ATTEMPTS):
        assert not codes.verify(phone, "register", wrong)
    assert not codes.verify(phone, "register", code)  # void after the wrong tries
    with svc.db.transaction() as s:  # neither the phone nor the code is stored in clear
        rows = s.connection().exec_driver_sql("SELECT * FROM phone_codes").all()
        assert phone not in str(rows)


def test_codes_are_limited_per_phone_and_per_address(svc: HqService, clock: FixedClock) -> None:
    codes, sms = codes_for(svc, clock, interval_s=60, per_phone_hour=3, per_address_hour=5)
    codes.send("13800000001", "register", "10.0.0.1")
    with pytest.raises(TooManyCodes) as wait:
        codes.send("13800000001", "register", "10.0.0.2")  # again within a minute
    assert 0 < wait.value.wait_s <= 60
    for _ in range(2):
        clock.advance(seconds=61)
        codes.send("13800000001", "register", "10.0.0.1")
    clock.advance(seconds=61)
    with pytest.raises(TooManyCodes):  # a fourth in the hour
        codes.send("13800000001", "register", "10.0.0.3")
    for n in range(2, 4):  # other phones from the same address, up to its limit
        codes.send(f"1380000000{n}", "register", "10.0.0.1")
    with pytest.raises(TooManyCodes):
        codes.send("13800000009", "register", "10.0.0.1")
    assert len(sms.sent) == 5
    clock.advance(hours=1)
    codes.send("13800000009", "register", "10.0.0.1")


def test_member_sign_in_by_sms_code(svc: HqService, server: RunningServer) -> None:
    member = svc.register_member("S1", "13812345678", "Li", None, True).member_id
    base = f"{server.url}/v1/members"
    for phone in ("13812345678", "13700000000"):  # a member and a stranger: the same answer
        r = requests.post(f"{base}/sign-in/code", json={"phone": phone}, timeout=TIMEOUT)
        assert (r.status_code, r.json()) == (202, {"sent": True})
    assert [p for p, _ in server.sms.sent] == ["13812345678"]  # only the member's phone
    code = server.sms.last_code("13812345678")
    assert code is not None
    r = requests.post(
        f"{base}/sign-in", json={"phone": "13812345678", "code": "000000"}, timeout=TIMEOUT
    )
    assert r.status_code == 401
    r = requests.post(
        f"{base}/sign-in", json={"phone": "138 1234 5678", "code": code}, timeout=TIMEOUT
    )
    assert r.status_code == 200 and r.json()["member_id"] == member
    token = r.json()["token"]
    me = requests.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
    assert me.status_code == 200 and me.json()["member_id"] == member
    # The code is used; a forged or altered token reads nothing.
    again = {"phone": "13812345678", "code": code}
    assert requests.post(f"{base}/sign-in", json=again, timeout=TIMEOUT).status_code == 401
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other = token.replace(member, "0000000000", 1)
    for bad in (forged, other, "x"):
        r = requests.get(f"{base}/me", headers={"Authorization": f"Bearer {bad}"}, timeout=TIMEOUT)
        assert r.status_code == 401
    r = requests.post(f"{base}/sign-in/code", json={"phone": "12"}, timeout=TIMEOUT)
    assert (r.status_code, r.json()) == (202, {"sent": True})
    assert len(server.sms.sent) == 1
