"""Members: found by id or phone (through the phone key's hash), and what the counter shows
of one. Balances and ledgers are in :mod:`.repo`; the pulled slice's writes in :mod:`.pulled`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from posloyalty.domain.privacy import phone_hash
from posloyalty.tilldb import phone_key as _phone_key
from posloyalty.tilldb.db import raw_connection as _raw
from posloyalty.tilldb.models import Member

__all__ = [
    "MemberDisplay",
    "ensure_phone_key",
    "hash_phone",
    "member_by_id",
    "member_display",
    "members_by_phone",
    "members_by_phone_hash",
    "phone_key",
    "set_phone_key",
]


def hash_phone(key: str, phone: str) -> str:
    """HMAC-SHA256 (hex) of the normalised full number under the phone key (shared with HQ)."""
    return phone_hash(key, phone)


def phone_key(session: Session) -> str:
    """The till's phone key (kept beside the database, never in it: tilldb.phone_key)."""
    return _phone_key.phone_key(session)


def ensure_phone_key(session: Session) -> str:
    return _phone_key.ensure_phone_key(session)


def set_phone_key(session: Session, key: str) -> None:
    """Adopt the chain-wide key from HQ (enrolment). Refused once members are hashed with
    another key, since their stored hashes would no longer match."""
    count = session.scalar(select(func.count()).select_from(Member)) or 0
    _phone_key.set_phone_key(session, key, members=count)


def member_by_id(session: Session, member_id: str) -> Member | None:
    return session.get(Member, member_id)


def members_by_phone(session: Session, phone: str) -> list[Member]:
    """Members registered with this full number (matched through the salted hash)."""
    return members_by_phone_hash(session, hash_phone(phone_key(session), phone))


def members_by_phone_hash(session: Session, phone_hash: str) -> list[Member]:
    return list(session.scalars(select(Member).where(Member.phone_hash == phone_hash)))


@dataclass(frozen=True, slots=True)
class MemberDisplay:
    """What the counter shows of a member (the phone already masked)."""

    phone_masked: str
    display_name: str
    tier: str
    growth: int
    birthday: str | None
    provisional: bool


def member_display(session: Session, member_id: str) -> MemberDisplay | None:
    # Plain SQL: this runs on every scan, and the ORM costs more than SQLite here.
    row = (
        _raw(session)
        .execute(
            "SELECT phone_masked, display_name, tier, growth, birthday, provisional"
            " FROM members WHERE id = ?",
            (member_id,),
        )
        .fetchone()
    )
    if row is None:
        return None
    phone_masked, display_name, tier, growth, birthday, provisional = row
    return MemberDisplay(
        str(phone_masked), str(display_name), str(tier), int(growth), birthday, bool(provisional)
    )
