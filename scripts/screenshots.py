"""Render the cashier terminal's main flows to docs/screenshots/ (``make screenshots``).

Off-screen Qt, a small demo terminal on a Wednesday (member day), in Chinese, English and
Spanish: idle, member identified (at 1024x768, 1280x1024, 1366x768 and 1920x1080), payment,
receipt preview, end of day and the cash drawer, favourites and product search, registration,
customer display (idle with a self-registration QR from a local HQ started for the purpose, and
during a sale).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from posloyalty.clock import FixedClock
from posloyalty.devices.qr import link_qr_png
from posloyalty.resources import resources_dir
from posloyalty.terminal.context import context_from_store
from posloyalty.terminal.counter import Counter
from posloyalty.terminal.demo_setup import demo_dynamic_code, ensure_demo_terminal
from posloyalty.terminal.sync_setup import enrol_with_local_hq, registration_link
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui import i18n
from posloyalty.ui.app import start_local_hq
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.customer_display import CustomerDisplay
from posloyalty.ui.dialogs import PaymentDialog, ReceiptDialog, RegistrationDialog
from posloyalty.ui.eod_dialog import EodDialog
from posloyalty.ui.product_search import ProductSearchDialog
from posloyalty.ui.qt import QApplication, QRect, QWidget

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
WEDNESDAY = dt.datetime(2026, 11, 25, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _settle(app: QApplication, window: CashierWindow) -> None:
    for _ in range(200):
        app.processEvents()
        if not window.ops.busy:
            break
        window.ops.wait(50)
    app.processEvents()


def _grab(widget: QWidget, name: str) -> None:
    widget.grab().save(str(OUT / name))
    print(f"  {OUT / name}")


def shoot(app: QApplication, lang: str, work: Path, hq_url: str | None) -> None:
    i18n.switch(lang)
    suffix = "zh" if lang == "zh_CN" else lang
    clock = FixedClock(WEDNESDAY)
    text = (resources_dir() / "rules" / "miniso.toml").read_text(encoding="utf-8")
    demo = ensure_demo_terminal(
        work / f"terminal-{lang}.db", clock=clock, rules_text=text, members=200, sales=400
    )
    ctx = context_from_store(demo.db, "demo")
    window = CashierWindow(Counter(ctx, demo.vault), hq_url=None, status_interval_ms=0)
    qr = b""
    if hq_url is not None and enrol_with_local_hq(demo.db, hq_url, work / "hq.sqlite", "S1") in (
        "enrolled",
        "already enrolled",
    ):
        qr = link_qr_png(registration_link(demo.db))  # a real self-registration link
    display = CustomerDisplay(store_name=ctx.rules.name, registration_qr=qr)
    window.customer_display = display
    window.fit_to_screen(QRect(0, 0, 1366, 768))  # a common till screen
    display.show()
    window.paint(window.view)
    _settle(app, window)
    _grab(window, f"idle-{suffix}.png")
    _grab(display, f"customer-display-idle-{suffix}.png")
    window.handle_scan(demo_dynamic_code(demo.db, demo.vault, "M000000002"))
    for n in (1, 2, 2, 5):
        window.handle_scan(product_ean(n))
    _settle(app, window)
    _grab(window, f"member-day-{suffix}.png")
    _grab(display, f"customer-display-{suffix}.png")
    for width, height in ((1024, 768), (1280, 1024), (1366, 768), (1920, 1080)):
        window.fit_to_screen(QRect(0, 0, width, height))
        _settle(app, window)
        _grab(window, f"counter-{width}x{height}-{suffix}.png")
    window.fit_to_screen(QRect(0, 0, 1366, 768))
    _settle(app, window)
    window.toggle_points()
    window.pay()
    _settle(app, window)
    dialog = window.dialog
    assert isinstance(dialog, PaymentDialog)
    dialog.cash_edit.setText("500")
    dialog.pay_cash()
    _settle(app, window)
    _grab(dialog, f"payment-{suffix}.png")
    dialog.complete()
    _settle(app, window)
    receipt = window.dialog
    assert isinstance(receipt, ReceiptDialog), receipt
    receipt.resize(receipt.width(), 1000)
    (OUT / f"receipt-{suffix}.png").write_bytes(window.last_receipt_png)
    print(f"  {OUT / f'receipt-{suffix}.png'}")
    receipt.accept()
    _settle(app, window)
    window.end_of_day()
    _settle(app, window)
    _settle(app, window)
    eod = window.dialog
    assert isinstance(eod, EodDialog), eod
    _grab(eod, f"end-of-day-{suffix}.png")
    eod.accept()
    _settle(app, window)
    window.touch_keys.favourites()
    _settle(app, window)
    _grab(window.dialog or window, f"favourites-{suffix}.png")
    if window.dialog is not None:
        window.dialog.reject()
    _settle(app, window)
    window.touch_keys.search()
    search = window.dialog
    assert isinstance(search, ProductSearchDialog), search
    search.search_edit.setText("item 1")
    search.look_up()
    _settle(app, window)
    _grab(search, f"search-{suffix}.png")
    search.reject()
    _settle(app, window)
    reg = RegistrationDialog(window, "13912345678")
    reg.name_edit.setText("陈静" if lang == "zh_CN" else "Chen Jing")
    reg.birthday_edit.setText("1992-11-25")
    reg.consent_check.setChecked(True)
    reg.show()
    reg.register()
    _settle(app, window)
    _grab(reg, f"registration-{suffix}.png")
    reg.close()
    window.close()
    display.close()
    demo.db.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        hq = start_local_hq(work, port)
        try:
            for lang in ("zh_CN", "en", "es"):
                shoot(app, lang, work, f"http://127.0.0.1:{port}" if hq else None)
        finally:
            if hq is not None:
                hq.terminate()
                hq.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
