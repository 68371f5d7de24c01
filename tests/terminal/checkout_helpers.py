"""Helpers for the checkout tests: a small terminal database with products, members, staff."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from posloyalty.clock import Clock, FixedClock
from posloyalty.domain import points as pts
from posloyalty.domain.privacy import mask_phone
from posloyalty.domain.rules import RuleSet
from posloyalty.resources import load_preset
from posloyalty.terminal.context import TerminalContext, context_from_store
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.models import Member, MemberCoupon, Product

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: A Tuesday morning in the store (no member day under either preset).
TUESDAY = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
MANAGER_PIN = "4321"

#: sku, ean, name, price fen, category, special price, member price fen
PRODUCTS = (
    ("A1", "6900000000011", "Tote bag", 1000, "home", False, None),
    ("B2", "6900000000028", "Notebook", 2550, "stationery", False, None),
    ("C3", "6900000000035", "Snack box", 3990, "food", False, None),
    ("SP", "6900000000042", "Clearance mug", 800, "home", True, None),
    ("MP", "6900000000059", "Member lamp", 10000, "home", False, 8800),
)


def setup_store(path: Path, clock: Clock) -> Database:
    """A terminal database with the catalog, members M1 (gold) / M2 / M8 / M9, staff c1, m1."""
    db = Database.open(path, clock=clock, create=True)
    now = clock.now()
    with db.write() as session:
        repo.set_setting(session, "store", "S1")
        repo.set_setting(session, "terminal", "T1")
        repo.set_setting(session, "zone", "Asia/Shanghai")
        salt = repo.ensure_phone_key(session)
        for sku, ean, name, price, category, special, member_price in PRODUCTS:
            session.add(
                Product(
                    sku=sku,
                    ean=ean,
                    name=name,
                    price_fen=price,
                    category=category,
                    special_price=special,
                    member_price_fen=member_price,
                )
            )
        for n, (mid, tier) in enumerate(
            (("M1", "gold"), ("M2", "regular"), ("M8", "regular"), ("M9", "regular"))
        ):
            phone = f"1380000000{n}"
            session.add(
                Member(
                    id=mid,
                    phone_masked=mask_phone(phone),
                    phone_hash=repo.hash_phone(salt, phone),
                    display_name=f"Member {mid}",
                    tier=tier,
                    growth=6000 if tier == "gold" else 0,
                    cached_points=0,
                    cached_pending=0,
                    birthday=dt.date(1990, 6, 1),
                    registered_at=now - dt.timedelta(days=400),
                    hq_version=1,
                    provisional=False,
                )
            )
        repo.create_cashier(
            session,
            cashier_id="c1",
            name="Cashier",
            role="cashier",
            pin="1111",
            at=now,
            member_id="M9",
        )
        repo.create_cashier(
            session,
            cashier_id="m1",
            name="Manager",
            role="manager",
            pin=MANAGER_PIN,
            at=now,
            member_id="M8",
        )
    return db


_IDS: dict[int, tuple[Database, Uuid7]] = {}


def make_ctx(
    db: Database, rules: RuleSet | str = "miniso", cashier: str = "c1", **kwargs: Any
) -> TerminalContext:
    ruleset = load_preset(rules) if isinstance(rules, str) else rules
    # One id source per database, as one till process has: entries of the same instant are
    # ordered by id, which only one generator keeps in creation order.
    ids = _IDS.setdefault(id(db), (db, Uuid7(db.clock)))[1]
    ctx = context_from_store(db, cashier, rules=ruleset, ids=ids)
    if kwargs:
        from dataclasses import replace

        ctx = replace(ctx, **kwargs)
    return ctx


def add_coupon(
    db: Database, code: str, member: str, template: str, clock: Clock, *, days: int = 30
) -> None:
    now = clock.now()
    with db.write() as session:
        session.add(
            MemberCoupon(
                code=code,
                member=member,
                template=template,
                valid_from=now - dt.timedelta(days=1),
                valid_until=now + dt.timedelta(days=days),
            )
        )


def counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return repo.table_counts(session)


def snapshot(db: Database) -> dict[str, Any]:
    """Everything stored, as comparable values (row lists per table)."""
    out: dict[str, Any] = {}
    with db.read() as session:
        conn = session.connection()
        for (name,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).all():
            out[name] = conn.exec_driver_sql(f'SELECT * FROM "{name}" ORDER BY 1').all()
    return out


def ledger_consistent(db: Database, at: dt.datetime) -> None:
    """Every member's cached balance is the ledger replayed; totals are the plain sums."""
    with db.read() as session:
        for member in session.query(Member).all():
            entries = repo.ledger_for_member(session, member.id)
            bal = pts.balance(entries, max([at, *(e.at for e in entries)]))
            assert bal.total == repo.ledger_sum(session, member.id)
            assert (member.cached_points, member.cached_pending) == (bal.available, bal.pending), (
                member.id
            )


def fixed(at: dt.datetime = TUESDAY) -> FixedClock:
    return FixedClock(at)
