"""F8: a return against a receipt. Scan the receipt, choose quantities and the refund tender,
see what will be refunded (lines, money by tender, points taken back and given back), then
confirm; a manager's id and PIN are asked for above the till's refund limit.

What is refunded and by which tender is decided by :mod:`posloyalty.terminal.returns` (rule:
:mod:`posloyalty.domain.refunds`) on the window's worker; this dialog only shows it. Nothing is
refunded until the cashier presses the confirm key on a review of exactly what is chosen.
"""

from __future__ import annotations

from posloyalty.domain.money import yuan
from posloyalty.domain.refunds import ORIGINAL
from posloyalty.terminal import returns
from posloyalty.ui.cashier_host import CashierHost
from posloyalty.ui.dialogs import _Dialog
from posloyalty.ui.models import ReturnLinesModel
from posloyalty.ui.qt import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from posloyalty.ui.receipt_doc import method_name

__all__ = ["ReturnDialog"]

_Key = tuple[str, tuple[tuple[int, int], ...], str]


class ReturnDialog(_Dialog):
    """Scan, choose, review, confirm."""

    def __init__(self, window: CashierHost) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Return"))
        height = window.metrics.button_height
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(self.tr("Scan the receipt barcode"))
        self.lines_model = ReturnLinesModel(self)
        self.lines_view = QTableView()
        self.lines_view.setModel(self.lines_model)
        self.lines_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.tender_combo = QComboBox()
        self.tender_combo.setMinimumHeight(height)
        self.reason_edit = QLineEdit()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        self.manager_box = QWidget()
        self.manager_edit = QLineEdit()
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        manager_form = QFormLayout(self.manager_box)
        manager_form.setContentsMargins(0, 0, 0, 0)
        manager_form.addRow(self.tr("Manager id"), self.manager_edit)
        manager_form.addRow(self.tr("Manager PIN"), self.pin_edit)
        self.manager_box.hide()
        self.review_button = QPushButton(self.tr("Review refund"))
        self.confirm_button = QPushButton(self.tr("Confirm refund"))
        self.close_button = QPushButton(self.tr("Close"))
        for button in (self.review_button, self.confirm_button, self.close_button):
            button.setMinimumHeight(height)
        self.confirm_button.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Receipt code")))
        layout.addWidget(self.code_edit)
        layout.addWidget(self.summary)
        layout.addWidget(self.lines_view, 1)
        form = QFormLayout()
        form.addRow(self.tr("Refund by"), self.tender_combo)
        form.addRow(self.tr("Reason"), self.reason_edit)
        layout.addLayout(form)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.manager_box)
        keys = QHBoxLayout()
        keys.addWidget(self.review_button)
        keys.addWidget(self.confirm_button)
        keys.addWidget(self.close_button)
        layout.addLayout(keys)
        layout.addWidget(self.message)

        self.code_edit.returnPressed.connect(self.look_up)
        # Enter in the reason (or PIN) field reviews; only the confirm key refunds.
        self.reason_edit.returnPressed.connect(self.review)
        self.review_button.clicked.connect(self.review)
        self.confirm_button.clicked.connect(self.confirm)
        self.close_button.clicked.connect(self.reject)
        self.lines_model.dataChanged.connect(lambda *_a: self._stale())
        self.tender_combo.activated.connect(lambda _i: self.review())
        self.sale: returns.OriginalSale | None = None
        self.preview: returns.ReturnPreview | None = None
        self.refunded: returns.ReturnReceipt | None = None
        self._reviewed: _Key | None = None
        self.resize(720, 600)

    # -- the receipt
    def accept_scan(self, text: str) -> bool:
        self.code_edit.setText(text.strip())
        self.look_up()
        return True

    def look_up(self, *, review: bool = True) -> None:
        """Find the receipt's sale and show its lines; ``review``: and what a return of
        everything still returnable would refund."""
        code = self.code_edit.text().strip()
        ctx = self.window_.counter.ctx

        def done(sale: returns.OriginalSale) -> None:
            self.sale = sale
            self.lines_model.show(sale.lines)
            self.summary.setText(
                self.tr("Sale %1 of %2, total %3")
                .replace("%1", sale.receipt_code)
                .replace("%2", sale.at.astimezone(ctx.zone).strftime("%Y-%m-%d %H:%M"))
                .replace("%3", yuan(sale.total))
            )
            if review:
                self.refunded = None
                self.tender_combo.clear()
                self.message.setText("")
                self.review()

        self._stale()
        self.submit(lambda: returns.find_sale(ctx, receipt=code), done, self.fail)

    # -- review and confirm
    def _key(self) -> _Key | None:
        if self.sale is None:
            return None
        wanted = tuple(sorted(self.lines_model.wanted().items()))
        tender = self.tender_combo.currentData() or ORIGINAL
        return (self.sale.receipt_code, wanted, str(tender))

    def _stale(self) -> None:
        """The choice changed: what was reviewed no longer stands."""
        self._reviewed = None
        self.confirm_button.setEnabled(False)

    def review(self) -> None:
        """Show what would be refunded for the lines and tender chosen (nothing stored)."""
        key = self._key()
        if key is None:
            self.message.setText(self.tr("Scan the receipt first"))
            return
        receipt, wanted, tender = key
        if not wanted:
            self._stale()
            self.preview_label.setText("")
            self.message.setText(self.tr("Nothing chosen to return"))
            return
        ctx = self.window_.counter.ctx
        self._stale()

        def done(preview: returns.ReturnPreview) -> None:
            self.preview = preview
            self._fill_tenders(preview)
            self.preview_label.setText(self.describe(preview))
            self.manager_box.setVisible(preview.needs_manager)
            self.message.setText("")
            if self._key() == key:
                self._reviewed = key
                self.confirm_button.setEnabled(True)
                self.confirm_button.setFocus()

        self.submit(
            lambda: returns.preview_return(ctx, receipt=receipt, lines=dict(wanted), tender=tender),
            done,
            self._refused,
        )

    def _refused(self, exc: Exception) -> None:
        self._stale()
        self.preview_label.setText("")
        self.fail(exc)

    def _fill_tenders(self, preview: returns.ReturnPreview) -> None:
        combo = self.tender_combo
        wanted = [ORIGINAL, *(m for m, v in preview.tenders_left.items() if v > 0)]
        have = [combo.itemData(i) for i in range(combo.count())]
        if have == wanted:
            return
        combo.clear()
        combo.addItem(self.tr("Original tenders"), ORIGINAL)
        for method in wanted[1:]:
            combo.addItem(
                self.tr("%1 first (up to %2)")
                .replace("%1", method_name(method))
                .replace("%2", yuan(preview.tenders_left[method])),
                method,
            )
        combo.setCurrentIndex(max(wanted.index(preview.tender), 0))

    def describe(self, p: returns.ReturnPreview) -> str:
        """The review in the window's language."""
        rows = [
            self.tr("%1 × %2: %3")
            .replace("%1", str(ln.qty))
            .replace("%2", ln.name)
            .replace("%3", yuan(ln.refund))
            for ln in p.lines
        ]
        rows.append(self.tr("Refund %1").replace("%1", yuan(p.refund_total)))
        rows.append(
            self.tr("By tender: %1").replace(
                "%1", ", ".join(f"{method_name(m)} {yuan(v)}" for m, v in p.refunds.items()) or "-"
            )
        )
        if p.member_id is not None:
            rows.append(
                self.tr("Points taken back %1, points given back %2")
                .replace("%1", f"{p.points_reversed:,}")
                .replace("%2", f"{p.points_refunded:,}")
            )
        if p.needs_manager and p.manager_above is not None:
            rows.append(
                self.tr("A manager approves refunds above %1: manager id and PIN").replace(
                    "%1", yuan(p.manager_above)
                )
            )
        return "\n".join(rows)

    def confirm(self) -> None:
        """Refund exactly what was reviewed (a changed choice must be reviewed again)."""
        key = self._key()
        if key is None:
            self.message.setText(self.tr("Scan the receipt first"))
            return
        if self._reviewed is None or key != self._reviewed:
            self.message.setText(self.tr("Review the refund first"))
            return
        receipt, wanted, tender = key
        ctx = self.window_.counter.ctx
        reason = self.reason_edit.text()
        manager, pin = self.manager_edit.text(), self.pin_edit.text()
        self.pin_edit.clear()
        self._stale()

        def done(result: returns.ReturnReceipt) -> None:
            self.refunded = result
            refunds = ", ".join(f"{method_name(m)} {yuan(v)}" for m, v in result.refunds.items())
            self.say(
                self.tr("Refunded %1 (%2). Points taken back %3, points refunded %4.")
                .replace("%1", yuan(result.refund_total))
                .replace("%2", refunds)
                .replace("%3", str(result.points_reversed))
                .replace("%4", str(result.points_refunded))
            )
            self.window_.refresh_status()
            self.close_button.setFocus()
            self.look_up(review=False)  # what is still returnable now; no second review

        def failed(exc: Exception) -> None:
            self.fail(exc)
            self._reviewed = key  # nothing was refunded: the same review may be confirmed
            self.confirm_button.setEnabled(True)

        self.submit(
            lambda: returns.process_return(
                ctx,
                receipt=receipt,
                lines=dict(wanted),
                reason=reason,
                tender=tender,
                manager_id=manager,
                manager_pin=pin,
            ),
            done,
            failed,
            writes=True,
        )
