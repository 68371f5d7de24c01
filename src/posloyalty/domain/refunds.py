"""How a refund is paid back: the tender rule, and when a manager must approve.

By default a refund goes back the way the sale was paid (:data:`ORIGINAL`): split over the
sale's tenders in proportion to what each has left to refund (what it paid less earlier
refunds). The cashier may instead choose one tender the sale was paid with: it takes as much
of the refund as it has left (a card, WeChat Pay or Alipay refund goes back to the account
that paid, never beyond what it paid; cash likewise never beyond the cash part), and the rest
is split over the other tenders as by default. A tender the sale was not paid with is
refused: a card sale is never refunded in cash at the till, which would let a card payment be
turned into cash.
"""

from __future__ import annotations

from collections.abc import Mapping

from posloyalty.domain.money import Fen, allocate

__all__ = [
    "ORIGINAL",
    "RefundRuleError",
    "needs_manager",
    "returned_share",
    "split_refund",
    "tenders_left",
]

#: The default choice: back to the original tenders, in proportion.
ORIGINAL = "original"


class RefundRuleError(ValueError):
    """The refund cannot be paid back as asked (nothing refunded)."""


def returned_share(amount: int, before: int, returned: int, sold: int) -> int:
    """What returning ``returned`` more units, after ``before`` units came back already, gives
    back of ``amount`` (a line's net fen, points or growth over its ``sold`` units).

    The cumulative share after each return is ``floor(amount * units_back / sold)``, so
    successive partial returns never give back more than ``amount``, and the last unit takes
    the exact rest."""
    return _cumulative(amount, before + returned, sold) - _cumulative(amount, before, sold)


def _cumulative(amount: int, qty: int, sold: int) -> int:
    return amount * qty // sold if sold else 0


def tenders_left(paid: Mapping[str, int], refunded: Mapping[str, int]) -> dict[str, Fen]:
    """Per tender of the original sale, what it still has to refund: what it paid less what
    earlier returns refunded by it (never negative), in tender order."""
    return {m: Fen(max(int(paid[m]) - int(refunded.get(m, 0)), 0)) for m in sorted(paid)}


def split_refund(refund: int, left: Mapping[str, int], choice: str = ORIGINAL) -> dict[str, Fen]:
    """The refund by tender (only tenders that pay back something), adding up to ``refund``.

    ``left``: per tender of the original sale, what it still has to refund (never negative).
    ``choice``: :data:`ORIGINAL` or one of the sale's tenders to refund first."""
    if refund < 0:
        raise RefundRuleError("a refund cannot be negative")
    if any(v < 0 for v in left.values()):
        raise RefundRuleError("a tender cannot have refunded more than it paid")
    if refund > sum(left.values()):
        raise RefundRuleError("the refund would exceed what the sale was paid")
    methods = sorted(m for m, v in left.items() if v > 0)
    out: dict[str, int] = {}
    rest = refund
    if choice != ORIGINAL:
        if choice not in methods:
            raise RefundRuleError(
                f"the sale was not paid by {choice} (or it was refunded already): "
                "refund it by a tender it was paid with"
            )
        first = min(rest, left[choice])
        out[choice] = first
        rest -= first
        methods = [m for m in methods if m != choice]
    if rest:
        parts = allocate(rest, [left[m] for m in methods])
        for m, p in zip(methods, parts, strict=True):
            out[m] = out.get(m, 0) + p
    return {m: Fen(v) for m, v in sorted(out.items()) if v}


def needs_manager(refund: int, limit: int | None) -> bool:
    """A manager approves refunds above ``limit`` fen (None: never needed; 0: always)."""
    return limit is not None and refund > limit
