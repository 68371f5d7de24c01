"""Every screen of the till in Spanish and Chinese, walked with keys: the test fails on any
text a widget shows that is still the English source of a translated message (templates with
%1 included), on a refusal shown in English, and on a dialog title left in English."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from ui_hq import UNREACHABLE_HQ
from window_helpers import idle

from posloyalty.terminal.context import context_from_store
from posloyalty.terminal.counter import Counter
from posloyalty.terminal.demo_setup import DemoTerminal, demo_dynamic_code
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui import i18n
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.dialogs import PaymentDialog
from posloyalty.ui.product_search import ProductSearchDialog, ReprintDialog
from posloyalty.ui.qt import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    Qt,
    QTableView,
    QWidget,
)
from posloyalty.ui.return_dialog import ReturnDialog

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"
#: Sources the same in every language (names, figures, key caps).
SAME = {"WeChat Pay", "Alipay", "F7 中文/EN/ES", "OK", "PIN", "SKU", "F1", "Esc"}


def _english(lang: str) -> tuple[set[str], list[re.Pattern[str]]]:
    """The English sources the language translates differently: exact texts, and templates
    (with %1 ...) as patterns."""
    tree = ET.parse(I18N / f"posloyalty_{lang}.ts")
    exact: set[str] = set()
    templates: list[re.Pattern[str]] = []
    for message in tree.getroot().iter("message"):
        source = message.findtext("source") or ""
        target = message.findtext("translation") or ""
        if not source.strip() or source == target or source in SAME:
            continue
        if re.search(r"%\d", source):
            words = re.split(r"%\d", source)
            if sum(len(w.strip()) for w in words) >= 6:
                templates.append(re.compile(".*?".join(re.escape(w) for w in words), re.S))
        else:
            exact.add(source)
    return exact, templates


def _texts(root: QWidget) -> Iterator[tuple[str, str]]:
    yield "title", root.windowTitle()
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root):
            continue
        name = f"{type(w).__name__}:{w.objectName()}"
        if isinstance(w, QLabel | QAbstractButton):
            yield name, w.text()
        elif isinstance(w, QPlainTextEdit):
            yield name, w.toPlainText()
        elif isinstance(w, QGroupBox):
            yield name, w.title()
        elif isinstance(w, QLineEdit):
            yield name, w.placeholderText()
        elif isinstance(w, QTableView) and w.model() is not None:
            model = w.model()
            for col in range(w.horizontalHeader().count()):
                header = model.headerData(col, Qt.Orientation.Horizontal)
                if isinstance(header, str):
                    yield f"{name} header", header


def _untranslated(root: QWidget, lang: str, where: str) -> list[str]:
    exact, templates = _english(lang)
    found = []
    for name, text in _texts(root):
        plain = re.sub(r"<[^>]+>", " ", text)
        lines = [p.strip() for p in re.split(r"\s{2,}|\n", plain)]
        # A report line is "caption: figures": the caption must be translated too.
        pieces = {text.strip(), *lines, *(p.split(":")[0].strip() for p in lines)}
        for piece in pieces:
            if piece in exact or any(t.fullmatch(piece) for t in templates):
                found.append(f"{where}: {name} shows English {piece!r}")
    return found


@pytest.fixture(params=["es", "zh_CN"])
def lang_window(
    request: pytest.FixtureRequest, qtbot: QtBot, demo: DemoTerminal, ui_thread_db_guard: list[str]
) -> Iterator[tuple[CashierWindow, str]]:
    lang = request.param
    assert i18n.switch(lang)
    ctx = context_from_store(demo.db, "demo")
    win = CashierWindow(Counter(ctx, demo.vault), hq_url=UNREACHABLE_HQ, status_interval_ms=0)
    qtbot.addWidget(win)
    yield win, lang
    win.ops.wait()
    win.status_ops.wait()
    i18n.switch("en")


def _open(
    qtbot: QtBot, window: CashierWindow, key: Qt.Key, mod: Qt.KeyboardModifier | None = None
) -> QWidget:
    if mod is None:
        qtbot.keyClick(window.scan_edit, key)
    else:
        qtbot.keyClick(window.scan_edit, key, mod)
    idle(qtbot, window)
    idle(qtbot, window)
    dialog = window.dialog
    assert dialog is not None, key
    return dialog


def _close(qtbot: QtBot, window: CashierWindow) -> None:
    assert window.dialog is not None
    qtbot.keyClick(window.dialog, Qt.Key.Key_Escape)
    idle(qtbot, window)
    qtbot.waitUntil(lambda: window.dialog is None)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.scan_edit)


def test_every_screen_is_in_the_cashiers_language(
    qtbot: QtBot, lang_window: tuple[CashierWindow, str], demo: DemoTerminal
) -> None:
    window, lang = lang_window
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    idle(qtbot, window)
    found = _untranslated(window, lang, "idle")

    # Refusals: an unknown product, a line to void in an empty basket, a bad amount.
    window.handle_scan("6900000099990")
    idle(qtbot, window)
    assert window.last_message and "unknown product code" not in window.last_message
    window.void_selected_line()
    assert "There is no line" not in window.last_message or lang == "en"

    for key in (
        Qt.Key.Key_F1,
        Qt.Key.Key_F2,
        Qt.Key.Key_F6,
        Qt.Key.Key_F8,
        Qt.Key.Key_F10,
        Qt.Key.Key_F11,
        Qt.Key.Key_F12,
    ):
        dialog = _open(qtbot, window, key)
        found += _untranslated(dialog, lang, key.name)
        _close(qtbot, window)

    window.handle_scan(demo_dynamic_code(demo.db, demo.vault, "M000000001"))
    for n in (1, 2):
        window.handle_scan(product_ean(n))
    idle(qtbot, window)
    found += _untranslated(window, lang, "member and basket")
    # A tier name from the rules is shown in the cashier's language too.
    assert window.view.member is not None
    tier = window.tier_badge.text()
    if lang == "es":
        assert not re.search(r"[\u4e00-\u9fff]", tier), f"tier name {tier!r} left in Chinese"
    dialog = _open(qtbot, window, Qt.Key.Key_Asterisk)
    found += _untranslated(dialog, lang, "quantity")
    _close(qtbot, window)
    dialog = _open(qtbot, window, Qt.Key.Key_F3)
    found += _untranslated(dialog, lang, "coupon")
    _close(qtbot, window)
    dialog = _open(qtbot, window, Qt.Key.Key_F5)
    assert isinstance(dialog, PaymentDialog)
    found += _untranslated(dialog, lang, "payment")
    dialog.cash_edit.setText("abc")
    dialog.pay_cash()
    message = dialog.message.text()
    assert "is not a yuan amount" not in message, message
    dialog.pay_card()
    idle(qtbot, window)
    with qtbot.waitSignal(window.committed, timeout=10_000) as blocker:
        dialog.complete()
    idle(qtbot, window)
    found += _untranslated(window.dialog or window, lang, "receipt preview")
    _close(qtbot, window)
    dialog = _open(qtbot, window, Qt.Key.Key_F8)
    assert isinstance(dialog, ReturnDialog)
    window.handle_scan(blocker.args[0].receipt_code)
    idle(qtbot, window)
    idle(qtbot, window)
    qtbot.waitUntil(dialog.confirm_button.isEnabled)
    found += _untranslated(dialog, lang, "refund review")
    _close(qtbot, window)
    window.handle_scan(product_ean(3))
    idle(qtbot, window)
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, window)
    found += _untranslated(window, lang, "parked")
    dialog = _open(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    found += _untranslated(dialog, lang, "recall")
    _close(qtbot, window)
    search = _open(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(search, ProductSearchDialog)
    qtbot.keyClicks(search.search_edit, "zz")
    qtbot.waitUntil(lambda: search.shown_for == "zz")
    assert "zz" in search.message.text()
    found += _untranslated(search, lang, "product search")
    _close(qtbot, window)
    dialog = _open(qtbot, window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    found += _untranslated(dialog, lang, "favourites")
    _close(qtbot, window)
    dialog = _open(qtbot, window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(dialog, ReprintDialog)
    dialog.code_edit.setText("X-1")
    qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Return)
    idle(qtbot, window)
    assert "X-1" in dialog.message.text()
    found += _untranslated(dialog, lang, "reprint")
    _close(qtbot, window)
    assert found == [], "\n".join(found)
