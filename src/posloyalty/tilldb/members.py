"""Members: found by id or phone (through the phone key's hash), and what the counter shows
of one. Balances and ledgers are in :mod:`.repo`; the pulled slice's writes in :mod:`.pulled`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.privacy import phone_hash
from posloyalty.tilldb import phone_key as _phone_key
from posloyalty.tilldb.db import TillConnection
from posloyalty.tilldb.db import raw_connection as _raw
from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.models import Member
from posloyalty.tilldb.types import parse_ts

__all__ = [
    "MemberDisplay",
    "MemberRecord",
    "MemberRow",
    "add_member",
    "ensure_phone_key",
    "hash_phone",
    "member_by_id",
    "member_display",
    "member_row",
    "members_by_phone",
    "members_by_phone_hash",
    "phone_key",
    "set_growth",
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


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """A member as the till holds them (see ``models.Member`` for what each field means)."""

    id: str
    phone_masked: str
    phone_hash: str
    display_name: str
    tier: str
    growth: int
    cached_points: int
    cached_pending: int
    birthday: MonthDay | None
    last_purchase_at: dt.datetime | None
    registered_at: dt.datetime
    hq_version: int
    provisional: bool


def _record(m: Member) -> MemberRecord:
    return MemberRecord(
        m.id,
        m.phone_masked,
        m.phone_hash,
        m.display_name,
        m.tier,
        m.growth,
        m.cached_points,
        m.cached_pending,
        m.birthday,
        m.last_purchase_at,
        m.registered_at,
        m.hq_version,
        m.provisional,
    )


def member_by_id(session: Session, member_id: str) -> MemberRecord | None:
    member = session.get(Member, member_id)
    return _record(member) if member is not None else None


def add_member(session: Session, member: MemberRecord) -> None:
    """Store a new member (registration at the till); an id already taken is refused."""
    if session.get(Member, member.id) is not None:
        raise StoreDataError(f"member id {member.id!r} is already taken")
    session.add(
        Member(
            id=member.id,
            phone_masked=member.phone_masked,
            phone_hash=member.phone_hash,
            display_name=member.display_name,
            tier=member.tier,
            growth=member.growth,
            cached_points=member.cached_points,
            cached_pending=member.cached_pending,
            birthday=member.birthday,
            last_purchase_at=member.last_purchase_at,
            registered_at=member.registered_at,
            hq_version=member.hq_version,
            provisional=member.provisional,
        )
    )
    session.flush()


def members_by_phone(session: Session, phone: str) -> list[MemberRecord]:
    """Members registered with this full number (matched through the salted hash)."""
    return members_by_phone_hash(session, hash_phone(phone_key(session), phone))


def members_by_phone_hash(session: Session, phone_hash: str) -> list[MemberRecord]:
    found = session.scalars(select(Member).where(Member.phone_hash == phone_hash))
    return [_record(m) for m in found]


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


@dataclass(frozen=True, slots=True)
class MemberRow:
    """What a checkout reads of a member, in its write transaction."""

    display_name: str
    phone_masked: str
    tier: str
    growth: int
    birthday: MonthDay | None
    registered_at: dt.datetime
    #: HQ's last stated tier standing (JSON), None before one arrived.
    tier_anchor: str | None = None
    hq_version: int = 0


def member_row(session: Session | TillConnection, member_id: str) -> MemberRow | None:
    """The member's row, or None."""
    # Plain SQL: this runs in every checkout's write transaction, where the ORM's identity
    # map and flushes cost more than the SQLite work.
    row = (
        _raw(session)
        .execute(
            "SELECT display_name, phone_masked, tier, growth, birthday, registered_at,"
            " tier_anchor, hq_version FROM members WHERE id = ?",
            (member_id,),
        )
        .fetchone()
    )
    if row is None:
        return None
    name, phone, tier, growth, birthday, registered, anchor, hq_version = row
    return MemberRow(
        name,
        phone,
        tier,
        int(growth),
        MonthDay.parse(birthday) if birthday else None,
        parse_ts(registered),
        anchor,
        int(hq_version or 0),
    )


def set_growth(session: Session | TillConnection, member_id: str, growth: int, tier: str) -> None:
    """Store the member's cached growth and the tier it gives."""
    _raw(session).execute(
        "UPDATE members SET growth = ?, tier = ? WHERE id = ?", (growth, tier, member_id)
    )
