"""The cash drawer at the till: opening float, cash in and out, the blind count.

Each call checks the movement (:func:`posloyalty.domain.drawer.movement`), stores it with its
audit row in one write, and refuses in plain words (:class:`CheckoutError`; nothing stored)
or :class:`StorageRefused` when the database cannot take it. The blind count answers with the
expected figure only once the count is stored, so the cashier counts without knowing it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from posloyalty.domain.drawer import (
    DrawerError,
    DrawerMovement,
    DrawerSummary,
    drawer_summary,
    movement,
)
from posloyalty.domain.money import Fen, format_yuan
from posloyalty.terminal.allowance import day_bounds
from posloyalty.terminal.context import TerminalContext
from posloyalty.terminal.errors import CheckoutError, StorageRefused
from posloyalty.tilldb import drawer as store_drawer
from posloyalty.tilldb.errors import StoreError

__all__ = ["DrawerState", "blind_count", "cash_in", "cash_out", "drawer_state", "open_float"]


@dataclass(frozen=True, slots=True)
class DrawerState:
    """Today's drawer: whether it was opened (a float given) and, after a count, the
    summary with expected and counted."""

    day: dt.date
    opened: bool
    summary: DrawerSummary


def _day_summary(ctx: TerminalContext, day: dt.date) -> tuple[bool, DrawerSummary]:
    start, end = day_bounds(day, ctx.zone)
    with ctx.db.read() as session:
        moves = store_drawer.movements_between(session, start, end)
        payments, refunds = store_drawer.tender_totals(session, start, end)
    opened = any(m.kind == "float" for m in moves)
    summary = drawer_summary(
        moves, cash_sales=payments.get("cash", 0), cash_refunds=refunds.get("cash", 0)
    )
    return opened, summary


def drawer_state(ctx: TerminalContext, day: dt.date | None = None) -> DrawerState:
    """The drawer of ``day`` (today by default)."""
    day = day or ctx.now().date()
    try:
        opened, summary = _day_summary(ctx, day)
    except StoreError as exc:
        raise StorageRefused(f"cannot read the drawer: {' '.join(str(exc).split())}") from None
    return DrawerState(day, opened, summary)


def _record(ctx: TerminalContext, move: DrawerMovement) -> None:
    try:
        with ctx.db.write() as session:
            store_drawer.record_movement(
                session,
                move,
                movement_id=ctx.new_id(),
                at=ctx.now(),
                terminal=ctx.terminal,
                cashier=ctx.cashier,
            )
    except StoreError as exc:
        raise StorageRefused(
            f"the drawer movement could not be stored: {' '.join(str(exc).split())}"
        ) from None


def _checked(kind: str, amount: int, reason: str = "") -> DrawerMovement:
    try:
        return movement(kind, amount, reason)
    except DrawerError as exc:
        raise CheckoutError(str(exc)) from None


def open_float(ctx: TerminalContext, amount: Fen) -> DrawerState:
    """Put the opening float in today's drawer (once a day: more cash later is cash in)."""
    move = _checked("float", amount)
    if drawer_state(ctx).opened:
        raise CheckoutError(
            "the drawer already has today's opening float; record more cash as cash in"
        )
    _record(ctx, move)
    return drawer_state(ctx)


def cash_in(ctx: TerminalContext, amount: Fen, reason: str) -> DrawerState:
    """Cash put into the drawer by hand (change from the bank, ...), with a reason."""
    _record(ctx, _checked("cash_in", amount, reason))
    return drawer_state(ctx)


def cash_out(ctx: TerminalContext, amount: Fen, reason: str) -> DrawerState:
    """Cash taken out by hand (a bank drop, a paid-out), with a reason; never more than the
    drawer should hold."""
    move = _checked("cash_out", amount, reason)
    expected = drawer_state(ctx).summary.expected
    if move.amount > expected:
        raise CheckoutError(
            f"the drawer should hold only ¥{format_yuan(expected)}; cannot take out more"
        )
    _record(ctx, move)
    return drawer_state(ctx)


def blind_count(ctx: TerminalContext, counted: Fen) -> DrawerState:
    """Record the cash counted at the end of the day; the answer shows expected and the
    difference (a recount replaces the count, both audited)."""
    _record(ctx, _checked("count", counted))
    return drawer_state(ctx)
