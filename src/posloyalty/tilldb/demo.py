"""Deterministic demo data: members, products and past sales, fast enough for a million members.

Rows go in with ``executemany`` on the raw connection inside one ``BEGIN IMMEDIATE``
transaction, so a failed run leaves nothing. The same seed and ``until`` give the same data.
A few members have fixed ids and phones for docs and manual testing (:data:`KNOWN_MEMBERS`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.repo import ensure_phone_key, get_setting
from posloyalty.tilldb.types import format_ts

DEFAULT_TIERS = ("regular", "silver", "gold")
#: Lowest growth value of each of DEFAULT_TIERS (MINISO: 0 / 3,000 / 6,000).
DEFAULT_TIER_GROWTH = (0, 3000, 6000)
#: Starting growth of the known demo members, by tier rank from the top (0 = highest), chosen so
#: that the lower ones show a "spend X more for the next tier" line.
_KNOWN_GROWTH_ABOVE_FLOOR = 500

#: (id, phone, display name, tier index from the top: 0 = highest, -1 = lowest)
KNOWN_MEMBERS = (
    ("M000000001", "13800000001", "张伟", 0),
    ("M000000002", "13800000002", "王芳", 1),
    ("M000000003", "13800000003", "李娜", -1),
)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛")
_CATEGORIES = ("food", "drink", "beauty", "home", "toys", "stationery", "digital", "apparel")


@dataclass(frozen=True, slots=True)
class DemoCounts:
    members: int
    products: int
    sales: int
    sale_lines: int
    ledger_entries: int


def member_id(n: int) -> str:
    return f"M{n:09d}"


def member_phone(n: int) -> str:
    """The phone number of generated demo member ``n`` (not the known members)."""
    return f"1{3 + n % 7}{n:09d}"


def product_ean(n: int) -> str:
    """The EAN-13 of demo product ``n`` (1-based)."""
    return _ean13(f"690{n:09d}")


def _ean13(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def _uuid7(ms: int, rng: random.Random) -> str:
    value = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62)
    return str(uuid.UUID(int=value | rng.getrandbits(62)))


def generate_demo(
    db: Database,
    *,
    members: int,
    products: int,
    sales: int,
    seed: int = 1,
    tiers: tuple[str, ...] = DEFAULT_TIERS,
    tier_growth: tuple[int, ...] | None = DEFAULT_TIER_GROWTH,
    growth_per_yuan: int = 10,
    until: dt.datetime | None = None,
    days: int = 365,
) -> DemoCounts:
    """Fill an empty terminal database with demo data (all or nothing).

    Sales are spread over ``days`` before ``until`` (default: the database clock's now); about
    60% carry a member, earn 1 point per yuan (available at once, valid a year) as one ``earn``
    ledger entry, and the members' cached balances equal their ledger sums.

    With ``tier_growth`` (the lowest growth value of each tier, as in a growth-family rule
    document) members start with a growth value inside their tier's band, sales add
    ``growth_per_yuan`` per yuan, and each member's tier is the one their final growth reaches;
    without it tiers are drawn at random and growth counts 1 per yuan.
    """
    if min(members, products, sales) < 0:
        raise StoreDataError("demo counts must not be negative")
    if sales and not products:
        raise StoreDataError("demo sales need at least one product")
    if not tiers:
        raise StoreDataError("demo members need at least one tier")
    if tier_growth is not None and (
        len(tier_growth) != len(tiers) or list(tier_growth) != sorted(set(tier_growth))
    ):
        raise StoreDataError("tier_growth needs one rising growth floor per tier")
    until = until or db.clock.now()
    start = until - dt.timedelta(days=days)
    rng = random.Random(seed)
    with db.write() as session:
        _check_empty(session.connection().connection.driver_connection)
        phone_key = ensure_phone_key(session)
        terminal = get_setting(session, "terminal") or "DEMO-T1"
        store = get_setting(session, "store") or "DEMO-S1"
    with db.raw_write() as conn:
        # A larger page cache for this one bulk transaction: the random phone-hash index
        # otherwise thrashes the default 2 MB cache. Put back before the connection is reused.
        old_cache = int(conn.execute("PRAGMA cache_size").fetchone()[0])
        conn.execute("PRAGMA cache_size = -262144")
        try:
            counts = _fill(
                conn,
                rng,
                members,
                products,
                sales,
                tiers,
                start,
                until,
                phone_key,
                terminal,
                store,
                tier_growth,
                growth_per_yuan if tier_growth is not None else 1,
            )
            if tier_growth is not None:
                _tiers_from_growth(conn, tiers, tier_growth)
            return counts
        finally:
            conn.execute(f"PRAGMA cache_size = {old_cache}")


def _tiers_from_growth(
    conn: sqlite3.Connection, tiers: tuple[str, ...], floors: tuple[int, ...]
) -> None:
    cases = " ".join(f"WHEN growth >= {floor} THEN ?" for floor in reversed(floors[1:]))
    sql = (
        f"UPDATE members SET tier = CASE {cases} ELSE ? END"
        if cases
        else "UPDATE members SET tier = ?"
    )
    conn.execute(sql, (*reversed(tiers[1:]), tiers[0]))


def _start_growth(
    rng: random.Random, index: int, floors: tuple[int, ...] | None, *, known: bool
) -> int:
    """A starting growth value inside the band of tier ``index`` (0 = lowest)."""
    if floors is None:
        return 0
    floor = floors[index]
    if known:
        return floor + _KNOWN_GROWTH_ABOVE_FLOOR
    ceiling = floors[index + 1] if index + 1 < len(floors) else floor + 6000
    return rng.randrange(floor, max(floor + 1, ceiling - 1500))


def _check_empty(conn: Any) -> None:
    for table in ("members", "products", "sales"):
        if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]:
            raise StoreDataError(f"demo data goes into an empty database; {table} has rows")


def _keyed_hash(keyed: hmac.HMAC, phone: str) -> str:
    one = keyed.copy()
    one.update(phone.encode())
    return one.hexdigest()


def _fill(  # noqa: PLR0917
    conn: sqlite3.Connection,
    rng: random.Random,
    members: int,
    products: int,
    sales: int,
    tiers: tuple[str, ...],
    start: dt.datetime,
    until: dt.datetime,
    phone_key: str,
    terminal: str,
    store: str,
    tier_growth: tuple[int, ...] | None,
    growth_per_yuan: int,
) -> DemoCounts:
    created = format_ts(until)
    lines_total = 0
    _check_empty(conn)

    # ---------------------------------------------------------------- products
    prices: list[int] = []
    product_rows = []
    for i in range(1, products + 1):
        price = rng.randrange(100, 50_000)
        special = rng.random() < 0.1
        member_price = price * 9 // 10 if not special and rng.random() < 0.1 else None
        category = _CATEGORIES[i % len(_CATEGORIES)]
        prices.append(price)
        product_rows.append(
            (
                f"SKU{i:06d}",
                product_ean(i),
                f"{category.title()} item {i}",
                price,
                category,
                special,
                member_price,
            )
        )
    conn.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?)", product_rows)
    del product_rows

    # ---------------------------------------------------------------- members
    top = len(tiers) - 1
    # Tier mix: most members in the lowest tier.
    weights = [0.7] + [0.3 / top] * top if top else [1.0]
    tier_choices = rng.choices(range(len(tiers)), weights=weights, k=members)
    # Registrations in the three years before the sales window, formatted cheaply from a
    # table of days (strftime per row costs seconds at a million members).
    reg_base = (start - dt.timedelta(days=3 * 365)).date()
    reg_days = [(reg_base + dt.timedelta(days=d)).isoformat() for d in range(3 * 365)]
    reg_span = 3 * 365 * 86400
    known = {i + 1: k for i, k in enumerate(KNOWN_MEMBERS)}

    def member_rows() -> Iterator[tuple[object, ...]]:
        keyed = hmac.new(phone_key.encode(), digestmod=hashlib.sha256)  # domain.privacy.phone_hash
        for n in range(1, members + 1):
            if n in known:
                _, phone, name, rank = known[n]
                index = max(top - rank, 0) if rank >= 0 else 0
                growth = _start_growth(rng, index, tier_growth, known=True)
            else:
                phone = member_phone(n)
                name = _SURNAMES[n % len(_SURNAMES)] + _GIVEN[n % len(_GIVEN)]
                index = tier_choices[n - 1]
                growth = _start_growth(rng, index, tier_growth, known=False)
            tier = tiers[index]
            birthday = f"{1 + n % 12:02d}-{1 + n % 28:02d}"  # month and day only
            day, sec = divmod(n * 7919 % reg_span, 86400)
            registered = (
                f"{reg_days[day]}T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}.000000Z"
            )
            yield (
                member_id(n),
                phone[:3] + "****" + phone[-4:],
                _keyed_hash(keyed, phone),
                name,
                tier,
                growth,
                0,
                0,
                birthday,
                None,
                registered,
                1,
                False,
                None,
            )

    # Building the phone-hash index once after the load is much faster than a million random
    # inserts into it; its definition is taken from the schema, not repeated here.
    index_sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'ix_members_phone_hash'"
    ).fetchone()
    if index_sql is not None:
        conn.execute("DROP INDEX ix_members_phone_hash")
    conn.executemany(
        "INSERT INTO members VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", member_rows()
    )
    if index_sql is not None:
        conn.execute(index_sql[0])

    # ---------------------------------------------------------------- sales
    start_ms = int(start.timestamp() * 1000)
    span_ms = max(int((until - start).total_seconds() * 1000), 1)
    times = sorted(start_ms + rng.randrange(span_ms) for _ in range(sales))
    sale_rows = []
    line_rows = []
    pay_rows = []
    ledger_rows = []
    points_by_member: dict[str, int] = {}
    growth_by_member: dict[str, int] = {}
    last_by_member: dict[str, str] = {}
    year = dt.timedelta(days=366)  # nothing lapses by `until`: sales span 365 days
    for n, ms in enumerate(times, 1):
        at_dt = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
        at = format_ts(at_dt)
        sale_id = _uuid7(ms, rng)
        member = (
            member_id(rng.randrange(1, members + 1)) if members and rng.random() < 0.6 else None
        )
        total = 0
        for index in range(rng.randrange(1, 6)):
            p = rng.randrange(products)
            qty = rng.randrange(1, 4)
            gross = prices[p] * qty
            total += gross
            points = gross // 100 if member else 0
            line_rows.append(
                (
                    sale_id,
                    index,
                    f"SKU{p + 1:06d}",
                    f"item {p + 1}",
                    qty,
                    prices[p],
                    gross,
                    gross,
                    "{}",
                    points,
                    points,
                )
            )
        lines_total += index + 1
        sale_rows.append(
            (
                sale_id,
                terminal,
                store,
                "demo",
                member,
                at,
                total,
                total,
                "committed",
                None,
                f"DEMO-{n:09d}",
                json.dumps({"demo": True}),
            )
        )
        pay_rows.append((sale_id, 1, "cash" if n % 3 else "card", total, ""))
        if member:
            earned = total // 100
            if earned:
                ledger_rows.append(
                    (
                        _uuid7(ms, rng),
                        member,
                        "earn",
                        earned,
                        sale_id,
                        at,
                        at,
                        format_ts(at_dt + year),
                        sale_id,
                        terminal,
                        store,
                        "demo",
                        "demo sale",
                        created,
                    )
                )
                points_by_member[member] = points_by_member.get(member, 0) + earned
            growth_by_member[member] = (
                growth_by_member.get(member, 0) + total // 100 * growth_per_yuan
            )
            last_by_member[member] = at
    conn.executemany("INSERT INTO sales VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", sale_rows)
    conn.executemany("INSERT INTO sale_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", line_rows)
    conn.executemany(
        "INSERT INTO payments (sale, id, method, amount_fen, reference) VALUES (?, ?, ?, ?, ?)",
        pay_rows,
    )
    conn.executemany(
        "INSERT INTO ledger_entries (id, member, kind, points, lot, at, available_at,"
        " expires_at, sale_id, terminal, store, cashier, reason, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ledger_rows,
    )
    entries_total = len(ledger_rows)
    # Demo points are available at once, so the whole sum is the available balance
    # (every demo entry's available_at is before ``until``).
    conn.executemany(
        "UPDATE members SET cached_points = ?, growth = growth + ?, last_purchase_at = ?"
        " WHERE id = ?",
        (
            (points_by_member.get(m, 0), growth_by_member[m], last_by_member[m], m)
            for m in growth_by_member
        ),
    )
    return DemoCounts(members, products, sales, lines_total, entries_total)
