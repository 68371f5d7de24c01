"""Quote a basket: member prices, tier discount, member day, coupons, points, then earning.

One entry point, :func:`quote`. Every step works on integer fen per line and allocates its
discount back to the lines with :func:`posloyalty.domain.money.allocate`, so line amounts
always add up to the sale amounts exactly. Impossible requests raise :class:`QuoteError`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from posloyalty.domain.ids import CouponCode, Sku, TierId
from posloyalty.domain.money import Fen, allocate, format_yuan
from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.rules import (
    CouponTemplate,
    MemberDay,
    PointsRules,
    RuleSet,
    Schedule,
    TierLevel,
)

#: WeChat Pay and Alipay are taken on the store's payment device and earn like card.
PaymentMethod = Literal["cash", "card", "gift_card", "wechat", "alipay"]
DiscountKind = Literal["member_price", "tier", "member_day", "coupon", "points"]
PAYMENT_METHODS: tuple[PaymentMethod, ...] = ("cash", "card", "gift_card", "wechat", "alipay")
DISCOUNT_KINDS: tuple[DiscountKind, ...] = (
    "member_price",
    "tier",
    "member_day",
    "coupon",
    "points",
)


class QuoteError(ValueError):
    """The basket asks for something the rules do not allow (one clear message)."""


# --------------------------------------------------------------------------- input types


@dataclass(frozen=True, slots=True)
class BasketLine:
    sku: Sku
    name: str
    qty: int
    unit_price: Fen
    special_price: bool = False
    category: str = ""
    member_price: Fen | None = None

    def __post_init__(self) -> None:
        if isinstance(self.qty, bool) or not isinstance(self.qty, int) or self.qty <= 0:
            raise QuoteError(f"line {self.sku!r}: quantity must be a whole number above 0")
        if self.unit_price < 0:
            raise QuoteError(f"line {self.sku!r}: unit price must not be negative")
        if self.member_price is not None and self.member_price < 0:
            raise QuoteError(f"line {self.sku!r}: member price must not be negative")

    @property
    def gross(self) -> Fen:
        return Fen(self.unit_price * self.qty)


@dataclass(frozen=True, slots=True)
class MemberSnapshot:
    tier: TierId
    #: Available (spendable) points.
    points: int
    growth: int
    #: A full date or only the month and day (all the till keeps): only those two are used.
    birthday: dt.date | MonthDay | None = None

    def __post_init__(self) -> None:
        if self.points < 0:
            raise QuoteError("member points must not be negative")
        if self.growth < 0:
            raise QuoteError("member growth value must not be negative")


@dataclass(frozen=True, slots=True)
class CouponInstance:
    code: CouponCode
    template: CouponTemplate
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    method: PaymentMethod
    amount: Fen

    def __post_init__(self) -> None:
        if self.method not in PAYMENT_METHODS:
            raise QuoteError(f"unknown payment method {self.method!r}")
        if self.amount < 0:
            raise QuoteError("a payment amount must not be negative")


@dataclass(frozen=True, slots=True)
class Basket:
    #: Store-local, tz-aware time of the sale: its date decides member days and birthdays.
    at: dt.datetime
    member: MemberSnapshot | None
    lines: tuple[BasketLine, ...]
    coupons: tuple[CouponInstance, ...] = ()
    redeem_points: int = 0
    payments: tuple[Payment, ...] = ()

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise QuoteError("the sale time must carry a UTC offset (store-local, tz-aware)")
        if self.redeem_points < 0:
            raise QuoteError("points to redeem must not be negative")


# --------------------------------------------------------------------------- output types


@dataclass(frozen=True, slots=True)
class Discount:
    kind: DiscountKind
    #: What granted it: tier id, member-day id, coupon code, "member_price" or "points".
    rule: str
    amount: Fen
    #: The amount split over the basket lines (sums exactly to ``amount``).
    per_line: tuple[Fen, ...]


@dataclass(frozen=True, slots=True)
class LineQuote:
    index: int
    sku: Sku
    name: str
    qty: int
    unit_price: Fen
    gross: Fen
    #: Discount on this line by kind (only kinds that touched it).
    discounts: Mapping[str, Fen]
    #: Due for this line after every discount, points included.
    net: Fen
    #: Part of this line paid with points.
    points_value: Fen
    #: Part of ``net`` paid by gift card.
    gift_card: Fen
    points: int
    growth: int


@dataclass(frozen=True, slots=True)
class RejectedCoupon:
    code: CouponCode
    reason: str


@dataclass(frozen=True, slots=True)
class Quote:
    subtotal: Fen
    discounts: tuple[Discount, ...]
    #: Due after everything (points included).
    total: Fen
    points_redeemed: int
    points_value: Fen
    points_earned: int
    growth_earned: int
    lines: tuple[LineQuote, ...]
    #: The given payments plus the cash remainder.
    payments: tuple[Payment, ...]
    member_day: str | None
    birthday: bool
    rejected_coupons: tuple[RejectedCoupon, ...]


# --------------------------------------------------------------------------- helpers


def _round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _yuan(fen: int) -> str:
    return format_yuan(fen)


def birthday_in_window(birthday: dt.date | MonthDay, today: dt.date, window: str) -> bool:
    """Is the member's birthday within ``window`` ("day", "week", "month") of ``today``?

    "week" is the Monday-to-Sunday week containing ``today``. A Feb 29 birthday falls on
    Feb 28 in years without Feb 29. Only the birthday's month and day are read.
    """
    if window == "month":
        return birthday.month == today.month
    if window == "week":
        monday = today - dt.timedelta(days=today.weekday())
        days = (monday + dt.timedelta(days=i) for i in range(7))
        return any(_is_birthday(birthday, d) for d in days)
    return _is_birthday(birthday, today)


def _is_birthday(birthday: dt.date | MonthDay, day: dt.date) -> bool:
    if (birthday.month, birthday.day) == (day.month, day.day):
        return True
    if (birthday.month, birthday.day) == (2, 29) and (day.month, day.day) == (2, 28):
        try:
            dt.date(day.year, 2, 29)
        except ValueError:
            return True
    return False


def schedule_matches(schedule: Schedule, day: dt.date) -> bool:
    """Does the store-local ``day`` fall on this schedule?"""
    if day.weekday() in schedule.weekdays or day.day in schedule.monthdays:
        return True
    if schedule.rrule and schedule.rrule_start is not None:
        from dateutil import rrule as _rr

        rule = _rr.rrulestr(
            schedule.rrule, dtstart=dt.datetime.combine(schedule.rrule_start, dt.time())
        )
        start = dt.datetime.combine(day, dt.time())
        end = start + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
        return bool(rule.between(start, end, inc=True))
    return False


class _Ledger:
    """Running per-line amounts and the discounts taken so far."""

    def __init__(self, amounts: list[int]) -> None:
        self.amounts = amounts
        self.discounts: list[Discount] = []

    def take(self, kind: DiscountKind, rule: str, amount: int, weights: list[int]) -> Discount:
        """Take ``amount`` off the lines in proportion to ``weights`` (never below zero)."""
        parts = allocate(amount, weights)
        for i, part in enumerate(parts):
            if part > self.amounts[i]:
                raise AssertionError("allocation took more than a line holds")  # pragma: no cover
            self.amounts[i] -= part
        disc = Discount(kind, rule, Fen(amount), tuple(Fen(p) for p in parts))
        if amount:
            self.discounts.append(disc)
        return disc

    def weights(self, eligible: list[bool]) -> list[int]:
        return [a if ok else 0 for a, ok in zip(self.amounts, eligible, strict=True)]


# --------------------------------------------------------------------------- steps


def _member_prices(ledger: _Ledger, lines: tuple[BasketLine, ...], is_member: bool) -> list[bool]:
    """Step 1. Returns which lines were sold at their member price."""
    used = [
        is_member and ln.member_price is not None and ln.member_price < ln.unit_price
        for ln in lines
    ]
    savings = [
        (ln.unit_price - ln.member_price) * ln.qty if u and ln.member_price is not None else 0
        for ln, u in zip(lines, used, strict=True)
    ]
    total = sum(savings)
    if total:
        # The savings are exact per line: allocating by them returns them unchanged.
        ledger.take("member_price", "member_price", total, savings)
    return used


def _tier_discount(
    ledger: _Ledger,
    rules: RuleSet,
    lines: tuple[BasketLine, ...],
    level: TierLevel,
    member_priced: list[bool],
) -> None:
    """Step 2. Half-up rounding on the eligible sum, then allocation."""
    if level.price_rate >= 1:
        return
    eligible = [
        not (rules.tier_discount_skips_special and ln.special_price)
        and not (rules.tier_discount_skips_member_price and mp)
        for ln, mp in zip(lines, member_priced, strict=True)
    ]
    weights = ledger.weights(eligible)
    amount = _round_half_up(sum(weights) * (1 - level.price_rate))
    if amount:
        ledger.take("tier", str(level.id), amount, weights)


def _member_day(
    ledger: _Ledger, rules: RuleSet, lines: tuple[BasketLine, ...], tier: TierId, day: dt.date
) -> MemberDay | None:
    """Step 3. The applicable member day with the largest reduction.

    Ties go to the larger points multiplier, then to the first in rule order.
    """
    best: tuple[int, MemberDay, list[int]] | None = None
    for md in rules.member_days:
        if not schedule_matches(md.schedule, day):
            continue
        counted = [md.special_counts or not ln.special_price for ln in lines]
        weights = ledger.weights(counted)
        spend = sum(weights)
        if spend < md.min_spend:
            continue
        reduction = min(int(md.amounts.get(tier, 0)), spend)
        if reduction == 0 and md.points_multiplier == 1:
            continue  # nothing in it for this tier
        if best is None or (reduction, md.points_multiplier) > (
            best[0],
            best[1].points_multiplier,
        ):
            best = (reduction, md, weights)
    if best is None:
        return None
    reduction, md, weights = best
    if reduction:
        ledger.take("member_day", md.id, reduction, weights)
    return md


def _coupons(
    ledger: _Ledger,
    rules: RuleSet,
    lines: tuple[BasketLine, ...],
    coupons: tuple[CouponInstance, ...],
    day: dt.date,
    *,
    member_day_reduction: bool,
) -> list[RejectedCoupon]:
    """Step 4. Apply coupons in the given order; the ones that cannot apply are rejected."""
    rejected: list[RejectedCoupon] = []
    accepted: list[CouponInstance] = []
    seen: set[str] = set()
    for cpn in coupons:
        tpl = cpn.template

        def reject(reason: str, code: CouponCode = cpn.code) -> None:
            rejected.append(RejectedCoupon(code, reason))

        if cpn.code in seen:
            reject("this coupon is already used in this sale")
            continue
        seen.add(cpn.code)
        if cpn.valid_from is not None and day < cpn.valid_from:
            reject(f"not valid until {cpn.valid_from.isoformat()}")
            continue
        if cpn.valid_until is not None and day > cpn.valid_until:
            reject(f"expired on {cpn.valid_until.isoformat()}")
            continue
        if len(accepted) >= rules.max_coupons_per_sale:
            n = rules.max_coupons_per_sale
            reject(f"at most {n} coupon{'s' if n != 1 else ''} per sale")
            continue
        if accepted and accepted[0].template.exclusive:
            reject(f"coupon {accepted[0].code} is exclusive and cannot be combined")
            continue
        if tpl.exclusive and accepted:
            reject("this coupon is exclusive and another coupon is already used")
            continue
        if not tpl.combine_with_member_day and member_day_reduction:
            reject("cannot be combined with the member-day reduction")
            continue
        eligible = [
            (not tpl.category or ln.category == tpl.category)
            and (tpl.special_eligible or not ln.special_price)
            for ln in lines
        ]
        weights = ledger.weights(eligible)
        base = sum(weights)
        what = f"{tpl.category} items" if tpl.category else "eligible items"
        if tpl.min_category_qty:
            qty = sum(ln.qty for ln, ok in zip(lines, eligible, strict=True) if ok)
            if qty < tpl.min_category_qty:
                reject(f"needs {tpl.min_category_qty} or more {what}; the basket has {qty}")
                continue
        if base < tpl.min_spend:
            reject(
                f"needs a spend of {_yuan(tpl.min_spend)} yuan on {what}; "
                f"the basket has {_yuan(base)}"
            )
            continue
        if base == 0:
            reject(f"no {what} left to discount")
            continue
        if tpl.kind == "percent":
            amount = _round_half_up(base * tpl.percent_off / 100)
            if tpl.max_discount:
                amount = min(amount, tpl.max_discount)
        else:
            amount = tpl.amount
        amount = min(amount, base)
        ledger.take("coupon", str(cpn.code), amount, weights)
        accepted.append(cpn)
    return rejected


def redemption_cap(rules: PointsRules, due: int) -> Fen:
    """The most fen points may pay of ``due`` (the amount before points)."""
    return Fen(due * rules.max_redeem_percent // 100)


def max_redeemable(rules: PointsRules, due: int, available: int) -> int:
    """The most points :func:`quote` accepts against ``due`` out of ``available``: a whole
    number of steps, worth no more than the cap, and 0 below the minimum."""
    step = max(rules.redeem_step, 1)
    best = max(available, 0)
    best -= best % step
    cap = redemption_cap(rules, due)
    while best > 0 and rules.points_value(best) > cap:
        best -= step
    return best if best >= rules.min_redeem_points else 0


def _check_redemption(rules: PointsRules, basket: Basket, due: int) -> Fen:
    """Step 5 checks. Returns the fen value of the points to redeem."""
    pts = basket.redeem_points
    if pts == 0:
        return Fen(0)
    if basket.member is None:
        raise QuoteError("only members can pay with points")
    if pts > basket.member.points:
        raise QuoteError(
            f"cannot redeem {pts} points: the member has {basket.member.points} available"
        )
    if pts < rules.min_redeem_points:
        raise QuoteError(
            f"cannot redeem {pts} points: the minimum is {rules.min_redeem_points} points"
        )
    if pts % rules.redeem_step:
        raise QuoteError(
            f"cannot redeem {pts} points: redeem in steps of {rules.redeem_step} points"
        )
    value = rules.points_value(pts)
    cap = redemption_cap(rules, due)
    if value > cap:
        raise QuoteError(
            f"cannot redeem {pts} points ({_yuan(value)} yuan): points may pay at most "
            f"{rules.max_redeem_percent}% of the amount due, {_yuan(cap)} yuan"
        )
    return value


def _payments(given: tuple[Payment, ...], total: int) -> tuple[Payment, ...]:
    non_cash = sum(p.amount for p in given if p.method != "cash")
    if non_cash > total:
        raise QuoteError(
            f"card and gift-card payments ({_yuan(non_cash)} yuan) exceed the amount due "
            f"({_yuan(total)} yuan)"
        )
    paid = sum(p.amount for p in given)
    if paid > total:
        raise QuoteError(
            f"payments ({_yuan(paid)} yuan) exceed the amount due ({_yuan(total)} yuan); "
            "record the cash applied, not the cash tendered"
        )
    if paid < total:
        return (*given, Payment("cash", Fen(total - paid)))
    return given


def _fraction_weights(values: list[Fraction]) -> list[int]:
    """Integer weights exactly proportional to non-negative fractions."""
    denom = math.lcm(*(v.denominator for v in values)) if values else 1
    return [int(v * denom) for v in values]


# --------------------------------------------------------------------------- entry point


def quote(rules: RuleSet, basket: Basket) -> Quote:
    """Price ``basket`` under ``rules``: discounts, points redemption, payments and earning."""
    lines = basket.lines
    day = basket.at.date()
    member = basket.member
    level: TierLevel | None = None
    if member is not None:
        try:
            level = rules.tiers.level(member.tier)
        except KeyError:
            raise QuoteError(
                f"unknown tier {member.tier!r}; this scheme has {', '.join(rules.tiers.ids())}"
            ) from None

    subtotal = sum(ln.gross for ln in lines)
    ledger = _Ledger([ln.gross for ln in lines])
    member_day: MemberDay | None = None
    if member is not None and level is not None:
        member_priced = _member_prices(ledger, lines, True)
        _tier_discount(ledger, rules, lines, level, member_priced)
        member_day = _member_day(ledger, rules, lines, member.tier, day)
    md_reduction = any(d.kind == "member_day" for d in ledger.discounts)
    rejected = _coupons(
        ledger, rules, lines, basket.coupons, day, member_day_reduction=md_reduction
    )

    due = sum(ledger.amounts)
    points_fen = _check_redemption(rules.points, basket, due)
    points_per_line = [0] * len(lines)
    if points_fen:
        disc = ledger.take("points", "points", points_fen, list(ledger.amounts))
        points_per_line = [int(p) for p in disc.per_line]

    nets = list(ledger.amounts)
    total = sum(nets)
    payments = _payments(basket.payments, total)
    gift_card_total = sum(p.amount for p in payments if p.method == "gift_card")
    gift_parts = allocate(gift_card_total, nets) if lines else []

    birthday = (
        member is not None
        and member.birthday is not None
        and birthday_in_window(member.birthday, day, rules.points.birthday_window)
    )
    line_points = [0] * len(lines)
    line_growth = [0] * len(lines)
    points_earned = 0
    growth_earned = 0
    if member is not None and level is not None and lines:
        pr = rules.points
        contributions = [
            Fraction(net - gc, 100) * (pr.special_rate if ln.special_price else pr.regular_rate)
            + Fraction(gc, 100) * pr.gift_card_rate
            for ln, net, gc in zip(lines, nets, gift_parts, strict=True)
        ]
        multiplier = level.points_multiplier
        if birthday:
            multiplier *= pr.birthday_multiplier
        if member_day is not None:
            multiplier *= member_day.points_multiplier
        points_earned = math.floor(sum(contributions) * multiplier)
        line_points = allocate(points_earned, _fraction_weights(contributions))
        growth_earned = math.floor(Fraction(total, 100) * rules.growth.per_yuan)
        line_growth = allocate(growth_earned, nets)

    line_quotes = []
    for i, ln in enumerate(lines):
        by_kind: dict[str, Fen] = {}
        for disc in ledger.discounts:
            if disc.per_line[i]:
                by_kind[disc.kind] = Fen(by_kind.get(disc.kind, 0) + disc.per_line[i])
        line_quotes.append(
            LineQuote(
                index=i,
                sku=ln.sku,
                name=ln.name,
                qty=ln.qty,
                unit_price=ln.unit_price,
                gross=ln.gross,
                discounts=by_kind,
                net=Fen(nets[i]),
                points_value=Fen(points_per_line[i]),
                gift_card=Fen(gift_parts[i]),
                points=line_points[i],
                growth=line_growth[i],
            )
        )
    return Quote(
        subtotal=Fen(subtotal),
        discounts=tuple(ledger.discounts),
        total=Fen(total),
        points_redeemed=basket.redeem_points,
        points_value=points_fen,
        points_earned=points_earned,
        growth_earned=growth_earned,
        lines=tuple(line_quotes),
        payments=payments,
        member_day=member_day.id if member_day is not None else None,
        birthday=birthday,
        rejected_coupons=tuple(rejected),
    )
