"""Helpers for the window tests: wait for the window's worker, and pay a sale by card."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from posloyalty.terminal.checkout import Receipt
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.dialogs import PaymentDialog
from posloyalty.ui.qt import QDialog


def idle(qtbot: QtBot, window: CashierWindow) -> None:
    """Wait until the window's session work (run off the UI thread) has answered."""
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=10_000)


def pay_by_card(qtbot: QtBot, window: CashierWindow) -> Receipt:
    """F5, all that remains by card, complete: the committed sale's receipt."""
    window.pay()
    idle(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, PaymentDialog)
    dialog.pay_card()
    idle(qtbot, window)
    with qtbot.waitSignal(window.committed, timeout=10_000) as blocker:
        dialog.complete()
    receipt = blocker.args[0]
    assert isinstance(receipt, Receipt)
    return receipt


def open_dialog(window: CashierWindow) -> QDialog | None:
    """The window's dialog now: read in a call, so mypy keeps no narrowing from an earlier
    assert about ``window.dialog`` across the keys and scans that change it."""
    return window.dialog
