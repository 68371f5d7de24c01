"""Keys for the actions the Designer form has no button for, so everything works by touch:
F6 adjustment, F7 language, F11 sign-in, + and -, park (挂单, Ctrl+H), recall (取单, Ctrl+R),
receipt reprint by number (Ctrl+P), open-price items (Ctrl+O, manager's PIN), and beside the
scan field product search (Ctrl+F) and the favourites grid (Ctrl+G). Park, recall, search and
reprint run on the window's worker (:mod:`posloyalty.terminal.parking`,
:mod:`posloyalty.terminal.catalogue`, :mod:`posloyalty.terminal.reprint`); this module only
wires them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from posloyalty.domain.money import yuan
from posloyalty.terminal import catalogue, parking
from posloyalty.terminal.counter import CounterView
from posloyalty.ui import forms
from posloyalty.ui.cashier_host import CashierHost
from posloyalty.ui.dialogs import _Dialog
from posloyalty.ui.qt import (
    QHBoxLayout,
    QKeySequence,
    QListWidget,
    QListWidgetItem,
    QObject,
    QPushButton,
    QShortcut,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
)

__all__ = ["RecallDialog", "TouchKeys", "TouchKeysHost"]


class TouchKeysHost(CashierHost, Protocol):
    """The window as its touch keys see it: a dialog's view of it, the key tables the keys
    join, and the window's own actions they put on keys. :class:`CashierWindow` is the one
    implementation."""

    #: The action keys, laid out and sized together.
    buttons: dict[str, QPushButton]
    #: The keys beside the scan field.
    scan_buttons: dict[str, QPushButton]
    #: Keyboard shortcuts by key sequence (the window's key handling reads them).
    actions_by_key: dict[str, Callable[[], None]]

    def centralWidget(self) -> QWidget | None: ...
    def adjust_points(self) -> None: ...
    def next_language(self) -> None: ...
    def sign_in(self) -> None: ...
    def one_more(self) -> None: ...
    def one_fewer(self) -> None: ...


class TouchKeys(QObject):
    """Adds its keys to ``window.buttons`` (laid out and sized with the others) and its
    shortcuts to ``window.actions_by_key``."""

    def __init__(self, window: TouchKeysHost) -> None:
        super().__init__(window.window())
        self.window_ = window
        actions = {
            "adjustButton": window.adjust_points,
            "languageButton": window.next_language,
            "signInButton": window.sign_in,
            "moreButton": window.one_more,
            "fewerButton": window.one_fewer,
            "parkButton": self.park,
            "recallButton": self.recall,
            "reprintButton": self.reprint,
            "openPriceButton": self.open_price,
        }
        for name, action in actions.items():
            button = QPushButton(window.centralWidget())
            button.setObjectName(name)
            button.clicked.connect(action)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            window.buttons[name] = button
        # Search and favourites sit beside the scan field: where a product is added.
        row = forms.child(window.window(), QHBoxLayout, "scanRow")
        for name, action in (("searchButton", self.search), ("favouritesButton", self.favourites)):
            button = QPushButton(window.centralWidget())
            button.setObjectName(name)
            button.clicked.connect(action)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            window.scan_buttons[name] = button
        for button in window.scan_buttons.values():
            row.addWidget(button)
        shortcuts = {
            "Ctrl+H": self.park,
            "Ctrl+R": self.recall,
            "Ctrl+P": self.reprint,
            "Ctrl+O": self.open_price,
            "Ctrl+F": self.search,
            "Ctrl+G": self.favourites,
        }
        for key, action in shortcuts.items():
            QShortcut(QKeySequence(key), window.window(), action)
            window.actions_by_key[key] = action

    def labels(self) -> dict[str, str]:
        return {
            "adjustButton": self.tr("F6 Adjust"),
            "languageButton": self.tr("F7 中文/EN/ES"),
            "signInButton": self.tr("F11 Sign in"),
            "moreButton": self.tr("+1"),
            "fewerButton": self.tr("-1"),
            "parkButton": self.tr("Park"),
            "recallButton": self.tr("Recall"),
            "reprintButton": self.tr("Reprint"),
            "openPriceButton": self.tr("Open price"),
            "searchButton": self.tr("Ctrl+F Find"),
            "favouritesButton": self.tr("Ctrl+G Favourites"),
        }

    # -- park and recall
    def park(self) -> None:
        """Put the sale in progress aside (挂单)."""
        window = self.window_
        counter = window.counter

        def done(result: tuple[parking.ParkedSale, CounterView]) -> None:
            parked, view = result
            window.paint(view)
            window.show_message(
                self.tr("Sale parked (%1 items, %2). Recall it with Ctrl+R.")
                .replace("%1", str(parked.items))
                .replace("%2", yuan(parked.total))
            )

        window.submit(lambda: parking.park_sale(counter), done, writes=True)

    def recall(self) -> None:
        """Choose a parked sale to take back (取单)."""
        window = self.window_
        counter = window.counter

        def done(found: tuple[parking.ParkedSale, ...]) -> None:
            if not found:
                window.show_message(self.tr("No parked sales"), error=True)
                return
            window._open(RecallDialog(window, found))

        window.submit(lambda: parking.parked_sales(counter), done)

    def open_price(self) -> None:
        """An item without a price in the till, at the price typed (manager's PIN)."""
        from posloyalty.ui.open_price_dialog import OpenPriceDialog

        self.window_._open(OpenPriceDialog(self.window_))

    # -- product search, favourites, reprint
    def search(self) -> None:
        """Find a product by part of its name, SKU or barcode."""
        from posloyalty.ui.product_search import ProductSearchDialog

        self.window_._open(ProductSearchDialog(self.window_))

    def favourites(self) -> None:
        """The favourites grid (read on the worker, then shown)."""
        from posloyalty.ui.product_search import FavouritesDialog

        window = self.window_
        ctx = window.counter.ctx

        def done(found: tuple[catalogue.ProductHit, ...]) -> None:
            if not found:
                window.show_message(
                    self.tr("No favourites yet: they are the items this store sells most"),
                    error=True,
                )
                return
            window._open(FavouritesDialog(window, found))

        window.submit(lambda: catalogue.favourites(ctx), done)

    def reprint(self) -> None:
        """Print a receipt again by its number (the last one to start with), as a copy."""
        from posloyalty.ui.product_search import ReprintDialog

        self.window_._open(ReprintDialog(self.window_))


class RecallDialog(_Dialog):
    """The parked sales, oldest first; Enter or the key takes the chosen one back."""

    def __init__(self, window: CashierHost, parked: tuple[parking.ParkedSale, ...]) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Recall a parked sale"))
        zone = window.counter.ctx.zone
        self.list = QListWidget()
        for p in parked:
            text = (
                self.tr("%1 · %2 items · %3 · member %4 · cashier %5")
                .replace("%1", p.at.astimezone(zone).strftime("%H:%M"))
                .replace("%2", str(p.items))
                .replace("%3", yuan(p.total))
                .replace("%4", p.member_masked or "-")
                .replace("%5", p.cashier)
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.recall_button = QPushButton(self.tr("Recall"))
        self.recall_button.setMinimumHeight(window.metrics.button_height)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.recall_button)
        layout.addWidget(self.message)
        self.recall_button.clicked.connect(self.take)
        self.list.itemActivated.connect(lambda _item: self.take())
        self.resize(560, 360)
        self.list.setFocus()

    def take(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.message.setText(self.tr("Choose a parked sale"))
            return
        parked_id = str(item.data(Qt.ItemDataRole.UserRole))
        window = self.window_
        counter = window.counter

        def done(recalled: parking.Recalled) -> None:
            window.paint(recalled.view)
            text = self.tr("Sale recalled")
            if recalled.dropped:
                text += " " + self.tr("(left off: %1)").replace("%1", ", ".join(recalled.dropped))
            window.show_message(text, error=bool(recalled.dropped))
            self.accept()

        self.submit(lambda: parking.recall_sale(counter, parked_id), done, self.fail, writes=True)
