"""How a till answers repeated wrong PINs: a growing wait, then a lock.

A 4-digit PIN has 10,000 values; without a limit a script at the till finds one in minutes.
After ``free_failures`` wrong PINs in a row every further attempt must wait (1 s, 2 s, 4 s, ...
up to ``max_delay_s``), and is refused unchecked while it waits; at ``lock_after`` wrong PINs
the account locks for ``lock_s`` seconds or until a manager unlocks it. An expired lock lets
one attempt through; if that one is wrong too the account locks again at once (the count is
reset only by a right PIN or a manager's unlock), so guessing stays at one try per lock period.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

Gate = Literal["open", "wait", "locked"]


@dataclass(frozen=True, slots=True)
class PinPolicy:
    #: Wrong PINs in a row that cost nothing.
    free_failures: int = 3
    #: The wait after the first costly failure; it doubles with each further one.
    base_delay_s: int = 1
    max_delay_s: int = 120
    #: Wrong PINs in a row that lock the account.
    lock_after: int = 10
    #: How long a lock lasts without a manager (seconds).
    lock_s: int = 30 * 60

    def __post_init__(self) -> None:
        if not 0 <= self.free_failures < self.lock_after:
            raise ValueError("free_failures must be at least 0 and below lock_after")
        if self.base_delay_s < 0 or self.max_delay_s < self.base_delay_s or self.lock_s <= 0:
            raise ValueError("PIN delays must be positive and max_delay_s >= base_delay_s")

    def delay_after(self, failures: int) -> int:
        """Seconds an attempt must wait after ``failures`` wrong PINs in a row (0: none)."""
        if failures < self.free_failures:
            return 0
        steps = min(failures - self.free_failures, 30)
        return min(self.base_delay_s * (1 << steps), self.max_delay_s)

    def locks(self, failures: int) -> bool:
        return failures >= self.lock_after


@dataclass(frozen=True, slots=True)
class PinGate:
    """Whether a PIN may be checked now; ``seconds``: how long until it may (wait, locked)."""

    state: Gate
    seconds: int = 0


def gate(
    policy: PinPolicy,
    *,
    failures: int,
    last_failure_at: dt.datetime | None,
    locked_until: dt.datetime | None,
    at: dt.datetime,
) -> PinGate:
    """May an attempt at ``at`` check the PIN, given the account's failures so far?"""
    if locked_until is not None and at < locked_until:
        return PinGate("locked", _ceil_seconds(locked_until - at))
    delay = policy.delay_after(failures)
    if delay and last_failure_at is not None and locked_until is None:
        free_at = last_failure_at + dt.timedelta(seconds=delay)
        if at < free_at:
            # A clock set back never makes the wait longer than the policy's own delay.
            return PinGate("wait", min(_ceil_seconds(free_at - at), delay))
    return PinGate("open")


def _ceil_seconds(span: dt.timedelta) -> int:
    return max(1, math.ceil(span.total_seconds()))
