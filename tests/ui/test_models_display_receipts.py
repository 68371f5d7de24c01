"""Table models pass qtmodeltester; the customer display and receipts show the sale."""

from __future__ import annotations

from pathlib import Path

import pytest
from escpos.printer import Dummy, File  # type: ignore[import-untyped]  # no stubs shipped
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from window_helpers import idle

from posloyalty.devices.receipt import PrinterError, ReceiptDoc, ReceiptRow, print_receipt
from posloyalty.domain.finalise import SoldLine
from posloyalty.domain.ids import SaleId
from posloyalty.domain.money import Fen
from posloyalty.terminal.demo_setup import DemoTerminal, demo_dynamic_code
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui import i18n
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.customer_display import CustomerDisplay
from posloyalty.ui.models import CartModel, PaymentsModel, ReturnLinesModel


def test_cart_model(qtmodeltester: ModelTester, qtbot: QtBot, window: CashierWindow) -> None:
    for n in (1, 2, 3):
        window.handle_scan(product_ean(n))
        idle(qtbot, window)
    model = CartModel()
    model.show(window.view.rows)
    qtmodeltester.check(model)
    assert model.rowCount() == 3


def test_payments_model(qtmodeltester: ModelTester) -> None:
    model = PaymentsModel()
    model.show([("cash", 1000, 2000), ("card", 500, 500)])
    qtmodeltester.check(model)


def test_return_lines_model(qtmodeltester: ModelTester) -> None:
    model = ReturnLinesModel()
    model.show(
        [
            SoldLine(
                0, "A", "Tote", 3, Fen(1000), Fen(3000), 30, 30, returned=1, refunded=Fen(1000)
            ),
            SoldLine(1, "B", "Pen", 1, Fen(100), Fen(100), 1, 1),
        ]
    )
    qtmodeltester.check(model)
    assert not model.setData(model.index(0, 3), 5)  # only 2 left
    assert model.setData(model.index(0, 3), 1)
    assert model.wanted() == {0: 1, 1: 1}


def test_customer_display_follows_the_sale(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal
) -> None:
    display = CustomerDisplay(store_name="MINISO", registration_qr=b"")
    qtbot.addWidget(display)
    window.customer_display = display
    window.paint(window.view)
    assert window.view.rows == ()
    assert "MINISO" in display.welcome_label.text()
    window.handle_scan(demo_dynamic_code(demo.db, demo.vault, "M000000001"))
    idle(qtbot, window)
    window.handle_scan(product_ean(1))
    idle(qtbot, window)
    assert display.cart_model.rowCount() == 1
    assert display.total_label.text().endswith(window.total_label.text())
    assert "5,000" in display.member_label.text()
    assert display.total_label.font().pointSize() >= 40


def _doc() -> ReceiptDoc:
    return ReceiptDoc(
        (ReceiptRow("名创优品", style="bold"), ReceiptRow("Tote ×1", "¥10.00")),
        barcode="S1-T1-20261125-0001",
        qr="P1T1000001",
        qr_caption="Your member card",
    )


def test_escpos_dummy_and_file_printers(tmp_path: Path) -> None:
    dummy = Dummy()
    print_receipt(_doc(), dummy)
    assert b"S1-T1-20261125-0001" in dummy.output
    out = tmp_path / "lp0"
    printer = File(str(out))
    print_receipt(_doc(), printer)
    printer.close()
    assert out.stat().st_size > 1000


def test_a_dead_printer_does_not_lose_the_sale(
    qtbot: QtBot, window: CashierWindow, tmp_path: Path
) -> None:
    class Broken(Dummy):  # type: ignore[misc]  # escpos is untyped: Dummy is Any here
        def image(self, *args: object, **kwargs: object) -> None:
            raise OSError("paper out")

    with pytest.raises(PrinterError):
        print_receipt(_doc(), Broken())
    window.printer = Broken()
    window.handle_scan(product_ean(1))
    idle(qtbot, window)
    window.pay()
    idle(qtbot, window)
    window.counter.session.add_payment("card")
    with qtbot.waitSignal(window.committed, timeout=10_000):
        window.commit()
    idle(qtbot, window)
    assert "paper out" in window.last_message
    assert window.last_receipt is not None
    assert window.last_receipt.sale_id != SaleId("")
    assert window.last_receipt_png.startswith(b"\x89PNG")


def test_language_switch_at_run_time(qtbot: QtBot, window: CashierWindow) -> None:
    assert window.buttons["payButton"].text() == "F5 Pay"
    assert i18n.switch("zh_CN")
    try:
        qtbot.waitUntil(lambda: window.buttons["payButton"].text() != "F5 Pay")
        assert window.buttons["payButton"].text() == "F5 付款"
        assert i18n.switch("es")
        qtbot.waitUntil(lambda: window.buttons["payButton"].text() == "F5 Pagar")
    finally:
        i18n.switch("en")
    qtbot.waitUntil(lambda: window.buttons["payButton"].text() == "F5 Pay")
    assert window.total_label.text().startswith("¥")  # money stays ¥ in every language
