"""The full integrity check after the window is up (issue 11): a damage the start's light check
cannot see (a page of a big table, in a file a clean close vouched for) is found in the
background; from then on every commit is refused with a clear message and nothing is written,
while scanning goes on."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot
from ui_hq import UNREACHABLE_HQ
from window_helpers import idle

from posloyalty.clock import FixedClock
from posloyalty.resources import resources_dir
from posloyalty.terminal.context import context_from_store
from posloyalty.terminal.counter import Counter
from posloyalty.terminal.demo_setup import ensure_demo_terminal
from posloyalty.terminal.launch import check_demo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.demo import product_ean
from posloyalty.tilldb.preflight import startup_check, vouch_clean_close
from posloyalty.tilldb.vault import open_vault
from posloyalty.ui import i18n
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.dialogs import PaymentDialog

_T0 = dt.datetime(2026, 11, 25, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RULES = (resources_dir() / "rules" / "miniso.toml").read_text(encoding="utf-8")


def _damage_table(path: Path, table: str) -> None:
    """Overwrite the root page of ``table`` (the file's header and the other tables stay
    sound), as a disk going bad under a closed database would."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        root = int(
            conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[
                0
            ]
        )
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()
    with path.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xa5" * page_size)


def _sales(db: Database) -> int:
    with db.snapshot() as conn:
        return int(conn.execute("SELECT count(*) FROM sales").fetchone()[0])


def test_damage_found_after_the_window_is_up_refuses_commits_not_scans(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "terminal.db"
    clock = FixedClock(_T0)
    ensure_demo_terminal(
        path, clock=clock, rules_text=RULES, members=200, products=20, sales=0
    ).db.close()
    _damage_table(path, "member_coupons")
    # Bit rot after a clean close: the voucher still describes the file, so the start checks
    # only lightly (the tables the launcher reads are sound) and the till opens.
    assert vouch_clean_close(path)
    assert startup_check(path) == "light"
    assert check_demo(path) is True

    db = Database.open(path, clock=clock, integrity="none")
    try:
        vault = open_vault(db, create=False)
        assert vault is not None
        i18n.switch("en")
        window = CashierWindow(
            Counter(context_from_store(db, "demo"), vault),
            hq_url=UNREACHABLE_HQ,
            status_interval_ms=0,
        )
        qtbot.addWidget(window)
        window.check_database_integrity()
        qtbot.waitUntil(lambda: not window.integrity.running, timeout=20_000)
        assert "fails its integrity check" in window.integrity.damage
        assert not window.integrity.passed
        qtbot.waitUntil(lambda: "failed its integrity check" in window.last_message, timeout=5000)

        window.handle_scan(product_ean(1))  # scanning goes on
        idle(qtbot, window)
        assert len(window.view.rows) == 1
        window.pay()
        idle(qtbot, window)
        dialog = window.dialog
        assert isinstance(dialog, PaymentDialog)
        dialog.pay_card()
        idle(qtbot, window)
        before = _sales(db)
        dialog.complete()
        idle(qtbot, window)
        assert "The terminal database is damaged: nothing was saved" in window.last_message
        assert _sales(db) == before
        window.close()
        window.ops.wait()
        window.status_ops.wait()
    finally:
        db.close()


def test_a_commit_waits_for_the_check_still_running(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "terminal.db"
    clock = FixedClock(_T0)
    made = ensure_demo_terminal(
        path, clock=clock, rules_text=RULES, members=50, products=20, sales=0
    )
    try:
        i18n.switch("en")
        window = CashierWindow(
            Counter(context_from_store(made.db, "demo"), made.vault),
            hq_url=UNREACHABLE_HQ,
            status_interval_ms=0,
        )
        qtbot.addWidget(window)
        committed: list[object] = []
        window.committed.connect(committed.append)
        window.integrity.start()  # as if the background check had not answered yet
        window.handle_scan(product_ean(2))
        idle(qtbot, window)
        window.pay()
        idle(qtbot, window)
        dialog = window.dialog
        assert isinstance(dialog, PaymentDialog)
        dialog.pay_card()
        idle(qtbot, window)
        before = _sales(made.db)
        dialog.complete()
        qtbot.wait(300)
        assert window.ops.busy and _sales(made.db) == before  # the commit waits
        window.integrity.settle("")  # the check answered: sound
        qtbot.waitUntil(lambda: bool(committed), timeout=10_000)
        assert _sales(made.db) == before + 1
        window.close()
    finally:
        made.db.close()
