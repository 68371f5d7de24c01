"""HQ migration 0013 queues the members HQ already holds, so the first refresh fills the buyer
rollups from the sales received before it: repurchase and cohorts read them right away."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.orm import Session

from posloyalty.hq.db import MIGRATIONS, make_engine, migrate
from posloyalty.hq.keys import resolve_keyring
from posloyalty.hq.reports import Scope, run_report


def test_the_first_refresh_after_0013_fills_the_purchase_rollups(db_url: str) -> None:
    engine = make_engine(db_url)
    keyring = resolve_keyring(db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        config.attributes["keyring"] = keyring
        command.upgrade(config, "0011")
    sqlite = engine.dialect.name == "sqlite"

    def at(month: int, day: int) -> dt.datetime:
        instant = dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)
        return instant.replace(tzinfo=None) if sqlite else instant

    # A joined on Sep 1st and bought in September and twice in October; B (merged into A
    # before the upgrade: its alias is A's) bought in October too.
    with engine.begin() as conn:
        for mid, merged in (("A", None), ("B", "A")):
            conn.execute(
                text(
                    "INSERT INTO members (id, phone_index, pii_key_id, pii_key, pii, home_store,"
                    " registered_at, merged_into, dirty, state) VALUES (:id, :id, 't', '', '',"
                    " 'S1', :at, :merged, false, '{\"tier\": \"gold\"}')"
                ),
                {"id": mid, "at": at(9, 1), "merged": merged},
            )
            conn.execute(
                text("INSERT INTO member_aliases (alias, member_id) VALUES (:a, 'A')"), {"a": mid}
            )
        for n, (ref, month, day) in enumerate((("A", 9, 5), ("A", 10, 2), ("B", 10, 9))):
            conn.execute(
                text(
                    "INSERT INTO sales (id, store_id, terminal_id, member_ref, at, total_fen,"
                    " growth, full_return, payload, received_at) VALUES (:id, 'S1', 'T1', :ref,"
                    " :at, 1000, 0, false, '{}', :at)"
                ),
                {"id": f"s{n}", "ref": ref, "at": at(month, day)},
            )
    migrate(engine, keyring)
    try:
        at_end = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        with Session(engine) as s:
            october = Scope(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
            rows = run_report(s, "repurchase", october, at_end).rows
            cohorts = run_report(s, "cohorts", Scope(dt.date(2026, 9, 1), october.end), at_end)
            s.commit()
        assert rows[:2] == [["period", 1, 1, 100.0], ["next_month", 1, 1, 100.0]]
        assert rows[3:6] == [
            ["order_1", 1, 1, 100.0],
            ["order_2", 1, 1, 100.0],
            ["order_3", 1, 0, 0.0],
        ]
        assert cohorts.rows == [["2026-09", 1, 100.0, 100.0, 0.0, 0.0, 0.0, 0.0]]
    finally:
        engine.dispose()
