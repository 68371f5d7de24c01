"""The till's hash chain over its sales, ledger entries and audit log: one encoding, both sides.

Each chained row has a sequence number (1, 2, ...) and a link: HMAC-SHA256 under the till's
chain key over the row's sequence number, kind, id, the previous link and the SHA-256 of the
row's canonical content. The till writes the link in the same transaction as the row; HQ
recomputes it from the pushed item (whose payload carries every field hashed here) and checks
that the links follow each other. Editing, deleting, inserting or reordering a row breaks a
link, and a link cannot be recomputed without the key, which is kept outside the database.

The content is a canonical JSON array of primitive values: instants as whole microseconds since
the Unix epoch (``"pending"`` for the "until HQ confirms" marker, any instant from the year 2200
on), so the till's stored text and HQ's parsed datetimes encode alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from posloyalty.jsontext import canonical_json

__all__ = [
    "GENESIS",
    "audit_content",
    "content_digest",
    "entry_content",
    "instant",
    "link",
    "sale_content",
]

#: The "previous link" of the first row.
GENESIS = "0" * 64
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_PENDING_FROM = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
_LINK_PREFIX = b"posloyalty/chain/v1\x00"
_MICROSECOND = dt.timedelta(microseconds=1)
_EPOCH_DAY = _EPOCH.toordinal()
_PENDING_MICROS = (_PENDING_FROM - _EPOCH) // _MICROSECOND


def instant(value: dt.datetime | None) -> int | str | None:
    """An instant as the chain encodes it (aware datetimes only)."""
    if value is None:
        return None
    offset = value.utcoffset()  # also None when tzinfo is None
    if offset is None:
        raise ValueError(f"the chain encodes aware instants only, got {value!r}")
    # From the fields and the offset read once: datetime arithmetic asks the tzinfo for the
    # offset again at every step (pydantic's tzinfo makes that three times the cost).
    micros = (
        (value.toordinal() - _EPOCH_DAY) * 86_400_000_000
        + ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000
        + value.microsecond
        - offset // _MICROSECOND
    )
    return "pending" if micros >= _PENDING_MICROS else micros


def _canonical(values: Sequence[Any]) -> bytes:
    # The content is an array: sorting keys changes only a quote's basket (the one object in
    # it), so the one canonical encoder (built once, posloyalty.jsontext) spells it as ever.
    return canonical_json(list(values)).encode("utf-8")


def sale_content(
    *,
    member_id: str | None,
    at: dt.datetime,
    total_fen: int,
    subtotal_fen: int,
    original_sale_id: str | None,
    receipt_code: str,
    lines: Sequence[Mapping[str, Any]],
    payments: Sequence[Mapping[str, Any]],
    quoted: Mapping[str, Any],
) -> bytes:
    """A sale's canonical content: the row, its lines and payments (as the push carries them:
    lines with index, sku, qty, unit_price_fen, gross_fen, net_fen, points, growth; payments
    with method, amount_fen, reference) and what the push takes from its quote (``quoted``:
    basket, rules, member_code when present)."""
    quoted_part = {k: quoted[k] for k in ("basket", "rules", "member_code") if quoted.get(k)}
    return _canonical(
        [
            "sale",
            member_id,
            instant(at),
            int(total_fen),
            int(subtotal_fen),
            original_sale_id,
            receipt_code,
            [
                [
                    int(ln["index"]),
                    str(ln["sku"]),
                    int(ln["qty"]),
                    int(ln["unit_price_fen"]),
                    int(ln["gross_fen"]),
                    int(ln["net_fen"]),
                    int(ln["points"]),
                    int(ln["growth"]),
                ]
                for ln in lines
            ],
            [[str(p["method"]), int(p["amount_fen"]), str(p["reference"])] for p in payments],
            quoted_part,
        ],
    )


def entry_content(
    *,
    member_id: str,
    kind: str,
    points: int,
    lot: str,
    at: dt.datetime,
    available_at: dt.datetime,
    expires_at: dt.datetime | None,
    renews_until: dt.datetime | None,
    sale_id: str | None,
    reason: str,
) -> bytes:
    """A ledger entry's canonical content."""
    return _canonical(
        [
            "ledger_entry",
            member_id,
            kind,
            int(points),
            lot,
            instant(at),
            instant(available_at),
            instant(expires_at),
            instant(renews_until),
            sale_id,
            reason,
        ]
    )


def audit_content(*, at: dt.datetime, cashier: str, action: str, detail: str) -> bytes:
    """An audit log row's canonical content (``detail`` as stored: JSON text). Audit rows are
    not pushed: HQ sees only their links, which keep the chain continuous through them."""
    return _canonical(["audit", instant(at), cashier, action, detail])


def content_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def link(key: bytes, seq: int, kind: str, row_id: str, prev: str, digest: str) -> str:  # noqa: PLR0917
    """The link of row ``seq``: HMAC-SHA256 (hex) under the till's chain key."""
    message = _LINK_PREFIX + f"{int(seq)}\x00{kind}\x00{row_id}\x00{prev}\x00{digest}".encode()
    return hmac.digest(key, message, "sha256").hex()
