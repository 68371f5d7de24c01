"""Reading the HQ ledger and sales as domain values, and the active rule document."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from posloyalty.domain import points, tiers
from posloyalty.domain.ids import EntryId, LotId, SaleId
from posloyalty.domain.money import Fen
from posloyalty.domain.rules import RuleSet, parse_rules_text
from posloyalty.hq.bulk import one_of
from posloyalty.hq.models import LedgerEntry, MemberAlias, RuleDocument, Sale

_RULES_CACHE: dict[tuple[str, int], RuleSet] = {}


def active_rules(session: Session) -> RuleSet | None:
    """The published rule document in force (parsed once per revision), or None."""
    doc = session.scalar(select(RuleDocument).where(RuleDocument.active.is_(True)))
    if doc is None:
        return None
    key = (doc.id, doc.revision)
    if key not in _RULES_CACHE:
        _RULES_CACHE[key] = parse_rules_text(doc.text)
    return _RULES_CACHE[key]


def _refs(member_id: str) -> Select[Any]:
    return select(MemberAlias.alias).where(MemberAlias.member_id == member_id)


def to_domain(row: LedgerEntry) -> points.LedgerEntry:
    return points.LedgerEntry(
        id=EntryId(row.id),
        kind=row.kind,  # type: ignore[arg-type]
        points=row.points,
        at=row.at,
        lot=LotId(row.lot),
        available_at=row.available_at,
        expires_at=row.expires_at,
        sale_id=SaleId(row.sale_id) if row.sale_id else None,
        reason=row.reason,
        renews_until=row.renews_until,
    )


def entries_for(session: Session, member_id: str) -> list[points.LedgerEntry]:
    """Every ledger entry of a member under any of its ids, in time order."""
    rows = session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.member_ref.in_(_refs(member_id)))
        .order_by(LedgerEntry.at, LedgerEntry.id)
    )
    return [to_domain(r) for r in rows]


def entries_for_many(session: Session, member_ids: set[str]) -> dict[str, list[points.LedgerEntry]]:
    """:func:`entries_for` for many members in one query (members without entries are left out)."""
    if not member_ids:
        return {}
    rows = session.execute(
        select(MemberAlias.member_id, LedgerEntry)
        .join(MemberAlias, MemberAlias.alias == LedgerEntry.member_ref)
        .where(one_of(session, MemberAlias.member_id, member_ids))
        .order_by(MemberAlias.member_id, LedgerEntry.at, LedgerEntry.id)
    )
    out: dict[str, list[points.LedgerEntry]] = {}
    for member_id, row in rows:
        out.setdefault(member_id, []).append(to_domain(row))
    return out


def purchases_for(
    session: Session, member_id: str, per_yuan: Fraction | None = None
) -> list[tiers.Purchase]:
    """The member's sales as tier history: a return has negative spend and growth and counts
    0 (partial) or -1 (full return: the transaction is undone). A sale whose lines carry no
    growth gets ``per_yuan`` growth for its total."""
    rows = session.scalars(
        select(Sale).where(Sale.member_ref.in_(_refs(member_id))).order_by(Sale.at, Sale.id)
    )
    out = []
    for sale in rows:
        count = 1 if sale.original_sale_id is None else (-1 if sale.full_return else 0)
        growth = sale.growth
        if growth == 0 and per_yuan is not None:
            growth = tiers.growth_for(sale.total_fen, per_yuan)
        out.append(tiers.Purchase(sale.at, Fen(sale.total_fen), growth, count))
    return out
