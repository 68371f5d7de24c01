"""What a sale can earn at most under a rule document: the bounds HQ holds pushed claims to.

A till prices a sale with the rules it has; HQ cannot see the basket, but it knows the rules
and the amount paid, and no basket under those rules earns more points or growth than the
best case: every yuan at the highest earn rate, with the highest tier, birthday and member-day
multipliers at once. Pure functions over :class:`RuleSet`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from posloyalty.domain.rules import RuleSet

__all__ = ["max_growth", "max_points"]


def _best_rate(rules: RuleSet) -> Fraction:
    p = rules.points
    rate = max(p.regular_rate, p.special_rate, p.gift_card_rate)
    tier = max((lvl.points_multiplier for lvl in rules.tiers.levels), default=Fraction(1))
    day = max((d.points_multiplier for d in rules.member_days), default=Fraction(1))
    return (
        rate
        * max(tier, Fraction(1))
        * max(p.birthday_multiplier, Fraction(1))
        * max(day, Fraction(1))
    )


def max_points(revisions: Iterable[RuleSet], paid_fen: int) -> int:
    """The most points any basket paying ``paid_fen`` earns under any of ``revisions``."""
    if paid_fen <= 0:
        return 0
    best = max((_best_rate(r) for r in revisions), default=Fraction(0))
    return math.floor(best * paid_fen / 100)


def max_growth(revisions: Iterable[RuleSet], paid_fen: int) -> int:
    """The most growth value any basket paying ``paid_fen`` earns under any of ``revisions``."""
    if paid_fen <= 0:
        return 0
    best = max((r.growth.per_yuan for r in revisions), default=Fraction(0))
    return math.floor(best * paid_fen / 100)
