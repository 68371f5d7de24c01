"""HQ's signed balance confirmations at the till: verified when pulled and again when used.

A confirmation (:class:`~posloyalty.sync.protocol.BalanceConfirmation`) is kept in
``balance_confirmations`` only if it verifies with HQ's public key (given at enrolment, kept
with the terminal credential, not in the database) and names this terminal. The offline
redemption cap reads :func:`confirmed_at`, which verifies the stored signature again: a row
edited or inserted by hand confirms nothing.
"""

from __future__ import annotations

import datetime as dt

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from posloyalty.sync.protocol import BalanceConfirmation, confirmation_message
from posloyalty.tilldb.confirmation import (
    StoredConfirmation,
    keep_confirmation,
    stored_confirmation,
)
from posloyalty.tilldb.db import TillConnection

__all__ = ["confirmed_at", "keep", "verifies"]


def verifies(conf: BalanceConfirmation, public_key: bytes, terminal_id: str) -> bool:
    """Whether HQ signed this confirmation for this terminal."""
    if conf.terminal_id != terminal_id:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            bytes.fromhex(conf.signature),
            confirmation_message(conf.member_id, conf.balance, conf.as_of, conf.terminal_id),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def keep(conn: TillConnection, conf: BalanceConfirmation) -> None:
    """Store a (verified) confirmation unless a later one is kept for the member."""
    keep_confirmation(
        conn,
        StoredConfirmation(
            conf.member_id, conf.balance, conf.as_of, conf.terminal_id, conf.signature
        ),
    )


def confirmed_at(
    conn: TillConnection, member_id: str, public_key: bytes | None, terminal_id: str
) -> dt.datetime | None:
    """When HQ last confirmed the member's balance to this terminal, by a signature that
    verifies now; None without HQ's key or such a confirmation."""
    if public_key is None:
        return None
    stored = stored_confirmation(conn, member_id)
    if stored is None:
        return None
    try:
        conf = BalanceConfirmation(
            member_id=member_id,
            balance=stored.balance,
            as_of=stored.as_of,
            terminal_id=stored.terminal,
            signature=stored.signature,
        )
    except ValueError:
        return None
    return conf.as_of if verifies(conf, public_key, terminal_id) else None
