"""Invariants of quoting over random baskets: exact money, exact allocation, honest points."""

import datetime as dt
import json
import math
from dataclasses import replace
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from posloyalty.domain import pricing
from posloyalty.domain.basket_codec import basket_from_json, basket_to_json
from posloyalty.domain.ids import CouponCode, Sku
from posloyalty.domain.money import Fen
from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.pricing import (
    Basket,
    BasketLine,
    CouponInstance,
    MemberSnapshot,
    Payment,
    PaymentMethod,
    Quote,
    quote,
    redemption_cap,
)
from posloyalty.domain.rules import RuleSet, parse_rules_text
from posloyalty.domain.verification import max_growth, max_points
from posloyalty.resources import load_preset

CST = dt.timezone(dt.timedelta(hours=8))

STACKING = parse_rules_text(
    """
format = "posloyalty.rules"
schema = 1
id = "stacking"
name = "stacking scheme"
[tiers]
family = "growth"
[[tiers.levels]]
id = "regular"
name = "Regular"
[[tiers.levels]]
id = "gold"
name = "Gold"
min_growth = 100
price_percent = "87.5"
points_multiplier = "1.5"
[pricing]
max_coupons_per_sale = 3
tier_discount_skips_member_price = false
[growth]
per_yuan = "2.5"
[points.earn]
regular = "3"
special = "0.5"
gift_card = "1.25"
birthday_multiplier = "2"
birthday_window = "month"
[points.value]
points = 100
yuan = "0.50"
[points.redeem]
max_percent = 80
min_points = 10
[[member_days]]
id = "wed"
name = "Wednesday"
min_spend = "30.00"
points_multiplier = "2"
special_counts = false
schedule = { weekdays = ["wed"] }
amounts = { regular = "5.00", gold = "12.00" }
[[member_days]]
id = "tenth"
name = "10th"
schedule = { monthdays = [10, 31] }
amounts = { gold = "3.00" }
[[coupons]]
id = "t50"
name = "50 minus 9"
kind = "threshold"
min_spend = "50.00"
amount = "9.00"
[[coupons]]
id = "food"
name = "food 3+"
kind = "threshold"
min_spend = "20.00"
amount = "6.00"
category = "food"
min_category_qty = 3
[[coupons]]
id = "pct"
name = "15% off"
kind = "percent"
percent_off = "15"
max_discount = "25.00"
special_eligible = false
[[coupons]]
id = "cash"
name = "cash 4"
kind = "cash"
amount = "4.00"
[[coupons]]
id = "solo"
name = "exclusive"
kind = "cash"
amount = "30.00"
exclusive = true
combine_with_member_day = false
"""
)
RULESETS = [load_preset("vancl"), load_preset("miniso"), STACKING]


@st.composite
def baskets(draw: st.DrawFn, *, member_required: bool = False) -> tuple[RuleSet, Basket]:
    rules = draw(st.sampled_from(RULESETS))
    n = draw(st.integers(1, 6))
    lines = []
    for i in range(n):
        price = draw(st.integers(0, 30_000))
        mp = draw(st.none() | st.integers(0, 35_000))
        lines.append(
            BasketLine(
                Sku(f"S{i}"),
                f"item {i}",
                draw(st.integers(1, 6)),
                Fen(price),
                draw(st.booleans()),
                draw(st.sampled_from(["", "food", "toys"])),
                None if mp is None else Fen(mp),
            )
        )
    day = draw(st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)))
    at = dt.datetime.combine(day, dt.time(12, 0), tzinfo=CST)
    member = None
    if member_required or draw(st.booleans()):
        member = MemberSnapshot(
            draw(st.sampled_from(rules.tiers.ids())),
            draw(st.integers(0, 200_000)),
            0,
            draw(st.none() | st.dates(dt.date(1950, 1, 1), dt.date(2008, 12, 31))),
        )
    templates = sorted(rules.coupons)
    coupons = []
    picked = draw(st.lists(st.sampled_from(templates), max_size=4)) if templates else []
    for k, tid in enumerate(picked):
        start = draw(st.none() | st.just(day - dt.timedelta(days=draw(st.integers(-3, 3)))))
        end = draw(st.none() | st.just(day + dt.timedelta(days=draw(st.integers(-3, 3)))))
        coupons.append(CouponInstance(CouponCode(f"{tid}-{k}"), rules.coupon(tid), start, end))
    return rules, Basket(at, member, tuple(lines), tuple(coupons))


def max_redeemable(rules: RuleSet, b: Basket, due: int) -> int:
    """The most points this basket may redeem (0 if none)."""
    if b.member is None:
        return 0
    pr = rules.points
    cap = due * pr.max_redeem_percent // 100
    most = min(b.member.points, cap * pr.value_points // pr.value_fen)
    most -= most % pr.redeem_step
    return most if most >= pr.min_redeem_points else 0


def with_redemption_and_payments(
    data: st.DataObject, rules: RuleSet, b: Basket, *, gift_card: bool = True
) -> Basket:
    draw = data.draw
    due = quote(rules, b).total
    most = max_redeemable(rules, b, due)
    step = rules.points.redeem_step
    redeem = draw(st.integers(0, most // step)) * step
    if redeem and redeem < rules.points.min_redeem_points:
        redeem = 0
    left = due - rules.points.points_value(redeem)
    payments: list[Payment] = []
    methods: list[PaymentMethod] = ["card", "gift_card"] if gift_card else ["card"]
    for method in draw(st.lists(st.sampled_from(methods), max_size=2)):
        amount = draw(st.integers(0, left))
        left -= amount
        payments.append(Payment(method, Fen(amount)))
    return Basket(b.at, b.member, b.lines, b.coupons, redeem, tuple(payments))


def check_invariants(rules: RuleSet, b: Basket, q: Quote) -> None:
    assert q.total >= 0
    assert q.subtotal == sum(ln.unit_price * ln.qty for ln in b.lines)
    assert q.subtotal - sum(d.amount for d in q.discounts) == q.total
    for d in q.discounts:
        assert d.amount > 0
        assert sum(d.per_line) == d.amount
        assert len(d.per_line) == len(b.lines)
    assert sum(ln.net for ln in q.lines) == q.total
    assert all(0 <= ln.net <= ln.gross for ln in q.lines)
    for ln in q.lines:
        assert ln.gross - sum(ln.discounts.values()) == ln.net
        assert 0 <= ln.gift_card <= ln.net
    assert sum(ln.points for ln in q.lines) == q.points_earned
    assert sum(ln.growth for ln in q.lines) == q.growth_earned
    assert sum(ln.points_value for ln in q.lines) == q.points_value
    assert sum(p.amount for p in q.payments) == q.total
    assert q.points_value == rules.points.points_value(q.points_redeemed)
    if b.member is None:
        assert (q.points_earned, q.growth_earned) == (0, 0)
    else:
        # No points on the points-paid part: at most the best rate on what was paid in money.
        pr = rules.points
        best = max(pr.regular_rate, pr.special_rate, pr.gift_card_rate)
        mult = rules.tiers.level(b.member.tier).points_multiplier
        if q.birthday:
            mult *= pr.birthday_multiplier
        for md in rules.member_days:
            if md.id == q.member_day:
                mult *= md.points_multiplier
        assert q.points_earned <= Fraction(q.total, 100) * best * mult
        assert q.growth_earned == math.floor(Fraction(q.total, 100) * rules.growth.per_yuan)


@given(st.data())
def test_quote_invariants(data: st.DataObject) -> None:
    rules, b = data.draw(baskets())
    b = with_redemption_and_payments(data, rules, b)
    q = quote(rules, b)
    check_invariants(rules, b, q)
    assert quote(rules, b) == q  # deterministic


@given(st.data())
def test_paying_with_points_never_increases_points_earned(data: st.DataObject) -> None:
    rules, b = data.draw(baskets(member_required=True))
    b = with_redemption_and_payments(data, rules, b, gift_card=False)
    without = Basket(b.at, b.member, b.lines, b.coupons, 0, b.payments)
    with_points = quote(rules, b)
    assert with_points.points_earned <= quote(rules, without).points_earned
    assert with_points.growth_earned <= quote(rules, without).growth_earned


@given(st.data())
def test_non_members_earn_nothing_and_pay_list_price_before_coupons(data: st.DataObject) -> None:
    rules, b = data.draw(baskets())
    anon = Basket(b.at, None, b.lines, b.coupons)
    q = quote(rules, anon)
    assert (q.points_earned, q.growth_earned, q.member_day) == (0, 0, None)
    assert {d.kind for d in q.discounts} <= {"coupon"}


@given(st.data())
def test_a_basket_survives_its_json_for_hq(data: st.DataObject) -> None:
    """A till sends the basket with the sale; HQ prices it again from the JSON."""
    rules, b = data.draw(baskets())
    b = with_redemption_and_payments(data, rules, b)
    if b.member is not None and data.draw(st.booleans()) and b.member.birthday is not None:
        day = b.member.birthday
        b = replace(b, member=replace(b.member, birthday=MonthDay(day.month, day.day)))
    again = basket_from_json(json.loads(json.dumps(basket_to_json(b))), rules)
    assert again == b
    assert quote(rules, again) == quote(rules, b)


@given(st.data())
def test_no_basket_earns_more_than_hq_bounds_allow(data: st.DataObject) -> None:
    """HQ holds a sale without its basket to these bounds (domain/verification.py)."""
    rules, b = data.draw(baskets())
    b = with_redemption_and_payments(data, rules, b)
    q = quote(rules, b)
    assert q.points_earned <= max_points([rules], q.total)
    assert q.growth_earned <= max_growth([rules], q.total)


@given(
    due=st.integers(min_value=0, max_value=10**6),
    available=st.integers(min_value=-50, max_value=10**6),
)
def test_the_most_redeemable_points_are_what_the_quote_accepts(due: int, available: int) -> None:
    """The counter offers :func:`pricing.max_redeemable`; the quote checks the same cap and step, so
    the offer is always accepted and one step more (if held) never is."""
    rules = STACKING.points
    best = pricing.max_redeemable(rules, due, available)
    step = rules.redeem_step
    assert best == 0 or best >= rules.min_redeem_points
    assert best % step == 0 and 0 <= best <= max(available, 0)
    assert rules.points_value(best) <= redemption_cap(rules, due)
    more = best + step
    if best and more <= available:
        assert rules.points_value(more) > redemption_cap(rules, due)
