"""The ledger in the pull feed, and business conflicts and welcome coupons reported by push
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hq_helpers import batch, earned, entry, member_pii, registration, sale
from sqlalchemy import select

from posloyalty.clock import FixedClock
from posloyalty.domain.codes import make_dynamic
from posloyalty.domain.ids import MemberId
from posloyalty.hq import members
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.models import Conflict, Coupon, Member, MemberAlias
from posloyalty.hq.services import HqService
from posloyalty.resources import resources_dir
from posloyalty.sync.protocol import (
    CONFLICT_REASON_PREFIX,
    ItemResult,
    PullRequest,
    PushBatch,
)

RULES = resources_dir() / "rules"


def enrol(svc: HqService, store: str) -> Caller:
    return svc.authenticate(f"Bearer {svc.enroll(svc.make_enrolment_code(store)).token}")


def push(svc: HqService, caller: Caller, items: list[dict[str, Any]]) -> list[ItemResult]:
    return svc.push(caller, PushBatch.model_validate(batch(caller.terminal_id, items))).results


def ledger_feed(
    svc: HqService, caller: Caller, cursor: int = 0, *, ledger: bool = True
) -> tuple[dict[str, dict[str, Any]], int]:
    """The ledger entries the caller pulls after ``cursor`` (by entry id), and the new cursor."""
    out: dict[str, dict[str, Any]] = {}
    while True:
        page = svc.pull(caller, PullRequest(cursor=cursor, limit=3, ledger=ledger))
        for c in page.changes:
            if c.kind == "ledger_entry":
                assert c.data is not None and c.key not in out  # every entry once
                out[c.key] = c.data
        cursor = page.next_cursor
        if not page.more:
            return out, cursor


def member_id(svc: HqService, alias: str) -> str:
    with svc.db.transaction() as s:
        found = s.scalar(select(MemberAlias.member_id).where(MemberAlias.alias == alias))
    assert found is not None
    return found


def test_the_pull_feed_carries_the_slice_members_ledger(svc: HqService, clock: FixedClock) -> None:
    svc.publish_rules((RULES / "vancl.toml").read_text(encoding="utf-8"))
    s1, s1b, s2 = enrol(svc, "S1"), enrol(svc, "S1"), enrol(svc, "S2")
    at = clock.now()
    # An entry that arrives before any member it could belong to is held, not credited; it
    # and HQ's cancellation of it are published once the member is known.
    orphan = entry("S1", s1.terminal_id, "P-1", "earn", 30, at)
    (result,) = push(svc, s1, [orphan])
    assert result.status == "accepted" and "is not known at HQ" in result.reason
    assert ledger_feed(svc, s1)[0] == {}
    reg = registration("S1", s1.terminal_id, "P-1", "13800000011", at)
    paid_early, early = earned("S1", s1.terminal_id, "P-1", 70, at, expires_at=at + dt.timedelta(1))
    paid, earn = earned("S1", s1.terminal_id, "P-1", 500, at)
    assert [r.status for r in push(svc, s1, [reg, paid_early, early, paid, earn])] == [
        "accepted"
    ] * 5
    member = member_id(svc, "P-1")
    feed, _ = ledger_feed(svc, s1b)  # another terminal of the store
    (cancel,) = set(feed) - {orphan["id"], early["id"], earn["id"]}
    assert set(feed) == {orphan["id"], cancel, early["id"], earn["id"]}
    assert (feed[cancel]["kind"], feed[cancel]["points"]) == ("reverse", -30)
    assert feed[cancel]["store_id"] is None and feed[cancel]["lot"] == orphan["id"]
    got = feed[earn["id"]]
    assert got["member_id"] == member and (got["kind"], got["points"]) == ("earn", 500)
    assert (got["store_id"], got["terminal_id"], got["lot"]) == ("S1", s1.terminal_id, earn["id"])
    assert dt.datetime.fromisoformat(got["at"]) == at
    # Only when asked for, and only for the store's slice.
    assert ledger_feed(svc, s1b, ledger=False)[0] == {}
    feed2, cursor2 = ledger_feed(svc, s2)
    assert feed2 == {}
    # The member is seen at store 2 (its phone code scanned there): its whole ledger joins
    # store 2's feed, and so do HQ's own entries (the expiry the jobs write).
    later = at + dt.timedelta(days=2)
    clock.advance(days=2)
    secret = member_pii(svc.db, member).secret
    code = make_dynamic(MemberId(member), secret, int(later.timestamp()))
    spend = sale("S2", s2.terminal_id, member, 100, later, member_code=code)
    redeem = entry(
        "S2", s2.terminal_id, member, "redeem", -200, later, earn["id"], sale_id=spend["id"]
    )
    assert [r.status for r in push(svc, s2, [spend, redeem])] == ["accepted"] * 2
    svc.run_jobs()
    feed2, _ = ledger_feed(svc, s2, cursor2)
    assert set(feed2) >= {orphan["id"], early["id"], earn["id"], redeem["id"]}
    (expiry,) = [e for e in feed2.values() if e["kind"] == "expire"]
    assert (expiry["points"], expiry["lot"], expiry["store_id"]) == (-70, early["id"], None)
    assert all(e["member_id"] == member for e in feed2.values())
    # Rerunning the jobs and pulling again brings nothing new.
    svc.run_jobs()
    _, cursor1 = ledger_feed(svc, s1b)
    assert ledger_feed(svc, s1b, cursor1)[0] == {}


def test_a_merged_members_entries_are_published_as_the_survivors(
    svc: HqService, clock: FixedClock
) -> None:
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    till = enrol(svc, "S1")
    first = svc.register_member("S1", "13800000012", "Zhao", None, True).member_id
    second = svc.register_member("S1", "13800000013", "Zhao", None, True).member_id
    at = clock.now()
    paid, theirs = earned("S1", till.terminal_id, second, 20, at)
    push(svc, till, [*earned("S1", till.terminal_id, first, 10, at), paid, theirs])
    feed, cursor = ledger_feed(svc, till)
    assert feed[theirs["id"]]["member_id"] == second
    svc.db.run(lambda s: members.merge_members(s, first, second, at, "test"))
    moved, _ = ledger_feed(svc, till, cursor)
    assert set(moved) == {theirs["id"]} and moved[theirs["id"]]["member_id"] == first


def test_business_conflicts_are_told_to_the_terminal(svc: HqService, clock: FixedClock) -> None:
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    till = enrol(svc, "S1")
    at = clock.now()
    reg = registration("S1", till.terminal_id, "P-9", "13800000014", at)
    earn = earned("S1", till.terminal_id, "P-9", 100, at, lot="LOT-9")
    assert [r.reason for r in push(svc, till, [reg, *earn])] == ["", "", ""]
    spend = sale("S1", till.terminal_id, "P-9", 500, at)
    over = entry("S1", till.terminal_id, "P-9", "redeem", -150, at, "LOT-9", sale_id=spend["id"])
    use = {
        "kind": "coupon_use",
        "id": entry("S1", till.terminal_id, "P-9", "earn", 1, at)["id"],
        "payload": {
            "store_id": "S1",
            "terminal_id": till.terminal_id,
            "coupon": "NOSUCHCOUPON",
            "member_id": "P-9",
            "sale_id": spend["id"],
            "at": at.isoformat(),
        },
    }
    items = [spend, over, use]
    results = push(svc, till, items)
    assert [r.status for r in results] == ["accepted"] * 3
    assert results[0].reason == ""
    assert results[1].reason.startswith(CONFLICT_REASON_PREFIX + "overdraft: ")
    assert "-50 points available" in results[1].reason
    assert results[2].reason.startswith(CONFLICT_REASON_PREFIX + "unknown_coupon: ")
    # The answer was lost: the replay is a duplicate and says so again.
    again = svc.push(till, PushBatch.model_validate(batch(till.terminal_id, items))).results
    assert [(r.status, r.reason) for r in again] == [("duplicate", r.reason) for r in results]
    with svc.db.transaction() as s:
        assert sorted(c.kind for c in s.scalars(select(Conflict))) == [
            "overdraft",
            "unknown_coupon",
        ]


def test_welcome_coupons_of_a_registration_are_recorded_as_issued(
    svc: HqService, clock: FixedClock
) -> None:
    till = enrol(svc, "S1")
    at = clock.now()
    coupon = {
        "code": "WELCOME00001",
        "template": "new_member_5",
        "valid_from": at.isoformat(),
        "valid_until": (at + dt.timedelta(days=30)).isoformat(),
    }
    reg = registration("S1", till.terminal_id, "P-7", "13800000015", at, coupons=[coupon])
    assert [(r.status, r.reason) for r in push(svc, till, [reg])] == [("accepted", "")]
    assert [r.status for r in push(svc, till, [reg])] == ["duplicate"]
    member = member_id(svc, "P-7")
    with svc.db.transaction() as s:
        (stored,) = s.scalars(select(Coupon)).all()
        assert (stored.code, stored.member_id, stored.template) == (
            "WELCOME00001",
            member,
            "new_member_5",
        )
        assert stored.valid_until == at + dt.timedelta(days=30)
    # Its use is an ordinary use, no conflict; the terminals of the store pull the coupon.
    spend = sale("S1", till.terminal_id, "P-7", 500, at)
    use = {
        "kind": "coupon_use",
        "id": entry("S1", till.terminal_id, "P-7", "earn", 1, at)["id"],
        "payload": {
            "store_id": "S1",
            "terminal_id": till.terminal_id,
            "coupon": "WELCOME00001",
            "member_id": "P-7",
            "sale_id": spend["id"],
            "at": at.isoformat(),
        },
    }
    assert [(r.status, r.reason) for r in push(svc, till, [spend, use])] == [("accepted", "")] * 2
    page = svc.pull(till, PullRequest(cursor=0))
    (pulled,) = [c for c in page.changes if c.kind == "coupon"]
    assert pulled.data is not None and pulled.data["used_sale_id"] == spend["id"]
    # Another registration claiming the code: recorded and told, the code stays the member's.
    other = registration("S1", till.terminal_id, "P-8", "13800000016", at, coupons=[coupon])
    (result,) = push(svc, till, [other])
    assert result.status == "accepted"
    assert result.reason.startswith(CONFLICT_REASON_PREFIX + "coupon_code_taken: ")
    newcomer = member_id(svc, "P-8")
    with svc.db.transaction() as s:
        assert s.get_one(Coupon, "WELCOME00001").member_id == member
        assert s.get(Member, newcomer) is not None
        assert [c.kind for c in s.scalars(select(Conflict))] == ["coupon_code_taken"]


def test_a_repeat_sign_up_does_not_get_the_welcome_coupons_again(
    svc: HqService, clock: FixedClock
) -> None:
    """001: "algunas personas también solicitaron tarjetas de membresía repetidamente para
    obtener más obsequios": the same phone signing up at a store whose till does not hold the
    member gets no second set of welcome coupons; HQ records them void (so that till learns it)
    and raises welcome_repeated for the back office."""
    home, other = enrol(svc, "S1"), enrol(svc, "S2")
    at = clock.now()

    def coupon(code: str) -> dict[str, Any]:
        return {
            "code": code,
            "template": "new_member_5",
            "valid_from": at.isoformat(),
            "valid_until": (at + dt.timedelta(days=30)).isoformat(),
        }

    first = registration(
        "S1", home.terminal_id, "P-1", "13800000031", at, coupons=[coupon("W1AAAAAA")]
    )
    assert [(r.status, r.reason) for r in push(svc, home, [first])] == [("accepted", "")]
    again = registration(
        "S2", other.terminal_id, "Q-1", "13800000031", at, coupons=[coupon("W2BBBBBB")]
    )
    (result,) = push(svc, other, [again])
    assert result.status == "accepted"
    assert result.reason.startswith(CONFLICT_REASON_PREFIX + "welcome_repeated: ")
    member = member_id(svc, "P-1")
    assert member_id(svc, "Q-1") == member
    with svc.db.transaction() as s:
        usable = [c.code for c in s.scalars(select(Coupon)) if c.valid_until > c.valid_from]
        assert usable == ["W1AAAAAA"]
        void = s.get(Coupon, "W2BBBBBB")
        assert void is not None and void.valid_until == void.valid_from
        assert [c.kind for c in s.scalars(select(Conflict))] == ["welcome_repeated"]
    # A replay changes nothing.
    assert [r.status for r in push(svc, other, [again])] == ["duplicate"]
