"""F12 at the real window: the cash drawer (float, cash in and out, the blind count) and the
end-of-day report whose tenders add up to the sales, refunds included."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from window_helpers import idle, pay_by_card

from posloyalty.terminal import drawer
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.eod_dialog import EodDialog
from posloyalty.ui.qt import QApplication, Qt, QWidget


def _shown(qtbot: QtBot, window: CashierWindow) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.scan_edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.scan_edit)


def _key(qtbot: QtBot, key: Qt.Key) -> None:
    target = QApplication.focusWidget() or QApplication.activeWindow()
    assert isinstance(target, QWidget)
    qtbot.keyClick(target, key)


def _type(qtbot: QtBot, edit: QWidget, text: str) -> None:
    edit.setFocus()
    qtbot.keyClicks(edit, text)


def test_drawer_day_through_f12(qtbot: QtBot, window: CashierWindow) -> None:
    _shown(qtbot, window)
    window.handle_scan(product_ean(1))
    idle(qtbot, window)
    sale = pay_by_card(qtbot, window)
    idle(qtbot, window)
    _key(qtbot, Qt.Key.Key_Escape)  # the receipt preview
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.scan_edit)

    _key(qtbot, Qt.Key.Key_F12)
    dialog = window.dialog
    assert isinstance(dialog, EodDialog)
    idle(qtbot, window)
    report = dialog.report.toPlainText()
    assert "Points\n" not in report and "Tenders total: " + _y(sale.total) in report

    _type(qtbot, dialog.amount_edit, "500")
    qtbot.mouseClick(dialog.float_button, Qt.MouseButton.LeftButton)
    idle(qtbot, window)
    idle(qtbot, window)
    assert "Opening float ¥500.00 recorded" in dialog.message.text()
    assert "Opening float: ¥500.00" in dialog.report.toPlainText()

    _type(qtbot, dialog.amount_edit, "100")
    qtbot.mouseClick(dialog.out_button, Qt.MouseButton.LeftButton)
    idle(qtbot, window)
    assert "reason" in dialog.message.text()  # refused: no reason given
    _type(qtbot, dialog.reason_edit, "bank drop")
    qtbot.mouseClick(dialog.out_button, Qt.MouseButton.LeftButton)
    idle(qtbot, window)
    idle(qtbot, window)
    text = dialog.report.toPlainText()
    assert "Cash out: -¥100.00" in text
    # Blind: what the drawer should hold is not shown before the count.
    assert "Expected in drawer" not in text and "shown after the blind count" in text

    _type(qtbot, dialog.amount_edit, "399.50")
    qtbot.mouseClick(dialog.count_button, Qt.MouseButton.LeftButton)
    idle(qtbot, window)
    idle(qtbot, window)
    text = dialog.report.toPlainText()
    assert "Expected in drawer: ¥400.00" in text
    assert "Counted: ¥399.50" in text and "Difference: -¥0.50" in text
    state = drawer.drawer_state(window.counter.ctx)
    assert state.summary.difference == -50

    _type(qtbot, dialog.amount_edit, "abc")
    qtbot.mouseClick(dialog.in_button, Qt.MouseButton.LeftButton)
    assert "Type the amount in yuan" in dialog.message.text()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.scan_edit)


def _y(fen: int) -> str:
    from posloyalty.domain.money import yuan

    return yuan(fen)
