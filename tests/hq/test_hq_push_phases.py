"""A push in phases (hq/ingest.py): checks before the lock, the till's own lock, the writer lock.

What moved out of the writer lock must not weaken anything: links checked before the lock under
a key that is not HQ's are checked again, a break recorded while a batch was being checked
still refuses it, and a push costs the same number of SQL statements whatever its size.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hq_helpers import batch
from hq_helpers import earned as _bare_earned
from pgtest import postgres_database
from sqlalchemy import event, func, select

from posloyalty.clock import FixedClock
from posloyalty.domain.chain import GENESIS, link
from posloyalty.hq import chain as till_chain
from posloyalty.hq import ingest
from posloyalty.hq.db import HqDb, lock_terminal
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.errors import Refused
from posloyalty.hq.models import ChainLinkRow, LedgerEntry, TillChain
from posloyalty.hq.services import HqConfig, HqService
from posloyalty.resources import resources_dir
from posloyalty.sync.protocol import PAYLOAD_MODELS, PushBatch, chain_digest

T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def _enrol(svc: HqService, store: str) -> Caller:
    enrolled = svc.enroll(svc.make_enrolment_code(store))
    return svc.authenticate(f"Bearer {enrolled.token}")


def earned(
    store: str, terminal: str, member: str, points: int, at: dt.datetime
) -> list[dict[str, Any]]:
    """A sale and its earn entry, the sale's line as a till chains it (every field)."""
    items = _bare_earned(store, terminal, member, points, at)
    fen = points * 100
    items[0]["payload"]["lines"] = [
        {
            "index": 0,
            "sku": "SKU1",
            "qty": 1,
            "unit_price_fen": fen,
            "gross_fen": fen,
            "net_fen": fen,
            "points": points,
            "growth": 0,
        }
    ]
    return items


def _chained(
    terminal: str,
    items: list[dict[str, Any]],
    key: bytes,
    *,
    after: PushBatch | None = None,
) -> PushBatch:
    """A batch as a till sends it: every item linked under ``key``, after batch ``after``."""
    prev, seq, links = GENESIS, 0, []
    if after is not None:
        prev, seq = after.chain[-1].hash, after.chain[-1].seq
    for item in items:
        seq += 1
        model = PAYLOAD_MODELS[item["kind"]].model_validate(item["payload"])
        digest = chain_digest(item["kind"], model, item["payload"])
        hashed = link(key, seq, item["kind"], item["id"], prev, digest)
        links.append(
            {
                "seq": seq,
                "kind": item["kind"],
                "id": item["id"],
                "prev": prev,
                "digest": digest,
                "hash": hashed,
            }
        )
        prev = hashed
    body = batch(terminal, items) | {"chain": links}
    return PushBatch.model_validate(body | ({"chain_key": key.hex()} if after is None else {}))


@pytest.fixture
def pg() -> Iterator[HqService]:
    for url in postgres_database():
        db = HqDb(url, pool_size=4)
        try:
            yield HqService(db, FixedClock(T0), HqConfig(rate_per_s=1000, rate_burst=1000))
        finally:
            db.dispose()


def _member(svc: HqService, store: str) -> str:
    svc.publish_rules((resources_dir() / "rules" / "vancl.toml").read_text("utf-8"))
    return svc.register_member(store, "13900000001", "", None, True).member_id


def test_links_checked_before_the_lock_under_another_key_are_checked_again(
    svc: HqService,
) -> None:
    """A :class:`~posloyalty.hq.chain.Verified` vouches only under HQ's key for the till."""
    member = _member(svc, "S1")
    caller = _enrol(svc, "S1")
    key, other = os.urandom(32), os.urandom(32)
    first = _chained(caller.terminal_id, earned("S1", caller.terminal_id, member, 5, T0), key)
    svc.push(caller, first)
    items = earned("S1", caller.terminal_id, member, 7, T0 + dt.timedelta(minutes=1))
    forged = _chained(caller.terminal_id, items, other, after=first)
    # Under the other key the links are right: preverify (given that key) vouches for them.
    claimed = till_chain.Verified(
        other.hex(),
        frozenset((c.seq, c.kind, c.id, c.prev, c.digest, c.hash) for c in forged.chain),
    )
    prepared = ingest.prepare(caller, forged)
    prepared = ingest.Prepared(prepared.rejected, prepared.valid, prepared.chained, claimed)
    with pytest.raises(till_chain.ChainBroken):
        svc.db.run(lambda s: ingest.push(s, caller, forged, T0, prepared=prepared), writer=False)
    with svc.db.transaction(writer=False) as s:
        assert s.scalar(select(func.count()).select_from(ChainLinkRow)) == 2
        assert sum(s.scalars(select(LedgerEntry.points))) == 5


def test_a_break_recorded_while_a_batch_is_checked_refuses_the_batch(pg: HqService) -> None:
    """Phase 1 of a push runs beside the writer: a break an operator or another push records
    meanwhile is seen when the push advances the head under the writer lock."""
    svc = pg
    member = _member(svc, "S1")
    caller = _enrol(svc, "S1")
    key = os.urandom(32)
    first = _chained(caller.terminal_id, earned("S1", caller.terminal_id, member, 5, T0), key)
    svc.push(caller, first)
    items = earned("S1", caller.terminal_id, member, 7, T0 + dt.timedelta(minutes=1))
    second = _chained(caller.terminal_id, items, key, after=first)
    prepared = ingest.prepare(caller, second)
    with pytest.raises(Refused, match="tamper evidence"), svc.db.transaction(writer=False) as s:
        lock_terminal(s, caller.terminal_id)
        head = till_chain.check_push(s, caller, second, lambda: prepared.chained)
        broken = till_chain.ChainBroken(3, None, None, "recorded meanwhile")
        svc.db.run(lambda o: till_chain.record_break(o, caller, broken, T0))
        till_chain.advance(s, head)
    with svc.db.transaction(writer=False) as s:
        state = s.get(TillChain, caller.terminal_id)
        assert state is not None and state.seq == 2 and state.broken_at is not None
        assert s.scalar(select(func.count()).select_from(ChainLinkRow)) == 2


def test_a_push_costs_the_same_statements_whatever_its_size(pg: HqService) -> None:
    """Set-based: one query per kind of fact for the whole batch, not per item."""
    svc = pg
    member = _member(svc, "S1")
    caller = _enrol(svc, "S1")
    key = os.urandom(32)
    statements: list[str] = []
    event.listen(svc.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    counts, at = [], T0
    last: PushBatch | None = None
    for n in (1, 1, 10, 200):  # the first push also stores the chain's head row
        items = [
            x
            for i in range(n)
            for x in earned("S1", caller.terminal_id, member, 3, at + dt.timedelta(seconds=i))
        ]
        statements.clear()
        last = _chained(caller.terminal_id, items, key, after=last)
        result = svc.push(caller, last)
        assert [r.status for r in result.results] == ["accepted"] * len(items)
        assert all(not r.reason for r in result.results)
        counts.append(len(statements))
        at += dt.timedelta(hours=1)
    assert counts[1] == counts[2] == counts[3], counts
