"""The clock, injected everywhere time matters (domain functions take times as arguments)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware, in the store's local zone."""
        ...


class SystemClock:
    """Wall-clock time in the store's zone (Asia/Shanghai unless told otherwise)."""

    def __init__(self, zone: str = "Asia/Shanghai") -> None:
        self.zone = ZoneInfo(zone)

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.zone)


class FixedClock:
    """A clock that stands still until moved; for tests, demos and replay."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at

    def now(self) -> dt.datetime:
        return self._at

    def advance(self, delta: dt.timedelta) -> None:
        self._at += delta

    def set(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at
