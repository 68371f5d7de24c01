"""SIGKILL at random instants while sales are recorded: committed sales are whole, nothing half."""

from __future__ import annotations

from pathlib import Path

import pytest
from killtest import kill_loop
from store_helpers import T0, add_member

from posloyalty.clock import FixedClock
from posloyalty.store import repo
from posloyalty.store.db import Database

CHILD = Path(__file__).resolve().parent / "crash_child.py"


def _check(path: Path, reported: list[str]) -> set[str]:
    db = Database.open(path, clock=FixedClock(T0), integrity="integrity_check")
    try:
        with db.read() as session:
            conn = session.connection()
            broken = conn.exec_driver_sql(
                "SELECT s.id FROM sales s WHERE"
                " (SELECT count(*) FROM sale_lines WHERE sale = s.id) <> 3"
                " OR (SELECT count(*) FROM payments WHERE sale = s.id) <> 1"
                " OR (SELECT count(*) FROM ledger_entries WHERE sale_id = s.id) <> 1"
                " OR (SELECT count(*) FROM outbox WHERE ref_id = s.id) <> 1"
            ).all()
            assert broken == []
            orphans = conn.exec_driver_sql(
                "SELECT (SELECT count(*) FROM ledger_entries WHERE sale_id NOT IN"
                " (SELECT id FROM sales)) + (SELECT count(*) FROM outbox WHERE ref_id NOT IN"
                " (SELECT id FROM sales)) + (SELECT count(*) FROM sale_lines WHERE sale NOT IN"
                " (SELECT id FROM sales))"
            ).scalar_one()
            assert orphans == 0
            stored = {r[0] for r in conn.exec_driver_sql("SELECT id FROM sales")}
            assert set(reported) <= stored
            member = repo.member_by_id(session, "M1")
            assert member is not None
            assert member.cached_points == repo.ledger_sum(session, "M1") == 36 * len(stored)
            return stored
    finally:
        db.close()


def _trials(tmp_path: Path, clock: FixedClock, trials: int) -> None:
    path = tmp_path / "crash.db"
    db = Database.open(path, clock=clock, create=True)
    with db.write() as session:
        repo.ensure_phone_salt(session)
    db.close()
    db = Database.open(path, clock=clock)
    add_member(db)
    db.close()
    kill_loop(path, CHILD, _check, trials=trials, seed=42, max_sleep=0.15)


def test_killed_writer_loses_nothing_committed(tmp_path: Path, clock: FixedClock) -> None:
    _trials(tmp_path, clock, trials=8)


@pytest.mark.slow
def test_killed_writer_loses_nothing_committed_many_times(
    tmp_path: Path, clock: FixedClock, request: pytest.FixtureRequest
) -> None:
    if "slow" not in (request.config.option.markexpr or ""):
        pytest.skip("200 kills take minutes; run with -m slow")
    _trials(tmp_path, clock, trials=200)
