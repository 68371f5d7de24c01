"""The till's sales and returns: the reads a checkout or a return makes, and the one call that
records a finalised sale (:func:`record_sale`) or return (:func:`record_return`).

Each record call runs inside the caller's write transaction (``db.transaction()``) and writes
everything of the operation with the fewest statements: the sale row, its lines, payments and
ledger entries (one ``executemany`` each), the coupons it uses, its outbox row, and the
member's cached balance (computed by :mod:`posloyalty.domain.finalise` from the ledger the
caller read in the same transaction, so nothing is read again). The outbox row is a reference
(``kind``, ``ref_id`` = the sale's id, an empty payload): ``sync/outbound.py`` builds what HQ
receives from the stored rows (``tilldb/outbox_reader.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from posloyalty.domain.finalise import FinalisedReturn, FinalisedSale, SaleLine, SoldLine
from posloyalty.domain.ids import MemberId, SaleId, Sku
from posloyalty.domain.money import Fen
from posloyalty.domain.points import Balance
from posloyalty.domain.tiers import Purchase
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import TillConnection, raw_connection
from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.records import OutboxMessage, PaymentRecord, SaleLineRecord, SaleRecord
from posloyalty.tilldb.types import dump_json, format_ts, parse_ts

__all__ = [
    "FoundSale",
    "ScannedProduct",
    "find_sale",
    "last_sale_at",
    "local_purchases",
    "record_return",
    "record_sale",
    "refunded_so_far",
    "scanned_product",
]

_PRODUCT_COLUMNS = "sku, name, price_fen, special_price, category, member_price_fen"
_PRODUCT_BY_SKU = f"SELECT {_PRODUCT_COLUMNS} FROM products WHERE sku = ?"
_PRODUCT_BY_EAN = f"SELECT {_PRODUCT_COLUMNS} FROM products WHERE ean = ?"


@dataclass(frozen=True, slots=True)
class ScannedProduct:
    sku: Sku
    name: str
    price: Fen
    special_price: bool
    category: str
    member_price: Fen | None


def scanned_product(conn: TillConnection, code: str) -> ScannedProduct | None:
    """The product with SKU ``code``, else with EAN ``code`` (plain SQL: every scan runs it)."""
    row = (
        conn.execute(_PRODUCT_BY_SKU, (code,)).fetchone()
        or conn.execute(_PRODUCT_BY_EAN, (code,)).fetchone()
    )
    if row is None:
        return None
    sku, name, price, special, category, member_price = row
    return ScannedProduct(
        Sku(sku),
        name,
        Fen(int(price)),
        bool(special),
        category,
        Fen(int(member_price)) if member_price is not None else None,
    )


def _line_record(ln: SaleLine) -> SaleLineRecord:
    return SaleLineRecord(
        index=ln.index,
        sku=ln.sku,
        qty=ln.qty,
        unit_price_fen=ln.unit_price,
        gross_fen=ln.gross,
        net_fen=ln.net,
        name=ln.name,
        discounts=dict(ln.discounts),
        points=ln.points,
        growth=ln.growth,
    )


def _cache_balance(
    conn: TillConnection,
    member: str,
    balance: Balance,
    purchase_at: str,
    growth: tuple[int, str] | None = None,
) -> None:
    """The member's cached balance, last purchase (and growth and tier) as the finalised
    operation left them, in one statement."""
    sets = (
        "cached_points = ?1, cached_pending = ?2, last_purchase_at = CASE WHEN"
        " last_purchase_at IS NULL OR last_purchase_at < ?4 THEN ?4 ELSE last_purchase_at END"
    )
    if growth is None:
        conn.execute(
            f"UPDATE members SET {sets} WHERE id = ?3",
            (balance.available, balance.pending, member, purchase_at),
        )
    else:
        conn.execute(
            f"UPDATE members SET {sets}, growth = ?5, tier = ?6 WHERE id = ?3",
            (balance.available, balance.pending, member, purchase_at, *growth),
        )


def record_sale(
    conn: TillConnection,
    sale: FinalisedSale,
    *,
    created_at: dt.datetime,
    provisional_tier: str,
    growth: tuple[int, str] | None = None,
) -> None:
    """Store a finalised sale inside the caller's write transaction: a placeholder member row
    (tier ``provisional_tier``) for a member not in the slice, the sale, lines, payments,
    ledger entries (written at ``created_at``), used coupons, its outbox reference and the
    member's cached balance (with ``growth``: their new growth and tier, in the same UPDATE). A sale that does not hang together, or that the database refuses
    (a duplicate id, a coupon used already), raises :class:`StoreDataError`."""
    if sale.provisional_member:
        assert sale.member_id is not None
        conn.execute(
            "INSERT INTO members (id, phone_masked, phone_hash, display_name, tier, growth,"
            " cached_points, cached_pending, registered_at, hq_version, provisional)"
            " VALUES (?, '', '', '', ?, 0, 0, 0, ?, 0, 1) ON CONFLICT (id) DO NOTHING",
            (sale.member_id, provisional_tier, format_ts(created_at)),
        )
    record = SaleRecord(
        id=sale.sale_id,
        terminal=sale.terminal,
        store=sale.store,
        cashier=sale.cashier,
        member=sale.member_id,
        at=sale.at,
        subtotal_fen=sale.subtotal,
        total_fen=sale.total,
        receipt_code=sale.receipt_code,
        lines=tuple(_line_record(ln) for ln in sale.lines),
        payments=tuple(PaymentRecord(p.method, p.amount, p.reference) for p in sale.payments),
        quote=sale.record,
    )
    repo.insert_sale_rows(
        conn,
        record,
        sale.entries,
        [OutboxMessage("sale", sale.sale_id, {})],
        used_coupons=sale.coupons,
        created_at=created_at,
    )
    if sale.member_id is not None and sale.balance is not None:
        _cache_balance(conn, sale.member_id, sale.balance, format_ts(sale.at), growth)


# --------------------------------------------------------------------------- returns


@dataclass(frozen=True, slots=True)
class FoundSale:
    """A row of ``sales`` as a return looks it up."""

    id: SaleId
    receipt_code: str
    member: MemberId | None
    at: dt.datetime
    total: Fen
    status: str
    original_sale_id: SaleId | None
    quote: Any


def find_sale(
    conn: TillConnection, *, sale_id: str | None = None, receipt: str | None = None
) -> FoundSale | None:
    """The sale with id ``sale_id``, else with receipt code ``receipt``."""
    where, key = ("id", sale_id) if sale_id is not None else ("receipt_code", receipt)
    row = conn.execute(
        "SELECT id, receipt_code, member, at, total_fen, status, original_sale_id, quote"
        f" FROM sales WHERE {where} = ?",
        (key,),
    ).fetchone()
    if row is None:
        return None
    id_, code, member, at, total, status, original, quote = row
    try:
        parsed = json.loads(quote) if quote else {}
    except ValueError:
        parsed = {}
    return FoundSale(
        SaleId(id_),
        code,
        MemberId(member) if member else None,
        parse_ts(at),
        Fen(int(total)),
        status,
        SaleId(original) if original else None,
        parsed,
    )


def refunded_so_far(
    conn: TillConnection, sale_id: str
) -> tuple[tuple[SoldLine, ...], dict[str, int], dict[str, int]]:
    """The sale's lines with what earlier returns took back, what it was paid per tender, and
    what earlier returns refunded per tender."""
    back = {
        int(i): (int(q), int(n))
        for i, q, n in conn.execute(
            'SELECT l."index", -sum(l.qty), -sum(l.net_fen) FROM sale_lines l'
            ' JOIN sales s ON s.id = l.sale WHERE s.original_sale_id = ? GROUP BY l."index"',
            (sale_id,),
        )
    }
    lines = tuple(
        SoldLine(
            index=int(i),
            sku=sku,
            name=name,
            sold=int(q),
            unit_price=Fen(int(unit)),
            net=Fen(int(n)),
            points=int(p),
            growth=int(g),
            returned=back.get(int(i), (0, 0))[0],
            refunded=Fen(back.get(int(i), (0, 0))[1]),
        )
        for i, sku, name, q, unit, n, p, g in conn.execute(
            'SELECT "index", sku, name, qty, unit_price_fen, net_fen, points, growth'
            ' FROM sale_lines WHERE sale = ? ORDER BY "index"',
            (sale_id,),
        )
    )
    paid = {
        str(m): int(a)
        for m, a in conn.execute(
            "SELECT method, sum(amount_fen) FROM payments WHERE sale = ? GROUP BY method"
            " ORDER BY method",
            (sale_id,),
        )
    }
    refunded = {
        str(m): int(a)
        for m, a in conn.execute(
            "SELECT p.method, -sum(p.amount_fen) FROM payments p JOIN sales s ON s.id = p.sale"
            " WHERE s.original_sale_id = ? GROUP BY p.method",
            (sale_id,),
        )
    }
    return lines, paid, refunded


def record_return(
    conn: TillConnection,
    ret: FinalisedReturn,
    *,
    created_at: dt.datetime,
) -> None:
    """Store a finalised return inside the caller's write transaction: the return (a sale
    with ``original_sale_id``), its lines, payments, ledger entries, outbox reference, the
    member's cached balance and the audit row."""
    original = ret.original
    record = SaleRecord(
        id=ret.return_id,
        terminal=ret.terminal,
        store=ret.store,
        cashier=ret.cashier,
        member=original.member_id,
        at=ret.at,
        subtotal_fen=Fen(sum(ln.gross for ln in ret.stored_lines)),
        total_fen=Fen(-ret.refund_total),
        receipt_code=ret.receipt_code,
        lines=tuple(_line_record(ln) for ln in ret.stored_lines),
        payments=tuple(PaymentRecord(p.method, p.amount, p.reference) for p in ret.payments),
        quote=ret.record,
        original_sale_id=original.sale_id,
    )
    # The entries name the ORIGINAL sale (that is how the ledger knows what was taken back).
    with_member = ret.entries if original.member_id is not None else ()
    for e in with_member:
        if e.sale_id != original.sale_id:
            raise StoreDataError(
                f"return {ret.return_id}: ledger entry {e.id} belongs to sale {e.sale_id}"
            )
    repo.insert_sale_rows(
        conn,
        record,
        (),
        [OutboxMessage("return", ret.return_id, {})],
        used_coupons=(),
        created_at=created_at,
    )
    if original.member_id is not None:
        if with_member:
            repo.insert_ledger_rows(
                conn, with_member, member=original.member_id, sale=record, created_at=created_at
            )
        if ret.balance is not None:
            _cache_balance(conn, original.member_id, ret.balance, format_ts(ret.at))
    conn.execute(
        "INSERT INTO audit_log (at, cashier, action, detail) VALUES (?, ?, 'return', ?)",
        (format_ts(created_at), ret.cashier, dump_json({"return": ret.return_id, **ret.record})),
    )


def local_purchases(conn: Session | TillConnection, member_id: str) -> list[Purchase]:
    """The member's sales (and returns) at this till as tier history, without HQ's growth."""
    # Only a return's quote is opened (for "full"): a sale's quote JSON is kilobytes.
    rows = raw_connection(conn).execute(
        "SELECT s.at, s.total_fen, s.original_sale_id,"
        " CASE WHEN s.original_sale_id IS NULL THEN NULL"
        " ELSE json_extract(s.quote, '$.full') END,"
        " (SELECT coalesce(sum(growth), 0) FROM sale_lines WHERE sale = s.id), s.id"
        " FROM sales s WHERE s.member = ? AND s.status = 'committed'",
        (member_id,),
    )
    return [
        Purchase(
            parse_ts(at_text),
            Fen(int(total)),
            int(growth),
            ((-1 if full else 0) if original is not None else 1),
            str(sale_id),
            original or "",
        )
        for at_text, total, original, full, growth, sale_id in rows
    ]


def last_sale_at(conn: Session | TillConnection) -> dt.datetime | None:
    """When the till's last sale or return was made (None before the first)."""
    last = raw_connection(conn).execute("SELECT max(at) FROM sales").fetchone()[0]
    return parse_ts(last) if last is not None else None
