"""HQ services on SQLite and PostgreSQL: enrolment, idempotent push, pull paging, merges, jobs."""

from __future__ import annotations

import datetime as dt
import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hq_helpers import batch, earned, entry, member_pii, registration, sale
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from posloyalty.clock import FixedClock
from posloyalty.domain.codes import make_dynamic, verify_dynamic
from posloyalty.domain.ids import MemberId
from posloyalty.hq import admin, changes, members
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.errors import BadRequest, Forbidden, NotAuthenticated, Refused
from posloyalty.hq.models import (
    Base,
    Conflict,
    LedgerEntry,
    Member,
    MemberAlias,
    MemberMerge,
    MemberStore,
    Product,
    PushedItem,
)
from posloyalty.hq.pii import Pii, pii_of, set_pii
from posloyalty.hq.services import HqService
from posloyalty.resources import resources_dir
from posloyalty.sync.protocol import PullRequest, PushBatch

RULES = resources_dir() / "rules"


def enrol(svc: HqService, store: str, name: str = "") -> Caller:
    enrolled = svc.enroll(svc.make_enrolment_code(store), name)
    return svc.authenticate(f"Bearer {enrolled.token}")


def push(svc: HqService, caller: Caller, items: list[dict[str, Any]]) -> list[str]:
    result = svc.push(caller, PushBatch.model_validate(batch(caller.terminal_id, items)))
    return [r.status for r in result.results]


def pull_all(
    svc: HqService, caller: Caller, cursor: int = 0, limit: int = 1000
) -> tuple[list[Any], int]:
    out = []
    while True:
        page = svc.pull(caller, PullRequest(cursor=cursor, limit=limit))
        out.extend(page.changes)
        assert page.next_cursor >= cursor
        cursor = page.next_cursor
        if not page.more:
            return out, cursor


def count(svc: HqService, model: Any) -> int:
    with svc.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def member_of(svc: HqService, alias: str) -> Member:
    with svc.db.transaction() as s:
        member_id = s.scalar(select(MemberAlias.member_id).where(MemberAlias.alias == alias))
        assert member_id is not None, f"{alias} does not resolve"
        member = s.get(Member, member_id)
        assert member is not None
        return member


# --------------------------------------------------------------------------- schema


def test_migrated_schema_matches_the_models(svc: HqService) -> None:
    with svc.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_ledger_refuses_update_and_delete(svc: HqService, clock: FixedClock) -> None:
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    till = enrol(svc, "S1")
    member = svc.register_member("S1", "13800000001", "Li", None, True).member_id
    push(svc, till, earned("S1", till.terminal_id, member, 10, clock.now()))
    for statement in ("UPDATE ledger_entries SET points = 99", "DELETE FROM ledger_entries"):
        with pytest.raises(DBAPIError, match="append-only"), svc.db.transaction() as s:
            s.execute(text(statement))
    assert count(svc, LedgerEntry) == 1


# --------------------------------------------------------------------------- enrolment


def test_enrolment_code_is_single_use_and_short_lived(svc: HqService, clock: FixedClock) -> None:
    code = svc.make_enrolment_code("S1")
    assert len(code) == 14 and code.count("-") == 2
    enrolled = svc.enroll(code.lower().replace("-", ""), "till 1")
    assert enrolled.store_id == "S1" and len(enrolled.terminal_id) <= 12
    with pytest.raises(Forbidden, match="used or expired"):
        svc.enroll(code)
    late = svc.make_enrolment_code("S1", dt.timedelta(minutes=5))
    clock.advance(minutes=6)
    with pytest.raises(Forbidden):
        svc.enroll(late)
    who = svc.authenticate(f"Bearer {enrolled.token}")
    assert who == Caller(enrolled.terminal_id, "S1")
    for header in (None, "", "Bearer", "Basic abc", f"Bearer {enrolled.token}x"):
        with pytest.raises(NotAuthenticated):
            svc.authenticate(header)
    assert svc.revoke_terminal(enrolled.terminal_id) is True
    assert svc.revoke_terminal(enrolled.terminal_id) is False
    with pytest.raises(Forbidden, match="revoked"):
        svc.authenticate(f"Bearer {enrolled.token}")


def test_tokens_and_codes_are_stored_only_as_hashes(svc: HqService) -> None:
    code = svc.make_enrolment_code("S1")
    enrolled = svc.enroll(code)
    with svc.db.engine.connect() as conn:
        dump = " ".join(
            str(row)
            for table in ("terminals", "enrolment_codes")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
        )
    assert enrolled.token not in dump
    assert code.replace("-", "") not in dump


# --------------------------------------------------------------------------- push


def test_replay_is_a_duplicate_and_changes_nothing(svc: HqService, clock: FixedClock) -> None:
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    till = enrol(svc, "S1")
    t = till.terminal_id
    at = clock.now()
    items = [registration("S1", t, "P-1", "13800000001", at), *earned("S1", t, "P-1", 120, at)]
    assert push(svc, till, items) == ["accepted"] * 3
    counts = [count(svc, m) for m in (PushedItem, LedgerEntry, Member, Conflict)]
    high = svc.db.run(changes.high_water)
    assert push(svc, till, items) == ["duplicate"] * 3
    # The same item twice in one batch: the second is a duplicate of the first.
    again = entry("S1", t, "P-1", "adjust", 5, at)
    assert push(svc, till, [again, again]) == ["accepted", "duplicate"]
    assert [count(svc, m) for m in (PushedItem, LedgerEntry, Member, Conflict)] == [
        counts[0] + 1,
        counts[1] + 1,
        counts[2],
        counts[3],
    ]
    assert svc.db.run(changes.high_water) >= high


def test_same_id_with_another_payload_is_a_recorded_conflict(
    svc: HqService, clock: FixedClock
) -> None:
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    till = enrol(svc, "S1")
    member = svc.register_member("S1", "13800000001", "Li", None, True).member_id
    the_sale, first = earned("S1", till.terminal_id, member, 100, clock.now())
    assert push(svc, till, [the_sale, first]) == ["accepted"] * 2
    forged = {**first, "payload": {**first["payload"], "points": 1000}}
    assert push(svc, till, [forged]) == ["conflict"]
    with svc.db.transaction() as s:
        conflict = s.scalars(select(Conflict)).one()
        assert conflict.kind == "payload_mismatch" and conflict.item_id == first["id"]
        assert conflict.detail["pushed_payload"]["points"] == 1000
        assert s.scalar(select(func.sum(LedgerEntry.points))) == 100


def test_invalid_and_cross_store_items_are_rejected(svc: HqService, clock: FixedClock) -> None:
    till = enrol(svc, "S1")
    other = enrol(svc, "S2")
    at = clock.now()
    bad_kind = entry("S1", till.terminal_id, "M1", "steal", 100, at)
    naive = entry("S1", till.terminal_id, "M1", "earn", 100, at)
    naive["payload"]["at"] = "2026-11-26T10:00:00"
    elsewhere = sale("S2", other.terminal_id, None, 100, at)
    no_consent = registration("S1", till.terminal_id, "P-9", "13800000009", at, consent=False)
    bad_phone = registration("S1", till.terminal_id, "P-8", "12ab", at)
    result = svc.push(
        till,
        PushBatch.model_validate(
            batch(till.terminal_id, [bad_kind, naive, elsewhere, no_consent, bad_phone])
        ),
    )
    assert [r.status for r in result.results] == ["rejected"] * 5
    assert "kind" in result.results[0].reason
    assert "cross-store" in result.results[2].reason
    assert "consent" in result.results[3].reason
    assert count(svc, PushedItem) == 0
    with pytest.raises(Forbidden):
        svc.push(till, PushBatch.model_validate(batch(other.terminal_id, [])))


def test_overdrawn_redemptions_are_posted_and_recorded(svc: HqService, clock: FixedClock) -> None:
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    s1, s2 = enrol(svc, "S1"), enrol(svc, "S2")
    at = clock.now()
    reg = registration("S1", s1.terminal_id, "P-1", "13800000001", at)
    assert (
        push(svc, s1, [reg, *earned("S1", s1.terminal_id, "P-1", 5000, at, lot="LOT-1")])
        == ["accepted"] * 3
    )
    member = member_of(svc, "P-1").id
    # Both stores were offline and each redeemed 4,000 of the 5,000 points (S2 scanned the
    # member's phone code: HQ's proof that the member was there).
    later = at + dt.timedelta(hours=1)
    sale1 = sale("S1", s1.terminal_id, member, 1000, later)
    secret = member_pii(svc.db, member).secret
    code = make_dynamic(MemberId(member), secret, int(later.timestamp()))
    sale2 = sale("S2", s2.terminal_id, member, 1000, later, member_code=code)
    red1 = entry("S1", s1.terminal_id, member, "redeem", -4000, later, "LOT-1", sale_id=sale1["id"])
    red2 = entry("S2", s2.terminal_id, member, "redeem", -4000, later, "LOT-1", sale_id=sale2["id"])
    assert push(svc, s1, [sale1, red1]) == ["accepted"] * 2
    assert push(svc, s2, [sale2, red2]) == ["accepted"] * 2
    clock.advance(hours=2)
    svc.run_jobs()
    assert member_of(svc, member).state["available"] == -3000
    with svc.db.transaction() as s:
        (conflict,) = s.scalars(select(Conflict).where(Conflict.kind == "overdraft")).all()
        assert conflict.store_id == "S2" and conflict.member_id == member
        assert conflict.detail["available_after"] == -3000
        assert conflict.detail["offline_allowance_points"] == 3000
        assert conflict.detail["beyond_allowance"] is False
        assert conflict.detail["sale_ids"] == [sale2["id"]]


def test_coupon_used_twice_is_recorded_and_both_sales_stand(
    svc: HqService, clock: FixedClock
) -> None:
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    till = enrol(svc, "S1")
    at = clock.now()
    reg = svc.register_member("S1", "13800000002", "Li", None, True)
    sales = [sale("S1", till.terminal_id, reg.member_id, 1000, at) for _ in range(2)]
    assert push(svc, till, sales) == ["accepted"] * 2
    coupon = svc.db.run(
        lambda s: members.issue_coupon(
            s,
            reg.member_id,
            template="new_member_5",
            valid_from=at,
            valid_until=at + dt.timedelta(days=30),
            at=at,
        )
    )
    uses = [
        {
            "kind": "coupon_use",
            "id": sale("S1", till.terminal_id, None, 1, at)["id"],
            "payload": {
                "store_id": "S1",
                "terminal_id": till.terminal_id,
                "coupon": coupon.code,
                "member_id": reg.member_id,
                "sale_id": sale_id,
                "at": at.isoformat(),
            },
        }
        for sale_id in (sales[0]["id"], sales[1]["id"])
    ]
    assert push(svc, till, uses) == ["accepted", "accepted"]
    with svc.db.transaction() as s:
        assert [c.kind for c in s.scalars(select(Conflict))] == ["coupon_reused"]
    pulled, _ = pull_all(svc, till)
    (coupon_change,) = [c for c in pulled if c.kind == "coupon"]
    assert coupon_change.data is not None
    assert coupon_change.data["used_sale_id"] == sales[0]["id"]


# --------------------------------------------------------------------------- pull


def test_pull_pages_return_every_entity_once_and_only_the_stores_slice(
    svc: HqService, clock: FixedClock, tmp_path: Path
) -> None:
    s1, s2 = enrol(svc, "S1"), enrol(svc, "S2")
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "sku,ean,name,price,category\n"
        + "".join(f"SKU{i},,Item {i},{i}.50,food\n" for i in range(23)),
        encoding="utf-8",
    )
    assert svc.import_catalog(catalog).created == 23
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    for i in range(6):
        svc.register_member("S1", f"1380000010{i}", f"M{i}", None, True)
    svc.register_member("S2", "13900000000", "Other", None, True)
    expected_s1 = 23 + 1 + 6 * 2
    seen, cursor = pull_all(svc, s1, limit=7)
    keys = [(c.kind, c.key) for c in seen]
    assert len(keys) == len(set(keys)) == expected_s1
    assert [c.seq for c in seen] == sorted(c.seq for c in seen)
    assert all(c.data is None or "phone" not in c.data for c in seen)
    # Nothing new: an empty page, the cursor does not go back.
    page = svc.pull(s1, PullRequest(cursor=cursor))
    assert page.changes == [] and page.next_cursor == cursor and not page.more
    # One product changes: exactly that row comes next.
    catalog.write_text("sku,name,price\nSKU3,Item 3 new,9.90\n", encoding="utf-8")
    svc.import_catalog(catalog)
    page = svc.pull(s1, PullRequest(cursor=cursor))
    assert [(c.kind, c.key) for c in page.changes] == [("product", "SKU3")]
    assert page.changes[0].data is not None and page.changes[0].data["price_fen"] == 990
    # Store 2 sees the chain-wide rows and its own member, none of store 1's.
    seen2, _ = pull_all(svc, s2, limit=5)
    member_keys = {c.key for c in seen2 if c.kind == "member"}
    assert len(member_keys) == 1 and len(seen2) == 23 + 1 + 2
    # A cursor beyond HQ's high-water mark (HQ restored from a backup) is refused clearly.
    with pytest.raises(Refused, match="pull again from cursor 0"):
        svc.pull(s1, PullRequest(cursor=10**9))


def test_a_member_seen_at_another_store_joins_its_slice(svc: HqService, clock: FixedClock) -> None:
    """Only with proof: the phone code scanned for the sale, which HQ verifies."""
    s2 = enrol(svc, "S2")
    reg = svc.register_member("S1", "13800000003", "Wang", dt.date(1990, 5, 1), True)
    _, cursor2 = pull_all(svc, s2)
    at = clock.now()
    named = sale("S2", s2.terminal_id, reg.member_id, 5000, at)
    assert push(svc, s2, [named]) == ["accepted"]
    assert pull_all(svc, s2, cursor2)[0] == []  # naming the member proves nothing
    real = member_pii(svc.db, reg.member_id).secret
    forged = make_dynamic(MemberId(reg.member_id), b"not the secret" * 2, int(at.timestamp()))
    stale = make_dynamic(MemberId(reg.member_id), real, int(at.timestamp()) - 3600)
    for code in (forged, stale):
        assert push(
            svc, s2, [sale("S2", s2.terminal_id, reg.member_id, 5000, at, member_code=code)]
        ) == ["accepted"]
        assert pull_all(svc, s2, cursor2)[0] == []
    code = make_dynamic(MemberId(reg.member_id), real, int(at.timestamp()))
    assert push(
        svc, s2, [sale("S2", s2.terminal_id, reg.member_id, 5000, at, member_code=code)]
    ) == ["accepted"]
    new, _ = pull_all(svc, s2, cursor2)
    assert {(c.kind, c.key) for c in new} >= {
        ("member", reg.member_id),
        ("member_secret", reg.member_id),
    }
    secret = bytes.fromhex(next(c for c in new if c.kind == "member_secret").data["secret"])
    assert secret == real
    unix = int(at.timestamp())
    assert verify_dynamic(make_dynamic(MemberId(reg.member_id), secret, unix), secret, unix).ok


# --------------------------------------------------------------------------- members


def test_registration_rules(svc: HqService) -> None:
    with pytest.raises(BadRequest, match="consent"):
        svc.register_member("S1", "13800000004", "A", None, False)
    with pytest.raises(BadRequest, match="phone"):
        svc.register_member("S1", "1234", "A", None, True)
    first = svc.register_member("S1", "+86 138-0000-0004", "A", None, True)
    again = svc.register_member("S2", "13800000004", "B", None, True)
    assert first.created and not again.created and again.member_id == first.member_id
    assert len(first.member_id) <= 16 and first.member_id.isalnum()
    assert first.member_id == first.member_id.upper()


def test_phone_hash_matches_the_terminal_store(svc: HqService) -> None:
    from posloyalty.tilldb.repo import hash_phone

    key = svc.enroll(svc.make_enrolment_code("S1")).phone_key
    assert key
    assert members.phone_hash(key, "+86 138 1234 5678") == hash_phone(key, "13812345678")


def test_offline_registrations_of_one_phone_at_two_stores_merge(
    svc: HqService, clock: FixedClock
) -> None:
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    s1, s2 = enrol(svc, "S1"), enrol(svc, "S2")
    at = clock.now()
    phone = "13800000005"
    assert (
        push(
            svc,
            s1,
            [
                registration("S1", s1.terminal_id, "PA", phone, at),
                *earned("S1", s1.terminal_id, "PA", 100, at),
            ],
        )
        == ["accepted"] * 3
    )
    # Store 2's items arrive in the wrong order: the entry before its registration.
    assert push(svc, s2, [entry("S2", s2.terminal_id, "PB", "earn", 50, at)]) == ["accepted"]
    assert push(svc, s2, [registration("S2", s2.terminal_id, "PB", phone, at)]) == ["accepted"]
    member = member_of(svc, "PA")
    assert member_of(svc, "PB").id == member.id
    svc.run_jobs()
    # Store 2's entry came before any member it could belong to, from a till that never had
    # the member: held, not credited. A typed phone proves nothing, so the member stays out
    # of store 2's slice (store 1's till sees both provisional ids as aliases).
    assert member_of(svc, "PA").state["available"] == 100
    with svc.db.transaction() as s:
        merge = s.scalars(select(MemberMerge)).one()
        assert (merge.survivor_id, merge.merged_id) == (member.id, "PB")
        held = s.scalars(select(Conflict).where(Conflict.kind == "quarantined")).one()
        assert held.store_id == "S2" and held.detail["reason"] == "unknown_member"
    seen, _ = pull_all(svc, s2)
    assert not [c for c in seen if c.kind == "member"]
    seen, _ = pull_all(svc, s1)
    view = next(c.data for c in seen if c.kind == "member" and c.key == member.id)
    assert view is not None and set(view["aliases"]) == {"PA", "PB"}


def test_two_members_with_one_phone_are_merged_by_the_jobs(
    svc: HqService, clock: FixedClock
) -> None:
    """Two registrations that raced in different transactions: the jobs merge them."""
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    s1 = enrol(svc, "S1")
    first = svc.register_member("S1", "13800000006", "Zhao", None, True)
    clock.advance(minutes=1)
    with svc.db.transaction() as s:  # what the losing transaction of the race committed
        original = s.get(Member, first.member_id)
        assert original is not None
        twin = Member(
            id="TWIN000001", registered_at=clock.now(), home_store="S1", dirty=True, state={}
        )
        set_pii(s, twin, Pii(pii_of(s, original).phone, "Zhao", None, b"x" * 20))
        s.add(twin)
        s.flush()
        s.add(MemberAlias(alias="TWIN000001", member_id="TWIN000001"))
        s.add(
            MemberStore(member_id="TWIN000001", store_id="S1", home=True, last_seen_at=clock.now())
        )
    at = clock.now()
    assert (
        push(
            svc,
            s1,
            [
                *earned("S1", s1.terminal_id, first.member_id, 10, at),
                *earned("S1", s1.terminal_id, "TWIN000001", 20, at),
            ],
        )
        == ["accepted"] * 4
    )
    report = svc.run_jobs()
    assert report.merged == [(first.member_id, "TWIN000001")]
    assert member_of(svc, "TWIN000001").id == first.member_id
    assert member_of(svc, first.member_id).state["available"] == 30
    seen, _ = pull_all(svc, s1)
    twin_view = next(c.data for c in seen if c.kind == "member" and c.key == "TWIN000001")
    assert twin_view == {"id": "TWIN000001", "merged_into": first.member_id}
    assert svc.run_jobs().merged == []


# --------------------------------------------------------------------------- jobs


def _snapshot(svc: HqService) -> tuple[Any, ...]:
    with svc.db.transaction() as s:
        return (
            changes.high_water(s),
            s.scalar(select(func.count()).select_from(LedgerEntry)),
            sorted((m.id, str(m.state), m.next_event_at) for m in s.scalars(select(Member))),
        )


def test_jobs_expire_points_and_are_idempotent(svc: HqService, clock: FixedClock) -> None:
    svc.publish_rules((RULES / "vancl.toml").read_text(encoding="utf-8"))
    till = enrol(svc, "S1")
    at = clock.now()
    reg = registration("S1", till.terminal_id, "P-1", "13800000007", at - dt.timedelta(days=400))
    old = earned(
        "S1",
        till.terminal_id,
        "P-1",
        300,
        at - dt.timedelta(days=400),
        expires_at=at - dt.timedelta(days=35),
    )
    pending = earned(
        "S1",
        till.terminal_id,
        "P-1",
        80,
        at,
        available_at=at + dt.timedelta(days=30),
        expires_at=at + dt.timedelta(days=365),
    )
    spend = sale("S1", till.terminal_id, "P-1", 300_000, at)
    assert push(svc, till, [reg, *old, *pending, spend]) == ["accepted"] * 6
    first = svc.run_jobs()
    assert first.expired_entries == 1 and first.changed == 1
    state = member_of(svc, "P-1").state
    assert (state["available"], state["pending"]) == (0, 80)
    assert state["tier"] == "regular"  # the 3,000.00 counts towards a tier once final (30 days)
    before = _snapshot(svc)
    again = svc.run_jobs()
    assert (again.members, again.changed, again.expired_entries) == (0, 0, 0)
    assert _snapshot(svc) == before
    # Even a forced full rerun at the same instant changes nothing.
    svc.run_jobs(full=True)
    assert _snapshot(svc) == before
    # Time passes: the pending lot becomes available, and the member change moves.
    clock.advance(days=31)
    assert svc.run_jobs().changed == 1
    state = member_of(svc, "P-1").state
    assert (state["available"], state["tier"]) == (80, "vip")
    assert _snapshot(svc)[0] > before[0]


# --------------------------------------------------------------------------- operator


def test_publish_rules_versions(svc: HqService, tmp_path: Path) -> None:
    text_ = (RULES / "miniso.toml").read_text(encoding="utf-8")
    assert svc.publish_rules(text_).changed
    assert not svc.publish_rules(text_).changed
    with pytest.raises(BadRequest, match="raise the revision"):
        svc.publish_rules(text_.replace('name = "', 'name = "x', 1))
    with pytest.raises(BadRequest, match="invalid rule document"):
        svc.publish_rules("format = 'nope'")
    assert svc.publish_rules(text_.replace("revision = 1", "revision = 2", 1)).revision == 2
    vancl = svc.publish_rules((RULES / "vancl.toml").read_text(encoding="utf-8"))
    assert vancl.id == "vancl"
    till = enrol(svc, "S1")
    docs = {c.key: c.data for c in pull_all(svc, till)[0] if c.kind == "rule_document"}
    assert docs["vancl"] is not None and docs["vancl"]["active"] is True
    assert docs["miniso"] is not None and docs["miniso"]["active"] is False
    assert docs["miniso"]["revision"] == 2


def test_import_members_and_catalog_report_bad_rows(svc: HqService, tmp_path: Path) -> None:
    people = tmp_path / "members.json"
    people.write_text(
        '[{"phone": "13800000011", "name": "A", "store": "S1", "consent": true,'
        ' "birthday": "1990-02-03"},'
        ' {"phone": "13800000011", "name": "A again", "store": "S2", "consent": "yes"},'
        ' {"phone": "13800000012", "store": "S1", "consent": false},'
        ' {"phone": "nope", "store": "S1", "consent": true},'
        ' {"phone": "13800000013", "consent": true}]',
        encoding="utf-8",
    )
    report = svc.import_members(people)
    assert (report.created, report.unchanged) == (1, 1)
    assert [e.split(":")[0] for e in report.errors] == ["row 3", "row 4", "row 5"]
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "sku,name,price,member_price,special_price\nA1,Tea,3.50,3.00,no\nA2,Cake,3.999,,no\n"
        "A3,,1.00,,\n",
        encoding="utf-8",
    )
    report = svc.import_catalog(catalog)
    assert report.created == 1 and len(report.errors) == 2
    with pytest.raises(BadRequest):
        admin.read_table(tmp_path / "missing.csv")


def test_health_shows_pushes_pulls_and_open_conflicts(svc: HqService, clock: FixedClock) -> None:
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    till = enrol(svc, "S1", "front")
    enrol(svc, "S2")
    member = svc.register_member("S1", "13800000001", "Li", None, True).member_id
    the_sale, first = earned("S1", till.terminal_id, member, 1, clock.now())
    push(svc, till, [the_sale, first])
    push(svc, till, [{**first, "payload": {**first["payload"], "points": 2}}])
    svc.pull(till, PullRequest(cursor=0))
    rows = {h.store_id: h for h in svc.health()}
    assert rows["S1"].last_push_at == clock.now() and rows["S1"].store_open_conflicts == 1
    assert rows["S1"].last_pull_at == clock.now() and rows["S1"].name == "front"
    assert rows["S2"].last_push_at is None and rows["S2"].store_open_conflicts == 0


def test_concurrent_deliveries_of_one_batch_count_once(svc: HqService, clock: FixedClock) -> None:
    """A retrying client and a slow first attempt deliver the same batch at the same time."""
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    s1 = enrol(svc, "S1")
    at = clock.now()
    people = [
        svc.register_member("S1", f"1380000020{i}", "", None, True).member_id for i in range(7)
    ]
    items = [it for i in range(60) for it in earned("S1", s1.terminal_id, people[i % 7], i + 1, at)]
    body = PushBatch.model_validate(batch(s1.terminal_id, items))
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(lambda _: svc.push(s1, body), range(4)))
    statuses = [[r.status for r in o.results] for o in outcomes]
    for i in range(len(items)):
        column = sorted(s[i] for s in statuses)
        assert column == ["accepted", "duplicate", "duplicate", "duplicate"]
    with svc.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 60
        assert s.scalar(select(func.sum(LedgerEntry.points))) == sum(range(1, 61))


def test_a_cursor_never_skips_changes_committed_by_concurrent_writers(
    svc: HqService, tmp_path: Path
) -> None:
    """Writers keep changing products while a terminal pulls: it ends with the final state."""
    till = enrol(svc, "S1")

    def writer(n: int) -> None:
        for round_ in range(25):
            rows = [
                {"sku": f"W{n}-{k}", "name": f"v{round_}", "price": f"{round_}.00"}
                for k in range(3)
            ]
            svc.db.run(functools.partial(admin.import_catalog, rows=rows))

    state: dict[str, Any] = {}
    cursor = 0

    def drain() -> None:
        nonlocal cursor
        while True:
            page = svc.pull(till, PullRequest(cursor=cursor, limit=7))
            for change in page.changes:
                state[change.key] = change.data
            cursor = page.next_cursor
            if not page.more:
                return

    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(writer, n) for n in range(3)]
        while not all(f.done() for f in futures):
            drain()
        for f in futures:
            f.result()
    drain()
    with svc.db.transaction() as s:
        final = {p.sku: p.name for p in s.scalars(select(Product))}
    assert {k: v["name"] for k, v in state.items()} == final
    assert set(final) == {f"W{n}-{k}" for n in range(3) for k in range(3)}
    assert set(final.values()) == {"v24"}


_NASTY: list[Any] = [
    None,
    True,
    2**63,
    -(2**63) - 1,
    10**13,
    -1,
    "",
    "x\x00y",
    "é" * 300,
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "2026-02-30T00:00:00Z",
    "2026-11-26T10:00:00",
    [1, 2],
    {"a": 1},
]


def test_nasty_values_in_any_field_get_a_status_and_never_break_ingest(
    svc: HqService, clock: FixedClock
) -> None:
    """Every field of every item kind, replaced by each nasty value: every item gets a status
    and no database error escapes (PostgreSQL refuses NUL, 64-bit overflow, long ids...)."""
    till = enrol(svc, "S1")
    t = till.terminal_id
    at = clock.now()

    def samples() -> list[dict[str, Any]]:
        use = sale("S1", t, None, 1, at)
        use["kind"] = "coupon_use"
        use["payload"] = {
            "store_id": "S1",
            "terminal_id": t,
            "coupon": "ABCD1234",
            "sale_id": "S-1",
            "at": at.isoformat(),
        }
        return [
            registration("S1", t, "P-1", "13800000001", at, birthday="1990-01-02"),
            sale("S1", t, "P-1", 100, at, original_sale_id="S-0", cashier="c1"),
            entry("S1", t, "P-1", "redeem", -5, at, sale_id="S-1"),
            use,
        ]

    for index, template in enumerate(samples()):
        for field in sorted(template["payload"]):
            items = []
            for value in _NASTY:
                item = samples()[index]
                item["payload"][field] = value
                items.append(item)
            result = svc.push(till, PushBatch.model_validate(batch(t, items)))
            assert len(result.results) == len(_NASTY)


def test_an_inconsistent_ledger_is_reported_once_and_not_retried(
    svc: HqService, clock: FixedClock
) -> None:
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    till = enrol(svc, "S1")
    reg = svc.register_member("S1", "13800000021", "", None, True)
    at = clock.now()
    paid = sale("S1", till.terminal_id, reg.member_id, 1000, at)
    twice = [
        entry("S1", till.terminal_id, reg.member_id, "earn", 5, at, "LOT-X", sale_id=paid["id"])
        for _ in range(2)
    ]
    assert push(svc, till, [paid, *twice]) == ["accepted"] * 3
    assert svc.run_jobs().problems == 1
    assert svc.run_jobs().members == 0
    clock.advance(days=400)
    assert svc.run_jobs().members == 0
    with svc.db.transaction() as s:
        kinds = [c.kind for c in s.scalars(select(Conflict))]
    assert kinds == ["ledger_inconsistent"]
