"""Tier growth at the till: the member's tier now, from HQ's last standing and this till's own
sales (:func:`member_tier_status`), and the growth and tier a sale or return leaves
(:func:`apply_growth`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from posloyalty.domain.ids import TierId
from posloyalty.domain.money import Fen
from posloyalty.domain.rules import TierRules
from posloyalty.domain.tiers import Purchase, TierStart, TierStatus, tier_status
from posloyalty.terminal.context import Conn, TerminalContext
from posloyalty.tilldb import members
from posloyalty.tilldb.members import MemberRow, member_row
from posloyalty.tilldb.sales import local_purchases
from posloyalty.tilldb.types import parse_ts

if TYPE_CHECKING:
    from posloyalty.terminal.members import MemberState

__all__ = [
    "GrowthAfter",
    "MemberRow",
    "TierProgress",
    "apply_growth",
    "growth_after",
    "local_purchases",
    "member_row",
    "member_tier_status",
    "tier_start",
]


@dataclass(frozen=True, slots=True)
class TierProgress:
    tier: TierId
    tier_name: str
    #: The tier changed with this operation (an upgrade).
    changed: bool
    growth: int
    next_tier: TierId | None
    needed_spend: Fen
    needed_count: int
    needed_growth: int
    valid_until: dt.datetime | None
    #: Credit not final yet (the rules' ``credit_after_days``) and when the next becomes final.
    pending_spend: Fen = Fen(0)
    next_credit_at: dt.datetime | None = None


_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _history(
    session: Conn,
    member_id: str,
    baseline_growth: int,
    *,
    anchored: bool = False,
    purchases: Sequence[Purchase] | None = None,
) -> list[Purchase]:
    """The member's sales at this till as tier history (sale ids link returns to sales);
    ``purchases``: those sales as the caller read them in this transaction.

    Unless ``anchored`` (HQ's standing carries the growth), growth HQ reported beyond the
    local sales' is added as already-final growth before the first sale."""
    history = list(purchases) if purchases is not None else local_purchases(session, member_id)
    local_growth = sum(p.growth for p in history)
    first = min((p.at for p in history), default=None)
    # Growth HQ knows of but this terminal has no sales for (bought elsewhere).
    extra = baseline_growth - local_growth
    if extra > 0 and not anchored:
        start = (first or _EPOCH) - dt.timedelta(seconds=1)
        history.append(Purchase(start, Fen(0), extra, 0, final=True))
    return history


def _ts(value: object) -> dt.datetime | None:
    return parse_ts(value) if isinstance(value, str) and value else None


def tier_start(row: MemberRow, rules: TierRules) -> TierStart | None:
    """What the till replays its own sales on: HQ's last stated standing; for a member HQ
    confirmed before standings were sent, its tier as a floor (never reviewed here); None for
    a member only this till knows (its own history is all there is)."""
    if row.tier_anchor:
        try:
            data = json.loads(row.tier_anchor)
            return TierStart(
                tier=TierId(str(data["tier"])),
                at=_ts(data.get("as_of")) or _EPOCH,
                since=_ts(data.get("since")),
                spend=Fen(int(data.get("spend", 0))),
                count=int(data.get("count", 0)),
                growth=int(data.get("growth", 0)),
                valid_until=_ts(data.get("valid_until")),
            )
        except (ValueError, KeyError, TypeError):
            pass  # a damaged anchor: fall back to the tier as a floor
    if row.hq_version > 0 and row.tier in rules.ids():
        return TierStart(tier=TierId(row.tier), at=_EPOCH)
    return None


def member_tier_status(
    session: Conn,
    ctx: TerminalContext,
    member_id: str,
    at: dt.datetime,
    *,
    row: MemberRow | None = None,
    growth: int | None = None,
    purchases: Sequence[Purchase] | None = None,
) -> TierStatus:
    """The member's tier at ``at`` as this till can know it (``domain.tiers.tier_status``):
    HQ's standing, this till's sales credited when the rules say (``credit_after_days``),
    reviews run when a validity period ends. HQ's next answer replaces the standing."""
    row = row if row is not None else member_row(session, member_id)
    rules = ctx.rules.tiers
    if row is None:
        return tier_status(rules, [], at, growth_per_yuan=ctx.rules.growth.per_yuan)
    start = tier_start(row, rules)
    anchored = start is not None and bool(row.tier_anchor)
    history = _history(
        session,
        member_id,
        row.growth if growth is None else growth,
        anchored=anchored,
        purchases=purchases,
    )
    if start is not None and not anchored and rules.family == "growth":
        start = None  # the baseline growth in the history carries HQ's growth
        if row.tier in rules.ids():
            # Keep HQ's tier as a floor.
            floor = rules.level(row.tier)
            status = tier_status(rules, history, at, growth_per_yuan=ctx.rules.growth.per_yuan)
            if rules.level(status.tier).rank < floor.rank:
                return replace(status, tier=floor.id, next_tier=None)
            return status
    return tier_status(rules, history, at, growth_per_yuan=ctx.rules.growth.per_yuan, start=start)


@dataclass(frozen=True, slots=True)
class GrowthAfter:
    """A member's growth and tier after an operation, and the receipt's view of them."""

    growth: int
    tier: TierId
    progress: TierProgress


def apply_growth(
    session: Conn,
    ctx: TerminalContext,
    member_id: str,
    growth: int,
    at: dt.datetime,
    *,
    member: MemberState | None = None,
    sale: Purchase | None = None,
) -> TierProgress | None:
    """Add ``growth`` to the member's cached growth and store the tier the history now gives.

    Call after the sale (or return) is recorded: it is part of the history. The tier follows
    :func:`member_tier_status` (HQ's standing, this till's sales once credited, reviews due);
    ``changed`` says whether this operation raised it. ``member``: the confirmed member as
    :func:`load_member` read them earlier in this same transaction; with ``sale`` (the
    operation as the history holds it), their row and history are not read again.
    """
    after = growth_after(session, ctx, member_id, growth, at, member=member, sale=sale)
    if after is None:
        return None
    members.set_growth(session, member_id, after.growth, str(after.tier))
    return after.progress


def growth_after(
    session: Conn,
    ctx: TerminalContext,
    member_id: str,
    growth: int,
    at: dt.datetime,
    *,
    member: MemberState | None = None,
    sale: Purchase | None = None,
) -> GrowthAfter | None:
    """What :func:`apply_growth` stores, without storing it. Given ``member`` as read with
    their history and the ``sale``, nothing is read (call it before the sale is stored, too);
    otherwise call it after, as the history is read from the stored sales."""
    tiers = ctx.rules.tiers
    if (
        member is not None
        and member.member_id == member_id
        and member.confirmed
        and not member.stored
    ):
        return None
    known = member if member is not None and member.member_id == member_id else None
    purchases = None
    if known is not None and known.row is not None and known.purchases is not None and sale:
        row: MemberRow | None = known.row
        purchases = (*known.purchases, sale)
    else:
        row = member_row(session, member_id)
    if row is None:
        return None
    old_tier = known.tier if known is not None else row.tier
    new_growth = row.growth + growth
    status = member_tier_status(
        session, ctx, member_id, at, row=row, growth=new_growth, purchases=purchases
    )
    current = tiers.level(old_tier) if old_tier in tiers.ids() else tiers.lowest
    level = tiers.level(status.tier)
    changed = level.rank > current.rank
    next_tier = status.next_tier
    if next_tier is not None and tiers.level(next_tier).rank <= level.rank:
        next_tier = None
    return GrowthAfter(
        new_growth,
        level.id,
        TierProgress(
            tier=level.id,
            tier_name=level.name,
            changed=changed,
            growth=new_growth,
            next_tier=next_tier,
            needed_spend=status.needed_spend if next_tier else Fen(0),
            needed_count=status.needed_count if next_tier else 0,
            needed_growth=status.needed_growth if next_tier else 0,
            valid_until=status.valid_until,
            pending_spend=status.pending_spend,
            next_credit_at=status.next_credit_at,
        ),
    )
