"""The member's card page (served by HQ under ``/m/``), as printed on a member's receipt.

An enrolled till knows HQ's address from its enrolment (``sync.client``); a till that is not
enrolled has no HQ, so its receipts carry no link.
"""

from __future__ import annotations

from posloyalty.sync.client import CREDENTIAL_STORE_KEY, HQ_URL_KEY
from posloyalty.sync.protocol import CARD_PATH
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database

__all__ = ["CARD_PATH", "member_card_url"]


def member_card_url(db: Database) -> str:
    """HQ's member card page for this till's receipts; "" when the till is not enrolled."""
    with db.read() as session:
        url = repo.get_setting(session, HQ_URL_KEY)
        enrolled = repo.get_setting(session, CREDENTIAL_STORE_KEY) is not None
    if not url or not enrolled:
        return ""
    return url.rstrip("/") + CARD_PATH
