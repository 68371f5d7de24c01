"""The checkout session: every transition, every refusal, and what a committed sale stores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from checkout_helpers import (
    SHANGHAI,
    TUESDAY,
    add_coupon,
    counts,
    ledger_consistent,
    make_ctx,
    snapshot,
)
from hq_signing import confirm_balance
from ledger_grants import grant

from posloyalty.clock import FixedClock
from posloyalty.domain import points as pts
from posloyalty.domain.ids import MemberId
from posloyalty.domain.money import Fen
from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.pricing import Quote
from posloyalty.sync import outbound
from posloyalty.terminal.allowance import offline_allowance
from posloyalty.terminal.checkout import CheckoutSession, State
from posloyalty.terminal.errors import CheckoutError, IllegalTransition
from posloyalty.terminal.identified import Identified
from posloyalty.tilldb import repo
from posloyalty.tilldb.confirmation import PENDING_UNTIL_CONFIRMED
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.models import AuditEntry, Member, MemberCoupon

GOLD = Identified(MemberId("M1"), "dynamic", may_redeem=True)
GOLD_STATIC = Identified(MemberId("M1"), "static", may_redeem=False)
REGULAR = Identified(MemberId("M2"), "dynamic", may_redeem=True)


def _session(db: Database, rules: str = "miniso", **kwargs: Any) -> CheckoutSession:
    return CheckoutSession(make_ctx(db, rules, **kwargs))


def _state(s: CheckoutSession) -> State:
    """The state now: read in a call, so mypy keeps no narrowing from an earlier assert."""
    return s.state


def _quote(s: CheckoutSession) -> Quote | None:
    """The quote now: read in a call, so mypy keeps no narrowing from an earlier assert."""
    return s.quote


def _view(s: CheckoutSession) -> tuple[object, ...]:
    return (s.state, s.lines, s.member, s.quote, s.coupons, s.redeem_points, s.payments)


def _refused(
    s: CheckoutSession, action: Callable[[], object], match: str, kind: type = CheckoutError
) -> None:
    before = _view(s)
    with pytest.raises(kind, match=match):
        action()
    assert _view(s) == before


# --------------------------------------------------------------------------- transitions


def test_the_happy_path_walks_every_state(db: Database) -> None:
    s = _session(db)
    assert s.state is State.OPEN and s.quote is None and "begin_payment" not in s.allowed()
    s.scan("A1")
    assert _state(s) is State.QUOTED and _quote(s) is not None and s.due == 1000
    s.identify(GOLD)
    assert s.member is not None and s.member.tier == "gold"
    s.scan("6900000000028", 2)  # by EAN
    assert [ln.qty for ln in s.lines] == [1, 2] and s.due == 6100
    s.begin_payment()
    assert _state(s) is State.PAYING
    assert s.allowed() == {
        "back_to_basket",
        "add_payment",
        "remove_payment",
        "commit",
        "cancel",
        "redeem",
    }
    s.add_payment("cash", tendered=Fen(10000))
    receipt = s.commit()
    assert _state(s) is State.COMMITTED and s.receipt == receipt and s.allowed() == frozenset()
    assert receipt.total == 6100 and receipt.change == 3900
    assert receipt.points_earned == 61 and receipt.balance_available == 61
    assert receipt.receipt_code == "S1-T1-20261124-0001"


def test_the_same_product_again_adds_to_its_line(db: Database) -> None:
    s = _session(db)
    assert s.scan("A1") == 0
    assert s.scan("B2") == 1
    assert s.scan("6900000000011", 3) == 0
    assert [(ln.sku, ln.qty) for ln in s.lines] == [("A1", 4), ("B2", 1)]


def test_lines_change_and_every_change_is_requoted(db: Database) -> None:
    s = _session(db)
    s.scan("A1")
    s.add_open_amount(Fen(550), "repair")
    assert s.due == 1550
    s.set_qty(0, 3)
    assert s.due == 3550 and s.quote is not None and s.quote.subtotal == 3550
    s.void_line(1, "customer changed mind")
    assert s.due == 3000 and len(s.lines) == 1
    s.void_line(0)
    assert s.state is State.OPEN and _quote(s) is None and s.due == 0


def test_void_and_cancel_are_audited(db: Database) -> None:
    s = _session(db)
    s.scan("A1")
    s.scan("B2")
    s.void_line(0, "wrong item")
    s.begin_payment()
    s.cancel("customer left")
    assert s.state is State.CANCELLED
    with db.read() as session:
        rows = session.query(AuditEntry).order_by(AuditEntry.id).all()
        assert [(r.action, r.cashier) for r in rows] == [("void_line", "c1"), ("cancel_sale", "c1")]
        assert rows[0].detail["sku"] == "A1" and rows[0].detail["reason"] == "wrong item"
        assert rows[1].detail["total_fen"] == 2550
        assert repo.table_counts(session)["sales"] == 0


def test_back_to_basket_drops_payments(db: Database) -> None:
    s = _session(db)
    s.scan("C3")
    s.begin_payment()
    s.add_payment("card", Fen(1000))
    assert s.remaining == 2990
    s.back_to_basket()
    assert s.state is State.QUOTED and s.payments == () and s.remaining == 3990


@pytest.mark.parametrize(
    ("prepare", "action", "match"),
    [
        ("open", lambda s: s.begin_payment(), "cannot begin payment while the sale is open"),
        ("open", lambda s: s.commit(), "cannot commit while the sale is open"),
        ("open", lambda s: s.set_qty(0, 2), "cannot set qty"),
        ("open", lambda s: s.add_payment("cash"), "cannot add payment"),
        ("quoted", lambda s: s.commit(), "cannot commit while the sale is quoted"),
        ("quoted", lambda s: s.back_to_basket(), "cannot back to basket"),
        ("paying", lambda s: s.scan("A1"), "go back to the basket first"),
        ("paying", lambda s: s.identify(GOLD), "go back to the basket first"),
        ("paying", lambda s: s.void_line(0), "cannot void line"),
        ("paying", lambda s: s.add_coupon("X"), "cannot add coupon"),
        ("paying", lambda s: s.begin_payment(), "cannot begin payment"),
        ("committed", lambda s: s.scan("A1"), "already committed"),
        ("committed", lambda s: s.cancel(), "already committed"),
        ("cancelled", lambda s: s.begin_payment(), "was cancelled"),
        ("cancelled", lambda s: s.add_payment("cash"), "was cancelled"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(
    db: Database, prepare: str, action: Callable[[CheckoutSession], object], match: str
) -> None:
    s = _session(db)
    if prepare != "open":
        s.scan("A1")
    if prepare in ("paying", "committed"):
        s.begin_payment()
    if prepare == "committed":
        s.add_payment("cash")
        s.commit()
    if prepare == "cancelled":
        s.cancel()
    stored = snapshot(db)
    _refused(s, lambda: action(s), match, IllegalTransition)
    assert snapshot(db) == stored


@pytest.mark.parametrize(
    ("action", "match"),
    [
        (lambda s: s.scan("NOPE"), "unknown product code 'NOPE'"),
        (lambda s: s.scan("  "), "empty product code"),
        (lambda s: s.scan("A1", 0), "quantity must be"),
        (lambda s: s.set_qty(5, 1), "there is no line 6"),
        (lambda s: s.set_qty(0, -1), "quantity must be"),
        (lambda s: s.void_line(3), "there is no line 4"),
        (lambda s: s.add_open_amount(0), "above 0.00"),
        (lambda s: s.add_coupon("NOPE"), "identify the member"),
        (lambda s: s.redeem(100), "only an identified member"),
        (lambda s: s.redeem(-1), "0 or more"),
        (lambda s: s.remove_coupon("X"), "not applied"),
        (
            lambda s: s.identify(Identified(MemberId("NOBODY"), "static", False)),
            "not in this terminal",
        ),
    ],
)
def test_bad_basket_actions_are_refused_and_change_nothing(
    db: Database, action: Callable[[CheckoutSession], object], match: str
) -> None:
    s = _session(db)
    s.scan("A1")
    _refused(s, lambda: action(s), match)


@pytest.mark.parametrize(
    ("action", "match"),
    [
        (lambda s: s.add_payment("card", 99_999), "exceeds the 39.90 yuan still due"),
        (lambda s: s.add_payment("bitcoin", 100), "unknown payment method"),
        (lambda s: s.add_payment("cash", 0), "above 0.00"),
        (lambda s: s.add_payment("card", tendered=5000), "only cash is tendered"),
        (lambda s: s.remove_payment(0), "no payment 1"),
        (lambda s: s.commit(), "39.90 yuan is still due"),
    ],
)
def test_bad_payments_are_refused_and_change_nothing(
    db: Database, action: Callable[[CheckoutSession], object], match: str
) -> None:
    s = _session(db)
    s.scan("C3")
    s.begin_payment()
    _refused(s, lambda: action(s), match)


def test_nothing_left_to_pay(db: Database) -> None:
    s = _session(db)
    s.scan("A1")
    s.begin_payment()
    s.add_payment("cash", tendered=Fen(2000))
    assert s.remaining == 0 and s.payments[0].change == 1000
    _refused(s, lambda: s.add_payment("card", Fen(1)), "nothing is left to pay")
    s.remove_payment(0)
    assert s.remaining == 1000


# --------------------------------------------------------------------------- the stored sale


def test_a_split_payment_sale_is_stored_whole(db: Database, clock: FixedClock) -> None:
    grant(db, "M1", 5000, clock)
    confirm_balance(db, "M1", clock.now())
    s = _session(db)
    s.identify(GOLD)
    s.scan("A1", 2)
    s.scan("MP")
    s.scan("SP")
    s.add_open_amount(Fen(1200))
    s.redeem(1000)  # 10.00 yuan under miniso (100 points = 1 yuan)
    s.begin_payment()
    s.add_payment("gift_card", Fen(2000))
    s.add_payment("card", Fen(3000))
    s.add_payment("cash", tendered=Fen(10000))
    due = s.due
    r = s.commit()
    assert r.points_redeemed == 1000 and r.points_value == 1000
    assert r.total == due == 2000 + 8800 + 800 + 1200 - 1000
    assert r.savings == {"member_price": 1200}
    assert sum(p.amount for p in r.payments) == r.total
    assert r.change == 10000 - (r.total - 5000)
    with db.read() as session:
        conn = session.connection()
        sale = repo.sale_by_id(session, r.sale_id)
        assert sale is not None and sale.member == "M1" and sale.total_fen == r.total
        lines = conn.exec_driver_sql(
            'SELECT "index", sku, qty, net_fen, points FROM sale_lines WHERE sale = ?'
            ' ORDER BY "index"',
            (r.sale_id,),
        ).all()
        assert [(i, sku, q) for i, sku, q, _, _ in lines] == [
            (0, "A1", 2),
            (1, "MP", 1),
            (2, "SP", 1),
            (3, "OPEN", 1),
        ]
        assert sum(n for *_, n, _ in lines) == r.total
        assert sum(p for *_, p in lines) == r.points_earned
        pays = conn.exec_driver_sql(
            "SELECT method, amount_fen FROM payments WHERE sale = ? ORDER BY id", (r.sale_id,)
        ).all()
        assert pays == [("gift_card", 2000), ("card", 3000), ("cash", r.total - 5000)]
        ledger = repo.ledger_for_sale(session, r.sale_id)
        assert sorted(e.entry.kind for e in ledger) == ["earn", "redeem"]
        assert sum(e.entry.points for e in ledger) == r.points_earned - 1000
        outbox = repo.outbox_pending(session)
        assert [(o.kind, o.ref_id) for o in outbox] == [("sale", r.sale_id)]
        # The outbox row is a reference; the push built from it carries both entries.
        assert outbox[0].payload == {}
        built, problems = outbound.build(
            session, outbound.pending_rows(session), outbound.Sender("S1", "T1"), None
        )
        assert problems == []
        kinds = [i.kind for i in built[0].items]
        assert kinds.count("sale") == 1 and kinds.count("ledger_entry") == 2
        member = repo.member_by_id(session, "M1")
        assert member is not None
        assert member.cached_points == repo.ledger_sum(session, "M1") == 4000 + r.points_earned
        assert member.cached_points == r.balance_available
        assert member.last_purchase_at == clock.now()
    ledger_consistent(db, clock.now())


def test_gold_member_pays_less_on_member_day_and_earns_birthday_points(
    db: Database, clock: FixedClock
) -> None:
    clock.set(dt.datetime(2026, 6, 3, 12, 0, tzinfo=SHANGHAI))  # Wednesday, M1's birthday week
    with db.write() as session:
        m = session.get(Member, "M1")
        assert m is not None
        m.birthday = MonthDay(6, 3)
    s = _session(db)
    s.identify(GOLD)
    s.scan("C3", 2)
    assert s.quote is not None and s.quote.member_day == "wednesday" and s.quote.birthday
    assert s.due == 7980 - 1000
    s.begin_payment()
    s.add_payment("card")
    r = s.commit()
    assert r.savings == {"member_day": 1000} and r.member_day == "wednesday"
    assert r.points_earned == 139  # floor(69.80 x 1 x 2 birthday)


def test_vancl_svip_discount_and_pending_points(db: Database, clock: FixedClock) -> None:
    with db.write() as session:
        m = session.get(Member, "M1")
        assert m is not None
        m.tier = "svip"
    s = _session(db, "vancl")
    s.identify(GOLD)
    s.scan("B2", 4)  # 102.00
    assert s.due == 9690  # SVIP pays 95%
    s.begin_payment()
    s.add_payment("cash")
    r = s.commit()
    assert r.savings == {"tier": 510}
    assert r.points_earned == 387 and r.points_earned_pending  # floor(96.90 x 2 x 2 SVIP)
    assert r.balance_available == 0 and r.balance_pending == r.points_earned
    clock.advance(days=31)
    with db.read() as session:
        assert repo.member_balance(session, "M1", clock.now()).available == r.points_earned


def test_an_unconfirmed_member_gets_no_tier_discount_and_pending_points(
    db: Database, clock: FixedClock
) -> None:
    s = _session(db, "vancl")
    s.identify(Identified(MemberId("NEW1"), "static", may_redeem=False, confirmed=False))
    assert s.member is not None and s.member.tier == "regular" and not s.member.stored
    s.scan("B2")
    _refused(s, lambda: s.redeem(100), "HQ has not confirmed")
    assert s.due == 2550
    s.begin_payment()
    s.add_payment("cash")
    r = s.commit()
    assert r.points_earned == 51 and r.points_earned_pending and r.tier is None
    assert r.balance_available == 0 and r.balance_pending == 51
    with db.read() as session:
        row = repo.member_by_id(session, "NEW1")
        assert row is not None and row.provisional and row.hq_version == 0
        (entry,) = repo.ledger_for_member(session, "NEW1")
        assert entry.available_at == PENDING_UNTIL_CONFIRMED
        clock.advance(days=400)
        assert repo.member_balance(session, "NEW1", clock.now()).available == 0


def test_a_static_code_cannot_redeem(db: Database, clock: FixedClock) -> None:
    grant(db, "M1", 5000, clock)
    s = _session(db)
    s.identify(GOLD_STATIC)
    s.scan("C3")
    _refused(s, lambda: s.redeem(100), "dynamic code")


def test_redemption_limits_from_the_rules(db: Database, clock: FixedClock) -> None:
    grant(db, "M1", 5000, clock)
    confirm_balance(db, "M1", clock.now())
    s = _session(db)
    s.identify(GOLD)
    s.scan("C3")  # 39.90; miniso: points pay at most 50%
    _refused(s, lambda: s.redeem(2000), "at most 50% of the amount due, 19.95 yuan")
    _refused(s, lambda: s.redeem(6000), "the member has 5000 available")
    s.redeem(1995)
    assert s.due == 1995
    s.redeem(0)
    assert s.due == 3990


def test_redeeming_while_paying_keeps_payments_consistent(db: Database, clock: FixedClock) -> None:
    grant(db, "M1", 5000, clock)
    s = _session(db)
    s.identify(GOLD)
    s.scan("C3")
    s.begin_payment()
    s.add_payment("card", Fen(3000))
    _refused(s, lambda: s.redeem(1500), "exceed the new amount due")
    s.redeem(990)
    assert s.remaining == 0
    r = s.commit()
    assert r.points_redeemed == 990 and r.total == 3000


def test_switching_member_drops_their_coupons_and_points(db: Database, clock: FixedClock) -> None:
    grant(db, "M1", 5000, clock)
    add_coupon(db, "CPN1", "M1", "birthday_8", clock)
    s = _session(db)
    s.identify(GOLD)
    s.scan("C3")
    s.add_coupon("CPN1")
    s.redeem(500)
    s.identify(REGULAR)
    assert s.coupons == () and s.redeem_points == 0 and s.due == 3990
    s.clear_member()
    assert s.member is None


# --------------------------------------------------------------------------- coupons


def test_a_member_coupon_is_used_with_the_sale(db: Database, clock: FixedClock) -> None:
    add_coupon(db, "CPN1", "M1", "spend_99_minus_20", clock)
    add_coupon(db, "CPN2", "M2", "birthday_8", clock)
    s = _session(db)
    s.identify(GOLD)
    s.scan("C3")
    _refused(s, lambda: s.add_coupon("CPN1"), "needs a spend of 99.00 yuan")
    _refused(s, lambda: s.add_coupon("CPN2"), "not held by member M1")
    _refused(s, lambda: s.add_coupon("NOPE"), "not held by member M1")
    s.scan("C3", 2)
    s.add_coupon("CPN1")
    _refused(s, lambda: s.add_coupon("CPN1"), "already applied")
    assert s.due == 3 * 3990 - 2000
    s.begin_payment()
    s.add_payment("cash")
    r = s.commit()
    assert r.coupons == ("CPN1",) and r.savings == {"coupon": 2000}
    with db.read() as session:
        coupon = session.get(MemberCoupon, "CPN1")
        assert coupon is not None and coupon.used_sale == r.sale_id
    s2 = _session(db)
    s2.identify(GOLD)
    s2.scan("C3", 3)
    _refused(s2, lambda: s2.add_coupon("CPN1"), "already used")


def test_an_expired_coupon_is_refused(db: Database, clock: FixedClock) -> None:
    add_coupon(db, "OLD", "M1", "birthday_8", clock, days=1)
    clock.advance(days=3)
    s = _session(db)
    s.identify(GOLD)
    s.scan("A1")
    _refused(s, lambda: s.add_coupon("OLD"), "expired on")


# --------------------------------------------------------------------------- offline allowance


def test_offline_redemption_is_capped_per_member_and_day(db: Database, clock: FixedClock) -> None:
    grant(db, "M1", 20_000, clock)
    s = _session(db)
    s.identify(GOLD)
    s.scan("MP", 3)  # 264.00 at member price: up to 132.00 in points
    _refused(
        s,
        lambda: s.redeem(3100),
        "never been confirmed with HQ, so at most 3000 points a day.*3000 still allowed",
    )
    s.redeem(2000)
    s.begin_payment()
    s.add_payment("card")
    s.commit()
    s2 = _session(db)
    s2.identify(GOLD)
    s2.scan("MP", 3)
    _refused(s2, lambda: s2.redeem(1500), "2000 already redeemed today, 1000 still allowed")
    s2.redeem(1000)
    # A terminal setting overrides the rules' allowance.
    s3 = _session(db, offline_allowance_points=0)
    s3.identify(GOLD)
    s3.scan("MP")
    _refused(s3, lambda: s3.redeem(100), "at most 0 points a day")
    # The next local day starts afresh.
    clock.advance(days=1)
    with db.read() as session:
        assert offline_allowance(session, make_ctx(db), "M1", clock.now()).left == 3000


def test_a_confirmed_balance_is_not_capped_until_it_is_stale(
    db: Database, clock: FixedClock
) -> None:
    grant(db, "M1", 20_000, clock)
    confirm_balance(db, "M1", clock.now())
    s = _session(db)
    s.identify(GOLD)
    s.scan("MP", 3)
    s.redeem(10_000)
    clock.advance(minutes=16)
    s.requote()
    s.begin_payment()
    s.add_payment("card")
    with pytest.raises(CheckoutError, match="since 2026-11-24 10:00"):
        s.commit()  # checked again at commit: the confirmation went stale meanwhile
    assert s.state is State.PAYING
    confirm_balance(db, "M1", clock.now())
    assert s.commit().points_redeemed == 10_000


def test_commit_refuses_when_the_price_changed_since_the_quote(
    db: Database, clock: FixedClock
) -> None:
    clock.set(dt.datetime(2026, 11, 24, 23, 59, 30, tzinfo=SHANGHAI))  # Tuesday night
    s = _session(db)
    s.identify(GOLD)
    s.scan("C3", 2)
    s.begin_payment()
    s.add_payment("cash", tendered=Fen(10000))
    stored = counts(db)
    clock.advance(minutes=1)  # Wednesday: member day
    before = _view(s)
    with pytest.raises(CheckoutError, match=r"changed from 79\.80 to 69\.80"):
        s.commit()
    assert _view(s) == before and counts(db) == stored
    s.back_to_basket()
    s.begin_payment()
    s.add_payment("cash", tendered=Fen(10000))
    assert s.commit().total == 6980


def test_receipt_codes_count_per_local_day(db: Database, clock: FixedClock) -> None:
    codes = []
    for _ in range(3):
        s = _session(db)
        s.scan("A1")
        s.begin_payment()
        s.add_payment("cash")
        codes.append(s.commit().receipt_code)
        clock.advance(hours=7)
    assert codes == ["S1-T1-20261124-0001", "S1-T1-20261124-0002", "S1-T1-20261125-0001"]


def test_receipt_json_is_plain_data(db: Database, clock: FixedClock) -> None:
    s = _session(db)
    s.identify(GOLD)
    s.scan("A1")
    s.begin_payment()
    s.add_payment("cash", tendered=Fen(5000))
    data = s.commit().to_json()
    assert data["total"] == "10.00" and data["change"] == "40.00"
    assert data["payments"] == [{"method": "cash", "amount": "10.00", "tendered": "50.00"}]
    assert data["tier"]["tier"] == "gold" and data["tier"]["growth"] == 6100
    assert data["at"] == TUESDAY.isoformat()


def test_growth_upgrades_the_tier_on_the_receipt(db: Database) -> None:
    s = _session(db)
    s.identify(REGULAR)
    s.scan("MP", 4)  # 352.00 yuan at member price: 3520 growth -> silver
    s.begin_payment()
    s.add_payment("card")
    r = s.commit()
    assert r.tier is not None and r.tier.tier == "silver" and r.tier.changed
    assert r.tier.next_tier == "gold" and r.tier.needed_growth == 6000 - 3520
    with db.read() as session:
        member = repo.member_by_id(session, "M2")
        assert member is not None and (member.tier, member.growth) == ("silver", 3520)


def test_anonymous_sale_has_no_ledger_rows(db: Database, clock: FixedClock) -> None:
    s = _session(db)
    s.scan("A1")
    s.begin_payment()
    s.add_payment("cash")
    r = s.commit()
    assert r.member_id is None and r.points_earned == 0 and r.balance_available is None
    with db.read() as session:
        assert repo.ledger_for_sale(session, r.sale_id) == []
        assert repo.outbox_pending_count(session) == 1


def test_rules_from_the_store_are_used_by_default(db: Database) -> None:
    from posloyalty.resources import resources_dir
    from posloyalty.terminal.context import context_from_store

    with pytest.raises(CheckoutError, match="no active rule document"):
        context_from_store(db, "c1")
    with pytest.raises(CheckoutError, match="unknown cashier"):
        context_from_store(db, "zz")
    text = (resources_dir() / "rules" / "vancl.toml").read_text(encoding="utf-8")
    with db.write() as session:
        repo.save_rule_document(session, doc_id="vancl", revision=1, text_=text, activate=True)
    assert context_from_store(db, "c1").rules.id == "vancl"


def test_balance_helper_agrees_with_replay(db: Database, clock: FixedClock) -> None:
    grant(db, "M1", 300, clock)
    with db.read() as session:
        entries = repo.ledger_for_member(session, "M1")
    assert pts.balance(entries, clock.now()).available == 300


def test_after_a_sale_the_remembered_ledger_is_the_stored_one(
    db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from posloyalty.tilldb import ledger_cache

    def no_reading(*args: object) -> None:
        raise AssertionError("the ledger was read again")

    grant(db, "M1", 5000, clock)
    ctx = make_ctx(db)
    for redeem in (0, 700, 0):
        clock.advance(minutes=5)
        s = CheckoutSession(ctx)
        s.identify(GOLD)
        s.scan("C3")
        s.scan("A1", 2)
        if redeem:
            s.redeem(redeem)
        s.begin_payment()
        s.add_payment("cash", tendered=s.due)
        s.commit()
        # The next identification reuses what the sale wrote, and it is exactly what is stored.
        with monkeypatch.context() as m, db.snapshot() as conn:
            m.setattr(ledger_cache, "ledger_for_member", no_reading)
            kept = ctx.ledgers.entries(conn, "M1", ctx.zone)
        with db.snapshot() as conn:
            stored = tuple(repo.ledger_for_member(conn, "M1", ctx.zone))
        assert kept == stored and len(stored) > 1
