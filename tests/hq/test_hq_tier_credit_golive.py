"""HQ under issue 14: tier credit once the sale is final, a go-live opening, the back-fill."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hq_helpers import batch, registration, sale
from sqlalchemy import select

from posloyalty.clock import FixedClock
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.models import LedgerEntry, Member, MemberAlias
from posloyalty.hq.services import HqService
from posloyalty.resources import preset_text
from posloyalty.sync.protocol import PushBatch


def enrol(svc: HqService, store: str) -> Caller:
    return svc.authenticate(f"Bearer {svc.enroll(svc.make_enrolment_code(store)).token}")


def push(svc: HqService, caller: Caller, items: list[dict[str, Any]]) -> list[str]:
    results = svc.push(caller, PushBatch.model_validate(batch(caller.terminal_id, items))).results
    return [r.status for r in results]


def member_of(svc: HqService, alias: str) -> Member:
    with svc.db.transaction() as s:
        member_id = s.scalar(select(MemberAlias.member_id).where(MemberAlias.alias == alias))
        assert member_id is not None
        member = s.get(Member, member_id)
        assert member is not None
        s.expunge(member)
        return member


def test_hq_credits_the_tier_when_the_sale_is_final(svc: HqService, clock: FixedClock) -> None:
    """002: 「所有积分、会员资格的获得以交易成功为标准,即发货后30天」, and a sale returned in full
    inside those 30 days never qualifies (HQ's jobs agree with the till)."""
    svc.publish_rules(preset_text("vancl"))
    till = enrol(svc, "S1")
    at = clock.now()
    big = sale("S1", till.terminal_id, "P-1", 210_000, at)
    kept = sale("S1", till.terminal_id, "P-2", 210_000, at)
    back = sale(
        "S1",
        till.terminal_id,
        "P-2",
        -210_000,
        at + dt.timedelta(days=5),
        original_sale_id=kept["id"],
        full_return=True,
    )
    regs = [
        registration("S1", till.terminal_id, "P-1", "13800000041", at),
        registration("S1", till.terminal_id, "P-2", "13800000042", at),
    ]
    assert push(svc, till, [*regs, big, kept]) == ["accepted"] * 4
    svc.run_jobs()
    one = member_of(svc, "P-1")
    assert one.state["tier"] == "regular"
    assert one.next_event_at is not None
    assert one.next_event_at.astimezone(dt.UTC) == at + dt.timedelta(days=30)
    clock.advance(days=5)
    assert push(svc, till, [back]) == ["accepted"]
    clock.advance(days=25)
    svc.run_jobs()
    one, two = member_of(svc, "P-1"), member_of(svc, "P-2")
    assert one.state["tier"] == "vip"
    assert one.state["tier_since"] is not None and one.state["tier_as_of"] is not None
    assert two.state["tier"] == "regular"
    assert two.state["tier_spend"] == 0


def test_go_live_import_keeps_opening_points_tier_and_growth(
    svc: HqService, clock: FixedClock, tmp_path: Path
) -> None:
    """004 (go-live): a chain bringing its members keeps their points and standing; the
    opening tier is reviewed when its year ends (002: 「有效期內購物不足1000元,降為普通會員」)."""
    svc.publish_rules(preset_text("vancl"))
    at = clock.now()
    since = at - dt.timedelta(days=200)
    rows = [
        {
            "phone": "13800000051",
            "name": "甲",
            "store": "S1",
            "consent": True,
            "points": 500,
            "tier": "vip",
            "tier_since": since.isoformat(),
            "tier_spend": "300.00",
            "growth": 2300,
        },
        {"phone": "13800000052", "store": "S1", "consent": True, "tier": "gold"},
    ]
    path = tmp_path / "members.json"
    path.write_text(json.dumps(rows, ensure_ascii=False))
    report = svc.import_members(path)
    assert (report.created, len(report.errors)) == (1, 1)
    assert "tier 'gold' is not a tier of 'vancl'" in report.errors[0]
    again = svc.import_members(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    svc.run_jobs()
    with svc.db.transaction() as s:
        member = s.scalars(select(Member).where(Member.home_store == "S1")).one()
        opening = s.scalars(select(LedgerEntry).where(LedgerEntry.reason == "opening")).all()
        assert [e.points for e in opening] == [500]
        state = dict(member.state)
        member_id = member.id
    assert (state["tier"], state["available"], state["growth"]) == ("vip", 500, 2300)
    # The year from tier_since ends with 300.00 spent: below 1,000 -> regular.
    clock.set(since + dt.timedelta(days=370))
    svc.run_jobs()
    with svc.db.transaction() as s:
        after = s.get(Member, member_id)
        assert after is not None and after.state["tier"] == "regular"
        assert after.state["opening"]["tier"] == "vip"


def test_backfill_grants_past_completed_sales_once(svc: HqService, clock: FixedClock) -> None:
    """004: 「历史积分补发:为本店曾交易完成的用户设置历史积分发放」."""
    svc.publish_rules(preset_text("vancl"))
    till = enrol(svc, "S1")
    past = clock.now() - dt.timedelta(days=90)
    reg = registration("S1", till.terminal_id, "P-9", "13800000061", past)
    old = sale("S1", till.terminal_id, "P-9", 10_000, past)
    partly = sale("S1", till.terminal_id, "P-9", 5_000, past + dt.timedelta(hours=1))
    part_back = sale(
        "S1",
        till.terminal_id,
        "P-9",
        -1_000,
        past + dt.timedelta(days=2),
        original_sale_id=partly["id"],
    )
    recent = sale("S1", till.terminal_id, "P-9", 20_000, clock.now() - dt.timedelta(days=3))
    anonymous = sale("S1", till.terminal_id, None, 7_000, past)
    assert push(svc, till, [reg, old, partly, part_back, recent, anonymous]) == ["accepted"] * 6
    dry = svc.backfill_points(dry_run=True).as_json()
    assert dry["granted_points"] == 2 * 100 + 2 * 40  # 「正價商品1元換2積分」
    report = svc.backfill_points().as_json()
    assert report == dry
    assert report["granted_sales"] == 2
    assert report["skipped"] == {
        "already_earned": 0,
        "returned_in_full": 0,
        "not_final_yet": 1,
        "no_member": 1,
    }
    assert svc.backfill_points().as_json()["granted_points"] == 0  # idempotent
    svc.run_jobs()
    assert member_of(svc, "P-9").state["available"] == 280


def test_the_slice_window_is_a_rule(svc: HqService) -> None:
    """001 (another passage): 「6 meses」; the window a store keeps a member is the rules'."""
    with svc.db.transaction() as s:
        assert svc.recent_days(s) == 180
    text = (
        preset_text("vancl")
        .replace("dormant_after_days = 60", "dormant_after_days = 60\nslice_days = 90")
        .replace('id = "vancl"', 'id = "vancl_slice"')
    )
    svc.publish_rules(text)
    with svc.db.transaction() as s:
        assert svc.recent_days(s) == 90
