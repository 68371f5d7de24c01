"""Refunds at the till: a preview of what will be refunded, the tender the cashier chooses
within the rule, and a manager's PIN above the configured amount (counted towards lock-out)."""

from __future__ import annotations

import pytest
from checkout_helpers import MANAGER_PIN, make_ctx
from sqlalchemy import text

from posloyalty.domain.money import Fen
from posloyalty.terminal.checkout import CheckoutSession, Receipt
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.returns import (
    REFUND_MANAGER_ABOVE_KEY,
    preview_return,
    process_return,
)
from posloyalty.terminal.staff import PinRefused
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database


def _sale(db: Database, *, card: int = 0, qty: int = 2, all_card: bool = False) -> Receipt:
    s = CheckoutSession(make_ctx(db))
    s.scan("A1", qty)
    s.begin_payment()
    if card or all_card:
        s.add_payment("card", Fen(card) if card else None)
    if s.remaining:
        s.add_payment("cash")
    return s.commit()


def _limit(db: Database, value: str) -> None:
    with db.write() as session:
        repo.set_setting(session, REFUND_MANAGER_ABOVE_KEY, value)


def _returns(db: Database) -> int:
    with db.read() as session:
        return int(
            session.execute(
                text("SELECT count(*) FROM sales WHERE original_sale_id IS NOT NULL")
            ).scalar_one()
        )


def test_the_preview_is_what_the_return_refunds(db: Database) -> None:
    sale = _sale(db, card=1000)
    ctx = make_ctx(db)
    before = _returns(db)
    preview = preview_return(ctx, sale_id=sale.sale_id, lines={0: 1})
    assert _returns(db) == before  # nothing stored
    assert preview.tenders_left == {"card": 1000, "cash": sale.total - 1000}
    done = process_return(ctx, sale_id=sale.sale_id, lines={0: 1})
    assert done.refund_total == preview.refund_total
    assert dict(done.refunds) == dict(preview.refunds)
    assert [(x.index, x.qty, x.refund) for x in done.lines] == [
        (x.index, x.qty, x.refund) for x in preview.lines
    ]
    assert (done.points_reversed, done.points_refunded) == (
        preview.points_reversed,
        preview.points_refunded,
    )


def test_the_cashier_chooses_the_tender_within_the_rule(db: Database) -> None:
    sale = _sale(db, card=1000)
    ctx = make_ctx(db)
    half = preview_return(ctx, sale_id=sale.sale_id, lines={0: 1})
    by_card = process_return(ctx, sale_id=sale.sale_id, lines={0: 1}, tender="card")
    card_part = min(1000, half.refund_total)
    expected = {"card": card_part, "cash": half.refund_total - card_part}
    assert dict(by_card.refunds) == {m: v for m, v in expected.items() if v}
    with pytest.raises(CheckoutError, match="not paid by wechat"):
        process_return(ctx, sale_id=sale.sale_id, lines={0: 1}, tender="wechat")
    card_only = _sale(db, all_card=True)
    with pytest.raises(CheckoutError, match="not paid by cash"):
        process_return(ctx, sale_id=card_only.sale_id, tender="cash")


def test_a_refund_above_the_limit_needs_a_manager(db: Database) -> None:
    _limit(db, "500")
    sale = _sale(db)
    ctx = make_ctx(db)
    preview = preview_return(ctx, sale_id=sale.sale_id)
    assert preview.needs_manager and preview.manager_above == 500
    with pytest.raises(CheckoutError, match=r"above ¥5.00 needs a manager"):
        process_return(ctx, sale_id=sale.sale_id)
    with pytest.raises(PinRefused, match="refund refused: wrong manager id or PIN"):
        process_return(ctx, sale_id=sale.sale_id, manager_id="m1", manager_pin="0000")
    with pytest.raises(PinRefused, match="not a manager"):
        process_return(ctx, sale_id=sale.sale_id, manager_id="c1", manager_pin="1111")
    assert _returns(db) == 0
    done = process_return(ctx, sale_id=sale.sale_id, manager_id="m1", manager_pin=MANAGER_PIN)
    assert done.refund_total == sale.total
    with db.read() as session:
        (detail,) = session.execute(
            text("SELECT detail FROM audit_log WHERE action = 'return'")
        ).one()
        failures = session.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'pin_failed'")
        ).scalar_one()
    assert '"manager":"m1"' in detail.replace(" ", "")
    assert failures == 1


def test_small_refunds_and_no_limit_need_no_manager(db: Database) -> None:
    sale = _sale(db, qty=1)
    ctx = make_ctx(db)
    assert not preview_return(ctx, sale_id=sale.sale_id).needs_manager  # default ¥200
    _limit(db, "none")
    big = _sale(db, qty=90)
    assert big.total > 20_000
    assert not preview_return(ctx, sale_id=big.sale_id).needs_manager
    _limit(db, "lots")
    with pytest.raises(CheckoutError, match="must be fen or 'none'"):
        preview_return(ctx, sale_id=big.sale_id)
