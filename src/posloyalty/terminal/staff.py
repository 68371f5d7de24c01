"""Staff PINs at the till: checked with back-off and lock-out, and unlocked by a manager.

Every PIN the till asks for (sign-in, a manager's approval of an adjustment or an enrolment,
an unlock) goes through :func:`check_staff_pin`; :mod:`posloyalty.tilldb.pins` keeps the
failures per account in the till's database and audits them.
"""

from __future__ import annotations

from typing import Literal

from posloyalty.terminal.context import TerminalContext
from posloyalty.terminal.errors import CheckoutError, StorageRefused
from posloyalty.tilldb import pins
from posloyalty.tilldb.cashiers import CashierRecord
from posloyalty.tilldb.errors import StoreDataError, StoreError

Role = Literal["cashier", "manager"]


class PinRefused(CheckoutError):
    """A PIN attempt refused. ``outcome``: ``wrong`` (unknown id or wrong PIN), ``wait`` (too
    many wrong PINs: not checked, try again in ``seconds``), ``locked`` (locked for
    ``seconds`` unless a manager unlocks it), or ``not_manager``."""

    def __init__(
        self, outcome: str, staff: str, role: Role, seconds: int = 0, *, action: str = ""
    ) -> None:
        self.outcome = outcome
        self.staff = staff
        self.role = role
        self.seconds = seconds
        #: What was refused ("adjustment"), for the message; empty: the PIN itself.
        self.action = action
        words = self._words()
        super().__init__(f"{action} refused: {words}" if action else words)

    def refusing(self, action: str) -> PinRefused:
        """The same refusal, worded as the refusal of ``action``."""
        return PinRefused(self.outcome, self.staff, self.role, self.seconds, action=action)

    def _words(self) -> str:
        if self.outcome == "wait":
            return f"too many wrong PINs for {self.staff}: try again in {self.seconds} s"
        if self.outcome == "locked":
            minutes = max(1, -(-self.seconds // 60))
            return (
                f"{self.staff} is locked after too many wrong PINs: a manager must unlock it "
                f"(or try again in {minutes} min)"
            )
        if self.outcome == "not_manager":
            return f"{self.staff} is not a manager"
        return f"wrong {self.role} id or PIN"


def check_staff_pin(
    ctx: TerminalContext,
    staff_id: str,
    pin: str,
    *,
    purpose: str,
    role: Role = "cashier",
    by: str | None = None,
) -> CashierRecord:
    """The staff account if ``pin`` is theirs (and they are a manager, for ``role="manager"``).

    Raises :class:`PinRefused` after the attempt was counted and audited, or
    :class:`StorageRefused` if the database cannot record it (then nothing was checked)."""
    staff_id = staff_id.strip()
    try:
        with ctx.db.write() as session:
            result = pins.check_pin(
                session, staff_id, pin, at=ctx.clock.now(), purpose=purpose, by=by
            )
    except StoreError as exc:
        raise StorageRefused(f"cannot check the PIN: {' '.join(str(exc).split())}") from None
    if result.outcome != "ok" or result.cashier is None:
        raise PinRefused(result.outcome, staff_id or "?", role, result.seconds)
    if role == "manager" and result.cashier.role != "manager":
        raise PinRefused("not_manager", result.cashier.id, role)
    return result.cashier


def unlock_staff(ctx: TerminalContext, staff_id: str, *, manager_id: str, manager_pin: str) -> int:
    """Unlock ``staff_id`` (its wrong-PIN count cleared), approved by another manager's PIN;
    audited. Returns the failures cleared."""
    staff_id, manager_id = staff_id.strip(), manager_id.strip()
    if staff_id == manager_id:
        raise CheckoutError("a manager cannot unlock their own account; ask another manager")
    manager = check_staff_pin(
        ctx, manager_id, manager_pin, purpose="unlock", role="manager", by=ctx.cashier
    )
    try:
        with ctx.db.write() as session:
            return pins.unlock(session, staff_id, manager=manager.id, at=ctx.clock.now())
    except StoreDataError as exc:
        raise CheckoutError(str(exc)) from None
    except StoreError as exc:
        raise StorageRefused(f"cannot unlock {staff_id}: {' '.join(str(exc).split())}") from None
