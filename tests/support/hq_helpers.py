"""Builders for push items as a terminal sends them."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

from posloyalty.hq.db import HqDb
from posloyalty.hq.models import Member
from posloyalty.hq.pii import Pii, pii_of

_COUNTER = [0]


def uuid7(at: dt.datetime | None = None) -> str:
    ms = int((at or dt.datetime(2026, 11, 26, tzinfo=dt.UTC)).timestamp() * 1000)
    _COUNTER[0] += 1
    rand_a = _COUNTER[0] & 0xFFF
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    return str(uuid.UUID(int=(ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b))


def iso(at: dt.datetime) -> str:
    return at.isoformat()


def registration(
    store: str, terminal: str, provisional: str, phone: str, at: dt.datetime, **extra: Any
) -> dict[str, Any]:
    payload = {
        "store_id": store,
        "terminal_id": terminal,
        "provisional_id": provisional,
        "phone": phone,
        "name": "张三",
        "consent": True,
        "at": iso(at),
    } | extra
    return {"kind": "registration", "id": uuid7(at), "payload": payload}


def sale(
    store: str, terminal: str, member: str | None, total_fen: int, at: dt.datetime, **extra: Any
) -> dict[str, Any]:
    payload = {
        "store_id": store,
        "terminal_id": terminal,
        "member_id": member,
        "at": iso(at),
        "total_fen": total_fen,
        "subtotal_fen": total_fen,
        "lines": [{"sku": "SKU1", "qty": 1, "net_fen": total_fen}],
    } | extra
    return {"kind": "sale", "id": uuid7(at), "payload": payload}


def entry(  # noqa: PLR0917 (mirrors the ledger entry)
    store: str,
    terminal: str,
    member: str,
    kind: str,
    points: int,
    at: dt.datetime,
    lot: str | None = None,
    *,
    sale_id: str | None = None,
    available_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
) -> dict[str, Any]:
    entry_id = uuid7(at)
    payload = {
        "store_id": store,
        "terminal_id": terminal,
        "member_id": member,
        "kind": kind,
        "points": points,
        "at": iso(at),
        "lot": lot or entry_id,
        "available_at": iso(available_at or at),
        "expires_at": iso(expires_at) if expires_at else None,
        "sale_id": sale_id,
    }
    return {"kind": "ledger_entry", "id": entry_id, "payload": payload}


def batch(terminal: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"terminal_id": terminal, "batch_id": uuid7(), "items": items}


def earned(
    store: str, terminal: str, member: str, points: int, at: dt.datetime, **extra: Any
) -> list[dict[str, Any]]:
    """A sale and the earn entry it derives (one point per yuan paid: any published rules
    allow that much): what HQ credits from a till."""
    s = sale(store, terminal, member, points * 100, at)
    return [s, entry(store, terminal, member, "earn", points, at, sale_id=s["id"], **extra)]


def member_pii(db: HqDb, member_id: str) -> Pii:
    """A member's personal data as HQ decrypts it (hq.pii.pii_of, the one reader)."""
    with db.transaction(writer=False) as s:
        member = s.get(Member, member_id)
        assert member is not None, f"no member {member_id}"
        return pii_of(s, member)
