"""A birthday as the till keeps it: month and day, never the year.

Birthday benefits (the multiplier, the birthday day / week / month) need only the month and
the day; the year of birth is personal data the till has no use for, so the till stores
``MM-DD`` text (``03-07``) and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_TEXT = re.compile(r"^(\d{2})-(\d{2})$")
#: A leap year: every month-day that exists in some year exists in it (Feb 29).
_LEAP = 2000


@dataclass(frozen=True, slots=True, order=True)
class MonthDay:
    """A day of the year (``month`` 1-12, ``day`` valid for that month, Feb 29 included)."""

    month: int
    day: int

    def __post_init__(self) -> None:
        try:
            dt.date(_LEAP, self.month, self.day)
        except (TypeError, ValueError):
            raise ValueError(f"{self.month!r}-{self.day!r} is not a day of the year") from None

    @classmethod
    def of(cls, date: dt.date) -> MonthDay:
        """The month and day of ``date`` (its year dropped)."""
        return cls(date.month, date.day)

    @classmethod
    def parse(cls, text: str) -> MonthDay:
        """``MM-DD`` (as stored); raises :class:`ValueError` for anything else."""
        found = _TEXT.match(text)
        if found is None:
            raise ValueError(f"{text[:20]!r} is not a month and day (MM-DD)")
        return cls(int(found.group(1)), int(found.group(2)))

    def isoformat(self) -> str:
        """``MM-DD``, the stored spelling."""
        return f"{self.month:02d}-{self.day:02d}"

    def __str__(self) -> str:
        return self.isoformat()
