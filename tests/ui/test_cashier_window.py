"""The cashier window end to end: scans at scanner speed, points, payment, commit, returns."""

from __future__ import annotations

import itertools

from pytestqt.qtbot import QtBot
from window_helpers import idle, pay_by_card

from posloyalty.devices.wedge import WedgeThresholds
from posloyalty.terminal.checkout import State
from posloyalty.terminal.demo_setup import DemoTerminal, demo_dynamic_code
from posloyalty.tilldb import repo
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.dialogs import PaymentDialog
from posloyalty.ui.qt import QApplication, QEvent, QKeyEvent, Qt
from posloyalty.ui.return_dialog import ReturnDialog
from posloyalty.ui.scanner import ScanFilter


def _scanner(window: CashierWindow) -> ScanFilter:
    app = QApplication.instance()
    assert app is not None
    scans = ScanFilter(window)
    app.installEventFilter(scans)
    scans.scanned.connect(window.handle_scan)
    return scans


def _focus(qtbot: QtBot, window: CashierWindow) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.scan_edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.scan_edit)


_CLOCK = itertools.count(1_000_000, 1)


def _type(window: CashierWindow, text: str, gap_ms: int) -> None:
    """Key presses into the focused field with window-system timestamps ``gap_ms`` apart
    (what the detector reads from real key events), then Enter."""
    start = next(_CLOCK) * 100_000
    for i, char in enumerate([*text, "\r"]):
        key = Qt.Key.Key_Return if char == "\r" else Qt.Key(ord(char.upper()))
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(
                kind, key, Qt.KeyboardModifier.NoModifier, "" if char == "\r" else char
            )
            event.setTimestamp(start + i * gap_ms)
            QApplication.sendEvent(window.scan_edit, event)


def _scan_keys(qtbot: QtBot, window: CashierWindow, text: str) -> None:
    """Type like a wedge scanner: a key every 8 ms, then Enter."""
    _type(window, text, 8)


def _counts(demo: DemoTerminal) -> dict[str, int]:
    with demo.db.read() as session:
        return repo.table_counts(session)


def test_scanner_speed_member_items_points_and_commit(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    scans = _scanner(window)
    _focus(qtbot, window)
    code = demo_dynamic_code(demo.db, demo.vault, "M000000001")
    with qtbot.waitSignal(window.painted, timeout=10_000):
        _scan_keys(qtbot, window, code)
    idle(qtbot, window)
    member = window.view.member
    assert member is not None and member.member_id == "M000000001"
    assert member.may_redeem and member.points_available == 5000
    assert window.scan_edit.text() == ""  # the burst was taken back out of the field
    assert window.member_name_label.text() == "张伟"
    assert window.member_day_banner.isVisible()  # Wednesday
    for n in (1, 2, 2):
        _scan_keys(qtbot, window, product_ean(n))
        idle(qtbot, window)
    assert window.cart_model.rowCount() == 2
    assert window.cart_model.data(window.cart_model.index(1, 1)) == "2"
    before = window.view.total
    window.toggle_points()  # F4: the most points allowed
    idle(qtbot, window)
    assert window.view.points_redeemed > 0
    assert window.view.total < before
    window.pay()
    idle(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, PaymentDialog)
    assert "Offline allowance" in dialog.points_info.text()
    dialog.cash_edit.setText("2000")
    dialog.pay_cash()
    idle(qtbot, window)
    assert "Change" in dialog.change_label.text()
    with qtbot.waitSignal(window.committed, timeout=10_000) as blocker:
        dialog.complete()
    receipt = blocker.args[0]
    idle(qtbot, window)
    assert window.view.state is State.COMMITTED
    assert window.last_receipt_png.startswith(b"\x89PNG")
    with demo.db.read() as session:
        sale = repo.sale_by_receipt(session, receipt.receipt_code)
        assert sale is not None and sale.member == "M000000001"
        kinds = sorted(e.entry.kind for e in repo.ledger_for_sale(session, sale.id))
        assert kinds == ["earn", "redeem"]
        outbox = [row for row in repo.outbox_pending(session) if row.ref_id == sale.id]
        assert len(outbox) == 1
    app = QApplication.instance()
    assert app is not None
    app.removeEventFilter(scans)


def test_hq_unreachable_the_sale_still_commits(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    window.refresh_status()
    qtbot.waitUntil(lambda: window.sync_status is not None, timeout=10_000)
    assert window.sync_status is not None and not window.sync_status.online
    assert "Offline" in window.online_status.text()
    window.handle_scan(product_ean(3))
    idle(qtbot, window)
    window.pay()
    idle(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, PaymentDialog)
    dialog.pay_card()  # empty amount: all that remains
    idle(qtbot, window)
    pending_before = _counts(demo)["outbox"]
    with qtbot.waitSignal(window.committed, timeout=10_000):
        dialog.complete()
    assert _counts(demo)["outbox"] == pending_before + 1
    assert _counts(demo)["sales"] == 1


def test_human_typing_is_not_a_scan_but_a_typed_code(qtbot: QtBot, window: CashierWindow) -> None:
    scans = _scanner(window)
    seen: list[str] = []
    scans.scanned.connect(seen.append)
    _focus(qtbot, window)
    _type(window, "SKU000002", 150)  # 150 ms between keys: a person
    idle(qtbot, window)
    assert seen == []
    assert window.cart_model.rowCount() == 1  # entered through the field instead
    app = QApplication.instance()
    assert app is not None
    app.removeEventFilter(scans)


def test_scan_thresholds_come_from_the_detector(window: CashierWindow) -> None:
    scans = ScanFilter(window)
    assert scans.detector.thresholds == WedgeThresholds()


def test_unknown_code_is_explained_and_the_sale_kept(qtbot: QtBot, window: CashierWindow) -> None:
    window.handle_scan(product_ean(1))
    idle(qtbot, window)
    window.handle_scan("6900000099990")
    idle(qtbot, window)
    assert window.cart_model.rowCount() == 1
    assert window.last_message
    assert "Traceback" not in window.last_message
    assert window.message_label.text() == window.last_message


def test_void_and_cancel_with_keys(qtbot: QtBot, window: CashierWindow) -> None:
    for n in (1, 2):
        window.handle_scan(product_ean(n))
        idle(qtbot, window)
    window.void_selected_line()
    idle(qtbot, window)
    assert window.cart_model.rowCount() == 1
    window.cancel_key()
    assert window.cart_model.rowCount() == 1  # armed only
    window.cancel_key()
    idle(qtbot, window)
    assert window.cart_model.rowCount() == 0


def test_a_return_against_the_receipt(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    window.handle_scan(product_ean(1))
    idle(qtbot, window)
    window.handle_scan(product_ean(1))
    idle(qtbot, window)
    code = pay_by_card(qtbot, window).receipt_code
    idle(qtbot, window)
    window.start_return()
    ret = window.dialog
    assert isinstance(ret, ReturnDialog)
    window.handle_scan(code)  # the scan goes to the open return dialog
    idle(qtbot, window)
    assert ret.sale is not None and ret.lines_model.rowCount() == 1
    ret.lines_model.setData(ret.lines_model.index(0, 3), 1)
    ret.review()
    idle(qtbot, window)
    ret.confirm()
    idle(qtbot, window)
    assert ret.refunded is not None and ret.refunded.lines[0].qty == 1
    with demo.db.read() as session:
        n = session.connection().exec_driver_sql(
            "SELECT count(*) FROM sales WHERE original_sale_id IS NOT NULL"
        )
        assert n.scalar_one() == 1


def test_a_scan_after_half_typed_text_keeps_the_typed_text(
    qtbot: QtBot, window: CashierWindow
) -> None:
    scans = _scanner(window)
    seen: list[str] = []
    scans.scanned.connect(seen.append)
    _focus(qtbot, window)
    start = next(_CLOCK) * 100_000
    for i, char in enumerate("12"):  # a person, slowly
        event = QKeyEvent(
            QEvent.Type.KeyPress, Qt.Key(ord(char)), Qt.KeyboardModifier.NoModifier, char
        )
        event.setTimestamp(start + i * 300)
        QApplication.sendEvent(window.scan_edit, event)
    _scan_keys(qtbot, window, product_ean(1))
    idle(qtbot, window)
    assert seen == [product_ean(1)]
    assert window.scan_edit.text() == "12"
    assert window.cart_model.rowCount() == 1
    app = QApplication.instance()
    assert app is not None
    app.removeEventFilter(scans)


def test_events_without_timestamps_are_timed_by_the_clock(
    qtbot: QtBot, window: CashierWindow
) -> None:
    ticks = itertools.count(0.0, 7.5)  # QTest's synthetic events carry timestamp 0
    app = QApplication.instance()
    assert app is not None
    scans = ScanFilter(window, clock_ms=lambda: next(ticks))
    app.installEventFilter(scans)
    seen: list[str] = []
    scans.scanned.connect(seen.append)
    _focus(qtbot, window)
    qtbot.keyClicks(window.scan_edit, product_ean(2))
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_Return)
    assert seen == [product_ean(2)]
    app.removeEventFilter(scans)
