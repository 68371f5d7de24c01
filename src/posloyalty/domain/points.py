"""The points ledger: append-only entries, lots and balances derived by replaying them.

Contract for storage (one row per :class:`LedgerEntry`, never updated or deleted):

- Every entry touches exactly one lot. A positive entry (earn, bonus, positive adjust, or a
  positive reverse that refunds redeemed points) *creates* its lot: its ``available_at`` and
  ``expires_at`` are the lot's. Lot ids are unique; a second creating entry for a lot is an error.
- A negative entry (redeem, expire, negative reverse, negative adjust) draws from ``lot``; one
  operation that spans several lots writes one entry per lot, sharing ``at`` and ``sale_id``.
- ``renews_until`` (optional) marks a validity renewal made at ``at``: every lot created at or
  before ``at`` and still unexpired at ``at`` now expires no earlier than ``renews_until``.
  Rolling expiry writes it on every earning purchase (the whole balance lives until the last
  earning purchase + months); returns write it when the rules renew validity.
- The balance is the sum of ``points``; lots, their remainders and expiry are recomputed from the
  entries alone (no rules needed), so a balance never depends on cached state or today's rules.
- A lot's remainder may go below zero only through a return whose points were already spent: that
  debt is recorded on the sale's lot and counts against ``available``.

Datetimes are tz-aware and store-local (the tzinfo of ``at`` decides "end of day" for fixed-date
expiry). Ids come from the caller (``new_id`` factories); nothing here reads the clock.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

from posloyalty.domain.ids import EntryId, LotId, SaleId
from posloyalty.domain.refunds import returned_share
from posloyalty.domain.rules import Expiry, PointsRules

EntryKind = Literal["earn", "redeem", "expire", "reverse", "adjust", "bonus"]
ENTRY_KINDS: tuple[EntryKind, ...] = ("earn", "redeem", "expire", "reverse", "adjust", "bonus")

NewId = Callable[[], str]


class PointsError(ValueError):
    """A ledger operation is refused (over-redemption, bad input); nothing was written."""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: EntryId
    kind: EntryKind
    #: Signed: earn/bonus/adjust+/refund-reverse > 0; redeem/expire/reverse/adjust- < 0.
    points: int
    #: When the entry takes effect (for "expire": the moment the lot expired).
    at: datetime
    #: The lot this entry creates (points > 0) or draws from (points <= 0).
    lot: LotId
    #: Creating entries: the lot is pending until then. Others: equal to ``at``.
    available_at: datetime
    #: Creating entries: the lot's own expiry (None: never). Others: None.
    expires_at: datetime | None
    sale_id: SaleId | None = None
    reason: str = ""
    #: A validity renewal made at ``at`` (see the module docstring).
    renews_until: datetime | None = None

    def __post_init__(self) -> None:
        if self.kind not in ENTRY_KINDS:
            raise PointsError(f"unknown entry kind {self.kind!r}")
        for name in ("at", "available_at", "expires_at", "renews_until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise PointsError(f"{name} must be a tz-aware datetime")


@dataclass(frozen=True, slots=True)
class Lot:
    """A lot as replayed at some moment: what remains of it and when it expires."""

    id: LotId
    kind: EntryKind | None  # kind of the creating entry; None for a debt-only lot
    created_at: datetime | None
    available_at: datetime | None
    #: Effective expiry after renewals (None: never).
    expires_at: datetime | None
    remaining: int
    sale_id: SaleId | None

    def expired(self, at: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= at

    def pending(self, at: datetime) -> bool:
        return self.available_at is not None and at < self.available_at

    def spendable(self, at: datetime) -> bool:
        return self.remaining > 0 and not self.expired(at) and not self.pending(at)


@dataclass(frozen=True, slots=True)
class Balance:
    #: Spendable now (net of any debt).
    available: int
    #: Earned but not yet final.
    pending: int
    #: Past expiry but not yet written off by :func:`expire_due`.
    lapsed: int
    #: Sum of all entries up to the moment; always available + pending + lapsed.
    total: int
    next_expiry: datetime | None
    #: Points (available or pending) that expire at ``next_expiry``.
    expiring_points: int


# --------------------------------------------------------------------------- replay


def _aware(at: datetime, what: str = "at") -> None:
    if at.tzinfo is None:
        raise PointsError(f"{what} must be a tz-aware datetime")


def _upto(entries: Iterable[LedgerEntry], at: datetime) -> list[LedgerEntry]:
    # At one instant a lot is created before anything draws on it (HQ cancels a quarantined
    # entry at the entry's own time), whatever order the entries came in.
    return sorted((e for e in entries if e.at <= at), key=lambda e: (e.at, e.points <= 0))


class _Renewals:
    """Validity renewals ``(at, until)`` sorted by ``at``, answering a lot's effective expiry.

    A lot's expiry walks the renewals made from its creation on: each one made while the lot
    is still valid moves its expiry to ``until`` if later; the first one made after it expired
    ends the walk. Walked per lot, a member who renews on every purchase costs O(lots x
    renewals): 33 ms for 1,000 purchases. Here each walk is two binary searches and a range
    maximum: after the first step the state is always "valid until ``until[m]``, renewals up
    to ``m`` seen", so the rest of the walk from each ``m`` is computed once (``_chain``).
    """

    def __init__(self, renewals: Sequence[tuple[datetime, datetime]]) -> None:
        self._at = [r[0] for r in renewals]
        self._until = [r[1] for r in renewals]
        n = len(renewals)
        # Sparse table of range-maximum indices: _top[k][i] covers [i, i + 2**k).
        self._top: list[list[int]] = [list(range(n))]
        width = 1
        while 2 * width <= n:
            prev = self._top[-1]
            u = self._until
            self._top.append(
                [a if u[a] >= u[b] else b for a, b in zip(prev, prev[width:], strict=False)]
            )
            width *= 2
        self._chain: list[datetime] = list(self._until)  # filled from the last one back
        for m in range(n - 1, -1, -1):
            self._chain[m] = self._walk_from(m + 1, self._until[m], m)

    def _argmax(self, lo: int, hi: int) -> int:
        k = (hi - lo).bit_length() - 1
        a, b = self._top[k][lo], self._top[k][hi - (1 << k)]
        return a if self._until[a] >= self._until[b] else b

    def _walk_from(self, lo: int, exp: datetime, m: int | None) -> datetime:
        """The expiry reached from ``exp`` by the renewals from index ``lo`` on."""
        hi = bisect_left(self._at, exp, lo=lo)  # the renewals made while still valid
        if hi == lo:
            return exp
        best = self._argmax(lo, hi)
        if self._until[best] <= exp:
            return exp
        if m is not None and best <= m:  # pragma: no cover - lo > m, so best > m
            raise AssertionError("renewal chain out of order")
        return self._chain[best]

    def expiry(self, created_at: datetime, own: datetime | None) -> datetime | None:
        if own is None or not self._at:
            return own  # never expires, or nothing renews it
        return self._walk_from(bisect_left(self._at, created_at), own, None)


def lots(entries: Iterable[LedgerEntry], at: datetime) -> list[Lot]:
    """Every lot touched by the entries up to ``at``, in creation order, with its remainder."""
    _aware(at)
    seq = _upto(entries, at)
    creators: dict[LotId, LedgerEntry] = {}
    remaining: dict[LotId, int] = {}
    for e in seq:
        if e.points > 0:
            if e.lot in remaining:
                raise PointsError(f"lot {e.lot!r} is created twice (entry {e.id!r})")
            creators[e.lot] = e
        remaining[e.lot] = remaining.get(e.lot, 0) + e.points
    renewals = _Renewals([(e.at, e.renews_until) for e in seq if e.renews_until is not None])
    out: list[Lot] = []
    for lot_id, rest in remaining.items():
        c = creators.get(lot_id)
        if c is None:
            out.append(Lot(lot_id, None, None, None, None, rest, None))
            continue
        expiry = renewals.expiry(c.at, c.expires_at)
        out.append(Lot(lot_id, c.kind, c.at, c.available_at, expiry, rest, c.sale_id))
    return out


def balance(entries: Iterable[LedgerEntry], at: datetime) -> Balance:
    """The balance at ``at`` (entries dated after ``at`` are ignored)."""
    seq = _upto(entries, at)
    available = pending = lapsed = 0
    next_expiry: datetime | None = None
    expiring = 0
    for lot in lots(seq, at):
        if lot.remaining < 0:
            available += lot.remaining
            continue
        if lot.remaining == 0:
            continue
        if lot.expired(at):
            lapsed += lot.remaining
            continue
        if lot.pending(at):
            pending += lot.remaining
        else:
            available += lot.remaining
        if lot.expires_at is not None:
            if next_expiry is None or lot.expires_at < next_expiry:
                next_expiry, expiring = lot.expires_at, lot.remaining
            elif lot.expires_at == next_expiry:
                expiring += lot.remaining
    total = sum(e.points for e in seq)
    return Balance(available, pending, lapsed, total, next_expiry, expiring)


# --------------------------------------------------------------------------- expiry policy


def policy_expiry(expiry: Expiry, at: datetime) -> datetime | None:
    """When points earned at ``at`` expire under ``expiry`` (None: never).

    fixed_date: points earned in year Y expire at the end of settlement_month/settlement_day
    of year Y + years_after, store-local (Feb 29 becomes Feb 28 in other years); with
    years_after = 0, points earned after that day go to the next year's settlement.
    """
    _aware(at)
    if expiry.kind == "never":
        return None
    if expiry.kind in ("rolling", "per_lot"):
        return at + relativedelta(months=expiry.months)
    year = at.year + expiry.years_after
    while True:
        day = min(expiry.settlement_day, calendar.monthrange(year, expiry.settlement_month)[1])
        end = datetime(year, expiry.settlement_month, day, tzinfo=at.tzinfo) + timedelta(days=1)
        if end > at:
            return end
        year += 1  # years_after = 0 and earned after this year's settlement: the next one


def _renewal_until(rules: PointsRules, at: datetime) -> datetime | None:
    """The validity a renewal at ``at`` grants: at + months, or the fixed date for ``at``."""
    return policy_expiry(rules.expiry, at)


# --------------------------------------------------------------------------- operations


def earn(
    rules: PointsRules,
    *,
    entry_id: EntryId,
    lot: LotId,
    points: int,
    at: datetime,
    sale_id: SaleId | None = None,
    kind: Literal["earn", "bonus"] = "earn",
    reason: str = "",
) -> list[LedgerEntry]:
    """A new lot of ``points`` (none for zero points).

    Pending for ``rules.pending_days``; expiring by the policy. Under "rolling" an earning
    purchase (kind "earn") also renews the whole balance to ``at`` + months; bonus points get
    their own lot validity but renew nothing (they are not a purchase).
    """
    _aware(at)
    if kind not in ("earn", "bonus"):
        raise PointsError(f"earn() writes earn or bonus entries, not {kind!r}")
    if points < 0:
        raise PointsError("earned points cannot be negative")
    if points == 0:
        return []
    expires = policy_expiry(rules.expiry, at)
    renews = expires if rules.expiry.kind == "rolling" and kind == "earn" else None
    return [
        LedgerEntry(
            id=entry_id,
            kind=kind,
            points=points,
            at=at,
            lot=lot,
            available_at=at + timedelta(days=rules.pending_days),
            expires_at=expires,
            sale_id=sale_id,
            reason=reason,
            renews_until=renews,
        )
    ]


def _instant(when: datetime | None) -> tuple[int, float]:
    """Sort key: earlier first, None (never / unknown) last; safe across time zones."""
    return (1, 0.0) if when is None else (0, when.timestamp())


def _draw_order(candidates: Iterable[Lot], at: datetime, *, with_pending: bool) -> list[Lot]:
    """Lots to draw from: spendable ones oldest-expiring first (then oldest lot); pending after."""
    chosen = [
        lot
        for lot in candidates
        if lot.remaining > 0 and not lot.expired(at) and (with_pending or not lot.pending(at))
    ]
    return sorted(
        chosen,
        key=lambda lot: (
            lot.pending(at),
            _instant(lot.expires_at),
            _instant(lot.created_at),
        ),
    )


def _take(
    order: Sequence[Lot],
    points: int,
    *,
    kind: EntryKind,
    at: datetime,
    sale_id: SaleId | None,
    new_id: NewId,
    reason: str,
) -> tuple[list[LedgerEntry], int]:
    """Draw up to ``points`` from ``order``; returns the entries and what could not be drawn."""
    out: list[LedgerEntry] = []
    left = points
    for lot in order:
        if left == 0:
            break
        n = min(left, lot.remaining)
        if n <= 0:
            continue
        out.append(LedgerEntry(EntryId(new_id()), kind, -n, at, lot.id, at, None, sale_id, reason))
        left -= n
    return out, left


def redeem(
    entries: Sequence[LedgerEntry],
    rules: PointsRules,
    *,
    points: int,
    at: datetime,
    sale_id: SaleId | None,
    new_id: NewId,
    reason: str = "",
) -> list[LedgerEntry]:
    """Spend ``points`` of the available balance, oldest-expiring lots first.

    Pending and expired points are never spent. Refused (:class:`PointsError`) for a
    non-positive amount, below ``rules.min_redeem_points``, or above the available balance.
    """
    _aware(at)
    if points <= 0:
        raise PointsError("points to redeem must be positive")
    if points < rules.min_redeem_points:
        raise PointsError(f"at least {rules.min_redeem_points} points must be redeemed")
    available = balance(entries, at).available
    if points > available:
        raise PointsError(f"cannot redeem {points} points: {max(available, 0)} available")
    order = _draw_order(lots(entries, at), at, with_pending=False)
    out, left = _take(
        order, points, kind="redeem", at=at, sale_id=sale_id, new_id=new_id, reason=reason
    )
    assert left == 0, "available balance covers the redemption"
    return out


def expire_due(
    entries: Sequence[LedgerEntry], rules: PointsRules, at: datetime, new_id: NewId
) -> list[LedgerEntry]:
    """Write off the remainder of every lot whose expiry is at or before ``at``.

    Each entry is dated at its lot's expiry moment (a value date; never before the lot). Idempotent: a lot written off has nothing
    left. Expiry is read from the entries (the policy they were written under), so ``rules``
    only documents the scheme; a rule change never shortens points already earned.
    """
    del rules
    _aware(at)
    out: list[LedgerEntry] = []
    for lot in lots(entries, at):
        if lot.remaining > 0 and lot.expires_at is not None and lot.expires_at <= at:
            # A refund of points whose lot had already lapsed is born expired: date the write-off
            # no earlier than the lot itself.
            when = max(lot.expires_at, lot.created_at or lot.expires_at)
            out.append(
                LedgerEntry(
                    EntryId(new_id()),
                    "expire",
                    -lot.remaining,
                    when,
                    lot.id,
                    when,
                    None,
                    lot.sale_id,
                    "expired",
                )
            )
    return out


def _returned_part(
    line_points: Sequence[int],
    returned: Sequence[int],
    sold: Sequence[int],
    before: Sequence[int],
) -> int:
    return sum(
        returned_share(p, b, r, s)
        for p, r, s, b in zip(line_points, returned, sold, before, strict=True)
    )


def reverse_for_return(
    entries: Sequence[LedgerEntry],
    rules: PointsRules,
    *,
    sale_id: SaleId,
    line_points: Sequence[int],
    returned_qty: Sequence[int],
    sold_qty: Sequence[int],
    at: datetime,
    new_id: NewId,
    full: bool,
    already_returned_qty: Sequence[int] | None = None,
    line_redeemed: Sequence[int] | None = None,
    reason: str = "",
) -> list[LedgerEntry]:
    """Entries for a return (or exchange) of part or all of sale ``sale_id``.

    Earned points: per line, after this return the sale has given back
    ``floor(line_points * (already_returned + returned) / sold)``, so successive partial returns
    never exceed what the line earned; ``full`` gives back exactly what the sale earned, less
    what earlier returns took and what expired from its lot (gone already: not taken twice).
    Never more than that outstanding amount. The points come from the sale's own lot first
    (pending or lapsed alike), then other lots oldest-expiring first (available before
    pending, including this return's refunds); what the member no longer has is recorded as
    debt on the sale's lot (the balance goes negative).

    Redeemed points: a full return refunds all points the sale redeemed and has not yet had
    back; a partial return refunds by ``line_redeemed`` (points paid per line) on the same
    floor rule, or nothing when it is not given. Refunds are new lots (kind "reverse",
    positive), available at once, keeping the effective expiry of the lots they were drawn from.

    Validity: renewed to ``at`` + months (policy date for fixed_date) when the rules say so
    (Vancl: partial return or exchange yes, full return no). The renewal rides on this return's
    entries; if there are none a zero-point marker entry carries it.
    """
    _aware(at)
    n = len(line_points)
    before = list(already_returned_qty) if already_returned_qty is not None else [0] * n
    if not (len(returned_qty) == len(sold_qty) == len(before) == n):
        raise PointsError(
            "line_points, returned_qty, sold_qty, already_returned_qty differ in length"
        )
    if line_redeemed is not None and len(line_redeemed) != n:
        raise PointsError("line_redeemed must have one value per line")
    for p, r, s, b in zip(line_points, returned_qty, sold_qty, before, strict=True):
        if p < 0 or r < 0 or s < 0 or b < 0:
            raise PointsError("points and quantities cannot be negative")
        if b + r > s:
            raise PointsError(f"cannot return {b + r} of {s} units sold")
    seq = _upto(entries, at)
    mine = [e for e in seq if e.sale_id == sale_id]
    earn_lots = {e.lot for e in mine if e.kind == "earn"}
    earned = sum(e.points for e in mine if e.kind == "earn")
    taken = -sum(e.points for e in mine if e.kind == "reverse" and e.points < 0)
    # Points of the sale that already expired are gone: taking them back again would be double.
    lapsed_away = -sum(e.points for e in seq if e.kind == "expire" and e.lot in earn_lots)
    outstanding = max(earned - taken - lapsed_away, 0)
    redeemed_entries = [e for e in mine if e.kind == "redeem"]
    redeemed = -sum(e.points for e in redeemed_entries)
    refunded = sum(e.points for e in mine if e.kind == "reverse" and e.points > 0)
    refundable = max(redeemed - refunded, 0)

    if full:
        take = outstanding
        give = refundable
    else:
        take = min(_returned_part(line_points, returned_qty, sold_qty, before), outstanding)
        give = (
            min(_returned_part(line_redeemed, returned_qty, sold_qty, before), refundable)
            if line_redeemed is not None
            else 0
        )
    renew = rules.full_return_renews_validity if full else rules.partial_return_renews_validity
    until = _renewal_until(rules, at) if renew else None
    why = reason or ("full return" if full else "partial return")

    current = {lot.id: lot for lot in lots(seq, at)}
    out: list[LedgerEntry] = []
    # Refund redeemed points: last-drawn lots first, skipping what earlier returns refunded.
    skip = refunded
    for e in reversed(redeemed_entries):
        if give == 0:
            break
        drawn = -e.points
        used = min(skip, drawn)
        skip -= used
        n_back = min(drawn - used, give)
        if n_back <= 0:
            continue
        give -= n_back
        out.append(
            LedgerEntry(
                EntryId(new_id()),
                "reverse",
                n_back,
                at,
                LotId(new_id()),
                at,
                current[e.lot].expires_at if e.lot in current else None,
                sale_id,
                f"{why}: refund of points redeemed from lot {e.lot}",
            )
        )
    # Take back earned points.
    # The sale's own lots first, even pending or past expiry (those are its own points).
    sale_lots = [lot for lot in current.values() if lot.id in earn_lots and lot.remaining > 0]
    if take > 0:
        after_refund = lots([*seq, *out], at)
        others = _draw_order(
            (lot for lot in after_refund if lot.id not in earn_lots), at, with_pending=True
        )
        drawn_entries, left = _take(
            [*sale_lots, *others],
            take,
            kind="reverse",
            at=at,
            sale_id=sale_id,
            new_id=new_id,
            reason=why,
        )
        out.extend(drawn_entries)
        if left > 0:
            debt_lot = next(iter(sorted(earn_lots)), None) or LotId(new_id())
            out.append(
                LedgerEntry(
                    EntryId(new_id()),
                    "reverse",
                    -left,
                    at,
                    debt_lot,
                    at,
                    None,
                    sale_id,
                    f"{why}: points already spent, recorded as debt",
                )
            )
    if until is not None:
        if not out:
            marker_lot = next(iter(sorted(earn_lots)), None) or LotId(new_id())
            out.append(
                LedgerEntry(EntryId(new_id()), "reverse", 0, at, marker_lot, at, None, sale_id, why)
            )
        out = [_with_renewal(e, until) for e in out]
    return out


def _with_renewal(e: LedgerEntry, until: datetime) -> LedgerEntry:
    return LedgerEntry(
        e.id,
        e.kind,
        e.points,
        e.at,
        e.lot,
        e.available_at,
        e.expires_at,
        e.sale_id,
        e.reason,
        until,
    )


def adjust(
    entries: Sequence[LedgerEntry],
    rules: PointsRules,
    *,
    points: int,
    at: datetime,
    new_id: NewId,
    reason: str,
    allow_negative_balance: bool = False,
) -> list[LedgerEntry]:
    """A manual adjustment (a reason is required).

    Positive: a new lot, available at once, expiring by the policy (it renews nothing).
    Negative: drawn like a redemption; beyond the available balance it is refused unless
    ``allow_negative_balance``, in which case the shortfall is recorded as debt on a new lot.
    """
    _aware(at)
    if not reason.strip():
        raise PointsError("a manual adjustment needs a reason")
    if points == 0:
        raise PointsError("an adjustment of zero points changes nothing")
    if points > 0:
        return [
            LedgerEntry(
                EntryId(new_id()),
                "adjust",
                points,
                at,
                LotId(new_id()),
                at,
                policy_expiry(rules.expiry, at),
                None,
                reason,
            )
        ]
    want = -points
    available = balance(entries, at).available
    if want > available and not allow_negative_balance:
        raise PointsError(f"cannot deduct {want} points: {max(available, 0)} available")
    order = _draw_order(lots(entries, at), at, with_pending=False)
    out, left = _take(
        order,
        min(want, max(available, 0)),
        kind="adjust",
        at=at,
        sale_id=None,
        new_id=new_id,
        reason=reason,
    )
    left += want - min(want, max(available, 0))
    if left > 0:
        out.append(
            LedgerEntry(
                EntryId(new_id()), "adjust", -left, at, LotId(new_id()), at, None, None, reason
            )
        )
    return out


def backfill_points(rules: PointsRules, net_fen: int) -> int:
    """Points a past completed transaction earns when a scheme opens (source 004: 「历史积分补发:
    为本店曾交易完成的用户设置历史积分发放」): the regular rate on what was paid and kept (the
    lines' classes of a past sale are not known), rounded down once; nothing for nothing kept."""
    if net_fen <= 0:
        return 0
    value = rules.regular_rate * net_fen / 100
    return value.numerator // value.denominator
