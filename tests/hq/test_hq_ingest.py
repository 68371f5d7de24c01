"""Set-based ingest on SQLite and PostgreSQL: bulk statements, mixed batches, store links."""

from __future__ import annotations

import datetime as dt
from typing import Any

import hq_helpers
import pytest
from hq_helpers import batch, earned, entry, member_pii, registration, sale, uuid7
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, StatementError

from posloyalty.clock import FixedClock
from posloyalty.domain.codes import make_dynamic
from posloyalty.domain.ids import MemberId
from posloyalty.hq import bulk
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.models import (
    Conflict,
    LedgerEntry,
    Member,
    MemberAlias,
    MemberStore,
    PushedItem,
    Sale,
)
from posloyalty.hq.services import HqService
from posloyalty.resources import resources_dir
from posloyalty.sync.protocol import PushBatch

RULES = resources_dir() / "rules"


def enrol(svc: HqService, store: str) -> Caller:
    enrolled = svc.enroll(svc.make_enrolment_code(store))
    return svc.authenticate(f"Bearer {enrolled.token}")


def push(svc: HqService, caller: Caller, items: list[dict[str, Any]]) -> list[str]:
    result = svc.push(caller, PushBatch.model_validate(batch(caller.terminal_id, items)))
    return [r.status for r in result.results]


def _sale_row(sale_id: str, at: dt.datetime, payload: Any) -> dict[str, Any]:
    return {
        "id": sale_id,
        "store_id": "S1",
        "terminal_id": "T1",
        "member_ref": None,
        "at": at,
        "total_fen": 10**12,
        "growth": -5,
        "original_sale_id": None,
        "full_return": True,
        "payload": payload,
        "received_at": at,
    }


def test_bulk_insert_keeps_every_value(svc: HqService, clock: FixedClock) -> None:
    at = clock.now().astimezone(dt.timezone(dt.timedelta(hours=8)))
    nul = {"note": "a\x00b", "nested": [1, {"x": None}], "茶": "é"}
    rows = [
        _sale_row("S-1", at, nul),
        _sale_row("S-2", at, bulk.JsonText('{"a":1,"b":"\\u0000"}')),
        _sale_row("S-3", at, None),
    ]
    svc.db.run(lambda s: bulk.insert_rows(s, Sale, rows))
    with svc.db.transaction() as s:
        got = {r.id: r for r in s.scalars(select(Sale))}
        assert got["S-1"].payload == nul
        assert got["S-2"].payload == {"a": 1, "b": "\x00"}
        assert got["S-3"].payload is None
        assert got["S-1"].at == at and got["S-1"].at.tzinfo is not None
        assert (got["S-1"].total_fen, got["S-1"].growth, got["S-1"].full_return) == (
            10**12,
            -5,
            True,
        )
    svc.db.run(lambda s: bulk.insert_rows(s, Sale, []))  # nothing to do
    # Values all rows share are sent once and land in every row.
    shared = {"store_id": "S7", "terminal_id": "T7", "received_at": at + dt.timedelta(hours=1)}
    narrow = [
        {k: v for k, v in _sale_row(f"S-{i}", at, {"n": i}).items() if k not in shared}
        for i in (4, 5)
    ]
    svc.db.run(lambda s: bulk.insert_rows(s, Sale, narrow, shared))
    with svc.db.transaction() as s:
        got = {r.id: r for r in s.scalars(select(Sale).where(Sale.store_id == "S7"))}
    assert sorted(got) == ["S-4", "S-5"]
    assert all(
        r.terminal_id == "T7" and r.received_at == shared["received_at"] for r in got.values()
    )
    assert got["S-5"].payload == {"n": 5}


def test_bulk_insert_refuses_naive_instants_and_duplicate_keys(
    svc: HqService, clock: FixedClock
) -> None:
    naive = _sale_row("S-9", clock.now().replace(tzinfo=None), {})
    with pytest.raises((ValueError, StatementError), match="naive"):
        svc.db.run(lambda s: bulk.insert_rows(s, Sale, [naive]))
    narrow = {k: v for k, v in naive.items() if k != "received_at"}
    with pytest.raises((ValueError, StatementError), match="naive"):
        svc.db.run(
            lambda s: bulk.insert_rows(s, Sale, [narrow], {"received_at": naive["received_at"]})
        )
    one = _sale_row("S-1", clock.now(), {})
    svc.db.run(lambda s: bulk.insert_rows(s, Sale, [one]))
    with pytest.raises(IntegrityError):  # what HqDb.run retries (a concurrent delivery)
        svc.db.run(lambda s: bulk.insert_rows(s, Sale, [one]), attempts=1)
    with svc.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Sale)) == 1


def test_select_by_keys_matches_whole_composite_keys(svc: HqService, clock: FixedClock) -> None:
    at = clock.now()
    ids = [uuid7(at) for _ in range(3)]
    rows = [
        {
            "kind": kind,
            "id": item_id,
            "payload_hash": f"{kind}:{item_id}",
            "store_id": "S1",
            "terminal_id": "T1",
            "batch_id": "B",
            "received_at": at,
        }
        for kind, item_id in [
            ("sale", ids[0]),
            ("ledger_entry", ids[0]),
            ("sale", ids[1]),
            ("sale", "A" * 40),
        ]
    ]
    svc.db.run(lambda s: bulk.insert_rows(s, PushedItem, rows))
    # A longer id whose first 40 characters are a stored (40-character) id is another id.
    wanted = {
        ("sale", ids[0]),
        ("ledger_entry", ids[1]),
        ("sale", ids[2]),
        ("sale", ids[1]),
        ("sale", "A" * 41),
    }
    with svc.db.transaction() as s:
        found = bulk.select_by_keys(s, PushedItem, ("kind", "id"), wanted, "payload_hash")
        assert bulk.select_by_keys(s, PushedItem, ("kind", "id"), [], "id") == []
    assert sorted(found) == sorted(
        [("sale", ids[0], f"sale:{ids[0]}"), ("sale", ids[1], f"sale:{ids[1]}")]
    )


def test_a_large_mixed_batch_gets_every_status_in_order(svc: HqService, clock: FixedClock) -> None:
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    till = enrol(svc, "S1")
    t = till.terminal_id
    at = clock.now()
    reg = svc.register_member("S1", "13800000031", "", None, True)
    first = []
    for i in range(150):
        sold = sale("S1", t, reg.member_id, 200 + i, at + dt.timedelta(seconds=i))
        first += [sold, entry("S1", t, reg.member_id, "earn", 2, at, sale_id=sold["id"])]
    assert push(svc, till, first) == ["accepted"] * 300
    changed = [{**x, "payload": {**x["payload"], "total_fen": 1}} for x in first[0:40:2]]
    # The same client id under another kind is another item.
    twin = entry("S1", t, reg.member_id, "adjust", 7, at)
    twin["id"] = first[0]["id"]
    fresh = [sale("S1", t, None, 5, at) for _ in range(100)]
    bad = entry("S1", t, reg.member_id, "earn", 1, at)
    bad["payload"]["points"] = "lots"
    items = [*first[100:200], *changed, twin, *fresh, bad, fresh[0]]
    expected = (
        ["duplicate"] * 100 + ["conflict"] * 20 + ["accepted"] * 101 + ["rejected", "duplicate"]
    )
    assert push(svc, till, items) == expected
    with svc.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(PushedItem)) == 300 + 101
        assert s.scalar(select(func.count()).select_from(Sale)) == 250
        assert s.scalar(select(func.sum(LedgerEntry.points))) == 150 * 2 + 7
        kinds = list(s.scalars(select(Conflict.kind)))
        assert kinds == ["payload_mismatch"] * 20
        stored = s.scalar(select(Sale.payload).where(Sale.id == first[0]["id"]))
        assert stored == first[0]["payload"]
    # Replaying the whole mixed batch changes nothing more than another 20 conflict records.
    again = push(svc, till, items)
    assert again == ["duplicate"] * 100 + ["conflict"] * 20 + ["duplicate"] * 101 + [
        "rejected",
        "duplicate",
    ]
    with svc.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(PushedItem)) == 401


def test_every_member_overdrawn_in_one_batch_gets_a_conflict(
    svc: HqService, clock: FixedClock
) -> None:
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    till = enrol(svc, "S1")
    t = till.terminal_id
    at = clock.now()
    regs = [registration("S1", t, f"P-{i}", f"1380000004{i}", at) for i in range(3)]
    earns = [it for i in range(3) for it in earned("S1", t, f"P-{i}", 100, at, lot=f"L{i}")]
    assert push(svc, till, [*regs, *earns]) == ["accepted"] * 9
    later = at + dt.timedelta(minutes=5)
    paid = {f"P-{i}": sale("S1", t, f"P-{i}", 500, later) for i in range(3)}
    # P-0 and P-2 overdraw (P-2 in two steps), P-1 stays within its balance.
    redeem = [
        entry("S1", t, "P-0", "redeem", -150, later, "L0", sale_id=paid["P-0"]["id"]),
        entry("S1", t, "P-1", "redeem", -100, later, "L1", sale_id=paid["P-1"]["id"]),
        entry("S1", t, "P-2", "redeem", -80, later, "L2", sale_id=paid["P-2"]["id"]),
        entry("S1", t, "P-2", "redeem", -80, later, "L2", sale_id=paid["P-2"]["id"]),
    ]
    assert push(svc, till, [*paid.values(), *redeem]) == ["accepted"] * 7
    with svc.db.transaction() as s:
        found = {
            c.member_id: c.detail
            for c in s.scalars(select(Conflict).where(Conflict.kind == "overdraft"))
        }
        ids = dict(s.execute(select(MemberAlias.alias, MemberAlias.member_id)).all())
    assert set(found) == {ids["P-0"], ids["P-2"]}
    assert found[ids["P-0"]]["available_after"] == -50
    assert found[ids["P-2"]]["available_after"] == -60
    assert found[ids["P-2"]]["redeemed_in_batch"] == 160


def test_store_links_move_forward_in_one_statement_and_never_back(
    svc: HqService, clock: FixedClock
) -> None:
    s2 = enrol(svc, "S2")
    t = s2.terminal_id
    members = [
        svc.register_member("S1", f"1380000005{i}", "", None, True).member_id for i in (0, 1)
    ]
    at = clock.now()
    secrets = {m: member_pii(svc.db, m).secret for m in members}

    def proven(store: str, terminal: str, member: str, total: int, when: dt.datetime) -> Any:
        """A sale at S2 with the member's phone code scanned: the proof that links them."""
        code = make_dynamic(MemberId(member), secrets[member], int(when.timestamp()))
        return hq_helpers.sale(store, terminal, member, total, when, member_code=code)

    def seen() -> dict[str, dt.datetime]:
        with svc.db.transaction() as s:
            rows = s.execute(
                select(MemberStore.member_id, MemberStore.last_seen_at).where(
                    MemberStore.store_id == "S2"
                )
            )
            return dict(rows.all())

    assert push(svc, s2, [proven("S2", t, m, 100, at) for m in members]) == ["accepted"] * 2
    assert seen() == dict.fromkeys(members, at)
    # Two days on: both links move (one bulk UPDATE); an hour later: within the granularity.
    later = at + dt.timedelta(days=2)
    assert push(svc, s2, [proven("S2", t, m, 100, later) for m in members]) == ["accepted"] * 2
    assert seen() == dict.fromkeys(members, later)
    tiny = later + dt.timedelta(hours=1)
    assert push(svc, s2, [proven("S2", t, members[0], 1, tiny)]) == ["accepted"]
    assert seen() == dict.fromkeys(members, later)
    # A late-arriving older sale never moves a link backwards.
    assert push(svc, s2, [proven("S2", t, members[1], 1, at - dt.timedelta(days=3))]) == [
        "accepted"
    ]
    assert seen() == dict.fromkeys(members, later)


def test_one_of_matches_any_number_of_values(svc: HqService) -> None:
    ids = [svc.register_member("S1", f"1380000070{i}", "", None, True).member_id for i in range(3)]
    with svc.db.transaction() as s:
        for wanted in ([], ids[:1], ids, [*ids, "NOPE", "NOPE"], ["x'); DROP TABLE members; --"]):
            got = s.scalars(select(Member.id).where(bulk.one_of(s, Member.id, wanted)))
            assert sorted(got) == sorted(set(wanted) & set(ids))
