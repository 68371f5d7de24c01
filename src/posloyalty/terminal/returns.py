"""Returns against an original sale, full or partial by line and quantity.

A return is stored as a sale with ``original_sale_id`` (negative quantities, amounts and
payments) in one write transaction with its ledger entries and outbox row. Per line, the
cumulative refund after each return is ``floor(net * returned / sold)`` (the last unit gets
the exact rest), so successive partial returns never pay back more than the line was paid.
Points: :func:`posloyalty.domain.points.reverse_for_return` takes back the earned part and
refunds the points that paid for it; the entries carry the ORIGINAL sale's id (that is how
the ledger knows what was already taken back) and the return is linked through the sale.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from posloyalty.domain import points as pts
from posloyalty.domain.ids import MemberId, SaleId
from posloyalty.domain.money import Fen, format_yuan
from posloyalty.domain.points import PointsError
from posloyalty.domain.refunds import (
    ORIGINAL,
    RefundRuleError,
    needs_manager,
    returned_share,
    split_refund,
    tenders_left,
)
from posloyalty.terminal.checkout import entry_json
from posloyalty.terminal.context import TerminalContext
from posloyalty.terminal.errors import CheckoutError, StorageRefused
from posloyalty.terminal.receipt_codes import next_receipt_code
from posloyalty.terminal.staff import PinRefused, check_staff_pin
from posloyalty.terminal.tier_growth import apply_growth
from posloyalty.tilldb import repo
from posloyalty.tilldb.errors import StoreDataError, StoreError
from posloyalty.tilldb.models import Sale
from posloyalty.tilldb.records import (
    LedgerRecord,
    OutboxMessage,
    PaymentRecord,
    SaleLineRecord,
    SaleRecord,
)


@dataclass(frozen=True, slots=True)
class ReturnableLine:
    index: int
    sku: str
    name: str
    sold: int
    returned: int
    net: Fen
    refunded: Fen

    @property
    def left(self) -> int:
        return self.sold - self.returned


@dataclass(frozen=True, slots=True)
class OriginalSale:
    sale_id: SaleId
    receipt_code: str
    member_id: MemberId | None
    at: dt.datetime
    total: Fen
    lines: tuple[ReturnableLine, ...]


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


def _find(session: Session, sale_id: str | None, receipt: str | None) -> Sale:
    if (sale_id is None) == (receipt is None):
        raise CheckoutError("give the original sale's id or its receipt code (one of them)")
    sale = (
        repo.sale_by_id(session, sale_id)
        if sale_id is not None
        else repo.sale_by_receipt(session, receipt or "")
    )
    if sale is None:
        raise CheckoutError(f"no sale {sale_id or receipt} on this terminal")
    if sale.original_sale_id is not None:
        raise CheckoutError(f"{sale.receipt_code} is itself a return; return the original sale")
    if sale.status != "committed":
        raise CheckoutError(f"sale {sale.receipt_code} is {sale.status}, nothing to return")
    return sale


def _original(session: Session, sale: Sale) -> OriginalSale:
    conn = session.connection()
    back = {
        int(i): (int(q), int(n))
        for i, q, n in conn.exec_driver_sql(
            'SELECT l."index", -sum(l.qty), -sum(l.net_fen) FROM sale_lines l'
            ' JOIN sales s ON s.id = l.sale WHERE s.original_sale_id = ? GROUP BY l."index"',
            (sale.id,),
        )
    }
    rows = conn.exec_driver_sql(
        'SELECT "index", sku, name, qty, net_fen FROM sale_lines WHERE sale = ? ORDER BY "index"',
        (sale.id,),
    )
    lines = tuple(
        ReturnableLine(
            int(i),
            sku,
            name,
            int(q),
            back.get(int(i), (0, 0))[0],
            Fen(int(n)),
            Fen(back.get(int(i), (0, 0))[1]),
        )
        for i, sku, name, q, n in rows
    )
    return OriginalSale(
        SaleId(sale.id),
        sale.receipt_code,
        MemberId(sale.member) if sale.member else None,
        sale.at,
        Fen(sale.total_fen),
        lines,
    )


def find_sale(
    ctx: TerminalContext, *, sale_id: str | None = None, receipt: str | None = None
) -> OriginalSale:
    """The original sale with what is still returnable per line (for the return screen)."""
    with ctx.db.read() as session:
        return _original(session, _find(session, sale_id, receipt))


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


def refund_manager_limit(session: Session) -> Fen | None:
    """The refund above which a manager approves (the setting, else the default)."""
    text = (repo.get_setting(session, REFUND_MANAGER_ABOVE_KEY) or "").strip()
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
        with ctx.db.read() as session:
            plan = _plan(session, ctx, sale_id, receipt, lines, reason="", tender=tender)
            limit = refund_manager_limit(session)
    except StoreError as exc:
        raise StorageRefused(f"cannot read the sale: {' '.join(str(exc).split())}") from exc
    except PointsError as exc:
        raise CheckoutError(str(exc)) from exc
    return ReturnPreview(
        receipt_code=plan.original.receipt_code,
        member_id=plan.original.member_id,
        full=plan.full,
        lines=tuple(plan.out_lines),
        refund_total=Fen(plan.refund_total),
        refunds=plan.refunds,
        points_reversed=plan.taken,
        points_refunded=plan.given,
        tenders_left=plan.left,
        tender=tender,
        needs_manager=needs_manager(plan.refund_total, limit),
        manager_above=limit,
    )


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
    try:
        with ctx.db.write() as session:
            return _write_return(
                session,
                ctx,
                sale_id,
                receipt,
                lines,
                reason=reason,
                tender=tender,
                manager=manager,
                approved_up_to=preview.refund_total if manager else None,
            )
    except StoreDataError as exc:
        raise CheckoutError(f"the return was refused by the store: {exc}") from exc
    except StoreError as exc:
        raise StorageRefused(
            f"the return could not be stored: {' '.join(str(exc).split())}"
        ) from exc
    except PointsError as exc:
        raise CheckoutError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class _Plan:
    sale: Sale
    original: OriginalSale
    full: bool
    at: dt.datetime
    out_lines: list[ReturnedLine]
    records: list[SaleLineRecord]
    growth_back: int
    refund_total: int
    left: dict[str, Fen]
    refunds: dict[str, Fen]
    entries: list[pts.LedgerEntry]
    taken: int
    given: int


def _plan(
    session: Session,
    ctx: TerminalContext,
    sale_id: str | None,
    receipt: str | None,
    wanted: Mapping[int, int] | None,
    *,
    reason: str,
    tender: str,
) -> _Plan:
    """Everything a return would store, read from ``session`` (which it does not write)."""
    sale = _find(session, sale_id, receipt)
    original = _original(session, sale)
    by_index = {ln.index: ln for ln in original.lines}
    if wanted is None:
        wanted = {ln.index: ln.left for ln in original.lines if ln.left > 0}
        if not wanted:
            raise CheckoutError(f"everything of sale {sale.receipt_code} was already returned")
    for index, qty in wanted.items():
        line = by_index.get(index)
        if line is None:
            raise CheckoutError(f"sale {sale.receipt_code} has no line {index}")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            raise CheckoutError(f"line {index}: the quantity to return must be 1 or more")
        if qty > line.left:
            raise CheckoutError(
                f"line {index} ({line.sku}): cannot return {qty}; {line.left} of {line.sold} "
                "left to return"
            )
    full = all(ln.returned == 0 for ln in original.lines) and all(
        wanted.get(ln.index, 0) == ln.sold for ln in original.lines
    )
    at = ctx.now()
    stored_quote = sale.quote if isinstance(sale.quote, dict) else {}
    line_rows = list(
        session.connection().exec_driver_sql(
            'SELECT "index", unit_price_fen, points, growth FROM sale_lines WHERE sale = ?'
            ' ORDER BY "index"',
            (sale.id,),
        )
    )
    unit = {int(r[0]): int(r[1]) for r in line_rows}
    line_points = [int(r[2]) for r in line_rows]
    line_growth = [int(r[3]) for r in line_rows]
    ordered = list(original.lines)
    returned_qty = [wanted.get(ln.index, 0) for ln in ordered]
    sold_qty = [ln.sold for ln in ordered]
    before_qty = [ln.returned for ln in ordered]

    out_lines: list[ReturnedLine] = []
    records: list[SaleLineRecord] = []
    growth_back = 0
    for ln, r, g, p in zip(ordered, returned_qty, line_growth, line_points, strict=True):
        if r == 0:
            continue
        refund = returned_share(ln.net, ln.returned, r, ln.sold)
        g_back = returned_share(g, ln.returned, r, ln.sold)
        growth_back += g_back
        out_lines.append(ReturnedLine(ln.index, ln.sku, ln.name, r, Fen(refund)))
        records.append(
            SaleLineRecord(
                index=ln.index,
                sku=ln.sku,
                qty=-r,
                unit_price_fen=Fen(unit[ln.index]),
                gross_fen=Fen(-unit[ln.index] * r),
                net_fen=Fen(-refund),
                name=ln.name,
                points=-returned_share(p, ln.returned, r, ln.sold),
                growth=-g_back,
            )
        )
    refund_total = sum(x.refund for x in out_lines)

    # Refund by the original payment methods, in proportion to what each has left to refund.
    conn = session.connection()
    paid: dict[str, int] = dict(
        conn.exec_driver_sql(
            "SELECT method, sum(amount_fen) FROM payments WHERE sale = ? GROUP BY method"
            " ORDER BY method",
            (sale.id,),
        ).all()
    )
    given_back: dict[str, int] = dict(
        conn.exec_driver_sql(
            "SELECT p.method, -sum(p.amount_fen) FROM payments p JOIN sales s ON s.id = p.sale"
            " WHERE s.original_sale_id = ? GROUP BY p.method",
            (sale.id,),
        ).all()
    )
    left = tenders_left(paid, given_back)
    try:
        refunds = split_refund(refund_total, left, tender)
    except RefundRuleError as exc:
        raise CheckoutError(str(exc)) from None

    entries: list[pts.LedgerEntry] = []
    member_id = original.member_id
    if member_id is not None:
        history = repo.ledger_for_member(session, member_id, ctx.zone)
        redeemed_by_line = stored_quote.get("line_points_redeemed")
        entries = pts.reverse_for_return(
            history,
            ctx.rules.points,
            sale_id=original.sale_id,
            line_points=line_points,
            returned_qty=returned_qty,
            sold_qty=sold_qty,
            at=at,
            new_id=ctx.new_id,
            full=full,
            already_returned_qty=before_qty,
            line_redeemed=[int(x) for x in redeemed_by_line]
            if isinstance(redeemed_by_line, list) and len(redeemed_by_line) == len(ordered)
            else None,
            reason=reason,
        )
    taken = -sum(e.points for e in entries if e.points < 0)
    given = sum(e.points for e in entries if e.points > 0)
    return _Plan(
        sale,
        original,
        full,
        at,
        out_lines,
        records,
        growth_back,
        refund_total,
        left,
        refunds,
        entries,
        taken,
        given,
    )


def _write_return(
    session: Session,
    ctx: TerminalContext,
    sale_id: str | None,
    receipt: str | None,
    wanted: Mapping[int, int] | None,
    *,
    reason: str,
    tender: str,
    manager: str,
    approved_up_to: int | None,
) -> ReturnReceipt:
    plan = _plan(session, ctx, sale_id, receipt, wanted, reason=reason, tender=tender)
    if approved_up_to is not None and plan.refund_total > approved_up_to:
        raise CheckoutError("the sale changed while the manager approved; review the refund again")
    if approved_up_to is None:
        limit = refund_manager_limit(session)
        if needs_manager(plan.refund_total, limit):
            raise CheckoutError("the refund needs a manager's approval; review it again")
    original, full, at = plan.original, plan.full, plan.at
    out_lines, records, growth_back = plan.out_lines, plan.records, plan.growth_back
    refund_total, refunds, entries = plan.refund_total, plan.refunds, plan.entries
    taken, given, member_id = plan.taken, plan.given, original.member_id
    payments = tuple(PaymentRecord(m, Fen(-p)) for m, p in refunds.items())
    if not payments:
        payments = (PaymentRecord("cash", Fen(0)),)
    return_id = SaleId(ctx.new_id())
    code = next_receipt_code(session, ctx, at)
    record_quote = {
        "kind": "return",
        "full": full,
        "original_sale_id": original.sale_id,
        "reason": reason,
        "tender": tender,
        "manager": manager,
        "refunds": {m: format_yuan(v) for m, v in refunds.items()},
        "points_reversed": taken,
        "points_refunded": given,
        "growth_reversed": growth_back,
    }
    record = SaleRecord(
        id=return_id,
        terminal=ctx.terminal,
        store=ctx.store,
        cashier=ctx.cashier,
        member=member_id,
        at=at,
        subtotal_fen=Fen(sum(r.gross_fen for r in records)),
        total_fen=Fen(-refund_total),
        receipt_code=code,
        lines=tuple(records),
        payments=payments,
        quote=record_quote,
        original_sale_id=original.sale_id,
    )
    created = ctx.clock.now()
    repo.record_sale(
        session,
        record,
        (),
        [
            OutboxMessage(
                "return",
                return_id,
                {
                    "return": return_id,
                    "receipt_code": code,
                    "original_sale_id": original.sale_id,
                    "terminal": ctx.terminal,
                    "store": ctx.store,
                    "cashier": ctx.cashier,
                    "member": member_id,
                    "at": at.isoformat(),
                    "quote": record_quote,
                    "lines": [
                        {"index": x.index, "qty": x.qty, "refund_fen": x.refund} for x in out_lines
                    ],
                    "entries": [entry_json(e) for e in entries],
                },
            )
        ],
        created_at=created,
    )
    balance = None
    if member_id is not None:
        records_l = [
            LedgerRecord(e, member_id, ctx.terminal, ctx.store, ctx.cashier, created)
            for e in entries
        ]
        balances = repo.append_ledger(session, records_l, at=at)
        balance = balances.get(member_id) or repo.refresh_cached_balance(session, member_id, at)
        apply_growth(session, ctx, member_id, -growth_back, at)
    repo.audit(
        session,
        at=created,
        cashier=ctx.cashier,
        action="return",
        detail=json.loads(json.dumps({"return": return_id, **record_quote})),
    )
    return ReturnReceipt(
        return_id=return_id,
        receipt_code=code,
        original_sale_id=original.sale_id,
        original_receipt_code=original.receipt_code,
        at=at,
        member_id=member_id,
        full=full,
        lines=tuple(out_lines),
        refund_total=Fen(refund_total),
        refunds=refunds,
        points_reversed=taken,
        points_refunded=given,
        growth_reversed=growth_back,
        balance_available=balance.available if balance else None,
        balance_pending=balance.pending if balance else None,
    )
