"""The store's time zone: the ``zone`` setting, read and checked in one place. Its dates decide
birthdays, days of the offline allowance, receipt numbers and the end of day."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from posloyalty.terminal.errors import CheckoutError
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import TillSession

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


def store_zone(session: TillSession) -> ZoneInfo:
    """The zone of the ``zone`` setting (default Asia/Shanghai)."""
    # The plain-SQL read: identifying a member reads this on every scan.
    return zone_named(repo.setting(repo.raw_connection(session), ZONE_KEY) or DEFAULT_ZONE)
