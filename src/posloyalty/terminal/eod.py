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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from posloyalty.domain.drawer import DrawerError, DrawerSummary, TenderLine, drawer_summary, tenders
from posloyalty.domain.money import Fen, format_yuan
from posloyalty.terminal.allowance import day_bounds
from posloyalty.terminal.errors import CheckoutError
from posloyalty.tilldb import repo
from posloyalty.tilldb.day_figures import day_figures
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.drawer import movements_between, tender_totals


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
    with db.read() as session:
        f = day_figures(session, start, end)
        payments, refunds_by = tender_totals(session, start, end)
        pending = repo.outbox_pending_count(session)
        moves = movements_between(session, start, end)
    discounts = dict(f.discounts_by_kind)
    if f.points_paid:
        discounts["points"] = discounts.get("points", 0) + f.points_paid
    try:
        lines = tenders(
            payments, refunds_by, sales_total=f.sales_total, refunds_total=f.refunds_total
        )
    except DrawerError as exc:
        raise CheckoutError(f"the day's figures do not add up: {exc}") from exc
    drawer = drawer_summary(
        moves, cash_sales=payments.get("cash", 0), cash_refunds=refunds_by.get("cash", 0)
    )
    return EodReport(
        day=day,
        sales_count=f.sales_count,
        sales_gross=Fen(f.sales_gross),
        sales_total=Fen(f.sales_total),
        returns_count=f.returns_count,
        refunds_total=Fen(f.refunds_total),
        discounts_by_kind={k: Fen(v) for k, v in discounts.items()},
        payments_by_method={k: Fen(v) for k, v in payments.items()},
        refunds_by_method={k: Fen(v) for k, v in refunds_by.items()},
        points_issued=f.points_issued,
        points_redeemed=f.points_redeemed,
        points_reversed=f.points_reversed,
        points_refunded=f.points_refunded,
        points_deducted=f.points_deducted,
        points_expired=f.points_expired,
        new_members=f.new_members,
        members_served=f.members_served,
        pending_outbox=pending,
        tenders=lines,
        drawer=drawer,
    )
