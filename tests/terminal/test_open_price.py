"""Open-price items: sold at the price typed only with a manager's PIN, audited; refusals add
nothing."""

from __future__ import annotations

import pytest
from checkout_helpers import MANAGER_PIN, make_ctx
from sqlalchemy import text

from posloyalty.domain.money import Fen
from posloyalty.terminal.counter import Counter
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.open_price import add_open_price_item
from posloyalty.terminal.staff import PinRefused
from posloyalty.tilldb.db import Database


def test_an_open_price_item_needs_a_manager(db: Database) -> None:
    counter = Counter(make_ctx(db), None)
    counter.session.scan("A1")
    with pytest.raises(PinRefused, match="open price refused: wrong manager id or PIN"):
        add_open_price_item(
            counter, amount=Fen(1250), name="6901234567892", manager_id="m1", manager_pin="0"
        )
    with pytest.raises(PinRefused, match="not a manager"):
        add_open_price_item(
            counter, amount=Fen(1250), name="scarf", manager_id="c1", manager_pin="1111"
        )
    for amount, name, words in (
        (0, "scarf", "above 0.00"),
        (1_000_001, "scarf", "above 10000.00 yuan is refused"),
        (100, "  ", "name the item"),
    ):
        with pytest.raises(CheckoutError, match=words):
            add_open_price_item(
                counter, amount=Fen(amount), name=name, manager_id="m1", manager_pin=MANAGER_PIN
            )
    assert len(counter.session.lines) == 1
    view = add_open_price_item(
        counter, amount=Fen(1250), name="scarf", manager_id="m1", manager_pin=MANAGER_PIN
    )
    assert [(r.line.sku, r.line.name, r.line.unit_price) for r in view.rows][-1] == (
        "OPEN",
        "scarf",
        1250,
    )
    with db.read() as session:
        (detail,) = session.execute(
            text("SELECT detail FROM audit_log WHERE action = 'open_price_item'")
        ).one()
    assert '"manager":"m1"' in detail.replace(" ", "")
