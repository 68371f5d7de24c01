"""Ctrl+O: an item the till has no price for, at the price typed, with a manager's PIN
(:mod:`posloyalty.terminal.open_price` decides and audits; this dialog only asks)."""

from __future__ import annotations

from posloyalty.domain.money import MoneyError, parse_yuan
from posloyalty.terminal.counter import CounterView
from posloyalty.terminal.open_price import add_open_price_item
from posloyalty.ui.cashier_host import CashierHost
from posloyalty.ui.dialogs import _Dialog
from posloyalty.ui.qt import QDialogButtonBox, QFormLayout, QLineEdit

__all__ = ["OpenPriceDialog"]


class OpenPriceDialog(_Dialog):
    def __init__(self, window: CashierHost) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Open-price item (manager)"))
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("Item name or barcode"))
        self.price_edit = QLineEdit()
        self.price_edit.setPlaceholderText("0.00")
        self.manager_edit = QLineEdit()
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout(self)
        form.addRow(self.tr("Item"), self.name_edit)
        form.addRow(self.tr("Price"), self.price_edit)
        form.addRow(self.tr("Manager id"), self.manager_edit)
        form.addRow(self.tr("Manager PIN"), self.pin_edit)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        for button in buttons.buttons():
            button.setMinimumHeight(window.metrics.button_height)
        buttons.accepted.connect(self.add)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.pin_edit.returnPressed.connect(self.add)
        self.resize(460, 300)

    def add(self) -> None:
        try:
            amount = parse_yuan(self.price_edit.text().strip().replace("¥", ""))
        except MoneyError:
            self.message.setText(self.tr("Type the price in yuan, like 12.50"))
            return
        counter = self.window_.counter
        name, manager, pin = self.name_edit.text(), self.manager_edit.text(), self.pin_edit.text()
        self.pin_edit.clear()

        def done(view: CounterView) -> None:
            self.window_.show_message(self.tr("Added %1 at the price typed").replace("%1", name))
            self.accept()

        self.submit(
            lambda: add_open_price_item(
                counter, amount=amount, name=name, manager_id=manager, manager_pin=pin
            ),
            done,
            self.fail,
        )
