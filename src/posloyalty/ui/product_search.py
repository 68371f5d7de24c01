"""Touch ways to add a product and to print a receipt again: product search (Ctrl+F: part of
a name, SKU or barcode, pick from the results), the favourites grid (Ctrl+G: one tap adds
one), and the receipt reprint by number (Ctrl+P). Lookups run on the window's worker
(:mod:`posloyalty.terminal.catalogue`, :mod:`posloyalty.terminal.reprint`); these dialogs
only ask and show.
"""

from __future__ import annotations

from dataclasses import replace

from posloyalty.devices.receipt import PrinterError, ReceiptRow, print_receipt, render_png
from posloyalty.domain.money import yuan
from posloyalty.terminal import catalogue
from posloyalty.terminal.catalogue import ProductHit
from posloyalty.terminal.counter import ScanResult
from posloyalty.terminal.reprint import receipt_copy
from posloyalty.ui.cashier_host import CashierHost
from posloyalty.ui.dialogs import _Dialog
from posloyalty.ui.qt import (
    QCoreApplication,
    QDialogButtonBox,
    QEvent,
    QGridLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QObject,
    QPushButton,
    QSizePolicy,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)

__all__ = ["FavouritesDialog", "ProductSearchDialog", "ReprintDialog", "copy_of"]


def _sized(widget: QWidget, px: int) -> None:
    """Typed codes and results at the scan field's size (the dialog's body text is smaller)."""
    font = widget.font()
    font.setPixelSize(px)
    widget.setFont(font)


def _added(window: CashierHost, result: ScanResult) -> None:
    window.paint(result.view)
    window.show_message(
        QCoreApplication.translate("CashierWindow", "Added %1").replace("%1", result.text)
    )


class ProductSearchDialog(_Dialog):
    """Type part of a name, SKU or barcode; the results follow the typing (looked up on the
    worker, a pause after the last key). Down moves into the list, Enter or a tap adds the
    chosen product and closes."""

    #: Pause after the last key before the catalogue is asked (ms).
    DELAY_MS = 150

    def __init__(self, window: CashierHost) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Find a product"))
        height = window.metrics.button_height
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Part of the name, SKU or barcode"))
        self.search_edit.setMinimumHeight(height)
        _sized(self.search_edit, window.metrics.scan)
        self.results = QListWidget()
        self.results.setUniformItemSizes(True)
        # Results are touch targets: the cart's text size, spaced apart.
        _sized(self.results, window.metrics.cart)
        self.results.setSpacing(max(4, window.metrics.button_height // 8))
        self.add_button = QPushButton(self.tr("Add"))
        self.close_button = QPushButton(self.tr("Close"))
        for button in (self.add_button, self.close_button):
            button.setMinimumHeight(height)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.message)
        keys = QGridLayout()
        keys.addWidget(self.add_button, 0, 0)
        keys.addWidget(self.close_button, 0, 1)
        layout.addLayout(keys)
        #: The text the list shows results for (a late answer for older text is dropped).
        self.shown_for = ""
        self._asked = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.look_up)
        self.search_edit.textEdited.connect(lambda _t: self._timer.start(self.DELAY_MS))
        self.search_edit.returnPressed.connect(self._enter)
        self.search_edit.installEventFilter(self)
        self.results.itemClicked.connect(lambda _item: self.add_chosen())
        self.results.itemActivated.connect(lambda _item: self.add_chosen())
        self.add_button.clicked.connect(self.add_chosen)
        self.close_button.clicked.connect(self.reject)
        self.resize(round(620 * window.metrics.scale), round(480 * window.metrics.scale))
        self.search_edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.results.count()
        ):
            self.results.setFocus()
            self.results.setCurrentRow(max(self.results.currentRow(), 0))
            return True
        return super().eventFilter(watched, event)

    def look_up(self) -> None:
        """Ask the catalogue for the text typed (on the worker)."""
        self._timer.stop()
        text = self.search_edit.text()
        if len(" ".join(text.split())) < catalogue.MIN_SEARCH:
            self.results.clear()
            self.shown_for = text
            self.message.setText("")
            return
        self._asked = text
        ctx = self.window_.counter.ctx

        def done(hits: tuple[ProductHit, ...]) -> None:
            if text != self.search_edit.text():
                return  # the cashier typed on: a newer answer follows
            self._show(text, hits)

        self.submit(lambda: catalogue.search(ctx, text), done, self.fail)

    def _show(self, text: str, hits: tuple[ProductHit, ...]) -> None:
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.name}   {yuan(hit.price_fen)}   {hit.sku}")
            item.setData(Qt.ItemDataRole.UserRole, hit.sku)
            self.results.addItem(item)
        self.shown_for = text
        if hits:
            self.results.setCurrentRow(0)
            self.message.setText("")
        else:
            self.message.setStyleSheet("color:#b71c1c;")
            self.message.setText(self.tr("No product matches %1").replace("%1", text.strip()))

    def _enter(self) -> None:
        # Enter in the field: the first result for what is typed (looked up first if the
        # answer for the last keys is not in yet).
        if self.shown_for == self.search_edit.text() and self.results.count():
            self.add_chosen()
        else:
            self.look_up()

    def add_chosen(self) -> None:
        item = self.results.currentItem()
        if item is None:
            self.message.setText(self.tr("Choose a product from the list"))
            return
        sku = str(item.data(Qt.ItemDataRole.UserRole))
        window = self.window_
        counter = window.counter

        def done(result: ScanResult) -> None:
            _added(window, result)
            self.accept()

        self.submit(lambda: catalogue.add_product(counter, sku), done, self.fail)

    def accept_scan(self, text: str) -> bool:
        # A scan while searching is the product itself: close and let the sale take it.
        self.reject()
        return False


class FavouritesDialog(_Dialog):
    """The favourites grid: one tap adds one of the item, and the grid stays for the next
    tap; Esc or Close goes back to the sale."""

    def __init__(self, window: CashierHost, products: tuple[ProductHit, ...]) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Favourites"))
        m = window.metrics
        columns = 5 if m.key_columns > 7 else 4
        grid_box = QWidget()
        grid = QGridLayout(grid_box)
        #: The grid's keys by SKU, in the grid's order.
        self.keys: dict[str, QPushButton] = {}
        for i, hit in enumerate(products):
            key = QPushButton(f"{hit.name}\n{yuan(hit.price_fen)}")
            key.setObjectName(f"favourite_{hit.sku}")
            key.setMinimumHeight(round(m.button_height * 1.6))
            key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            key.setToolTip(hit.sku)
            key.clicked.connect(lambda _c=False, sku=hit.sku: self.add(sku))
            grid.addWidget(key, i // columns, i % columns)
            self.keys[hit.sku] = key
        for col in range(columns):
            grid.setColumnStretch(col, 1)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setMinimumHeight(m.button_height)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(grid_box, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.close_button)
        self.resize(round(760 * m.scale), round(120 * m.scale) + grid.rowCount() * 80)

    def add(self, sku: str) -> None:
        window = self.window_
        counter = window.counter

        def done(result: ScanResult) -> None:
            _added(window, result)
            self.say(self.tr("Added %1").replace("%1", result.text))

        self.submit(lambda: catalogue.add_product(counter, sku), done, self.fail)

    def accept_scan(self, text: str) -> bool:
        self.reject()
        return False


def copy_of(doc_rows: tuple[ReceiptRow, ...]) -> tuple[ReceiptRow, ...]:
    """A receipt's rows marked as a copy at the top."""
    mark = QCoreApplication.translate("Receipt", "COPY")
    return (ReceiptRow(mark, style="center"), *doc_rows)


class ReprintDialog(_Dialog):
    """Ctrl+P: a receipt number (the last sale's to start with; a receipt's barcode scans
    in) printed again, marked as a copy, and shown."""

    def __init__(self, window: CashierHost) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Print a receipt again"))
        height = window.metrics.button_height
        self.code_edit = QLineEdit()
        self.code_edit.setMinimumHeight(height)
        _sized(self.code_edit, window.metrics.scan)
        self.code_edit.setPlaceholderText(self.tr("Receipt number"))
        if window.last_receipt is not None:
            self.code_edit.setText(window.last_receipt.receipt_code)
            self.code_edit.selectAll()
        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton(
            self.tr("Print copy"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        close = buttons.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        for button in (self.print_button, close):
            button.setMinimumHeight(height)
        buttons.accepted.connect(self.print_copy)
        buttons.rejected.connect(self.reject)
        self.code_edit.returnPressed.connect(self.print_copy)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Receipt number")))
        layout.addWidget(self.code_edit)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(round(520 * window.metrics.scale), 10)

    def accept_scan(self, text: str) -> bool:
        self.code_edit.setText(text.strip())
        self.print_copy()
        return True

    def print_copy(self) -> None:
        code = self.code_edit.text().strip()
        window = self.window_
        ctx, printer, make_doc = window.counter.ctx, window.printer, window._receipt_doc

        def work() -> tuple[str, bytes, str]:
            receipt = receipt_copy(ctx, code)
            doc = make_doc(receipt)
            copy = replace(doc, rows=copy_of(doc.rows))
            problem = ""
            if printer is not None:
                try:
                    print_receipt(copy, printer)
                except PrinterError as exc:
                    problem = str(exc)
            return receipt.receipt_code, render_png(copy), problem

        def done(result: tuple[str, bytes, str]) -> None:
            from posloyalty.ui.dialogs import ReceiptDialog

            printed, png, problem = result
            text = self.tr("Receipt %1 printed again").replace("%1", printed)
            window.show_message(f"{text} {problem}".strip(), error=bool(problem))
            self.accept()
            window._open(ReceiptDialog(window, png))

        self.submit(work, done, self.fail)
