"""Pricing: member prices, tier discount, member days, coupons, points redemption, payments."""

import datetime as dt
from fractions import Fraction

import pytest

from posloyalty.domain.ids import CouponCode, Sku, TierId
from posloyalty.domain.money import Fen, parse_yuan
from posloyalty.domain.pricing import (
    Basket,
    BasketLine,
    CouponInstance,
    MemberSnapshot,
    Payment,
    Quote,
    QuoteError,
    quote,
    schedule_matches,
)
from posloyalty.domain.rules import RuleSet, Schedule, parse_rules_text
from posloyalty.resources import load_preset

CST = dt.timezone(dt.timedelta(hours=8))
WED = dt.datetime(2026, 11, 25, 14, 30, tzinfo=CST)
TUE = dt.datetime(2026, 11, 24, 14, 30, tzinfo=CST)
MINISO = load_preset("miniso")
VANCL = load_preset("vancl")


def y(text: str) -> Fen:
    return parse_yuan(text)


def line(
    price: str,
    qty: int = 1,
    *,
    sku: str = "S",
    special: bool = False,
    category: str = "",
    member_price: str | None = None,
) -> BasketLine:
    mp = None if member_price is None else y(member_price)
    return BasketLine(Sku(sku), sku, qty, y(price), special, category, mp)


def member(tier: str, points: int = 0, birthday: dt.date | None = None) -> MemberSnapshot:
    return MemberSnapshot(TierId(tier), points, 0, birthday)


def basket(
    *lines: BasketLine,
    at: dt.datetime = TUE,
    who: MemberSnapshot | None = None,
    coupons: tuple[CouponInstance, ...] = (),
    redeem: int = 0,
    payments: tuple[Payment, ...] = (),
) -> Basket:
    return Basket(at, who, lines, coupons, redeem, payments)


def amounts(q: Quote) -> dict[str, str]:
    return {f"{d.kind}:{d.rule}": f"{d.amount / 100:.2f}" for d in q.discounts}


def check_exact(q: Quote) -> None:
    assert q.subtotal - sum(d.amount for d in q.discounts) == q.total
    assert sum(ln.net for ln in q.lines) == q.total
    for d in q.discounts:
        assert sum(d.per_line) == d.amount


def rules_doc(
    extra: str = "", *, earn: str = "", value: str = 'points = 100\nyuan = "1.00"'
) -> RuleSet:
    return parse_rules_text(
        f"""
format = "posloyalty.rules"
schema = 1
id = "t"
name = "test scheme"
[tiers]
family = "growth"
[[tiers.levels]]
id = "regular"
name = "Regular"
[[tiers.levels]]
id = "gold"
name = "Gold"
min_growth = 100
price_percent = "90"
[growth]
per_yuan = 1
[points.earn]
regular = "1"
special = "1"
gift_card = "1"
{earn}
[points.value]
{value}
{extra}
"""
    )


# --------------------------------------------------------------------------- MINISO member day


@pytest.mark.parametrize(
    ("tier", "off"), [("gold", "10.00"), ("silver", "8.00"), ("regular", "6.00")]
)
def test_miniso_wednesday_68_minus_by_tier(tier: str, off: str) -> None:
    q = quote(MINISO, basket(line("34.00", 2), at=WED, who=member(tier)))
    assert q.member_day == "wednesday"
    assert amounts(q) == {"member_day:wednesday": off}
    assert q.total == y("68.00") - y(off)
    check_exact(q)


def test_miniso_67_99_gets_nothing() -> None:
    q = quote(MINISO, basket(line("67.99"), at=WED, who=member("gold")))
    assert q.discounts == ()
    assert q.member_day is None
    assert q.total == y("67.99")


def test_miniso_tuesday_gets_nothing() -> None:
    q = quote(MINISO, basket(line("100.00"), at=TUE, who=member("gold")))
    assert q.discounts == ()
    assert q.member_day is None


def test_member_day_is_for_members_only() -> None:
    q = quote(MINISO, basket(line("100.00"), at=WED))
    assert q.discounts == ()
    assert q.member_day is None


def test_member_day_uses_store_local_date() -> None:
    # 2026-11-24 20:00 UTC is already Wednesday 04:00 in China.
    at = dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC).astimezone(CST)
    q = quote(MINISO, basket(line("68.00"), at=at, who=member("regular")))
    assert q.member_day == "wednesday"


def test_member_day_reduction_is_split_over_lines_exactly() -> None:
    q = quote(
        MINISO,
        basket(
            line("33.33", sku="A"),
            line("33.34", sku="B"),
            line("1.33", sku="C"),
            at=WED,
            who=member("gold"),
        ),
    )
    (disc,) = q.discounts
    assert disc.amount == 1000 and sum(disc.per_line) == 1000
    assert list(disc.per_line) == [490, 490, 20]
    check_exact(q)


def test_member_day_threshold_counts_after_tier_discount() -> None:
    rules = rules_doc(
        """
[[member_days]]
id = "md"
name = "member day"
min_spend = "90.00"
schedule = { weekdays = ["wed"] }
amounts = { gold = "5.00" }
"""
    )
    # Gold pays 90%: 100.00 -> 90.00 qualifies, 99.99 -> 89.99 does not.
    q = quote(rules, basket(line("100.00"), at=WED, who=member("gold")))
    assert amounts(q) == {"tier:gold": "10.00", "member_day:md": "5.00"}
    assert quote(rules, basket(line("99.99"), at=WED, who=member("gold"))).member_day is None


def test_member_day_special_lines_excluded_from_threshold_when_configured() -> None:
    rules = rules_doc(
        """
[[member_days]]
id = "md"
name = "member day"
min_spend = "50.00"
special_counts = false
schedule = { weekdays = ["wed"] }
amounts = { regular = "5.00" }
"""
    )
    q = quote(
        rules, basket(line("40.00"), line("40.00", special=True), at=WED, who=member("regular"))
    )
    assert q.discounts == ()
    q = quote(
        rules, basket(line("50.00"), line("40.00", special=True), at=WED, who=member("regular"))
    )
    (disc,) = q.discounts
    assert disc.per_line == (500, 0)


def test_largest_member_day_wins() -> None:
    rules = rules_doc(
        """
[[member_days]]
id = "weekly"
name = "weekly"
schedule = { weekdays = ["wed"] }
amounts = { regular = "3.00" }

[[member_days]]
id = "big"
name = "big"
min_spend = "10.00"
schedule = { monthdays = [25] }
amounts = { regular = "7.00" }
"""
    )
    q = quote(rules, basket(line("20.00"), at=WED, who=member("regular")))
    assert q.member_day == "big"
    assert amounts(q) == {"member_day:big": "7.00"}
    q = quote(rules, basket(line("9.00"), at=WED, who=member("regular")))
    assert q.member_day == "weekly"


def test_monthly_member_day_on_the_8th() -> None:
    rules = rules_doc(
        """
[[member_days]]
id = "eighth"
name = "8th of the month"
schedule = { monthdays = [8] }
amounts = { regular = "2.00" }
"""
    )
    on = dt.datetime(2026, 12, 8, 10, tzinfo=CST)
    off = dt.datetime(2026, 12, 9, 10, tzinfo=CST)
    assert quote(rules, basket(line("10.00"), at=on, who=member("regular"))).member_day == "eighth"
    assert quote(rules, basket(line("10.00"), at=off, who=member("regular"))).member_day is None


def test_rrule_member_day_last_friday() -> None:
    rules = rules_doc(
        """
[[member_days]]
id = "last_friday"
name = "last Friday"
schedule = { rrule = "FREQ=MONTHLY;BYDAY=-1FR", rrule_start = 2026-01-01 }
amounts = { regular = "4.00" }
"""
    )
    last_fri = dt.datetime(2026, 11, 27, 19, tzinfo=CST)
    other_fri = dt.datetime(2026, 11, 20, 19, tzinfo=CST)
    assert (
        quote(rules, basket(line("10.00"), at=last_fri, who=member("regular"))).member_day
        == "last_friday"
    )
    assert (
        quote(rules, basket(line("10.00"), at=other_fri, who=member("regular"))).member_day is None
    )
    before_start = dt.datetime(2025, 12, 26, 19, tzinfo=CST)
    assert (
        quote(rules, basket(line("10.00"), at=before_start, who=member("regular"))).member_day
        is None
    )


def test_monthday_31_does_not_occur_in_short_months() -> None:
    sched = Schedule(monthdays=frozenset({31}))
    assert schedule_matches(sched, dt.date(2026, 12, 31))
    assert not any(schedule_matches(sched, dt.date(2026, 11, d)) for d in range(1, 31))
    assert not schedule_matches(sched, dt.date(2026, 12, 1))


def test_member_day_never_takes_more_than_the_spend() -> None:
    rules = rules_doc(
        """
[[member_days]]
id = "md"
name = "md"
schedule = { weekdays = ["wed"] }
amounts = { regular = "5.00" }
"""
    )
    q = quote(rules, basket(line("3.00"), at=WED, who=member("regular")))
    assert q.total == 0
    check_exact(q)


# --------------------------------------------------------------------------- Vancl tier discount


@pytest.mark.parametrize(
    ("tier", "total"), [("regular", "100.00"), ("vip", "98.00"), ("svip", "95.00")]
)
def test_vancl_tier_price(tier: str, total: str) -> None:
    q = quote(VANCL, basket(line("100.00"), who=member(tier)))
    assert q.total == y(total)


def test_vancl_special_price_lines_get_no_tier_discount() -> None:
    q = quote(
        VANCL,
        basket(line("100.00", sku="R"), line("50.00", sku="S", special=True), who=member("svip")),
    )
    (disc,) = q.discounts
    assert (disc.kind, disc.rule, disc.amount, disc.per_line) == ("tier", "svip", 500, (500, 0))
    assert [ln.net for ln in q.lines] == [9500, 5000]


def test_tier_discount_rounds_half_up_once_on_the_eligible_sum() -> None:
    # 2% of 0.25 = 0.5 fen -> 1 fen; 2% of 0.24 = 0.48 fen -> 0.
    assert quote(VANCL, basket(line("0.25"), who=member("vip"))).total == 24
    assert quote(VANCL, basket(line("0.24"), who=member("vip"))).total == 24
    # Two lines of 0.25: 2% of 0.50 = exactly 1 fen (not 1 + 1 by rounding per line).
    q = quote(VANCL, basket(line("0.25", sku="A"), line("0.25", sku="B"), who=member("vip")))
    assert q.total == 49
    check_exact(q)


def test_tier_discount_can_include_special_lines_when_configured() -> None:
    rules = rules_doc("[pricing]\ntier_discount_skips_special = false")
    q = quote(rules, basket(line("10.00", special=True), who=member("gold")))
    assert q.total == y("9.00")


def test_non_members_get_no_tier_discount() -> None:
    assert quote(VANCL, basket(line("100.00"))).discounts == ()


# --------------------------------------------------------------------------- member prices


def test_member_price_line_gets_member_price_and_no_tier_discount() -> None:
    q = quote(
        VANCL,
        basket(
            line("120.00", 2, sku="M", member_price="100.00"),
            line("100.00", sku="R"),
            who=member("svip"),
        ),
    )
    assert amounts(q) == {"member_price:member_price": "40.00", "tier:svip": "5.00"}
    assert q.lines[0].discounts == {"member_price": 4000}
    assert q.lines[1].discounts == {"tier": 500}
    assert q.total == y("295.00")
    check_exact(q)


def test_member_price_for_members_only() -> None:
    q = quote(VANCL, basket(line("120.00", member_price="100.00")))
    assert q.total == y("120.00")


def test_member_price_not_lower_is_ignored() -> None:
    q = quote(VANCL, basket(line("100.00", member_price="110.00"), who=member("vip")))
    assert amounts(q) == {"tier:vip": "2.00"}


def test_member_price_lines_can_take_tier_discount_when_configured() -> None:
    rules = rules_doc("[pricing]\ntier_discount_skips_member_price = false")
    q = quote(rules, basket(line("12.00", member_price="10.00"), who=member("gold")))
    assert amounts(q) == {"member_price:member_price": "2.00", "tier:gold": "1.00"}


# --------------------------------------------------------------------------- coupons

COUPONS = """
[pricing]
max_coupons_per_sale = 2

[[coupons]]
id = "c99_20"
name = "99 minus 20"
kind = "threshold"
min_spend = "99.00"
amount = "20.00"

[[coupons]]
id = "food"
name = "5 food items, 100 minus 15"
kind = "threshold"
min_spend = "100.00"
amount = "15.00"
category = "food"
min_category_qty = 5

[[coupons]]
id = "p12"
name = "12% off, at most 10"
kind = "percent"
percent_off = "12"
max_discount = "10.00"

[[coupons]]
id = "cash8"
name = "8 yuan"
kind = "cash"
amount = "8.00"

[[coupons]]
id = "solo"
name = "exclusive 5"
kind = "cash"
amount = "5.00"
exclusive = true

[[coupons]]
id = "no_md"
name = "not on member day"
kind = "cash"
amount = "3.00"
combine_with_member_day = false

[[coupons]]
id = "regular_only"
name = "not on special-price goods"
kind = "percent"
percent_off = "10"
special_eligible = false

[[member_days]]
id = "wed"
name = "Wednesday"
schedule = { weekdays = ["wed"] }
amounts = { regular = "1.00" }
"""
CR = rules_doc(COUPONS)


def coupon(
    tid: str, code: str | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> CouponInstance:
    return CouponInstance(CouponCode(code or tid), CR.coupon(tid), start, end)


def test_threshold_99_minus_20() -> None:
    q = quote(CR, basket(line("99.00"), coupons=(coupon("c99_20"),)))
    assert amounts(q) == {"coupon:c99_20": "20.00"}
    assert q.total == y("79.00")
    q = quote(CR, basket(line("98.99"), coupons=(coupon("c99_20"),)))
    assert q.discounts == ()
    (rej,) = q.rejected_coupons
    assert rej.code == "c99_20"
    assert "99.00" in rej.reason and "98.99" in rej.reason


def test_threshold_is_measured_after_member_discounts() -> None:
    # Gold pays 90%: 110.00 -> 99.00 qualifies, 109.99 -> 98.99 does not.
    assert quote(
        CR, basket(line("110.00"), who=member("gold"), coupons=(coupon("c99_20"),))
    ).total == y("79.00")
    q = quote(CR, basket(line("109.99"), who=member("gold"), coupons=(coupon("c99_20"),)))
    assert len(q.rejected_coupons) == 1


def test_food_coupon_needs_five_food_items() -> None:
    five = quote(
        CR,
        basket(
            line("20.00", 5, sku="F", category="food"),
            line("30.00", sku="T", category="toys"),
            coupons=(coupon("food"),),
        ),
    )
    (disc,) = five.discounts
    assert disc.amount == 1500 and disc.per_line == (1500, 0)
    four = quote(
        CR,
        basket(
            line("25.00", 4, sku="F", category="food"),
            line("30.00", sku="T", category="toys"),
            coupons=(coupon("food"),),
        ),
    )
    assert four.discounts == ()
    (rej,) = four.rejected_coupons
    assert "5 or more food items" in rej.reason and "has 4" in rej.reason


def test_food_coupon_threshold_counts_food_only() -> None:
    q = quote(
        CR,
        basket(
            line("1.00", 5, sku="F", category="food"),
            line("200.00", sku="T"),
            coupons=(coupon("food"),),
        ),
    )
    assert q.discounts == ()
    assert "100.00" in q.rejected_coupons[0].reason


def test_percent_coupon_rounds_half_up_and_is_capped() -> None:
    assert quote(CR, basket(line("12.34"), coupons=(coupon("p12"),))).discounts[0].amount == 148
    assert quote(CR, basket(line("12.46"), coupons=(coupon("p12"),))).discounts[0].amount == 150
    assert quote(CR, basket(line("50.00"), coupons=(coupon("p12"),))).discounts[0].amount == 600
    assert quote(CR, basket(line("200.00"), coupons=(coupon("p12"),))).discounts[0].amount == 1000


def test_cash_coupon_has_no_threshold_and_never_exceeds_the_amount() -> None:
    assert quote(CR, basket(line("30.00"), coupons=(coupon("cash8"),))).total == y("22.00")
    q = quote(CR, basket(line("5.00"), coupons=(coupon("cash8"),)))
    assert q.total == 0
    assert q.discounts[0].amount == 500
    check_exact(q)


def test_coupon_validity_window() -> None:
    day = TUE.date()
    ok = coupon("cash8", start=day, end=day)
    assert quote(CR, basket(line("30.00"), coupons=(ok,))).rejected_coupons == ()
    expired = coupon("cash8", end=day - dt.timedelta(days=1))
    q = quote(CR, basket(line("30.00"), coupons=(expired,)))
    assert q.discounts == ()
    assert q.rejected_coupons[0].reason == "expired on 2026-11-23"
    early = coupon("cash8", start=day + dt.timedelta(days=1))
    q = quote(CR, basket(line("30.00"), coupons=(early,)))
    assert q.rejected_coupons[0].reason == "not valid until 2026-11-25"


def test_exclusive_coupon_must_be_alone() -> None:
    q = quote(CR, basket(line("30.00"), coupons=(coupon("solo"), coupon("cash8"))))
    assert amounts(q) == {"coupon:solo": "5.00"}
    assert [r.code for r in q.rejected_coupons] == ["cash8"]
    assert "exclusive" in q.rejected_coupons[0].reason
    q = quote(CR, basket(line("30.00"), coupons=(coupon("cash8"), coupon("solo"))))
    assert amounts(q) == {"coupon:cash8": "8.00"}
    assert [r.code for r in q.rejected_coupons] == ["solo"]


def test_max_coupons_per_sale() -> None:
    q = quote(
        CR,
        basket(
            line("100.00"),
            coupons=(coupon("cash8", "a"), coupon("cash8", "b"), coupon("cash8", "c")),
        ),
    )
    assert amounts(q) == {"coupon:a": "8.00", "coupon:b": "8.00"}
    (rej,) = q.rejected_coupons
    assert rej.code == "c" and rej.reason == "at most 2 coupons per sale"
    miniso = quote(
        MINISO,
        basket(
            line("100.00"),
            coupons=(
                CouponInstance(CouponCode("x"), MINISO.coupon("birthday_8")),
                CouponInstance(CouponCode("y"), MINISO.coupon("new_member_5")),
            ),
        ),
    )
    assert [r.reason for r in miniso.rejected_coupons] == ["at most 1 coupon per sale"]


def test_same_coupon_code_twice_is_rejected() -> None:
    q = quote(CR, basket(line("100.00"), coupons=(coupon("cash8", "a"), coupon("cash8", "a"))))
    assert q.total == y("92.00")
    assert q.rejected_coupons[0].reason == "this coupon is already used in this sale"


def test_coupon_not_combinable_with_member_day() -> None:
    q = quote(CR, basket(line("30.00"), at=WED, who=member("regular"), coupons=(coupon("no_md"),)))
    assert amounts(q) == {"member_day:wed": "1.00"}
    assert q.rejected_coupons[0].reason == "cannot be combined with the member-day reduction"
    q = quote(CR, basket(line("30.00"), at=TUE, who=member("regular"), coupons=(coupon("no_md"),)))
    assert amounts(q) == {"coupon:no_md": "3.00"}


def test_coupon_not_on_special_price_lines() -> None:
    q = quote(
        CR,
        basket(
            line("10.00", sku="R"),
            line("90.00", sku="S", special=True),
            coupons=(coupon("regular_only"),),
        ),
    )
    (disc,) = q.discounts
    assert disc.per_line == (100, 0)
    q = quote(CR, basket(line("90.00", special=True), coupons=(coupon("regular_only"),)))
    assert q.discounts == ()
    assert "no eligible items" in q.rejected_coupons[0].reason


# --------------------------------------------------------------------------- points redemption


def test_vancl_100_points_pay_2_yuan() -> None:
    q = quote(VANCL, basket(line("100.00"), who=member("regular", 1000), redeem=500))
    assert q.points_redeemed == 500 and q.points_value == 1000
    assert amounts(q) == {"points:points": "10.00"}
    assert q.total == y("90.00")
    assert q.lines[0].points_value == 1000


def test_redeeming_more_points_than_held() -> None:
    with pytest.raises(QuoteError, match="has 100 available"):
        quote(VANCL, basket(line("100.00"), who=member("regular", 100), redeem=200))


def test_redeeming_as_non_member() -> None:
    with pytest.raises(QuoteError, match="only members"):
        quote(VANCL, basket(line("100.00"), redeem=100))


def test_redeem_step_and_minimum() -> None:
    # 100 points = 0.50 yuan: one fen is 2 points, so points go in steps of 2.
    rules = rules_doc("[points.redeem]\nmin_points = 10", value='points = 100\nyuan = "0.50"')
    assert rules.points.redeem_step == 2
    with pytest.raises(QuoteError, match="steps of 2 points"):
        quote(rules, basket(line("10.00"), who=member("regular", 100), redeem=13))
    with pytest.raises(QuoteError, match="minimum is 10 points"):
        quote(rules, basket(line("10.00"), who=member("regular", 100), redeem=8))
    assert (
        quote(rules, basket(line("10.00"), who=member("regular", 100), redeem=12)).points_value == 6
    )


def test_redemption_cap_is_a_share_of_the_amount_due() -> None:
    # MINISO caps points at 50% of the amount due after discounts; 100 points = 1 yuan.
    ok = quote(MINISO, basket(line("68.00"), at=WED, who=member("gold", 10_000), redeem=2900))
    assert ok.total == y("29.00")
    with pytest.raises(QuoteError, match=r"at most 50% of the amount due, 29\.00 yuan"):
        quote(MINISO, basket(line("68.00"), at=WED, who=member("gold", 10_000), redeem=2901))


# --------------------------------------------------------------------------- payments and errors


def test_payments_get_a_cash_remainder() -> None:
    q = quote(VANCL, basket(line("100.00"), payments=(Payment("card", y("30.00")),)))
    assert q.payments == (Payment("card", y("30.00")), Payment("cash", y("70.00")))
    exact = quote(VANCL, basket(line("100.00"), payments=(Payment("gift_card", y("100.00")),)))
    assert exact.payments == (Payment("gift_card", y("100.00")),)


def test_wechat_pay_and_alipay_earn_like_card() -> None:
    by = {
        m: quote(VANCL, basket(line("100.00"), payments=(Payment(m, y("100.00")),)))
        for m in ("card", "wechat", "alipay")
    }
    assert by["wechat"].payments == (Payment("wechat", y("100.00")),)
    assert by["wechat"].points_earned == by["alipay"].points_earned == by["card"].points_earned


def test_non_cash_payments_cannot_exceed_the_total() -> None:
    with pytest.raises(QuoteError, match="exceed the amount due"):
        quote(VANCL, basket(line("10.00"), payments=(Payment("card", y("10.01")),)))
    with pytest.raises(QuoteError, match="exceed the amount due"):
        quote(VANCL, basket(line("10.00"), payments=(Payment("cash", y("20.00")),)))


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(QuoteError, match="UTC offset"):
        basket(line("1.00"), at=dt.datetime(2026, 11, 25, 12, 0))  # noqa: DTZ001


def test_unknown_tier_is_refused() -> None:
    with pytest.raises(QuoteError, match="unknown tier 'platinum'"):
        quote(VANCL, basket(line("1.00"), who=member("platinum")))


@pytest.mark.parametrize(
    "kwargs",
    [{"qty": 0}, {"qty": -1}, {"unit_price": Fen(-1)}, {"member_price": Fen(-1)}],
)
def test_bad_lines_are_refused(kwargs: dict[str, int]) -> None:
    fields: dict[str, object] = {"sku": Sku("A"), "name": "a", "qty": 1, "unit_price": Fen(100)}
    fields.update(kwargs)
    with pytest.raises(ValueError, match="line 'A'"):
        BasketLine(**fields)  # type: ignore[arg-type]  # the bad value is the point


def test_full_basket_is_exact_and_deterministic() -> None:
    b = basket(
        line("120.00", 2, sku="M", member_price="99.99"),
        line("33.33", 3, sku="R", category="food"),
        line("19.90", sku="S", special=True),
        at=WED,
        who=member("gold", 5000),
        coupons=(coupon("p12"), coupon("cash8")),
        redeem=1000,
        payments=(Payment("gift_card", y("50.00")),),
    )
    q = quote(CR, b)
    check_exact(q)
    assert q == quote(CR, b)
    assert sum(ln.points_value for ln in q.lines) == q.points_value
    assert sum(ln.gift_card for ln in q.lines) == y("50.00")
    assert q.lines[0].discounts["member_price"] == 2 * (12000 - 9999)
    assert all(Fraction(ln.net) >= 0 for ln in q.lines)
