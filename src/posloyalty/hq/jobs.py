"""HQ's authoritative computations, as jobs that can be rerun at any time.

For each member that is dirty (new entries or sales) or has a due event (points becoming
available or expiring, a tier review), the job replays the ledger and the sales with the domain
(``domain.points``, ``domain.tiers``) under the active rule document, writes the expiry entries
due (with ids derived from the lot, so a rerun writes nothing new; they go into the change
feed like the terminals' entries), and stores the computed
state; the member's change row moves only when that state differs, so terminals pull results
and a rerun at the same instant changes nothing. Duplicate members (one phone) are merged first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from posloyalty.domain import points, tiers
from posloyalty.domain.ids import EntryId, TierId
from posloyalty.domain.money import Fen
from posloyalty.domain.rules import RuleSet
from posloyalty.hq.db import HqDb
from posloyalty.hq.ledger import active_rules, entries_for, publish_new_entries, purchases_for
from posloyalty.hq.members import merge_duplicates, publish_member
from posloyalty.hq.models import Conflict, LedgerEntry, Member
from posloyalty.hq.rollup import refresh

_EXPIRY_NS = uuid.UUID("5b0f6c8e-3f4a-4a53-9b8e-6c1d2e7f9a10")


@dataclass(slots=True)
class JobReport:
    members: int = 0
    changed: int = 0
    expired_entries: int = 0
    merged: list[tuple[str, str]] = field(default_factory=list)
    problems: int = 0

    def add(self, other: JobReport) -> None:
        self.members += other.members
        self.changed += other.changed
        self.expired_entries += other.expired_entries
        self.merged += other.merged
        self.problems += other.problems


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _expiry_id(member_id: str, entry: points.LedgerEntry) -> EntryId:
    return EntryId(str(uuid.uuid5(_EXPIRY_NS, f"{member_id}/{entry.lot}/{entry.at.isoformat()}")))


def recompute_member(
    session: Session, member: Member, rules: RuleSet | None, at: dt.datetime, report: JobReport
) -> None:
    history = entries_for(session, member.id)
    try:
        due: list[points.LedgerEntry] = []
        if rules is not None:
            due = [
                dataclasses.replace(e, id=_expiry_id(member.id, e))
                for e in points.expire_due(history, rules.points, at, new_id=lambda: "pending")
            ]
        lots = points.lots([*history, *due], at)
        balance = points.balance([*history, *due], at)
    except points.PointsError as exc:
        _record_problem(session, member.id, str(exc), at)
        member.dirty = False
        member.next_event_at = None  # until new entries arrive: never picked up in a loop
        report.problems += 1
        return
    if due:
        rows = [
            {
                "id": e.id,
                "member_ref": member.id,
                "kind": e.kind,
                "points": e.points,
                "lot": e.lot,
                "at": e.at,
                "available_at": e.available_at,
                "expires_at": e.expires_at,
                "renews_until": None,
                "sale_id": e.sale_id,
                "reason": e.reason,
                "store_id": None,
                "terminal_id": None,
                "received_at": at,
            }
            for e in due
        ]
        session.execute(insert(LedgerEntry), rows)
        publish_new_entries(session, rows, {member.id: member.id})
        report.expired_entries += len(due)
    events = [
        t
        for lot in lots
        if lot.remaining > 0
        for t in (lot.available_at, lot.expires_at)
        if t is not None and t > at
    ]
    state: dict[str, Any] = {
        "available": balance.available,
        "pending": balance.pending,
        "next_expiry": _iso(balance.next_expiry),
        "expiring_points": balance.expiring_points,
    }
    purchases = purchases_for(session, member.id, rules.growth.per_yuan if rules else None)
    past = [p.at for p in purchases if p.at <= at and p.count > 0]
    state["last_purchase_at"] = _iso(max(past, default=None))
    previous = member.state or {}
    opening = previous.get("opening")
    if opening is not None:
        state["opening"] = opening  # the go-live standing (hq.golive), kept across runs
    if rules is not None:
        start = opening_start(opening)
        status = tiers.tier_status(
            rules.tiers, purchases, at, growth_per_yuan=rules.growth.per_yuan, start=start
        )
        state.update(
            tier=status.tier,
            tier_valid_until=_iso(status.valid_until),
            growth=status.growth,
            rules=f"{rules.id}@{rules.revision}",
            **tier_anchor(rules, purchases, status, start, at),
        )
        if status.valid_until is not None and status.valid_until > at:
            events.append(status.valid_until)
        if status.next_credit_at is not None:
            events.append(status.next_credit_at)  # a sale becomes final: tier credit
    # Entries and sales dated after now (a terminal clock ahead of HQ's) count once due.
    events += [p.at for p in purchases if p.at > at] + [e.at for e in history if e.at > at]
    member.next_event_at = min(events, default=None)
    member.dirty = False
    if state != member.state:
        member.state = state
        report.changed += 1
    session.flush()
    publish_member(session, member)


def opening_start(opening: Any) -> tiers.TierStart | None:
    """The go-live standing stored in a member's state as a :class:`tiers.TierStart`."""
    if not isinstance(opening, dict) or not opening.get("tier"):
        return None
    since = opening.get("since")
    return tiers.TierStart(
        tier=TierId(str(opening["tier"])),
        at=dt.datetime.fromisoformat(str(opening["at"])),
        since=dt.datetime.fromisoformat(since) if since else None,
        spend=Fen(int(opening.get("spend", 0))),
        count=int(opening.get("count", 0)),
        growth=int(opening.get("growth", 0)),
        valid_until=dt.datetime.fromisoformat(opening["valid_until"])
        if opening.get("valid_until")
        else None,
    )


def tier_anchor(
    rules: RuleSet,
    purchases: list[tiers.Purchase],
    status: tiers.TierStatus,
    start: tiers.TierStart | None,
    at: dt.datetime,
) -> dict[str, Any]:
    """The standing a till replays its own later sales on (``tier_*`` keys of the state).

    ``tier_as_of`` is the last moment the standing reflects (the latest credit counted, the
    tier change, or the opening), not the job's clock: a rerun changes nothing, and a till's
    sale HQ has not seen yet is credited later than it, so the till still counts it."""
    credit = tiers.credited(purchases, rules.tiers.credit_after_days, at)
    moments = [p.at for p in credit if p.at <= at]
    moments += [m for m in (status.since, start.at if start else None) if m is not None]
    as_of = max(moments, default=None)
    return {
        "tier_since": _iso(status.since),
        "tier_spend": status.basis_spend,
        "tier_count": status.basis_count,
        "tier_as_of": _iso(as_of),
    }


def _record_problem(session: Session, member_id: str, problem: str, at: dt.datetime) -> None:
    open_one = session.scalar(
        select(Conflict.id).where(
            Conflict.kind == "ledger_inconsistent",
            Conflict.member_id == member_id,
            Conflict.resolved_at.is_(None),
        )
    )
    if open_one is None:
        session.add(
            Conflict(
                kind="ledger_inconsistent", member_id=member_id, detail={"problem": problem}, at=at
            )
        )


def run_jobs(session: Session, at: dt.datetime, *, limit: int = 500) -> JobReport:
    """One pass over at most ``limit`` members that need it (dirty, or an event due)."""
    report = JobReport(merged=merge_duplicates(session, at))
    rules = active_rules(session)
    query = select(Member).where(
        Member.merged_into.is_(None), or_(Member.dirty.is_(True), Member.next_event_at <= at)
    )
    for member in session.scalars(query.order_by(Member.id).limit(limit)).all():
        recompute_member(session, member, rules, at, report)
        report.members += 1
    return report


def run_all(db: HqDb, at: dt.datetime, *, full: bool = False, chunk: int = 500) -> JobReport:
    """Run the jobs until no member needs them, ``chunk`` members per transaction."""
    total = JobReport()
    if full:  # recompute everyone, e.g. after publishing new rules
        with db.transaction() as session:
            session.execute(update(Member).where(Member.merged_into.is_(None)).values(dirty=True))
    while True:
        report = db.run(lambda s: run_jobs(s, at, limit=chunk))
        total.add(report)
        if report.members < chunk:
            db.run(refresh)  # the report rollups take what arrived since the last run
            return total
