"""Member lifecycle stages, dormancy buckets, RFM scores and birthdays.

Day counts are whole days between store-local datetimes (``(at - last).days``).
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from posloyalty.domain.money import Fen
from posloyalty.domain.rules import LifecycleRules

Stage = Literal["introduction", "growth", "maturity", "pre_churn", "dormant"]
YEAR = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Segment:
    stage: Stage
    days_since_registered: int
    #: None before the first purchase.
    days_since_purchase: int | None
    purchases_total: int
    purchases_last_year: int
    #: Growth stage: still inside ``growth_coupon_days`` after the first purchase (send the
    #: short-lived habit coupon).
    in_growth_coupon_window: bool
    #: Days-without-purchase bucket for wake-up offers ("30-60", "60-90", "90+"), whatever the
    #: stage; None under the first boundary or before any purchase.
    dormant_bucket: str | None


@dataclass(frozen=True, slots=True)
class Rfm:
    recency: int
    frequency: int
    monetary: int
    days_since: int | None
    count: int
    spend: Fen


def dormant_bucket(rules: LifecycleRules, days: int) -> str | None:
    """The bucket of ``days`` without purchase: "30-60", "60-90", "90+" for (30, 60, 90)."""
    bounds = rules.dormant_segments
    for lo, hi in itertools.pairwise(bounds):
        if lo <= days < hi:
            return f"{lo}-{hi}"
    if bounds and days >= bounds[-1]:
        return f"{bounds[-1]}+"
    return None


def segment(
    rules: LifecycleRules,
    *,
    registered_at: datetime,
    purchases: Sequence[datetime],
    at: datetime,
) -> Segment:
    """The member's lifecycle stage at ``at`` (purchases after ``at`` are ignored).

    In order (source 003's definitions): no purchase -> introduction; at least
    ``pre_churn_min_purchases`` in the last 365 days and the last one between
    ``pre_churn_after_days`` and ``pre_churn_within_days`` ago -> pre_churn (a frequent buyer
    who is lapsing, even past the dormancy line); ``dormant_after_days`` without purchase ->
    dormant; at least ``maturity_min_purchases`` in the last 365 days -> maturity; otherwise
    growth.
    """
    past = sorted(p for p in purchases if p <= at)
    days_registered = (at - registered_at).days
    if not past:
        return Segment("introduction", days_registered, None, 0, 0, False, None)
    days = (at - past[-1]).days
    last_year = sum(1 for p in past if at - p < YEAR)
    stage: Stage
    if (
        last_year >= rules.pre_churn_min_purchases
        and rules.pre_churn_after_days <= days <= rules.pre_churn_within_days
    ):
        stage = "pre_churn"
    elif days >= rules.dormant_after_days:
        stage = "dormant"
    elif last_year >= rules.maturity_min_purchases:
        stage = "maturity"
    else:
        stage = "growth"
    window = stage == "growth" and at - past[0] < timedelta(days=rules.growth_coupon_days)
    return Segment(
        stage, days_registered, days, len(past), last_year, window, dormant_bucket(rules, days)
    )


def _score(value: int, bounds: Sequence[int], *, lower_is_better: bool = False) -> int:
    if lower_is_better:
        return 1 + sum(1 for b in bounds if value <= b)
    return 1 + sum(1 for b in bounds if value >= b)


def rfm(rules: LifecycleRules, purchases: Sequence[tuple[datetime, Fen]], at: datetime) -> Rfm:
    """RFM scores 1-5 from the rules' boundaries (score = 1 + boundaries passed).

    Recency passes a boundary when the last purchase is at most that many days ago; frequency
    and monetary when count / spend reach it. Only purchases up to ``at`` count; the caller picks
    the window (usually the last year). Returns (negative amounts) lower spend but are not
    transactions and do not make a purchase recent.
    """
    past = [(when, amount) for when, amount in purchases if when <= at]
    bought = [when for when, amount in past if amount > 0]
    days = (at - max(bought)).days if bought else None
    return rfm_scores(rules, days, len(bought), Fen(sum(amount for _, amount in past)))


def rfm_scores(rules: LifecycleRules, days_since: int | None, count: int, spend: Fen) -> Rfm:
    """RFM scores from the summary :func:`rfm` computes: days since the last purchase (None:
    none), purchases and net spend."""
    return Rfm(
        recency=_score(days_since, rules.recency_days, lower_is_better=True)
        if days_since is not None
        else 1,
        frequency=_score(count, rules.frequency_counts),
        monetary=_score(spend, rules.monetary_fen),
        days_since=days_since,
        count=count,
        spend=spend,
    )


def birthday_in_year(birthday: date, year: int) -> date:
    """The member's birthday in ``year``; Feb 29 falls on Feb 28 in common years."""
    day = min(birthday.day, calendar.monthrange(year, birthday.month)[1])
    return date(year, birthday.month, day)


def has_birthday_in_month(birthday: date, year: int, month: int) -> bool:
    """Does the member celebrate a birthday in ``month`` of ``year`` (for the 1st-of-month list)?"""
    return birthday_in_year(birthday, year).month == month
