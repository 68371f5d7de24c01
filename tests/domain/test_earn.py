"""Earning at the counter: points and growth on money actually paid, multipliers, birthdays."""

import datetime as dt

import pytest

from posloyalty.domain.ids import Sku, TierId
from posloyalty.domain.money import Fen, parse_yuan
from posloyalty.domain.pricing import (
    Basket,
    BasketLine,
    MemberSnapshot,
    Payment,
    Quote,
    birthday_in_window,
    quote,
)
from posloyalty.domain.rules import RuleSet, parse_rules_text
from posloyalty.resources import load_preset

CST = dt.timezone(dt.timedelta(hours=8))
TUE = dt.datetime(2026, 11, 24, 11, 0, tzinfo=CST)
MINISO = load_preset("miniso")
VANCL = load_preset("vancl")


def y(text: str) -> Fen:
    return parse_yuan(text)


def line(
    price: str, qty: int = 1, *, special: bool = False, member_price: str | None = None
) -> BasketLine:
    mp = None if member_price is None else y(member_price)
    return BasketLine(Sku("S"), "item", qty, y(price), special, "", mp)


def sale(
    rules: RuleSet,
    *lines: BasketLine,
    tier: str | None = "regular",
    points: int = 0,
    redeem: int = 0,
    birthday: dt.date | None = None,
    at: dt.datetime = TUE,
    payments: tuple[Payment, ...] = (),
) -> Quote:
    who = None if tier is None else MemberSnapshot(TierId(tier), points, 0, birthday)
    q = quote(rules, Basket(at, who, lines, (), redeem, payments))
    assert sum(ln.points for ln in q.lines) == q.points_earned
    assert sum(ln.growth for ln in q.lines) == q.growth_earned
    return q


# --------------------------------------------------------------------------- Vancl rates


def test_vancl_svip_100_yuan_regular_goods_earns_400_points_worth_8_yuan() -> None:
    # A member-price line skips the tier discount, so the SVIP pays exactly 100 yuan.
    q = sale(VANCL, line("120.00", member_price="100.00"), tier="svip")
    assert q.total == y("100.00")
    assert q.points_earned == 100 * 2 * 2 == 400
    assert VANCL.points.points_value(400) == y("8.00")


def test_vancl_svip_earns_on_the_discounted_price() -> None:
    q = sale(VANCL, line("100.00"), tier="svip")
    assert q.total == y("95.00")
    assert q.points_earned == 95 * 2 * 2


@pytest.mark.parametrize(
    ("tier", "special", "expected"),
    [
        ("regular", False, 200),  # 1 yuan -> 2 points
        ("regular", True, 50),  # special price: 1 yuan -> 0.5 point
        ("vip", True, 75),  # x1.5 (no tier discount on special lines)
        ("svip", True, 100),  # x2
    ],
)
def test_vancl_rates_and_multipliers(tier: str, special: bool, expected: int) -> None:
    assert sale(VANCL, line("100.00", special=special), tier=tier).points_earned == expected


def test_vancl_vip_regular_goods() -> None:
    # VIP pays 98.00 for 100.00 of regular goods: 98 * 2 * 1.5.
    assert sale(VANCL, line("100.00"), tier="vip").points_earned == 294


def test_vancl_gift_card_part_earns_1_point_per_yuan() -> None:
    q = sale(VANCL, line("100.00"), payments=(Payment("gift_card", y("100.00")),))
    assert q.points_earned == 100
    q = sale(VANCL, line("100.00"), payments=(Payment("gift_card", y("40.00")),))
    assert q.points_earned == 60 * 2 + 40 * 1


def test_gift_card_is_allocated_over_lines_by_net() -> None:
    # Regular 60 + special 40; gift card 50 -> 30 / 20.
    q = sale(
        VANCL,
        line("60.00"),
        line("40.00", special=True),
        payments=(Payment("gift_card", y("50.00")),),
    )
    assert [ln.gift_card for ln in q.lines] == [3000, 2000]
    assert q.points_earned == 120  # (30 * 2 + 30 * 1) + (20 * 0.5 + 20 * 1)
    assert [ln.points for ln in q.lines] == [90, 30]


def test_cash_part_of_a_points_redemption_still_earns() -> None:
    # 1,000 points pay 20 yuan of a 100-yuan sale; the 80 paid in cash earn 2 per yuan.
    q = sale(VANCL, line("100.00"), points=1000, redeem=1000)
    assert q.points_value == y("20.00")
    assert q.total == y("80.00")
    assert q.points_earned == 160
    assert q.growth_earned == 80


def test_paying_fully_with_points_earns_nothing() -> None:
    q = sale(VANCL, line("10.00"), points=500, redeem=500)
    assert q.total == 0
    assert q.points_earned == 0
    assert q.growth_earned == 0


def test_points_round_down_once_per_sale() -> None:
    # Two special lines of 1.01 yuan: 0.505 + 0.505 = 1.01 points -> 1 (per line it would be 0).
    q = sale(VANCL, line("1.01"), line("1.01", special=True))
    assert q.points_earned == 2  # 2.02 + 0.505 = 2.525
    q = sale(VANCL, line("1.01", special=True), line("1.01", special=True))
    assert q.points_earned == 1
    assert [ln.points for ln in q.lines] == [1, 0]


def test_non_members_earn_nothing() -> None:
    q = sale(VANCL, line("100.00"), tier=None)
    assert (q.points_earned, q.growth_earned) == (0, 0)
    assert all(ln.points == 0 and ln.growth == 0 for ln in q.lines)


# --------------------------------------------------------------------------- MINISO


def test_miniso_one_point_and_ten_growth_per_yuan() -> None:
    q = sale(MINISO, line("12.34"))
    assert q.points_earned == 12
    assert q.growth_earned == 123


def test_miniso_birthday_double_points() -> None:
    bday = dt.date(1995, 11, 24)
    assert sale(MINISO, line("50.00"), birthday=bday).points_earned == 100
    q = sale(MINISO, line("50.00"), birthday=bday, at=TUE + dt.timedelta(days=1))
    assert q.points_earned == 50
    assert not q.birthday
    # Growth is not doubled.
    assert sale(MINISO, line("50.00"), birthday=bday).growth_earned == 500


def test_feb_29_birthday_counts_on_feb_28_in_other_years() -> None:
    bday = dt.date(2000, 2, 29)
    assert birthday_in_window(bday, dt.date(2027, 2, 28), "day")
    assert not birthday_in_window(bday, dt.date(2027, 3, 1), "day")
    assert not birthday_in_window(bday, dt.date(2028, 2, 28), "day")
    assert birthday_in_window(bday, dt.date(2028, 2, 29), "day")
    at = dt.datetime(2027, 2, 28, 10, tzinfo=CST)
    assert sale(MINISO, line("10.00"), birthday=bday, at=at).points_earned == 20


def test_birthday_week_and_month_windows() -> None:
    bday = dt.date(1990, 11, 26)  # a Thursday in 2026
    assert birthday_in_window(bday, dt.date(2026, 11, 23), "week")  # Monday of that week
    assert birthday_in_window(bday, dt.date(2026, 11, 29), "week")  # Sunday
    assert not birthday_in_window(bday, dt.date(2026, 11, 30), "week")
    assert not birthday_in_window(bday, dt.date(2026, 11, 22), "week")
    assert birthday_in_window(bday, dt.date(2026, 11, 1), "month")
    assert not birthday_in_window(bday, dt.date(2026, 12, 1), "month")
    # A week spanning the new year.
    assert birthday_in_window(dt.date(1990, 1, 2), dt.date(2026, 12, 29), "week")


def test_birthday_week_in_a_quote() -> None:
    rules = parse_rules_text(_WEEK_RULES)
    # Birthday on Friday of the sale's week (x3), sale on the double-points Tuesday (x2).
    q = sale(rules, line("10.00"), birthday=dt.date(1990, 11, 27))
    assert q.birthday
    assert q.points_earned == 10 * 3 * 2
    later = sale(rules, line("10.00"), birthday=dt.date(1990, 11, 30))
    assert not later.birthday
    assert later.points_earned == 10 * 2


_WEEK_RULES = """
format = "posloyalty.rules"
schema = 1
id = "week"
name = "birthday week"
[tiers]
family = "growth"
[[tiers.levels]]
id = "regular"
name = "Regular"
[growth]
per_yuan = 1
[points.earn]
regular = "1"
special = "1"
gift_card = "1"
birthday_multiplier = "3"
birthday_window = "week"
[points.value]
points = 100
yuan = "1.00"

[[member_days]]
id = "double"
name = "double points Tuesday"
schedule = { weekdays = ["tue"] }
points_multiplier = "2"
amounts = {}
"""


def test_member_day_points_multiplier() -> None:
    rules = parse_rules_text(_WEEK_RULES)
    q = sale(rules, line("10.00"))
    assert q.member_day == "double"
    assert q.discounts == ()
    assert q.points_earned == 20
    wed = sale(rules, line("10.00"), at=TUE + dt.timedelta(days=1))
    assert wed.member_day is None and wed.points_earned == 10


def test_growth_includes_gift_card_and_excludes_points() -> None:
    q = sale(
        MINISO,
        line("100.00"),
        points=2000,
        redeem=2000,
        payments=(Payment("gift_card", y("30.00")),),
    )
    assert q.total == y("80.00")
    assert q.growth_earned == 800
    assert q.points_earned == 80


def test_line_points_follow_each_line_contribution() -> None:
    q = sale(VANCL, line("10.00"), line("10.00", special=True), line("0.99"))
    # 20 + 5 + 1.98 = 26.98 -> 26, split by exact contributions.
    assert q.points_earned == 26
    assert [ln.points for ln in q.lines] == [19, 5, 2]
