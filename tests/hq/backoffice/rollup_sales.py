"""Generated member sales for the rollup property tests: (reference index, store index, days
after the start, minute of the day, amount in fen); a negative amount is a return."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from posloyalty.hq.models import Sale

__all__ = ["add_sales"]

_IDS = itertools.count(1)


def add_sales(s: Session, sales: list[Any], refs: Sequence[str], start: dt.datetime) -> None:
    """Add ``sales`` as HQ would hold them (member references from ``refs``) and flush."""
    for ref, store, days, minute, amount in sales:
        at = start + dt.timedelta(days=days, minutes=minute)
        s.add(
            Sale(
                id=f"bs-{next(_IDS)}",
                store_id=f"S{store}",
                terminal_id="T1",
                member_ref=refs[ref],
                at=at,
                total_fen=amount,
                original_sale_id="bs-0" if amount < 0 else None,
                full_return=False,
                payload={},
                received_at=at,
            )
        )
    s.flush()
