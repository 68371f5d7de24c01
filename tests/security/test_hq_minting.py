"""An attacker holding one enrolled till pushes what they like: HQ credits only what it can
derive, and never hands the till another store's members. Each attack from the security
review is a test of the refusal (a quarantine or conflict) and of what stayed unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hq_chain import Chain
from hq_helpers import batch, entry, registration, sale, uuid7
from sqlalchemy import select

from posloyalty.domain import points
from posloyalty.domain.basket_codec import basket_to_json
from posloyalty.domain.ids import Sku, TierId
from posloyalty.domain.money import Fen
from posloyalty.domain.pricing import Basket, BasketLine, MemberSnapshot, quote
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.ledger import entries_for
from posloyalty.hq.models import Conflict, Coupon, Member, Sale
from posloyalty.resources import load_preset
from posloyalty.sync.protocol import PullRequest, PushBatch


def push(chain: Chain, till: Caller, items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    result = chain.svc.push(till, PushBatch.model_validate(batch(till.terminal_id, items)))
    return [(r.status, r.reason) for r in result.results]


def available(chain: Chain, member: str) -> int:
    """HQ's balance after its jobs, checked against its own ledger."""
    chain.svc.run_jobs()
    with chain.svc.db.transaction() as s:
        row = s.get(Member, member)
        assert row is not None
        ledger = points.balance(entries_for(s, member), chain.clock.now()).available
        assert row.state.get("available", 0) == ledger
        return ledger


def conflicts(chain: Chain, kind: str) -> list[Conflict]:
    with chain.svc.db.transaction() as s:
        return list(s.scalars(select(Conflict).where(Conflict.kind == kind)))


def pulled_members(chain: Chain, till: Caller) -> set[str]:
    seen: set[str] = set()
    cursor = 0
    while True:
        page = chain.svc.pull(till, PullRequest(cursor=cursor, ledger=True, limit=1000))
        for change in page.all_changes():
            if change.kind in ("member", "member_secret", "ledger_entry", "coupon"):
                seen.add(str((change.data or {}).get("member_id") or change.key))
        cursor = page.next_cursor
        if not page.more:
            return seen


def test_points_from_nowhere_are_not_credited(chain: Chain) -> None:
    t, at = chain.till1, chain.clock.now()
    out = push(chain, t, [entry(t.store_id, t.terminal_id, chain.m1, "earn", 1_000_000, at)])
    assert out[0][0] == "accepted" and out[0][1].startswith("conflict:quarantined:")
    assert available(chain, chain.m1) == 0
    (c,) = conflicts(chain, "quarantined")
    assert c.detail["reason"] == "beyond_bounds" and c.member_id == chain.m1
    out = push(chain, t, [entry(t.store_id, t.terminal_id, chain.m1, "earn", 50_000, at)])
    assert "names no sale" in out[0][1]
    assert available(chain, chain.m1) == 0


def test_a_sale_earns_only_what_its_total_can_earn(chain: Chain) -> None:
    t, at = chain.till1, chain.clock.now()
    s = sale(t.store_id, t.terminal_id, chain.m1, 3990, at)
    honest = entry(t.store_id, t.terminal_id, chain.m1, "earn", 39, at, sale_id=s["id"])
    out = push(chain, t, [s, honest])
    assert out == [("accepted", ""), ("accepted", "")]
    greedy = entry(t.store_id, t.terminal_id, chain.m1, "earn", 5_000, at, sale_id=s["id"])
    out = push(chain, t, [greedy])
    assert "earns at most" in out[0][1]
    assert available(chain, chain.m1) == 39


def test_another_stores_member_is_neither_credited_nor_debited(chain: Chain) -> None:
    t, at = chain.till1, chain.clock.now()
    s = sale(t.store_id, t.terminal_id, chain.m2, 3990, at)
    out = push(
        chain,
        t,
        [
            s,
            entry(t.store_id, t.terminal_id, chain.m2, "earn", 39, at, sale_id=s["id"]),
            entry(t.store_id, t.terminal_id, chain.m2, "earn", -500, at, sale_id=s["id"]),
            entry(t.store_id, t.terminal_id, chain.m2, "adjust", -500, at),
        ],
    )
    assert "was never at store S1" in out[0][1]  # the sale stands, unlinked
    assert "was never at store S1" in out[1][1]
    assert "a earn entry of -500 points" in out[2][1]
    assert "was never at store S1" in out[3][1]
    assert available(chain, chain.m2) == 0
    with chain.svc.db.transaction() as sess:  # stored before the checks, then corrected
        stored = sess.get(Sale, s["id"])
        assert stored is not None and stored.member_ref is None and stored.total_fen == 3990
    assert chain.m2 not in pulled_members(chain, t)


def test_huge_and_unknown_entries_are_held(chain: Chain) -> None:
    t, at = chain.till1, chain.clock.now()
    out = push(
        chain,
        t,
        [
            entry(t.store_id, t.terminal_id, chain.m1, "adjust", 10**12, at),
            entry(t.store_id, t.terminal_id, chain.m1, "adjust", -(10**12), at),
            entry(t.store_id, t.terminal_id, "M999999999", "earn", 100, at),
        ],
    )
    assert "in one entry" in out[0][1] and "in one entry" in out[1][1]
    assert "not known at HQ" in out[2][1]
    assert available(chain, chain.m1) == 0


def test_growth_beyond_the_total_does_not_lift_a_tier(chain: Chain) -> None:
    t, at = chain.till1, chain.clock.now()
    s = sale(t.store_id, t.terminal_id, chain.m1, 1, at)
    s["payload"]["lines"][0]["growth"] = 10**9
    out = push(chain, t, [s])
    assert out[0][1].startswith("conflict:growth_not_derived:")
    chain.svc.run_jobs()
    with chain.svc.db.transaction() as sess:
        row = sess.get(Member, chain.m1)
        assert row is not None and row.state["tier"] == "regular"
        assert row.state["growth"] < 10


def test_naming_members_never_pulls_them_into_a_store(chain: Chain) -> None:
    t, at = chain.till1, chain.clock.now()
    s = sale(t.store_id, t.terminal_id, chain.m2, 100, at)
    out = push(
        chain,
        t,
        [
            s,
            entry(t.store_id, t.terminal_id, chain.m2, "redeem", -1, at, sale_id=s["id"]),
            registration(t.store_id, t.terminal_id, "P-ATTACK", "13800000002", at),
        ],
    )
    assert [status for status, _ in out] == ["accepted"] * 3
    more = [
        registration(t.store_id, t.terminal_id, f"P-{n}", f"1370000{n:04d}", at) for n in range(300)
    ]
    for n in range(300):  # 300 members of S2
        chain.svc.register_member("S2", f"1370000{n:04d}", "", None, True)
    push(chain, t, more)
    pulled = pulled_members(chain, t)
    assert chain.m2 not in pulled
    with chain.svc.db.transaction() as sess:
        s2_members = set(sess.scalars(select(Member.id).where(Member.home_store == "S2")))
    assert not (pulled & s2_members)
    assert chain.m1 in pulled  # its own member still comes


def test_a_made_up_sale_cannot_burn_another_members_coupon(chain: Chain) -> None:
    t2 = chain.till2
    with chain.svc.db.transaction() as sess:
        sess.add(
            Coupon(
                code="ZZCOUPON01",
                member_id=chain.m2,
                template="welcome10",
                valid_from=chain.clock.now(),
                valid_until=chain.clock.now() + dt.timedelta(days=30),
                issued_at=chain.clock.now(),
            )
        )
    t, at = chain.till1, chain.clock.now()
    use = {
        "kind": "coupon_use",
        "id": uuid7(at),
        "payload": {
            "store_id": t.store_id,
            "terminal_id": t.terminal_id,
            "coupon": "ZZCOUPON01",
            "member_id": chain.m2,
            "sale_id": uuid7(at),
            "at": at.isoformat(),
        },
    }
    out = push(chain, t, [use])
    assert out[0][1].startswith("conflict:coupon_sale_unknown:")
    with chain.svc.db.transaction() as sess:
        coupon = sess.get(Coupon, "ZZCOUPON01")
        assert coupon is not None and coupon.used_sale_id is None
    assert t2.store_id == "S2"


def test_welcome_points_go_once_and_adjustments_keep_to_the_budget(chain: Chain) -> None:
    t, at = chain.till1, chain.clock.now()
    # MINISO's rules give a shopping bag on joining, no points.
    gift = entry(t.store_id, t.terminal_id, chain.m1, "bonus", 10, at)
    gift["payload"]["reason"] = "welcome"
    other = entry(t.store_id, t.terminal_id, chain.m1, "bonus", 10, at)
    other["payload"]["reason"] = "store opening"
    out = push(chain, t, [gift, other])
    assert "10 welcome points; the rules give 0" in out[0][1]
    assert "granted by HQ, not by a till" in out[1][1]
    big = [entry(t.store_id, t.terminal_id, chain.m1, "adjust", 3_000, at) for _ in range(2)]
    out = push(chain, t, big)
    assert out[0] == ("accepted", "")
    assert "budget 5000" in out[1][1]
    assert available(chain, chain.m1) == 3_000


def _priced_sale(
    chain: Chain, till: Caller, member: str, basket: Basket, **claims: Any
) -> tuple[dict[str, Any], int]:
    """A sale as a till pushes it, with its basket; returns it and the points it earns."""
    q = quote(load_preset("miniso"), basket)
    s = sale(till.store_id, till.terminal_id, member, q.total, basket.at.astimezone(dt.UTC))
    s["payload"]["at"] = basket.at.isoformat()
    s["payload"]["basket"] = basket_to_json(basket)
    s["payload"]["rules"] = {"id": "miniso", "revision": 1}
    s["payload"].update(claims)
    return s, q.points_earned


def _basket(chain: Chain, tier: str = "regular", price: int = 3990) -> Basket:
    at = chain.clock.now().astimezone(dt.timezone(dt.timedelta(hours=8)))
    line = BasketLine(Sku("SKU-TEA"), "tea", 3, Fen(price))
    return Basket(at, MemberSnapshot(TierId(tier), 0, 0), (line,))


def test_earn_must_equal_what_hq_prices_the_basket_at(chain: Chain) -> None:
    t = chain.till1
    s, pts = _priced_sale(chain, t, chain.m1, _basket(chain))
    honest = entry(
        t.store_id, t.terminal_id, chain.m1, "earn", pts, chain.clock.now(), sale_id=s["id"]
    )
    assert push(chain, t, [s, honest]) == [("accepted", ""), ("accepted", "")]
    s2, pts2 = _priced_sale(chain, t, chain.m1, _basket(chain))
    greedy = entry(
        t.store_id, t.terminal_id, chain.m1, "earn", pts2 + 1, chain.clock.now(), sale_id=s2["id"]
    )
    out = push(chain, t, [s2, greedy])
    assert f"HQ's pricing of its basket gives {pts2}" in out[1][1]
    assert available(chain, chain.m1) == pts


def test_a_basket_priced_at_a_tier_hq_never_gave_is_not_credited(chain: Chain) -> None:
    t = chain.till1
    s, pts = _priced_sale(chain, t, chain.m1, _basket(chain, tier="gold"))
    earn = entry(
        t.store_id, t.terminal_id, chain.m1, "earn", pts, chain.clock.now(), sale_id=s["id"]
    )
    out = push(chain, t, [s, earn])
    assert out[0][1].startswith("conflict:not_derived: priced at tier gold")
    assert out[1][1].startswith("conflict:quarantined:")
    assert available(chain, chain.m1) == 0


def test_a_batchs_own_sales_count_once_towards_the_tier_it_prices_at(chain: Chain) -> None:
    """HQ stores a batch's sales before checking them: the member's history at HQ must not
    count them a second time beside the batch's earlier sales (2,000 growth counted twice
    would reach silver's 3,000)."""
    t = chain.till1
    first, _ = _priced_sale(chain, t, chain.m1, _basket(chain, price=6_667))
    silver, _ = _priced_sale(chain, t, chain.m1, _basket(chain, tier="silver"))
    out = push(chain, t, [first, silver])
    assert out[0] == ("accepted", "")
    assert out[1][1].startswith("conflict:not_derived: priced at tier silver")


def test_prices_are_checked_against_hqs_catalogue(chain: Chain, tmp_path: Any) -> None:
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("sku,name,price\nSKU-TEA,tea,39.90\n", encoding="utf-8")
    chain.svc.import_catalog(catalog)
    t = chain.till1
    s, pts = _priced_sale(chain, t, chain.m1, _basket(chain, price=999_900))
    earn = entry(
        t.store_id, t.terminal_id, chain.m1, "earn", pts, chain.clock.now(), sale_id=s["id"]
    )
    out = push(chain, t, [s, earn])
    assert "HQ's catalogue says 3990" in out[0][1]
    assert available(chain, chain.m1) == 0


def test_a_total_that_is_not_the_baskets_or_unknown_rules_are_refused(chain: Chain) -> None:
    t = chain.till1
    s, _ = _priced_sale(chain, t, chain.m1, _basket(chain), total_fen=9_999_900)
    out = push(chain, t, [s])
    assert "the basket comes to 11970 fen, the sale says 9999900" in out[0][1]
    s, _ = _priced_sale(chain, t, chain.m1, _basket(chain), rules={"id": "miniso", "revision": 9})
    assert "rules miniso@9 unknown at HQ" in push(chain, t, [s])[0][1]
    chain.svc.run_jobs()
    with chain.svc.db.transaction() as sess:
        row = sess.get(Member, chain.m1)
        assert row is not None and row.state["growth"] == 0  # neither sale counts for a tier
