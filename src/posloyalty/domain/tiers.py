"""Member tiers from a purchase history: growth value (MINISO) or spend windows (Taobao/Vancl/JD).

The tier is derived by replaying the history; nothing is stored but purchases. A return is a
:class:`Purchase` with negative ``spend`` and ``growth`` and ``count`` 0 (partial return or
exchange: the transaction still happened) or -1 (full return: the transaction is undone). In the
growth family the tier follows total growth, so a return can lower it at once. In the spend
family a return lowers the accumulated basis but never downgrades on the spot: a reached tier
holds until its review, or until the rolling window no longer meets it. Schemes that count only final sales
(Vancl: 30 days after delivery) should pass each purchase dated when it became final.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Literal

from dateutil.relativedelta import relativedelta

from posloyalty.domain.ids import TierId
from posloyalty.domain.money import Fen
from posloyalty.domain.rules import TierLevel, TierRules, Upgrade


@dataclass(frozen=True, slots=True)
class Purchase:
    at: datetime
    spend: Fen
    growth: int
    count: int = 1


@dataclass(frozen=True, slots=True)
class TierChange:
    at: datetime
    from_tier: TierId
    to_tier: TierId
    cause: Literal["growth", "upgrade", "review", "window"]


@dataclass(frozen=True, slots=True)
class TierStatus:
    tier: TierId
    #: When the current tier was reached (None: the lowest tier, never changed).
    since: datetime | None
    #: End of the current validity period (review date), or when the rolling window stops
    #: meeting the tier if nothing more is bought; None when the tier does not lapse.
    valid_until: datetime | None
    #: Spend and transaction count the tier rules measure now: since the last change/review
    #: (since_change), in the window (rolling), or in total (growth family).
    basis_spend: Fen
    basis_count: int
    #: Total growth value.
    growth: int
    next_tier: TierId | None
    #: Still needed for ``next_tier`` (0 when that part of the condition is met or absent). With
    #: an "or" condition either amount alone suffices.
    needed_spend: Fen
    needed_count: int
    needed_growth: int
    changes: tuple[TierChange, ...] = ()


def growth_for(spend: int, per_yuan: Fraction) -> int:
    """Growth value for ``spend`` fen (whole points, toward zero; returns are symmetric)."""
    value = abs(spend) * per_yuan / 100
    whole = value.numerator // value.denominator
    return -whole if spend < 0 else whole


def tier_status(
    rules: TierRules,
    history: Sequence[Purchase],
    at: datetime,
    *,
    growth_per_yuan: Fraction | None = None,
) -> TierStatus:
    """The member's tier at ``at`` from ``history`` (purchases after ``at`` are ignored).

    ``growth_per_yuan`` (growth family) turns the growth still needed into spend.
    """
    if at.tzinfo is None:
        raise ValueError("at must be a tz-aware datetime")
    past = sorted((p for p in history if p.at <= at), key=lambda p: p.at)
    if rules.family == "growth":
        return _growth_status(rules, past, growth_per_yuan)
    if rules.basis == "rolling":
        return _rolling_status(rules, past, at)
    return _since_change_status(rules, past, at)


# --------------------------------------------------------------------------- growth family


def _growth_level(rules: TierRules, growth: int) -> TierLevel:
    level = rules.lowest
    for lvl in rules.levels:
        if lvl.min_growth <= growth:
            level = lvl
    return level


def _growth_status(
    rules: TierRules, past: Sequence[Purchase], per_yuan: Fraction | None
) -> TierStatus:
    growth = 0
    tier = rules.lowest.id
    since: datetime | None = None
    changes: list[TierChange] = []
    for p in past:
        growth += p.growth
        new = _growth_level(rules, growth).id
        if new != tier:
            changes.append(TierChange(p.at, tier, new, "growth"))
            tier, since = new, p.at
    current = rules.level(tier)
    above = [lvl for lvl in rules.levels if lvl.rank > current.rank]
    nxt = above[0] if above else None
    needed_growth = max(nxt.min_growth - growth, 0) if nxt else 0
    needed_spend = 0
    if needed_growth and per_yuan:
        needed_spend = -(-needed_growth * 100 // per_yuan)  # ceil: whole fen that reach it
    return TierStatus(
        tier=tier,
        since=since,
        valid_until=None,
        basis_spend=Fen(sum(p.spend for p in past)),
        basis_count=sum(p.count for p in past),
        growth=growth,
        next_tier=nxt.id if nxt else None,
        needed_spend=Fen(int(needed_spend)),
        needed_count=0,
        needed_growth=needed_growth,
        changes=tuple(changes),
    )


# --------------------------------------------------------------------------- spend family


def _allowed(rules: TierRules, u: Upgrade, tier: TierId) -> bool:
    rank = rules.level(tier).rank
    return rules.level(u.to).rank > rank and (not u.from_tiers or tier in u.from_tiers)


def _upgrade(rules: TierRules, tier: TierId, spend: int, count: int) -> Upgrade | None:
    """The met upgrade from ``tier`` with the highest target, if any."""
    met = [u for u in rules.upgrades if _allowed(rules, u, tier) and u.condition.met(spend, count)]
    return max(met, key=lambda u: rules.level(u.to).rank, default=None)


def _needed(
    rules: TierRules, tier: TierId, spend: int, count: int
) -> tuple[TierId | None, int, int]:
    """The nearest tier an upgrade leads to from ``tier`` and what its condition still lacks."""
    options = [u for u in rules.upgrades if _allowed(rules, u, tier)]
    if not options:
        return None, 0, 0
    u = min(options, key=lambda u: rules.level(u.to).rank)
    cond = u.condition
    need_spend = max(cond.min_spend - spend, 0) if cond.min_spend > 0 else 0
    need_count = max(cond.min_count - count, 0) if cond.min_count > 0 else 0
    return u.to, need_spend, need_count


def _since_change_status(rules: TierRules, past: Sequence[Purchase], at: datetime) -> TierStatus:
    tier = rules.lowest.id
    since: datetime | None = None
    period_start: datetime | None = None
    spend = count = 0
    changes: list[TierChange] = []

    # Asked before every purchase; it changes only with the tier or the period's start.
    end_for: tuple[TierId, datetime | None] | None = None
    end: datetime | None = None

    def period_end() -> datetime | None:
        nonlocal end_for, end
        if end_for != (tier, period_start):
            months = rules.level(tier).validity_months
            end_for = (tier, period_start)
            end = None
            if months and period_start is not None:
                end = period_start + relativedelta(months=months)
        return end

    def run_reviews(until: datetime) -> None:
        nonlocal tier, since, period_start, spend, count
        while (due := period_end()) is not None and due <= until:
            outcome = next(
                (o.to for o in rules.level(tier).review if o.condition.met(spend, count)),
                rules.lowest.id,
            )
            if outcome != tier:
                changes.append(TierChange(due, tier, outcome, "review"))
                tier, since = outcome, due
            # Every review closes the period: the next one measures from zero.
            period_start = due
            spend = count = 0

    for p in past:
        run_reviews(p.at)
        spend += p.spend
        count += p.count
        while (u := _upgrade(rules, tier, spend, count)) is not None:
            changes.append(TierChange(p.at, tier, u.to, "upgrade"))
            tier, since, period_start = u.to, p.at, p.at
            if rules.reset_on_change:
                spend = count = 0
    run_reviews(at)
    nxt, need_spend, need_count = _needed(rules, tier, spend, count)
    return TierStatus(
        tier=tier,
        since=since,
        valid_until=period_end(),
        basis_spend=Fen(spend),
        basis_count=count,
        growth=sum(p.growth for p in past),
        next_tier=nxt,
        needed_spend=Fen(need_spend),
        needed_count=need_count,
        needed_growth=0,
        changes=tuple(changes),
    )


def _rolling_status(rules: TierRules, past: Sequence[Purchase], at: datetime) -> TierStatus:
    months = relativedelta(months=rules.rolling_months)
    exits = [p.at + months for p in past]  # a purchase leaves the window at its exit time
    spend_prefix = [0]
    count_prefix = [0]
    for p in past:
        spend_prefix.append(spend_prefix[-1] + p.spend)
        count_prefix.append(count_prefix[-1] + p.count)
    times = [p.at for p in past]

    def window(t: datetime) -> tuple[int, int]:
        lo = bisect_right(exits, t)
        hi = bisect_right(times, t)
        return spend_prefix[hi] - spend_prefix[lo], count_prefix[hi] - count_prefix[lo]

    def tier_at(t: datetime) -> TierId:
        tier = rules.lowest.id
        spend, count = window(t)
        while (u := _upgrade(rules, tier, spend, count)) is not None:
            tier = u.to
        return tier

    events = sorted({*times, *(e for e in exits if e <= at)})
    tier = rules.lowest.id
    since: datetime | None = None
    changes: list[TierChange] = []
    for t in events:
        new = tier_at(t)
        if new != tier:
            changes.append(TierChange(t, tier, new, "window"))
            tier, since = new, t
    rank = rules.level(tier).rank
    valid_until = next(
        (e for e in sorted({e for e in exits if e > at}) if rules.level(tier_at(e)).rank < rank),
        None,
    )
    spend, count = window(at)
    nxt, need_spend, need_count = _needed(rules, tier, spend, count)
    return TierStatus(
        tier=tier,
        since=since,
        valid_until=valid_until,
        basis_spend=Fen(spend),
        basis_count=count,
        growth=sum(p.growth for p in past),
        next_tier=nxt,
        needed_spend=Fen(need_spend),
        needed_count=need_count,
        needed_growth=0,
        changes=tuple(changes),
    )
