"""A receipt printed again by its number (any stored sale, after a restart too), rebuilt
from the stored sale: lines, savings, points and tenders as they were sold. The balance a
member had after the sale is not kept with it, so a copy leaves the balance lines out
rather than print today's balance as if it were then. The copy mark is the printer's job
(:mod:`posloyalty.ui.touch_keys`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from posloyalty.domain.ids import MemberId, SaleId
from posloyalty.domain.money import Fen, parse_yuan
from posloyalty.domain.pricing import PaymentMethod
from posloyalty.terminal.checkout import Receipt, ReceiptLine, Tender
from posloyalty.terminal.context import TerminalContext
from posloyalty.terminal.errors import CheckoutError, StorageRefused
from posloyalty.tilldb import repo
from posloyalty.tilldb.errors import StoreError
from posloyalty.tilldb.records import SaleRecord

__all__ = ["receipt_copy"]


def receipt_copy(ctx: TerminalContext, receipt_code: str) -> Receipt:
    """The receipt of the sale numbered ``receipt_code``; refused (in words) for a number
    this till has not stored, or a return (its slip comes from the return itself)."""
    code = "".join(receipt_code.split())
    if not code:
        raise CheckoutError("type the receipt number")
    try:
        with ctx.db.read() as session:
            stored = repo.sale_by_receipt(session, code)
            if stored is None:
                raise CheckoutError(f"no receipt {code} at this till")
            return _receipt(stored, ctx)
    except StoreError as exc:
        raise StorageRefused(f"cannot read the receipt: {exc}") from None


def _fen(value: object) -> Fen:
    return parse_yuan(value, allow_negative=True)


def _receipt(sale: SaleRecord, ctx: TerminalContext) -> Receipt:
    if sale.original_sale_id is not None:
        raise CheckoutError(f"{sale.receipt_code} is a return; its slip is printed with it")
    q: Mapping[str, Any] = sale.quote
    savings: dict[str, Fen] = {}
    for d in q.get("discounts", []):
        if d.get("kind") != "points":
            savings[d["kind"]] = Fen(savings.get(d["kind"], 0) + _fen(d["amount"]))
    tendered = list(q.get("tendered_fen", []))
    payments = tuple(
        Tender(
            method=cast(PaymentMethod, p.method),
            amount=Fen(p.amount_fen),
            tendered=Fen(int(tendered[i])) if i < len(tendered) else Fen(p.amount_fen),
            reference=p.reference,
        )
        for i, p in enumerate(sale.payments)
    )
    coupons = tuple(
        str(c.get("code", c.get("template", ""))) if isinstance(c, dict) else str(c)
        for c in q.get("basket", {}).get("coupons", [])
    )
    member = MemberId(sale.member) if sale.member is not None else None
    return Receipt(
        sale_id=SaleId(sale.id),
        receipt_code=sale.receipt_code,
        # Stored in UTC; a receipt shows the store's local time (as the sale printed it).
        at=sale.at.astimezone(ctx.zone),
        cashier=sale.cashier,
        member_id=member,
        lines=tuple(
            ReceiptLine(
                ln.index,
                ln.sku,
                ln.name,
                ln.qty,
                Fen(ln.unit_price_fen),
                Fen(ln.gross_fen),
                Fen(ln.net_fen),
                {k: Fen(v) for k, v in ln.discounts.items() if k != "points"},
                ln.points,
            )
            for ln in sale.lines
        ),
        subtotal=Fen(sale.subtotal_fen),
        total=Fen(sale.total_fen),
        savings=savings,
        points_redeemed=int(q.get("points_redeemed", 0)),
        points_value=_fen(q.get("points_value", "0.00")),
        payments=payments,
        change=Fen(sum(t.change for t in payments)),
        points_earned=int(q.get("points_earned", 0)) if member is not None else 0,
        points_earned_pending=q.get("member_confirmed") is False,
        balance_available=None,
        balance_pending=None,
        tier=None,
        coupons=coupons,
        member_day=q.get("member_day"),
    )
