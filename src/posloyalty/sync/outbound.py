"""Outbox rows -> protocol push items, built from the stored rows each outbox row refers to.

An outbox row names what it is about (``kind``, ``ref_id``); its own payload format is only
used where the database holds nothing better (the sealed personal data of a registration, the
ids of ledger entries an operation wrote). Each row becomes one or more items, always pushed
together and marked sent together:

- a sale or return (``ref_id`` is a row of ``sales``): the sale with its lines and payments,
  the ledger entries it wrote, and the member coupons it used;
- a ledger entry (``ref_id`` is a row of ``ledger_entries``): the entry and the sibling entries
  the same operation wrote (same member, kind, time and write time);
- a registration: the member's registration with phone and name opened from the sealed payload,
  and the welcome coupons the terminal gave the member;
- a card (``ref_id`` is the card's own id): the static card a till printed, by its token digest
  and with the digests it replaces, from the row's payload;
- any row: the ledger entries its payload lists by id (``entries`` / ``entry``).

Payloads are a pure function of the stored rows and the enrolled store and terminal ids, so a
retried item is byte-for-byte the item HQ already has (a ``duplicate``, never a ``conflict``).
A row that cannot be turned into valid items is reported as a :class:`RowProblem`, never
dropped or marked sent.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from posloyalty.sync.protocol import PAYLOAD_MODELS, PushItem
from posloyalty.tilldb.confirmation import STORED_PENDING_UNTIL_CONFIRMED
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
class PendingRow:
    """An outbox row (as read for pushing)."""

    id: int
    kind: str
    ref_id: str
    payload: Any


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


def _in(values: Sequence[str]) -> str:
    return ", ".join("?" * len(values))


def _chunks(values: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


_LEDGER_COLS = (
    "id, member, kind, points, lot, at, available_at, expires_at, renews_until, sale_id,"
    " reason, created_at"
)


class _Loaded:
    """The stored rows a set of outbox rows refers to, loaded with a few queries."""

    def __init__(self, session: Session, rows: Sequence[PendingRow]) -> None:
        self.conn = session.connection()
        refs = sorted({r.ref_id for r in rows})
        self.sales: dict[str, tuple[Any, ...]] = {}
        self.lines: dict[str, list[tuple[Any, ...]]] = {}
        self.payments: dict[str, list[tuple[Any, ...]]] = {}
        self.coupons: dict[str, list[tuple[Any, ...]]] = {}
        self.ledger: dict[str, tuple[Any, ...]] = {}
        self.sale_entries: dict[str, list[str]] = {}
        for part in _chunks(refs):
            for row in self.conn.exec_driver_sql(
                "SELECT id, store, cashier, member, at, subtotal_fen, total_fen, status,"
                f" original_sale_id, receipt_code, quote FROM sales WHERE id IN ({_in(part)})",
                tuple(part),
            ):
                self.sales[row[0]] = tuple(row)
        sale_ids = sorted(self.sales)
        for part in _chunks(sale_ids):
            args = tuple(part)
            for row in self.conn.exec_driver_sql(
                'SELECT sale, "index", sku, qty, unit_price_fen, gross_fen, net_fen, points,'
                f' growth FROM sale_lines WHERE sale IN ({_in(part)}) ORDER BY sale, "index"',
                args,
            ):
                self.lines.setdefault(row[0], []).append(tuple(row[1:]))
            for row in self.conn.exec_driver_sql(
                "SELECT sale, method, amount_fen, reference FROM payments"
                f" WHERE sale IN ({_in(part)}) ORDER BY sale, id",
                args,
            ):
                self.payments.setdefault(row[0], []).append(tuple(row[1:]))
            for row in self.conn.exec_driver_sql(
                "SELECT used_sale, code, member FROM member_coupons"
                f" WHERE used_sale IN ({_in(part)}) ORDER BY code",
                args,
            ):
                self.coupons.setdefault(row[0], []).append(tuple(row[1:]))
            for row in self.conn.exec_driver_sql(
                f"SELECT sale_id, id FROM ledger_entries WHERE sale_id IN ({_in(part)})", args
            ):
                self.sale_entries.setdefault(row[0], []).append(row[1])
        wanted = set(refs)
        for r in rows:
            wanted.update(_listed_entry_ids(r.payload))
        for ids in self.sale_entries.values():
            wanted.update(ids)
        self.load_ledger(sorted(wanted))

    def load_ledger(self, ids: Sequence[str]) -> None:
        missing = [i for i in ids if i not in self.ledger]
        for part in _chunks(missing):
            for row in self.conn.exec_driver_sql(
                f"SELECT {_LEDGER_COLS} FROM ledger_entries WHERE id IN ({_in(part)})", tuple(part)
            ):
                self.ledger[row[0]] = tuple(row)

    def return_entries(self, original: str, at: str) -> list[str]:
        """Entries a return wrote: they name the original sale and carry the return's time."""
        ids = [
            r[0]
            for r in self.conn.exec_driver_sql(
                "SELECT id FROM ledger_entries WHERE sale_id = ? AND at = ?", (original, at)
            )
        ]
        self.load_ledger(ids)
        return ids

    def siblings(self, entry: tuple[Any, ...]) -> list[str]:
        """Entries the same operation wrote (one per lot): same member, kind, time, write."""
        ids = [
            r[0]
            for r in self.conn.exec_driver_sql(
                "SELECT id FROM ledger_entries WHERE member = ? AND kind = ? AND at = ?"
                " AND created_at = ?",
                (entry[1], entry[2], entry[5], entry[11]),
            )
        ]
        self.load_ledger(ids)
        return ids


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


def _entry_payload(row: tuple[Any, ...], sender: Sender) -> dict[str, Any]:
    (_id, member, kind, points, lot, at, available_at, expires_at, renews_until, sale_id) = row[:10]
    return {
        "store_id": sender.store_id,
        "terminal_id": sender.terminal_id,
        "member_id": member,
        "kind": kind,
        "points": int(points),
        "at": _iso(at),
        "lot": lot,
        "available_at": WIRE_PENDING_UNTIL_CONFIRMED
        if available_at == STORED_PENDING_UNTIL_CONFIRMED
        else _iso(available_at),
        "expires_at": _iso(expires_at),
        "renews_until": _iso(renews_until),
        "sale_id": sale_id,
        "reason": row[10],
    }


def _sale_payload(loaded: _Loaded, sale: tuple[Any, ...], sender: Sender) -> dict[str, Any]:
    (sale_id, store, cashier, member, at, subtotal, total, status, original, receipt, quote) = sale
    if store != sender.store_id:
        raise _Unusable(
            f"the sale was recorded for store {store}, but this terminal is enrolled at store "
            f"{sender.store_id}"
        )
    try:
        quote_data = json.loads(quote) if quote else {}
    except ValueError:
        quote_data = {}
    full = bool(original) and isinstance(quote_data, dict) and quote_data.get("full") is True
    payload: dict[str, Any] = {
        "store_id": sender.store_id,
        "terminal_id": sender.terminal_id,
        "member_id": member,
        "cashier": cashier,
        "at": _iso(at),
        "total_fen": int(total),
        "subtotal_fen": int(subtotal),
        "original_sale_id": original,
        "full_return": full,
        "status": status,
        "receipt_code": receipt,
        "lines": [
            {
                "index": int(index),
                "sku": sku,
                "qty": int(qty),
                "unit_price_fen": int(unit),
                "gross_fen": int(gross),
                "net_fen": int(net),
                "points": int(points),
                "growth": int(growth),
            }
            for index, sku, qty, unit, gross, net, points, growth in loaded.lines.get(sale_id, [])
        ],
        "payments": [
            {"method": method, "amount_fen": int(amount), "reference": reference}
            for method, amount, reference in loaded.payments.get(sale_id, [])
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
    loaded: _Loaded, row: PendingRow, sender: Sender, vault: Vault | None
) -> list[PushItem]:
    items: list[PushItem] = []
    entry_ids: list[str] = []
    if row.kind == "registration":
        items.append(_item("registration", row.ref_id, _registration_payload(row, sender, vault)))
    sale = loaded.sales.get(row.ref_id)
    if sale is not None:
        items.append(_item("sale", sale[0], _sale_payload(loaded, sale, sender)))
        entry_ids += loaded.sale_entries.get(sale[0], [])
        if sale[8] is not None:
            entry_ids += loaded.return_entries(sale[8], sale[4])
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
        for code, member in loaded.coupons.get(sale[0], []):
            use = {
                "store_id": sender.store_id,
                "terminal_id": sender.terminal_id,
                "coupon": code,
                "member_id": member,
                "sale_id": sale[0],
                "at": _iso(sale[4]),
            }
            items.append(_item("coupon_use", derived_id(sale[0], "coupon:" + code), use))
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
    session: Session, rows: Sequence[PendingRow], sender: Sender, vault: Vault | None
) -> tuple[list[OutboundRow], list[RowProblem]]:
    """Push items for each outbox row (in order), and the rows that cannot be pushed."""
    loaded = _Loaded(session, rows)
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
