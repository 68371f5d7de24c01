"""End-of-day report for one local business day of this terminal's database.

Sales and returns are counted by their time; discounts by kind come from the sale lines, and
the value paid with points is the discount ``points`` (points are not a tender: the tenders,
refunds taken off, add up to the net sales; :func:`posloyalty.domain.drawer.tenders`). The
cash drawer: opening float, cash in and out, cash sales less cash refunds, expected against
the blind count (:mod:`posloyalty.domain.drawer`). Points by ledger entry time: issued (earn,
bonus, positive adjustments), redeemed, reversed by returns, refunded by returns, deducted
by hand, expired. Money is fen in the dataclass and yuan strings in the JSON form.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from posloyalty.domain.drawer import DrawerError, DrawerSummary, TenderLine, drawer_summary, tenders
from posloyalty.domain.money import Fen, format_yuan
from posloyalty.terminal.allowance import day_bounds
from posloyalty.terminal.errors import CheckoutError
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.drawer import movements_between, tender_totals
from posloyalty.tilldb.types import format_ts


@dataclass(frozen=True, slots=True)
class EodReport:
    day: dt.date
    sales_count: int
    #: Before discounts / money due after discounts and points (what the payments add to).
    sales_gross: Fen
    sales_total: Fen
    returns_count: int
    refunds_total: Fen
    discounts_by_kind: Mapping[str, Fen]
    #: Sales payments by tender (points are a discount, never a tender).
    payments_by_method: Mapping[str, Fen]
    refunds_by_method: Mapping[str, Fen]
    points_issued: int
    points_redeemed: int
    points_reversed: int
    points_refunded: int
    points_deducted: int
    points_expired: int
    new_members: int
    members_served: int
    pending_outbox: int
    #: Per tender: sales, refunds, net (adds up to :attr:`net_total`).
    tenders: tuple[TenderLine, ...] = ()
    drawer: DrawerSummary | None = None

    @property
    def net_total(self) -> Fen:
        return Fen(self.sales_total - self.refunds_total)

    def to_json(self) -> dict[str, Any]:
        y = format_yuan
        return {
            "day": self.day.isoformat(),
            "sales_count": self.sales_count,
            "sales_gross": y(self.sales_gross),
            "sales_total": y(self.sales_total),
            "returns_count": self.returns_count,
            "refunds_total": y(self.refunds_total),
            "net_total": y(self.net_total),
            "discounts_by_kind": {k: y(v) for k, v in sorted(self.discounts_by_kind.items())},
            "payments_by_method": {k: y(v) for k, v in sorted(self.payments_by_method.items())},
            "refunds_by_method": {k: y(v) for k, v in sorted(self.refunds_by_method.items())},
            "points": {
                "issued": self.points_issued,
                "redeemed": self.points_redeemed,
                "reversed": self.points_reversed,
                "refunded": self.points_refunded,
                "deducted": self.points_deducted,
                "expired": self.points_expired,
            },
            "new_members": self.new_members,
            "members_served": self.members_served,
            "pending_outbox": self.pending_outbox,
            "tenders": {
                t.method: {"sales": y(t.sales), "refunds": y(t.refunds), "net": y(t.net)}
                for t in self.tenders
            },
            "drawer": None if self.drawer is None else _drawer_json(self.drawer),
        }


def _drawer_json(d: DrawerSummary) -> dict[str, Any]:
    y = format_yuan
    return {
        "opening_float": y(d.opening_float),
        "cash_in": y(d.cash_in),
        "cash_out": y(d.cash_out),
        "cash_sales": y(d.cash_sales),
        "cash_refunds": y(d.cash_refunds),
        "expected": y(d.expected),
        "counted": None if d.counted is None else y(d.counted),
        "difference": None if d.difference is None else y(d.difference),
    }


def end_of_day(db: Database, day: dt.date, zone: dt.tzinfo) -> EodReport:
    start, end = day_bounds(day, zone)
    window = (format_ts(start), format_ts(end))
    with db.read() as session:
        conn = session.connection()

        def one(sql: str, params: tuple[object, ...] = window) -> Any:
            return conn.exec_driver_sql(sql, params).one()

        in_day = "s.at >= ? AND s.at < ? AND s.status = 'committed'"
        sales_count, gross, total, members_served = one(
            "SELECT count(*), coalesce(sum(subtotal_fen), 0), coalesce(sum(total_fen), 0),"
            " count(DISTINCT member)"
            f" FROM sales s WHERE {in_day} AND s.original_sale_id IS NULL"
        )
        returns_count, refunds = one(
            "SELECT count(*), coalesce(-sum(total_fen), 0)"
            f" FROM sales s WHERE {in_day} AND s.original_sale_id IS NOT NULL"
        )
        discounts: dict[str, int] = {}
        for (text,) in conn.exec_driver_sql(
            "SELECT l.discounts FROM sale_lines l JOIN sales s ON s.id = l.sale"
            f" WHERE {in_day} AND s.original_sale_id IS NULL AND l.discounts <> '{{}}'",
            window,
        ):
            for kind, amount in json.loads(text).items():
                if kind != "points":
                    discounts[kind] = discounts.get(kind, 0) + int(amount)
        payments, refunds_by = tender_totals(session, start, end)
        (points_paid,) = one(
            "SELECT coalesce(sum(json_extract(quote, '$.points_value_fen')), 0)"
            f" FROM sales s WHERE {in_day} AND s.original_sale_id IS NULL"
        )
        if points_paid:
            discounts["points"] = discounts.get("points", 0) + int(points_paid)
        issued, redeemed, reversed_, refunded, deducted, expired = one(
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
        (new_members,) = one(
            "SELECT count(*) FROM members WHERE registered_at >= ? AND registered_at < ?"
        )
        pending = repo.outbox_pending_count(session)
        moves = movements_between(session, start, end)
    try:
        lines = tenders(payments, refunds_by, sales_total=int(total), refunds_total=int(refunds))
    except DrawerError as exc:
        raise CheckoutError(f"the day's figures do not add up: {exc}") from exc
    drawer = drawer_summary(
        moves, cash_sales=payments.get("cash", 0), cash_refunds=refunds_by.get("cash", 0)
    )
    return EodReport(
        day=day,
        sales_count=int(sales_count),
        sales_gross=Fen(int(gross)),
        sales_total=Fen(int(total)),
        returns_count=int(returns_count),
        refunds_total=Fen(int(refunds)),
        discounts_by_kind={k: Fen(v) for k, v in discounts.items()},
        payments_by_method={k: Fen(v) for k, v in payments.items()},
        refunds_by_method={k: Fen(v) for k, v in refunds_by.items()},
        points_issued=int(issued),
        points_redeemed=int(redeemed),
        points_reversed=int(reversed_),
        points_refunded=int(refunded),
        points_deducted=int(deducted),
        points_expired=int(expired),
        new_members=int(new_members),
        members_served=int(members_served),
        pending_outbox=pending,
        tenders=lines,
        drawer=drawer,
    )
