"""SIGKILL at random instants while real checkouts commit: every reported sale is whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkout_helpers import TUESDAY, fixed, ledger_consistent, setup_store
from killtest import kill_loop

from posloyalty.tilldb.db import Database

CHILD = Path(__file__).resolve().parent / "checkout_crash_child.py"


def _check(path: Path, reported: list[str]) -> set[str]:
    db = Database.open(path, clock=fixed(), integrity="integrity_check")
    try:
        with db.read() as session:
            conn = session.connection()
            # A whole sale: 3 lines, payments adding up, one outbox row, and ledger rows that
            # are exactly its quote's earn and redemption.
            broken = conn.exec_driver_sql(
                "SELECT s.id FROM sales s WHERE"
                " (SELECT count(*) FROM sale_lines WHERE sale = s.id) <> 3"
                " OR (SELECT coalesce(sum(amount_fen), 0) FROM payments WHERE sale = s.id)"
                "    <> s.total_fen"
                " OR (SELECT count(*) FROM outbox WHERE ref_id = s.id) <> 1"
                " OR (SELECT coalesce(sum(points), 0) FROM ledger_entries WHERE sale_id = s.id)"
                "    <> CASE WHEN s.member IS NULL THEN 0 ELSE"
                "       json_extract(s.quote, '$.points_earned')"
                "       - json_extract(s.quote, '$.points_redeemed') END"
            ).all()
            assert broken == []
            orphans = conn.exec_driver_sql(
                "SELECT (SELECT count(*) FROM ledger_entries WHERE sale_id IS NOT NULL AND"
                " sale_id NOT IN (SELECT id FROM sales))"
                " + (SELECT count(*) FROM outbox WHERE ref_id NOT IN (SELECT id FROM sales))"
                " + (SELECT count(*) FROM sale_lines WHERE sale NOT IN (SELECT id FROM sales))"
                " + (SELECT count(*) FROM payments WHERE sale NOT IN (SELECT id FROM sales))"
            ).scalar_one()
            assert orphans == 0
            stored = {r[0] for r in conn.exec_driver_sql("SELECT id FROM sales")}
            assert set(reported) <= stored
        ledger_consistent(db, TUESDAY)
        return stored
    finally:
        db.close()


def _trials(tmp_path: Path, trials: int) -> None:
    path = tmp_path / "crash.db"
    setup_store(path, fixed()).close()
    kill_loop(path, CHILD, _check, trials=trials, seed=7, max_sleep=0.2)


def test_killed_checkouts_lose_nothing_committed(tmp_path: Path) -> None:
    _trials(tmp_path, trials=5)


@pytest.mark.slow
def test_killed_checkouts_lose_nothing_committed_many_times(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if "slow" not in (request.config.option.markexpr or ""):
        pytest.skip("200 kills take minutes; run with -m slow")
    _trials(tmp_path, trials=200)
