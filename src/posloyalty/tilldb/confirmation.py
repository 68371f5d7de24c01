"""Markers the terminal's checkout and its sync client share (both import tilldb/), and the
``balance_confirmations`` table (:func:`keep_confirmation`, :func:`stored_confirmation`).

``CONFIRMED_PREFIX``: settings key prefix of HQ balance confirmations (the value is the UTC
instant the sync client applied the member's state). ``PENDING_UNTIL_CONFIRMED``: the
``available_at`` the checkout gives points earned by a member HQ has not confirmed yet; they
stay pending until the sync client releases them (a reverse of the lot plus a new available
lot). ``STORED_PENDING_UNTIL_CONFIRMED`` is that instant as the ledger column holds it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from posloyalty.tilldb.types import format_ts, parse_ts

__all__ = [
    "CONFIRMED_PREFIX",
    "PENDING_UNTIL_CONFIRMED",
    "STORED_PENDING_UNTIL_CONFIRMED",
    "StoredConfirmation",
    "keep_confirmation",
    "stored_confirmation",
]

CONFIRMED_PREFIX = "hq_balance_confirmed_at:"
PENDING_UNTIL_CONFIRMED = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
STORED_PENDING_UNTIL_CONFIRMED = format_ts(PENDING_UNTIL_CONFIRMED)


@dataclass(frozen=True, slots=True)
class StoredConfirmation:
    """A row of ``balance_confirmations``: HQ's signed word on a member's balance."""

    member: str
    balance: int
    as_of: dt.datetime
    terminal: str
    signature: str


def keep_confirmation(conn: sqlite3.Connection, conf: StoredConfirmation) -> None:
    """Store ``conf`` unless a later one is kept for the member."""
    conn.execute(
        "INSERT INTO balance_confirmations (member, balance, as_of, terminal, signature)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (member) DO UPDATE SET balance = excluded.balance,"
        " as_of = excluded.as_of, terminal = excluded.terminal, signature = excluded.signature"
        " WHERE excluded.as_of >= balance_confirmations.as_of",
        (conf.member, conf.balance, format_ts(conf.as_of), conf.terminal, conf.signature),
    )


def stored_confirmation(conn: sqlite3.Connection, member: str) -> StoredConfirmation | None:
    """The member's kept confirmation; None if there is none or its row does not parse."""
    row = conn.execute(
        "SELECT balance, as_of, terminal, signature FROM balance_confirmations WHERE member = ?",
        (member,),
    ).fetchone()
    if row is None:
        return None
    try:
        return StoredConfirmation(
            member, int(row[0]), parse_ts(str(row[1])), str(row[2]), str(row[3])
        )
    except ValueError:
        return None
