"""HQ's balance-confirmation signing for till-only tests (no HQ server running).

A real Ed25519 key stands in for HQ's: its public half is kept with the till's credential the
way enrolment keeps HQ's (``save_hq_key``), and each confirmation is signed over the protocol's
``confirmation_message`` and stored through the same ``confirmations.keep`` the sync client
uses, so the till verifies it exactly as it verifies HQ's.
"""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from posloyalty.sync import confirmations
from posloyalty.sync.client import save_hq_key
from posloyalty.sync.protocol import BalanceConfirmation, confirmation_message
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database

__all__ = ["HQ_TEST_KEY", "confirm_balance", "signed"]

HQ_TEST_KEY = Ed25519PrivateKey.generate()


def signed(
    member_id: str,
    at: dt.datetime,
    terminal_id: str,
    *,
    balance: int = 0,
    key: Ed25519PrivateKey = HQ_TEST_KEY,
) -> BalanceConfirmation:
    message = confirmation_message(member_id, balance, at, terminal_id)
    return BalanceConfirmation(
        member_id=member_id,
        balance=balance,
        as_of=at,
        terminal_id=terminal_id,
        signature=key.sign(message).hex(),
    )


def confirm_balance(db: Database, member_id: str, at: dt.datetime, *, balance: int = 0) -> None:
    """HQ confirms the member's balance to this till at ``at`` (signed, as a pull brings it)."""
    public = HQ_TEST_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    save_hq_key(db, public)
    with db.write() as session:
        terminal = repo.get_setting(session, "terminal") or ""
        conf = signed(member_id, at, terminal, balance=balance)
        confirmations.keep(repo.raw_connection(session), conf)
