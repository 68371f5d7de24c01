"""The ledger and sales repositories (the sale path's plain SQL), and the names callers know.

Functions take the session of a ``db.write()`` / ``db.read()`` block and never commit
themselves, so a caller can put several of them in one transaction. The other aggregates
have their own modules, whose functions are importable from here too: :mod:`.settings`
(settings, sync cursors), :mod:`.products`, :mod:`.members`, :mod:`.cashiers`,
:mod:`.rules`, :mod:`.audit_log`; the pulled slice is :mod:`.pulled`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from posloyalty.domain import points
from posloyalty.domain.ids import CashierId, EntryId, LotId, MemberId, SaleId, StoreId, TerminalId
from posloyalty.domain.money import Fen
from posloyalty.domain.points import Balance, LedgerEntry
from posloyalty.tilldb.audit_log import audit
from posloyalty.tilldb.cashiers import (
    PIN_MAX,
    PIN_MIN,
    CashierRecord,
    cashier_by_id,
    create_cashier,
    pin_hash,
    verify_pin,
)
from posloyalty.tilldb.coupons import CouponRecord, coupon_by_code, held_coupons, issue_coupon
from posloyalty.tilldb.db import raw_connection
from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.members import (
    MemberDisplay,
    MemberRecord,
    add_member,
    ensure_phone_key,
    hash_phone,
    member_by_id,
    member_display,
    members_by_phone,
    members_by_phone_hash,
    phone_key,
    set_phone_key,
)
from posloyalty.tilldb.models import (
    PAYMENT_METHODS,
    Base,
    OutboxRow,
    Payment,
    Sale,
    SaleLine,
)
from posloyalty.tilldb.outbox_reader import PendingRow
from posloyalty.tilldb.products import product_by_ean, product_by_sku
from posloyalty.tilldb.records import (
    LedgerRecord,
    OutboxMessage,
    PaymentRecord,
    SaleLineRecord,
    SaleRecord,
    ledger_from_row,
    ledger_to_row,
)
from posloyalty.tilldb.rules import active_rule_document, save_rule_document
from posloyalty.tilldb.settings import get_cursor, get_setting, set_cursor, set_setting, setting
from posloyalty.tilldb.types import dump_json, format_ts, parse_ts

__all__ = [
    "PIN_MAX",
    "PIN_MIN",
    "CashierRecord",
    "CouponRecord",
    "MemberDisplay",
    "MemberRecord",
    "active_rule_document",
    "add_member",
    "append_ledger",
    "audit",
    "cashier_by_id",
    "coupon_by_code",
    "create_cashier",
    "ensure_phone_key",
    "get_cursor",
    "get_setting",
    "hash_phone",
    "held_coupons",
    "insert_sale",
    "issue_coupon",
    "ledger_for_member",
    "ledger_for_sale",
    "ledger_records",
    "ledger_sum",
    "member_balance",
    "member_by_id",
    "member_display",
    "members_by_phone",
    "members_by_phone_hash",
    "members_with_lots_due",
    "next_receipt_code",
    "outbox_mark_sent",
    "outbox_pending",
    "outbox_pending_count",
    "phone_key",
    "pin_hash",
    "points_redeemed_since",
    "product_by_ean",
    "product_by_sku",
    "queue",
    "raw_connection",
    "record_sale",
    "refresh_cached_balance",
    "sale_by_id",
    "sale_by_receipt",
    "save_rule_document",
    "set_cursor",
    "set_outbox_payload",
    "set_phone_key",
    "set_setting",
    "setting",
    "table_counts",
    "verify_pin",
]


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


# --------------------------------------------------------------------------- ledger
#
# The sale path below talks to the DBAPI connection of the session's transaction directly:
# it is the till's hot path, and the ORM/Core layers cost several times the SQLite work.

_LEDGER_COLUMNS = (
    "id",
    "member",
    "kind",
    "points",
    "lot",
    "at",
    "available_at",
    "expires_at",
    "renews_until",
    "sale_id",
    "terminal",
    "store",
    "cashier",
    "reason",
    "created_at",
)
_LEDGER_TIMES = frozenset({"at", "available_at", "expires_at", "renews_until", "created_at"})
_INSERT_LEDGER = (
    f"INSERT INTO ledger_entries ({', '.join(_LEDGER_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(_LEDGER_COLUMNS))})"
)
_SELECT_LEDGER = f"SELECT {', '.join(_LEDGER_COLUMNS)} FROM ledger_entries"


_raw = raw_connection


@contextmanager
def _constraints(where: str) -> Iterator[None]:
    """A broken constraint on the raw path (duplicate id, unknown member) is a data error."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise StoreDataError(f"{where}: refused by the database ({exc})") from exc


def _ts(value: dt.datetime | None) -> str | None:
    return None if value is None else format_ts(value)


def _ledger_values(record: LedgerRecord) -> tuple[object, ...]:
    row = ledger_to_row(record)
    return tuple(_ts(row[c]) if c in _LEDGER_TIMES else row[c] for c in _LEDGER_COLUMNS)


def _ledger_parse(values: Sequence[object], tz: dt.tzinfo | None) -> LedgerRecord:
    row = {
        c: (parse_ts(v) if c in _LEDGER_TIMES and isinstance(v, str) else v)
        for c, v in zip(_LEDGER_COLUMNS, values, strict=True)
    }
    return ledger_from_row(row, tz)


def ledger_records(
    session: Session, member_id: str, tz: dt.tzinfo | None = None
) -> list[LedgerRecord]:
    """All ledger rows of a member with their context, oldest first (time, then id)."""
    return _ledger_records(_raw(session), member_id, tz)


def _ledger_records(
    raw: sqlite3.Connection, member_id: str, tz: dt.tzinfo | None
) -> list[LedgerRecord]:
    rows = raw.execute(f"{_SELECT_LEDGER} WHERE member = ? ORDER BY at, id", (member_id,))
    return [_ledger_parse(r, tz) for r in rows]


_SELECT_ENTRIES = (
    "SELECT id, kind, points, at, lot, available_at, expires_at, sale_id, reason, renews_until"
    " FROM ledger_entries WHERE member = ? ORDER BY at, id"
)


def _entries(raw: sqlite3.Connection, member_id: str, tz: dt.tzinfo | None) -> list[LedgerEntry]:
    """The member's entries straight from the rows (no record or dict in between: every sale
    of a member reads them)."""
    zone = tz or dt.UTC
    fromiso = dt.datetime.fromisoformat

    def when(text: str | None) -> dt.datetime | None:
        return None if text is None else fromiso(text).astimezone(zone)

    out = []
    for id_, kind, pts_, at, lot, avail, expires, sale_id, reason, renews in raw.execute(
        _SELECT_ENTRIES, (member_id,)
    ):
        out.append(
            LedgerEntry(
                EntryId(id_),
                kind,
                int(pts_),
                fromiso(at).astimezone(zone),
                LotId(lot),
                fromiso(avail).astimezone(zone),
                when(expires),
                SaleId(sale_id) if sale_id is not None else None,
                reason,
                when(renews),
            )
        )
    return out


def members_with_lots_due(session: Session, at: dt.datetime) -> list[str]:
    """Members with a ledger entry whose own expiry is at or before ``at``."""
    # Renewals only ever extend a lot, so a lot due now has its own expiry <= now.
    rows = _raw(session).execute(
        "SELECT DISTINCT member FROM ledger_entries"
        " WHERE expires_at IS NOT NULL AND expires_at <= ?",
        (format_ts(at),),
    )
    return [str(r[0]) for r in rows]


def ledger_for_member(
    session: Session | sqlite3.Connection, member_id: str, tz: dt.tzinfo | None = None
) -> list[LedgerEntry]:
    """The member's ledger as domain entries, oldest first (instants in UTC unless ``tz``);
    ``session`` may also be the DBAPI connection of a ``db.transaction()`` block."""
    return _entries(_raw(session), member_id, tz)


def ledger_for_sale(session: Session, sale_id: str) -> list[LedgerRecord]:
    rows = _raw(session).execute(f"{_SELECT_LEDGER} WHERE sale_id = ? ORDER BY id", (sale_id,))
    return [_ledger_parse(r, None) for r in rows]


def ledger_sum(session: Session, member_id: str) -> int:
    """Plain sum of the member's ledger points (available + pending + lapsed)."""
    row = _raw(session).execute(
        "SELECT coalesce(sum(points), 0) FROM ledger_entries WHERE member = ?", (member_id,)
    )
    return int(row.fetchone()[0])


def member_balance(session: Session, member_id: str, at: dt.datetime) -> Balance:
    """The member's balance at ``at``, replayed from the ledger (the cache is not read)."""
    return points.balance(ledger_for_member(session, member_id), at)


def refresh_cached_balance(session: Session, member_id: str, at: dt.datetime) -> Balance:
    """Recompute the member's cached balance from the ledger (call in the writing transaction).

    ``cached_points`` is the available balance at ``at`` (or at the newest entry, if that is
    later), ``cached_pending`` the pending part.
    """
    return _refresh(_raw(session), member_id, at)


def _refresh(
    raw: sqlite3.Connection,
    member_id: str,
    at: dt.datetime,
    known: Sequence[LedgerEntry] | None = None,
    *,
    purchase_at: str | None = None,
) -> Balance:
    """``known``: the member's whole ledger as the caller holds it in this transaction (read
    before its inserts, plus the entries it inserted). It is used instead of reading the
    ledger again only if the stored rows agree on count and sum; else the rows are read.
    ``purchase_at`` (a sale's stored time) also advances ``last_purchase_at``, in the same
    UPDATE."""
    entries: Sequence[LedgerEntry] | None = None
    if known is not None:
        count, total = raw.execute(
            "SELECT count(*), coalesce(sum(points), 0) FROM ledger_entries WHERE member = ?",
            (member_id,),
        ).fetchone()
        if count == len(known) and total == sum(e.points for e in known):
            entries = known
    if entries is None:
        entries = _entries(raw, member_id, None)
    # If the clock went back (a till's clock reset), entries dated after ``at`` still count:
    # the cache is the balance as of the newest thing we know.
    latest = max((e.at for e in entries), default=at)
    balance = points.balance(entries, max(at, latest))
    if purchase_at is None:
        raw.execute(
            "UPDATE members SET cached_points = ?, cached_pending = ? WHERE id = ?",
            (balance.available, balance.pending, member_id),
        )
    else:
        raw.execute(
            "UPDATE members SET cached_points = ?1, cached_pending = ?2,"
            " last_purchase_at = CASE WHEN last_purchase_at IS NULL OR last_purchase_at < ?4"
            " THEN ?4 ELSE last_purchase_at END WHERE id = ?3",
            (balance.available, balance.pending, member_id, purchase_at),
        )
    return balance


def append_ledger(
    session: Session,
    records: Sequence[LedgerRecord],
    outbox: Sequence[OutboxMessage] = (),
    *,
    at: dt.datetime,
) -> dict[str, Balance]:
    """Append ledger entries not tied to a new sale (adjust, expire, bonus) with their outbox rows.

    Refreshes the cached balance (at ``at``) of every member touched; returns those balances.
    """
    with _constraints("ledger"):
        if records:
            _raw(session).executemany(_INSERT_LEDGER, [_ledger_values(r) for r in records])
        queue(session, outbox, at=at)
    return {m: refresh_cached_balance(session, m, at) for m in sorted({r.member for r in records})}


# --------------------------------------------------------------------------- sales


def record_sale(
    session: Session,
    sale: SaleRecord,
    entries: Sequence[LedgerEntry] = (),
    outbox: Sequence[OutboxMessage] = (),
    *,
    used_coupons: Iterable[str] = (),
    created_at: dt.datetime | None = None,
    ledger_before: Sequence[LedgerEntry] | None = None,
) -> Balance | None:
    """Store a sale with its lines, payments, ledger entries, outbox rows and used coupons.

    Everything goes through ``session`` (one ``db.write()`` block), so it commits or rolls back
    as one. The ledger rows take member, terminal, store and cashier from the sale and
    ``created_at`` (default ``sale.at``). Checks that the records hang together first (payments
    add up to the total, entries belong to this sale, which has a member); a violation raises
    :class:`StoreDataError`. Returns the member's refreshed balance (None when anonymous),
    replayed from the ledger; ``ledger_before``, the member's ledger the caller read in this
    same transaction, saves reading it again (it is checked against the stored rows).
    """
    return insert_sale(
        _raw(session),
        sale,
        entries,
        outbox,
        used_coupons=used_coupons,
        created_at=created_at,
        ledger_before=ledger_before,
    )


def insert_sale(
    raw: sqlite3.Connection,
    sale: SaleRecord,
    entries: Sequence[LedgerEntry] = (),
    outbox: Sequence[OutboxMessage] = (),
    *,
    used_coupons: Iterable[str] = (),
    created_at: dt.datetime | None = None,
    ledger_before: Sequence[LedgerEntry] | None = None,
) -> Balance | None:
    """:func:`record_sale` on the DBAPI connection of a ``db.transaction()`` block."""
    _check_sale(sale, entries)
    with _constraints(f"sale {sale.id}"):
        return _insert_sale(
            raw,
            sale,
            entries,
            outbox,
            used_coupons=used_coupons,
            created_at=created_at,
            ledger_before=ledger_before,
        )


def _insert_sale(
    raw: sqlite3.Connection,
    sale: SaleRecord,
    entries: Sequence[LedgerEntry],
    outbox: Sequence[OutboxMessage],
    *,
    used_coupons: Iterable[str],
    created_at: dt.datetime | None,
    ledger_before: Sequence[LedgerEntry] | None,
) -> Balance | None:
    _insert_rows(raw, sale, entries, outbox, used_coupons=used_coupons, created_at=created_at)
    if sale.member is None:
        return None
    known = None if ledger_before is None else [*ledger_before, *entries]
    return _refresh(raw, sale.member, sale.at, known, purchase_at=format_ts(sale.at))


def insert_sale_rows(
    raw: sqlite3.Connection,
    sale: SaleRecord,
    entries: Sequence[LedgerEntry],
    outbox: Sequence[OutboxMessage],
    *,
    used_coupons: Sequence[str],
    created_at: dt.datetime,
) -> None:
    """The rows of :func:`insert_sale` (checked first), without the member's cached balance:
    the caller writes that (``tilldb.sales``)."""
    _check_sale(sale, entries)
    with _constraints(f"sale {sale.id}"):
        _insert_rows(raw, sale, entries, outbox, used_coupons=used_coupons, created_at=created_at)


def _insert_rows(
    raw: sqlite3.Connection,
    sale: SaleRecord,
    entries: Sequence[LedgerEntry],
    outbox: Sequence[OutboxMessage],
    *,
    used_coupons: Iterable[str],
    created_at: dt.datetime | None,
) -> None:
    at = format_ts(sale.at)
    raw.execute(
        "INSERT INTO sales (id, terminal, store, cashier, member, at, subtotal_fen, total_fen,"
        " status, original_sale_id, receipt_code, quote) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            sale.id,
            sale.terminal,
            sale.store,
            sale.cashier,
            sale.member,
            at,
            sale.subtotal_fen,
            sale.total_fen,
            sale.status,
            sale.original_sale_id,
            sale.receipt_code,
            dump_json(dict(sale.quote)),
        ),
    )
    raw.executemany(
        'INSERT INTO sale_lines (sale, "index", sku, name, qty, unit_price_fen, gross_fen,'
        " net_fen, discounts, points, growth) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                sale.id,
                line.index,
                line.sku,
                line.name,
                line.qty,
                line.unit_price_fen,
                line.gross_fen,
                line.net_fen,
                dump_json(dict(line.discounts)) if line.discounts else "{}",
                line.points,
                line.growth,
            )
            for line in sale.lines
        ],
    )
    raw.executemany(
        "INSERT INTO payments (sale, id, method, amount_fen, reference) VALUES (?, ?, ?, ?, ?)",
        [(sale.id, n, p.method, p.amount_fen, p.reference) for n, p in enumerate(sale.payments, 1)],
    )
    when = created_at or sale.at
    if entries:
        assert sale.member is not None
        _ledger_rows(raw, entries, sale.member, sale, when)
    _queue(raw, outbox, when)
    use_coupons(raw, sale.id, sale.member, list(used_coupons))


def _ledger_rows(
    raw: sqlite3.Connection,
    entries: Sequence[LedgerEntry],
    member: str,
    sale: SaleRecord,
    created_at: dt.datetime,
) -> None:
    created = format_ts(created_at)
    raw.executemany(
        _INSERT_LEDGER,
        [
            (
                e.id,
                member,
                e.kind,
                e.points,
                e.lot,
                format_ts(e.at),
                format_ts(e.available_at),
                _ts(e.expires_at),
                _ts(e.renews_until),
                e.sale_id,
                sale.terminal,
                sale.store,
                sale.cashier,
                e.reason,
                created,
            )
            for e in entries
        ],
    )


def insert_ledger_rows(
    raw: sqlite3.Connection,
    entries: Sequence[LedgerEntry],
    *,
    member: str,
    sale: SaleRecord,
    created_at: dt.datetime,
) -> None:
    """Ledger rows of ``member`` written by ``sale`` (its terminal, store and cashier), in one
    statement; entries may name another sale (a return's name the original)."""
    with _constraints(f"ledger of {sale.id}"):
        _ledger_rows(raw, entries, member, sale, created_at)


def use_coupons(
    raw: sqlite3.Connection, sale_id: str, member: str | None, codes: Sequence[str]
) -> None:
    """Mark member coupons used by ``sale_id`` (one statement); refused as a whole if one of
    them is unknown, not the member's, or used already."""
    if not codes:
        return
    cur = raw.executemany(
        "UPDATE member_coupons SET used_sale = ? WHERE code = ? AND member IS ? AND used_sale IS NULL",
        [(sale_id, code, member) for code in codes],
    )
    if cur.rowcount != len(codes):
        listed = ", ".join(repr(c) for c in codes)
        raise StoreDataError(
            f"sale {sale_id}: coupon {listed} is unknown, not this member's, or already used"
            if len(codes) == 1
            else f"sale {sale_id}: one of the coupons {listed} is unknown, not this member's,"
            " or already used"
        )


def _check_sale(sale: SaleRecord, entries: Sequence[LedgerEntry]) -> None:
    where = f"sale {sale.id}"
    paid = sum(p.amount_fen for p in sale.payments)
    if paid != sale.total_fen:
        raise StoreDataError(
            f"{where}: payments add up to {paid} fen, the total is {sale.total_fen}"
        )
    for p in sale.payments:
        if p.method not in PAYMENT_METHODS:
            raise StoreDataError(f"{where}: unknown payment method {p.method!r}")
    if not sale.lines:
        raise StoreDataError(f"{where}: a sale needs at least one line")
    if len({line.index for line in sale.lines}) != len(sale.lines):
        raise StoreDataError(f"{where}: two lines share an index")
    if entries and sale.member is None:
        raise StoreDataError(f"{where}: ledger entries need a member on the sale")
    for e in entries:
        if e.sale_id != sale.id:
            raise StoreDataError(f"{where}: ledger entry {e.id} belongs to sale {e.sale_id}")


def _sale_record(session: Session, sale: Sale | None) -> SaleRecord | None:
    """The stored sale with its lines and payments in order."""
    if sale is None:
        return None
    lines = session.scalars(
        select(SaleLine).where(SaleLine.sale == sale.id).order_by(SaleLine.index)
    )
    payments = session.scalars(select(Payment).where(Payment.sale == sale.id).order_by(Payment.id))
    return SaleRecord(
        id=SaleId(sale.id),
        terminal=TerminalId(sale.terminal),
        store=StoreId(sale.store),
        cashier=CashierId(sale.cashier),
        member=MemberId(sale.member) if sale.member is not None else None,
        at=sale.at,
        subtotal_fen=Fen(sale.subtotal_fen),
        total_fen=Fen(sale.total_fen),
        receipt_code=sale.receipt_code,
        lines=tuple(
            SaleLineRecord(
                index=ln.index,
                sku=ln.sku,
                qty=ln.qty,
                unit_price_fen=Fen(ln.unit_price_fen),
                gross_fen=Fen(ln.gross_fen),
                net_fen=Fen(ln.net_fen),
                name=ln.name,
                discounts=dict(ln.discounts),
                points=ln.points,
                growth=ln.growth,
            )
            for ln in lines
        ),
        payments=tuple(
            PaymentRecord(p.method, Fen(p.amount_fen), p.reference or "") for p in payments
        ),
        quote=sale.quote if isinstance(sale.quote, dict) else {},
        status=sale.status,
        original_sale_id=SaleId(sale.original_sale_id)
        if sale.original_sale_id is not None
        else None,
    )


def sale_by_id(session: Session, sale_id: str) -> SaleRecord | None:
    """The stored sale (or return) ``sale_id``, lines and payments included."""
    return _sale_record(session, session.get(Sale, sale_id))


def sale_by_receipt(session: Session, receipt_code: str) -> SaleRecord | None:
    """The stored sale (or return) numbered ``receipt_code``, lines and payments included."""
    return _sale_record(
        session, session.scalar(select(Sale).where(Sale.receipt_code == receipt_code))
    )


# --------------------------------------------------------------------------- outbox, cursors


def queue(session: Session, messages: Sequence[OutboxMessage], *, at: dt.datetime) -> None:
    """Queue messages for HQ; a duplicate ``(kind, ref_id)`` raises :class:`StoreDataError`."""
    with _constraints("outbox"):
        _queue(_raw(session), messages, at)


def _queue(raw: sqlite3.Connection, messages: Sequence[OutboxMessage], at: dt.datetime) -> None:
    if messages:
        created = format_ts(at)
        raw.executemany(
            "INSERT INTO outbox (kind, ref_id, payload, created_at) VALUES (?, ?, ?, ?)",
            [(m.kind, m.ref_id, dump_json(dict(m.payload)), created) for m in messages],
        )


def set_outbox_payload(session: Session, kind: str, ref_id: str, payload: object) -> None:
    """Replace the payload of the queued row ``(kind, ref_id)``."""
    _raw(session).execute(
        "UPDATE outbox SET payload = ? WHERE kind = ? AND ref_id = ?",
        (dump_json(payload), kind, ref_id),
    )


def outbox_pending(session: Session, limit: int = 100) -> list[PendingRow]:
    """The first ``limit`` unsent outbox rows, oldest first."""
    rows = session.scalars(
        select(OutboxRow).where(OutboxRow.sent_at.is_(None)).order_by(OutboxRow.id).limit(limit)
    )
    return [PendingRow(r.id, r.kind, r.ref_id, r.payload) for r in rows]


def outbox_pending_count(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.sent_at.is_(None))
        )
        or 0
    )


def outbox_mark_sent(session: Session, ids: Iterable[int], at: dt.datetime) -> int:
    """Mark rows as acknowledged by HQ; already-sent rows keep their first time. Returns count."""
    id_list = list(ids)
    if not id_list:
        return 0
    result = session.execute(
        update(OutboxRow)
        .where(OutboxRow.id.in_(id_list), OutboxRow.sent_at.is_(None))
        .values(sent_at=at)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def table_counts(session: Session) -> dict[str, int]:
    """Row counts per table (reports, tests)."""
    return {
        name: int(session.scalar(select(func.count()).select_from(table)) or 0)
        for name, table in Base.metadata.tables.items()
    }


def points_redeemed_since(raw: sqlite3.Connection, member_id: str, since: dt.datetime) -> int:
    """Points the member redeemed at this till from ``since`` on (a positive number)."""
    row = raw.execute(
        "SELECT coalesce(sum(points), 0) FROM ledger_entries"
        " WHERE member = ? AND kind = 'redeem' AND at >= ?",
        (member_id, format_ts(since)),
    ).fetchone()
    return -int(row[0])


def next_receipt_code(raw: sqlite3.Connection, prefix: str) -> str:
    """The next free ``prefix + NNNN`` receipt code: after the highest one with ``prefix``,
    found through the unique index on the code (a few index steps, however many sales the
    day already has)."""
    last = 0
    width = 4
    # The number after the highest all-digit code is free, unless a code of another shape
    # sorted highest (then each candidate is looked up).
    beyond_all = True
    while True:
        # Codes of one width sort like their numbers; walk down from the highest of that width.
        row = raw.execute(
            "SELECT receipt_code FROM sales WHERE receipt_code BETWEEN ? AND ?"
            " AND length(receipt_code) = ? ORDER BY receipt_code DESC LIMIT 1",
            (prefix + "0" * width, prefix + "9" * width, len(prefix) + width),
        ).fetchone()
        if row is None:
            break
        if not row[0][len(prefix) :].isdigit():
            beyond_all = False
            break
        last = int(row[0][len(prefix) :])
        if last < 10**width - 1:
            break
        width += 1
    if beyond_all:
        return f"{prefix}{last + 1:04d}"
    n = last
    while True:
        n += 1
        code = f"{prefix}{n:04d}"
        taken = raw.execute(
            "SELECT EXISTS (SELECT 1 FROM sales WHERE receipt_code = ?)", (code,)
        ).fetchone()[0]
        if not taken:
            return code
