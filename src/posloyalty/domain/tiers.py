"""Member tiers from a purchase history: growth value (MINISO) or spend windows (Taobao/Vancl/JD).

The tier is derived by replaying the history; nothing is stored but purchases. A return is a
:class:`Purchase` with negative ``spend`` and ``growth`` and ``count`` 0 (partial return or
exchange: the transaction still happened) or -1 (full return: the transaction is undone). In the
growth family the tier follows total growth, so a return can lower it at once. In the spend
family a return lowers the accumulated basis but never downgrades on the spot: a reached tier
holds until its review, or until the rolling window no longer meets it.

Tier credit follows ``TierRules.credit_after_days`` (Vancl: membership status counts only once
the sale is final, 30 days later): a sale counts at ``at + credit_after_days``; a return inside
that window is netted against its sale (``Purchase.original`` names it), so a full return leaves
no credit at all; a later return counts when it happens. Until then the sale is *pending*
credit (``TierStatus.pending_*``).

A :class:`TierStart` is a standing an authority stated (HQ's last answer to a till, or the
opening tier a chain brings at go-live): credit before ``start.at`` is in it already, credit
after it is replayed on top, and the start's validity period is reviewed when it ends.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
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
    #: The sale's id (to net returns inside the credit window against it); "" when unknown.
    ref: str = ""
    #: For a return: the id of the sale returned from.
    original: str = ""
    #: Already final (credited at ``at``, whatever the credit window): e.g. growth HQ reports.
    final: bool = False


@dataclass(frozen=True, slots=True)
class TierStart:
    """The member's standing at ``at`` as an authority stated it (see the module doc)."""

    tier: TierId
    at: datetime
    #: When ``tier`` was reached: its validity period runs from here (None: never reviewed).
    since: datetime | None = None
    #: Spend and count the tier rules measured at ``at`` (since the change / in the period).
    spend: Fen = Fen(0)
    count: int = 0
    #: Total growth value at ``at``.
    growth: int = 0
    #: Rolling windows: until when the authority said ``tier`` holds (a floor until then).
    valid_until: datetime | None = None


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
    #: Credit not final yet (inside ``credit_after_days``), net of returns so far.
    pending_spend: Fen = Fen(0)
    pending_count: int = 0
    pending_growth: int = 0
    #: When the next pending credit becomes final (None: nothing pending).
    next_credit_at: datetime | None = None


def credited(history: Sequence[Purchase], days: int, at: datetime) -> list[Purchase]:
    """``history`` up to ``at`` as tier credit: each item dated when it counts (see the module
    doc), returns inside a sale's window netted into it, sales fully returned there dropped.
    Items may be dated after ``at`` (pending credit); the result is sorted by that date."""
    past = [p for p in history if p.at <= at]
    if days <= 0:
        return sorted(past, key=lambda p: p.at)
    window = timedelta(days=days)
    sales = {p.ref: p for p in past if p.ref and not p.original and not p.final}
    folded: dict[str, list[Purchase]] = {}
    out: list[Purchase] = []
    for p in past:
        sale = sales.get(p.original) if p.original else None
        if sale is not None and p.at < sale.at + window:
            folded.setdefault(sale.ref, []).append(p)
        elif p.final or p.original:
            out.append(p)
    for p in past:
        if p.final or p.original:
            continue
        returns = folded.get(p.ref, []) if p.ref else []
        count = p.count + sum(r.count for r in returns)
        spend = p.spend + sum(r.spend for r in returns)
        growth = p.growth + sum(r.growth for r in returns)
        if count <= 0 and spend <= 0:
            continue  # returned in full before it became final: it never counts
        out.append(Purchase(p.at + window, Fen(spend), growth, max(count, 0), p.ref))
    return sorted(out, key=lambda p: p.at)


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
    start: TierStart | None = None,
) -> TierStatus:
    """The member's tier at ``at`` from ``history`` (purchases after ``at`` are ignored).

    ``growth_per_yuan`` (growth family) turns the growth still needed into spend. ``start``:
    the standing an authority stated; only credit after ``start.at`` is replayed on it.
    """
    if at.tzinfo is None:
        raise ValueError("at must be a tz-aware datetime")
    if start is not None and start.tier not in rules.ids():
        start = None  # a tier the rules no longer have: replay the history alone
    credit = credited(history, rules.credit_after_days, at)
    if start is not None and not (rules.family == "spend" and rules.basis == "rolling"):
        credit = [p for p in credit if p.at > start.at]
    past = [p for p in credit if p.at <= at]
    pending = [p for p in credit if p.at > at]
    if rules.family == "growth":
        status = _growth_status(rules, past, growth_per_yuan, start)
    elif rules.basis == "rolling":
        status = _rolling_status(rules, past, at, start)
    else:
        status = _since_change_status(rules, past, at, start)
    if not pending:
        return status
    return replace(
        status,
        pending_spend=Fen(sum(p.spend for p in pending)),
        pending_count=sum(p.count for p in pending),
        pending_growth=sum(p.growth for p in pending),
        next_credit_at=pending[0].at,
    )


# --------------------------------------------------------------------------- growth family


def _growth_level(rules: TierRules, growth: int) -> TierLevel:
    level = rules.lowest
    for lvl in rules.levels:
        if lvl.min_growth <= growth:
            level = lvl
    return level


def _growth_status(
    rules: TierRules,
    past: Sequence[Purchase],
    per_yuan: Fraction | None,
    start: TierStart | None = None,
) -> TierStatus:
    growth = start.growth if start else 0
    tier = start.tier if start else rules.lowest.id
    since: datetime | None = start.since if start else None
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
        basis_spend=Fen(sum(p.spend for p in past) + (start.spend if start else 0)),
        basis_count=sum(p.count for p in past) + (start.count if start else 0),
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


def _since_change_status(
    rules: TierRules, past: Sequence[Purchase], at: datetime, start: TierStart | None = None
) -> TierStatus:
    tier = start.tier if start else rules.lowest.id
    since: datetime | None = start.since if start else None
    period_start: datetime | None = since
    spend, count = (int(start.spend), start.count) if start else (0, 0)
    growth0 = start.growth if start else 0
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
        growth=growth0 + sum(p.growth for p in past),
        next_tier=nxt,
        needed_spend=Fen(need_spend),
        needed_count=need_count,
        needed_growth=0,
        changes=tuple(changes),
    )


def _rolling_status(
    rules: TierRules, past: Sequence[Purchase], at: datetime, start: TierStart | None = None
) -> TierStatus:
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

    floor_until = start.valid_until if start is not None else None
    floor = start.tier if start is not None and floor_until is not None else None

    def held(t: datetime) -> TierId:
        """The window's tier, or the authority's while its stated validity lasts."""
        new = tier_at(t)
        if (
            floor is not None
            and floor_until is not None
            and t < floor_until
            and rules.level(floor).rank > rules.level(new).rank
        ):
            return floor
        return new

    extra = [floor_until] if floor_until is not None and floor_until <= at else []
    events = sorted({*times, *(e for e in exits if e <= at), *extra})
    if start is not None and floor_until is not None:
        events = sorted({start.at, *events})
    tier = rules.lowest.id
    since: datetime | None = None
    changes: list[TierChange] = []
    for t in events:
        if t > at:
            continue
        new = held(t)
        if new != tier:
            changes.append(TierChange(t, tier, new, "window"))
            tier, since = new, t
    rank = rules.level(tier).rank
    ends = {e for e in exits if e > at}
    if floor_until is not None and floor_until > at:
        ends.add(floor_until)
    valid_until = next(
        (e for e in sorted(ends) if rules.level(held(e)).rank < rank),
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
