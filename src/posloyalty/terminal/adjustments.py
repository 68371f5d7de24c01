"""Manual points adjustments (manager PIN, reason, audited) and writing off expired points.

An adjustment is refused for a wrong PIN or a non-manager, without a reason, for an unknown
member, and for the member account of the cashier at the till or of the approving manager.
Both operations append ledger entries with their outbox rows in one write transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from posloyalty.domain import points as pts
from posloyalty.domain.ids import CashierId, MemberId
from posloyalty.domain.points import PointsError
from posloyalty.terminal.context import TerminalContext
from posloyalty.terminal.errors import CheckoutError, StorageRefused
from posloyalty.terminal.staff import PinRefused, check_staff_pin
from posloyalty.tilldb import repo
from posloyalty.tilldb.errors import StoreDataError, StoreError
from posloyalty.tilldb.records import LedgerRecord, OutboxMessage


@dataclass(frozen=True, slots=True)
class AdjustmentResult:
    member_id: MemberId
    points: int
    reason: str
    approved_by: str
    entry_ids: tuple[str, ...]
    balance_available: int
    balance_pending: int


@dataclass(frozen=True, slots=True)
class ExpiryResult:
    members: int
    points: int
    entries: int


def _store_errors(what: str, exc: StoreError) -> CheckoutError:
    if isinstance(exc, StoreDataError):
        return CheckoutError(f"the {what} was refused by the store: {exc}")
    return StorageRefused(f"the {what} could not be stored: {' '.join(str(exc).split())}")


def adjust_points(
    ctx: TerminalContext,
    *,
    member_id: str,
    points: int,
    reason: str,
    manager_id: str,
    manager_pin: str,
) -> AdjustmentResult:
    """Add (positive) or deduct (negative) points by hand, approved by a manager's PIN."""
    if not reason.strip():
        raise CheckoutError("a manual adjustment needs a reason")
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise CheckoutError("an adjustment must be a whole, non-zero number of points")
    try:
        # Counted towards the manager's lock-out and audited (pin_failed, pin_locked).
        manager = check_staff_pin(
            ctx, manager_id, manager_pin, purpose="adjust_points", role="manager", by=ctx.cashier
        )
    except PinRefused as refused:
        try:
            with ctx.db.write() as session:
                repo.audit(
                    session,
                    at=ctx.clock.now(),
                    cashier=ctx.cashier,
                    action="adjust_points_refused",
                    detail={"member": member_id, "points": points, "manager": manager_id},
                )
        except StoreError as exc:
            raise _store_errors("adjustment", exc) from None
        raise refused.refusing("adjustment") from None
    try:
        with ctx.db.write() as session:
            member = repo.member_by_id(session, member_id)
            if member is None:
                raise CheckoutError(f"member {member_id} is not in this terminal's directory")
            till = repo.cashier_by_id(session, ctx.cashier)
            own = {c.member_id for c in (till, manager) if c is not None and c.member_id}
            if member_id in own:
                raise CheckoutError(
                    "adjustment refused: staff may not adjust their own member account"
                )
            at = ctx.now()
            entries = repo.ledger_for_member(session, member_id, ctx.zone)
            try:
                new = pts.adjust(
                    entries,
                    ctx.rules.points,
                    points=points,
                    at=at,
                    new_id=ctx.new_id,
                    reason=reason.strip(),
                )
            except PointsError as exc:
                raise CheckoutError(f"adjustment refused: {exc}") from None
            created = ctx.clock.now()
            records = [
                LedgerRecord(e, MemberId(member_id), ctx.terminal, ctx.store, ctx.cashier, created)
                for e in new
            ]
            # A reference: the push carries the entries as stored (and their siblings).
            outbox = [OutboxMessage("adjustment", new[0].id, {})]
            balance = repo.append_ledger(session, records, outbox, at=at)[member_id]
            repo.audit(
                session,
                at=created,
                cashier=ctx.cashier,
                action="adjust_points",
                detail={
                    "member": member_id,
                    "points": points,
                    "reason": reason.strip(),
                    "approved_by": manager_id,
                    "entries": [e.id for e in new],
                },
            )
    except StoreError as exc:
        raise _store_errors("adjustment", exc) from exc
    return AdjustmentResult(
        MemberId(member_id),
        points,
        reason.strip(),
        manager_id,
        tuple(e.id for e in new),
        balance.available,
        balance.pending,
    )


def expire_points(ctx: TerminalContext, member_ids: Iterable[str] | None = None) -> ExpiryResult:
    """Write off every lot past its expiry (of the given members, or all that may have one)."""
    at = ctx.now()
    try:
        with ctx.db.write() as session:
            if member_ids is None:
                member_ids = repo.members_with_lots_due(session, at)
            created = ctx.clock.now()
            records: list[LedgerRecord] = []
            members = 0
            for member_id in member_ids:
                entries = repo.ledger_for_member(session, member_id, ctx.zone)
                due = pts.expire_due(entries, ctx.rules.points, at, ctx.new_id)
                if due:
                    members += 1
                records += [
                    LedgerRecord(
                        e,
                        MemberId(member_id),
                        ctx.terminal,
                        ctx.store,
                        CashierId("system"),
                        created,
                    )
                    for e in due
                ]
            outbox = [OutboxMessage("expiry", r.entry.id, {}) for r in records]
            repo.append_ledger(session, records, outbox, at=at)
    except StoreError as exc:
        raise _store_errors("expiry run", exc) from exc
    return ExpiryResult(members, -sum(r.entry.points for r in records), len(records))
