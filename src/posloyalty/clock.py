"""The injected clock: code outside ``domain/`` asks a :class:`Clock` for the time, never the OS."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

UTC = dt.UTC


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The real wall clock, in UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)


class FixedClock:
    """A clock for tests: stands still until set or advanced."""

    def __init__(self, at: dt.datetime) -> None:
        self._at = _aware(at)

    def now(self) -> dt.datetime:
        return self._at

    def set(self, at: dt.datetime) -> None:
        self._at = _aware(at)

    def advance(self, delta: dt.timedelta | None = None, **kwargs: float) -> dt.datetime:
        self._at += delta if delta is not None else dt.timedelta(**kwargs)
        return self._at


def _aware(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"a clock needs a timezone-aware datetime, got {at!r}")
    return at.astimezone(UTC)
