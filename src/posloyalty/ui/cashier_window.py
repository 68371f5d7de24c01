"""The cashier window: a Designer form over :class:`Counter`, keyboard first, scan anywhere.

Widgets decide nothing: every action is a call on the counter (or a terminal service) run by
:class:`OpRunner` off the UI thread, and the window paints the :class:`CounterView` that comes
back. A refused action shows its message in plain words; the sale in progress stays as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from posloyalty.devices.qr import link_qr_png
from posloyalty.devices.receipt import PrinterError, ReceiptDoc, print_receipt, render_png
from posloyalty.domain.money import yuan
from posloyalty.terminal.card_link import member_card_url
from posloyalty.terminal.checkout import Receipt
from posloyalty.terminal.counter import Counter, CounterView, MemberPanel, ScanResult
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.integrity_gate import IntegrityGate
from posloyalty.terminal.status import SyncSource, SyncStatus, from_sync_state, probe
from posloyalty.terminal.sync_setup import registration_link
from posloyalty.ui import forms, i18n
from posloyalty.ui.error_text import plain_error
from posloyalty.ui.models import CartModel
from posloyalty.ui.qt import (
    QAbstractItemView,
    QCloseEvent,
    QDialog,
    QEvent,
    QFont,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMainWindow,
    QObject,
    QPushButton,
    QRect,
    QShortcut,
    QSizePolicy,
    QStatusBar,
    Qt,
    QTableView,
    QTimer,
    QWidget,
    Signal,
    is_alive,
)
from posloyalty.ui.receipt_doc import receipt_doc
from posloyalty.ui.scaling import KEYS_NARROW, Metrics, metrics_for
from posloyalty.ui.tier_names import tier_label
from posloyalty.ui.workers import OpRunner

log = logging.getLogger("posloyalty.ui")

TIER_COLOURS = {0: "#9e9e9e", 1: "#607d8b", 2: "#f9a825", 3: "#6a1b9a"}


class _Refused(Exception):
    """A refused action with the view computed after it on the worker (the UI thread never
    reads the store, not even to repaint after a refusal)."""

    def __init__(self, original: Exception, view: CounterView | None) -> None:
        super().__init__(str(original))
        self.original = original
        self.view = view


def _set_style(widget: QWidget, sheet: str) -> None:
    """A style sheet set only when it changes: setting one re-polishes the widget and lays its
    window out again, which a scan's repaint must not wait for when nothing changed."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


def _font(px: int, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(px)
    font.setBold(bold)
    return font


class _SyncRelay(QObject):
    """Carries "the sync state changed" from the sync thread to the UI thread."""

    changed = Signal()


class CashierWindow(QMainWindow):
    """The till. Public methods are what keys, buttons and tests call."""

    #: Emitted after every repaint with the view shown (customer display, benchmarks).
    painted = Signal(object)
    #: Emitted when a sale was committed, with its receipt.
    committed = Signal(object)

    def __init__(
        self,
        counter: Counter,
        *,
        hq_url: str | None = None,
        printer: Any = None,
        printer_name: str = "",
        status_interval_ms: int = 5000,
    ) -> None:
        super().__init__()
        self.counter = counter
        self.hq_url = hq_url
        self.printer = printer
        #: The receipt printer setting as configured (``file:...``, ``network:...``).
        self.printer_name = printer_name
        self.ops = OpRunner(self, name="checkout")
        self.status_ops = OpRunner(self, name="status")
        #: The background integrity check and the gate it sets on commits.
        self.integrity = IntegrityGate()
        # The first paint needs no store; the worker's view follows at once.
        self.view: CounterView = counter.idle_view()
        #: How long a message stays (ms): information, then refusals.
        self.message_ms = 8000
        self.error_ms = 15000
        #: How long a first Esc stays armed (ms).
        self.esc_ms = 4000
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.clear_message)
        self._esc_timer = QTimer(self)
        self._esc_timer.setSingleShot(True)
        self._esc_timer.timeout.connect(self._disarm_esc)
        self.last_receipt: Receipt | None = None
        self.last_receipt_png: bytes = b""
        self.last_receipt_doc: ReceiptDoc | None = None
        #: Member codes registered at this till and not yet on a receipt (their card QR).
        self.new_member_codes: set[str] = set()
        self.last_message = ""
        self.sync_status: SyncStatus | None = None
        self._esc_armed = False
        self._last_ok: dt.datetime | None = None
        self.sync_worker: SyncSource | None = None
        #: A sync worker this window started (after an enrolment) and stops on close.
        self.own_sync_worker: SyncSource | None = None
        self._sync_relay = _SyncRelay(self)
        self._sync_relay.changed.connect(self._sync_changed)

        form = forms.load("cashier.ui")
        self._form = form
        central = forms.child(form, QWidget, "centralwidget")
        self.setCentralWidget(central)
        c = central
        self.cart_view = forms.child(c, QTableView, "cartView")
        self.scan_edit = forms.child(c, QLineEdit, "scanEdit")
        self.message_label = forms.child(c, QLabel, "messageLabel")
        self.member_day_banner = forms.child(c, QLabel, "memberDayBanner")
        self.birthday_banner = forms.child(c, QLabel, "birthdayBanner")
        self.member_box = forms.child(c, QGroupBox, "memberBox")
        self.no_member_label = forms.child(c, QLabel, "noMemberLabel")
        self.member_name_label = forms.child(c, QLabel, "memberNameLabel")
        self.tier_badge = forms.child(c, QLabel, "tierBadge")
        self.phone_label = forms.child(c, QLabel, "phoneLabel")
        self.points_label = forms.child(c, QLabel, "pointsLabel")
        self.pending_label = forms.child(c, QLabel, "pendingLabel")
        self.growth_label = forms.child(c, QLabel, "growthLabel")
        self.next_tier_label = forms.child(c, QLabel, "nextTierLabel")
        self.coupons_label = forms.child(c, QLabel, "couponsLabel")
        self.lifecycle_label = forms.child(c, QLabel, "lifecycleLabel")
        self.unverified_label = forms.child(c, QLabel, "unverifiedLabel")
        self.subtotal_label = forms.child(c, QLabel, "subtotalLabel")
        self.savings_label = forms.child(c, QLabel, "savingsLabel")
        self.redeem_label = forms.child(c, QLabel, "redeemLabel")
        self.earn_label = forms.child(c, QLabel, "earnLabel")
        self.total_label = forms.child(c, QLabel, "totalLabel")
        self.total_caption = forms.child(c, QLabel, "totalCaption")
        self.totals_box = forms.child(c, QGroupBox, "totalsBox")
        self.keys_grid = forms.child(c, QGridLayout, "keysGrid")
        main_layout = forms.child(c, QHBoxLayout, "mainLayout")
        main_layout.setStretch(0, 3)
        main_layout.setStretch(1, 2)
        # Long member texts wrap inside the panel instead of widening the window.
        for label in (
            self.no_member_label,
            self.next_tier_label,
            self.coupons_label,
            self.lifecycle_label,
            self.unverified_label,
            self.member_day_banner,
            self.birthday_banner,
        ):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.total_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.cart_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.metrics: Metrics = metrics_for(1366, 768)

        self.cart_model = CartModel(self)
        self.cart_view.setModel(self.cart_model)
        self.cart_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cart_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.cart_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        bar = QStatusBar(self)
        self.setStatusBar(bar)
        self.cashier_status = QLabel(bar)
        self.online_status = QLabel(bar)
        self.pending_status = QLabel(bar)
        self.sync_time_status = QLabel(bar)
        for label in (self.cashier_status, self.online_status, self.pending_status):
            bar.addPermanentWidget(label)
        bar.addPermanentWidget(self.sync_time_status)
        self.online_status.mousePressEvent = lambda _e: self.show_sync_details()  # type: ignore[method-assign]

        self.actions_by_key: dict[str, Callable[[], None]] = {
            "F1": self.show_help,
            "F2": self.member_lookup,
            "F3": self.coupon_entry,
            "F4": self.toggle_points,
            "F5": self.pay,
            "F6": self.adjust_points,
            "F7": self.next_language,
            "F8": self.start_return,
            "F9": self.void_selected_line,
            "F10": self.open_settings,
            "F11": self.sign_in,
            "F12": self.end_of_day,
            "Escape": self.cancel_key,
            "*": self.change_qty,
            "+": self.one_more,
            "-": self.one_fewer,
        }
        for key, action in self.actions_by_key.items():
            QShortcut(QKeySequence(key), self, action)
        buttons = {
            "helpButton": self.show_help,
            "memberButton": self.member_lookup,
            "couponButton": self.coupon_entry,
            "pointsButton": self.toggle_points,
            "payButton": self.pay,
            "returnButton": self.start_return,
            "voidButton": self.void_selected_line,
            "qtyButton": self.change_qty,
            "settingsButton": self.open_settings,
            "eodButton": self.end_of_day,
            "cancelButton": self.cancel_key,
        }
        self.buttons: dict[str, QPushButton] = {}
        for name, action in buttons.items():
            button = forms.child(c, QPushButton, name)
            button.clicked.connect(action)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            self.buttons[name] = button
        from posloyalty.ui.touch_keys import TouchKeys

        #: Keys beside the scan field (product search, favourites), sized like the others.
        self.scan_buttons: dict[str, QPushButton] = {}
        #: Keys for every other action (touch), park, recall and reprint.
        self.touch_keys = TouchKeys(self)
        self.scan_edit.returnPressed.connect(self._typed_code)
        self.scan_edit.textEdited.connect(self._scan_text_edited)

        self.dialog: QDialog | None = None
        self.customer_display: Any = None
        self._link_timer = QTimer(self)
        self._link_timer.timeout.connect(self.refresh_registration_qr)
        self._status_timer = QTimer(self)
        self._status_timer.timeout.connect(self.refresh_status)
        if status_interval_ms > 0:
            self._status_timer.start(status_interval_ms)
        self.apply_metrics(self.metrics)
        self.retranslate()
        self.paint(self.view)
        self.submit(counter.view)
        self.refresh_status()
        self.scan_edit.setFocus()

    # ------------------------------------------------------------------ screen
    def apply_metrics(self, metrics: Metrics) -> None:
        """Text and touch-target sizes for the screen (see :mod:`posloyalty.ui.scaling`)."""
        self.metrics = m = metrics
        self.setFont(_font(m.text))
        self.cart_view.setFont(_font(m.cart))
        self.cart_view.verticalHeader().setDefaultSectionSize(m.row_height)
        self.cart_view.horizontalHeader().setFont(_font(m.text))
        self.scan_edit.setFont(_font(m.scan))
        self.scan_edit.setMinimumHeight(m.button_height)
        self.message_label.setFont(_font(m.emphasis))
        for banner in (self.member_day_banner, self.birthday_banner):
            banner.setFont(_font(m.banner, bold=True))
        self.member_name_label.setFont(_font(m.name, bold=True))
        self.tier_badge.setFont(_font(m.text, bold=True))
        self.points_label.setFont(_font(m.emphasis, bold=True))
        self.savings_label.setFont(_font(m.emphasis, bold=True))
        for label in (self.subtotal_label, self.redeem_label, self.earn_label):
            label.setFont(_font(m.emphasis))
        self.total_caption.setFont(_font(m.emphasis))
        self.total_label.setFont(_font(m.total, bold=True))
        self.total_label.setMinimumHeight(round(m.total * 1.3))
        self.statusBar().setFont(_font(m.text))
        for button in (*self.buttons.values(), *getattr(self, "scan_buttons", {}).values()):
            button.setFont(_font(m.button_text))
            button.setFixedHeight(m.button_height)
        self._lay_out_keys(m.key_columns)
        # A narrow screen leaves the scan field room: its placeholder says what the caption does.
        caption = self.findChild(QLabel, "scanCaption")
        if caption is not None:
            caption.setVisible(m.key_columns > KEYS_NARROW)

    def _lay_out_keys(self, columns: int) -> None:
        grid = self.keys_grid
        for button in self.buttons.values():
            grid.removeWidget(button)
        for i, button in enumerate(self.buttons.values()):
            grid.addWidget(button, i // columns, i % columns)
        for col in range(grid.columnCount()):
            grid.setColumnStretch(col, 1 if col < columns else 0)

    def fit_to_screen(self, area: QRect | None = None, *, kiosk: bool = False) -> None:
        """Size text and keys for the screen and open on all of its available area
        (maximised; ``kiosk``: full screen). Without a window manager nobody maximises a
        window, so the geometry is set here too. ``area``: exactly this rectangle instead
        (screenshots, tests)."""
        exact = area is not None
        if area is None:
            screen = self.screen()
            area = screen.geometry() if kiosk else screen.availableGeometry()
        self.apply_metrics(metrics_for(area.width(), area.height()))
        self.setGeometry(area)
        if kiosk:
            self.showFullScreen()
        elif exact:
            self.show()
        else:
            self.showMaximized()

    # ------------------------------------------------------------------ running work
    def submit(
        self,
        fn: Callable[[], Any],
        then: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        *,
        owner: QObject | None = None,
        writes: bool = False,
    ) -> None:
        """Run ``fn`` off the UI thread; ``then(result)`` back on it, errors in words.

        ``owner`` (a dialog): its callbacks are skipped once it is gone. After a refusal the
        worker computes the sale's view as it is now, and the window repaints that.
        ``writes`` (a commit: a sale, return, adjustment, drawer entry, parking): it waits for
        the background integrity check and is refused once that found damage."""
        counter = self.counter
        gate = self.integrity if writes else None
        refusal = self.damage_refusal() if writes else ""

        def work() -> Any:
            try:
                if gate is not None:
                    gate.before_commit(refusal)
                return fn()
            except Exception as exc:
                try:
                    view: CounterView | None = counter.view()
                except Exception:
                    view = None
                raise _Refused(exc, view) from exc

        def done(result: Any) -> None:
            if isinstance(result, CounterView):
                self.paint(result)
            if then is not None and (owner is None or is_alive(owner)):
                then(result)

        def failed(wrapped: Exception) -> None:
            exc = wrapped
            if isinstance(wrapped, _Refused):
                exc = wrapped.original
                if wrapped.view is not None and counter is self.counter:
                    self.paint(wrapped.view)
            if on_error is not None:
                if owner is None or is_alive(owner):
                    on_error(exc)
            else:
                self.show_message(plain_error(exc), error=True)

        self.ops.run(work, done, failed)

    def show_message(self, text: str, *, error: bool = False) -> None:
        """Say what happened; it goes after a while (a refusal stays longer)."""
        self.last_message = text
        self.message_label.setText(text)
        colour = "#b71c1c" if error else "#1b5e20"
        _set_style(self.message_label, f"color:{colour};")
        self._message_timer.start(self.error_ms if error else self.message_ms)

    def clear_message(self) -> None:
        self._message_timer.stop()
        self.last_message = ""
        self.message_label.setText("")

    # ------------------------------------------------------------------ scans
    def handle_scan(self, text: str) -> None:
        """A scan from the wedge filter (anywhere) or a code typed and confirmed."""
        dialog = self.dialog
        takes = dialog is not None and dialog.isVisible() and hasattr(dialog, "accept_scan")
        if takes and dialog.accept_scan(text):  # type: ignore[union-attr]
            return
        self._esc_armed = False
        label = getattr(dialog, "message", None) if dialog is not None else None
        on_error = None
        if dialog is not None and dialog.isVisible() and isinstance(label, QLabel):

            def on_error(exc: Exception, label: QLabel = label) -> None:
                label.setText(plain_error(exc))

        self.submit(lambda: self.counter.scan(text), self._scanned, on_error)

    def _scan_text_edited(self, text: str) -> None:
        # "*" in the scan field is the quantity key (the field keeps it from the shortcut):
        # "3*" sets the selected line to 3, a lone "*" asks for the quantity. A lone "+" or
        # "-" is one more or one fewer (no code starts with either).
        if text in ("+", "-"):
            self.scan_edit.clear()
            self.step_line_qty(1 if text == "+" else -1)
            return
        if not text.endswith("*"):
            return
        number = text[:-1].strip()
        if number and not number.isdigit():
            return
        self.scan_edit.clear()
        if number:
            self.set_line_qty(int(number))
        else:
            self.change_qty()

    def _typed_code(self) -> None:
        text = self.scan_edit.text().strip()
        self.scan_edit.clear()
        if text:
            self.handle_scan(text)

    def _scanned(self, result: ScanResult) -> None:
        self.paint(result.view)
        if result.kind == "member":
            m = result.view.member
            name = m.name or m.member_id if m else result.text
            self.show_message(self.tr("Member %1 identified").replace("%1", name))
        elif result.kind == "coupon":
            self.show_message(self.tr("Coupon %1 applied").replace("%1", result.text))
        else:
            self.show_message(self.tr("Added %1").replace("%1", result.text))

    # ------------------------------------------------------------------ painting
    def paint(self, view: CounterView) -> None:
        self.view = view
        self.cart_model.show(view.rows)
        if view.rows:
            self.cart_view.scrollToBottom()
        self.subtotal_label.setText(self.tr("Subtotal %1").replace("%1", yuan(view.subtotal)))
        self.savings_label.setText(
            self.tr("You save %1").replace("%1", yuan(view.savings)) if view.savings else ""
        )
        self.redeem_label.setText(
            self.tr("Points used: %1 (%2)")
            .replace("%1", f"{view.points_redeemed:,}")
            .replace("%2", yuan(view.points_value))
            if view.points_redeemed
            else ""
        )
        self.earn_label.setText(
            self.tr("Points to earn: %1").replace("%1", f"{view.points_to_earn:,}")
            if view.member
            else ""
        )
        self.total_label.setText(yuan(view.total))
        self.member_day_banner.setVisible(bool(view.member_day))
        self.member_day_banner.setText(
            self.tr("Member day: %1").replace("%1", view.member_day or "")
        )
        # The panel's dozen shows and hides (a member comes, a sale ends) laid out once, not
        # once each: about a third of a member scan's work on the UI thread.
        layout = self.member_box.layout()
        if layout is not None:
            layout.setEnabled(False)
        try:
            self._paint_member(view.member)
        finally:
            if layout is not None:
                layout.setEnabled(True)
                layout.activate()
        allowed = view.allowed
        self.buttons["payButton"].setEnabled("begin_payment" in allowed)
        self.buttons["voidButton"].setEnabled("void_line" in allowed)
        self.buttons["qtyButton"].setEnabled("set_qty" in allowed)
        self.buttons["couponButton"].setEnabled("add_coupon" in allowed)
        points = self.buttons["pointsButton"]
        points.setEnabled(view.points_key)
        reason = view.redeem.reason if view.redeem is not None else ""
        points.setToolTip(reason)
        if self.customer_display is not None:
            self.customer_display.paint(view)
        self.painted.emit(view)

    def _paint_member(self, m: MemberPanel | None) -> None:
        shown = m is not None
        for label in (
            self.member_name_label,
            self.tier_badge,
            self.phone_label,
            self.points_label,
            self.pending_label,
            self.growth_label,
        ):
            label.setVisible(shown)
        self.no_member_label.setVisible(not shown)
        self.birthday_banner.setVisible(bool(m and m.birthday))
        if m is None:
            for label in (
                self.next_tier_label,
                self.coupons_label,
                self.lifecycle_label,
                self.unverified_label,
            ):
                label.setVisible(False)
            return
        self.birthday_banner.setText(self.tr("Happy birthday! Birthday benefits apply"))
        self.member_name_label.setText(m.name or m.member_id)
        rank = 0
        tiers = self.counter.ctx.rules.tiers
        if m.tier in tiers.ids():
            rank = tiers.level(m.tier).rank
        self.tier_badge.setText(tier_label(self.counter.ctx.rules, m.tier_name, m.tier))
        colour = TIER_COLOURS.get(rank, "#6a1b9a")
        _set_style(
            self.tier_badge,
            f"background:{colour};color:white;border-radius:8px;padding:4px 10px;font-weight:bold;",
        )
        self.phone_label.setText(
            self.tr("Phone %1 · %2").replace("%1", m.phone_masked or "—").replace("%2", m.member_id)
        )
        self.points_label.setText(
            self.tr("Points available: %1").replace("%1", f"{m.points_available:,}")
        )
        self.pending_label.setText(
            self.tr("Pending: %1").replace("%1", f"{m.points_pending:,}")
            if m.points_pending
            else ""
        )
        self.growth_label.setText(self.tr("Growth: %1").replace("%1", f"{m.growth:,}"))
        needs = ""
        if m.next_tier_name and m.needed_spend:
            needs = (
                self.tr("Spend %1 more for %2")
                .replace("%1", yuan(m.needed_spend))
                .replace("%2", tier_label(self.counter.ctx.rules, m.next_tier_name))
            )
        if m.pending_spend > 0 and m.credit_final_at is not None:
            pending = (
                self.tr("%1 counts towards the tier from %2")
                .replace("%1", yuan(m.pending_spend))
                .replace(
                    "%2", m.credit_final_at.astimezone(self.counter.ctx.zone).strftime("%Y-%m-%d")
                )
            )
            needs = f"{needs}; {pending}" if needs else pending
        self.next_tier_label.setText(needs)
        self.next_tier_label.setVisible(bool(needs))
        held = "; ".join(name for _code, name in m.coupons)
        self.coupons_label.setText(self.tr("Coupons held: %1").replace("%1", held) if held else "")
        self.coupons_label.setVisible(bool(held))
        hint = {
            "first_purchase": self.tr("First purchase: welcome!"),
            "dormant": self.tr("Welcome back: first visit in %1 days").replace(
                "%1", str(m.days_away)
            ),
        }.get(m.lifecycle, "")
        self.lifecycle_label.setText(hint)
        self.lifecycle_label.setVisible(bool(hint))
        warn = ""
        if not m.confirmed:
            why = {
                "offline": self.tr("Not verified yet (HQ offline)"),
                "slow": self.tr("Not verified yet (HQ slow to answer)"),
                "not_found": self.tr("Not verified: HQ does not know this member code"),
                "needs_code": self.tr("Not verified: scan the member's phone code"),
            }.get(m.unverified, self.tr("Not verified yet"))
            warn = why + self.tr(
                ": no tier discount, points stay pending, no points spending until HQ confirms"
            )
        elif not m.may_redeem:
            warn = self.tr("Points can be spent only with the member's phone code")
        self.unverified_label.setText(warn)
        self.unverified_label.setVisible(bool(warn))

    # ------------------------------------------------------------------ language
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("posloyalty: cashier"))
        self.member_box.setTitle(self.tr("Member"))
        self.total_caption.setText(self.tr("Total"))
        self.no_member_label.setText(
            self.tr("No member. Scan the member code (F2: look up by phone or register)")
        )
        self.scan_edit.setPlaceholderText(
            self.tr("Scan anywhere, or type a code or SKU and press Enter")
        )
        labels = {
            "helpButton": self.tr("F1 Help"),
            "memberButton": self.tr("F2 Member"),
            "couponButton": self.tr("F3 Coupon"),
            "pointsButton": self.tr("F4 Points"),
            "payButton": self.tr("F5 Pay"),
            "returnButton": self.tr("F8 Return"),
            "voidButton": self.tr("F9 Void line"),
            "qtyButton": self.tr("* Quantity"),
            "settingsButton": self.tr("F10 Settings"),
            "eodButton": self.tr("F12 End of day"),
            "cancelButton": self.tr("Esc Cancel"),
        }
        labels.update(self.touch_keys.labels())
        for name, text in labels.items():
            (self.buttons | self.scan_buttons)[name].setText(text)
        self.cashier_status.setText(self.tr("Cashier %1").replace("%1", self.counter.ctx.cashier))
        self.cart_model.retranslate()
        self.paint(self.view)
        self._paint_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def next_language(self) -> None:
        langs = list(i18n.LANGUAGES)
        lang = langs[(langs.index(i18n.current()) + 1) % len(langs)]
        self.set_language(lang)

    def set_language(self, lang: str) -> None:
        if not i18n.switch(lang):
            self.show_message(f"translation {lang} is missing", error=True)
            return
        self.show_message(i18n.LANGUAGES[lang])

    # ------------------------------------------------------------------ status bar
    def attach_sync(self, worker: SyncSource) -> None:
        """Show the sync worker's state (it calls back from its own thread) and ask it to
        push after every stored sale, return and registration."""
        self.sync_worker = worker
        worker.on_state = lambda _state: self._sync_relay.changed.emit()
        self._status_timer.stop()
        self._link_timer.start(4 * 60 * 1000)
        self.refresh_registration_qr()
        if worker.state is not None:
            self._sync_changed()

    def refresh_registration_qr(self) -> None:
        """Ask HQ (off the UI thread) for a fresh self-registration link for the customer
        display; links expire in minutes, so this repeats while sync is attached."""
        display = self.customer_display
        if display is None or self.sync_worker is None:
            return
        db = self.counter.ctx.db

        def work() -> bytes:
            return link_qr_png(registration_link(db))

        def failed(exc: Exception) -> None:
            display.set_registration_qr(b"")
            log.info("no registration link: %s", exc)

        self.status_ops.run(work, display.set_registration_qr, failed)

    def _sync_changed(self) -> None:
        worker = self.sync_worker
        state = worker.state if worker is not None else None
        if state is not None:
            self._got_status(from_sync_state(state))

    def request_sync(self) -> None:
        if self.sync_worker is not None:
            self.sync_worker.request_sync()

    def refresh_status(self) -> None:
        if self.sync_worker is not None:
            self.sync_worker.request_sync()
            return
        if self.status_ops.busy:
            return
        db, url, last = self.counter.ctx.db, self.hq_url, self._last_ok
        self.status_ops.run(lambda: probe(db, url, last), self._got_status)

    def _got_status(self, status: SyncStatus) -> None:
        self.sync_status = status
        self._last_ok = status.last_ok
        self._paint_status()

    def _paint_status(self) -> None:
        s = self.sync_status
        if s is None:
            self.online_status.setText(self.tr("Checking HQ…"))
            return
        self.online_status.setText(self.tr("● Online") if s.online else self.tr("○ Offline"))
        if s.stopped:  # the till's records do not match its hash chain: HQ must look
            self.online_status.setText(self.tr("⚠ Sync stopped"))
        ok = s.online and not s.stopped
        self.online_status.setStyleSheet("color:#2e7d32;" if ok else "color:#b71c1c;")
        self.online_status.setToolTip(s.detail)
        self.pending_status.setText(
            self.tr("Uploads waiting: %1").replace("%1", str(max(s.pending_uploads, 0)))
        )
        when = (
            s.last_ok.astimezone(self.counter.ctx.zone).strftime("%H:%M:%S")
            if s.last_ok
            else self.tr("never")
        )
        self.sync_time_status.setText(self.tr("Last contact: %1").replace("%1", when))

    def check_database_integrity(self) -> None:
        """SQLite's full quick_check in the background, right after the window is up: commits
        wait for it, and are refused once it found damage (scans go on); the damage is shown,
        not hidden."""
        path = self.counter.ctx.db.path
        gate = self.integrity
        gate.start()

        def said(damage: str) -> None:
            if damage:
                self.show_message(
                    self.tr("The terminal database failed its integrity check: %1").replace(
                        "%1", damage
                    ),
                    error=True,
                )
                self._message_timer.stop()  # it stays until the till is closed

        def bad(exc: Exception) -> None:
            self.show_message(
                self.tr("The terminal database failed its integrity check: %1").replace(
                    "%1", plain_error(exc)
                ),
                error=True,
            )

        self.status_ops.run(lambda: gate.check(path), said, bad)

    def damage_refusal(self) -> str:
        """What a commit refused by the integrity gate says (in the cashier's language)."""
        return self.tr(
            "The terminal database is damaged: nothing was saved. Scanning still works; "
            "restore the database from a backup"
        )

    def show_sync_details(self) -> None:
        s = self.sync_status
        if s is not None:
            self.show_message(s.detail, error=not s.online or s.stopped)

    # ------------------------------------------------------------------ F-key actions
    def _open(self, dialog: QDialog) -> None:
        """Show ``dialog`` window-modal; it is deleted when closed, and the keys and the scan
        field come back to the window (no window manager does that in a kiosk)."""
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setFont(self.font())
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
            if self.isVisible():
                focus_scan_field(self)

    def show_help(self) -> None:
        from posloyalty.ui.dialogs import HelpDialog

        self._open(HelpDialog(self))

    def member_lookup(self) -> None:
        from posloyalty.ui.dialogs import MemberDialog

        self._open(MemberDialog(self))

    def coupon_entry(self) -> None:
        from posloyalty.ui.dialogs import CouponDialog

        self._open(CouponDialog(self))

    def toggle_points(self) -> None:
        """F4: pay with the most points allowed, or take the redemption back."""
        counter = self.counter

        def work() -> CounterView:
            if counter.session.redeem_points:
                counter.session.redeem(0)
            else:
                info = counter.redeem_info()
                if not info.max_points:
                    raise CheckoutError(
                        info.reason or "no points can be redeemed on this sale right now"
                    )
                counter.session.redeem(info.max_points)
            return counter.view()

        def done(view: CounterView) -> None:
            if view.points_redeemed:
                self.show_message(
                    self.tr("Points used: %1 (%2)")
                    .replace("%1", f"{view.points_redeemed:,}")
                    .replace("%2", yuan(view.points_value))
                )
            else:
                self.show_message(self.tr("Points taken back"))

        self.submit(work, done)

    def pay(self) -> None:
        from posloyalty.ui.dialogs import PaymentDialog

        counter = self.counter

        def work() -> CounterView:
            counter.session.begin_payment()
            return counter.view()

        self.submit(work, lambda _v: self._open(PaymentDialog(self)))

    def commit(
        self,
        on_done: Callable[[Receipt], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        *,
        owner: QObject | None = None,
    ) -> None:
        """Store the sale off the UI thread, then print (if configured) and preview.
        A refusal goes to ``on_error`` (once: nothing stays connected)."""
        counter, printer = self.counter, self.printer
        lang_doc = self._receipt_doc

        def work() -> tuple[Receipt, ReceiptDoc, bytes, str, CounterView]:
            receipt = counter.commit()
            doc = lang_doc(receipt)
            png = render_png(doc)
            problem = ""
            if printer is not None:
                try:
                    print_receipt(doc, printer)
                except PrinterError as exc:
                    problem = str(exc)
            return receipt, doc, png, problem, counter.view()

        def done(result: tuple[Receipt, ReceiptDoc, bytes, str, CounterView]) -> None:
            receipt, doc, png, problem, view = result
            self.last_receipt, self.last_receipt_doc, self.last_receipt_png = receipt, doc, png
            self.new_member_codes.discard(receipt.member_id or "")
            self.paint(view)
            change = receipt.change
            text = self.tr("Sale %1 complete.").replace("%1", receipt.receipt_code)
            if change:
                text += " " + self.tr("Change: %1").replace("%1", yuan(change))
            if problem:
                text += " " + problem + " " + self.tr("(the sale is stored)")
            self.show_message(text, error=bool(problem))
            self.committed.emit(receipt)
            self.refresh_status()
            if on_done is not None and (owner is None or is_alive(owner)):
                on_done(receipt)

        def failed(exc: Exception) -> None:
            self.show_message(plain_error(exc), error=True)
            if on_error is not None:
                on_error(exc)

        self.submit(work, done, failed, owner=None, writes=True)

    def _receipt_doc(self, receipt: Receipt) -> ReceiptDoc:
        """Runs in the worker (it reads the till's settings for the card page's address)."""
        new = receipt.member_id if receipt.member_id in self.new_member_codes else ""
        card = member_card_url(self.counter.ctx.db) if receipt.member_id else ""
        return receipt_doc(
            receipt,
            self.counter.ctx.rules,
            store=self.counter.ctx.store,
            new_member_code=new,
            card_url=card,
        )

    def show_receipt(self) -> None:
        from posloyalty.ui.dialogs import ReceiptDialog

        if self.last_receipt_png:
            self._open(ReceiptDialog(self, self.last_receipt_png))

    def start_return(self) -> None:
        from posloyalty.ui.return_dialog import ReturnDialog

        self._open(ReturnDialog(self))

    def void_selected_line(self) -> None:
        index = self.selected_line()
        if index < 0:
            self.show_message(self.tr("There is no line to void"), error=True)
            return
        counter = self.counter

        def done(result: tuple[str, CounterView]) -> None:
            name, view = result
            self.paint(view)
            self.show_message(
                self.tr("Voided line %1: %2").replace("%1", str(index + 1)).replace("%2", name)
            )

        self.submit(lambda: counter.void_line(index, "cashier void"), done)

    def selected_line(self) -> int:
        """The selected cart line, else the last one (-1: the cart is empty)."""
        rows = self.cart_view.selectionModel().selectedRows()
        return rows[0].row() if rows else len(self.view.rows) - 1

    def change_qty(self) -> None:
        """*: ask for the quantity of the selected (or last) line."""
        from posloyalty.ui.dialogs import QuantityDialog

        index = self.selected_line()
        if index < 0:
            self.show_message(self.tr("There is no line to change"), error=True)
            return
        self._open(QuantityDialog(self, index))

    def one_more(self) -> None:
        """+: one more of the selected (or last) line."""
        self.step_line_qty(1)

    def one_fewer(self) -> None:
        """-: one fewer of the selected (or last) line (not below one)."""
        self.step_line_qty(-1)

    def step_line_qty(self, step: int) -> None:
        """+ / -: ``step`` more of the selected (or last) line."""
        self._change_line(None, lambda counter, line: counter.step_qty(line, step))

    def set_line_qty(
        self,
        qty: int,
        index: int | None = None,
        then: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Set the quantity of cart line ``index`` (default: the selected or last line)."""
        self._change_line(index, lambda counter, line: counter.set_qty(line, qty), then, on_error)

    def _change_line(
        self,
        index: int | None,
        change: Callable[[Counter, int], CounterView],
        then: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        line = self.selected_line() if index is None else index
        if line < 0:
            self.show_message(self.tr("There is no line to change"), error=True)
            return
        counter = self.counter

        def done(view: CounterView) -> None:
            if 0 <= line < len(view.rows):
                self.cart_view.selectRow(line)
                row = view.rows[line].line
                self.show_message(
                    self.tr("Quantity of %1: %2")
                    .replace("%1", row.name)
                    .replace("%2", str(row.qty))
                )
            if then is not None:
                then(view)

        self.submit(lambda: change(counter, line), done, on_error)

    def open_settings(self) -> None:
        from posloyalty.ui.dialogs import SettingsDialog

        self._open(SettingsDialog(self))

    def adjust_points(self) -> None:
        from posloyalty.ui.dialogs import AdjustDialog

        self._open(AdjustDialog(self))

    def sign_in(self) -> None:
        from posloyalty.ui.dialogs import SignInDialog

        self._open(SignInDialog(self))

    def end_of_day(self) -> None:
        from posloyalty.ui.eod_dialog import EodDialog

        self._open(EodDialog(self))

    def cancel_key(self) -> None:
        """Esc: clears the scan field; with a sale going, Esc twice cancels the sale."""
        if self.scan_edit.text():
            self.scan_edit.clear()
            return
        if not (self.view.rows or self.view.member):
            return
        if not self._esc_armed:
            self._esc_armed = True
            self.show_message(self.tr("Press Esc again to cancel this sale"), error=True)
            self._esc_timer.start(self.esc_ms)
            return
        self._disarm_esc()
        counter = self.counter
        self.submit(
            lambda: counter.cancel("cashier cancelled"),
            lambda _v: self.show_message(self.tr("Sale cancelled")),
        )

    def _disarm_esc(self) -> None:
        self._esc_timer.stop()
        if self._esc_armed and self.last_message == self.tr("Press Esc again to cancel this sale"):
            self.clear_message()
        self._esc_armed = False

    def closeEvent(self, event: QCloseEvent) -> None:
        self._message_timer.stop()
        self._esc_timer.stop()
        self._status_timer.stop()
        self._link_timer.stop()
        self.ops.stop()
        self.status_ops.stop()
        if self.own_sync_worker is not None:
            self.own_sync_worker.stop()
        if self.customer_display is not None:
            self.customer_display.close()
        super().closeEvent(event)


def focus_scan_field(window: CashierWindow) -> None:
    window.activateWindow()
    window.scan_edit.setFocus(Qt.FocusReason.OtherFocusReason)
