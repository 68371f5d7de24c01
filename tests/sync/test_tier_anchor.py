"""The till keeps HQ's stated tier standing, reviews it itself when its year ends, and HQ's
later answer wins (issue 14)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sync_helpers import STORE_T0, new_terminal

from posloyalty.clock import FixedClock
from posloyalty.resources import load_preset
from posloyalty.sync import inbound
from posloyalty.sync.protocol import Change, PullResponse
from posloyalty.terminal.tier_growth import member_tier_status
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.vault import open_vault

NOW = STORE_T0
CTX: Any = SimpleNamespace(rules=load_preset("vancl"))


def hq_says(db: Database, seq: int, **standing: Any) -> None:
    data = {
        "id": "HQM1",
        "phone_masked": "139****0001",
        "phone_hash": "ab" * 32,
        "registered_at": "2025-01-01T00:00:00+00:00",
        "growth": 0,
    } | standing
    page = PullResponse(
        changes=[Change(seq=seq, kind="member", key="HQM1", data=data)],
        next_cursor=seq,
        more=False,
        server_time=NOW,
    )
    vault = open_vault(db, key_store="file")
    inbound.apply_page(db, page, cursor=seq - 1, vault=vault, at=NOW)


def tier_at(db: Database, at: dt.datetime) -> str:
    with db.read() as session:
        return str(member_tier_status(session, CTX, "HQM1", at).tier)


def test_hq_standing_is_reviewed_at_the_till_and_hq_later_answer_wins(tmp_path: Path) -> None:
    """002: 「VIP:有效期1年,有效期內購物不足1000元,降為普通會員」: a till that has not heard from HQ
    since still reviews the VIP year HQ stated, from what it holds (HQ's 300.00)."""
    db = new_terminal(tmp_path / "t.sqlite", FixedClock(NOW))
    since = NOW - dt.timedelta(days=300)
    hq_says(
        db,
        1,
        tier="vip",
        tier_since=since.isoformat(),
        tier_valid_until=(since + dt.timedelta(days=365)).isoformat(),
        tier_spend=30_000,
        tier_count=1,
        tier_as_of=(NOW - dt.timedelta(days=10)).isoformat(),
    )
    assert tier_at(db, NOW) == "vip"
    assert tier_at(db, since + dt.timedelta(days=367)) == "regular"
    # HQ's next answer (it saw 2,600.00 elsewhere: SVIP) replaces the standing.
    hq_says(db, 2, tier="svip", tier_since=NOW.isoformat(), tier_as_of=NOW.isoformat())
    assert tier_at(db, NOW + dt.timedelta(days=1)) == "svip"
    # An HQ that sends only a tier (no period): its latest word, never reviewed here.
    hq_says(db, 3, tier="vip")
    assert tier_at(db, NOW + dt.timedelta(days=800)) == "vip"
