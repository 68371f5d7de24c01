"""A member erased at HQ (personal data removed on request) arrives at the till as gone: the
row is deleted when nothing local names it, else kept without phone, name or birthday."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sync_helpers import STORE_T0, new_terminal
from test_sync_inbound import apply, member, page

from posloyalty.clock import FixedClock
from posloyalty.tilldb.db import Database


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return new_terminal(tmp_path / "t.sqlite", FixedClock(STORE_T0))


def _row(db: Database, mid: str) -> Any:
    with db.read() as session:
        return (
            session.connection()
            .exec_driver_sql(
                "SELECT phone_masked, phone_hash, display_name, birthday FROM members WHERE id = ?",
                (mid,),
            )
            .first()
        )


def test_an_erased_member_nothing_names_is_dropped(db: Database) -> None:
    apply(db, page([(1, "member", "M1", member("M1"))], 1))
    assert _row(db, "M1") is not None
    apply(db, page([(2, "member", "M1", None), (3, "member_secret", "M1", None)], 3), 1)
    assert _row(db, "M1") is None


def test_an_erased_member_local_rows_name_keeps_no_personal_data(db: Database) -> None:
    apply(db, page([(1, "member", "M1", member("M1"))], 1))
    with db.write() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO welcome_grants (member, granted_at, detail) VALUES ('M1', ?, '{}')",
            (STORE_T0.isoformat(),),
        )
    apply(db, page([(2, "member", "M1", None)], 2), 1)
    assert tuple(_row(db, "M1")) == ("", "", "", None)
