"""The customer display: a second window (or screen) with the cart, total, savings and points.

Idle (no sale), it shows the self-service registration QR. While the customer pays it shows
the change due; a finished sale stays as a thank-you with the change for :attr:`finished_ms`
and then the display goes back to idle. Fonts are large enough to read from a metre away. It
only paints the :class:`CounterView` the cashier window hands it.
"""

from __future__ import annotations

from posloyalty.domain.money import yuan
from posloyalty.terminal.checkout import State
from posloyalty.terminal.counter import CounterView
from posloyalty.ui import forms
from posloyalty.ui.models import CartModel
from posloyalty.ui.qt import (
    QEvent,
    QHeaderView,
    QLabel,
    QPixmap,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from posloyalty.ui.tier_names import tier_label


class CustomerDisplay(QWidget):
    def __init__(self, *, store_name: str, registration_qr: bytes = b"") -> None:
        super().__init__()
        # The cashier's keys and the scanner's keystrokes must stay with the cashier's window.
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus)
        form = forms.load("customer_display.ui")
        form.setWindowFlags(Qt.WindowType.Widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(form)
        self.resize(form.size())
        self.store_name = store_name
        self.welcome_label = forms.child(self, QLabel, "welcomeLabel")
        self.member_label = forms.child(self, QLabel, "memberLabel")
        self.cart_view = forms.child(self, QTableView, "cartView")
        self.qr_label = forms.child(self, QLabel, "qrLabel")
        self.savings_label = forms.child(self, QLabel, "savingsLabel")
        self.points_label = forms.child(self, QLabel, "pointsLabel")
        self.total_label = forms.child(self, QLabel, "totalLabel")
        self.change_label = forms.child(self, QLabel, "changeLabel")
        #: How long a finished sale stays on the display (ms) before it goes idle.
        self.finished_ms = 15_000
        #: The display shows a finished sale (thanks and change), not a sale in progress.
        self.thanks_shown = False
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.timeout.connect(self.show_idle)
        self._after_sale_idle = False
        self.cart_model = CartModel(self)
        self.cart_view.setModel(self.cart_model)
        for col in (2, 3, 5):
            self.cart_view.setColumnHidden(col, True)
        header = self.cart_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.cart_view.verticalHeader().setDefaultSectionSize(44)
        self._qr = QPixmap()
        self.view: CounterView | None = None
        self.set_registration_qr(registration_qr)

    def set_registration_qr(self, png: bytes) -> None:
        """The self-registration QR shown when idle (empty: none, e.g. HQ unreachable)."""
        pixmap = QPixmap()
        if png:
            pixmap.loadFromData(png)
            pixmap = pixmap.scaledToWidth(300)
        self._qr = pixmap
        if self.view is not None:
            self.paint(self.view)

    def show_idle(self) -> None:
        """Welcome (and the registration QR) until the next sale starts."""
        self._idle_timer.stop()
        self._after_sale_idle = True
        if self.view is not None:
            self.paint(self.view)

    def paint(self, view: CounterView) -> None:
        finished = view.state is State.COMMITTED
        if not finished:
            self._idle_timer.stop()
            self._after_sale_idle = False
        elif self.view is None or self.view.state is not State.COMMITTED:
            self._after_sale_idle = False
            self._idle_timer.start(self.finished_ms)
        idle = (not view.rows and view.member is None) or (finished and self._after_sale_idle)
        self.view = view
        self.thanks_shown = finished and not idle
        self._paint(view, idle=idle, finished=self.thanks_shown)

    def _paint(self, view: CounterView, *, idle: bool, finished: bool) -> None:
        self.cart_model.show(view.rows)
        self.cart_view.setVisible(not idle)
        self.qr_label.setVisible(idle and not self._qr.isNull())
        self.qr_label.setPixmap(self._qr)
        if idle:
            welcome = self.tr("Welcome to %1").replace("%1", self.store_name)
            if not self._qr.isNull():
                welcome += "\n" + self.tr("Scan to join and save today")
            self.welcome_label.setText(welcome)
        elif finished:
            self.welcome_label.setText(self.tr("Thank you! See you soon"))
        else:
            self.welcome_label.setText(
                self.tr("Member day: %1").replace("%1", view.member_day) if view.member_day else ""
            )
        m = None if idle else view.member
        self.member_label.setText(
            self.tr("%1 · %2 · %3 points")
            .replace("%1", m.name or m.member_id)
            .replace("%2", tier_label(None, m.tier_name, m.tier))
            .replace("%3", f"{m.points_available:,}")
            if m
            else ""
        )
        self.savings_label.setText(
            self.tr("You save %1").replace("%1", yuan(view.savings))
            if view.savings and not idle
            else ""
        )
        self.points_label.setText(
            self.tr("Points to earn: %1").replace("%1", str(view.points_to_earn))
            if m and view.points_to_earn
            else ""
        )
        self.total_label.setText(
            "" if idle else self.tr("Total %1").replace("%1", yuan(view.total))
        )
        self.change_label.setText(
            self.tr("Change: %1").replace("%1", yuan(view.change))
            if view.change and not idle
            else ""
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self.view is not None:
            self.cart_model.retranslate()
            self.paint(self.view)
        super().changeEvent(event)
