"""HQ's signed balance confirmations: the till lifts its offline redemption cap only on these.

HQ holds an Ed25519 key pair (made on first use, kept in HQ's settings); its public key goes to
each till at enrolment. Every member a pull page carries comes with a
:class:`~posloyalty.sync.protocol.BalanceConfirmation` for the pulling till: the member's
available points and the page's time, signed. A till cannot make one itself, so editing its
database cannot lift the cap.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy.orm import Session

from posloyalty.hq.changes import Page
from posloyalty.hq.models import Setting
from posloyalty.sync.protocol import BalanceConfirmation, confirmation_message

__all__ = ["SIGNING_KEY_SETTING", "confirm_page", "public_key_hex", "signing_key"]

SIGNING_KEY_SETTING = "balance_signing_key"


def signing_key(session: Session) -> Ed25519PrivateKey:
    """HQ's signing key, made (and stored) on first use."""
    row = session.get(Setting, SIGNING_KEY_SETTING)
    if row is None:
        key = Ed25519PrivateKey.generate()
        raw = key.private_bytes_raw()
        row = Setting(key=SIGNING_KEY_SETTING, value=raw.hex())
        session.add(row)
        session.flush()
        return key
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(row.value))


def public_key_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _members(page: Page) -> Iterable[tuple[str, int]]:
    for _seq, kind, key, data in page.changes:
        if kind == "member" and data:
            value = json.loads(data)
            if isinstance(value, dict) and isinstance(value.get("points_available"), int):
                yield key, int(value["points_available"])
    for kind, fields_json, rows in page.tables or []:
        if kind != "member":
            continue
        fields = json.loads(fields_json)
        if "points_available" not in fields:
            continue
        at = fields.index("points_available")
        for _seq, key, values in rows:
            points = json.loads(values)[at]
            if isinstance(points, int):
                yield key, points


def confirm_page(
    key: Ed25519PrivateKey, page: Page, terminal_id: str, as_of: dt.datetime
) -> list[BalanceConfirmation]:
    """A signed confirmation of each member on the page, for ``terminal_id`` as of ``as_of``."""
    out = []
    for member_id, balance in _members(page):
        message = confirmation_message(member_id, balance, as_of, terminal_id)
        out.append(
            BalanceConfirmation(
                member_id=member_id,
                balance=balance,
                as_of=as_of,
                terminal_id=terminal_id,
                signature=key.sign(message).hex(),
            )
        )
    return out
