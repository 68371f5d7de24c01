"""The pulled slice's repository: HQ's members, products, coupons and entries as the till files
them (what the rows mean is decided in sync/inbound.py; its tests cover that)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from store_helpers import T0, add_member

from posloyalty.domain.monthday import MonthDay
from posloyalty.tilldb import members, pulled
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.products import product_by_sku
from posloyalty.tilldb.pulled import (
    HeldEntry,
    LocalCoupon,
    PulledEntry,
    SliceCoupon,
    SliceMember,
    SliceProduct,
)


def _member(member_id: str, *, seq: int = 5, aliases: tuple[str, ...] = ()) -> SliceMember:
    return SliceMember(
        id=member_id,
        phone_masked="138****5678",
        phone_hash="ab" * 32,
        display_name="L*",
        tier="silver",
        growth=120,
        points_available=40,
        points_pending=3,
        birthday=dt.date(1990, 7, 14),
        last_purchase_at=None,
        registered_at=T0,
        hq_version=seq,
        tier_anchor=None,
        aliases=aliases,
    )


def _entry(entry_id: str, member: str, points: int) -> PulledEntry:
    return PulledEntry(
        id=entry_id,
        member=member,
        kind="earn",
        points=points,
        lot=entry_id,
        at=T0,
        available_at=T0,
        expires_at=None,
        renews_until=None,
        sale_id=None,
        terminal="T9",
        store="S9",
        reason="",
        created_at=T0,
    )


def test_a_member_from_hq_keeps_month_and_day_and_names_the_till_id_it_had(db: Database) -> None:
    add_member(db, "P-T1-1")
    with db.write() as session:
        session.connection().exec_driver_sql("UPDATE members SET provisional = 1")
        local = pulled.upsert_member(session, _member("H1", aliases=("P-T1-1", "P-other")))
    assert local == "P-T1-1"
    with db.read() as session:
        hq = members.member_by_id(session, "H1")
        mine = members.member_by_id(session, "P-T1-1")
    assert hq is not None and mine is not None
    assert (hq.birthday, hq.tier, hq.hq_version, hq.provisional) == (
        MonthDay(7, 14),
        "silver",
        5,
        False,
    )
    assert (mine.tier, mine.hq_version) == ("silver", 5)


def test_a_placeholder_member_goes_only_while_nothing_names_it(db: Database) -> None:
    with db.write() as session:
        pulled.ensure_member(session, "H2", T0)
        pulled.ensure_member(session, "H3", T0)
        pulled.insert_pulled_entries(session, [_entry("E1", "H3", 10)])
        pulled.delete_member_if_unused(session, "H2", placeholder_only=True)
        pulled.delete_member_if_unused(session, "H3", placeholder_only=True)
    with db.read() as session:
        assert members.member_by_id(session, "H2") is None
        assert members.member_by_id(session, "H3") is not None
        assert pulled.held_entries(session, ["E1", "E2"]) == {"E1": HeldEntry("earn", 10, "E1")}


def test_pulled_entries_stay_append_only(db: Database) -> None:
    with db.write() as session:
        pulled.ensure_member(session, "H3", T0)
        pulled.insert_pulled_entries(session, [_entry("E1", "H3", 10)])
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"), db.write() as session:
        pulled.insert_pulled_entries(session, [_entry("E1", "H3", 99)])
    with db.read() as session:
        assert pulled.held_entries(session, ["E1"])["E1"].points == 10


def test_a_barcode_moves_to_the_product_hq_now_gives_it(db: Database) -> None:
    with db.write() as session:
        pulled.upsert_product(
            session, SliceProduct("A", "6901234567892", "Tea", 500, "", False, None)
        )
        pulled.upsert_product(
            session, SliceProduct("B", "6901234567892", "Tea 2", 600, "", True, 550)
        )
    with db.read() as session:
        a = product_by_sku(session, "A")
        b = product_by_sku(session, "B")
        assert a is not None and b is not None
        assert (a.ean, b.ean, b.price_fen, b.member_price_fen) == (None, "6901234567892", 600, 550)


def test_coupons_settings_and_sales_read_back(db: Database) -> None:
    with db.write() as session:
        pulled.ensure_member(session, "H4", T0)
        pulled.upsert_coupon(
            session, SliceCoupon("CPN-1", "H4", "welcome", T0, T0 + dt.timedelta(days=30), None)
        )
        pulled.put_settings(session, {"k1": "v1", "k2": "v2"})
        pulled.delete_settings(session, ["k2"])
    with db.read() as session:
        assert pulled.local_coupon(session, "CPN-1") == LocalCoupon("H4", None)
        assert pulled.local_coupon(session, "CPN-2") is None
        assert pulled.settings(session, ["k1", "k2", "k3"]) == {"k1": "v1"}
        assert not pulled.sale_exists(session, "S-1")
        assert pulled.stored_sales(session, ["S-1"]) == set()
        assert not pulled.is_provisional(session, "H4")
