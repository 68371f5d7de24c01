"""Plain records the store accepts: a sale to record, ledger rows, outbox messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from posloyalty.domain.ids import CashierId, EntryId, LotId, MemberId, SaleId, StoreId, TerminalId
from posloyalty.domain.money import Fen
from posloyalty.domain.points import LedgerEntry


@dataclass(frozen=True, slots=True)
class SaleLineRecord:
    index: int
    sku: str
    qty: int
    unit_price_fen: Fen
    gross_fen: Fen
    net_fen: Fen
    name: str = ""
    #: Discount per kind in fen ({"tier": 120, "coupon": 500}).
    discounts: Mapping[str, int] = field(default_factory=dict)
    points: int = 0
    growth: int = 0


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    method: str
    amount_fen: Fen
    reference: str = ""


@dataclass(frozen=True, slots=True)
class SaleRecord:
    id: SaleId
    terminal: TerminalId
    store: StoreId
    cashier: CashierId
    member: MemberId | None
    at: dt.datetime
    subtotal_fen: Fen
    total_fen: Fen
    receipt_code: str
    lines: tuple[SaleLineRecord, ...]
    payments: tuple[PaymentRecord, ...]
    #: The quote the sale was priced with (JSON-able), kept for receipts and audits.
    quote: Mapping[str, Any] = field(default_factory=dict)
    status: str = "committed"
    original_sale_id: SaleId | None = None


@dataclass(frozen=True, slots=True)
class LedgerRecord:
    """One row of ``ledger_entries``: a domain ledger entry plus whose, where and by whom."""

    entry: LedgerEntry
    member: MemberId
    terminal: TerminalId
    store: StoreId
    cashier: CashierId
    #: When the row was written (the entry's own time is ``entry.at``).
    created_at: dt.datetime


def ledger_to_row(record: LedgerRecord) -> dict[str, Any]:
    """Column values of ``ledger_entries`` for a record (datetimes stay datetimes)."""
    e = record.entry
    return {
        "id": e.id,
        "member": record.member,
        "kind": e.kind,
        "points": e.points,
        "lot": e.lot,
        "at": e.at,
        "available_at": e.available_at,
        "expires_at": e.expires_at,
        "renews_until": e.renews_until,
        "sale_id": e.sale_id,
        "terminal": record.terminal,
        "store": record.store,
        "cashier": record.cashier,
        "reason": e.reason,
        "created_at": record.created_at,
    }


def ledger_from_row(row: Mapping[Any, Any], tz: dt.tzinfo | None = None) -> LedgerRecord:
    """The record for a ``ledger_entries`` row; instants come back in UTC unless ``tz`` is given."""

    def when(value: dt.datetime | None) -> dt.datetime | None:
        return value if value is None or tz is None else value.astimezone(tz)

    at = when(row["at"])
    available_at = when(row["available_at"])
    assert at is not None and available_at is not None
    entry = LedgerEntry(
        id=EntryId(row["id"]),
        kind=row["kind"],
        points=int(row["points"]),
        at=at,
        lot=LotId(row["lot"]),
        available_at=available_at,
        expires_at=when(row["expires_at"]),
        sale_id=SaleId(row["sale_id"]) if row["sale_id"] is not None else None,
        reason=row["reason"],
        renews_until=when(row["renews_until"]),
    )
    return LedgerRecord(
        entry=entry,
        member=MemberId(row["member"]),
        terminal=TerminalId(row["terminal"]),
        store=StoreId(row["store"]),
        cashier=CashierId(row["cashier"]),
        created_at=row["created_at"],
    )


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A row for HQ: ``(kind, ref_id)`` is unique, so queueing twice is refused."""

    kind: str
    ref_id: str
    payload: Mapping[str, Any]
