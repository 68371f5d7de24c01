"""Column types: UTC instants as fixed-width ISO text, dates as ISO text, birthdays as ``MM-DD``
(month and day, never the year), JSON as sorted text.

Instants are stored as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (always 27 characters, UTC), so text
order is time order and SQL range queries compare strings.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Dialect, String, Text
from sqlalchemy.types import TypeDecorator

from posloyalty.domain.monthday import MonthDay
from posloyalty.jsontext import canonical_json

UTC = dt.UTC


def format_ts(at: dt.datetime) -> str:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"refusing a naive datetime {at!r}: instants must be timezone-aware")
    # "2026-03-01T09:30:00.000000Z": fixed width, so the text sorts like the instant
    # (isoformat is strftime("%Y-%m-%dT%H:%M:%S.%fZ") in half the time).
    return at.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def parse_ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


def dump_json(value: Any) -> str:
    """JSON text for a stored column: the canonical spelling the sync payloads use."""
    return canonical_json(value)


class UtcTimestamp(TypeDecorator[dt.datetime]):
    impl = String(27)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> str | None:
        return None if value is None else format_ts(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else parse_ts(value)


class IsoDate(TypeDecorator[dt.date]):
    impl = String(10)
    cache_ok = True

    def process_bind_param(self, value: dt.date | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            raise ValueError(f"expected a date, got the datetime {value!r}")
        return value.isoformat()

    def process_result_value(self, value: str | None, dialect: Dialect) -> dt.date | None:
        return None if value is None else dt.date.fromisoformat(value)


def month_day_text(value: MonthDay | dt.date | None) -> str | None:
    """A birthday as stored: ``MM-DD`` (a full date loses its year here)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise ValueError(f"expected a birthday, got the datetime {value!r}")
    if isinstance(value, dt.date):
        value = MonthDay.of(value)
    return value.isoformat()


class MonthDayText(TypeDecorator[MonthDay]):
    """A birthday as month and day (``MM-DD``); a date given is stored without its year."""

    impl = String(10)
    cache_ok = True

    def process_bind_param(self, value: MonthDay | dt.date | None, dialect: Dialect) -> str | None:
        return month_day_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> MonthDay | None:
        return None if value is None else MonthDay.parse(value)


class JsonText(TypeDecorator[Any]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else dump_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)
