"""Every dialog refuses bad input in plain words, changes nothing, and works when right."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from window_helpers import idle

from posloyalty.terminal.counter import MemberPanel
from posloyalty.terminal.demo_setup import DemoTerminal
from posloyalty.tilldb import repo
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.dialogs import (
    AdjustDialog,
    CouponDialog,
    HelpDialog,
    MemberDialog,
    PaymentDialog,
    RegistrationDialog,
    SignInDialog,
)
from posloyalty.ui.eod_dialog import EodDialog
from posloyalty.ui.qt import QLabel
from posloyalty.ui.return_dialog import ReturnDialog


def _counts(demo: DemoTerminal) -> dict[str, int]:
    with demo.db.read() as session:
        return repo.table_counts(session)


def _member(window: CashierWindow) -> MemberPanel | None:
    """The member shown now: read in a call, so mypy keeps no narrowing from an earlier assert."""
    return window.view.member


def _plain(text: str) -> None:
    assert text
    assert "Traceback" not in text and 'File "' not in text


def test_payment_refuses_a_card_above_the_amount_due(qtbot: QtBot, window: CashierWindow) -> None:
    window.handle_scan(product_ean(1))
    idle(qtbot, window)
    window.pay()
    idle(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, PaymentDialog)
    dialog.card_edit.setText("99999")
    dialog.pay_card()
    idle(qtbot, window)
    _plain(dialog.message.text())
    assert window.view.payments == ()
    dialog.cash_edit.setText("abc")
    dialog.pay_cash()
    _plain(dialog.message.text())
    dialog.complete()  # nothing paid: refused, the dialog stays
    _plain(dialog.message.text())
    dialog.back()
    idle(qtbot, window)
    assert window.cart_model.rowCount() == 1


def test_payment_split_cash_and_gift_card(qtbot: QtBot, window: CashierWindow) -> None:
    window.handle_scan(product_ean(2))
    idle(qtbot, window)
    window.pay()
    idle(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, PaymentDialog)
    dialog.gift_edit.setText("1.00")
    dialog.pay_gift_card()
    idle(qtbot, window)
    dialog.cash_edit.setText("10000")
    dialog.pay_cash()
    idle(qtbot, window)
    assert dialog.payments_model.rowCount() == 2
    assert window.view.remaining == 0


def test_registration_needs_consent_then_registers_and_identifies(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    dialog = RegistrationDialog(window, "13912345678")
    qtbot.addWidget(dialog)
    before = _counts(demo)["members"]
    dialog.register()
    idle(qtbot, window)
    _plain(dialog.message.text())
    assert "consent" in dialog.message.text()
    assert _counts(demo)["members"] == before
    dialog.consent_check.setChecked(True)
    dialog.register()
    idle(qtbot, window)
    assert dialog.registered is not None
    assert _counts(demo)["members"] == before + 1
    assert window.view.member is not None
    assert window.view.member.member_id == dialog.registered.member_id
    assert not dialog.card_label.pixmap().isNull()


def test_member_lookup_by_phone(qtbot: QtBot, window: CashierWindow) -> None:
    dialog = MemberDialog(window)
    qtbot.addWidget(dialog)
    dialog.phone_edit.setText("13900000000")
    dialog.look_up()
    idle(qtbot, window)
    _plain(dialog.message.text())
    assert window.view.member is None
    dialog.phone_edit.setText("138 0000 0002")
    dialog.look_up()
    idle(qtbot, window)
    member = _member(window)
    assert member is not None and member.member_id == "M000000002"
    assert not member.may_redeem  # no phone code: no points spending


def test_coupon_not_held_is_refused(qtbot: QtBot, window: CashierWindow) -> None:
    window.handle_scan(product_ean(1))
    idle(qtbot, window)
    dialog = CouponDialog(window)
    qtbot.addWidget(dialog)
    dialog.code_edit.setText("NOPE")
    dialog.apply()
    idle(qtbot, window)
    _plain(dialog.message.text())
    assert window.view.coupons == ()


def test_return_of_an_unknown_receipt(qtbot: QtBot, window: CashierWindow) -> None:
    dialog = ReturnDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.accept_scan("S1-T1-20261125-9999")
    idle(qtbot, window)
    _plain(dialog.message.text())
    assert dialog.sale is None
    dialog.confirm()
    _plain(dialog.message.text())


def test_adjustment_with_a_wrong_pin_then_the_right_one(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    dialog = AdjustDialog(window)
    qtbot.addWidget(dialog)
    dialog.member_edit.setText("M000000002")
    dialog.points_spin.setValue(100)
    dialog.reason_edit.setText("goodwill")
    dialog.manager_edit.setText("boss")
    dialog.pin_edit.setText("0000")
    dialog.approve()
    idle(qtbot, window)
    _plain(dialog.message.text())
    assert "refused" in dialog.message.text()
    dialog.pin_edit.setText("9999")
    dialog.approve()
    idle(qtbot, window)
    assert "+100" in window.last_message
    with demo.db.read() as session:
        assert repo.ledger_sum(session, "M000000002") >= 100


def test_sign_in_refuses_a_wrong_pin(qtbot: QtBot, window: CashierWindow) -> None:
    dialog = SignInDialog(window)
    qtbot.addWidget(dialog)
    dialog.cashier_edit.setText("demo")
    dialog.pin_edit.setText("0000")
    dialog.sign_in()
    idle(qtbot, window)
    _plain(dialog.message.text())
    dialog.cashier_edit.setText("boss")
    dialog.pin_edit.setText("9999")
    dialog.sign_in()
    idle(qtbot, window)
    assert window.counter.ctx.cashier == "boss"
    assert "boss" in window.cashier_status.text()


def test_end_of_day_report_and_a_bad_date(qtbot: QtBot, window: CashierWindow) -> None:
    dialog = EodDialog(window)
    qtbot.addWidget(dialog)
    idle(qtbot, window)
    assert dialog.data is not None
    assert "Sales" in dialog.report.toPlainText()
    dialog.day_edit.setText("yesterday")
    dialog.load()
    _plain(dialog.message.text())


def test_help_lists_every_key(qtbot: QtBot, window: CashierWindow) -> None:
    dialog = HelpDialog(window)
    qtbot.addWidget(dialog)
    shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
    spelled = {"Escape": "Esc"}
    for key in window.actions_by_key:
        assert f"<b>{spelled.get(key, key)}" in shown or f" {key}</b>" in shown, key
