"""Phones proven by their owner: one-time SMS codes for self-registration and sign-in.

A code is six random digits, valid :data:`CODE_TTL`, one per (phone, purpose): asking again
replaces it. HQ keeps the phone's salted hash and an HMAC of the code under its own key
(settings ``phone_code_key``), never either in clear. A code is used once; :data:`MAX_ATTEMPTS`
wrong tries void it. Sending is limited per phone (one per ``interval_s``, ``per_phone_hour``
an hour) and per client address (``per_address_hour``), in this process
(:class:`SendLimiter`). The SMS goes through an :class:`~posloyalty.hq.sms.SmsProvider` after
the code is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from posloyalty.clock import Clock
from posloyalty.hq.db import HqDb
from posloyalty.hq.errors import HqError
from posloyalty.hq.members import members_by_phone_index, phone_digest
from posloyalty.hq.models import PhoneCode, Setting
from posloyalty.hq.sms import SmsProvider

__all__ = [
    "CODE_TTL",
    "MAX_ATTEMPTS",
    "PhoneCodes",
    "Purpose",
    "SendLimiter",
    "SmsLimits",
    "TooManyCodes",
    "consume_code",
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


class SendLimiter:
    """Sliding one-hour windows per phone hash and per address, plus the per-phone interval."""

    def __init__(self, limits: SmsLimits, now: Callable[[], float]) -> None:
        self.limits, self._now = limits, now
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, phone_key: str, address: str) -> None:
        """Count one send, or raise :class:`TooManyCodes` (nothing counted)."""
        with self._lock:
            now = self._now()
            phone = self._window(f"p:{phone_key}", now)
            addr = self._window(f"a:{address}", now)
            waits = []
            if phone and now - phone[-1] < self.limits.interval_s:
                waits.append(self.limits.interval_s - (now - phone[-1]))
            if len(phone) >= self.limits.per_phone_hour:
                waits.append(phone[0] + 3600 - now)
            if len(addr) >= self.limits.per_address_hour:
                waits.append(addr[0] + 3600 - now)
            if waits:
                raise TooManyCodes(max(waits))
            phone.append(now)
            addr.append(now)

    def _window(self, key: str, now: float) -> deque[float]:
        times = self._sent.setdefault(key, deque())
        while times and times[0] <= now - 3600:
            times.popleft()
        return times


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
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self.db, self.clock, self.provider = db, clock, provider
        self.limiter = SendLimiter(
            limits or SmsLimits(), monotonic or (lambda: clock.now().timestamp())
        )

    def send(self, phone: str, purpose: Purpose, address: str) -> None:
        """Send a code to ``phone`` (normalised digits). For ``sign_in`` a phone that is no
        member gets nothing, yet the caller is told the same (and the limits count it)."""

        self.limiter.take(hashlib.sha256(phone.encode()).hexdigest(), address)

        def work(session: Session) -> str | None:
            digest = phone_digest(session, phone)
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
