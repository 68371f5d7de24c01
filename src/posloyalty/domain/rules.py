"""Rule documents: a versioned, validated TOML format describing one loyalty scheme.

A document is parsed into a frozen :class:`RuleSet`. Every problem is reported as a
:class:`RuleError` naming the key path (``tiers.levels[1].min_growth``) and what is wrong.
Reading files is the caller's business: this module only sees text or mappings.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Literal, TypeVar

from posloyalty.domain.ids import TierId
from posloyalty.domain.money import Fen, MoneyError, parse_yuan

FORMAT_NAME = "posloyalty.rules"
SUPPORTED_SCHEMA = 1

T = TypeVar("T")


class RuleError(ValueError):
    """A rule document is invalid. ``path`` names the offending key."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


# --------------------------------------------------------------------------- config types

TierFamily = Literal["growth", "spend"]
ExpiryKind = Literal["never", "rolling", "fixed_date", "per_lot"]
CouponKind = Literal["threshold", "percent", "cash"]
BirthdayWindow = Literal["day", "week", "month"]
Combine = Literal["and", "or"]


@dataclass(frozen=True, slots=True)
class SpendCondition:
    """Spend and/or transaction count (JD style) that qualifies for a tier.

    Spend and count are measured over the tier basis (see :class:`TierRules`).
    ``combine`` says whether both must hold ("and") or either is enough ("or"); a zero
    threshold is not a condition.
    """

    min_spend: Fen = Fen(0)
    min_count: int = 0
    combine: Combine = "and"

    def met(self, spend: int, count: int) -> bool:
        checks = []
        if self.min_spend > 0:
            checks.append(spend >= self.min_spend)
        if self.min_count > 0:
            checks.append(count >= self.min_count)
        if not checks:
            return True
        return all(checks) if self.combine == "and" else any(checks)


@dataclass(frozen=True, slots=True)
class Upgrade:
    """An immediate upgrade to ``to`` when ``condition`` is met (from any of ``from_tiers``)."""

    to: TierId
    condition: SpendCondition
    from_tiers: tuple[TierId, ...] = ()


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    """At a tier review: if ``condition`` holds over the period, the member goes to ``to``."""

    to: TierId
    condition: SpendCondition


@dataclass(frozen=True, slots=True)
class TierLevel:
    id: TierId
    name: str
    rank: int
    #: Price multiplier for the tier discount, e.g. Fraction(98, 100) for "pays 98%".
    price_rate: Fraction = Fraction(1)
    points_multiplier: Fraction = Fraction(1)
    #: Growth-value family: the lowest growth value of this tier.
    min_growth: int = 0
    #: Spend family: tier validity in months before review (0: never reviewed).
    validity_months: int = 0
    #: Spend family: ordered outcomes at review; the first that holds wins, else the lowest tier.
    review: tuple[ReviewOutcome, ...] = ()


@dataclass(frozen=True, slots=True)
class TierRules:
    family: TierFamily
    levels: tuple[TierLevel, ...]
    #: Spend family: immediate upgrades, checked highest target first.
    upgrades: tuple[Upgrade, ...] = ()
    #: Spend family: "since_change" accumulates from the last tier change (Vancl);
    #: "rolling" uses the last ``rolling_months`` (Taobao's quarter).
    basis: Literal["since_change", "rolling"] = "since_change"
    rolling_months: int = 0
    reset_on_change: bool = True
    #: Days after a sale before its spend, count and growth count towards a tier (Vancl: "所有
    #: 积分、会员资格的获得以交易成功为标准,即发货后30天"). A return inside that window is
    #: netted against its sale: a full return leaves no credit at all. Absent from the document:
    #: the points' ``pending_days`` (the same "the sale is final" moment).
    credit_after_days: int = 0

    def level(self, tier: TierId | str) -> TierLevel:
        for lvl in self.levels:
            if lvl.id == tier:
                return lvl
        raise KeyError(tier)

    @property
    def lowest(self) -> TierLevel:
        return self.levels[0]

    def ids(self) -> tuple[TierId, ...]:
        return tuple(lvl.id for lvl in self.levels)


@dataclass(frozen=True, slots=True)
class Schedule:
    """When an offer runs, in store-local dates: weekdays (0=Mon), days of month, or an RRULE."""

    weekdays: frozenset[int] = frozenset()
    monthdays: frozenset[int] = frozenset()
    rrule: str = ""
    #: DTSTART for the RRULE (store-local date); required with ``rrule``.
    rrule_start: dt.date | None = None


@dataclass(frozen=True, slots=True)
class MemberDay:
    id: str
    name: str
    schedule: Schedule
    #: Minimum spend (after member prices and tier discount) to get the reduction.
    min_spend: Fen
    #: Reduction per tier; tiers absent get none.
    amounts: Mapping[TierId, Fen]
    points_multiplier: Fraction = Fraction(1)
    #: Do special-price lines count toward ``min_spend``?
    special_counts: bool = True


@dataclass(frozen=True, slots=True)
class CouponTemplate:
    """A kind of coupon the scheme issues: threshold reduction, percentage, or cash (no threshold)."""

    id: str
    name: str
    kind: CouponKind
    amount: Fen = Fen(0)
    percent_off: Fraction = Fraction(0)
    min_spend: Fen = Fen(0)
    #: Only lines of this category count toward conditions and receive the discount ("" = all).
    category: str = ""
    #: Minimum quantity of ``category`` items in the basket (e.g. 5+ food items).
    min_category_qty: int = 0
    #: Can special-price lines receive the discount / count toward thresholds?
    special_eligible: bool = True
    #: Cap for percentage coupons (0 = none).
    max_discount: Fen = Fen(0)
    #: An exclusive coupon is the only coupon in the sale.
    exclusive: bool = False
    combine_with_member_day: bool = True
    #: Days of validity from issue, used when a coupon is issued without an explicit window.
    valid_days: int = 0


@dataclass(frozen=True, slots=True)
class Expiry:
    kind: ExpiryKind
    #: rolling / per_lot: months of validity.
    months: int = 0
    #: fixed_date: points earned in year Y expire at settlement month/day of year Y + years_after.
    settlement_month: int = 12
    settlement_day: int = 31
    years_after: int = 1


@dataclass(frozen=True, slots=True)
class PointsRules:
    #: Points per yuan paid on regular-price lines, special-price lines, and the gift-card part.
    regular_rate: Fraction
    special_rate: Fraction
    gift_card_rate: Fraction
    birthday_multiplier: Fraction = Fraction(1)
    birthday_window: BirthdayWindow = "day"
    #: Value: ``value_points`` points are worth ``value_fen`` fen.
    value_points: int = 100
    value_fen: Fen = Fen(100)
    #: Redemption may pay at most this share of the amount due (percent, 0-100).
    max_redeem_percent: int = 100
    min_redeem_points: int = 0
    pending_days: int = 0
    expiry: Expiry = field(default_factory=lambda: Expiry("never"))
    full_return_renews_validity: bool = False
    partial_return_renews_validity: bool = True
    #: Points a member may redeem per day at a terminal that has not confirmed the balance.
    offline_allowance_points: int = 0

    def points_value(self, points: int) -> Fen:
        """Fen value of ``points`` (floor)."""
        return Fen(points * self.value_fen // self.value_points)

    @property
    def redeem_step(self) -> int:
        """Smallest number of points whose value is a whole number of fen."""
        return self.value_points // math.gcd(self.value_points, self.value_fen)


@dataclass(frozen=True, slots=True)
class GrowthRules:
    per_yuan: Fraction


@dataclass(frozen=True, slots=True)
class LifecycleRules:
    """Lifecycle windows; defaults are the sources' numbers (001: dormant after 2 months, 003:
    growth coupon within 2 weeks, pre-churn = 4+ purchases in the last year and the last one
    within 120 days)."""

    growth_coupon_days: int = 14
    maturity_min_purchases: int = 3
    pre_churn_min_purchases: int = 4
    #: Pre-churn starts when the member has not bought for this many days (lapsing) ...
    pre_churn_after_days: int = 30
    #: ... and lasts while the last purchase is at most this many days ago (003: 120), even past
    #: ``dormant_after_days``: a frequent buyer lapsing is pre-churn, not dormant.
    pre_churn_within_days: int = 120
    dormant_after_days: int = 60
    #: The till greets a member back ("first visit in N days") after this many days without a
    #: purchase; None: ``dormant_after_days``.
    greeting_after_days: int | None = None
    #: HQ keeps a member in a store's slice while the store saw them within this many days
    #: (001's other passage: "6 months" without a purchase is dormant).
    slice_days: int = 180
    #: Dormancy segments start at these day counts (30-60, 60-90, 90+).
    dormant_segments: tuple[int, ...] = (30, 60, 90)

    @property
    def greeting_days(self) -> int:
        return (
            self.greeting_after_days
            if self.greeting_after_days is not None
            else self.dormant_after_days
        )

    #: RFM score boundaries (score = 1 + number of boundaries passed).
    recency_days: tuple[int, ...] = (180, 90, 60, 30)
    frequency_counts: tuple[int, ...] = (2, 3, 5, 8)
    monetary_fen: tuple[int, ...] = (20_000, 50_000, 100_000, 300_000)


@dataclass(frozen=True, slots=True)
class Welcome:
    gift: str = ""
    coupons: tuple[str, ...] = ()
    points: int = 0


@dataclass(frozen=True, slots=True)
class RuleSet:
    id: str
    name: str
    revision: int
    tiers: TierRules
    points: PointsRules
    growth: GrowthRules
    member_days: tuple[MemberDay, ...] = ()
    coupons: Mapping[str, CouponTemplate] = field(default_factory=dict)
    #: Special-price lines (and group buys) get no tier discount.
    tier_discount_skips_special: bool = True
    #: A line sold at its member-exclusive price gets no further tier discount.
    tier_discount_skips_member_price: bool = True
    max_coupons_per_sale: int = 1
    lifecycle: LifecycleRules = field(default_factory=LifecycleRules)
    welcome: Welcome = field(default_factory=Welcome)
    description: str = ""

    def coupon(self, template_id: str) -> CouponTemplate:
        return self.coupons[template_id]


# --------------------------------------------------------------------------- parsing


class _Node:
    """A view on one table of the document that remembers its path and the keys read."""

    def __init__(self, data: Mapping[str, object], path: str) -> None:
        self.data = data
        self.path = path
        self.used: set[str] = set()

    def _p(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: object = ...) -> object:
        self.used.add(key)
        if key not in self.data:
            if default is ...:
                raise RuleError(self._p(key), "is required")
            return default
        return self.data[key]

    def str_(self, key: str, default: str | None = None) -> str:
        value = self.raw(key, ... if default is None else default)
        if not isinstance(value, str):
            raise RuleError(self._p(key), f"must be a string, got {value!r}")
        return value

    def int_(
        self, key: str, default: int | None = None, *, lo: int = 0, hi: int | None = None
    ) -> int:
        value = self.raw(key, ... if default is None else default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleError(self._p(key), f"must be a whole number, got {value!r}")
        if value < lo or (hi is not None and value > hi):
            bound = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
            raise RuleError(self._p(key), f"must be {bound}, got {value}")
        return value

    def bool_(self, key: str, default: bool | None = None) -> bool:
        value = self.raw(key, ... if default is None else default)
        if not isinstance(value, bool):
            raise RuleError(self._p(key), f"must be true or false, got {value!r}")
        return value

    def ratio(
        self, key: str, default: Fraction | None = None, *, positive: bool = False
    ) -> Fraction:
        """A non-negative decimal given as a string ("1.5") or an integer; floats are refused."""
        value = self.raw(key, ... if default is None else default)
        if isinstance(value, Fraction):
            result = value
        elif isinstance(value, (bool, float)):
            raise RuleError(
                self._p(key), f'must be a decimal string like "1.5" or an integer, got {value!r}'
            )
        elif isinstance(value, int):
            result = Fraction(value)
        elif isinstance(value, str):
            try:
                dec = Decimal(value.strip())
            except InvalidOperation:
                raise RuleError(self._p(key), f"{value!r} is not a decimal number") from None
            if not dec.is_finite():
                raise RuleError(self._p(key), f"{value!r} is not a finite number")
            result = Fraction(dec)
        else:
            raise RuleError(self._p(key), f'must be a decimal string like "1.5", got {value!r}')
        if result < 0 or (positive and result == 0):
            raise RuleError(
                self._p(key), f"must be {'positive' if positive else 'zero or more'}, got {value!r}"
            )
        return result

    def percent(self, key: str, default: Fraction | None = None) -> Fraction:
        value = self.ratio(key, default)
        if value > 100:
            raise RuleError(self._p(key), f"is a percentage and must be at most 100, got {value}")
        return value

    def money(self, key: str, default: str | None = None) -> Fen:
        value = self.raw(key, ... if default is None else default)
        try:
            return parse_yuan(value, what=self._p(key))
        except MoneyError as exc:
            raise RuleError(self._p(key), str(exc).split(": ", 1)[-1]) from None

    def choice(self, key: str, options: Sequence[str], default: str | None = None) -> str:
        value = self.str_(key, default)
        if value not in options:
            raise RuleError(self._p(key), f"must be one of {', '.join(options)}; got {value!r}")
        return value

    def date_(self, key: str) -> dt.date | None:
        value = self.raw(key, None)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            raise RuleError(self._p(key), "must be a date (YYYY-MM-DD), not a date-time")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise RuleError(self._p(key), f"{value!r} is not a date (YYYY-MM-DD)") from None
        raise RuleError(self._p(key), f"must be a date (YYYY-MM-DD), got {value!r}")

    def table(self, key: str, *, required: bool = False) -> _Node:
        value = self.raw(key, ... if required else {})
        if not isinstance(value, Mapping):
            raise RuleError(self._p(key), "must be a table")
        return _Node(value, self._p(key))

    def tables(self, key: str, *, required: bool = False) -> list[_Node]:
        value = self.raw(key, ... if required else [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise RuleError(self._p(key), "must be a list of tables")
        return [_Node(v, f"{self._p(key)}[{i}]") for i, v in enumerate(value)]

    def int_list(self, key: str, *, lo: int, hi: int) -> tuple[int, ...]:
        value = self.raw(key, [])
        if not isinstance(value, list):
            raise RuleError(self._p(key), "must be a list of whole numbers")
        out = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int) or not lo <= item <= hi:
                raise RuleError(
                    self._p(key), f"items must be whole numbers from {lo} to {hi}, got {item!r}"
                )
            out.append(item)
        return tuple(out)

    def str_list(self, key: str) -> tuple[str, ...]:
        value = self.raw(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RuleError(self._p(key), "must be a list of strings")
        return tuple(value)

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise RuleError(self._p(unknown[0]), "is not a known key (a typo?)")


_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def _ident(node: _Node, key: str) -> str:
    value = node.str_(key)
    if not _ID_RE.match(value):
        raise RuleError(
            node._p(key), f"{value!r} must be lower-case letters, digits and _ (max 32)"
        )
    return value


def _condition(node: _Node) -> SpendCondition:
    cond = SpendCondition(
        min_spend=node.money("min_spend", "0"),
        min_count=node.int_("min_count", 0),
        combine=node.choice("combine", ("and", "or"), "and"),  # type: ignore[arg-type]
    )
    return cond


def _tiers(node: _Node, default_credit_days: int = 0) -> TierRules:
    family = node.choice("family", ("growth", "spend"))
    levels: list[TierLevel] = []
    seen: set[str] = set()
    level_nodes = node.tables("levels", required=True)
    if not level_nodes:
        raise RuleError(node._p("levels"), "must list at least one tier")
    for rank, ln in enumerate(level_nodes):
        tier_id = _ident(ln, "id")
        if tier_id in seen:
            raise RuleError(ln._p("id"), f"tier {tier_id!r} is defined twice")
        seen.add(tier_id)
        discount = ln.percent("price_percent", Fraction(100))
        if discount == 0:
            raise RuleError(ln._p("price_percent"), "must be above 0 (100 means no discount)")
        level = TierLevel(
            id=TierId(tier_id),
            name=ln.str_("name"),
            rank=rank,
            price_rate=discount / 100,
            points_multiplier=ln.ratio("points_multiplier", Fraction(1), positive=True),
            min_growth=ln.int_("min_growth", 0),
            validity_months=ln.int_("validity_months", 0, hi=120),
        )
        review_nodes = ln.tables("review")
        review = tuple(
            ReviewOutcome(to=TierId(rn.str_("to")), condition=_condition(rn)) for rn in review_nodes
        )
        for rn in review_nodes:
            rn.done()
        levels.append(_replace_review(level, review))
        ln.done()
    ids = {lvl.id for lvl in levels}
    if family == "growth":
        if levels[0].min_growth != 0:
            raise RuleError(f"{level_nodes[0].path}.min_growth", "the lowest tier must start at 0")
        for prev, cur, ln in zip(levels, levels[1:], level_nodes[1:], strict=False):
            if cur.min_growth <= prev.min_growth:
                raise RuleError(ln._p("min_growth"), "must be higher than the tier before it")
    upgrades = []
    for un in node.tables("upgrades"):
        to = TierId(un.str_("to"))
        if to not in ids:
            raise RuleError(un._p("to"), f"unknown tier {to!r}")
        from_tiers = tuple(TierId(t) for t in un.str_list("from"))
        for t in from_tiers:
            if t not in ids:
                raise RuleError(un._p("from"), f"unknown tier {t!r}")
        upgrades.append(Upgrade(to=to, condition=_condition(un), from_tiers=from_tiers))
        un.done()
    for lvl, ln in zip(levels, level_nodes, strict=True):
        for i, outcome in enumerate(lvl.review):
            if outcome.to not in ids:
                raise RuleError(f"{ln.path}.review[{i}].to", f"unknown tier {outcome.to!r}")
    if family == "spend" and not upgrades:
        raise RuleError(
            node._p("upgrades"), "a spend-family scheme needs at least one upgrade rule"
        )
    basis = node.choice("basis", ("since_change", "rolling"), "since_change")
    rolling_months = node.int_("rolling_months", 0, hi=120)
    if basis == "rolling" and rolling_months == 0:
        raise RuleError(node._p("rolling_months"), "is required (1-120) when basis is rolling")
    rules = TierRules(
        family=family,  # type: ignore[arg-type]
        levels=tuple(levels),
        upgrades=tuple(upgrades),
        basis=basis,  # type: ignore[arg-type]
        rolling_months=rolling_months,
        reset_on_change=node.bool_("reset_on_change", True),
        credit_after_days=node.int_("credit_after_days", default_credit_days, hi=365),
    )
    node.done()
    return rules


def _replace_review(level: TierLevel, review: tuple[ReviewOutcome, ...]) -> TierLevel:
    return replace(level, review=review)


def _schedule(node: _Node) -> Schedule:
    weekdays: set[int] = set()
    raw = node.raw("weekdays", [])
    if not isinstance(raw, list):
        raise RuleError(node._p("weekdays"), 'must be a list like ["wed"]')
    for item in raw:
        if not isinstance(item, str) or item.lower()[:3] not in _WEEKDAYS:
            raise RuleError(node._p("weekdays"), f"{item!r} is not a weekday (mon..sun)")
        weekdays.add(_WEEKDAYS[item.lower()[:3]])
    monthdays = set(node.int_list("monthdays", lo=1, hi=31))
    rrule = node.str_("rrule", "")
    start = node.date_("rrule_start")
    if rrule:
        if start is None:
            raise RuleError(node._p("rrule_start"), "is required with rrule (the first date)")
        _check_rrule(node._p("rrule"), rrule, start)
    if not (weekdays or monthdays or rrule):
        raise RuleError(node.path, "needs weekdays, monthdays or an rrule")
    node.done()
    return Schedule(frozenset(weekdays), frozenset(monthdays), rrule, start)


def _check_rrule(path: str, text: str, start: dt.date) -> None:
    from dateutil import rrule as _rr

    try:
        _rr.rrulestr(text, dtstart=dt.datetime.combine(start, dt.time()))
    except (ValueError, TypeError) as exc:
        raise RuleError(path, f"is not a valid RFC 5545 RRULE: {exc}") from None


def _member_day(node: _Node, tier_ids: set[str]) -> MemberDay:
    amounts_node = node.table("amounts", required=True)
    amounts: dict[TierId, Fen] = {}
    for key in list(amounts_node.data):
        if key not in tier_ids:
            raise RuleError(amounts_node._p(key), f"unknown tier {key!r}")
        amounts[TierId(key)] = amounts_node.money(key)
    day = MemberDay(
        id=_ident(node, "id"),
        name=node.str_("name"),
        schedule=_schedule(node.table("schedule", required=True)),
        min_spend=node.money("min_spend", "0"),
        amounts=amounts,
        points_multiplier=node.ratio("points_multiplier", Fraction(1), positive=True),
        special_counts=node.bool_("special_counts", True),
    )
    node.done()
    return day


def _coupon(node: _Node) -> CouponTemplate:
    kind = node.choice("kind", ("threshold", "percent", "cash"))
    tpl = CouponTemplate(
        id=_ident(node, "id"),
        name=node.str_("name"),
        kind=kind,  # type: ignore[arg-type]
        amount=node.money("amount", "0"),
        percent_off=node.percent("percent_off", Fraction(0)),
        min_spend=node.money("min_spend", "0"),
        category=node.str_("category", ""),
        min_category_qty=node.int_("min_category_qty", 0),
        special_eligible=node.bool_("special_eligible", True),
        max_discount=node.money("max_discount", "0"),
        exclusive=node.bool_("exclusive", False),
        combine_with_member_day=node.bool_("combine_with_member_day", True),
        valid_days=node.int_("valid_days", 0, hi=3660),
    )
    if kind in ("threshold", "cash") and tpl.amount == 0:
        raise RuleError(node._p("amount"), f"a {kind} coupon needs an amount above 0")
    if kind == "threshold" and tpl.min_spend == 0 and tpl.min_category_qty == 0:
        raise RuleError(
            node._p("min_spend"),
            'a threshold coupon needs a min_spend (use kind = "cash" for none)',
        )
    if kind == "percent" and not 0 < tpl.percent_off < 100:
        raise RuleError(
            node._p("percent_off"), "a percent coupon needs percent_off between 0 and 100"
        )
    if tpl.min_category_qty and not tpl.category:
        raise RuleError(node._p("category"), "is required with min_category_qty")
    node.done()
    return tpl


def _expiry(node: _Node) -> Expiry:
    kind = node.choice("policy", ("never", "rolling", "fixed_date", "per_lot"), "never")
    exp = Expiry(
        kind=kind,  # type: ignore[arg-type]
        months=node.int_("months", 0, hi=120),
        settlement_month=node.int_("settlement_month", 12, lo=1, hi=12),
        settlement_day=node.int_("settlement_day", 31, lo=1, hi=31),
        years_after=node.int_("years_after", 1, hi=10),
    )
    if kind in ("rolling", "per_lot") and exp.months == 0:
        raise RuleError(node._p("months"), f"is required (1-120) for the {kind} policy")
    if kind == "fixed_date":
        try:
            dt.date(2024, exp.settlement_month, exp.settlement_day)  # 2024: leap year
        except ValueError:
            raise RuleError(node._p("settlement_day"), "is not a day of settlement_month") from None
    node.done()
    return exp


def _points(node: _Node) -> PointsRules:
    earn = node.table("earn", required=True)
    value = node.table("value", required=True)
    redeem = node.table("redeem")
    returns = node.table("returns")
    rules = PointsRules(
        regular_rate=earn.ratio("regular"),
        special_rate=earn.ratio("special"),
        gift_card_rate=earn.ratio("gift_card"),
        birthday_multiplier=earn.ratio("birthday_multiplier", Fraction(1), positive=True),
        birthday_window=earn.choice("birthday_window", ("day", "week", "month"), "day"),  # type: ignore[arg-type]
        value_points=value.int_("points", lo=1),
        value_fen=value.money("yuan"),
        max_redeem_percent=redeem.int_("max_percent", 100, hi=100),
        min_redeem_points=redeem.int_("min_points", 0),
        offline_allowance_points=redeem.int_("offline_allowance_points", 0),
        pending_days=node.int_("pending_days", 0, hi=365),
        expiry=_expiry(node.table("expiry")),
        full_return_renews_validity=returns.bool_("full_return_renews_validity", False),
        partial_return_renews_validity=returns.bool_("partial_return_renews_validity", True),
    )
    if rules.value_fen == 0:
        raise RuleError(value._p("yuan"), "must be above 0")
    for sub in (earn, value, redeem, returns):
        sub.done()
    node.done()
    return rules


def _lifecycle(node: _Node) -> LifecycleRules:
    default = LifecycleRules()

    def ascending(
        key: str, fallback: tuple[int, ...], *, descending: bool = False
    ) -> tuple[int, ...]:
        if not node.has(key):
            node.used.add(key)
            return fallback
        values = node.int_list(key, lo=0, hi=10**12)
        if not values:
            raise RuleError(node._p(key), "must not be empty")
        ordered = sorted(values, reverse=descending)
        if list(values) != ordered or len(set(values)) != len(values):
            raise RuleError(
                node._p(key), f"must be strictly {'de' if descending else 'in'}creasing"
            )
        return values

    rules = LifecycleRules(
        growth_coupon_days=node.int_("growth_coupon_days", default.growth_coupon_days),
        maturity_min_purchases=node.int_(
            "maturity_min_purchases", default.maturity_min_purchases, lo=1
        ),
        pre_churn_min_purchases=node.int_(
            "pre_churn_min_purchases", default.pre_churn_min_purchases, lo=1
        ),
        pre_churn_after_days=node.int_("pre_churn_after_days", default.pre_churn_after_days, lo=1),
        pre_churn_within_days=node.int_(
            "pre_churn_within_days", default.pre_churn_within_days, lo=1, hi=3660
        ),
        dormant_after_days=node.int_("dormant_after_days", default.dormant_after_days, lo=1),
        greeting_after_days=(
            node.int_("greeting_after_days", lo=1, hi=3660)
            if node.has("greeting_after_days")
            else None
        ),
        slice_days=node.int_("slice_days", default.slice_days, lo=1, hi=3660),
        dormant_segments=ascending("dormant_segments", default.dormant_segments),
        recency_days=ascending("recency_days", default.recency_days, descending=True),
        frequency_counts=ascending("frequency_counts", default.frequency_counts),
        monetary_fen=tuple(
            parse_yuan(v, what=node._p("monetary_yuan"))
            if isinstance(v, str)
            else _bad_money(node, v)
            for v in _list(node, "monetary_yuan")
        )
        or default.monetary_fen,
    )
    if list(rules.monetary_fen) != sorted(set(rules.monetary_fen)):
        raise RuleError(node._p("monetary_yuan"), "must be strictly increasing")
    if rules.pre_churn_after_days > rules.pre_churn_within_days:
        raise RuleError(
            node._p("pre_churn_after_days"),
            f"must be at most pre_churn_within_days ({rules.pre_churn_within_days}): pre-churn "
            "is a lapse of pre_churn_after_days up to pre_churn_within_days without purchase",
        )
    node.done()
    return rules


def _list(node: _Node, key: str) -> list[object]:
    value = node.raw(key, [])
    if not isinstance(value, list):
        raise RuleError(node._p(key), "must be a list")
    return value


def _bad_money(node: _Node, value: object) -> Fen:
    raise RuleError(
        node._p("monetary_yuan"), f'items must be yuan strings like "200.00", got {value!r}'
    )


def parse_rules(doc: Mapping[str, object]) -> RuleSet:
    """Validate a parsed rule document and build the :class:`RuleSet`."""
    root = _Node(doc, "")
    fmt = root.str_("format")
    if fmt != FORMAT_NAME:
        raise RuleError("format", f"must be {FORMAT_NAME!r}, got {fmt!r}")
    schema = root.int_("schema", lo=1)
    if schema > SUPPORTED_SCHEMA:
        raise RuleError(
            "schema",
            f"version {schema} is newer than this program understands ({SUPPORTED_SCHEMA}); update posloyalty",
        )
    tiers_node = root.table("tiers", required=True)
    credit_given = tiers_node.has("credit_after_days")
    tiers = _tiers(tiers_node)
    tier_ids = {str(t) for t in tiers.ids()}
    coupons: dict[str, CouponTemplate] = {}
    for cn in root.tables("coupons"):
        tpl = _coupon(cn)
        if tpl.id in coupons:
            raise RuleError(cn._p("id"), f"coupon template {tpl.id!r} is defined twice")
        coupons[tpl.id] = tpl
    member_days = tuple(_member_day(n, tier_ids) for n in root.tables("member_days"))
    if len({d.id for d in member_days}) != len(member_days):
        raise RuleError("member_days", "two member days share an id")
    pricing = root.table("pricing")
    welcome_node = root.table("welcome")
    welcome = Welcome(
        gift=welcome_node.str_("gift", ""),
        coupons=welcome_node.str_list("coupons"),
        points=welcome_node.int_("points", 0),
    )
    for cid in welcome.coupons:
        if cid not in coupons:
            raise RuleError("welcome.coupons", f"unknown coupon template {cid!r}")
    welcome_node.done()
    growth_node = root.table("growth", required=True)
    growth = GrowthRules(per_yuan=growth_node.ratio("per_yuan"))
    growth_node.done()
    rules = RuleSet(
        id=_ident(root, "id"),
        name=root.str_("name"),
        revision=root.int_("revision", 1, lo=1),
        description=root.str_("description", ""),
        tiers=tiers,
        points=_points(root.table("points", required=True)),
        growth=growth,
        member_days=member_days,
        coupons=coupons,
        tier_discount_skips_special=pricing.bool_("tier_discount_skips_special", True),
        tier_discount_skips_member_price=pricing.bool_("tier_discount_skips_member_price", True),
        max_coupons_per_sale=pricing.int_("max_coupons_per_sale", 1, lo=0, hi=20),
        lifecycle=_lifecycle(root.table("lifecycle")),
        welcome=welcome,
    )
    pricing.done()
    root.done()
    if not credit_given:  # older documents: tier credit when the points become final
        tiers = replace(tiers, credit_after_days=rules.points.pending_days)
        rules = replace(rules, tiers=tiers)
    return rules


def parse_rules_text(text: str) -> RuleSet:
    """Parse a TOML rule document."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError("", f"not a valid TOML document: {exc}") from None
    return parse_rules(doc)
