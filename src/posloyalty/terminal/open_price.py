"""Open-price items: an article the till has no price for (an unknown barcode, a damaged
label), sold at the price the cashier types, approved by a manager's PIN and audited.

The manager's PIN goes through :func:`posloyalty.terminal.staff.check_staff_pin` (counted
towards the lock-out); the line is an open-amount line of the sale (``OPEN``), so it is priced
and earns like any line without member price.
"""

from __future__ import annotations

from posloyalty.domain.money import Fen, format_yuan
from posloyalty.terminal.checkout import State
from posloyalty.terminal.counter import Counter, CounterView
from posloyalty.terminal.errors import CheckoutError, StorageRefused
from posloyalty.terminal.staff import PinRefused, check_staff_pin
from posloyalty.tilldb import repo
from posloyalty.tilldb.errors import StoreError

__all__ = ["MOST_OPEN_PRICE", "add_open_price_item"]

#: The most one open-price item may cost (¥10,000): a typo guard.
MOST_OPEN_PRICE = Fen(1_000_000)


def add_open_price_item(
    counter: Counter, *, amount: Fen, name: str, manager_id: str, manager_pin: str
) -> CounterView:
    """Add an item at ``amount`` to the sale, approved by a manager; refused (nothing added)
    for no amount, an amount above :data:`MOST_OPEN_PRICE`, no name, a sale being paid, or a
    PIN that is not a manager's."""
    name = " ".join(name.split())
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise CheckoutError("type the item's price above 0.00 yuan")
    if amount > MOST_OPEN_PRICE:
        raise CheckoutError(f"an open price above {format_yuan(MOST_OPEN_PRICE)} yuan is refused")
    if not name:
        raise CheckoutError("name the item (or type its barcode)")
    if len(name) > 60:
        raise CheckoutError("the item's name is longer than 60 characters")
    s = counter.session
    if s.state is State.PAYING:
        raise CheckoutError("payment has started: go back to the basket to add an item")
    ctx = counter.ctx
    try:
        manager = check_staff_pin(
            ctx, manager_id, manager_pin, purpose="open_price", role="manager", by=ctx.cashier
        )
    except PinRefused as exc:
        raise exc.refusing("open price") from None
    if s.state in (State.COMMITTED, State.CANCELLED):
        counter.new_sale()
    try:
        with ctx.db.write() as session:
            repo.audit(
                session,
                at=ctx.clock.now(),
                cashier=ctx.cashier,
                action="open_price_item",
                detail={"manager": manager.id, "amount_fen": int(amount), "name": name},
            )
    except StoreError as exc:
        raise StorageRefused(
            f"cannot record the manager's approval: {' '.join(str(exc).split())}"
        ) from None
    counter.session.add_open_amount(amount, name)
    return counter.view()
