"""Every action by touch as well as by key: the keys the Designer form lacks (F6, F7, F11,
+, -), park and recall (挂单/取单) and the receipt reprint, sent to the real window."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from window_helpers import idle, pay_by_card

from posloyalty.terminal.demo_setup import DemoTerminal
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui import i18n
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.dialogs import AdjustDialog, HelpDialog, ReceiptDialog, SignInDialog
from posloyalty.ui.product_search import ReprintDialog
from posloyalty.ui.qt import QApplication, QLabel, Qt
from posloyalty.ui.touch_keys import RecallDialog


def _shown(qtbot: QtBot, window: CashierWindow) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.scan_edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.scan_edit)


def _tap(qtbot: QtBot, window: CashierWindow, name: str) -> None:
    button = window.buttons[name]
    assert button.isVisible() and button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _back(qtbot: QtBot, window: CashierWindow) -> None:
    assert window.dialog is not None
    qtbot.keyClick(window.dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.scan_edit)


def test_keys_the_form_lacks_work_by_touch(qtbot: QtBot, window: CashierWindow) -> None:
    _shown(qtbot, window)
    window.handle_scan(product_ean(1))
    idle(qtbot, window)
    _tap(qtbot, window, "moreButton")
    idle(qtbot, window)
    assert window.view.rows[0].line.qty == 2
    _tap(qtbot, window, "fewerButton")
    idle(qtbot, window)
    assert window.view.rows[0].line.qty == 1
    _tap(qtbot, window, "adjustButton")
    assert isinstance(window.dialog, AdjustDialog)
    _back(qtbot, window)
    _tap(qtbot, window, "signInButton")
    assert isinstance(window.dialog, SignInDialog)
    _back(qtbot, window)
    _tap(qtbot, window, "languageButton")
    assert i18n.current() != "en"
    QApplication.processEvents()
    assert window.buttons["parkButton"].text() != "Park"  # translated
    i18n.switch("en")


def test_park_recall_and_reprint_by_keys(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    _shown(qtbot, window)
    for n in (1, 2, 2):
        window.handle_scan(product_ean(n))
        idle(qtbot, window)
    total = window.view.total
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, window)
    assert window.cart_model.rowCount() == 0 and "parked" in window.last_message
    # Another customer meanwhile.
    window.handle_scan(product_ean(3))
    idle(qtbot, window)
    sale = pay_by_card(qtbot, window)
    idle(qtbot, window)
    _back(qtbot, window)
    # Reprint: the last receipt's number is offered; Enter prints it again as a copy.
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    reprint = window.dialog
    assert isinstance(reprint, ReprintDialog) and reprint.code_edit.text() == sale.receipt_code
    qtbot.keyClick(reprint.code_edit, Qt.Key.Key_Return)
    idle(qtbot, window)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ReceiptDialog))
    assert sale.receipt_code in window.last_message
    _back(qtbot, window)
    # Recall: the parked basket comes back.
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, RecallDialog) and dialog.list.count() == 1
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    idle(qtbot, window)
    qtbot.waitUntil(lambda: window.dialog is None)
    assert [(r.line.qty) for r in window.view.rows] == [1, 2]
    assert window.view.total == total
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, window)
    assert window.dialog is None and "No parked sales" in window.last_message


def test_help_names_the_new_keys(qtbot: QtBot, window: CashierWindow) -> None:
    dialog = HelpDialog(window)
    qtbot.addWidget(dialog)
    shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
    for key in ("Ctrl+H", "Ctrl+R", "Ctrl+P", "Ctrl+O", "Ctrl+F", "Ctrl+G"):
        assert f"<b>{key}</b>" in shown


def test_open_price_item_with_a_managers_pin(qtbot: QtBot, window: CashierWindow) -> None:
    from posloyalty.ui.open_price_dialog import OpenPriceDialog

    _shown(qtbot, window)
    window.handle_scan("6900000099990")  # unknown here: refused
    idle(qtbot, window)
    assert window.cart_model.rowCount() == 0
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    dialog = window.dialog
    assert isinstance(dialog, OpenPriceDialog)
    qtbot.keyClicks(dialog.name_edit, "6900000099990")
    qtbot.keyClicks(dialog.price_edit, "12.50")
    qtbot.keyClicks(dialog.manager_edit, "boss")
    qtbot.keyClicks(dialog.pin_edit, "0000")  # not the manager's PIN
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    idle(qtbot, window)
    assert "Wrong manager id or PIN" in dialog.message.text()
    assert window.cart_model.rowCount() == 0
    qtbot.keyClicks(dialog.pin_edit, "9999")
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    idle(qtbot, window)
    qtbot.waitUntil(lambda: window.dialog is None)
    assert [(r.line.name, r.line.unit_price) for r in window.view.rows] == [("6900000099990", 1250)]
    _tap(qtbot, window, "openPriceButton")
    assert isinstance(window.dialog, OpenPriceDialog)
    _back(qtbot, window)
