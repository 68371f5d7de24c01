"""The member as the counter prices them: their row, tier now and balance replayed from the
ledger (:func:`load_member`). The placeholder row of a member HQ has not confirmed yet is
written with their first sale (``tilldb.sales.record_sale``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from posloyalty.domain import points as pts
from posloyalty.domain.ids import MemberId, TierId
from posloyalty.domain.points import Balance, LedgerEntry
from posloyalty.domain.pricing import MemberSnapshot
from posloyalty.domain.tiers import Purchase
from posloyalty.terminal.context import Conn, TerminalContext
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.tier_growth import (
    MemberRow,
    local_purchases,
    member_row,
    member_tier_status,
)

__all__ = ["MemberRow", "MemberState", "load_member"]


@dataclass(frozen=True, slots=True)
class MemberState:
    """A member as the counter prices them, with the ledger replayed now."""

    member_id: MemberId
    display_name: str
    phone_masked: str
    #: The tier used for pricing (the lowest tier for an unconfirmed member).
    tier: TierId
    confirmed: bool
    may_redeem: bool
    balance: Balance
    snapshot: MemberSnapshot
    entries: tuple[LedgerEntry, ...]
    #: The member row exists in the local slice.
    stored: bool
    growth: int
    registered_at: dt.datetime | None
    #: The row and this till's sales to them as read (a confirmed member in the slice), so
    #: the sale's tier growth need not read them again in the same transaction.
    row: MemberRow | None = None
    purchases: tuple[Purchase, ...] | None = None


def load_member(
    session: Conn,
    ctx: TerminalContext,
    member_id: MemberId,
    *,
    confirmed: bool,
    may_redeem: bool,
    at: dt.datetime,
) -> MemberState:
    row = member_row(session, member_id)
    if row is None and confirmed:
        raise CheckoutError(f"member {member_id} is not in this terminal's member directory")
    entries = ctx.ledgers.entries(session, member_id, ctx.zone) if row else ()
    balance = pts.balance(entries, at)
    tiers = ctx.rules.tiers
    tier = tiers.lowest.id
    purchases = None
    if confirmed and row is not None:
        # The tier now: HQ's last standing with this till's own later sales and any review
        # that fell due since (not only the row's cached tier).
        purchases = tuple(local_purchases(session, member_id))
        tier = member_tier_status(session, ctx, member_id, at, row=row, purchases=purchases).tier
    growth = row.growth if row is not None else 0
    snapshot = MemberSnapshot(
        tier=tier,
        points=max(balance.available, 0) if may_redeem else 0,
        growth=max(growth, 0),
        birthday=row.birthday if row is not None and confirmed else None,
    )
    return MemberState(
        member_id=member_id,
        display_name=row.display_name if row else "",
        phone_masked=row.phone_masked if row else "",
        tier=tier,
        confirmed=confirmed,
        may_redeem=may_redeem,
        balance=balance,
        snapshot=snapshot,
        entries=entries,
        stored=row is not None,
        growth=growth,
        registered_at=row.registered_at if row is not None else None,
        row=row,
        purchases=purchases,
    )
