"""Markers the terminal's checkout and its sync client share (both import store/).

``CONFIRMED_PREFIX``: settings key prefix of HQ balance confirmations (the value is the UTC
instant the sync client applied the member's state). ``PENDING_UNTIL_CONFIRMED``: the
``available_at`` the checkout gives points earned by a member HQ has not confirmed yet; they
stay pending until the sync client releases them (a reverse of the lot plus a new available
lot). ``STORED_PENDING_UNTIL_CONFIRMED`` is that instant as the ledger column holds it.
"""

from __future__ import annotations

import datetime as dt

from posloyalty.tilldb.types import format_ts

CONFIRMED_PREFIX = "hq_balance_confirmed_at:"
PENDING_UNTIL_CONFIRMED = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
STORED_PENDING_UNTIL_CONFIRMED = format_ts(PENDING_UNTIL_CONFIRMED)
