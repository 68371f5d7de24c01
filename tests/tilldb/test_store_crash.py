"""SIGKILL at random instants while sales are recorded: committed sales are whole, nothing half."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from killtest import kill_loop
from store_helpers import T0, add_member, run_second_process

from posloyalty.clock import FixedClock
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database

CHILD = Path(__file__).resolve().parent / "crash_child.py"


def _check(path: Path, reported: list[str]) -> set[str]:
    """The killed child's sales (member M1): whole, all reported ones there, balance right."""
    db = Database.open(path, clock=FixedClock(T0), integrity="integrity_check")
    try:
        with db.read() as session:
            conn = session.connection()
            broken = conn.exec_driver_sql(
                "SELECT s.id FROM sales s WHERE s.member = 'M1' AND"
                " ((SELECT count(*) FROM sale_lines WHERE sale = s.id) <> 3"
                " OR (SELECT count(*) FROM payments WHERE sale = s.id) <> 1"
                " OR (SELECT count(*) FROM ledger_entries WHERE sale_id = s.id) <> 1"
                " OR (SELECT count(*) FROM outbox WHERE ref_id = s.id) <> 1)"
            ).all()
            assert broken == []
            orphans = conn.exec_driver_sql(
                "SELECT (SELECT count(*) FROM ledger_entries WHERE sale_id NOT IN"
                " (SELECT id FROM sales)) + (SELECT count(*) FROM outbox WHERE ref_id NOT IN"
                " (SELECT id FROM sales)) + (SELECT count(*) FROM sale_lines WHERE sale NOT IN"
                " (SELECT id FROM sales))"
            ).scalar_one()
            assert orphans == 0
            stored = {
                r[0] for r in conn.exec_driver_sql("SELECT id FROM sales WHERE member = 'M1'")
            }
            assert set(reported) <= stored
            member = repo.member_by_id(session, "M1")
            assert member is not None
            assert member.cached_points == repo.ledger_sum(session, "M1") == 36 * len(stored)
            return stored
    finally:
        db.close()


def _trials(tmp_path: Path, clock: FixedClock, trials: int, *, second: bool = False) -> None:
    path = tmp_path / "crash.db"
    db = Database.open(path, clock=clock, create=True)
    with db.write() as session:
        repo.ensure_phone_key(session)
    db.close()
    db = Database.open(path, clock=clock)
    add_member(db)
    add_member(db, "M2", "13912345678")
    db.close()
    if not second:
        kill_loop(path, CHILD, _check, trials=trials, seed=42, max_sleep=0.15)
        return
    # Meanwhile another program opens the database, records sales for M2 and closes, again
    # and again: a CLI, a backup, the sqlite3 shell beside the till.
    others: list[str] = []
    stop = threading.Event()

    def other_programs() -> None:
        run = 0
        while not stop.is_set():
            others.extend(run_second_process(path, run, 3))
            run += 1

    with ThreadPoolExecutor(1) as pool:
        beside = pool.submit(other_programs)
        try:
            kill_loop(path, CHILD, _check, trials=trials, seed=7, max_sleep=0.15)
        finally:
            stop.set()
        beside.result()
    assert others
    conn = sqlite3.connect(path)
    try:
        stored = {r[0] for r in conn.execute("SELECT id FROM sales WHERE member = 'M2'")}
        points = conn.execute("SELECT sum(points) FROM ledger_entries WHERE member = 'M2'")
        assert stored == set(others)
        assert points.fetchone()[0] == 7 * len(others)
    finally:
        conn.close()


def test_killed_writer_loses_nothing_committed(tmp_path: Path, clock: FixedClock) -> None:
    _trials(tmp_path, clock, trials=8)


def test_killed_writer_beside_a_second_process_loses_nothing(
    tmp_path: Path, clock: FixedClock
) -> None:
    _trials(tmp_path, clock, trials=8, second=True)


@pytest.mark.slow
def test_killed_writer_loses_nothing_committed_many_times(
    tmp_path: Path, clock: FixedClock, request: pytest.FixtureRequest
) -> None:
    if "slow" not in (request.config.option.markexpr or ""):
        pytest.skip("200 kills take minutes; run with -m slow")
    _trials(tmp_path, clock, trials=200)
