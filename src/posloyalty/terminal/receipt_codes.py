"""Receipt codes: ``STORE-TERMINAL-YYYYMMDD-NNNN``, the terminal's running number per day."""

from __future__ import annotations

import datetime as dt

from posloyalty.terminal.context import Conn, TerminalContext
from posloyalty.tilldb import repo

__all__ = ["next_receipt_code"]


def next_receipt_code(session: Conn, ctx: TerminalContext, at: dt.datetime) -> str:
    """``STORE-TERMINAL-YYYYMMDD-NNNN``: the terminal's running number for the local day.

    Call inside the write transaction (BEGIN IMMEDIATE), so two sales never draw one number.
    """
    day = at.astimezone(ctx.zone).date()
    return repo.next_receipt_code(
        repo.raw_connection(session), f"{ctx.store}-{ctx.terminal}-{day:%Y%m%d}-"
    )
