"""Returns against an original sale, full or partial by line and quantity.

A return is stored as a sale with ``original_sale_id`` (negative quantities, amounts and
payments) in one write transaction with its ledger entries and outbox row. Per line, the
cumulative refund after each return is ``floor(net * returned / sold)`` (the last unit gets
the exact rest), so successive partial returns never pay back more than the line was paid.
Points: :func:`posloyalty.domain.points.reverse_for_return` takes back the earned part and
refunds the points that paid for it; the entries carry the ORIGINAL sale's id (that is how
the ledger knows what was already taken back) and the return is linked through the sale.
The refund is computed by :func:`posloyalty.domain.finalise.finalise_return` from the sale as
``tilldb.sales`` reads it, and written by :func:`posloyalty.tilldb.sales.record_return`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from posloyalty.domain.finalise import (
    FinalisedReturn,
    ReturnFacts,
    ReturnRequest,
    SaleContext,
    SoldLine,
    finalise_return,
)
from posloyalty.domain.ids import MemberId, SaleId
from posloyalty.domain.money import Fen, format_yuan
from posloyalty.domain.points import PointsError
from posloyalty.domain.refunds import ORIGINAL, RefundRuleError, needs_manager
from posloyalty.terminal.context import Conn, TerminalContext
from posloyalty.terminal.errors import CheckoutError, StorageRefused
from posloyalty.terminal.receipt_codes import next_receipt_code
from posloyalty.terminal.staff import PinRefused, check_staff_pin
from posloyalty.terminal.tier_growth import apply_growth
from posloyalty.tilldb import repo, sales
from posloyalty.tilldb.db import TillConnection
from posloyalty.tilldb.errors import StoreDataError, StoreError
from posloyalty.tilldb.sales import FoundSale


@dataclass(frozen=True, slots=True)
class OriginalSale:
    sale_id: SaleId
    receipt_code: str
    member_id: MemberId | None
    at: dt.datetime
    total: Fen
    #: Each line with what earlier returns took back (``left``: still returnable).
    lines: tuple[SoldLine, ...]


@dataclass(frozen=True, slots=True)
class ReturnedLine:
    index: int
    sku: str
    name: str
    qty: int
    refund: Fen


@dataclass(frozen=True, slots=True)
class ReturnReceipt:
    return_id: SaleId
    receipt_code: str
    original_sale_id: SaleId
    original_receipt_code: str
    at: dt.datetime
    member_id: MemberId | None
    full: bool
    lines: tuple[ReturnedLine, ...]
    refund_total: Fen
    refunds: Mapping[str, Fen]
    points_reversed: int
    points_refunded: int
    growth_reversed: int
    balance_available: int | None
    balance_pending: int | None

    def to_json(self) -> dict[str, Any]:
        y = format_yuan
        return {
            "return_id": self.return_id,
            "receipt_code": self.receipt_code,
            "original_sale_id": self.original_sale_id,
            "original_receipt_code": self.original_receipt_code,
            "at": self.at.isoformat(),
            "member": self.member_id,
            "full": self.full,
            "lines": [
                {
                    "index": ln.index,
                    "sku": ln.sku,
                    "name": ln.name,
                    "qty": ln.qty,
                    "refund": y(ln.refund),
                }
                for ln in self.lines
            ],
            "refund_total": y(self.refund_total),
            "refunds": {k: y(v) for k, v in self.refunds.items()},
            "points_reversed": self.points_reversed,
            "points_refunded": self.points_refunded,
            "growth_reversed": self.growth_reversed,
            "balance_available": self.balance_available,
            "balance_pending": self.balance_pending,
        }


def _find(conn: TillConnection, sale_id: str | None, receipt: str | None) -> FoundSale:
    if (sale_id is None) == (receipt is None):
        raise CheckoutError("give the original sale's id or its receipt code (one of them)")
    sale = sales.find_sale(conn, sale_id=sale_id, receipt=receipt)
    if sale is None:
        raise CheckoutError(f"no sale {sale_id or receipt} on this terminal")
    if sale.original_sale_id is not None:
        raise CheckoutError(f"{sale.receipt_code} is itself a return; return the original sale")
    if sale.status != "committed":
        raise CheckoutError(f"sale {sale.receipt_code} is {sale.status}, nothing to return")
    return sale


def _facts(conn: TillConnection, ctx: TerminalContext, sale: FoundSale) -> ReturnFacts:
    """The original sale as a return needs it: lines, tenders, what earlier returns took back,
    and the member's ledger."""
    lines, paid, refunded = sales.refunded_so_far(conn, sale.id)
    redeemed = sale.quote.get("line_points_redeemed") if isinstance(sale.quote, dict) else None
    return ReturnFacts(
        sale_id=sale.id,
        receipt_code=sale.receipt_code,
        member_id=sale.member,
        at=sale.at,
        total=sale.total,
        lines=lines,
        paid=paid,
        refunded=refunded,
        line_points_redeemed=tuple(int(x) for x in redeemed)
        if isinstance(redeemed, list)
        else None,
        ledger=tuple(repo.ledger_for_member(conn, sale.member, ctx.zone))
        if sale.member is not None
        else (),
    )


def find_sale(
    ctx: TerminalContext, *, sale_id: str | None = None, receipt: str | None = None
) -> OriginalSale:
    """The original sale with what is still returnable per line (for the return screen)."""
    with ctx.db.snapshot() as conn:
        sale = _find(conn, sale_id, receipt)
        lines, _, _ = sales.refunded_so_far(conn, sale.id)
    return OriginalSale(
        sale.id,
        sale.receipt_code,
        sale.member,
        sale.at,
        sale.total,
        lines,
    )


#: Setting: refunds above this many fen need a manager's PIN (default ¥200; "" or "none": never).
REFUND_MANAGER_ABOVE_KEY = "refund_manager_above_fen"
DEFAULT_REFUND_MANAGER_ABOVE = Fen(20_000)


@dataclass(frozen=True, slots=True)
class ReturnPreview:
    """What a return would refund, before anything is stored (the refund screen)."""

    receipt_code: str
    member_id: MemberId | None
    full: bool
    lines: tuple[ReturnedLine, ...]
    refund_total: Fen
    #: The refund by tender under the chosen rule.
    refunds: Mapping[str, Fen]
    points_reversed: int
    points_refunded: int
    #: What each tender of the sale still has to refund (the tenders the cashier may pick).
    tenders_left: Mapping[str, Fen]
    tender: str
    #: A manager's PIN is needed (the refund is above ``manager_above``).
    needs_manager: bool
    manager_above: Fen | None


def refund_manager_limit(session: Conn) -> Fen | None:
    """The refund above which a manager approves (the setting, else the default)."""
    text = (repo.setting(repo.raw_connection(session), REFUND_MANAGER_ABOVE_KEY) or "").strip()
    if not text:
        return DEFAULT_REFUND_MANAGER_ABOVE
    if text.lower() == "none":
        return None
    if not text.isdigit():
        raise CheckoutError(
            f"the setting {REFUND_MANAGER_ABOVE_KEY} is {text!r}; it must be fen or 'none'"
        )
    return Fen(int(text))


def preview_return(
    ctx: TerminalContext,
    *,
    sale_id: str | None = None,
    receipt: str | None = None,
    lines: Mapping[int, int] | None = None,
    tender: str = ORIGINAL,
) -> ReturnPreview:
    """What :func:`process_return` would refund with the same arguments (nothing stored)."""
    try:
        with ctx.db.snapshot() as conn:
            plan = _finalised(
                conn,
                ctx,
                sale_id=sale_id,
                receipt=receipt,
                qty=lines,
                request=ReturnRequest({}, "", tender),
                at=ctx.now(),
            )
            limit = refund_manager_limit(conn)
    except StoreError as exc:
        raise StorageRefused(f"cannot read the sale: {' '.join(str(exc).split())}") from exc
    except PointsError as exc:
        raise CheckoutError(str(exc)) from exc
    return ReturnPreview(
        receipt_code=plan.original.receipt_code,
        member_id=plan.original.member_id,
        full=plan.full,
        lines=tuple(_returned(plan)),
        refund_total=plan.refund_total,
        refunds=plan.refunds,
        points_reversed=plan.points_reversed,
        points_refunded=plan.points_refunded,
        tenders_left=plan.left,
        tender=tender,
        needs_manager=needs_manager(plan.refund_total, limit),
        manager_above=limit,
    )


def _returned(ret: FinalisedReturn) -> list[ReturnedLine]:
    return [ReturnedLine(x.index, x.sku, x.name, x.qty, x.refund) for x in ret.lines]


def process_return(
    ctx: TerminalContext,
    *,
    sale_id: str | None = None,
    receipt: str | None = None,
    lines: Mapping[int, int] | None = None,
    reason: str = "",
    tender: str = ORIGINAL,
    manager_id: str = "",
    manager_pin: str = "",
) -> ReturnReceipt:
    """Return ``lines`` ({line index: qty}) of a sale, or everything still returnable (None),
    refunded by ``tender`` (:func:`posloyalty.domain.refunds.split_refund`).

    Refused (:class:`CheckoutError`, nothing stored) for an unknown sale, a line or quantity
    beyond what is left, a tender the rule refuses, a refund above the manager limit without
    a manager's PIN (:class:`PinRefused`, counted and audited), or a store that cannot be
    written (:class:`StorageRefused`).
    """
    preview = preview_return(ctx, sale_id=sale_id, receipt=receipt, lines=lines, tender=tender)
    manager = ""
    if preview.needs_manager:
        if not manager_id.strip():
            above = preview.manager_above or 0
            raise CheckoutError(
                f"a refund above ¥{format_yuan(above)} needs a manager's id and PIN"
            )
        try:
            manager = check_staff_pin(
                ctx, manager_id, manager_pin, purpose="refund", role="manager", by=ctx.cashier
            ).id
        except PinRefused as exc:
            raise exc.refusing("refund") from None
    wanted = ReturnRequest({}, reason, tender, manager)
    approved_up_to = preview.refund_total if manager else None
    try:
        with ctx.db.transaction() as conn:
            return _record_return(
                conn,
                ctx,
                sale_id=sale_id,
                receipt=receipt,
                qty=lines,
                request=wanted,
                approved_up_to=approved_up_to,
            )
    except StoreDataError as exc:
        raise CheckoutError(f"the return was refused by the store: {exc}") from exc
    except StoreError as exc:
        raise StorageRefused(
            f"the return could not be stored: {' '.join(str(exc).split())}"
        ) from exc
    except PointsError as exc:
        raise CheckoutError(str(exc)) from exc


def _wanted(original: ReturnFacts, wanted: Mapping[int, int] | None) -> dict[int, int]:
    """{line index: qty} to return, checked against what is left (None: all that is left)."""
    if wanted is None:
        left = {ln.index: ln.left for ln in original.lines if ln.left > 0}
        if not left:
            raise CheckoutError(f"everything of sale {original.receipt_code} was already returned")
        return left
    by_index = {ln.index: ln for ln in original.lines}
    for index, qty in wanted.items():
        line = by_index.get(index)
        if line is None:
            raise CheckoutError(f"sale {original.receipt_code} has no line {index}")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            raise CheckoutError(f"line {index}: the quantity to return must be 1 or more")
        if qty > line.left:
            raise CheckoutError(
                f"line {index} ({line.sku}): cannot return {qty}; {line.left} of {line.sold} "
                "left to return"
            )
    return dict(wanted)


def _finalised(
    conn: TillConnection,
    ctx: TerminalContext,
    *,
    sale_id: str | None,
    receipt: str | None,
    qty: Mapping[int, int] | None,
    request: ReturnRequest,
    at: dt.datetime,
    receipt_code: str = "",
) -> FinalisedReturn:
    """Everything a return would store, read from ``conn`` (which it does not write)."""
    original = _facts(conn, ctx, _find(conn, sale_id, receipt))
    request = replace(request, qty=_wanted(original, qty))
    try:
        return finalise_return(
            ctx.rules,
            original,
            request,
            sale=SaleContext(
                SaleId(ctx.new_id()), at, ctx.terminal, ctx.store, ctx.cashier, receipt_code
            ),
            new_id=ctx.new_id,
        )
    except RefundRuleError as exc:
        raise CheckoutError(str(exc)) from None


def _record_return(
    conn: TillConnection,
    ctx: TerminalContext,
    *,
    sale_id: str | None,
    receipt: str | None,
    qty: Mapping[int, int] | None,
    request: ReturnRequest,
    approved_up_to: int | None,
) -> ReturnReceipt:
    """The return inside the caller's write transaction: read the sale again, finalise (pure),
    check the approval still covers it, record (one call), take the growth back."""
    at = ctx.now()
    code = next_receipt_code(conn, ctx, at)
    ret = _finalised(
        conn,
        ctx,
        sale_id=sale_id,
        receipt=receipt,
        qty=qty,
        request=request,
        at=at,
        receipt_code=code,
    )
    if approved_up_to is not None and ret.refund_total > approved_up_to:
        raise CheckoutError("the sale changed while the manager approved; review the refund again")
    if approved_up_to is None and needs_manager(ret.refund_total, refund_manager_limit(conn)):
        raise CheckoutError("the refund needs a manager's approval; review it again")
    sales.record_return(conn, ret, created_at=ctx.clock.now())
    member_id = ret.original.member_id
    if member_id is not None:
        apply_growth(conn, ctx, member_id, -ret.growth_reversed, ret.at)
    balance = ret.balance
    return ReturnReceipt(
        return_id=ret.return_id,
        receipt_code=ret.receipt_code,
        original_sale_id=ret.original.sale_id,
        original_receipt_code=ret.original.receipt_code,
        at=ret.at,
        member_id=member_id,
        full=ret.full,
        lines=tuple(_returned(ret)),
        refund_total=ret.refund_total,
        refunds=ret.refunds,
        points_reversed=ret.points_reversed,
        points_refunded=ret.points_refunded,
        growth_reversed=ret.growth_reversed,
        balance_available=balance.available if balance else None,
        balance_pending=balance.pending if balance else None,
    )
