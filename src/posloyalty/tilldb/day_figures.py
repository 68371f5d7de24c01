"""The stored figures of a span of time (one business day for the end-of-day report): sales
and returns by their time, discounts by kind from the sale lines, points by ledger entry time,
and new members. ``terminal/eod.py`` decides what the report makes of them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from posloyalty.tilldb.db import raw_connection
from posloyalty.tilldb.types import format_ts

__all__ = ["DayFigures", "day_figures"]


@dataclass(frozen=True, slots=True)
class DayFigures:
    """Sums in fen or points over ``[start, end)``; committed sales and returns only."""

    sales_count: int
    sales_gross: int
    sales_total: int
    members_served: int
    returns_count: int
    refunds_total: int
    #: Line discounts by kind, the ``points`` kind left out (see ``points_paid``).
    discounts_by_kind: Mapping[str, int]
    #: The value the sales' points paid (``quote.points_value_fen``).
    points_paid: int
    points_issued: int
    points_redeemed: int
    points_reversed: int
    points_refunded: int
    points_deducted: int
    points_expired: int
    new_members: int


_IN_SPAN = "s.at >= ? AND s.at < ? AND s.status = 'committed'"
_SALES = (
    "SELECT count(*), coalesce(sum(subtotal_fen), 0), coalesce(sum(total_fen), 0),"
    " count(DISTINCT member)"
    f" FROM sales s WHERE {_IN_SPAN} AND s.original_sale_id IS NULL"
)
_RETURNS = (
    "SELECT count(*), coalesce(-sum(total_fen), 0)"
    f" FROM sales s WHERE {_IN_SPAN} AND s.original_sale_id IS NOT NULL"
)
_DISCOUNTS = (
    "SELECT l.discounts FROM sale_lines l JOIN sales s ON s.id = l.sale"
    f" WHERE {_IN_SPAN} AND s.original_sale_id IS NULL AND l.discounts <> '{{}}'"
)
_POINTS_PAID = (
    "SELECT coalesce(sum(json_extract(quote, '$.points_value_fen')), 0)"
    f" FROM sales s WHERE {_IN_SPAN} AND s.original_sale_id IS NULL"
)
_POINTS = (
    "SELECT"
    " coalesce(sum(CASE WHEN kind IN ('earn', 'bonus') OR (kind = 'adjust' AND points > 0)"
    " THEN points END), 0),"
    " coalesce(-sum(CASE WHEN kind = 'redeem' THEN points END), 0),"
    " coalesce(-sum(CASE WHEN kind = 'reverse' AND points < 0 THEN points END), 0),"
    " coalesce(sum(CASE WHEN kind = 'reverse' AND points > 0 THEN points END), 0),"
    " coalesce(-sum(CASE WHEN kind = 'adjust' AND points < 0 THEN points END), 0),"
    " coalesce(-sum(CASE WHEN kind = 'expire' THEN points END), 0)"
    " FROM ledger_entries WHERE at >= ? AND at < ?"
)
_NEW_MEMBERS = "SELECT count(*) FROM members WHERE registered_at >= ? AND registered_at < ?"


def day_figures(session: Session, start: dt.datetime, end: dt.datetime) -> DayFigures:
    """The figures of ``[start, end)``, read in the caller's transaction."""
    conn = raw_connection(session)
    span = (format_ts(start), format_ts(end))

    def one(sql: str) -> Any:
        return conn.execute(sql, span).fetchone()

    sales_count, gross, total, members_served = one(_SALES)
    returns_count, refunds = one(_RETURNS)
    discounts: dict[str, int] = {}
    for (text,) in conn.execute(_DISCOUNTS, span):
        for kind, amount in json.loads(text).items():
            if kind != "points":
                discounts[kind] = discounts.get(kind, 0) + int(amount)
    (points_paid,) = one(_POINTS_PAID)
    issued, redeemed, reversed_, refunded, deducted, expired = one(_POINTS)
    (new_members,) = one(_NEW_MEMBERS)
    return DayFigures(
        sales_count=int(sales_count),
        sales_gross=int(gross),
        sales_total=int(total),
        members_served=int(members_served),
        returns_count=int(returns_count),
        refunds_total=int(refunds),
        discounts_by_kind=discounts,
        points_paid=int(points_paid),
        points_issued=int(issued),
        points_redeemed=int(redeemed),
        points_reversed=int(reversed_),
        points_refunded=int(refunded),
        points_deducted=int(deducted),
        points_expired=int(expired),
        new_members=int(new_members),
    )
