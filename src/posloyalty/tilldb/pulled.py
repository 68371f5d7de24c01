"""The pulled slice: the rows HQ sends a till (products, rule documents, members, coupons,
card revocations, ledger entries), written as ``sync/inbound.py`` decides.

This module runs the SQL; the decisions (what a change means, which id a member's history is
kept under, what a conflict is) stay with the sync client. Functions take the session of a
``db.write()`` block and never commit; what they take and give back are frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from posloyalty.domain.monthday import MonthDay
from posloyalty.tilldb.confirmation import (
    STORED_PENDING_UNTIL_CONFIRMED,
    StoredConfirmation,
    keep_confirmation,
)
from posloyalty.tilldb.db import raw_connection
from posloyalty.tilldb.types import format_ts, month_day_text

__all__ = [
    "HeldEntry",
    "LocalCoupon",
    "PulledEntry",
    "SliceCoupon",
    "SliceMember",
    "SliceProduct",
    "blank_member",
    "delete_card_revocation",
    "delete_coupon",
    "delete_member_if_unused",
    "delete_member_secret_row",
    "delete_product",
    "delete_rule_document",
    "delete_settings",
    "ensure_member",
    "held_entries",
    "insert_pulled_entries",
    "is_provisional",
    "keep_confirmations",
    "local_coupon",
    "parked_members",
    "put_settings",
    "sale_exists",
    "settings",
    "stored_sales",
    "upsert_coupon",
    "upsert_member",
    "upsert_product",
]

#: Ids per ``IN (...)`` list (well below SQLite's bound-parameter limit).
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class SliceProduct:
    sku: str
    ean: str | None
    name: str
    price_fen: int
    category: str
    special_price: bool
    member_price_fen: int | None


@dataclass(frozen=True, slots=True)
class SliceMember:
    """A member as HQ states it; ``hq_version`` is the change's sequence number."""

    id: str
    phone_masked: str
    phone_hash: str
    display_name: str
    #: '' when HQ names no tier (the till's own tier is kept then).
    tier: str
    growth: int
    points_available: int
    points_pending: int
    birthday: MonthDay | dt.date | None
    last_purchase_at: dt.datetime | None
    registered_at: dt.datetime
    hq_version: int
    #: ``members.tier_anchor`` (JSON), None: keep the one stored.
    tier_anchor: str | None
    #: Ids this till may have given the member before HQ knew it.
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SliceCoupon:
    code: str
    member: str
    template: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    used_sale: str | None


@dataclass(frozen=True, slots=True)
class LocalCoupon:
    """A coupon as this till holds it."""

    member: str
    used_sale: str | None


@dataclass(frozen=True, slots=True)
class HeldEntry:
    """What a ledger entry this till holds says (to compare with HQ's copy)."""

    kind: str
    points: int
    lot: str


@dataclass(frozen=True, slots=True)
class PulledEntry:
    """A ledger entry from HQ as this till files it (``cashier`` is always ``hq``)."""

    id: str
    member: str
    kind: str
    points: int
    lot: str
    at: dt.datetime
    available_at: dt.datetime
    expires_at: dt.datetime | None
    renews_until: dt.datetime | None
    sale_id: str | None
    terminal: str
    store: str
    reason: str
    created_at: dt.datetime


def _ts(value: dt.datetime | None) -> str | None:
    return None if value is None else format_ts(value)


def _marks(n: int) -> str:
    return ", ".join("?" * n)


# --------------------------------------------------------------------------- settings


def settings(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """The stored values of ``keys`` (absent keys are left out)."""
    wanted = list(dict.fromkeys(keys))
    raw = raw_connection(session)
    out: dict[str, str] = {}
    for i in range(0, len(wanted), _CHUNK):
        part = wanted[i : i + _CHUNK]
        out.update(
            (str(k), str(v))
            for k, v in raw.execute(
                f'SELECT "key", value FROM settings WHERE "key" IN ({_marks(len(part))})',
                part,
            )
        )
    return out


def put_settings(session: Session, values: Mapping[str, str]) -> None:
    raw_connection(session).executemany(
        'INSERT INTO settings ("key", value) VALUES (?, ?)'
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        list(values.items()),
    )


def delete_settings(session: Session, keys: Sequence[str]) -> None:
    if keys:
        raw_connection(session).execute(
            f'DELETE FROM settings WHERE "key" IN ({_marks(len(keys))})', tuple(keys)
        )


def keep_confirmations(session: Session, confs: Sequence[StoredConfirmation]) -> None:
    """Keep HQ's (verified) balance confirmations, each unless a later one is kept."""
    raw = raw_connection(session)
    for conf in confs:
        keep_confirmation(raw, conf)


# --------------------------------------------------------------------------- catalogue


def delete_rule_document(session: Session, doc_id: str) -> None:
    """Every revision of the document."""
    raw_connection(session).execute("DELETE FROM rule_documents WHERE id = ?", (doc_id,))


def delete_product(session: Session, sku: str) -> None:
    raw_connection(session).execute("DELETE FROM products WHERE sku = ?", (sku,))


def upsert_product(session: Session, product: SliceProduct) -> None:
    """Insert or replace the product; an EAN another product had moves to this one."""
    raw = raw_connection(session)
    if product.ean is not None:
        raw.execute(
            "UPDATE products SET ean = NULL WHERE ean = ? AND sku <> ?", (product.ean, product.sku)
        )
    raw.execute(
        "INSERT INTO products (sku, ean, name, price_fen, category, special_price,"
        " member_price_fen) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sku) DO UPDATE SET"
        " ean = excluded.ean, name = excluded.name, price_fen = excluded.price_fen,"
        " category = excluded.category, special_price = excluded.special_price,"
        " member_price_fen = excluded.member_price_fen",
        (
            product.sku,
            product.ean,
            product.name,
            product.price_fen,
            product.category,
            product.special_price,
            product.member_price_fen,
        ),
    )


# --------------------------------------------------------------------------- members


def ensure_member(session: Session, member_id: str, at: dt.datetime) -> None:
    """A placeholder row (filled in by the member's own change) for rows that hang off it."""
    raw_connection(session).execute(
        "INSERT INTO members (id, phone_masked, phone_hash, display_name, tier, growth,"
        " cached_points, cached_pending, registered_at, hq_version, provisional)"
        " VALUES (?, '', '', '', '', 0, 0, 0, ?, 0, 0) ON CONFLICT (id) DO NOTHING",
        (member_id, format_ts(at)),
    )


def is_provisional(session: Session, member_id: str) -> bool:
    """Whether this till registered the member and HQ has not confirmed it yet."""
    row = (
        raw_connection(session)
        .execute("SELECT provisional FROM members WHERE id = ?", (member_id,))
        .fetchone()
    )
    return bool(row is not None and row[0])


def upsert_member(session: Session, member: SliceMember) -> str | None:
    """Store HQ's state of the member (its aliases take HQ's version and tier); the id this
    till registered the member under among the aliases, if any (the earliest)."""
    raw = raw_connection(session)
    raw.execute(
        "INSERT INTO members (id, phone_masked, phone_hash, display_name, tier, growth,"
        " cached_points, cached_pending, birthday, last_purchase_at, registered_at, hq_version,"
        " provisional, tier_anchor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)"
        " ON CONFLICT (id) DO UPDATE SET phone_masked = excluded.phone_masked,"
        " phone_hash = excluded.phone_hash, display_name = excluded.display_name,"
        " tier = CASE WHEN excluded.tier <> '' THEN excluded.tier ELSE members.tier END,"
        " tier_anchor = coalesce(excluded.tier_anchor, members.tier_anchor),"
        " growth = excluded.growth, cached_points = excluded.cached_points,"
        " cached_pending = excluded.cached_pending, birthday = excluded.birthday,"
        " last_purchase_at = CASE WHEN members.last_purchase_at IS NULL"
        "   OR excluded.last_purchase_at > members.last_purchase_at"
        "   THEN excluded.last_purchase_at ELSE members.last_purchase_at END,"
        " registered_at = excluded.registered_at, hq_version = excluded.hq_version,"
        " provisional = 0",
        (
            member.id,
            member.phone_masked,
            member.phone_hash,
            member.display_name,
            member.tier,
            member.growth,
            member.points_available,
            member.points_pending,
            month_day_text(member.birthday),  # the till keeps no year of birth
            _ts(member.last_purchase_at),
            format_ts(member.registered_at),
            member.hq_version,
            member.tier_anchor,
        ),
    )
    aliases = member.aliases
    if not aliases:
        return None
    raw.execute(
        "UPDATE members SET hq_version = ?,"
        " tier = CASE WHEN ? <> '' THEN ? ELSE tier END,"
        " tier_anchor = coalesce(?, tier_anchor)"
        f" WHERE id IN ({_marks(len(aliases))})",
        (member.hq_version, member.tier, member.tier, member.tier_anchor, *aliases),
    )
    row = raw.execute(
        "SELECT id FROM members WHERE provisional = 1 AND phone_hash <> ''"
        f" AND id IN ({_marks(len(aliases))}) ORDER BY registered_at, id LIMIT 1",
        aliases,
    ).fetchone()
    return None if row is None else str(row[0])


def delete_member_secret_row(session: Session, member_id: str) -> None:
    raw_connection(session).execute("DELETE FROM member_secrets WHERE member = ?", (member_id,))


def blank_member(session: Session, member_id: str) -> None:
    """Remove the member's personal data from its row (the row itself stays)."""
    raw_connection(session).execute(
        "UPDATE members SET phone_masked = '', phone_hash = '', display_name = '',"
        " birthday = NULL WHERE id = ?",
        (member_id,),
    )


def delete_member_if_unused(
    session: Session, member_id: str, *, placeholder_only: bool = False
) -> None:
    """Delete a member row nothing refers to (with ``placeholder_only``: only if it is still
    the placeholder :func:`ensure_member` made and holds no secret either)."""
    raw = raw_connection(session)
    used = raw.execute(
        "SELECT EXISTS (SELECT 1 FROM sales WHERE member = ?1)"
        " OR EXISTS (SELECT 1 FROM ledger_entries WHERE member = ?1)"
        " OR EXISTS (SELECT 1 FROM member_coupons WHERE member = ?1)"
        " OR EXISTS (SELECT 1 FROM welcome_grants WHERE member = ?1)"
        " OR (?2 AND EXISTS (SELECT 1 FROM member_secrets WHERE member = ?1))",
        (member_id, placeholder_only),
    ).fetchone()[0]
    if not used:
        raw.execute(
            "DELETE FROM members WHERE id = ?1 AND (NOT ?2"
            " OR (phone_hash = '' AND hq_version = 0 AND provisional = 0))",
            (member_id, placeholder_only),
        )


# --------------------------------------------------------------------------- coupons, cards


def local_coupon(session: Session, code: str) -> LocalCoupon | None:
    row = (
        raw_connection(session)
        .execute("SELECT member, used_sale FROM member_coupons WHERE code = ?", (code,))
        .fetchone()
    )
    return None if row is None else LocalCoupon(str(row[0]), row[1])


def upsert_coupon(session: Session, coupon: SliceCoupon) -> None:
    raw_connection(session).execute(
        "INSERT INTO member_coupons (code, member, template, valid_from, valid_until, used_sale)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET member = excluded.member,"
        " template = excluded.template, valid_from = excluded.valid_from,"
        " valid_until = excluded.valid_until, used_sale = excluded.used_sale",
        (
            coupon.code,
            coupon.member,
            coupon.template,
            format_ts(coupon.valid_from),
            format_ts(coupon.valid_until),
            coupon.used_sale,
        ),
    )


def delete_coupon(session: Session, code: str) -> None:
    raw_connection(session).execute("DELETE FROM member_coupons WHERE code = ?", (code,))


def delete_card_revocation(session: Session, digest: str) -> None:
    """Lift HQ's revocation of a card (the till's own revocations stay)."""
    raw_connection(session).execute(
        "DELETE FROM code_revocations WHERE digest = ? AND kind = 'card'", (digest,)
    )


# --------------------------------------------------------------------------- sales, ledger


def sale_exists(session: Session, sale_id: str) -> bool:
    row = (
        raw_connection(session)
        .execute("SELECT EXISTS (SELECT 1 FROM sales WHERE id = ?)", (sale_id,))
        .fetchone()
    )
    return bool(row[0])


def stored_sales(session: Session, sale_ids: Iterable[str]) -> set[str]:
    """Those of ``sale_ids`` this till stores."""
    ids = sorted(set(sale_ids))
    raw = raw_connection(session)
    out: set[str] = set()
    for i in range(0, len(ids), _CHUNK):
        part = ids[i : i + _CHUNK]
        out.update(
            str(r[0])
            for r in raw.execute(f"SELECT id FROM sales WHERE id IN ({_marks(len(part))})", part)
        )
    return out


def held_entries(session: Session, entry_ids: Sequence[str]) -> dict[str, HeldEntry]:
    """The ledger entries of ``entry_ids`` this till holds."""
    raw = raw_connection(session)
    out: dict[str, HeldEntry] = {}
    for i in range(0, len(entry_ids), _CHUNK):
        part = list(entry_ids[i : i + _CHUNK])
        for row in raw.execute(
            f"SELECT id, kind, points, lot FROM ledger_entries WHERE id IN ({_marks(len(part))})",
            part,
        ):
            out[str(row[0])] = HeldEntry(str(row[1]), int(row[2]), str(row[3]))
    return out


_INSERT_ENTRY = (
    "INSERT INTO ledger_entries (id, member, kind, points, lot, at, available_at, expires_at,"
    " renews_until, sale_id, terminal, store, cashier, reason, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'hq', ?, ?)"
)


def insert_pulled_entries(session: Session, entries: Sequence[PulledEntry]) -> None:
    """Append HQ's entries (cashier ``hq``: not part of this till's hash chain)."""
    if not entries:
        return
    raw_connection(session).executemany(
        _INSERT_ENTRY,
        [
            (
                e.id,
                e.member,
                e.kind,
                e.points,
                e.lot,
                format_ts(e.at),
                format_ts(e.available_at),
                _ts(e.expires_at),
                _ts(e.renews_until),
                e.sale_id,
                e.terminal,
                e.store,
                e.reason,
                format_ts(e.created_at),
            )
            for e in entries
        ],
    )


def parked_members(session: Session) -> set[str]:
    """Members with points parked until HQ confirms them."""
    rows = raw_connection(session).execute(
        "SELECT DISTINCT member FROM ledger_entries WHERE available_at = ?",
        (STORED_PENDING_UNTIL_CONFIRMED,),
    )
    return {str(r[0]) for r in rows}
