"""Phones proven by their owner: one-time SMS codes for self-registration and sign-in.

A code is six random digits, valid :data:`CODE_TTL`, one per (phone, purpose): asking again
replaces it. HQ keeps the phone's salted hash and an HMAC of the code under its own key
(settings ``phone_code_key``), never either in clear. A code is used once; :data:`MAX_ATTEMPTS`
wrong tries void it. Sending is limited per phone (one per ``interval_s``, ``per_phone_hour``
an hour) and per client address (``per_address_hour``) by :class:`SendLimiter`'s token
buckets, in Redis across HQ's worker processes when HQ has one (``hq.edge``). The SMS goes through an :class:`~posloyalty.hq.sms.SmsProvider` after
the code is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from posloyalty.clock import Clock
from posloyalty.hq.db import HqDb
from posloyalty.hq.edge import Limiter, LocalLimiter
from posloyalty.hq.errors import HqError
from posloyalty.hq.members import members_by_phone_index, phone_digest
from posloyalty.hq.models import PhoneCode, Setting
from posloyalty.hq.sms import SmsProvider

__all__ = [
    "CODE_TTL",
    "MAX_ATTEMPTS",
    "LimiterFactory",
    "PhoneCodes",
    "Purpose",
    "SendLimiter",
    "SmsLimits",
    "TooManyCodes",
    "consume_code",
    "local_limiters",
    "store_code",
]

Purpose = Literal["register", "sign_in"]
CODE_TTL = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
CODE_DIGITS = 6
KEY_SETTING = "phone_code_key"


class TooManyCodes(HqError):
    """Too many codes asked for this phone or from this address: wait ``wait_s`` seconds."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"too many codes asked for; wait {int(wait_s) + 1} s")
        self.wait_s = wait_s


@dataclass(frozen=True, slots=True)
class SmsLimits:
    interval_s: float = 60.0
    per_phone_hour: int = 5
    per_address_hour: int = 20


#: Makes a named rate limiter: (name, tokens per second, burst) -> limiter (hq.edge).
LimiterFactory = Callable[[str, float, int], Limiter]


class SendLimiter:
    """Token buckets per phone hash (one send per ``interval_s``, ``per_phone_hour`` an hour)
    and per address (``per_address_hour``), made by ``limiters``: with
    :func:`hq.edge.make_limiter` and Redis they hold across every HQ worker process. Checked in
    that order; a send refused by one bucket is not counted by the buckets after it."""

    def __init__(self, limits: SmsLimits, limiters: LimiterFactory) -> None:
        self.limits = limits
        hour = 3600.0
        self._gap = (
            limiters("sms-phone-gap", 1 / limits.interval_s, 1) if limits.interval_s > 0 else None
        )
        self._phone = limiters("sms-phone", limits.per_phone_hour / hour, limits.per_phone_hour)
        self._address = limiters(
            "sms-address", limits.per_address_hour / hour, limits.per_address_hour
        )

    def take(self, phone_key: str, address: str) -> None:
        """Count one send, or raise :class:`TooManyCodes`."""
        checks = [(self._gap, phone_key)] if self._gap is not None else []
        checks += [(self._phone, phone_key), (self._address, address)]
        for limiter, key in checks:
            wait = limiter.take(key)
            if wait:
                raise TooManyCodes(wait)


def local_limiters(now: Callable[[], float]) -> LimiterFactory:
    """In-process limiters on the clock ``now`` (the embedded default, and tests)."""
    return lambda _name, rate, burst: LocalLimiter(rate, burst, now)


def _key(session: Session) -> bytes:
    row = session.get(Setting, KEY_SETTING)
    if row is None:
        row = Setting(key=KEY_SETTING, value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.value)


def _mac(key: bytes, digest: str, purpose: str, code: str) -> str:
    message = f"posloyalty/phone-code/1\x00{digest}\x00{purpose}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def store_code(
    session: Session, digest: str, purpose: Purpose, at: dt.datetime, ttl: dt.timedelta = CODE_TTL
) -> str:
    """A new code for the phone hash ``digest`` (replacing an earlier one); returns it."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    mac = _mac(_key(session), digest, purpose, code)
    row = session.get(PhoneCode, (digest, purpose))
    if row is None:
        row = PhoneCode(phone_hash=digest, purpose=purpose)
        session.add(row)
    row.code_hash, row.sent_at, row.expires_at, row.attempts = mac, at, at + ttl, 0
    session.flush()
    return code


def consume_code(
    session: Session, digest: str, purpose: Purpose, code: str, at: dt.datetime
) -> bool:
    """True (and the code is used up) when ``code`` is the phone's live code; a wrong code
    counts against the code, which is void after :data:`MAX_ATTEMPTS`."""
    row = session.get(PhoneCode, (digest, purpose))
    if row is None:
        return False
    if row.expires_at <= at or row.attempts >= MAX_ATTEMPTS:
        session.delete(row)
        session.flush()
        return False
    typed = "".join(c for c in code if c.isdigit())[:CODE_DIGITS]
    if hmac.compare_digest(row.code_hash, _mac(_key(session), digest, purpose, typed)):
        session.delete(row)
        session.flush()
        return True
    row.attempts += 1
    session.flush()
    return False


class PhoneCodes:
    """Send and check codes on an HQ database (each in its own transaction)."""

    def __init__(
        self,
        db: HqDb,
        clock: Clock,
        provider: SmsProvider,
        limits: SmsLimits | None = None,
        *,
        limiters: LimiterFactory | None = None,
    ) -> None:
        self.db, self.clock, self.provider = db, clock, provider
        self.limiter = SendLimiter(
            limits or SmsLimits(), limiters or local_limiters(lambda: clock.now().timestamp())
        )

    def send(self, phone: str, purpose: Purpose, address: str) -> None:
        """Send a code to ``phone`` (normalised digits). For ``sign_in`` a phone that is no
        member gets nothing, yet the caller is told the same (and the limits count it)."""

        # The phone is counted by its blind index (keyed): a shared limit store (Redis) never
        # holds a number or a plain hash of one.
        digest = self.db.run(lambda s: phone_digest(s, phone), writer=False)
        self.limiter.take(digest, address)

        def work(session: Session) -> str | None:
            if purpose == "sign_in" and not members_by_phone_index(session, digest):
                return None
            return store_code(session, digest, purpose, self.clock.now())

        code = self.db.run(work)
        if code is not None:
            self.provider.send_code(phone, code)

    def verify(self, phone: str, purpose: Purpose, code: str) -> bool:
        """Whether ``code`` is the live code sent to ``phone`` for ``purpose`` (used up)."""
        at = self.clock.now()
        return self.db.run(lambda s: consume_code(s, phone_digest(s, phone), purpose, code, at))
