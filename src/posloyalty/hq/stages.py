"""A member's lifecycle stage and dormant segment at the end of each UTC day, for the rollup
``report_stage_days`` (``hq.rollup``) and the reports that read it (``hq.reports``).

At the end of day E (the instant ``E + 1 day``) a member has bought on the days up to E; the
whole days since the last purchase are E less the *key* of its day (the UTC day of the day's
last purchase less a microsecond: a purchase at 00:00 is a whole day older than one at 00:01),
and the purchases of the last 365 days are those of the days whose key is at least E - 364
(a day's purchases count at its last one). :func:`state_at` gives the stage
(``domain.lifecycle.segment``) and the dormant segment (``domain.lifecycle.dormant_bucket``;
"never" before any purchase) from those two numbers: the definitions stay in the domain.

The state changes only on a purchase day or when the days since a purchase cross one of the
rules' day counts or the year, so :func:`changes` evaluates it on those days alone and lists
+1 / -1 per stage and segment where it changes: the members of a stage at the end of E are
the sum of the changes up to E.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from posloyalty.domain import lifecycle
from posloyalty.domain.rules import LifecycleRules

__all__ = ["NEVER", "PurchaseDay", "changes", "fingerprint", "state_at"]

#: The dormant segment of members who never bought.
NEVER = "never"
_AT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # any instant: only differences count


@dataclass(frozen=True, slots=True)
class PurchaseDay:
    """A member's purchases of one UTC day: the day, its key (the UTC day of its last
    purchase less a microsecond) and how many."""

    day: dt.date
    key: dt.date
    orders: int


def fingerprint(rules: LifecycleRules) -> str:
    """What of the rules the changes depend on (they are recomputed when it differs)."""
    return repr(rules)


@functools.lru_cache(maxsize=65536)
def _state(rules: LifecycleRules, days: int, year: int) -> tuple[str, str | None]:
    # ``year`` purchases at the last one's instant, ``days`` whole days before the end: what
    # ``segment`` reads of a member's purchases (how many in the year, how long since the last).
    last = _AT - dt.timedelta(days=days, microseconds=1)
    seg = lifecycle.segment(rules, registered_at=_AT, purchases=[last] * max(year, 1), at=_AT)
    return seg.stage, seg.dormant_bucket


def state_at(
    rules: LifecycleRules, days: Sequence[PurchaseDay], end: dt.date
) -> tuple[str, str | None]:
    """The stage and dormant segment (None: under the first) at the end of ``end`` of a member
    who bought on ``days`` (in order; days after ``end`` are ignored)."""
    last: PurchaseDay | None = None
    year = 0
    since = end - dt.timedelta(days=lifecycle.YEAR.days - 1)
    for p in days:
        if p.day > end:
            break
        if p.orders > 0:
            last = p
            if p.key >= since:
                year += p.orders
    if last is None:
        return "introduction", NEVER
    return _state(rules, (end - last.key).days, year)


@functools.lru_cache(maxsize=16)
def _offsets(rules: LifecycleRules) -> list[dt.timedelta]:
    """Days after a purchase's key on which the state may change."""
    days = {
        rules.pre_churn_after_days,
        rules.pre_churn_within_days + 1,
        rules.dormant_after_days,
        *rules.dormant_segments,
    } - {0}
    return [dt.timedelta(days=k) for k in sorted(days)]


def changes(
    rules: LifecycleRules,
    registered: dt.date,
    days: Sequence[PurchaseDay],
    since: dt.date | None = None,
) -> list[tuple[dt.date, str, str, int]]:
    """(day, family "s" stage / "d" dormant segment, name, +1 / -1) for a member registered on
    ``registered`` who bought on ``days`` (in order): counted from the day it registered.
    With ``since``, only the changes from that day on, from its state the day before (two
    histories alike before ``since`` differ by these changes alone)."""
    bought = [p for p in days if p.orders > 0]
    first = registered if since is None else max(registered, since)
    candidates = {first}
    year = lifecycle.YEAR
    for i, p in enumerate(bought):
        candidates.add(p.day)
        candidates.add(p.key + year)  # leaves the last year's purchases
        # The day counts of a purchase matter while it is the last one.
        following = bought[i + 1].day if i + 1 < len(bought) else None
        for offset in _offsets(rules):
            day = p.key + offset
            if following is None or day < following:
                candidates.add(day)
    out: list[tuple[dt.date, str, str, int]] = []
    before: tuple[str, str | None] = (
        state_at(rules, bought, first - dt.timedelta(days=1)) if first > registered else ("", None)
    )
    for day in sorted(d for d in candidates if d >= first):
        now = state_at(rules, bought, day)
        if now[0] != before[0]:
            if before[0]:
                out.append((day, "s", before[0], -1))
            out.append((day, "s", now[0], 1))
        if now[1] != before[1]:
            if before[1] is not None:
                out.append((day, "d", before[1], -1))
            if now[1] is not None:
                out.append((day, "d", now[1], 1))
        before = now
    return out
