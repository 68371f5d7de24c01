"""F8 at the real window: the refund screen shows what will be refunded before anything is
stored, Enter in the reason field does not refund, an explicit confirmation, a manager's PIN
above the limit, and the tender chosen within the rule."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from window_helpers import idle, pay_by_card

from posloyalty.terminal.checkout import Receipt
from posloyalty.terminal.demo_setup import DemoTerminal
from posloyalty.terminal.returns import REFUND_MANAGER_ABOVE_KEY, ReturnReceipt
from posloyalty.tilldb import repo
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.qt import QApplication, Qt, QWidget
from posloyalty.ui.return_dialog import ReturnDialog


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


def _returns(demo: DemoTerminal) -> int:
    with demo.db.read() as session:
        n = session.connection().exec_driver_sql(
            "SELECT count(*) FROM sales WHERE original_sale_id IS NOT NULL"
        )
        return int(n.scalar_one())


def _refunded(dialog: ReturnDialog) -> ReturnReceipt | None:
    """The refund now: read in a call, so mypy keeps no narrowing from an earlier assert."""
    return dialog.refunded


def _sold(qtbot: QtBot, window: CashierWindow) -> Receipt:
    _shown(qtbot, window)
    for n in (1, 1, 2):
        window.handle_scan(product_ean(n))
        idle(qtbot, window)
    receipt = pay_by_card(qtbot, window)
    idle(qtbot, window)
    _key(qtbot, Qt.Key.Key_Escape)  # the receipt preview
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.scan_edit)
    return receipt


def _open_return(qtbot: QtBot, window: CashierWindow, code: str) -> ReturnDialog:
    _key(qtbot, Qt.Key.Key_F8)
    dialog = window.dialog
    assert isinstance(dialog, ReturnDialog)
    window.handle_scan(code)  # the scanner reads the receipt's barcode
    idle(qtbot, window)
    idle(qtbot, window)
    qtbot.waitUntil(dialog.confirm_button.isEnabled)
    return dialog


def test_refund_is_reviewed_confirmed_and_approved_by_a_manager(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    with demo.db.write() as session:
        repo.set_setting(session, REFUND_MANAGER_ABOVE_KEY, "100")  # ¥1.00
    sale = _sold(qtbot, window)
    dialog = _open_return(qtbot, window, sale.receipt_code)
    shown = dialog.preview_label.text()
    assert f"Refund ¥{sale.total // 100}." in shown
    assert "By tender: Card" in shown
    assert "A manager approves refunds above ¥1.00" in shown
    assert dialog.manager_box.isVisible()
    assert _returns(demo) == 0  # reviewing stores nothing

    dialog.reason_edit.setFocus()
    qtbot.keyClicks(dialog.reason_edit, "wrong size")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)  # reviews again, never refunds
    idle(qtbot, window)
    assert _returns(demo) == 0 and dialog.refunded is None

    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    idle(qtbot, window)
    assert "needs a manager" in dialog.message.text()
    assert _returns(demo) == 0

    qtbot.keyClicks(dialog.manager_edit, "boss")
    qtbot.keyClicks(dialog.pin_edit, "0000")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    idle(qtbot, window)
    assert "Wrong manager id or PIN" in dialog.message.text()
    assert _returns(demo) == 0

    qtbot.keyClicks(dialog.pin_edit, "9999")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    idle(qtbot, window)
    idle(qtbot, window)
    refunded = _refunded(dialog)
    assert refunded is not None and refunded.refund_total == sale.total
    assert _returns(demo) == 1
    assert "Refunded" in dialog.message.text()
    assert not dialog.confirm_button.isEnabled()  # no second refund from a second press


def test_a_changed_choice_must_be_reviewed_again(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    with demo.db.write() as session:
        repo.set_setting(session, REFUND_MANAGER_ABOVE_KEY, "1000000")  # ¥10,000
    sale = _sold(qtbot, window)
    dialog = _open_return(qtbot, window, sale.receipt_code)
    assert not dialog.manager_box.isVisible()  # under the limit
    model = dialog.lines_model
    assert model.setData(model.index(0, 3), 1)
    assert not dialog.confirm_button.isEnabled()
    dialog.confirm()
    assert "Review the refund first" in dialog.message.text()
    assert _returns(demo) == 0
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    idle(qtbot, window)
    qtbot.waitUntil(dialog.confirm_button.isEnabled)
    assert dialog.preview is not None and dialog.preview.lines[0].qty == 1
    # The tenders offered are those of the sale: original, or card first.
    combo = dialog.tender_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["original", "card"]
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    idle(qtbot, window)
    assert dialog.refunded is not None and dialog.refunded.lines[0].qty == 1
    assert dict(dialog.refunded.refunds) == dict(dialog.preview.refunds)
