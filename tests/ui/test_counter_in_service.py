"""The counter in service: keys sent to the real window (Esc on the payment screen, F-keys after
a dialog closes in a kiosk), dialogs deleted when closed, figures never stale, small feedback."""

from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot
from window_helpers import idle, pay_by_card

from posloyalty.domain.money import yuan
from posloyalty.terminal.checkout import State
from posloyalty.terminal.demo_setup import DemoTerminal, demo_dynamic_code
from posloyalty.terminal.status import SyncStatus
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.customer_display import CustomerDisplay
from posloyalty.ui.dialogs import HelpDialog, PaymentDialog, ReceiptDialog
from posloyalty.ui.qt import QApplication, QCoreApplication, QDialog, QEvent, Qt, QWidget, is_alive


def _shown(qtbot: QtBot, window: CashierWindow) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.scan_edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.scan_edit)


def _key(qtbot: QtBot, key: Qt.Key) -> None:
    """A key press where the keyboard is now: the focus widget (else the active window)."""
    target = QApplication.focusWidget() or QApplication.activeWindow()
    assert isinstance(target, QWidget), "no widget takes keys: the till is frozen"
    qtbot.keyClick(target, key)


def _deleted_later() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _scan(qtbot: QtBot, window: CashierWindow, code: str) -> None:
    window.handle_scan(code)
    idle(qtbot, window)


def test_esc_on_the_payment_screen_goes_back_to_the_basket(
    qtbot: QtBot, window: CashierWindow
) -> None:
    _shown(qtbot, window)
    _scan(qtbot, window, product_ean(1))
    _key(qtbot, Qt.Key.Key_F5)
    idle(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, PaymentDialog) and dialog.isVisible()
    _key(qtbot, Qt.Key.Key_Escape)
    idle(qtbot, window)
    qtbot.waitUntil(lambda: window.dialog is None)
    _deleted_later()
    assert not is_alive(dialog)
    assert window.view.state is State.QUOTED
    assert window.cart_model.rowCount() == 1
    # The till answers keys again: F5 opens a fresh payment screen with its content shown.
    _key(qtbot, Qt.Key.Key_F5)
    idle(qtbot, window)
    again = window.dialog
    assert isinstance(again, PaymentDialog) and again.isVisible()
    assert again.cash_edit.isVisible()


def test_f_keys_work_after_a_dialog_closes_without_a_window_manager(
    qtbot: QtBot, window: CashierWindow
) -> None:
    _shown(qtbot, window)
    _key(qtbot, Qt.Key.Key_F1)
    help_ = window.dialog
    assert isinstance(help_, HelpDialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is help_)
    _key(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not help_.isVisible())
    # No window manager hands the focus back: the till must take it itself.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert QApplication.focusWidget() is window.scan_edit
    _key(qtbot, Qt.Key.Key_F1)
    assert isinstance(window.dialog, HelpDialog) and window.dialog is not help_


def test_dialogs_are_deleted_and_a_refusal_reaches_no_hidden_payment_screen(
    qtbot: QtBot, window: CashierWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    _shown(qtbot, window)
    for n in (1, 2, 3):
        _scan(qtbot, window, product_ean(n))
        pay_by_card(qtbot, window)
        idle(qtbot, window)
        preview = window.dialog
        assert isinstance(preview, ReceiptDialog)
        _key(qtbot, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: window.dialog is None)
    _deleted_later()
    assert window.findChildren(QDialog) == []
    painted: list[object] = []
    monkeypatch.setattr(PaymentDialog, "paint", lambda self, view: painted.append(view))
    _scan(qtbot, window, "6900000099990")  # refused: unknown product
    assert window.last_message
    assert painted == []


def test_language_switch_keeps_the_total(qtbot: QtBot, window: CashierWindow) -> None:
    _shown(qtbot, window)
    _scan(qtbot, window, product_ean(2))
    total = yuan(window.view.total)
    assert window.view.total > 0
    for _ in range(3):  # zh_CN, es, back to en
        _key(qtbot, Qt.Key.Key_F7)
        QApplication.processEvents()
        assert window.total_label.text() == total
        # What the window words itself is not reset to the Designer form's text.
        assert window.scan_edit.placeholderText() == window.tr(
            "Scan anywhere, or type a code or SKU and press Enter"
        )
        assert window.no_member_label.text() == window.tr(
            "No member. Scan the member code (F2: look up by phone or register)"
        )


def test_member_panel_shows_the_balance_after_the_sale(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    _shown(qtbot, window)
    _scan(qtbot, window, demo_dynamic_code(demo.db, demo.vault, "M000000001"))
    _scan(qtbot, window, product_ean(3))
    _key(qtbot, Qt.Key.Key_F4)  # the most points allowed
    idle(qtbot, window)
    assert window.view.points_redeemed > 0
    receipt = pay_by_card(qtbot, window)
    idle(qtbot, window)
    assert receipt.balance_available is not None and receipt.balance_available < 5000
    member = window.view.member
    assert member is not None and member.points_available == receipt.balance_available
    assert f"{receipt.balance_available:,}" in window.points_label.text()


def test_points_key_is_off_without_points(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    _shown(qtbot, window)
    _scan(qtbot, window, demo_dynamic_code(demo.db, demo.vault, "M000000003"))
    _scan(qtbot, window, product_ean(1))
    member = window.view.member
    assert member is not None and member.may_redeem and member.points_available == 0
    assert not window.buttons["pointsButton"].isEnabled()
    _scan(qtbot, window, demo_dynamic_code(demo.db, demo.vault, "M000000001"))
    assert window.buttons["pointsButton"].isEnabled()


def test_void_line_says_what_it_voided(qtbot: QtBot, window: CashierWindow) -> None:
    _shown(qtbot, window)
    _scan(qtbot, window, product_ean(1))
    _scan(qtbot, window, product_ean(2))
    name = window.view.rows[-1].line.name
    _key(qtbot, Qt.Key.Key_F9)
    idle(qtbot, window)
    assert window.cart_model.rowCount() == 1
    assert "Voided" in window.message_label.text() and name in window.message_label.text()


def test_messages_do_not_linger(qtbot: QtBot, window: CashierWindow) -> None:
    _shown(qtbot, window)
    window.message_ms = 50
    _scan(qtbot, window, product_ean(1))
    assert window.message_label.text()
    qtbot.waitUntil(lambda: window.message_label.text() == "", timeout=2000)
    # The Esc warning goes when Esc is no longer armed.
    window.esc_ms = 50
    _key(qtbot, Qt.Key.Key_Escape)
    assert "Esc again" in window.message_label.text()
    qtbot.waitUntil(lambda: window.message_label.text() == "", timeout=2000)
    _key(qtbot, Qt.Key.Key_Escape)  # disarmed: only arms again, the sale stays
    idle(qtbot, window)
    assert window.cart_model.rowCount() == 1


def test_customer_display_shows_change_then_goes_idle(qtbot: QtBot, window: CashierWindow) -> None:
    display = CustomerDisplay(store_name="Test")
    qtbot.addWidget(display)
    display.finished_ms = 100
    window.customer_display = display
    _shown(qtbot, window)
    _scan(qtbot, window, product_ean(1))
    _key(qtbot, Qt.Key.Key_F5)
    idle(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, PaymentDialog)
    due = window.view.total
    dialog.cash_edit.setText(str((due // 100) + 50))
    dialog.pay_cash()
    idle(qtbot, window)
    change = window.view.change
    assert change > 0
    assert yuan(change) in display.change_label.text()
    with qtbot.waitSignal(window.committed, timeout=10_000):
        dialog.complete()
    idle(qtbot, window)
    assert yuan(change) in display.change_label.text()
    assert display.thanks_shown
    qtbot.waitUntil(lambda: not display.thanks_shown, timeout=3000)
    assert display.change_label.text() == ""
    assert display.cart_view.isHidden()
    assert display.total_label.text() == ""


def test_no_offline_warning_while_online(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    _shown(qtbot, window)
    now = dt.datetime.now(dt.UTC)
    window._got_status(SyncStatus(online=True, pending_uploads=0, last_ok=now, detail="ok"))
    _scan(qtbot, window, demo_dynamic_code(demo.db, demo.vault, "M000000001"))
    _scan(qtbot, window, product_ean(1))
    _key(qtbot, Qt.Key.Key_F5)
    idle(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, PaymentDialog)
    text = dialog.points_info.text()
    assert "Available" in text
    assert "Offline" not in text and "offline" not in text
    assert "Online" in window.online_status.text()


def test_the_guard_catches_the_ui_thread_reading_the_store(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal, ui_thread_db_guard: list[str]
) -> None:
    def read_on_the_ui_thread(_result: object) -> None:
        with demo.db.read():
            pass

    window.ops.run(lambda: None, read_on_the_ui_thread)  # the callback runs on the UI thread
    idle(qtbot, window)
    assert len(ui_thread_db_guard) == 1 and "workers.py" in ui_thread_db_guard[0]
    ui_thread_db_guard.clear()
