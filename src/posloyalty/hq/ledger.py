"""Reading the HQ ledger and sales as domain values, the active rule document, and publishing
ledger entries to the change feed (kind ``ledger_entry``, scoped to the entry's member, so
every store whose slice holds the member pulls the member's whole ledger)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from posloyalty.domain import points, tiers
from posloyalty.domain.ids import EntryId, LotId, SaleId
from posloyalty.domain.money import Fen
from posloyalty.domain.rules import RuleSet, parse_rules_text
from posloyalty.hq.bulk import JsonText, one_of
from posloyalty.hq.changes import emit, emit_new
from posloyalty.hq.models import LedgerEntry, Member, MemberAlias, RuleDocument, Sale


@lru_cache(maxsize=64)
def parse_published(text: str) -> RuleSet:
    """A published rule document parsed, once per text. Keyed by the text, not by (id,
    revision): one process may serve several databases (tests, tools) whose revision 2 of
    the same id differ; a key without the text handed one database's rules to another."""
    return parse_rules_text(text)


def active_rules(session: Session) -> RuleSet | None:
    """The published rule document in force, or None."""
    text = session.scalar(select(RuleDocument.text).where(RuleDocument.active.is_(True)))
    return parse_published(text) if text is not None else None


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


def _iso(value: dt.datetime | None) -> str | None:
    # In UTC: the same instant is spelled the same whether read back or just pushed.
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def entry_view(row: Mapping[str, Any], member_id: str) -> dict[str, Any]:
    """What a terminal receives about a ledger entry (``row``: the entry's columns)."""
    return {
        "id": row["id"],
        "member_id": member_id,
        "kind": row["kind"],
        "points": int(row["points"]),
        "lot": row["lot"],
        "at": _iso(row["at"]),
        "available_at": _iso(row["available_at"]),
        "expires_at": _iso(row["expires_at"]),
        "renews_until": _iso(row["renews_until"]),
        "sale_id": row["sale_id"],
        "reason": row["reason"],
        "store_id": row["store_id"],
        "terminal_id": row["terminal_id"],
    }


def publish_new_entries(
    session: Session, rows: Iterable[Mapping[str, Any]], members: Mapping[str, str]
) -> int:
    """Emit just-inserted entries (column dicts with ``member_ref``) whose member is known
    (``members``: member id by alias); the others follow when their alias is registered
    (:func:`publish_ledger`). Returns how many were emitted."""
    out: list[tuple[str, str, dict[str, Any] | JsonText, str | None]] = []
    for row in rows:
        member = members.get(row["member_ref"])
        if member is not None:
            # Text, numbers and nulls only: orjson encodes a push's worth several times faster.
            view = JsonText(orjson.dumps(entry_view(row, member)).decode())
            out.append(("ledger_entry", str(row["id"]), view, member))
    emit_new(session, out)
    return len(out)


def insert_hq_entries(
    session: Session, member_id: str, entries: Iterable[points.LedgerEntry], at: dt.datetime
) -> list[str]:
    """Write HQ's own entries for a member (no store, no terminal; received ``at``): go-live
    openings and back-fills, back office adjustments and accepted conflicts. They reach the
    member's stores by pull and the member is recomputed by the next job run. Returns the ids."""
    rows = [
        {
            "id": entry.id,
            "member_ref": member_id,
            "kind": entry.kind,
            "points": entry.points,
            "lot": entry.lot,
            "at": entry.at,
            "available_at": entry.available_at,
            "expires_at": entry.expires_at,
            "renews_until": entry.renews_until,
            "sale_id": entry.sale_id,
            "reason": entry.reason,
            "store_id": None,
            "terminal_id": None,
            "received_at": at,
        }
        for entry in entries
    ]
    if not rows:
        return []
    session.execute(insert(LedgerEntry), rows)
    publish_new_entries(session, rows, {member_id: member_id})
    member = session.get(Member, member_id)
    if member is not None:
        member.dirty = True
    return [str(r["id"]) for r in rows]


_ENTRY_COLUMNS = (
    "id",
    "kind",
    "points",
    "lot",
    "at",
    "available_at",
    "expires_at",
    "renews_until",
    "sale_id",
    "reason",
    "store_id",
    "terminal_id",
)


def publish_ledger(session: Session, member_id: str) -> int:
    """(Re-)emit every entry of the member under any of its ids as the member's (after a merge
    or a new alias); unchanged ones are left alone. Returns how many changed."""
    rows = session.scalars(
        select(LedgerEntry).where(LedgerEntry.member_ref.in_(_refs(member_id)))
    ).all()
    changed = 0
    for r in rows:
        view = entry_view({c: getattr(r, c) for c in _ENTRY_COLUMNS}, member_id)
        changed += emit(session, "ledger_entry", r.id, view, member_id=member_id) is not None
    return changed


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
        out.append(
            tiers.Purchase(
                sale.at,
                Fen(sale.total_fen),
                growth,
                count,
                ref=sale.id,
                original=sale.original_sale_id or "",
            )
        )
    return out
