"""The cash drawer at the till: float, cash in and out, the blind count, audited, and the
end-of-day report with expected against counted (cash refunds taken off the cash)."""

from __future__ import annotations

import pytest
from checkout_helpers import SHANGHAI, TUESDAY, make_ctx
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from posloyalty.clock import FixedClock
from posloyalty.domain.money import Fen
from posloyalty.terminal import drawer
from posloyalty.terminal.checkout import CheckoutSession, Receipt
from posloyalty.terminal.eod import end_of_day
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.returns import process_return
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.models import AuditEntry


def _cash_sale(db: Database, card: int = 0) -> Receipt:
    s = CheckoutSession(make_ctx(db))
    s.scan("A1", 2)
    s.begin_payment()
    if card:
        s.add_payment("card", Fen(card))
    s.add_payment("cash", tendered=Fen(s.remaining + 5000))  # change is not drawer cash
    return s.commit()


def test_a_day_at_the_drawer(db: Database, clock: FixedClock) -> None:
    ctx = make_ctx(db)
    assert not drawer.drawer_state(ctx).opened
    drawer.open_float(ctx, Fen(50_000))
    with pytest.raises(CheckoutError, match="already has today's opening float"):
        drawer.open_float(ctx, Fen(10_000))
    drawer.cash_in(ctx, Fen(5_000), "change from the bank")
    sale = _cash_sale(db)
    mixed = _cash_sale(db, card=500)
    refund = process_return(ctx, sale_id=sale.sale_id, lines={0: 1})
    assert refund.refunds == {"cash": refund.refund_total}
    drawer.cash_out(ctx, Fen(20_000), "bank drop")
    cash_taken = sale.total + mixed.total - 500
    expected = 50_000 + 5_000 - 20_000 + cash_taken - refund.refund_total
    state = drawer.blind_count(ctx, Fen(expected - 100))
    d = state.summary
    assert (d.expected, d.counted, d.difference) == (expected, expected - 100, -100)

    report = end_of_day(db, TUESDAY.date(), SHANGHAI)
    assert report.drawer == d
    cash = {t.method: t for t in report.tenders}["cash"]
    assert (cash.sales, cash.refunds) == (cash_taken, refund.refund_total)
    assert sum(t.net for t in report.tenders) == report.net_total
    data = report.to_json()
    assert data["drawer"]["difference"] == "-1.00"
    assert data["tenders"]["card"] == {"sales": "5.00", "refunds": "0.00", "net": "5.00"}

    with db.read() as session:
        actions = [a for (a,) in session.execute(text("SELECT action FROM audit_log ORDER BY id"))]
    assert [a for a in actions if a.startswith("drawer_")] == [
        "drawer_float",
        "drawer_cash_in",
        "drawer_cash_out",
        "drawer_count",
    ]
    with db.read() as session:
        row = session.query(AuditEntry).filter(AuditEntry.action == "drawer_cash_out").one()
        assert row.detail["reason"] == "bank drop" and row.detail["amount_fen"] == 20_000


def test_refused_movements_store_nothing(db: Database) -> None:
    ctx = make_ctx(db)
    with pytest.raises(CheckoutError, match="give a reason"):
        drawer.cash_in(ctx, Fen(100), "  ")
    with pytest.raises(CheckoutError, match="cannot take out more"):
        drawer.cash_out(ctx, Fen(100), "bank drop")  # the drawer holds nothing
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM drawer_movements")).scalar_one() == 0


def test_movements_are_append_only(db: Database) -> None:
    ctx = make_ctx(db)
    drawer.open_float(ctx, Fen(10_000))
    with pytest.raises(sa_exc.IntegrityError, match="append-only"), db.write() as session:
        session.execute(text("UPDATE drawer_movements SET amount_fen = 0"))
    with pytest.raises(sa_exc.IntegrityError, match="append-only"), db.write() as session:
        session.execute(text("DELETE FROM drawer_movements"))
    assert drawer.drawer_state(ctx).summary.opening_float == 10_000


def test_the_next_day_starts_a_new_drawer(db: Database, clock: FixedClock) -> None:
    ctx = make_ctx(db)
    drawer.open_float(ctx, Fen(10_000))
    clock.advance(days=1)
    assert not drawer.drawer_state(ctx).opened
    drawer.open_float(ctx, Fen(20_000))
    assert drawer.drawer_state(ctx).summary.opening_float == 20_000
