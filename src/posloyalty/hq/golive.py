"""Go-live (source 004): a chain bringing its existing members keeps their standing.

- :func:`opening_for` turns an import row's opening columns (``points``, ``tier``,
  ``tier_since``, ``tier_spend``, ``tier_count``, ``growth``) into what HQ keeps: an opening
  points lot (a ``bonus`` entry, reason ``opening``, id derived from the member, so importing
  again grants nothing twice) and the opening tier standing in the member's state
  (``state["opening"]``, replayed by the jobs as a :class:`domain.tiers.TierStart`).
- :func:`backfill` grants points for past completed transactions under the rules in force
  (「历史积分补发:为本店曾交易完成的用户设置历史积分发放」), once per sale (entry ids derived from
  the sale), and reports what it granted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.domain import points
from posloyalty.domain.ids import EntryId, LotId, SaleId
from posloyalty.domain.money import MoneyError, parse_yuan
from posloyalty.domain.rules import RuleSet
from posloyalty.hq.errors import BadRequest
from posloyalty.hq.ledger import active_rules, insert_hq_entries
from posloyalty.hq.members import resolve
from posloyalty.hq.models import LedgerEntry, Member, Sale

_NS = uuid.UUID("0b6f7c52-6d1e-4f0e-9a0c-2a4d6f1b7e33")
OPENING_COLUMNS = ("points", "tier", "tier_since", "tier_spend", "tier_count", "growth")


def _int(row: dict[str, Any], key: str) -> int:
    value = row.get(key)
    if value is None or value == "":
        return 0
    try:
        n = int(str(value).strip())
    except ValueError:
        raise BadRequest(f"{key} must be a whole number, got {value!r}") from None
    if n < 0:
        raise BadRequest(f"{key} must not be negative, got {n}")
    return n


def _when(row: dict[str, Any], key: str) -> dt.datetime | None:
    text = str(row.get(key) or "").strip()
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{key} {text!r} is not a date-time with an offset") from None
    if when.tzinfo is None:
        raise BadRequest(f"{key} needs a UTC offset")
    return when


def check_opening(row: dict[str, Any], rules: RuleSet | None) -> None:
    """Refuse a row whose opening columns are malformed (before anything is written)."""
    if not any(str(row.get(k) or "").strip() for k in OPENING_COLUMNS):
        return
    _int(row, "points")
    _int(row, "tier_count")
    _int(row, "growth")
    _when(row, "tier_since")
    spend = str(row.get("tier_spend") or "").strip()
    if spend:
        try:
            parse_yuan(spend, what="tier_spend")
        except MoneyError as exc:
            raise BadRequest(str(exc)) from None
    tier = str(row.get("tier") or "").strip()
    if tier:
        if rules is None:
            raise BadRequest("an opening tier needs published rules (publish-rules first)")
        if tier not in rules.tiers.ids():
            raise BadRequest(
                f"tier {tier!r} is not a tier of {rules.id!r} ({', '.join(rules.tiers.ids())})"
            )
    if _int(row, "points") and rules is None:
        raise BadRequest("opening points need published rules (publish-rules first)")


def apply_opening(
    session: Session, member: Member, row: dict[str, Any], rules: RuleSet | None, at: dt.datetime
) -> bool:
    """Give ``member`` the row's opening points and tier; False when there was nothing new."""
    changed = False
    pts = _int(row, "points")
    if pts and rules is not None:
        entry_id = str(uuid.uuid5(_NS, f"opening/{member.id}"))
        if session.get(LedgerEntry, entry_id) is None:
            (entry,) = points.earn(
                rules.points,
                entry_id=EntryId(entry_id),
                lot=LotId(entry_id),
                points=pts,
                at=at,
                kind="bonus",
                reason="opening",
            )
            # Already final: the chain's own balance, not waiting out a return window.
            insert_hq_entries(session, member.id, [dataclasses.replace(entry, available_at=at)], at)
            changed = True
    tier = str(row.get("tier") or "").strip()
    growth = _int(row, "growth")
    if tier or growth:
        since = _when(row, "tier_since")
        spend = str(row.get("tier_spend") or "").strip()
        opening = {
            "tier": tier or (str(rules.tiers.lowest.id) if rules else ""),
            "at": at.isoformat(),
            "since": since.isoformat() if since else None,
            "spend": int(parse_yuan(spend, what="tier_spend")) if spend else 0,
            "count": _int(row, "tier_count"),
            "growth": growth,
        }
        state = dict(member.state or {})
        old = state.get("opening")
        if old is None or {k: v for k, v in old.items() if k != "at"} != {
            k: v for k, v in opening.items() if k != "at"
        }:
            state["opening"] = opening
            member.state = state
            member.dirty = True
            changed = True
    return changed


@dataclass(slots=True)
class BackfillReport:
    """What a back-fill granted: per member, the sales and points; and what it skipped."""

    granted_sales: int = 0
    granted_points: int = 0
    members: dict[str, int] = field(default_factory=dict)
    already: int = 0
    returned: int = 0
    not_final: int = 0
    no_member: int = 0
    rules: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "rules": self.rules,
            "granted_sales": self.granted_sales,
            "granted_points": self.granted_points,
            "members": dict(sorted(self.members.items())),
            "skipped": {
                "already_earned": self.already,
                "returned_in_full": self.returned,
                "not_final_yet": self.not_final,
                "no_member": self.no_member,
            },
        }


def backfill(
    session: Session, at: dt.datetime, *, before: dt.datetime | None = None, dry_run: bool = False
) -> BackfillReport:
    """Grant points for every completed member sale (before ``before``, default ``at``) that
    earned none, under the rules in force: the regular rate on the sale net of its returns,
    written at ``at`` (validity from now). Rerunning grants nothing twice."""
    rules = active_rules(session)
    if rules is None:
        raise BadRequest("no published rules: publish-rules first")
    report = BackfillReport(rules=f"{rules.id}@{rules.revision}")
    cutoff = before or at
    final_after = dt.timedelta(days=max(rules.points.pending_days, rules.tiers.credit_after_days))
    earned = {
        s
        for s in session.scalars(
            select(LedgerEntry.sale_id).where(
                LedgerEntry.sale_id.is_not(None), LedgerEntry.kind.in_(("earn", "bonus"))
            )
        )
        if s is not None
    }
    returned: dict[str, int] = {}
    for original, total in session.execute(
        select(Sale.original_sale_id, Sale.total_fen).where(Sale.original_sale_id.is_not(None))
    ):
        returned[str(original)] = returned.get(str(original), 0) + int(total)
    sales = session.scalars(
        select(Sale)
        .where(Sale.original_sale_id.is_(None), Sale.at < cutoff)
        .order_by(Sale.at, Sale.id)
    ).all()
    for sale in sales:
        if sale.member_ref is None:
            report.no_member += 1
            continue
        if sale.id in earned:
            report.already += 1
            continue
        if sale.at + final_after > at:
            report.not_final += 1  # still inside the return window: not completed yet
            continue
        net = sale.total_fen + returned.get(sale.id, 0)
        pts = points.backfill_points(rules.points, net)
        if pts <= 0:
            report.returned += 1
            continue
        member_id = resolve(session, {sale.member_ref}).get(sale.member_ref, sale.member_ref)
        entry_id = str(uuid.uuid5(_NS, f"backfill/{sale.id}"))
        if session.get(LedgerEntry, entry_id) is not None:
            report.already += 1
            continue
        if not dry_run:
            (entry,) = points.earn(
                rules.points,
                entry_id=EntryId(entry_id),
                lot=LotId(entry_id),
                points=pts,
                at=at,
                sale_id=SaleId(sale.id),
                kind="bonus",
                reason="backfill",
            )
            # A completed sale: final already, available at once.
            insert_hq_entries(session, member_id, [dataclasses.replace(entry, available_at=at)], at)
        report.granted_sales += 1
        report.granted_points += pts
        report.members[member_id] = report.members.get(member_id, 0) + pts
    return report
