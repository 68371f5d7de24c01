"""The pricing desk window: a Designer form over :class:`QuoteDesk`, keyboard first.

Every handler forwards the cashier's input to the desk and repaints from ``desk.view()``;
errors from the desk are shown in the window in plain words, never as a traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from posloyalty.domain.money import format_yuan
from posloyalty.resources import ui_dir
from posloyalty.terminal.quote_desk import DeskError, DeskView, QuoteDesk
from posloyalty.ui.models import BasketLinesModel
from posloyalty.ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDate,
    QDateTime,
    QDateTimeEdit,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QPushButton,
    QShortcut,
    QSpinBox,
    QTableView,
    QTime,
    QUiLoader,
    QWidget,
)

NON_MEMBER = "—"
KIND_LABELS = {
    "member_price": "Member price",
    "tier": "Tier discount",
    "member_day": "Member day",
    "coupon": "Coupon",
    "points": "Paid with points",
}


def load_form(name: str, parent: QWidget | None = None) -> QWidget:
    path = ui_dir() / name
    form = QUiLoader().load(str(path), parent)
    if form is None:
        raise RuntimeError(f"cannot load the Designer form {path}")
    return form


class PricingDeskWindow(QMainWindow):
    """Type a basket, pick a scheme and a member tier, and see the quote update live."""

    def __init__(self, desk: QuoteDesk, presets: Sequence[str]) -> None:
        super().__init__()
        self._desk = desk
        form = load_form("pricing_desk.ui")
        self._form = form
        central = form.findChild(QWidget, "centralwidget")
        if central is None:
            raise RuntimeError("pricing_desk.ui has no centralwidget")
        self.setCentralWidget(central)
        self.setWindowTitle(form.windowTitle())
        self.resize(form.size())
        if isinstance(form, QMainWindow):
            self.setStatusBar(form.statusBar())

        def child(cls: type, name: str) -> object:
            found = self.findChild(cls, name)
            if found is None:
                raise RuntimeError(f"pricing_desk.ui has no {cls.__name__} named {name!r}")
            return found

        self.preset_combo: QComboBox = child(QComboBox, "presetCombo")  # type: ignore[assignment]
        self.tier_combo: QComboBox = child(QComboBox, "tierCombo")  # type: ignore[assignment]
        self.points_spin: QSpinBox = child(QSpinBox, "pointsSpin")  # type: ignore[assignment]
        self.birthday_check: QCheckBox = child(QCheckBox, "birthdayCheck")  # type: ignore[assignment]
        self.at_edit: QDateTimeEdit = child(QDateTimeEdit, "atEdit")  # type: ignore[assignment]
        self.sku_edit: QLineEdit = child(QLineEdit, "skuEdit")  # type: ignore[assignment]
        self.qty_spin: QSpinBox = child(QSpinBox, "qtySpin")  # type: ignore[assignment]
        self.price_edit: QLineEdit = child(QLineEdit, "priceEdit")  # type: ignore[assignment]
        self.category_edit: QLineEdit = child(QLineEdit, "categoryEdit")  # type: ignore[assignment]
        self.special_check: QCheckBox = child(QCheckBox, "specialCheck")  # type: ignore[assignment]
        self.add_button: QPushButton = child(QPushButton, "addButton")  # type: ignore[assignment]
        self.remove_button: QPushButton = child(QPushButton, "removeButton")  # type: ignore[assignment]
        self.redeem_spin: QSpinBox = child(QSpinBox, "redeemSpin")  # type: ignore[assignment]
        self.gift_edit: QLineEdit = child(QLineEdit, "giftCardEdit")  # type: ignore[assignment]
        self.discounts_list: QListWidget = child(QListWidget, "discountsList")  # type: ignore[assignment]
        self.subtotal_label: QLabel = child(QLabel, "subtotalLabel")  # type: ignore[assignment]
        self.total_label: QLabel = child(QLabel, "totalLabel")  # type: ignore[assignment]
        self.earn_label: QLabel = child(QLabel, "earnLabel")  # type: ignore[assignment]
        self.problem_label: QLabel = child(QLabel, "problemLabel")  # type: ignore[assignment]
        self.lines_view: QTableView = child(QTableView, "linesView")  # type: ignore[assignment]

        self.lines_model = BasketLinesModel(self)
        self.lines_view.setModel(self.lines_model)
        self.lines_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.preset_combo.addItems(list(presets))
        self.preset_combo.setCurrentText(desk.view().preset)
        now = desk.view().at
        self.at_edit.setDateTime(
            QDateTime(QDate(now.year, now.month, now.day), QTime(now.hour, now.minute))
        )
        self._fill_tiers()

        self.preset_combo.currentTextChanged.connect(self._on_preset)
        self.tier_combo.currentIndexChanged.connect(self._on_member)
        self.points_spin.valueChanged.connect(self._on_member)
        self.birthday_check.toggled.connect(self._on_member)
        self.at_edit.dateTimeChanged.connect(self._on_time)
        self.add_button.clicked.connect(self.add_line)
        self.remove_button.clicked.connect(self.remove_selected_line)
        for edit in (self.sku_edit, self.price_edit, self.category_edit):
            edit.returnPressed.connect(self.add_line)
        self.redeem_spin.valueChanged.connect(self._on_payment)
        self.gift_edit.editingFinished.connect(self._on_payment)
        QShortcut(QKeySequence("Delete"), self.lines_view).activated.connect(
            self.remove_selected_line
        )
        QShortcut(QKeySequence("Escape"), self).activated.connect(self.clear_basket)
        self._on_time()
        self.sku_edit.setFocus()

    # ------------------------------------------------------------ forwarding input
    def _guard(self, action: object) -> bool:
        try:
            action()  # type: ignore[operator]
        except DeskError as exc:
            self.problem_label.setText(str(exc))
            return False
        return True

    def _fill_tiers(self) -> None:
        view = self._desk.view()
        self.tier_combo.blockSignals(True)
        self.tier_combo.clear()
        self.tier_combo.addItem(NON_MEMBER, None)
        for tier_id, name in view.tiers:
            self.tier_combo.addItem(f"{name} ({tier_id})", tier_id)
        index = self.tier_combo.findData(view.member_tier)
        self.tier_combo.setCurrentIndex(max(index, 0))
        self.tier_combo.blockSignals(False)

    def _on_preset(self, name: str) -> None:
        if self._guard(lambda: self._desk.choose_preset(name)):
            self._fill_tiers()
            self._on_member()

    def _on_member(self, *_: object) -> None:
        tier = self.tier_combo.currentData()
        birthday = self._sale_date() if self.birthday_check.isChecked() else None
        self._guard(
            lambda: self._desk.set_member(tier, points=self.points_spin.value(), birthday=birthday)
        )
        self.refresh()

    def _sale_date(self) -> dt.date:
        return self._desk.view().at.date()

    def _on_time(self, *_: object) -> None:
        qdt = self.at_edit.dateTime()
        day, time = qdt.date(), qdt.time()
        local = dt.datetime(
            day.year(),
            day.month(),
            day.day(),
            time.hour(),
            time.minute(),
            tzinfo=self._desk.view().at.tzinfo,
        )
        self._guard(lambda: self._desk.set_time(local))
        self._on_member()

    def _on_payment(self, *_: object) -> None:
        self._guard(lambda: self._desk.set_redeem_points(self.redeem_spin.value()))
        self._guard(lambda: self._desk.set_gift_card(self.gift_edit.text().strip()))
        self.refresh()

    def add_line(self) -> None:
        added = self._guard(
            lambda: self._desk.add_line(
                self.sku_edit.text(),
                self.qty_spin.value(),
                self.price_edit.text().strip(),
                special=self.special_check.isChecked(),
                category=self.category_edit.text(),
            )
        )
        if added:
            self.sku_edit.clear()
            self.price_edit.clear()
            self.qty_spin.setValue(1)
            self.special_check.setChecked(False)
            self.sku_edit.setFocus()
            self.refresh()

    def remove_selected_line(self) -> None:
        rows = self.lines_view.selectionModel().selectedRows()
        if rows and self._guard(lambda: self._desk.remove_line(rows[0].row())):
            self.refresh()

    def clear_basket(self) -> None:
        self._desk.clear()
        self.redeem_spin.setValue(0)
        self.gift_edit.clear()
        self.refresh()

    # ------------------------------------------------------------ display
    def refresh(self) -> None:
        self.show_view(self._desk.view())

    def show_view(self, view: DeskView) -> None:
        q = view.quote
        self.lines_model.show(view.lines, q.lines if q else ())
        self.discounts_list.clear()
        if q is not None:
            for discount in q.discounts:
                label = KIND_LABELS.get(discount.kind, discount.kind)
                self.discounts_list.addItem(
                    f"{label} · {discount.rule}: −¥{format_yuan(discount.amount)}"
                )
            for rejected in q.rejected_coupons:
                self.discounts_list.addItem(
                    f"Coupon {rejected.code} not applied: {rejected.reason}"
                )
            self.subtotal_label.setText(f"Subtotal ¥{format_yuan(q.subtotal)}")
            extra = []
            if q.member_day:
                extra.append("member day")
            if q.birthday:
                extra.append("birthday")
            note = f" ({', '.join(extra)})" if extra else ""
            self.earn_label.setText(
                f"Points to earn: {q.points_earned}{note} · growth {q.growth_earned}"
            )
        else:
            self.subtotal_label.setText("Subtotal ¥0.00")
            self.earn_label.setText("")
        self.total_label.setText(f"Total {view.total_text}")
        self.problem_label.setText(view.problem)
        self.statusBar().showMessage(f"{view.scheme_name} · {view.at:%Y-%m-%d %H:%M %a}")
