"""The till's dialogs: payment, member lookup and registration, coupon, returns, manager PIN
adjustments, line quantity, settings and enrolment, end of day, sign-in, receipt preview, help.

Each dialog is opened with ``open()`` (window-modal, never a blocking ``exec``), forwards its
input to the counter or a terminal service through the window's :meth:`CashierWindow.submit`
(off the UI thread), and shows refusals in its own message label, in plain words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

from posloyalty.devices.qr import member_card_png, qr_png
from posloyalty.domain.ids import StoreId, TerminalId
from posloyalty.domain.money import Fen, MoneyError, parse_yuan, yuan
from posloyalty.sync.errors import Offline, SyncError
from posloyalty.sync.lookup import MemberLookup
from posloyalty.terminal import adjustments, registration
from posloyalty.terminal.counter import (
    ENROLLED,
    REVOKED,
    Counter,
    CounterView,
    RedeemInfo,
    TerminalSettings,
    enrol_terminal,
    terminal_settings,
)
from posloyalty.terminal.registration import RegistrationError, RegistrationForm
from posloyalty.terminal.status import SyncSource
from posloyalty.terminal.sync_setup import start_sync_worker
from posloyalty.ui import forms, i18n
from posloyalty.ui.cashier_host import CashierHost
from posloyalty.ui.error_text import plain_error
from posloyalty.ui.models import PaymentsModel
from posloyalty.ui.payment_pad import PaymentPad
from posloyalty.ui.qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPixmap,
    QPushButton,
    QScrollArea,
    QShortcut,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    Signal,
    is_alive,
)
from posloyalty.ui.receipt_doc import method_name


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color:#b71c1c;")
    return label


class _Dialog(QDialog):
    def __init__(self, window: CashierHost, title: str) -> None:
        super().__init__(window.window())
        self.window_ = window
        self.setWindowTitle(title)
        self.message = _error_label()

    def submit(
        self,
        fn: Callable[[], Any],
        then: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        *,
        writes: bool = False,
    ) -> None:
        """The window's :meth:`CashierWindow.submit`; callbacks dropped once this is closed."""
        self.window_.submit(fn, then, on_error, owner=self, writes=writes)

    def fail(self, exc: Exception) -> None:
        self.message.setStyleSheet("color:#b71c1c;")
        self.message.setText(plain_error(exc))

    def say(self, text: str) -> None:
        self.message.setStyleSheet("color:#1b5e20;")
        self.message.setText(text)


# --------------------------------------------------------------------------- payment


class PaymentDialog(QDialog):
    """Cash with change, card, gift card, split, and points (cap and offline allowance).

    The Designer form (``ui/payment.ui``) is a plain widget laid into this dialog, so Esc
    reaches the dialog itself: back to the basket, never a hidden form in a blank window."""

    def __init__(self, window: CashierHost) -> None:
        super().__init__(window.window())
        self.window_ = window
        form = forms.load("payment.ui")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(form, 3)
        self.setWindowTitle(self.tr("Payment"))
        self._form = form
        f = self
        self.due_label = forms.child(f, QLabel, "dueLabel")
        self.remaining_label = forms.child(f, QLabel, "remainingLabel")
        self.change_label = forms.child(f, QLabel, "changeLabel")
        self.points_info = forms.child(f, QLabel, "pointsInfoLabel")
        self.points_spin = forms.child(f, QSpinBox, "pointsSpin")
        self.cash_edit = forms.child(f, QLineEdit, "cashEdit")
        self.card_edit = forms.child(f, QLineEdit, "cardEdit")
        self.gift_edit = forms.child(f, QLineEdit, "giftEdit")
        self.payments_view = forms.child(f, QTableView, "paymentsView")
        self.message = forms.child(f, QLabel, "messageLabel")
        self.payments_model = PaymentsModel(self)
        self.payments_model.method_names = {
            m: method_name(m) for m in ("cash", "card", "gift_card", "wechat", "alipay")
        }
        self.payments_view.setModel(self.payments_model)
        self.payments_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        actions = {
            "pointsButton": self.apply_points,
            "pointsMaxButton": self.most_points,
            "cashButton": self.pay_cash,
            "cardButton": self.pay_card,
            "giftButton": self.pay_gift_card,
            "removeButton": self.remove_payment,
            "backButton": self.back,
            "commitButton": self.complete,
        }
        metrics = window.metrics
        for name, action in actions.items():
            button = forms.child(f, QPushButton, name)
            button.clicked.connect(action)
            button.setMinimumHeight(metrics.button_height)
        for edit in (self.cash_edit, self.card_edit, self.gift_edit, self.points_spin):
            edit.setMinimumHeight(metrics.button_height)
        due_font = self.due_label.font()
        due_font.setPixelSize(metrics.due)
        self.due_label.setFont(due_font)
        self.cash_edit.returnPressed.connect(self.pay_cash)
        self.card_edit.returnPressed.connect(self.pay_card)
        self.gift_edit.returnPressed.connect(self.pay_gift_card)
        QShortcut(QKeySequence("F5"), self, self.complete)
        QShortcut(QKeySequence("F4"), self, self.most_points)
        self._leaving = False
        self.pad = PaymentPad(
            default_edit=self.cash_edit,
            pay_cash=self.pay_cash_amount,
            pay_wallet=self.pay_wallet,
            button_height=metrics.button_height,
        )
        outer.addWidget(self.pad, 2)
        self.paint(window.view)
        self.resize(self.sizeHint().expandedTo(form.size()))
        self.cash_edit.setFocus()

    @property
    def redeem_info(self) -> RedeemInfo | None:
        """What points can pay now, as the worker computed it with the last view."""
        return self.window_.view.redeem

    # -- painting
    def paint(self, view: CounterView) -> None:
        self.due_label.setText(yuan(view.total))
        self.remaining_label.setText(
            self.tr("Still to pay: %1").replace("%1", yuan(view.remaining))
        )
        self.change_label.setText(
            self.tr("Change: %1").replace("%1", yuan(view.change)) if view.change else ""
        )
        self.payments_model.show(view.payments)
        self.pad.show_due(view.remaining)
        info = view.redeem
        if view.member is None:
            text = self.tr("No member: points cannot pay.")
        elif info is None:
            text = ""
        elif not info.max_points and info.reason:
            text = self.tr("Points cannot pay: %1").replace("%1", info.reason)
        else:
            text = (
                self.tr(
                    "Available %1 points. Points may pay at most %2% of the sale; "
                    "up to %3 points (%4) now."
                )
                .replace("%1", f"{info.available:,}")
                .replace("%2", str(info.cap_percent))
                .replace("%3", f"{info.max_points:,}")
                .replace("%4", yuan(info.max_value))
            )
            if info.allowance_left is not None and info.allowance_left < info.available:
                status = self.window_.sync_status
                if status is not None and status.online:
                    words = self.tr(
                        "HQ has not confirmed this member's balance recently, so at most "
                        "%1 points a day; %2 left today."
                    )
                else:
                    words = self.tr(
                        "Offline allowance: HQ has not confirmed the balance recently, so at "
                        "most %1 points a day; %2 left today."
                    )
                text += " " + words.replace("%1", f"{info.allowance_limit:,}").replace(
                    "%2", f"{info.allowance_left:,}"
                )
        self.points_info.setText(text)
        self.points_spin.setMaximum(max(info.available if info is not None else 0, 0))
        self.points_spin.setSingleStep(max(info.step if info is not None else 1, 1))
        if view.points_redeemed:
            self.points_spin.setValue(view.points_redeemed)

    def _submit(
        self,
        fn: Callable[[], Any],
        then: Callable[[Any], None] | None = None,
    ) -> None:
        self.window_.submit(fn, then, self._fail, owner=self)

    def _run(self, fn: Any) -> None:
        counter = self.window_.counter

        def work() -> CounterView:
            fn(counter.session)
            return counter.view()

        def done(view: CounterView) -> None:
            self.message.setText("")
            self.paint(view)

        self._submit(work, done)

    def _fail(self, exc: Exception) -> None:
        self._leaving = False
        self.message.setText(plain_error(exc))
        self.paint(self.window_.view)  # the window repainted the view the worker read

    def _amount(self, edit: QLineEdit) -> int | None:
        text = edit.text().strip().replace("¥", "")
        if not text:
            return None
        try:
            return int(parse_yuan(text))
        except MoneyError as exc:
            self.message.setText(plain_error(exc))
            raise

    # -- actions
    def apply_points(self) -> None:
        points = self.points_spin.value()
        self._run(lambda s: s.redeem(points))

    def most_points(self) -> None:
        info = self.redeem_info
        self.points_spin.setValue(info.max_points if info is not None else 0)
        self.apply_points()

    def pay_cash(self) -> None:
        try:
            amount = self._amount(self.cash_edit)
        except MoneyError:
            return
        self.cash_edit.clear()
        self._run(lambda s: s.add_payment("cash", tendered=amount))

    def pay_cash_amount(self, tendered: Fen) -> None:
        """A quick cash key: this much cash handed over."""
        self._run(lambda s: s.add_payment("cash", tendered=tendered))

    def pay_wallet(self, method: str) -> None:
        """WeChat Pay or Alipay (taken on the store's payment device): the amount typed in
        the card field, else all that remains."""
        self._pay_method(method, self.card_edit)

    def pay_card(self) -> None:
        self._pay_method("card", self.card_edit)

    def pay_gift_card(self) -> None:
        self._pay_method("gift_card", self.gift_edit)

    def _pay_method(self, method: str, edit: QLineEdit) -> None:
        try:
            amount = self._amount(edit)
        except MoneyError:
            return
        edit.clear()
        self._run(lambda s: s.add_payment(method, amount))

    def remove_payment(self) -> None:
        rows = self.payments_view.selectionModel().selectedRows()
        index = rows[0].row() if rows else len(self.window_.view.payments) - 1
        if index >= 0:
            self._run(lambda s: s.remove_payment(index))

    def back(self) -> None:
        """Back to the basket (Esc): the payments taken so far are dropped."""
        if self._leaving:
            return
        self._leaving = True
        counter = self.window_.counter

        def work() -> CounterView:
            counter.session.back_to_basket()
            return counter.view()

        self._submit(work, lambda _v: self.done(0))

    def reject(self) -> None:  # Esc, the window's close button
        self.back()

    def complete(self) -> None:
        """Commit the sale (off the UI thread); on success, close and preview the receipt."""
        if self._leaving:
            return

        def done(_receipt: object) -> None:
            self.done(1)
            self.window_.show_receipt()

        if self.window_.view.remaining > 0:
            self.message.setText(
                self.tr("%1 is still to pay").replace("%1", yuan(self.window_.view.remaining))
            )
            return
        self._leaving = True
        # A refused commit leaves the dialog open with the refusal shown here.
        self.window_.commit(done, self._fail, owner=self)


# --------------------------------------------------------------------------- receipt


class ReceiptDialog(_Dialog):
    def __init__(self, window: CashierHost, png: bytes) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Receipt"))
        pixmap = QPixmap()
        pixmap.loadFromData(png)
        self.image = QLabel()
        self.image.setPixmap(pixmap)
        scroll = QScrollArea()
        scroll.setWidget(self.image)
        scroll.setWidgetResizable(False)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        #: Close is a touch target like every key (it was 25 px high at 1920x1080).
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setMinimumSize(
            window.metrics.button_height * 3, window.metrics.button_height
        )
        layout.addWidget(buttons)
        self.resize(pixmap.width() + 60, min(pixmap.height() + 80, 900))

    def accept_scan(self, text: str) -> bool:
        # The next customer's first scan closes the preview and goes to the new sale.
        self.accept()
        return False


# --------------------------------------------------------------------------- member


class MemberDialog(_Dialog):
    """F2: find a member by full phone number or member id, or register a new one."""

    def __init__(self, window: CashierHost) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Member"))
        self.phone_edit = QLineEdit()
        self.phone_edit.setPlaceholderText(self.tr("11-digit mobile number or member id"))
        find = QPushButton(self.tr("Find (Enter)"))
        register = QPushButton(self.tr("Register new member (F2)"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Phone number or member id")))
        layout.addWidget(self.phone_edit)
        row = QHBoxLayout()
        row.addWidget(find)
        row.addWidget(register)
        layout.addLayout(row)
        layout.addWidget(self.message)
        find.clicked.connect(self.look_up)
        register.clicked.connect(self.register)
        self.phone_edit.returnPressed.connect(self.look_up)
        QShortcut(QKeySequence("F2"), self, self.register)

    def look_up(self) -> None:
        phone = self.phone_edit.text()
        counter = self.window_.counter
        self.submit(lambda: counter.identify_typed(phone), lambda _v: self.accept(), self.fail)

    def register(self) -> None:
        window = self.window_
        self.accept()
        window._open(RegistrationDialog(window, self.phone_edit.text()))


class RegistrationDialog(_Dialog):
    """Register a shopper (phone, optional name and birthday, consent), then identify them."""

    def __init__(self, window: CashierHost, phone: str = "") -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Register a member"))
        self.phone_edit = QLineEdit(phone)
        self.name_edit = QLineEdit()
        self.birthday_edit = QLineEdit()
        self.birthday_edit.setPlaceholderText("YYYY-MM-DD")
        self.consent_check = QCheckBox(
            self.tr("The shopper agrees to membership and to the use of their data")
        )
        self.card_label = QLabel()
        form = QFormLayout()
        form.addRow(self.tr("Phone"), self.phone_edit)
        form.addRow(self.tr("Name (optional)"), self.name_edit)
        form.addRow(self.tr("Birthday (optional)"), self.birthday_edit)
        form.addRow(self.consent_check)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.card_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Register"))
        buttons.accepted.connect(self.register)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.registered: registration.Registered | None = None

    def register(self) -> None:
        if self.registered is not None:
            self.accept()
            return
        window = self.window_
        counter = window.counter
        ctx = counter.ctx
        try:
            birthday = registration.parse_birthday(self.birthday_edit.text())
        except RegistrationError as exc:
            self.fail(exc)
            return
        form = RegistrationForm(
            phone=self.phone_edit.text(),
            consent=self.consent_check.isChecked(),
            name=self.name_edit.text(),
            birthday=birthday,
        )
        vault = counter.vault

        def work() -> tuple[registration.Registered, CounterView]:
            if vault is None:
                raise RegistrationError("terminal", "this terminal has no key to seal member data")
            done = registration.register(
                ctx.db, ctx.rules, form, vault=vault, cashier=ctx.cashier, ids=ctx.ids
            )
            return done, counter.identify(done.identified)

        def done(result: tuple[registration.Registered, CounterView]) -> None:
            reg, view = result
            self.registered = reg
            window.new_member_codes.add(reg.code)
            window.paint(view)
            welcome = reg.welcome
            gifts = [c.name for c in welcome.coupons]
            if welcome.points:
                gifts.append(self.tr("%1 points").replace("%1", str(welcome.points)))
            if welcome.gift:
                gifts.append(welcome.gift)
            self.say(
                self.tr("Registered %1. Welcome gifts: %2")
                .replace("%1", reg.code)
                .replace("%2", ", ".join(gifts) or "—")
            )
            pixmap = QPixmap()
            pixmap.loadFromData(member_card_png(reg.code, reg.name_masked or reg.phone_masked, ""))
            self.card_label.setPixmap(pixmap.scaledToWidth(420))

        self.submit(work, done, self.fail, writes=True)


class CouponDialog(_Dialog):
    """F3: type a coupon code (scanning one works anywhere without this dialog)."""

    def __init__(self, window: CashierHost) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Coupon"))
        self.code_edit = QLineEdit()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Coupon code")))
        layout.addWidget(self.code_edit)
        member = window.view.member
        if member is not None and member.coupons:
            held = "\n".join(f"{code}  {name}" for code, name in member.coupons)
            layout.addWidget(QLabel(self.tr("Held by the member:") + "\n" + held))
        layout.addWidget(self.message)
        self.code_edit.returnPressed.connect(self.apply)

    def apply(self) -> None:
        code = self.code_edit.text().strip()
        counter = self.window_.counter

        def work() -> CounterView:
            if code.upper().startswith("Q"):
                return counter.scan(code).view
            counter.session.add_coupon(code)
            return counter.view()

        self.submit(work, lambda _v: self.accept(), self.fail)


# --------------------------------------------------------------------------- returns


# --------------------------------------------------------------------------- manager


class AdjustDialog(_Dialog):
    """F6: add or deduct a member's points, approved by a manager's id and PIN."""

    def __init__(self, window: CashierHost) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Points adjustment (manager)"))
        member = window.view.member
        self.member_edit = QLineEdit(member.member_id if member else "")
        self.points_spin = QSpinBox()
        self.points_spin.setRange(-1_000_000, 1_000_000)
        self.reason_edit = QLineEdit()
        self.manager_edit = QLineEdit()
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout(self)
        form.addRow(self.tr("Member"), self.member_edit)
        form.addRow(self.tr("Points (+/-)"), self.points_spin)
        form.addRow(self.tr("Reason"), self.reason_edit)
        form.addRow(self.tr("Manager id"), self.manager_edit)
        form.addRow(self.tr("Manager PIN"), self.pin_edit)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.approve)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.pin_edit.returnPressed.connect(self.approve)

    def approve(self) -> None:
        ctx = self.window_.counter.ctx
        member, points = self.member_edit.text().strip(), self.points_spin.value()
        reason, manager, pin = (
            self.reason_edit.text(),
            self.manager_edit.text(),
            self.pin_edit.text(),
        )
        self.pin_edit.clear()

        def done(result: adjustments.AdjustmentResult) -> None:
            self.window_.show_message(
                self.tr("Adjusted %1 points for %2; balance %3")
                .replace("%1", f"{result.points:+}")
                .replace("%2", result.member_id)
                .replace("%3", f"{result.balance_available:,}")
            )
            self.accept()

        self.submit(
            lambda: adjustments.adjust_points(
                ctx,
                member_id=member,
                points=points,
                reason=reason,
                manager_id=manager,
                manager_pin=pin,
            ),
            done,
            self.fail,
            writes=True,
        )


# --------------------------------------------------------------------------- quantity


class QuantityDialog(_Dialog):
    """*: the quantity of the selected (or last) cart line."""

    def __init__(self, window: CashierHost, index: int) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Quantity"))
        self.index = index
        rows = window.view.rows
        line = rows[index].line if 0 <= index < len(rows) else None
        self.qty_spin = QSpinBox()
        self.qty_spin.setRange(0, 99_999)  # out-of-range values are refused in words
        self.qty_spin.setValue(line.qty if line is not None else 1)
        self.qty_spin.selectAll()
        form = QFormLayout(self)
        form.addRow(QLabel(line.name if line is not None else ""))
        form.addRow(self.tr("Quantity"), self.qty_spin)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.qty_spin.setFocus()

    def apply(self) -> None:
        self.window_.set_line_qty(
            self.qty_spin.value(), self.index, lambda _v: self.accept(), self.fail
        )


# --------------------------------------------------------------------------- settings


class SettingsDialog(_Dialog):
    """F10: the terminal's settings, and enrolment with HQ (manager PIN, one-time code).

    The enrolment runs on the window's status runner (off the UI thread); on success the sync
    worker is (re)started and attached. :attr:`enrol_finished` carries True or False once the
    attempt is over; a failure is shown in :attr:`message` and changes nothing stored."""

    enrol_finished = Signal(bool)

    def __init__(
        self,
        window: CashierHost,
        *,
        key_store: Literal["auto", "keyring", "file"] = "auto",
        sync_interval: float = 15.0,
    ) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Settings and enrolment"))
        self.key_store: Literal["auto", "keyring", "file"] = key_store
        self.sync_interval = sync_interval
        self.settings: TerminalSettings | None = None
        self.store_label = QLabel()
        self.terminal_label = QLabel()
        self.hq_label = QLabel()
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.language_label = QLabel(i18n.LANGUAGES.get(i18n.current(), i18n.current()))
        self.printer_label = QLabel(
            window.printer_name
            or (type(window.printer).__name__ if window.printer is not None else "")
            or self.tr("None: receipts are previewed only")
        )
        shown = QFormLayout()
        shown.addRow(self.tr("Store"), self.store_label)
        shown.addRow(self.tr("Terminal"), self.terminal_label)
        shown.addRow(self.tr("HQ address"), self.hq_label)
        shown.addRow(self.tr("Enrolment"), self.state_label)
        shown.addRow(self.tr("Language"), self.language_label)
        shown.addRow(self.tr("Receipt printer"), self.printer_label)
        self.url_edit = QLineEdit(window.hq_url or "")
        self.url_edit.setPlaceholderText("https://hq.example.com")
        self.code_edit = QLineEdit()
        self.manager_edit = QLineEdit()
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.enrol_button = QPushButton(self.tr("Enrol"))
        box = QGroupBox(self.tr("Enrol with HQ (manager)"))
        form = QFormLayout(box)
        form.addRow(self.tr("HQ address"), self.url_edit)
        form.addRow(self.tr("Enrolment code"), self.code_edit)
        form.addRow(self.tr("Manager id"), self.manager_edit)
        form.addRow(self.tr("Manager PIN"), self.pin_edit)
        form.addRow(self.enrol_button)
        layout = QVBoxLayout(self)
        layout.addLayout(shown)
        layout.addWidget(box)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.enrol_button.clicked.connect(self.enrol)
        self.pin_edit.returnPressed.connect(self.enrol)
        self.resize(560, 420)
        self.load()

    def load(self) -> None:
        """Read the settings off the UI thread and show them."""
        ctx = self.window_.counter.ctx
        self.window_.status_ops.run(
            lambda: terminal_settings(ctx),
            lambda settings: self.show_settings(settings) if is_alive(self) else None,
            lambda exc: self.fail(exc) if is_alive(self) else None,
        )

    def show_settings(self, settings: TerminalSettings) -> None:
        self.settings = settings
        self.store_label.setText(settings.store_id)
        self.terminal_label.setText(settings.terminal_id)
        self.hq_label.setText(settings.hq_url or self.tr("none"))
        if settings.hq_url and not self.url_edit.text():
            self.url_edit.setText(settings.hq_url)
        if settings.enrolment == ENROLLED:
            state = (
                self.tr("Enrolled (online)")
                if settings.connection == "online"
                else self.tr("Enrolled (offline)")
            )
        elif settings.enrolment == REVOKED:
            state = self.tr("Revoked by HQ: enrol again with a new code")
        else:
            state = self.tr("Not enrolled: sales are kept here until it is")
        self.state_label.setText(state)

    def enrol(self) -> None:
        window = self.window_
        if window.view.rows or window.view.member:
            self.message.setText(self.tr("Finish or cancel the sale before enrolling"))
            return
        if window.status_ops.busy and self.settings is None:
            self.message.setText(self.tr("Still reading the settings; try again"))
            return
        url = self.url_edit.text().strip()
        if not url.startswith(("http://", "https://")) or len(url) < len("http://x"):
            self.message.setText(self.tr("Type the HQ address, starting with http:// or https://"))
            return
        code = self.code_edit.text().strip()
        if not code:
            self.message.setText(self.tr("Type the one-time enrolment code from HQ"))
            return
        manager, pin = self.manager_edit.text(), self.pin_edit.text()
        self.pin_edit.clear()
        counter = window.counter
        ctx = counter.ctx
        old = window.sync_worker
        key_store, interval = self.key_store, self.sync_interval

        def work() -> tuple[SyncSource, TerminalSettings]:
            enrol_terminal(
                ctx,
                manager_id=manager,
                manager_pin=pin,
                hq_url=url,
                code=code,
                name=f"till {ctx.terminal}",
                key_store=key_store,
            )
            counter.forget_hq_key()  # the new HQ's key, for the offline allowance
            if old is not None:
                old.stop()
            return start_sync_worker(ctx.db, interval=interval), terminal_settings(ctx)

        def done(result: tuple[SyncSource, TerminalSettings]) -> None:
            worker, settings = result
            window.own_sync_worker = worker  # the previous worker was stopped in work()
            window.hq_url = url
            store, terminal = StoreId(settings.store_id), TerminalId(settings.terminal_id)
            window.counter = Counter(
                replace(ctx, store=store, terminal=terminal),
                counter.vault,
                MemberLookup(ctx.db, vault=counter.vault),
            )
            window.attach_sync(worker)
            if not is_alive(self):  # closed meanwhile: the till is enrolled all the same
                return
            self.code_edit.clear()
            self.show_settings(settings)
            self.say(
                self.tr("Enrolled: store %1, terminal %2")
                .replace("%1", settings.store_id)
                .replace("%2", settings.terminal_id)
            )
            window.show_message(self.message.text())
            self.enrol_finished.emit(True)

        def failed(exc: Exception) -> None:
            if not is_alive(self):
                window.show_message(plain_error(exc), error=True)
                return
            self.message.setStyleSheet("color:#b71c1c;")
            self.message.setText(self.enrol_error(exc, url))
            self.enrol_finished.emit(False)

        self.message.setText(self.tr("Enrolling…"))
        window.status_ops.run(work, done, failed)

    def enrol_error(self, exc: Exception, url: str) -> str:
        """An enrolment failure in plain words (nothing was changed)."""
        unchanged = " " + self.tr("Nothing was changed.")
        if isinstance(exc, Offline):
            return (
                self.tr("HQ cannot be reached at %1: check the address and the network.").replace(
                    "%1", url
                )
                + unchanged
            )
        if isinstance(exc, SyncError):
            text = str(exc)
            if "HTTP 403" in text:
                return (
                    self.tr(
                        "HQ refused the code: it is unknown, already used or expired. "
                        "Ask HQ for a new one."
                    )
                    + unchanged
                )
            if "not an HQ address" in text:
                return self.tr("Type the HQ address, starting with http:// or https://") + unchanged
            return self.tr("HQ refused the enrolment: %1").replace("%1", text) + unchanged
        return plain_error(exc) + unchanged


class SignInDialog(_Dialog):
    """F11: sign in as another cashier (only between sales)."""

    def __init__(self, window: CashierHost) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Cashier sign-in"))
        self.cashier_edit = QLineEdit()
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout(self)
        form.addRow(self.tr("Cashier id"), self.cashier_edit)
        form.addRow(self.tr("PIN"), self.pin_edit)
        form.addRow(self.message)
        self.pin_edit.returnPressed.connect(self.sign_in)
        self.cashier_edit.returnPressed.connect(self.pin_edit.setFocus)

    def sign_in(self) -> None:
        from posloyalty.terminal.counter import Counter, sign_in

        window = self.window_
        if window.view.rows or window.view.member:
            self.message.setText(self.tr("Finish or cancel the sale before changing cashier"))
            return
        ctx = window.counter.ctx
        cashier, pin = self.cashier_edit.text(), self.pin_edit.text()
        self.pin_edit.clear()
        vault, lookup = window.counter.vault, window.counter.lookup

        def work() -> Counter:
            return Counter(sign_in(ctx, cashier, pin), vault, lookup)

        def done(counter: Counter) -> None:
            window.counter = counter
            window.retranslate()
            window.show_message(self.tr("Signed in as %1").replace("%1", counter.ctx.cashier))
            self.accept()

        self.submit(work, done, self.fail)


class HelpDialog(_Dialog):
    def __init__(self, window: CashierHost) -> None:
        super().__init__(window, "")
        self.setWindowTitle(self.tr("Help"))
        keys = [
            ("F1", self.tr("This help")),
            ("F2", self.tr("Member: look up by phone, or register")),
            ("F3", self.tr("Coupon code")),
            ("F4", self.tr("Pay with the most points allowed (again: undo)")),
            ("F5", self.tr("Pay")),
            ("F6", self.tr("Points adjustment (manager PIN)")),
            ("F7", self.tr("Language: 中文 / English / Español")),
            ("F8", self.tr("Return against a receipt")),
            ("F9", self.tr("Void the selected (or last) line")),
            ("*", self.tr("Quantity of the selected (or last) line; type 3* to set 3")),
            ("+ / -", self.tr("One more / one fewer of the selected (or last) line")),
            ("F10", self.tr("Settings and enrolment with HQ (manager PIN)")),
            ("F11", self.tr("Cashier sign-in")),
            ("F12", self.tr("End of day and cash drawer")),
            ("Ctrl+H", self.tr("Park the sale (挂单)")),
            ("Ctrl+R", self.tr("Recall a parked sale (取单)")),
            ("Ctrl+P", self.tr("Print a receipt again by its number (a copy)")),
            ("Ctrl+O", self.tr("An item without a price, at the price typed (manager PIN)")),
            ("Ctrl+F", self.tr("Find a product by part of its name, SKU or barcode")),
            ("Ctrl+G", self.tr("Favourites: the most sold items, one tap adds one")),
            ("Esc", self.tr("Clear the field; twice: cancel the sale")),
        ]
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("Scan anywhere: member codes, product barcodes and coupons."))
        )
        for key, text in keys:
            layout.addWidget(QLabel(f"<b>{key}</b>  {text}"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def registration_qr(payload: str, size: int = 280) -> QPixmap:
    pixmap = QPixmap()
    pixmap.loadFromData(qr_png(payload, box_size=8))
    return pixmap.scaledToWidth(size)


__all__ = [
    "AdjustDialog",
    "CouponDialog",
    "HelpDialog",
    "MemberDialog",
    "PaymentDialog",
    "QuantityDialog",
    "ReceiptDialog",
    "RegistrationDialog",
    "SettingsDialog",
    "SignInDialog",
    "registration_qr",
]
