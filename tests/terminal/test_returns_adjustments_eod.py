"""Returns, manual adjustments, expiry write-offs and the end-of-day report."""

from __future__ import annotations

import datetime as dt

import pytest
from checkout_helpers import MANAGER_PIN, SHANGHAI, TUESDAY, ledger_consistent, make_ctx, snapshot
from hq_signing import confirm_balance
from ledger_grants import grant
from sqlalchemy import text

from posloyalty.clock import FixedClock
from posloyalty.domain.ids import MemberId
from posloyalty.domain.money import Fen, format_yuan
from posloyalty.terminal.adjustments import adjust_points, expire_points
from posloyalty.terminal.checkout import CheckoutSession, Receipt
from posloyalty.terminal.eod import end_of_day
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.returns import find_sale, process_return
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.models import AuditEntry

GOLD = Identified(MemberId("M1"), "dynamic", may_redeem=True)


def _sale(
    db: Database,
    rules: str = "miniso",
    *,
    member: Identified | None = GOLD,
    lines: tuple[tuple[str, int], ...] = (("A1", 3), ("C3", 1)),
    redeem: int = 0,
    card: int = 0,
) -> Receipt:
    s = CheckoutSession(make_ctx(db, rules))
    if member is not None:
        s.identify(member)
    for sku, qty in lines:
        s.scan(sku, qty)
    if redeem:
        s.redeem(redeem)
    s.begin_payment()
    if card:
        s.add_payment("card", Fen(card))
    if s.remaining:
        s.add_payment("cash")
    return s.commit()


# --------------------------------------------------------------------------- returns


def test_partial_returns_never_refund_more_than_was_paid(db: Database, clock: FixedClock) -> None:
    grant(db, "M1", 5000, clock)
    confirm_balance(db, "M1", clock.now())
    sale = _sale(db, lines=(("A1", 3), ("C3", 1)), redeem=1000, card=2000)
    assert sale.total == 3000 + 3990 - 1000
    ctx = make_ctx(db)
    clock.advance(days=2)
    first = process_return(ctx, receipt=sale.receipt_code, lines={0: 1})
    assert not first.full and [(x.index, x.qty) for x in first.lines] == [(0, 1)]
    second = process_return(ctx, sale_id=sale.sale_id, lines={0: 1})
    with pytest.raises(CheckoutError, match="cannot return 2; 1 of 3 left"):
        process_return(ctx, sale_id=sale.sale_id, lines={0: 2})
    rest = process_return(ctx, sale_id=sale.sale_id)  # everything left
    assert [(x.index, x.qty) for x in rest.lines] == [(0, 1), (1, 1)]
    returns = (first, second, rest)
    assert sum(r.refund_total for r in returns) == sale.total
    assert sum(r.points_reversed for r in returns) == sale.points_earned
    assert sum(r.points_refunded for r in returns) == 1000
    refunds_by: dict[str, int] = {}
    for r in returns:
        for m, v in r.refunds.items():
            refunds_by[m] = refunds_by.get(m, 0) + v
    assert refunds_by == {"card": 2000, "cash": sale.total - 2000}
    with pytest.raises(CheckoutError, match="already returned"):
        process_return(ctx, sale_id=sale.sale_id)
    original = find_sale(ctx, sale_id=sale.sale_id)
    assert all(ln.left == 0 for ln in original.lines)
    assert sum(ln.refunded for ln in original.lines) == sale.total
    with db.read() as session:
        assert repo.member_balance(session, "M1", clock.now()).available == 5000
        member = repo.member_by_id(session, "M1")
        assert member is not None and member.growth == 6000
        stored = repo.sale_by_id(session, first.return_id)
        assert stored is not None and stored.original_sale_id == sale.sale_id
        assert stored.total_fen == -first.refund_total
        kinds = [o.kind for o in repo.outbox_pending(session)]
        assert kinds == ["sale", "return", "return", "return"]
    ledger_consistent(db, clock.now())


def test_a_full_return_keeps_validity_and_a_partial_one_renews_it(
    db: Database, clock: FixedClock
) -> None:
    sale = _sale(db, "vancl", lines=(("B2", 2),))
    partial = _sale(db, "vancl", lines=(("B2", 2),))
    ctx = make_ctx(db, "vancl")
    clock.advance(days=40)
    full = process_return(ctx, sale_id=sale.sale_id)
    assert full.full and full.points_reversed == sale.points_earned
    part = process_return(ctx, sale_id=partial.sale_id, lines={0: 1})
    assert not part.full and part.points_reversed == partial.points_earned // 2
    with db.read() as session:
        full_entries = [r.entry for r in repo.ledger_for_sale(session, sale.sale_id)]
        part_entries = [r.entry for r in repo.ledger_for_sale(session, partial.sale_id)]
    reversal = [e for e in full_entries if e.kind == "reverse"]
    assert reversal and all(e.renews_until is None for e in reversal)
    renewals = [e.renews_until for e in part_entries if e.kind == "reverse"]
    # Returned 40 days after the sale (2027-01-03): valid for 12 months from then.
    assert renewals and all(
        r is not None and r.astimezone(SHANGHAI).date() == dt.date(2028, 1, 3) for r in renewals
    )


def test_return_refusals_change_nothing(db: Database, clock: FixedClock) -> None:
    sale = _sale(db, member=None)
    ctx = make_ctx(db)
    ret = process_return(ctx, sale_id=sale.sale_id, lines={1: 1})
    assert ret.member_id is None and ret.points_reversed == 0 and ret.refund_total == 3990
    stored = snapshot(db)
    for kwargs, match in [
        ({"sale_id": "nope"}, "no sale nope"),
        ({"receipt": "nope"}, "no sale nope"),
        ({}, "one of them"),
        ({"sale_id": sale.sale_id, "lines": {7: 1}}, "has no line 7"),
        ({"sale_id": sale.sale_id, "lines": {0: 0}}, "1 or more"),
        ({"sale_id": sale.sale_id, "lines": {1: 1}}, "0 of 1 left"),
        ({"sale_id": ret.return_id}, "is itself a return"),
    ]:
        with pytest.raises(CheckoutError, match=match):
            process_return(ctx, **kwargs)  # type: ignore[arg-type]  # each case's own keywords
    assert snapshot(db) == stored


def test_a_return_after_the_points_were_spent_leaves_debt(db: Database, clock: FixedClock) -> None:
    sale = _sale(db, lines=(("MP", 2),))  # earns 176 points
    confirm_balance(db, "M1", clock.now())
    clock.advance(minutes=1)
    confirm_balance(db, "M1", clock.now())
    spend = _sale(db, lines=(("MP", 1),), redeem=176)
    assert spend.points_redeemed == 176
    ret = process_return(make_ctx(db), sale_id=sale.sale_id)
    assert ret.points_reversed == 176 and ret.balance_available == -176 + spend.points_earned
    ledger_consistent(db, clock.now())


# --------------------------------------------------------------------------- adjustments


def test_adjustment_needs_a_manager_pin_and_a_reason(db: Database, clock: FixedClock) -> None:
    ctx = make_ctx(db)
    stored = snapshot(db)
    bad = [
        ({"manager_id": "m1", "manager_pin": "0000"}, "wrong manager id or PIN"),
        ({"manager_id": "c1", "manager_pin": "1111"}, "not a manager"),
        ({"manager_id": "zz", "manager_pin": "1111"}, "wrong manager id or PIN"),
    ]
    for creds, match in bad:
        with pytest.raises(CheckoutError, match=match):
            adjust_points(ctx, member_id="M1", points=100, reason="goodwill", **creds)
    after = snapshot(db)
    # each refusal is audited (and its audit row chained), wrong PINs counted
    counted = ("audit_log", "chain", "pin_attempts")
    assert {k: v for k, v in after.items() if k not in counted} == {
        k: v for k, v in stored.items() if k not in counted
    }
    with db.read() as session:
        actions = [a.action for a in session.query(AuditEntry).all()]
    assert actions == [
        *("pin_failed", "adjust_points_refused"),
        "adjust_points_refused",
        *("pin_failed", "adjust_points_refused"),
    ]
    with db.write() as session:  # m1's wrong PIN is reset by its right one below
        session.execute(text("DELETE FROM pin_attempts"))
    stored = snapshot(db)
    for kwargs, match in [
        ({"member_id": "M1", "points": 100, "reason": " "}, "needs a reason"),
        ({"member_id": "M1", "points": 0, "reason": "x"}, "non-zero"),
        ({"member_id": "M9", "points": 100, "reason": "x"}, "their own member account"),
        ({"member_id": "M8", "points": 100, "reason": "x"}, "their own member account"),
        ({"member_id": "XX", "points": 100, "reason": "x"}, "not in this terminal"),
        ({"member_id": "M1", "points": -1, "reason": "x"}, "cannot deduct 1 points: 0 available"),
    ]:
        with pytest.raises(CheckoutError, match=match):
            adjust_points(ctx, manager_id="m1", manager_pin=MANAGER_PIN, **kwargs)  # type: ignore[arg-type]  # each case's own keywords
    assert snapshot(db) == stored


def test_adjustments_are_written_audited_and_queued(db: Database, clock: FixedClock) -> None:
    ctx = make_ctx(db)
    up = adjust_points(
        ctx,
        member_id="M1",
        points=500,
        reason="lost receipt",
        manager_id="m1",
        manager_pin=MANAGER_PIN,
    )
    assert up.balance_available == 500
    clock.advance(minutes=1)
    down = adjust_points(
        ctx,
        member_id="M1",
        points=-200,
        reason="double grant",
        manager_id="m1",
        manager_pin=MANAGER_PIN,
    )
    assert down.balance_available == 300
    with db.read() as session:
        audit = [
            (a.action, a.detail["points"], a.detail["approved_by"])
            for a in session.query(AuditEntry).order_by(AuditEntry.id)
        ]
        assert audit == [("adjust_points", 500, "m1"), ("adjust_points", -200, "m1")]
        assert [o.kind for o in repo.outbox_pending(session)] == ["adjustment", "adjustment"]
        entries = repo.ledger_for_member(session, "M1")
        assert [(e.kind, e.points, e.reason) for e in entries] == [
            ("adjust", 500, "lost receipt"),
            ("adjust", -200, "double grant"),
        ]
    ledger_consistent(db, clock.now())


# --------------------------------------------------------------------------- expiry


def test_expired_lots_are_written_off_once(db: Database, clock: FixedClock) -> None:
    sale = _sale(db)  # miniso: per-lot, 12 months
    ctx = make_ctx(db)
    clock.advance(days=200)
    assert expire_points(ctx).points == 0
    clock.advance(days=200)
    result = expire_points(ctx)
    assert (result.members, result.points) == (1, sale.points_earned)
    assert expire_points(ctx).points == 0
    with db.read() as session:
        assert repo.ledger_sum(session, "M1") == 0
        assert repo.outbox_pending_count(session) == 2
    ledger_consistent(db, clock.now())


# --------------------------------------------------------------------------- end of day


def test_end_of_day_report(db: Database, clock: FixedClock) -> None:
    grant(db, "M1", 5000, clock)
    confirm_balance(db, "M1", clock.now())
    a = _sale(db, redeem=1000, card=1000)
    b = _sale(db, member=None, lines=(("SP", 1),))
    c = _sale(db, lines=(("MP", 1),))
    ret = process_return(make_ctx(db), sale_id=b.sale_id)
    adjust_points(
        make_ctx(db),
        member_id="M1",
        points=-50,
        reason="fix",
        manager_id="m1",
        manager_pin=MANAGER_PIN,
    )
    clock.advance(days=1)
    _sale(db, member=None)  # the next day: not counted
    report = end_of_day(db, TUESDAY.date(), SHANGHAI)
    assert report.sales_count == 3 and report.returns_count == 1
    assert report.sales_total == a.total + b.total + c.total
    assert report.sales_gross == a.subtotal + b.subtotal + c.subtotal
    assert report.refunds_total == ret.refund_total == 800
    # Points paid are a discount, not a tender: the tenders add up to the sales.
    assert report.discounts_by_kind == {"member_price": 1200, "points": 1000}
    assert report.payments_by_method == {
        "card": 1000,
        "cash": a.total - 1000 + b.total + c.total,
    }
    assert sum(report.payments_by_method.values()) == report.sales_total
    assert sum(t.net for t in report.tenders) == report.net_total
    assert report.refunds_by_method == {"cash": 800}
    assert report.points_issued == 5000 + a.points_earned + c.points_earned  # grant + sales
    assert (report.points_redeemed, report.points_deducted) == (1000, 50)
    assert report.points_expired == report.points_reversed == 0
    assert report.pending_outbox == 6 and report.members_served == 1
    data = report.to_json()
    assert data["net_total"] == format_yuan(report.sales_total - 800)
    assert data["points"]["redeemed"] == 1000
    assert end_of_day(db, dt.date(2026, 11, 25), SHANGHAI).sales_count == 1
    assert end_of_day(db, dt.date(2026, 11, 23), SHANGHAI).sales_count == 0


def test_end_of_day_counts_new_members_by_local_day(db: Database, clock: FixedClock) -> None:
    report = end_of_day(db, (TUESDAY - dt.timedelta(days=400)).date(), SHANGHAI)
    assert report.new_members == 4
