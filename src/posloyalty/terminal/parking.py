"""Park the sale in progress (挂单) and recall it later (取单), across restarts.

A parked sale keeps its lines (product code and quantity, open amounts with their price), its
member and its coupons; nothing is priced or paid while parked. Recalling builds a new sale
from it at today's prices. The member comes back without the right to spend points (the
dynamic code was for that moment: scan it again to redeem), so a parked basket cannot carry a
spending right across time or cashiers. A coupon used elsewhere meanwhile is left off and
named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from posloyalty.domain.ids import MemberId
from posloyalty.domain.money import Fen
from posloyalty.terminal.checkout import OPEN_AMOUNT_SKU, CheckoutSession, State
from posloyalty.terminal.counter import Counter, CounterView
from posloyalty.terminal.errors import CheckoutError, StorageRefused
from posloyalty.terminal.identified import Identified, IdentifiedBy
from posloyalty.tilldb import parked as store_parked
from posloyalty.tilldb.errors import StoreError

__all__ = ["ParkedSale", "Recalled", "park_sale", "parked_sales", "recall_sale"]


@dataclass(frozen=True, slots=True)
class ParkedSale:
    id: str
    at: dt.datetime
    cashier: str
    items: int
    total: Fen
    member_masked: str


@dataclass(frozen=True, slots=True)
class Recalled:
    view: CounterView
    #: Lines and coupons of the parked sale that could not be taken back (a product no
    #: longer sold, a coupon used or expired meanwhile).
    dropped: tuple[str, ...]


def _store_error(what: str, exc: StoreError) -> StorageRefused:
    return StorageRefused(f"cannot {what}: {' '.join(str(exc).split())}")


def park_sale(counter: Counter) -> tuple[ParkedSale, CounterView]:
    """Put the sale in progress aside and start a new one. Refused when there is nothing to
    park, or once payment has started (go back to the basket first)."""
    s = counter.session
    if s.state in (State.COMMITTED, State.CANCELLED) or not (s.lines or s.member):
        raise CheckoutError("there is no sale to park")
    if s.state is State.PAYING or s.payments:
        raise CheckoutError("payment has started: go back to the basket before parking")
    ctx = counter.ctx
    member = s.member
    basket: dict[str, Any] = {
        "lines": [
            {"sku": ln.sku, "name": ln.name, "qty": ln.qty, "open_fen": int(ln.unit_price)}
            if ln.sku == OPEN_AMOUNT_SKU
            else {"sku": ln.sku, "name": ln.name, "qty": ln.qty}
            for ln in s.lines
        ],
        "member": None
        if member is None
        else {
            "id": member.member_id,
            "by": counter.session_identified_by(),
            "confirmed": member.confirmed,
            "masked": member.phone_masked,
        },
        "coupons": list(s.coupons),
        "total_fen": int(s.quote.total) if s.quote is not None else 0,
    }
    items = sum(ln.qty for ln in s.lines)
    parked_id = ctx.new_id()
    at = ctx.now()
    label = f"{items} × {member.phone_masked if member else '-'}"
    try:
        with ctx.db.write() as session:
            store_parked.park(
                session,
                parked_id=parked_id,
                at=at,
                terminal=ctx.terminal,
                cashier=ctx.cashier,
                label=label,
                basket=basket,
            )
    except StoreError as exc:
        raise _store_error("park the sale", exc) from None
    counter.session = CheckoutSession(ctx)
    info = ParkedSale(
        parked_id,
        at,
        ctx.cashier,
        items,
        Fen(basket["total_fen"]),
        member.phone_masked if member else "",
    )
    return info, counter.view()


def parked_sales(counter: Counter) -> tuple[ParkedSale, ...]:
    """The parked sales of this till, oldest first."""
    try:
        with counter.ctx.db.read() as session:
            rows = store_parked.list_parked(session)
    except StoreError as exc:
        raise _store_error("read the parked sales", exc) from None
    return tuple(_info(r) for r in rows)


def _info(row: store_parked.ParkedRow) -> ParkedSale:
    b = row.basket
    member = b.get("member") or {}
    return ParkedSale(
        row.id,
        row.at,
        row.cashier,
        sum(int(ln["qty"]) for ln in b.get("lines", [])),
        Fen(int(b.get("total_fen", 0))),
        str(member.get("masked", "")),
    )


def recall_sale(counter: Counter, parked_id: str) -> Recalled:
    """Take the parked sale back as the sale in progress. Refused while another sale is in
    progress (park or finish it first) or when it was recalled already. Lines whose product
    is no longer sold here and coupons no longer usable are left off and named; the parked
    row is removed only once the new sale is built."""
    s = counter.session
    if s.state not in (State.COMMITTED, State.CANCELLED) and (s.lines or s.member):
        raise CheckoutError("finish or park the sale in progress before recalling another")
    ctx = counter.ctx
    try:
        with ctx.db.read() as session:
            rows = [r for r in store_parked.list_parked(session) if r.id == parked_id]
    except StoreError as exc:
        raise _store_error("read the parked sales", exc) from None
    if not rows:
        raise CheckoutError("that parked sale was recalled already")
    basket = rows[0].basket
    fresh = CheckoutSession(ctx)
    member = basket.get("member")
    if member:
        by: IdentifiedBy = "provisional" if member["by"] == "provisional" else "manual"
        if member["by"] == "static":
            by = "static"
        fresh.identify(
            Identified(
                MemberId(member["id"]), by, may_redeem=False, confirmed=bool(member["confirmed"])
            )
        )
    dropped: list[str] = []
    for ln in basket["lines"]:
        try:
            if "open_fen" in ln:
                fresh.add_open_amount(Fen(int(ln["open_fen"])), str(ln["name"]))
            else:
                fresh.scan(str(ln["sku"]), int(ln["qty"]))
        except CheckoutError:
            dropped.append(f"{ln['name']} × {ln['qty']}")
    for code in basket.get("coupons", []):
        try:
            fresh.add_coupon(str(code))
        except CheckoutError:
            dropped.append(str(code))
    try:
        with ctx.db.write() as session:
            taken = store_parked.take(session, parked_id, at=ctx.now(), cashier=ctx.cashier)
    except StoreError as exc:
        raise _store_error("recall the sale", exc) from None
    if taken is None:
        raise CheckoutError("that parked sale was recalled already")
    counter.session = fresh
    return Recalled(counter.view(), tuple(dropped))
