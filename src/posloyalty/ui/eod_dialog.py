"""F12: the end-of-day report and the cash drawer (opening float, cash in and out, the blind
count). The figures come from :mod:`posloyalty.terminal.eod` and
:mod:`posloyalty.terminal.drawer` on the window's worker; this dialog only shows them.

The count is blind: the cash the drawer should hold is shown only once a count is stored.
"""

from __future__ import annotations

import datetime as dt

from posloyalty.domain.money import MoneyError, parse_yuan, yuan
from posloyalty.terminal import drawer, eod
from posloyalty.ui.cashier_host import CashierHost
from posloyalty.ui.dialogs import _Dialog
from posloyalty.ui.qt import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)
from posloyalty.ui.receipt_doc import kind_name, method_name

__all__ = ["EodDialog"]


class EodDialog(_Dialog):
    """The report of a local business day (today by default) and today's drawer."""

    def __init__(self, window: CashierHost, day: dt.date | None = None) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("End of day and cash drawer"))
        ctx = window.counter.ctx
        self.day_edit = QLineEdit((day or ctx.now().date()).isoformat())
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.amount_edit = QLineEdit()
        self.amount_edit.setPlaceholderText("0.00")
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText(self.tr("Why (bank drop, change from the bank…)"))
        self.float_button = QPushButton(self.tr("Opening float"))
        self.in_button = QPushButton(self.tr("Cash in"))
        self.out_button = QPushButton(self.tr("Cash out"))
        self.count_button = QPushButton(self.tr("Count the drawer (blind)"))
        self.close_button = QPushButton(self.tr("Close"))
        box = QGroupBox(self.tr("Cash drawer (today)"))
        form = QFormLayout()
        form.addRow(self.tr("Amount"), self.amount_edit)
        form.addRow(self.tr("Reason"), self.reason_edit)
        keys = QGridLayout()
        height = window.metrics.button_height
        for i, button in enumerate(
            (self.float_button, self.in_button, self.out_button, self.count_button)
        ):
            button.setMinimumHeight(height)
            keys.addWidget(button, i // 2, i % 2)
        inner = QVBoxLayout(box)
        inner.addLayout(form)
        inner.addLayout(keys)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Day")))
        row.addWidget(self.day_edit)
        layout.addLayout(row)
        layout.addWidget(self.report, 1)
        layout.addWidget(box)
        layout.addWidget(self.message)
        self.close_button.setMinimumHeight(height)
        layout.addWidget(self.close_button)
        self.day_edit.returnPressed.connect(self.load)
        self.float_button.clicked.connect(lambda: self.record_movement("float"))
        self.in_button.clicked.connect(lambda: self.record_movement("cash_in"))
        self.out_button.clicked.connect(lambda: self.record_movement("cash_out"))
        self.count_button.clicked.connect(lambda: self.record_movement("count"))
        self.close_button.clicked.connect(self.reject)
        self.resize(560, 680)
        self.data: eod.EodReport | None = None
        self.load()

    def load(self) -> None:
        ctx = self.window_.counter.ctx
        try:
            day = dt.date.fromisoformat(self.day_edit.text().strip())
        except ValueError:
            self.message.setText(self.tr("Type the day as YYYY-MM-DD"))
            return

        def done(report: eod.EodReport) -> None:
            self.data = report
            self.report.setPlainText("\n".join(self.lines(report)))

        self.submit(lambda: eod.end_of_day(ctx.db, day, ctx.zone), done, self.fail)

    def lines(self, report: eod.EodReport) -> list[str]:
        """The report as the cashier reads it, in the window's language."""
        out = [
            self.tr("Day") + f": {report.day.isoformat()}",
            self.tr("Sales") + f": {report.sales_count}   {yuan(report.sales_total)}",
            self.tr("Returns") + f": {report.returns_count}   {yuan(-report.refunds_total)}",
            self.tr("Net") + f": {yuan(report.net_total)}",
            "",
            self.tr("Tenders (sales, refunds, net)"),
        ]
        for t in report.tenders:
            out.append(
                f"  {method_name(t.method)}: {yuan(t.sales)}   {yuan(-t.refunds)}   {yuan(t.net)}"
            )
        out.append(
            "  " + self.tr("Tenders total") + f": {yuan(sum(t.net for t in report.tenders))}"
        )
        out.append(self.tr("Discounts (points included)"))
        out.extend(f"  {kind_name(k)}: {yuan(v)}" for k, v in report.discounts_by_kind.items())
        d = report.drawer
        if d is not None:
            out += [
                "",
                self.tr("Cash drawer"),
                "  " + self.tr("Opening float") + f": {yuan(d.opening_float)}",
                "  " + self.tr("Cash in") + f": {yuan(d.cash_in)}",
                "  " + self.tr("Cash out") + f": {yuan(-d.cash_out)}",
                "  " + self.tr("Cash sales") + f": {yuan(d.cash_sales)}",
                "  " + self.tr("Cash refunds") + f": {yuan(-d.cash_refunds)}",
            ]
            if d.counted is None or d.difference is None:
                out.append("  " + self.tr("Expected cash: shown after the blind count"))
            else:
                out += [
                    "  " + self.tr("Expected in drawer") + f": {yuan(d.expected)}",
                    "  " + self.tr("Counted") + f": {yuan(d.counted)}",
                    "  " + self.tr("Difference") + f": {yuan(d.difference)}",
                ]
        out += [
            "",
            self.tr("Points issued") + f": {report.points_issued}",
            self.tr("Points redeemed") + f": {report.points_redeemed}",
            self.tr("New members") + f": {report.new_members}",
            self.tr("Members served") + f": {report.members_served}",
            self.tr("Uploads waiting") + f": {report.pending_outbox}",
        ]
        return out

    def record_movement(self, kind: str) -> None:
        """Store a drawer movement of today (``float``, ``cash_in``, ``cash_out``, ``count``)
        from the amount (and reason) typed, then show the report again."""
        try:
            amount = parse_yuan(self.amount_edit.text().strip().replace("¥", ""))
        except MoneyError:
            self.message.setText(self.tr("Type the amount in yuan, like 200 or 12.50"))
            return
        ctx = self.window_.counter.ctx
        reason = self.reason_edit.text()
        actions = {
            "float": lambda: drawer.open_float(ctx, amount),
            "cash_in": lambda: drawer.cash_in(ctx, amount, reason),
            "cash_out": lambda: drawer.cash_out(ctx, amount, reason),
            "count": lambda: drawer.blind_count(ctx, amount),
        }
        words = {
            "float": self.tr("Opening float %1 recorded"),
            "cash_in": self.tr("Cash in %1 recorded"),
            "cash_out": self.tr("Cash out %1 recorded"),
            "count": self.tr("Count %1 recorded"),
        }

        def done(_state: drawer.DrawerState) -> None:
            self.amount_edit.clear()
            self.reason_edit.clear()
            self.say(words[kind].replace("%1", yuan(amount)))
            self.day_edit.setText(ctx.now().date().isoformat())
            self.load()

        self.submit(actions[kind], done, self.fail, writes=True)
