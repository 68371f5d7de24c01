"""Park and recall (挂单/取单): the basket and its member kept aside across a restart, recalled
at today's prices, without the right to spend points; refusals leave everything as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkout_helpers import add_coupon, make_ctx
from sqlalchemy import text

from posloyalty.clock import FixedClock
from posloyalty.domain.ids import MemberId
from posloyalty.domain.money import Fen
from posloyalty.terminal.counter import Counter
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.parking import park_sale, parked_sales, recall_sale
from posloyalty.tilldb.db import Database


def _audits(db: Database) -> list[str]:
    with db.read() as session:
        return [
            a
            for (a,) in session.execute(text("SELECT action FROM audit_log ORDER BY id"))
            if a.startswith("sale_")
        ]


def test_park_survives_a_restart_and_recalls_the_basket_and_member(
    db: Database, db_path: Path, clock: FixedClock
) -> None:
    counter = Counter(make_ctx(db), None)
    counter.session.identify(Identified(MemberId("M1"), "dynamic", may_redeem=True))
    counter.session.scan("A1", 3)
    counter.session.add_open_amount(Fen(250), "gift wrap")
    add_coupon(db, "CPN1", "M1", "birthday_8", clock)
    counter.session.add_coupon("CPN1")
    before = counter.view()
    parked, view = park_sale(counter)
    assert view.rows == () and view.member is None
    assert parked.items == 4 and parked.total == before.total
    db.close()

    again = Database.open(db_path, clock=clock)
    try:
        counter = Counter(make_ctx(again), None)
        (found,) = parked_sales(counter)
        assert found.id == parked.id and found.member_masked
        recalled = recall_sale(counter, found.id)
        v = recalled.view
        assert [(r.line.sku, r.line.qty) for r in v.rows] == [("A1", 3), ("OPEN", 1)]
        assert v.member is not None and v.member.member_id == "M1"
        assert not v.member.may_redeem  # scan the dynamic code again to spend points
        assert v.total == before.total and recalled.dropped == ()
        assert v.coupons == ("CPN1",)
        assert parked_sales(counter) == ()
        counter.cancel("test")
        with pytest.raises(CheckoutError, match="recalled already"):
            recall_sale(counter, found.id)
        assert _audits(again) == ["sale_parked", "sale_recalled"]
    finally:
        again.close()


def test_refusals(db: Database) -> None:
    counter = Counter(make_ctx(db), None)
    with pytest.raises(CheckoutError, match="no sale to park"):
        park_sale(counter)
    counter.session.scan("A1")
    counter.session.begin_payment()
    with pytest.raises(CheckoutError, match="payment has started"):
        park_sale(counter)
    counter.session.back_to_basket()
    parked, _ = park_sale(counter)
    counter.session.scan("C3")
    with pytest.raises(CheckoutError, match="finish or park the sale in progress"):
        recall_sale(counter, parked.id)
    assert [(ln.sku, ln.qty) for ln in counter.session.lines] == [("C3", 1)]
    assert len(parked_sales(counter)) == 1


def test_a_product_no_longer_sold_is_left_off_and_named(db: Database) -> None:
    counter = Counter(make_ctx(db), None)
    counter.session.scan("A1")
    counter.session.scan("C3", 2)
    parked, _ = park_sale(counter)
    with db.write() as session:
        session.execute(text("DELETE FROM products WHERE sku = 'C3'"))
    recalled = recall_sale(counter, parked.id)
    assert [r.line.sku for r in recalled.view.rows] == ["A1"]
    assert len(recalled.dropped) == 1 and recalled.dropped[0].endswith("× 2")
