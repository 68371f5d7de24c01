"""Staff accounts (``cashiers``): created with a PIN kept as scrypt, checked in constant shape.
Failed attempts and lock-out are in :mod:`.pins`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.models import CASHIER_ROLES, Cashier

__all__ = [
    "PIN_MAX",
    "PIN_MIN",
    "CashierRecord",
    "cashier_by_id",
    "create_cashier",
    "pin_hash",
    "verify_pin",
]


#: Staff PINs: 4 to 12 digits.
PIN_MIN, PIN_MAX = 4, 12
_PIN_RE = re.compile(rf"^[0-9]{{{PIN_MIN},{PIN_MAX}}}$")
# scrypt cost: ~16 MiB and tens of milliseconds per check, enough against offline guessing
# of a short PIN from a stolen database file without slowing the cashier.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


@dataclass(frozen=True, slots=True)
class CashierRecord:
    """A staff account as callers see it: never its PIN's salt or hash."""

    id: str
    name: str
    role: str
    #: The account's own member, if any (no manual adjustments to it).
    member_id: str | None
    created_at: dt.datetime


def _record(c: Cashier) -> CashierRecord:
    return CashierRecord(c.id, c.name, c.role, c.member_id, c.created_at)


def cashier_by_id(session: Session, cashier_id: str) -> CashierRecord | None:
    cashier = session.get(Cashier, cashier_id)
    return _record(cashier) if cashier is not None else None


def pin_hash(pin: str, salt: bytes) -> bytes:
    """The stored form of ``pin`` under ``salt`` (scrypt)."""
    return hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)


def create_cashier(
    session: Session,
    *,
    cashier_id: str,
    name: str,
    role: str,
    pin: str,
    at: dt.datetime,
    member_id: str | None = None,
) -> CashierRecord:
    if not cashier_id.strip():
        raise StoreDataError("cashier id must not be empty")
    if role not in CASHIER_ROLES:
        raise StoreDataError(f"role must be one of {', '.join(CASHIER_ROLES)}; got {role!r}")
    if not _PIN_RE.match(pin):
        raise StoreDataError(f"PIN must be {PIN_MIN} to {PIN_MAX} digits")
    if session.get(Cashier, cashier_id) is not None:
        raise StoreDataError(f"cashier {cashier_id!r} already exists")
    salt = os.urandom(16)
    cashier = Cashier(
        id=cashier_id,
        name=name,
        role=role,
        pin_salt=salt,
        pin_hash=pin_hash(pin, salt),
        member_id=member_id,
        created_at=at,
    )
    session.add(cashier)
    session.flush()
    return _record(cashier)


def verify_pin(session: Session, cashier_id: str, pin: str) -> CashierRecord | None:
    """The cashier if ``pin`` is theirs, else None (unknown id and wrong PIN look the same)."""
    cashier = session.get(Cashier, cashier_id)
    if cashier is None:
        pin_hash(pin, b"0" * 16)  # same cost either way
        return None
    if hmac.compare_digest(pin_hash(pin, cashier.pin_salt), cashier.pin_hash):
        return _record(cashier)
    return None
