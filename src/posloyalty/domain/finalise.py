"""Finalising a checkout or a return: what a priced basket (or a chosen return) stores.

:func:`finalise` turns a sale's quote, tenders and member (their ledger as read in the
writing transaction) into a :class:`FinalisedSale`: the sale's row values, lines, payments,
ledger entries (points redeemed by lot, points earned), coupon uses, the points that paid
for each line, the member's balance after the sale and the receipt's values.
:func:`finalise_return` does the same for a return against an original sale
(:class:`ReturnFacts`): refunded lines, refunds by tender, the entries that take points back.
Both are pure: ids come from the caller's ``new_id``, times from the inputs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from posloyalty.domain import points as pts
from posloyalty.domain.basket_codec import basket_to_json, quote_to_json
from posloyalty.domain.ids import (
    CashierId,
    CouponCode,
    EntryId,
    LotId,
    MemberId,
    SaleId,
    StoreId,
    TerminalId,
)
from posloyalty.domain.money import Fen, allocate, format_yuan
from posloyalty.domain.points import Balance, LedgerEntry
from posloyalty.domain.pricing import Basket, Quote
from posloyalty.domain.refunds import returned_share, split_refund, tenders_left
from posloyalty.domain.rules import RuleSet

__all__ = [
    "FinalisedReturn",
    "FinalisedSale",
    "RefundedLine",
    "ReturnFacts",
    "ReturnRequest",
    "SaleContext",
    "SaleLine",
    "SaleMember",
    "SalePayment",
    "SoldLine",
    "balance_after",
    "finalise",
    "finalise_return",
]

NewId = Callable[[], str]


@dataclass(frozen=True, slots=True)
class SalePayment:
    method: str
    #: Applied to the sale (negative for a refund).
    amount: Fen
    #: Cash handed over (the change is ``tendered - amount``); the amount for other tenders.
    tendered: Fen
    reference: str = ""


@dataclass(frozen=True, slots=True)
class SaleMember:
    """The member of a sale as read in the writing transaction."""

    member_id: MemberId
    #: HQ confirmed them (else earned points stay pending until it does).
    confirmed: bool
    #: Their row is in this till's slice (else a placeholder row is written with the sale).
    stored: bool
    #: Their whole ledger, oldest first (empty when not stored).
    entries: tuple[LedgerEntry, ...] = ()
    #: The member code shown at the counter (HQ's proof of presence), "" for none.
    code: str = ""


@dataclass(frozen=True, slots=True)
class SaleContext:
    """Who sells, when, under which number: the facts of a sale that are not its basket."""

    sale_id: SaleId
    at: dt.datetime
    terminal: TerminalId
    store: StoreId
    cashier: CashierId
    receipt_code: str
    #: ``available_at`` of points earned by a member HQ has not confirmed yet (sales only).
    pending_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class SaleLine:
    """A stored sale line (negative quantities and amounts for a return)."""

    index: int
    sku: str
    name: str
    qty: int
    unit_price: Fen
    gross: Fen
    net: Fen
    #: Discount per kind ({"tier": 120, "coupon": 500}).
    discounts: Mapping[str, Fen]
    points: int
    growth: int


@dataclass(frozen=True, slots=True)
class FinalisedSale:
    sale_id: SaleId
    terminal: TerminalId
    store: StoreId
    cashier: CashierId
    member_id: MemberId | None
    at: dt.datetime
    receipt_code: str
    subtotal: Fen
    total: Fen
    lines: tuple[SaleLine, ...]
    payments: tuple[SalePayment, ...]
    #: The quote as stored with the sale (JSON-able): receipts, audits, and what HQ prices again.
    record: Mapping[str, Any]
    #: Ledger entries of the sale: points redeemed (one per lot drawn), points earned.
    entries: tuple[LedgerEntry, ...]
    #: Member coupons the sale uses up.
    coupons: tuple[CouponCode, ...]
    #: Points that paid for each line (a partial return refunds them by line).
    line_points_redeemed: tuple[int, ...]
    #: Tier growth the sale earns (credited to a confirmed member).
    growth: int
    #: A member without a row in the slice: a placeholder row is written with the sale.
    provisional_member: bool
    #: The member's balance after the sale (None: anonymous).
    balance: Balance | None
    # The receipt's values.
    savings: Mapping[str, Fen]
    points_redeemed: int
    points_value: Fen
    points_earned: int
    #: Earned points not yet spendable (pending days, or a member HQ has not confirmed).
    points_earned_pending: bool
    change: Fen
    member_day: str | None


def balance_after(entries: Sequence[LedgerEntry], at: dt.datetime) -> Balance:
    """The balance a member's cache keeps after a write at ``at``: at the newest entry if that
    is later (a till whose clock went back still counts what it wrote)."""
    latest = max((e.at for e in entries), default=at)
    return pts.balance(entries, max(at, latest))


def _points(
    rules: RuleSet, q: Quote, sale: SaleContext, member: SaleMember | None, new_id: NewId
) -> list[LedgerEntry]:
    """The sale's ledger entries: the points redeemed (one entry per lot drawn), then the
    points earned (pending until HQ confirms a member it does not know yet)."""
    at, sale_id = sale.at, sale.sale_id
    entries: list[LedgerEntry] = []
    if q.points_redeemed:
        if member is None:
            raise pts.PointsError("only a member can pay with points")
        entries += pts.redeem(
            member.entries,
            rules.points,
            points=q.points_redeemed,
            at=at,
            sale_id=sale_id,
            new_id=new_id,
        )
    if member is not None and q.points_earned:
        earned = pts.earn(
            rules.points,
            entry_id=EntryId(new_id()),
            lot=LotId(new_id()),
            points=q.points_earned,
            at=at,
            sale_id=sale_id,
        )
        if not member.confirmed:
            if sale.pending_until is None:
                raise pts.PointsError("points for an unconfirmed member need a pending date")
            pending = sale.pending_until
            earned = [replace(e, available_at=pending) for e in earned]
        entries += earned
    return entries


def finalise(
    rules: RuleSet,
    basket: Basket,
    q: Quote,
    *,
    sale: SaleContext,
    member: SaleMember | None,
    tenders: Sequence[SalePayment],
    new_id: NewId,
) -> FinalisedSale:
    """Everything a sale stores, from the quote the cashier took payment for.

    Refused (:class:`posloyalty.domain.points.PointsError`) if the member's ledger cannot pay
    the points redeemed. ``new_id`` draws the ids of the redemption entries, then of the
    earned entry and its lot.
    """
    at, sale_id = sale.at, sale.sale_id
    entries = _points(rules, q, sale, member, new_id)
    line_redeemed = (
        allocate(q.points_redeemed, [ln.points_value for ln in q.lines])
        if q.points_redeemed
        else [0] * len(q.lines)
    )
    record = quote_to_json(q) | {
        "kind": "sale",
        "points_value_fen": q.points_value,
        "line_points_redeemed": line_redeemed,
        "member_confirmed": member.confirmed if member is not None else None,
        "tendered_fen": [t.tendered for t in tenders],
    }
    # What HQ needs to price the sale again and credit exactly what it derives.
    record["basket"] = basket_to_json(basket)
    record["rules"] = {"id": rules.id, "revision": rules.revision}
    if member is not None and member.code:
        record["member_code"] = member.code
    savings: dict[str, Fen] = {}
    for d in q.discounts:
        if d.kind != "points":
            savings[d.kind] = Fen(savings.get(d.kind, 0) + d.amount)
    return FinalisedSale(
        sale_id=sale_id,
        terminal=sale.terminal,
        store=sale.store,
        cashier=sale.cashier,
        member_id=member.member_id if member is not None else None,
        at=at,
        receipt_code=sale.receipt_code,
        subtotal=q.subtotal,
        total=q.total,
        lines=tuple(
            SaleLine(
                ln.index,
                ln.sku,
                ln.name,
                ln.qty,
                ln.unit_price,
                ln.gross,
                ln.net,
                dict(ln.discounts),
                ln.points,
                ln.growth,
            )
            for ln in q.lines
        ),
        payments=tuple(tenders),
        record=record,
        entries=tuple(entries),
        coupons=tuple(c.code for c in basket.coupons),
        line_points_redeemed=tuple(line_redeemed),
        growth=q.growth_earned,
        provisional_member=member is not None and not member.stored,
        balance=balance_after([*member.entries, *entries], at) if member is not None else None,
        savings=savings,
        points_redeemed=q.points_redeemed,
        points_value=q.points_value,
        points_earned=q.points_earned if member is not None else 0,
        points_earned_pending=member is not None and any(e.available_at > at for e in entries),
        change=Fen(sum(t.tendered - t.amount for t in tenders)),
        member_day=q.member_day,
    )


# --------------------------------------------------------------------------- returns


@dataclass(frozen=True, slots=True)
class SoldLine:
    """A line of the original sale with what earlier returns took back."""

    index: int
    sku: str
    name: str
    sold: int
    unit_price: Fen
    net: Fen
    points: int
    growth: int
    returned: int = 0
    refunded: Fen = Fen(0)

    @property
    def left(self) -> int:
        return self.sold - self.returned


@dataclass(frozen=True, slots=True)
class ReturnFacts:
    """The original sale as a return needs it (read in the writing transaction)."""

    sale_id: SaleId
    receipt_code: str
    member_id: MemberId | None
    at: dt.datetime
    total: Fen
    lines: tuple[SoldLine, ...]
    #: Paid per tender by the sale, and already refunded per tender by earlier returns.
    paid: Mapping[str, int]
    refunded: Mapping[str, int]
    #: Points that paid for each line (stored with the sale; None for older sales).
    line_points_redeemed: tuple[int, ...] | None
    #: The member's whole ledger (empty without a member).
    ledger: tuple[LedgerEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    """What the cashier asks for: {line index: qty} (validated), the reason, the tender rule."""

    qty: Mapping[int, int]
    reason: str
    tender: str
    manager: str = ""


@dataclass(frozen=True, slots=True)
class RefundedLine:
    index: int
    sku: str
    name: str
    qty: int
    refund: Fen


@dataclass(frozen=True, slots=True)
class FinalisedReturn:
    return_id: SaleId
    terminal: TerminalId
    store: StoreId
    cashier: CashierId
    receipt_code: str
    original: ReturnFacts
    at: dt.datetime
    full: bool
    lines: tuple[RefundedLine, ...]
    #: The stored lines (negative quantities and amounts).
    stored_lines: tuple[SaleLine, ...]
    refund_total: Fen
    #: What each tender of the sale still had to refund, and the refund by tender.
    left: Mapping[str, Fen]
    refunds: Mapping[str, Fen]
    #: Stored payments (negative), at least one.
    payments: tuple[SalePayment, ...]
    entries: tuple[LedgerEntry, ...]
    points_reversed: int
    points_refunded: int
    growth_reversed: int
    #: The return's stored quote (what the audit log and HQ read).
    record: Mapping[str, Any]
    #: The member's balance after the return (None without a member).
    balance: Balance | None


def finalise_return(
    rules: RuleSet,
    original: ReturnFacts,
    wanted: ReturnRequest,
    *,
    sale: SaleContext,
    new_id: NewId,
) -> FinalisedReturn:
    """Everything a return stores. ``wanted.qty`` is checked by the caller (each line exists
    and has that much left). Refused by :class:`posloyalty.domain.refunds.RefundRuleError`
    for a tender the rule refuses, :class:`posloyalty.domain.points.PointsError` for a ledger
    that cannot give the points back."""
    at = sale.at
    ordered = original.lines
    full = all(ln.returned == 0 for ln in ordered) and all(
        wanted.qty.get(ln.index, 0) == ln.sold for ln in ordered
    )
    returned_qty = [wanted.qty.get(ln.index, 0) for ln in ordered]
    out: list[RefundedLine] = []
    stored: list[SaleLine] = []
    growth_back = 0
    for ln, r in zip(ordered, returned_qty, strict=True):
        if r == 0:
            continue
        refund = returned_share(ln.net, ln.returned, r, ln.sold)
        g_back = returned_share(ln.growth, ln.returned, r, ln.sold)
        growth_back += g_back
        out.append(RefundedLine(ln.index, ln.sku, ln.name, r, Fen(refund)))
        stored.append(
            SaleLine(
                index=ln.index,
                sku=ln.sku,
                name=ln.name,
                qty=-r,
                unit_price=ln.unit_price,
                gross=Fen(-ln.unit_price * r),
                net=Fen(-refund),
                discounts={},
                points=-returned_share(ln.points, ln.returned, r, ln.sold),
                growth=-g_back,
            )
        )
    refund_total = sum(x.refund for x in out)
    # Refund by the original payment methods, in proportion to what each has left to refund.
    left = tenders_left(original.paid, original.refunded)
    refunds = split_refund(refund_total, left, wanted.tender)
    entries: list[LedgerEntry] = []
    if original.member_id is not None:
        redeemed = original.line_points_redeemed
        entries = pts.reverse_for_return(
            original.ledger,
            rules.points,
            sale_id=original.sale_id,
            line_points=[ln.points for ln in ordered],
            returned_qty=returned_qty,
            sold_qty=[ln.sold for ln in ordered],
            at=at,
            new_id=new_id,
            full=full,
            already_returned_qty=[ln.returned for ln in ordered],
            line_redeemed=list(redeemed)
            if redeemed is not None and len(redeemed) == len(ordered)
            else None,
            reason=wanted.reason,
        )
    taken = -sum(e.points for e in entries if e.points < 0)
    given = sum(e.points for e in entries if e.points > 0)
    payments = tuple(SalePayment(m, Fen(-p), Fen(-p)) for m, p in refunds.items()) or (
        SalePayment("cash", Fen(0), Fen(0)),
    )
    record = {
        "kind": "return",
        "full": full,
        "original_sale_id": original.sale_id,
        "reason": wanted.reason,
        "tender": wanted.tender,
        "manager": wanted.manager,
        "refunds": {m: format_yuan(v) for m, v in refunds.items()},
        "points_reversed": taken,
        "points_refunded": given,
        "growth_reversed": growth_back,
    }
    return FinalisedReturn(
        return_id=sale.sale_id,
        terminal=sale.terminal,
        store=sale.store,
        cashier=sale.cashier,
        receipt_code=sale.receipt_code,
        original=original,
        at=at,
        full=full,
        lines=tuple(out),
        stored_lines=tuple(stored),
        refund_total=Fen(refund_total),
        left=left,
        refunds=refunds,
        payments=payments,
        entries=tuple(entries),
        points_reversed=taken,
        points_refunded=given,
        growth_reversed=growth_back,
        record=record,
        balance=balance_after([*original.ledger, *entries], at)
        if original.member_id is not None
        else None,
    )
