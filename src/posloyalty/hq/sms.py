"""Sending SMS (one-time codes, and a member's card link): a provider interface, Aliyun SMS,
and a console provider.

:class:`AliyunSms` calls Aliyun's Short Message Service ``SendSms`` (API version
``2017-05-25``) over its RPC interface: an HTTPS GET whose query carries the common parameters
and the operation's, signed as Aliyun documents for RPC APIs (signature version 1.0):

1. every parameter except ``Signature``, sorted by name; names and values percent-encoded as
   UTF-8 with only ``A-Z a-z 0-9 - _ . ~`` left as they are (a space is ``%20``);
2. ``name=value`` pairs joined by ``&``: the canonicalized query string;
3. ``StringToSign = "GET&" + enc("/") + "&" + enc(canonicalized query string)``;
4. ``Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))``, added to the query.

A code goes out with the code template (its parameter ``code``), a card link with the link
template (its parameter ``url``): Aliyun approves each template, links included, beforehand.
The answer is JSON; ``Code`` ``OK`` means accepted. :class:`ConsoleSms` (the demo's) prints the
message and keeps it in memory. :func:`provider_from_env` picks one from settings.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import sys
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TextIO
from urllib.parse import quote

import requests

from posloyalty.clock import Clock, SystemClock
from posloyalty.domain.privacy import mask_phone

__all__ = [
    "AliyunSms",
    "ConsoleSms",
    "SmsError",
    "SmsProvider",
    "aliyun_signature",
    "percent_encode",
    "provider_from_env",
]


class SmsError(RuntimeError):
    """The provider did not accept the message (its words, or why it could not be reached)."""


class SmsProvider(Protocol):
    def send_code(self, phone: str, code: str) -> None:
        """Send ``code`` to ``phone`` (mainland digits); :class:`SmsError` when not accepted."""
        ...

    def send_link(self, phone: str, url: str) -> None:
        """Send the member's card page ``url`` to ``phone``; :class:`SmsError` when not
        accepted."""
        ...


def percent_encode(text: str) -> str:
    """Aliyun's RPC encoding: UTF-8, only ``A-Z a-z 0-9 - _ . ~`` left unencoded."""
    return quote(text, safe="-_.~")


def aliyun_signature(method: str, params: Mapping[str, str], secret: str) -> str:
    """The ``Signature`` of an RPC request with ``params`` (see the module docstring)."""
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass
class AliyunSms:
    """Aliyun SMS ``SendSms``: codes with ``template_code`` (parameter ``code``), card links
    with ``link_template_code`` (parameter ``url``; none configured: links are refused)."""

    access_key_id: str
    access_key_secret: str
    sign_name: str
    template_code: str
    endpoint: str = "https://dysmsapi.aliyuncs.com"
    region: str = "cn-hangzhou"
    timeout: float = 10.0
    clock: Clock | None = None
    http: requests.Session | None = None
    nonce: Callable[[], str] = lambda: str(uuid.uuid4())
    link_template_code: str = ""

    def request_params(
        self, phone: str, code: str, *, template: str | None = None, param: str = "code"
    ) -> dict[str, str]:
        """The signed query of a SendSms request: ``code`` as the template's ``param``
        (default: the code template and its ``code``)."""
        now = (self.clock or SystemClock()).now().astimezone(dt.UTC)
        params = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self.nonce(),
            "SignatureVersion": "1.0",
            "TemplateCode": template or self.template_code,
            "TemplateParam": json.dumps({param: code}, separators=(",", ":")),
            "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature("GET", params, self.access_key_secret)
        return params

    def send_code(self, phone: str, code: str) -> None:
        self._send(self.request_params(phone, code))

    def send_link(self, phone: str, url: str) -> None:
        if not self.link_template_code:
            raise SmsError("no SMS template for card links (POSLOYALTY_ALIYUN_SMS_LINK_TEMPLATE)")
        self._send(self.request_params(phone, url, template=self.link_template_code, param="url"))

    def _send(self, params: dict[str, str]) -> None:
        query = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in params.items())
        http = self.http or requests
        try:
            response = http.get(f"{self.endpoint.rstrip('/')}/?{query}", timeout=self.timeout)
        except requests.RequestException as exc:
            raise SmsError(f"Aliyun SMS cannot be reached ({type(exc).__name__})") from None
        try:
            answer = response.json()
        except ValueError:
            raise SmsError(f"Aliyun SMS answered HTTP {response.status_code}, not JSON") from None
        if not isinstance(answer, dict) or answer.get("Code") != "OK":
            words = answer.get("Message", "") if isinstance(answer, dict) else ""
            code_ = answer.get("Code", "") if isinstance(answer, dict) else ""
            raise SmsError(f"Aliyun SMS refused the message: {code_} {words}".strip())


class ConsoleSms:
    """The demo's provider: prints each message (number masked) and keeps the last codes and
    links."""

    def __init__(self, out: TextIO | None = None) -> None:
        self._out = out
        self._lock = threading.Lock()
        self.sent: list[tuple[str, str]] = []
        self.links: list[tuple[str, str]] = []

    def send_code(self, phone: str, code: str) -> None:
        with self._lock:
            self.sent.append((phone, code))
        print(f"[sms] to {mask_phone(phone)}: code {code}", file=self._out or sys.stderr)

    def send_link(self, phone: str, url: str) -> None:
        with self._lock:
            self.links.append((phone, url))
        print(f"[sms] to {mask_phone(phone)}: your card {url}", file=self._out or sys.stderr)

    def last_code(self, phone: str) -> str | None:
        with self._lock:
            return next((c for p, c in reversed(self.sent) if p == phone), None)


def provider_from_env(environ: Mapping[str, str]) -> SmsProvider:
    """``POSLOYALTY_SMS_PROVIDER``: ``console`` (default) or ``aliyun``, which then needs
    ``POSLOYALTY_ALIYUN_ACCESS_KEY_ID``, ``..._ACCESS_KEY_SECRET``, ``..._SMS_SIGN_NAME`` and
    ``..._SMS_TEMPLATE`` (``POSLOYALTY_ALIYUN_SMS_ENDPOINT`` optional)."""
    kind = environ.get("POSLOYALTY_SMS_PROVIDER", "console").strip().lower()
    if kind == "console":
        return ConsoleSms()
    if kind != "aliyun":
        raise ValueError(f"POSLOYALTY_SMS_PROVIDER must be console or aliyun, not {kind!r}")
    names = (
        "POSLOYALTY_ALIYUN_ACCESS_KEY_ID",
        "POSLOYALTY_ALIYUN_ACCESS_KEY_SECRET",
        "POSLOYALTY_ALIYUN_SMS_SIGN_NAME",
        "POSLOYALTY_ALIYUN_SMS_TEMPLATE",
    )
    missing = [env for env in names if not environ.get(env)]
    if missing:
        raise ValueError(f"Aliyun SMS needs {', '.join(missing)}")
    key_id, secret, sign_name, template = (environ[env] for env in names)
    return AliyunSms(
        key_id,
        secret,
        sign_name,
        template,
        endpoint=environ.get("POSLOYALTY_ALIYUN_SMS_ENDPOINT") or "https://dysmsapi.aliyuncs.com",
        link_template_code=environ.get("POSLOYALTY_ALIYUN_SMS_LINK_TEMPLATE", ""),
    )
