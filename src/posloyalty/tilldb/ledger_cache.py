"""Members' parsed ledgers, kept while they have not grown.

A member's ledger is read on every identification and again in every sale's transaction; a
frequent shopper's 1,000 entries take ~3 ms to parse each time. The ledger is append-only
(triggers refuse UPDATE and DELETE), so a member's entry count says whether a parsed copy is
still whole: the same count means the same rows. Counting is an index range count. The
order is the store's (``ORDER BY at, id``): instants, then ids as text.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence

from sqlalchemy.orm import Session

from posloyalty.domain.points import LedgerEntry
from posloyalty.tilldb.repo import ledger_for_member, raw_connection

_COUNT = "SELECT count(*) FROM ledger_entries WHERE member = ?"


class LedgerCache:
    """Parsed ledgers of the most recently used ``size`` members (thread-safe)."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._parsed: OrderedDict[tuple[str, dt.tzinfo | None], tuple[LedgerEntry, ...]] = (
            OrderedDict()
        )

    def entries(
        self, session: Session | sqlite3.Connection, member_id: str, tz: dt.tzinfo | None
    ) -> tuple[LedgerEntry, ...]:
        """The member's ledger, oldest first, as :func:`repo.ledger_for_member` reads it; call
        inside a transaction (a snapshot or a write), so the count and the rows agree."""
        raw = raw_connection(session)
        count = int(raw.execute(_COUNT, (member_id,)).fetchone()[0])
        key = (member_id, tz)
        with self._lock:
            parsed = self._parsed.get(key)
            if parsed is not None and len(parsed) == count:
                self._parsed.move_to_end(key)
                return parsed
        parsed = tuple(ledger_for_member(raw, member_id, tz))
        if len(parsed) == count:  # outside a transaction a writer may have come between
            self._keep(key, parsed)
        return parsed

    def remember(
        self, member_id: str, tz: dt.tzinfo | None, entries: Sequence[LedgerEntry]
    ) -> None:
        """Keep ``entries`` as the member's whole ledger: call only after the transaction that
        wrote the last of them committed (a sale knows its member's ledger before and what it
        added, so the next identification need not read and parse it again)."""
        self._keep((member_id, tz), tuple(sorted(entries, key=lambda e: (e.at, e.id))))

    def _keep(self, key: tuple[str, dt.tzinfo | None], parsed: tuple[LedgerEntry, ...]) -> None:
        with self._lock:
            self._parsed[key] = parsed
            self._parsed.move_to_end(key)
            while len(self._parsed) > self._size:
                self._parsed.popitem(last=False)
