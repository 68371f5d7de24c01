"""The outbound reader: unsent outbox rows and the stored rows they refer to (sales with their
lines, payments and used coupons; ledger entries), read with a few set-based queries and handed
out as frozen dataclasses. ``sync/outbound.py`` turns them into push items."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

__all__ = [
    "OutboxReader",
    "PendingRow",
    "StoredCouponUse",
    "StoredEntry",
    "StoredLine",
    "StoredPayment",
    "StoredSale",
    "pending_rows",
]


@dataclass(frozen=True, slots=True)
class PendingRow:
    """An outbox row (as read for pushing); ``payload`` decoded (None if it is not JSON)."""

    id: int
    kind: str
    ref_id: str
    payload: Any


@dataclass(frozen=True, slots=True)
class StoredSale:
    """A row of ``sales``; instants are the stored text (UTC)."""

    id: str
    store: str
    cashier: str
    member: str | None
    at: str
    subtotal_fen: int
    total_fen: int
    status: str
    original_sale_id: str | None
    receipt_code: str | None
    quote: str | None


@dataclass(frozen=True, slots=True)
class StoredLine:
    index: int
    sku: str
    qty: int
    unit_price_fen: int
    gross_fen: int
    net_fen: int
    points: int
    growth: int


@dataclass(frozen=True, slots=True)
class StoredPayment:
    method: str
    amount_fen: int
    reference: str | None


@dataclass(frozen=True, slots=True)
class StoredCouponUse:
    code: str
    member: str | None


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """A row of ``ledger_entries``; instants are the stored text (UTC)."""

    id: str
    member: str
    kind: str
    points: int
    lot: str
    at: str
    available_at: str | None
    expires_at: str | None
    renews_until: str | None
    sale_id: str | None
    reason: str | None
    created_at: str


def pending_rows(session: Session, *, after_id: int = 0, limit: int = 500) -> list[PendingRow]:
    """Unsent outbox rows with ``id > after_id``, oldest first."""
    rows = session.connection().exec_driver_sql(
        "SELECT id, kind, ref_id, payload FROM outbox WHERE sent_at IS NULL AND id > ?"
        " ORDER BY id LIMIT ?",
        (after_id, limit),
    )
    out = []
    for id_, kind, ref_id, payload in rows:
        try:
            decoded = json.loads(payload)
        except ValueError:
            decoded = None
        out.append(PendingRow(int(id_), str(kind), str(ref_id), decoded))
    return out


def _in(values: Sequence[str]) -> str:
    return ", ".join("?" * len(values))


def _chunks(values: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


_LEDGER_COLS = (
    "id, member, kind, points, lot, at, available_at, expires_at, renews_until, sale_id,"
    " reason, created_at"
)


class OutboxReader:
    """The stored rows a set of outbox rows refers to: ``refs`` (sales or ledger entries by
    id) and the ledger entries ``entry_ids`` names; more entries load on demand."""

    def __init__(self, session: Session, refs: Iterable[str], entry_ids: Iterable[str]) -> None:
        self._conn = session.connection()
        wanted_refs = sorted(set(refs))
        self.sales: dict[str, StoredSale] = {}
        self.lines: dict[str, list[StoredLine]] = {}
        self.payments: dict[str, list[StoredPayment]] = {}
        self.coupons: dict[str, list[StoredCouponUse]] = {}
        self.ledger: dict[str, StoredEntry] = {}
        self.sale_entries: dict[str, list[str]] = {}
        for part in _chunks(wanted_refs):
            for row in self._conn.exec_driver_sql(
                "SELECT id, store, cashier, member, at, subtotal_fen, total_fen, status,"
                f" original_sale_id, receipt_code, quote FROM sales WHERE id IN ({_in(part)})",
                tuple(part),
            ):
                self.sales[row[0]] = StoredSale(*row)
        sale_ids = sorted(self.sales)
        for part in _chunks(sale_ids):
            args = tuple(part)
            for row in self._conn.exec_driver_sql(
                'SELECT sale, "index", sku, qty, unit_price_fen, gross_fen, net_fen, points,'
                f' growth FROM sale_lines WHERE sale IN ({_in(part)}) ORDER BY sale, "index"',
                args,
            ):
                self.lines.setdefault(row[0], []).append(StoredLine(*row[1:]))
            for row in self._conn.exec_driver_sql(
                "SELECT sale, method, amount_fen, reference FROM payments"
                f" WHERE sale IN ({_in(part)}) ORDER BY sale, id",
                args,
            ):
                self.payments.setdefault(row[0], []).append(StoredPayment(*row[1:]))
            for row in self._conn.exec_driver_sql(
                "SELECT used_sale, code, member FROM member_coupons"
                f" WHERE used_sale IN ({_in(part)}) ORDER BY code",
                args,
            ):
                self.coupons.setdefault(row[0], []).append(StoredCouponUse(*row[1:]))
            for row in self._conn.exec_driver_sql(
                f"SELECT sale_id, id FROM ledger_entries WHERE sale_id IN ({_in(part)})", args
            ):
                self.sale_entries.setdefault(row[0], []).append(row[1])
        wanted = set(wanted_refs) | set(entry_ids)
        for ids in self.sale_entries.values():
            wanted.update(ids)
        self.load_ledger(sorted(wanted))

    def load_ledger(self, ids: Sequence[str]) -> None:
        missing = [i for i in ids if i not in self.ledger]
        for part in _chunks(missing):
            for row in self._conn.exec_driver_sql(
                f"SELECT {_LEDGER_COLS} FROM ledger_entries WHERE id IN ({_in(part)})", tuple(part)
            ):
                self.ledger[row[0]] = StoredEntry(*row)

    def return_entries(self, sale: StoredSale) -> list[str]:
        """Entries a return wrote: they name the original sale and carry the return's time."""
        ids = [
            r[0]
            for r in self._conn.exec_driver_sql(
                "SELECT id FROM ledger_entries WHERE sale_id = ? AND at = ?",
                (sale.original_sale_id, sale.at),
            )
        ]
        self.load_ledger(ids)
        return ids

    def siblings(self, entry: StoredEntry) -> list[str]:
        """Entries the same operation wrote (one per lot): same member, kind, time, write."""
        ids = [
            r[0]
            for r in self._conn.exec_driver_sql(
                "SELECT id FROM ledger_entries WHERE member = ? AND kind = ? AND at = ?"
                " AND created_at = ?",
                (entry.member, entry.kind, entry.at, entry.created_at),
            )
        ]
        self.load_ledger(ids)
        return ids
