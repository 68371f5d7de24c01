"""The store's time zone: the ``zone`` setting, read and checked in one place. Its dates decide
birthdays, days of the offline allowance, receipt numbers and the end of day."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from posloyalty.terminal.errors import CheckoutError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["DEFAULT_ZONE", "ZONE_KEY", "UnknownZone", "store_zone", "zone_named"]

ZONE_KEY = "zone"
DEFAULT_ZONE = "Asia/Shanghai"


class UnknownZone(CheckoutError):
    """The settings name a time zone this machine does not know."""


def zone_named(name: str) -> ZoneInfo:
    """The zone called ``name``; :class:`UnknownZone` if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownZone(f"unknown time zone {name!r} in the terminal settings") from None


def store_zone(session: Session) -> ZoneInfo:
    """The zone of the ``zone`` setting (default Asia/Shanghai)."""
    # Plain SQL: identifying a member reads this on every scan.
    row = (
        session.connection()
        .exec_driver_sql('SELECT value FROM settings WHERE "key" = ?', (ZONE_KEY,))
        .first()
    )
    return zone_named(str(row[0]) if row is not None and row[0] else DEFAULT_ZONE)
