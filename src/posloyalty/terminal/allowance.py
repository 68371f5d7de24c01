"""The offline redemption allowance: how many points a member may redeem today at a till
whose balance HQ has not confirmed lately, and the HQ-signed confirmations that lift it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from posloyalty.sync import confirmations
from posloyalty.sync.client import load_hq_key
from posloyalty.terminal.context import Conn, TerminalContext
from posloyalty.terminal.errors import CheckoutError
from posloyalty.tilldb import repo
from posloyalty.tilldb.confirmation import CONFIRMED_PREFIX
from posloyalty.tilldb.db import TillSession
from posloyalty.tilldb.types import format_ts

__all__ = [
    "OfflineAllowance",
    "balance_confirmed_at",
    "check_offline_allowance",
    "day_bounds",
    "mark_balance_confirmed",
    "offline_allowance",
]


def mark_balance_confirmed(session: TillSession, member_id: str, at: dt.datetime) -> None:
    """Record that the till applied HQ's state of this member at ``at`` (informational: the
    offline cap reads only HQ-signed confirmations, :func:`balance_confirmed_at`)."""
    repo.set_setting(session, CONFIRMED_PREFIX + member_id, format_ts(at))


def balance_confirmed_at(
    session: Conn, member_id: str, ctx: TerminalContext | None = None
) -> dt.datetime | None:
    """When HQ last confirmed the member's balance by a signature that verifies with HQ's key
    (kept with the terminal credential) for this terminal; None otherwise. Without ``ctx``:
    the terminal and key from the database's settings and credential."""
    raw = repo.raw_connection(session)
    if ctx is not None:
        terminal: str | None = ctx.terminal
        db = ctx.db
    else:
        terminal = repo.setting(raw, "terminal")
        db = None
    if not terminal:
        return None
    key = ctx.hq_key if ctx is not None else None
    if key is None and db is not None:
        key = load_hq_key(db)
    return confirmations.confirmed_at(raw, member_id, key, terminal)


def day_bounds(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The local business day ``day`` as a half-open UTC interval."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class OfflineAllowance:
    """The offline redemption cap for one member today; ``left`` None: not capped (online)."""

    limit: int
    used_today: int
    left: int | None
    confirmed_at: dt.datetime | None


def offline_allowance(
    session: Conn, ctx: TerminalContext, member_id: str, at: dt.datetime
) -> OfflineAllowance:
    limit = (
        ctx.offline_allowance_points
        if ctx.offline_allowance_points is not None
        else ctx.rules.points.offline_allowance_points
    )
    confirmed = balance_confirmed_at(session, member_id, ctx)
    if confirmed is not None and confirmed > at:
        confirmed = None  # from this till's future (its clock is behind HQ's): proves nothing
    if confirmed is not None and dt.timedelta(0) <= at - confirmed <= ctx.confirmation_max_age:
        return OfflineAllowance(limit, 0, None, confirmed)
    start, _ = day_bounds(at.astimezone(ctx.zone).date(), ctx.zone)
    since = max(start, confirmed) if confirmed is not None else start
    used = repo.points_redeemed_since(repo.raw_connection(session), member_id, since)
    return OfflineAllowance(limit, used, max(limit - used, 0), confirmed)


def check_offline_allowance(
    session: Conn, ctx: TerminalContext, member_id: str, wanted: int, at: dt.datetime
) -> None:
    """Refuse a redemption beyond today's offline allowance, saying why and what is left."""
    if wanted <= 0:
        return
    allowance = offline_allowance(session, ctx, member_id, at)
    if allowance.left is None or wanted <= allowance.left:
        return
    why = (
        "has never been confirmed with HQ"
        if allowance.confirmed_at is None
        else "has not been confirmed with HQ since "
        + allowance.confirmed_at.astimezone(ctx.zone).strftime("%Y-%m-%d %H:%M")
    )
    raise CheckoutError(
        f"offline redemption limit: the balance of member {member_id} {why}, so at most "
        f"{allowance.limit} points a day may be redeemed; {allowance.used_today} already "
        f"redeemed today, {allowance.left} still allowed (asked for {wanted})"
    )
