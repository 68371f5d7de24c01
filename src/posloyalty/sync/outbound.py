"""Outbox rows -> protocol push items, built from the stored rows each outbox row refers to.

An outbox row names what it is about (``kind``, ``ref_id``); its own payload format is only
used where the database holds nothing better (the sealed personal data of a registration, a
printed card). The row of a sale, a return, an adjustment, an expiry or welcome points is only
that reference (an empty payload; ``tilldb/sales.py`` for sales and returns): everything HQ
receives for it is read from the stored rows, so the outbox never holds a second copy. Each
row becomes one or more items, always pushed together and marked sent together:

- a sale or return (``ref_id`` is a row of ``sales``): the sale with its lines and payments,
  the ledger entries it wrote, and the member coupons it used;
- a ledger entry (``ref_id`` is a row of ``ledger_entries``): the entry and the sibling entries
  the same operation wrote (same member, kind, time and write time);
- a registration: the member's registration with phone and name opened from the sealed payload
  (and the cashier who signed them up, when the row has one),
  and the welcome coupons the terminal gave the member;
- a card (``ref_id`` is the card's own id): the static card a till printed, by its token digest
  and with the digests it replaces, from the row's payload;
- any row: the ledger entries its payload lists by id (``entries`` / ``entry``: the pull's
  own rows; rows queued by earlier versions list the operation's own entries there, which
  adds nothing new).

Payloads are a pure function of the stored rows and the enrolled store and terminal ids, so a
retried item is byte-for-byte the item HQ already has (a ``duplicate``, never a ``conflict``).
A row that cannot be turned into valid items is reported as a :class:`RowProblem`, never
dropped or marked sent.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "REGISTRATION_AAD",
    "WIRE_PENDING_UNTIL_CONFIRMED",
    "OutboundRow",
    "PendingRow",
    "RowProblem",
    "Sender",
    "build",
    "derived_id",
    "pending_rows",
]

from pydantic import ValidationError

from posloyalty.sync.protocol import PAYLOAD_MODELS, PushItem
from posloyalty.tilldb.confirmation import STORED_PENDING_UNTIL_CONFIRMED
from posloyalty.tilldb.db import TillSession
from posloyalty.tilldb.outbox_reader import (
    OutboxReader,
    PendingRow,
    StoredEntry,
    StoredSale,
    pending_rows,
)
from posloyalty.tilldb.types import parse_ts
from posloyalty.tilldb.vault import Vault, VaultError

#: What goes on the wire for ``available_at`` = tilldb.confirmation.PENDING_UNTIL_CONFIRMED (the
#: protocol accepts instants up to the year 2200 only). HQ sees the lot pending "for ever" until
#: the terminal releases it (a reverse and a new lot, see sync/inbound.py).
WIRE_PENDING_UNTIL_CONFIRMED = "2200-01-01T00:00:00+00:00"
#: Associated data of a registration's sealed phone and name (terminal/registration.py seals
#: them; the sync layer may not import terminal/, so the formula is repeated here).
REGISTRATION_AAD = "posloyalty/registration\x00"


@dataclass(frozen=True, slots=True)
class Sender:
    """Who pushes: the store and terminal ids HQ issued at enrolment."""

    store_id: str
    terminal_id: str


@dataclass(frozen=True, slots=True)
class OutboundRow:
    """An outbox row and the items that carry it; it is sent when HQ acknowledged them all."""

    outbox_id: int
    kind: str
    ref_id: str
    items: tuple[PushItem, ...]

    @property
    def size(self) -> int:
        """Approximate bytes of the items in a push body."""
        return sum(len(i.canonical_payload.encode("utf-8")) + 120 for i in self.items)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """An outbox row that cannot be pushed as it is; it stays pending."""

    outbox_id: int
    kind: str
    ref_id: str
    reason: str


class _Unusable(ValueError):
    pass


def derived_id(base: str, salt: str) -> str:
    """A stable UUIDv7 for an item that has no id of its own (a coupon use of a sale): the
    time of ``base`` (when it is a UUIDv7) and bits of SHA-256(base, salt)."""
    try:
        parsed = uuid.UUID(base)
        ms = parsed.int >> 80 if parsed.version == 7 else 0
    except ValueError:
        ms = 0
    digest = int.from_bytes(hashlib.sha256(f"{base}\x00{salt}".encode()).digest()[:10], "big")
    rand_a = digest >> 68
    rand_b = digest & ((1 << 62) - 1)
    return str(uuid.UUID(int=(ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b))


def _iso(text: str | None) -> str | None:
    return None if text is None else parse_ts(text).isoformat()


def _listed_entry_ids(payload: Any) -> list[str]:
    """Ledger entry ids an outbox payload lists (``entries: [{id}]`` or ``entry: {id}``)."""
    if not isinstance(payload, Mapping):
        return []
    found: list[Any] = []
    entries = payload.get("entries")
    if isinstance(entries, list):
        found += entries
    if isinstance(payload.get("entry"), Mapping):
        found.append(payload["entry"])
    return [str(e["id"]) for e in found if isinstance(e, Mapping) and isinstance(e.get("id"), str)]


def _entry_payload(entry: StoredEntry, sender: Sender) -> dict[str, Any]:
    return {
        "store_id": sender.store_id,
        "terminal_id": sender.terminal_id,
        "member_id": entry.member,
        "kind": entry.kind,
        "points": int(entry.points),
        "at": _iso(entry.at),
        "lot": entry.lot,
        "available_at": WIRE_PENDING_UNTIL_CONFIRMED
        if entry.available_at == STORED_PENDING_UNTIL_CONFIRMED
        else _iso(entry.available_at),
        "expires_at": _iso(entry.expires_at),
        "renews_until": _iso(entry.renews_until),
        "sale_id": entry.sale_id,
        "reason": entry.reason,
    }


def _sale_payload(loaded: OutboxReader, sale: StoredSale, sender: Sender) -> dict[str, Any]:
    if sale.store != sender.store_id:
        raise _Unusable(
            f"the sale was recorded for store {sale.store}, but this terminal is enrolled at "
            f"store {sender.store_id}"
        )
    try:
        quote_data = json.loads(sale.quote) if sale.quote else {}
    except ValueError:
        quote_data = {}
    original = sale.original_sale_id
    full = bool(original) and isinstance(quote_data, dict) and quote_data.get("full") is True
    payload: dict[str, Any] = {
        "store_id": sender.store_id,
        "terminal_id": sender.terminal_id,
        "member_id": sale.member,
        "cashier": sale.cashier,
        "at": _iso(sale.at),
        "total_fen": int(sale.total_fen),
        "subtotal_fen": int(sale.subtotal_fen),
        "original_sale_id": original,
        "full_return": full,
        "status": sale.status,
        "receipt_code": sale.receipt_code,
        "lines": [
            {
                "index": int(ln.index),
                "sku": ln.sku,
                "qty": int(ln.qty),
                "unit_price_fen": int(ln.unit_price_fen),
                "gross_fen": int(ln.gross_fen),
                "net_fen": int(ln.net_fen),
                "points": int(ln.points),
                "growth": int(ln.growth),
            }
            for ln in loaded.lines.get(sale.id, [])
        ],
        "payments": [
            {"method": p.method, "amount_fen": int(p.amount_fen), "reference": p.reference}
            for p in loaded.payments.get(sale.id, [])
        ],
    }
    # Only when stored (older sales have none): their payloads stay byte-identical.
    if isinstance(quote_data, dict):
        for key in ("basket", "rules", "member_code"):
            if quote_data.get(key):
                payload[key] = quote_data[key]
    return payload


def _registration_payload(row: PendingRow, sender: Sender, vault: Vault | None) -> dict[str, Any]:
    payload = row.payload
    if not isinstance(payload, Mapping) or not isinstance(payload.get("provisional_id"), str):
        raise _Unusable("the registration names no provisional member id")
    provisional = str(payload["provisional_id"])
    if "sealed_pii" in payload:
        if vault is None:
            raise _Unusable("the registration is sealed, but this terminal has no key to open it")
        try:
            pii = json.loads(
                vault.open_text(str(payload["sealed_pii"]), REGISTRATION_AAD + provisional)
            )
        except (VaultError, ValueError) as exc:
            raise _Unusable(f"the sealed phone and name do not open ({exc})") from None
        if not isinstance(pii, Mapping):
            raise _Unusable("the sealed phone and name are damaged")
        phone, name = pii.get("phone"), pii.get("name", "")
        birthday = pii.get("birthday", payload.get("birthday"))
    else:
        phone, name = payload.get("phone"), payload.get("name", "")
        birthday = payload.get("birthday")
    wire = {
        "store_id": sender.store_id,
        "terminal_id": sender.terminal_id,
        "provisional_id": provisional,
        "phone": phone,
        "name": name or "",
        "birthday": birthday,
        "consent": payload.get("consent"),
        "at": payload.get("at"),
    }
    if "coupons" in payload:  # only then: a row queued before carries the same item as ever
        wire["coupons"] = payload["coupons"]
    if payload.get("cashier"):  # likewise: rows queued before the cashier was recorded
        wire["cashier"] = payload["cashier"]
    return wire


def _item(kind: str, item_id: str, payload: dict[str, Any]) -> PushItem:
    try:
        PAYLOAD_MODELS[kind].model_validate(payload)
        return PushItem(kind=kind, id=item_id, payload=payload)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or kind
        raise _Unusable(f"{kind} {item_id}: {where}: {first['msg']}") from None


def _row_items(
    loaded: OutboxReader, row: PendingRow, sender: Sender, vault: Vault | None
) -> list[PushItem]:
    items: list[PushItem] = []
    entry_ids: list[str] = []
    if row.kind == "registration":
        items.append(_item("registration", row.ref_id, _registration_payload(row, sender, vault)))
    sale = loaded.sales.get(row.ref_id)
    if sale is not None:
        items.append(_item("sale", sale.id, _sale_payload(loaded, sale, sender)))
        entry_ids += loaded.sale_entries.get(sale.id, [])
        if sale.original_sale_id is not None:
            entry_ids += loaded.return_entries(sale)
    entry = loaded.ledger.get(row.ref_id)
    if entry is not None:
        entry_ids += loaded.siblings(entry)
    listed = _listed_entry_ids(row.payload)
    unknown = [i for i in listed if i not in loaded.ledger]
    if unknown:
        raise _Unusable(f"the row lists ledger entries this terminal does not hold: {unknown[:3]}")
    entry_ids += listed
    for entry_id in sorted(set(entry_ids)):
        items.append(
            _item("ledger_entry", entry_id, _entry_payload(loaded.ledger[entry_id], sender))
        )
    if sale is not None:
        for used in loaded.coupons.get(sale.id, []):
            use = {
                "store_id": sender.store_id,
                "terminal_id": sender.terminal_id,
                "coupon": used.code,
                "member_id": used.member,
                "sale_id": sale.id,
                "at": _iso(sale.at),
            }
            items.append(_item("coupon_use", derived_id(sale.id, "coupon:" + used.code), use))
    if row.kind == "card" and isinstance(row.payload, Mapping):
        card = {"store_id": sender.store_id, "terminal_id": sender.terminal_id, **row.payload}
        items.append(_item("card", row.ref_id, card))
    if row.kind == "coupon_use" and isinstance(row.payload, Mapping) and sale is None:
        p = row.payload
        use = {
            "store_id": sender.store_id,
            "terminal_id": sender.terminal_id,
            "coupon": p.get("coupon"),
            "member_id": p.get("member_id"),
            "sale_id": p.get("sale_id"),
            "at": p.get("at"),
        }
        items.append(_item("coupon_use", row.ref_id, use))
    if not items:
        raise _Unusable(
            f"outbox row {row.kind} {row.ref_id} refers to nothing this terminal stores "
            "(no sale, ledger entry or registration)"
        )
    return items


def build(
    session: TillSession, rows: Sequence[PendingRow], sender: Sender, vault: Vault | None
) -> tuple[list[OutboundRow], list[RowProblem]]:
    """Push items for each outbox row (in order), and the rows that cannot be pushed."""
    listed = [entry_id for r in rows for entry_id in _listed_entry_ids(r.payload)]
    loaded = OutboxReader(session, (r.ref_id for r in rows), listed)
    built: list[OutboundRow] = []
    problems: list[RowProblem] = []
    for row in rows:
        try:
            items = _row_items(loaded, row, sender, vault)
        except _Unusable as exc:
            problems.append(RowProblem(row.id, row.kind, row.ref_id, str(exc)))
            continue
        built.append(OutboundRow(row.id, row.kind, row.ref_id, tuple(items)))
    return built, problems
