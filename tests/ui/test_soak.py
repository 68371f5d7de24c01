"""Soak: sales through the real window, one after another (scans at scanner speed, every tender,
returns, language switches), with the live QObjects of the window and the process memory flat
and every sale committed exactly once.

Bounds (stated, checked after a warm-up of 10% of the sales): the window's live QObjects and
top-level widgets at the end are at most 20 more than after the warm-up; the resident memory
grows at most 40 MiB (a leak of one dialog per sale would exceed both by far). The short run is
part of the suite; the 2,000-sale run is `-m slow`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from window_helpers import idle

from posloyalty.tilldb.demo import product_ean
from posloyalty.ui import i18n
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.dialogs import PaymentDialog
from posloyalty.ui.qt import QApplication, QCoreApplication, QEvent, QObject
from posloyalty.ui.return_dialog import ReturnDialog

TENDERS = ("cash", "card", "wechat", "alipay", "gift_card")
QOBJECT_BOUND = 20
RSS_BOUND = 40 * 1024 * 1024


def _rss() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _live(window: CashierWindow) -> int:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    return len(window.findChildren(QObject)) + len(QApplication.topLevelWidgets())


def _close_dialog(qtbot: QtBot, window: CashierWindow) -> None:
    dialog = window.dialog
    if dialog is not None:
        dialog.reject()
        qtbot.waitUntil(lambda: window.dialog is None, timeout=10_000)


def _sale(qtbot: QtBot, window: CashierWindow, n: int, commits: list[object]) -> str:
    for k in range(1 + n % 3):
        window.handle_scan(product_ean(1 + (n + k) % 15))
    idle(qtbot, window)
    window.pay()
    idle(qtbot, window)
    dialog = window.dialog
    assert isinstance(dialog, PaymentDialog), n
    tender = TENDERS[n % len(TENDERS)]
    if tender == "cash":
        dialog.pad.quick_buttons[-1].click()
    elif tender in ("wechat", "alipay"):
        dialog.pay_wallet(tender)
    elif tender == "card":
        dialog.pay_card()
    else:
        dialog.pay_gift_card()
    idle(qtbot, window)
    before = len(commits)
    dialog.complete()
    idle(qtbot, window)
    qtbot.waitUntil(lambda: len(commits) > before, timeout=10_000)
    assert len(commits) == before + 1, "a commit handler fired more than once"
    _close_dialog(qtbot, window)  # the receipt preview
    assert window.last_receipt is not None
    return window.last_receipt.receipt_code


def _return(qtbot: QtBot, window: CashierWindow, code: str) -> None:
    window.start_return()
    dialog = window.dialog
    assert isinstance(dialog, ReturnDialog)
    window.handle_scan(code)
    idle(qtbot, window)
    idle(qtbot, window)
    qtbot.waitUntil(dialog.confirm_button.isEnabled, timeout=10_000)
    if dialog.preview is not None and dialog.preview.needs_manager:
        dialog.manager_edit.setText("boss")
        dialog.pin_edit.setText("9999")
    dialog.confirm()
    idle(qtbot, window)
    qtbot.waitUntil(lambda: dialog.refunded is not None, timeout=10_000)
    _close_dialog(qtbot, window)


def _soak(qtbot: QtBot, window: CashierWindow, sales: int) -> dict[str, int]:
    window.show()
    qtbot.waitExposed(window)
    commits: list[object] = []
    window.committed.connect(commits.append)
    warm = max(sales // 10, 5)
    base_objects = base_rss = 0
    for n in range(sales):
        code = _sale(qtbot, window, n, commits)
        if n % 25 == 24:
            _return(qtbot, window, code)
        if n % 40 == 39:
            window.next_language()
            QApplication.processEvents()
        if n + 1 == warm:
            base_objects, base_rss = _live(window), _rss()
    i18n.switch("en")
    objects, rss = _live(window), _rss()
    assert len(commits) == sales
    assert objects - base_objects <= QOBJECT_BOUND, (base_objects, objects)
    assert rss - base_rss <= RSS_BOUND, (base_rss, rss)
    return {"objects": objects - base_objects, "rss": rss - base_rss}


def test_soak_short(qtbot: QtBot, window: CashierWindow) -> None:
    _soak(qtbot, window, 60)


@pytest.mark.slow
def test_soak_2000_sales(
    qtbot: QtBot, window: CashierWindow, request: pytest.FixtureRequest
) -> None:
    if "slow" not in (request.config.option.markexpr or ""):
        pytest.skip("2,000 sales take minutes; run with -m slow")
    grown = _soak(qtbot, window, 2000)
    print(f"soak: QObjects +{grown['objects']}, RSS +{grown['rss'] / 2**20:.1f} MiB")
