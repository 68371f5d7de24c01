"""The touch side of the payment screen: quick cash amounts, WeChat Pay and Alipay, and an
on-screen number pad that types into the amount field in use.

The amounts offered come from :func:`posloyalty.domain.tenders.quick_cash_amounts`; a press
hands the payment to the dialog (which sends it to the counter on the worker). The pad's keys
never take the focus, so the field the cashier touched keeps it and receives the digits.
"""

from __future__ import annotations

from collections.abc import Callable

from posloyalty.domain.money import Fen, yuan
from posloyalty.domain.tenders import quick_cash_amounts
from posloyalty.ui.qt import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)

__all__ = ["PaymentPad"]

_PAD = ("7", "8", "9", "4", "5", "6", "1", "2", "3", "0", "00", ".")


class PaymentPad(QWidget):
    """Quick cash keys, wallet keys and a number pad beside the payment form."""

    def __init__(
        self,
        *,
        default_edit: QLineEdit,
        pay_cash: Callable[[Fen], None],
        pay_wallet: Callable[[str], None],
        button_height: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._default_edit = default_edit
        self._pay_cash = pay_cash
        self._height = button_height
        self.quick_box = QGroupBox(self.tr("Cash received"))
        self._quick_row = QHBoxLayout(self.quick_box)
        self.quick_buttons: list[QPushButton] = []
        self.wechat_button = self._key(self.tr("WeChat Pay"))
        self.alipay_button = self._key(self.tr("Alipay"))
        self.wechat_button.clicked.connect(lambda: pay_wallet("wechat"))
        self.alipay_button.clicked.connect(lambda: pay_wallet("alipay"))
        wallets = QHBoxLayout()
        wallets.addWidget(self.wechat_button)
        wallets.addWidget(self.alipay_button)
        pad = QGridLayout()
        self.pad_buttons: dict[str, QPushButton] = {}
        for i, text in enumerate(_PAD):
            button = self._key(text)
            button.clicked.connect(lambda _c=False, t=text: self.type_text(t))
            pad.addWidget(button, i // 3, i % 3)
            self.pad_buttons[text] = button
        self.back_button = self._key("⌫")
        self.back_button.clicked.connect(self.backspace)
        self.clear_button = self._key("C")
        self.clear_button.clicked.connect(self.clear)
        self.enter_button = self._key("↵")
        self.enter_button.clicked.connect(self.enter)
        for col, button in enumerate((self.back_button, self.clear_button, self.enter_button)):
            pad.addWidget(button, 4, col)
            self.pad_buttons[button.text()] = button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.quick_box)
        layout.addLayout(wallets)
        layout.addLayout(pad)
        layout.addStretch(1)

    def _key(self, text: str) -> QPushButton:
        button = QPushButton(text)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setMinimumHeight(self._height)
        return button

    # -- quick cash
    def show_due(self, remaining: int) -> None:
        """Offer the quick cash amounts for what is still to pay."""
        for button in self.quick_buttons:
            self._quick_row.removeWidget(button)
            button.deleteLater()
        self.quick_buttons = []
        for amount in quick_cash_amounts(remaining):
            button = self._key(yuan(amount))
            button.clicked.connect(lambda _c=False, a=amount: self._pay_cash(a))
            self._quick_row.addWidget(button)
            self.quick_buttons.append(button)
        self.quick_box.setVisible(bool(self.quick_buttons))

    # -- the number pad
    def target(self) -> QLineEdit:
        """The amount field in use: the focused line edit of this dialog, else cash."""
        focus = QApplication.focusWidget()
        if isinstance(focus, QLineEdit) and focus.window() is self.window():
            return focus
        return self._default_edit

    def type_text(self, text: str) -> None:
        self.target().insert(text)

    def backspace(self) -> None:
        self.target().backspace()

    def clear(self) -> None:
        self.target().clear()

    def enter(self) -> None:
        self.target().returnPressed.emit()
