"""The payment screen by touch: number pad, quick cash amounts, WeChat Pay and Alipay (recorded
like card: taken on the store's device), and the end-of-day tenders that show them."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from window_helpers import idle

from posloyalty.domain.tenders import quick_cash_amounts
from posloyalty.terminal.checkout import Receipt
from posloyalty.terminal.eod import end_of_day
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.dialogs import PaymentDialog
from posloyalty.ui.eod_dialog import EodDialog
from posloyalty.ui.qt import QApplication, Qt, QWidget


def _paying(qtbot: QtBot, window: CashierWindow) -> PaymentDialog:
    window.show()
    qtbot.waitExposed(window)
    for n in (1, 2):
        window.handle_scan(product_ean(n))
        idle(qtbot, window)
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_F5)
    idle(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, PaymentDialog)
    return dialog


def _tap(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_wechat_by_number_pad_then_quick_cash(qtbot: QtBot, window: CashierWindow) -> None:
    dialog = _paying(qtbot, window)
    due = window.view.remaining
    assert due > 1000
    assert dialog.pad.quick_buttons[0].text() == f"¥{due // 100}.{due % 100:02d}"
    # The pad types into the field the cashier touched; its keys never take the focus.
    dialog.card_edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.card_edit)
    for key in ("1", "0", ".", "5", "5", "⌫", "0"):
        _tap(qtbot, dialog.pad.pad_buttons[key])
    assert dialog.card_edit.text() == "10.50"
    assert QApplication.focusWidget() is dialog.card_edit
    _tap(qtbot, dialog.pad.wechat_button)
    idle(qtbot, window)
    assert window.view.payments[0][:2] == ("wechat", 1050)
    rest = window.view.remaining
    offered = quick_cash_amounts(rest)
    assert [b.text() for b in dialog.pad.quick_buttons] == [
        f"¥{a // 100}.{a % 100:02d}" for a in offered
    ]
    _tap(qtbot, dialog.pad.quick_buttons[-1])  # the biggest note offered
    idle(qtbot, window)
    assert window.view.remaining == 0 and window.view.change == offered[-1] - rest
    assert dialog.pad.quick_buttons == []
    with qtbot.waitSignal(window.committed, timeout=10_000) as blocker:
        qtbot.keyClick(dialog, Qt.Key.Key_F5)
    receipt = blocker.args[0]
    assert isinstance(receipt, Receipt)
    assert [(p.method, p.amount) for p in receipt.payments] == [
        ("wechat", 1050),
        ("cash", rest),
    ]
    ctx = window.counter.ctx
    report = end_of_day(ctx.db, ctx.now().date(), ctx.zone)
    assert report.payments_by_method == {"wechat": 1050, "cash": rest}


def test_alipay_pays_all_that_remains_and_shows_at_end_of_day(
    qtbot: QtBot, window: CashierWindow
) -> None:
    dialog = _paying(qtbot, window)
    due = window.view.remaining
    _tap(qtbot, dialog.pad.alipay_button)
    idle(qtbot, window)
    assert window.view.payments[0][:2] == ("alipay", due)
    with qtbot.waitSignal(window.committed, timeout=10_000):
        dialog.complete()
    idle(qtbot, window)
    qtbot.keyClick(window.dialog or window.scan_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.dialog is None)
    window.end_of_day()
    eod = window.dialog
    assert isinstance(eod, EodDialog)
    idle(qtbot, window)
    assert f"Alipay: ¥{due // 100}.{due % 100:02d}" in eod.report.toPlainText()
