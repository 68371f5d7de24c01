"""Test helper shared by the terminal and window tests: give a member points to spend."""

from __future__ import annotations

import datetime as dt

from posloyalty.clock import Clock, FixedClock
from posloyalty.domain import points as pts
from posloyalty.domain.ids import CashierId, EntryId, LotId, MemberId, StoreId, TerminalId
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.records import LedgerRecord


def grant(db: Database, member: str, points: int, clock: Clock | None = None) -> None:
    """Give a member available points (a bonus lot valid for years), dated a minute back:
    entries of one instant are ordered by id, and this generator's ids are not ordered
    against the terminal's."""
    at = (clock or db.clock).now() - dt.timedelta(minutes=1)
    ids = Uuid7(FixedClock(at))
    entry = pts.LedgerEntry(
        EntryId(ids.new()),
        "bonus",
        points,
        at,
        LotId(ids.new()),
        at,
        at + dt.timedelta(days=3 * 365),
        reason="test grant",
    )
    record = LedgerRecord(
        entry, MemberId(member), TerminalId("T1"), StoreId("S1"), CashierId("t"), at
    )
    with db.write() as session:
        repo.append_ledger(session, [record], at=at)
