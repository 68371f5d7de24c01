"""Checking a staff PIN with persisted back-off and lock-out, every failure audited.

All in the caller's write transaction (``db.write()``), so the failure count, the lock and
the audit rows commit together and survive a restart. The caller raises its refusal *after*
the transaction commits (raising inside would roll the count back).

Audit actions: ``pin_failed`` (a wrong PIN, or an unknown staff id), ``pin_locked`` (the
account reached the policy's threshold), ``pin_refused`` (an attempt refused unchecked while
waiting or locked), ``pin_unlocked`` (a manager unlocked it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from posloyalty.domain.pin_policy import PinPolicy, gate
from posloyalty.tilldb import repo
from posloyalty.tilldb.cashiers import CashierRecord
from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.models import Cashier, PinAttempts

#: Setting: how long a lock lasts without a manager, in seconds (default 1,800).
LOCK_SECONDS_KEY = "pin_lock_seconds"

Outcome = Literal["ok", "wrong", "wait", "locked"]


@dataclass(frozen=True, slots=True)
class PinCheck:
    """The answer to one attempt. ``cashier`` is set only for ``ok``; ``seconds`` is the wait
    (``wait``) or the lock's time left (``locked``); ``failures`` counts wrong PINs in a row."""

    outcome: Outcome
    cashier: CashierRecord | None = None
    seconds: int = 0
    failures: int = 0


def policy(session: Session) -> PinPolicy:
    """The till's PIN policy (its lock time from the settings, if set there)."""
    text = repo.get_setting(session, LOCK_SECONDS_KEY)
    if text is None:
        return PinPolicy()
    if not text.isdigit() or int(text) <= 0:
        raise StoreDataError(f"setting {LOCK_SECONDS_KEY} must be a positive number of seconds")
    return PinPolicy(lock_s=int(text))


def check_pin(
    session: Session,
    staff_id: str,
    pin: str,
    *,
    at: dt.datetime,
    purpose: str,
    by: str | None = None,
    rules: PinPolicy | None = None,
) -> PinCheck:
    """Check ``pin`` for ``staff_id`` unless the account must wait or is locked.

    ``purpose`` (``sign_in``, ``manager``, ...) and ``by`` (the cashier at the till, if not
    the account itself) go into the audit rows.
    """
    rules = rules or policy(session)
    who = by or staff_id or "?"
    detail: dict[str, object] = {"staff": staff_id, "purpose": purpose}
    account = session.get(Cashier, staff_id) if staff_id else None
    if account is None:
        repo.verify_pin(session, staff_id, pin)  # the same cost as for a real account
        repo.audit(
            session, at=at, cashier=who, action="pin_failed", detail={**detail, "known": False}
        )
        return PinCheck("wrong")
    row = session.get(PinAttempts, staff_id)
    failures = row.failures if row is not None else 0
    state = gate(
        rules,
        failures=failures,
        last_failure_at=row.last_failure_at if row is not None else None,
        locked_until=row.locked_until if row is not None else None,
        at=at,
    )
    if state.state != "open":
        repo.audit(
            session,
            at=at,
            cashier=who,
            action="pin_refused",
            detail={**detail, "state": state.state, "seconds": state.seconds},
        )
        return PinCheck(state.state, seconds=state.seconds, failures=failures)
    verified = repo.verify_pin(session, staff_id, pin)
    if verified is not None:
        if row is not None:
            session.delete(row)
            session.flush()
        return PinCheck("ok", cashier=verified)
    failures += 1
    if row is None:
        row = PinAttempts(cashier=staff_id, failures=0)
        session.add(row)
    row.failures = failures
    row.last_failure_at = at
    row.locked_until = None
    repo.audit(
        session, at=at, cashier=who, action="pin_failed", detail={**detail, "failures": failures}
    )
    if rules.locks(failures):
        row.locked_until = at + dt.timedelta(seconds=rules.lock_s)
        repo.audit(
            session,
            at=at,
            cashier=who,
            action="pin_locked",
            detail={**detail, "failures": failures, "until_s": rules.lock_s},
        )
        session.flush()
        return PinCheck("locked", seconds=rules.lock_s, failures=failures)
    session.flush()
    return PinCheck("wrong", failures=failures)


def unlock(session: Session, staff_id: str, *, manager: str, at: dt.datetime) -> int:
    """Clear ``staff_id``'s failures and lock (the manager's PIN already checked); audited.
    Returns the failures cleared (0: nothing was locked or counted)."""
    if session.get(Cashier, staff_id) is None:
        raise StoreDataError(f"no staff account {staff_id!r} on this till")
    if manager == staff_id:
        raise StoreDataError("a manager cannot unlock their own account; ask another manager")
    row = session.get(PinAttempts, staff_id)
    cleared = row.failures if row is not None else 0
    if row is not None:
        session.delete(row)
        session.flush()
    repo.audit(
        session,
        at=at,
        cashier=manager,
        action="pin_unlocked",
        detail={"staff": staff_id, "failures": cleared},
    )
    return cleared
