"""Plain records the store accepts: a sale to record, ledger rows, outbox messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from posloyalty.domain.ids import CashierId, EntryId, LotId, MemberId, SaleId, StoreId, TerminalId
from posloyalty.domain.money import Fen


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
    """One row of ``ledger_entries``: a domain ledger entry plus where and by whom."""

    id: EntryId
    member: MemberId
    kind: str
    points: int
    at: dt.datetime
    available_at: dt.datetime
    terminal: TerminalId
    store: StoreId
    cashier: CashierId
    created_at: dt.datetime
    lot: LotId | None = None
    expires_at: dt.datetime | None = None
    sale_id: SaleId | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A row for HQ: ``(kind, ref_id)`` is unique, so queueing twice is refused."""

    kind: str
    ref_id: str
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Balance:
    """Ledger sums for one member at an instant: usable now, and earned but not yet available."""

    available: int
    pending: int
