"""With a local HQ running, the till enrols, pushes the committed sale and shows it online."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

from pytestqt.qtbot import QtBot
from window_helpers import idle, pay_by_card

from posloyalty.terminal.demo_setup import DemoTerminal, demo_dynamic_code
from posloyalty.terminal.sync_setup import enrol_with_local_hq, start_sync_worker
from posloyalty.tilldb import repo
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui.app import start_local_hq
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.customer_display import CustomerDisplay


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pending(demo: DemoTerminal) -> int:
    with demo.db.read() as session:
        return repo.outbox_pending_count(session)


def test_sale_is_pushed_to_a_local_hq(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal, tmp_path: Path
) -> None:
    var = tmp_path / "var"
    var.mkdir()
    port = _free_port()
    hq = start_local_hq(var, port)
    assert hq is not None
    worker = None
    try:
        url = f"http://127.0.0.1:{port}"
        assert enrol_with_local_hq(demo.db, url, var / "hq.sqlite", "S1") == "enrolled"
        display = CustomerDisplay(store_name="MINISO")
        qtbot.addWidget(display)
        window.customer_display = display
        window.paint(window.view)
        assert "Scan to join" not in display.welcome_label.text()  # no link from HQ yet
        worker = start_sync_worker(demo.db, interval=0.5)
        window.attach_sync(worker)
        # HQ hands out a self-registration link; the idle display shows it as a QR.
        qtbot.waitUntil(lambda: "Scan to join" in display.welcome_label.text(), timeout=20_000)
        assert not display.qr_label.pixmap().isNull()
        qtbot.waitUntil(
            lambda: window.sync_status is not None and window.sync_status.online, timeout=20_000
        )
        assert "Online" in window.online_status.text()
        window.handle_scan(demo_dynamic_code(demo.db, demo.vault, "M000000001"))
        idle(qtbot, window)
        window.handle_scan(product_ean(4))
        idle(qtbot, window)
        sale_id = pay_by_card(qtbot, window).sale_id
        qtbot.waitUntil(lambda: _pending(demo) == 0, timeout=20_000)  # HQ acknowledged it
        with sqlite3.connect(var / "hq.sqlite") as hq_db:
            rows = hq_db.execute("SELECT count(*) FROM sales WHERE id = ?", (sale_id,))
            assert rows.fetchone()[0] == 1
        qtbot.waitUntil(
            lambda: (
                window.sync_status is not None
                and window.sync_status.pending_uploads == 0
                and window.sync_status.online
            ),
            timeout=20_000,
        )
        assert window.pending_status.text() == "Uploads waiting: 0"
    finally:
        if worker is not None:
            worker.stop()
        hq.terminate()
        hq.wait(timeout=20)
