"""F10 settings and enrolment against a real local HQ, and the quantity key (*)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import select
from ui_hq import UNREACHABLE_HQ, LocalHq
from window_helpers import open_dialog

from posloyalty.domain.money import yuan
from posloyalty.sync.client import credential_file
from posloyalty.terminal.demo_setup import DemoTerminal
from posloyalty.tilldb.demo import product_ean
from posloyalty.tilldb.models import Setting
from posloyalty.ui import i18n
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.dialogs import PaymentDialog, QuantityDialog, SettingsDialog


def _idle(qtbot: QtBot, window: CashierWindow) -> None:
    qtbot.waitUntil(lambda: not (window.ops.busy or window.status_ops.busy), timeout=10_000)


def _settings(demo: DemoTerminal) -> dict[str, str]:
    with demo.db.read() as session:
        return {s.key: s.value for s in session.scalars(select(Setting))}


def _plain(text: str) -> None:
    assert text
    assert "Traceback" not in text and 'File "' not in text


def _dialog(qtbot: QtBot, window: CashierWindow) -> SettingsDialog:
    dialog = SettingsDialog(window, key_store="file", sync_interval=0.5)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.settings is not None, timeout=10_000)
    return dialog


def _enrol(qtbot: QtBot, dialog: SettingsDialog, url: str, code: str, pin: str = "9999") -> bool:
    dialog.url_edit.setText(url)
    dialog.code_edit.setText(code)
    dialog.manager_edit.setText("boss")
    dialog.pin_edit.setText(pin)
    with qtbot.waitSignal(dialog.enrol_finished, timeout=30_000) as blocker:
        dialog.enrol()
    assert dialog.pin_edit.text() == ""  # the PIN never stays on screen
    return bool(blocker.args[0])


def test_settings_key_shows_the_terminal(qtbot: QtBot, window: CashierWindow) -> None:
    window.actions_by_key["F10"]()
    dialog = window.dialog
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitUntil(lambda: dialog.settings is not None, timeout=10_000)
    assert dialog.store_label.text() == window.counter.ctx.store
    assert dialog.terminal_label.text() == window.counter.ctx.terminal
    assert dialog.state_label.text().startswith("Not enrolled")
    assert dialog.language_label.text() == "English"
    assert "previewed" in dialog.printer_label.text()
    assert dialog.url_edit.text() == UNREACHABLE_HQ


def test_enrolment_refusals_change_nothing_then_it_enrols(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal, hq: LocalHq
) -> None:
    code = hq.service.make_enrolment_code("S7")
    before = _settings(demo)
    dialog = _dialog(qtbot, window)

    def unchanged() -> None:
        _plain(dialog.message.text())
        assert "Nothing was changed" in dialog.message.text() or "PIN" in dialog.message.text()
        assert _settings(demo) == before
        assert not credential_file(demo.db.path).exists()
        assert window.sync_worker is None
        assert dialog.state_label.text().startswith("Not enrolled")

    # Not an address: refused at once, nothing sent.
    dialog.url_edit.setText("hq.example.com")
    dialog.code_edit.setText(code)
    dialog.enrol()
    assert "http://" in dialog.message.text()
    assert _settings(demo) == before
    # A wrong code, a wrong manager PIN, an unreachable HQ.
    assert not _enrol(qtbot, dialog, hq.url, "NOT-A-CODE")
    assert "unknown, already used or expired" in dialog.message.text()
    unchanged()
    assert not _enrol(qtbot, dialog, hq.url, code, pin="0000")
    assert "Wrong manager id or PIN" in dialog.message.text()
    unchanged()
    assert not _enrol(qtbot, dialog, UNREACHABLE_HQ, code)
    assert "cannot be reached" in dialog.message.text()
    unchanged()

    # The right code: enrolled, the ids shown and used by the till, sync running and online.
    assert _enrol(qtbot, dialog, hq.url, code)
    after = _settings(demo)
    assert after["store"] == "S7" and after["sync_hq_url"] == hq.url
    assert dialog.store_label.text() == "S7"
    assert dialog.terminal_label.text() == after["terminal"]
    assert dialog.hq_label.text() == hq.url
    assert dialog.state_label.text().startswith("Enrolled")
    assert window.counter.ctx.store == "S7"
    assert window.counter.ctx.terminal == after["terminal"]
    assert window.sync_worker is not None and window.sync_worker is window.own_sync_worker
    try:
        qtbot.waitUntil(
            lambda: window.sync_status is not None and window.sync_status.online,
            timeout=20_000,
        )
        # The same code again: used, refused; the enrolment stays as it was.
        worker = window.sync_worker
        assert not _enrol(qtbot, dialog, hq.url, code)
        assert "unknown, already used or expired" in dialog.message.text()
        assert _settings(demo)["terminal"] == after["terminal"]
        assert window.sync_worker is worker
    finally:
        if window.own_sync_worker is not None:
            window.own_sync_worker.stop()


def test_enrolment_waits_for_the_sale_to_end(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    window.handle_scan(product_ean(1))
    _idle(qtbot, window)
    before = _settings(demo)
    dialog = _dialog(qtbot, window)
    dialog.url_edit.setText("http://127.0.0.1:9")
    dialog.code_edit.setText("CODE")
    dialog.enrol()
    assert "sale" in dialog.message.text()
    assert not window.status_ops.busy
    assert _settings(demo) == before


def test_quantity_key_changes_the_line_and_the_total(qtbot: QtBot, window: CashierWindow) -> None:
    window.scan_edit.setFocus()
    qtbot.keyClicks(window.scan_edit, "*")  # empty cart: said in words
    assert window.dialog is None
    assert "no line" in window.last_message
    window.handle_scan(product_ean(1))
    _idle(qtbot, window)
    window.handle_scan(product_ean(2))
    _idle(qtbot, window)
    unit = window.view.rows[0].line.unit_price
    subtotal, total = window.view.subtotal, window.view.total
    window.cart_view.selectRow(0)
    qtbot.keyClicks(window.scan_edit, "3*")  # type the number, then the quantity key
    _idle(qtbot, window)
    assert window.scan_edit.text() == ""
    assert [r.line.qty for r in window.view.rows] == [3, 1]
    assert window.view.subtotal == subtotal + 2 * unit
    assert window.view.total > total
    assert window.total_label.text() == yuan(window.view.total)
    assert window.cart_model.data(window.cart_model.index(0, 1)) == "3"

    # "*" alone asks; a quantity out of range is refused in words and changes nothing.
    window.cart_view.selectRow(1)
    qtbot.keyClicks(window.scan_edit, "*")
    dialog = open_dialog(window)
    assert isinstance(dialog, QuantityDialog) and dialog.index == 1
    assert dialog.qty_spin.value() == 1
    for bad in (0, 10_000):
        dialog.qty_spin.setValue(bad)
        dialog.apply()
        _idle(qtbot, window)
        _plain(dialog.message.text())
        assert "1 to 9999" in dialog.message.text()
        assert [r.line.qty for r in window.view.rows] == [3, 1]
    dialog.qty_spin.setValue(2)
    with qtbot.waitSignal(dialog.accepted):
        dialog.apply()
    _idle(qtbot, window)
    assert window.dialog is None  # closed (and deleted)
    assert [r.line.qty for r in window.view.rows] == [3, 2]


def test_quantity_is_refused_while_paying(qtbot: QtBot, window: CashierWindow) -> None:
    window.handle_scan(product_ean(1))
    _idle(qtbot, window)
    window.pay()
    _idle(qtbot, window)
    assert isinstance(window.dialog, PaymentDialog)
    window.dialog.done(0)
    window.set_line_qty(5)
    _idle(qtbot, window)
    _plain(window.last_message)
    assert "basket" in window.last_message
    assert window.view.rows[0].line.qty == 1


def test_settings_and_quantity_are_translated(qtbot: QtBot, window: CashierWindow) -> None:
    assert i18n.switch("zh_CN")
    try:
        qtbot.waitUntil(lambda: window.buttons["settingsButton"].text() == "F10 设置")
        assert window.buttons["qtyButton"].text() == "* 数量"
        dialog = _dialog(qtbot, window)
        assert dialog.windowTitle() == "设置与注册"
        assert dialog.state_label.text().startswith("未注册")
        assert dialog.language_label.text() == "简体中文"
        assert i18n.switch("es")
        dialog = _dialog(qtbot, window)
        assert dialog.windowTitle() == "Ajustes y alta"
    finally:
        i18n.switch("en")


def test_plus_and_minus_keys_step_the_line(qtbot: QtBot, window: CashierWindow) -> None:
    qtbot.keyClicks(window.scan_edit, "+")  # empty cart: said in words
    _idle(qtbot, window)
    assert "no line" in window.last_message
    window.handle_scan(product_ean(1))
    _idle(qtbot, window)
    window.handle_scan(product_ean(2))
    _idle(qtbot, window)
    window.cart_view.selectRow(0)
    window.scan_edit.setFocus()
    for key, expected in (("+", [2, 1]), ("+", [3, 1]), ("-", [2, 1])):
        qtbot.keyClicks(window.scan_edit, key)
        _idle(qtbot, window)
        assert window.scan_edit.text() == ""
        assert [r.line.qty for r in window.view.rows] == expected
    assert window.cart_model.data(window.cart_model.index(0, 1)) == "2"
    # Not below one: the line stays, and the cashier reads why.
    window.one_fewer()
    _idle(qtbot, window)
    window.one_fewer()
    _idle(qtbot, window)
    _plain(window.last_message)
    assert "already 1" in window.last_message
    assert [r.line.qty for r in window.view.rows] == [1, 1]
    # No selection: the last line, as for the other line keys.
    window.cart_view.clearSelection()
    window.one_more()
    _idle(qtbot, window)
    assert [r.line.qty for r in window.view.rows] == [1, 2]
