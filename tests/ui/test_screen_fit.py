"""The till fits the screens counters have (1024x768 to 1920x1080, and 1280x1024 4:3): the
whole window on the screen, the total never cut, text and touch targets growing with it."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from window_helpers import idle

from posloyalty.tilldb.demo import product_ean
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.qt import QApplication, QRect
from posloyalty.ui.scaling import metrics_for

SCREENS = [(1024, 768), (1280, 1024), (1366, 768), (1920, 1080)]


def _big_sale(qtbot: QtBot, window: CashierWindow) -> None:
    for n in (1, 2, 3, 4, 5, 6):
        window.handle_scan(product_ean(n))
        idle(qtbot, window)
    window.set_line_qty(999, 2)  # a total in the tens of thousands
    idle(qtbot, window)
    assert window.view.total >= 1_000_000


@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_the_window_fits_the_screen(
    qtbot: QtBot, window: CashierWindow, width: int, height: int
) -> None:
    _big_sale(qtbot, window)
    window.fit_to_screen(QRect(0, 0, width, height))
    qtbot.waitExposed(window)
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= width and hint.height() <= height, hint
    assert window.width() <= width and window.height() <= height
    # Every key is on screen and as tall as the screen's touch target.
    metrics = metrics_for(width, height)
    for name, button in window.buttons.items():
        top_left = button.mapTo(window, button.rect().topLeft())
        bottom_right = button.mapTo(window, button.rect().bottomRight())
        assert window.rect().contains(top_left) and window.rect().contains(bottom_right), name
        assert button.height() >= metrics.button_height
        text = button.fontMetrics().horizontalAdvance(button.text())
        assert text <= button.width(), (name, button.text())
    # The total is shown whole.
    total = window.total_label
    assert total.fontMetrics().horizontalAdvance(total.text()) <= total.contentsRect().width()
    status = window.statusBar()
    assert status.mapTo(window, status.rect().bottomLeft()).y() < height


def test_text_and_touch_targets_grow_with_the_screen(qtbot: QtBot, window: CashierWindow) -> None:
    sizes = []
    for width, height in [(1024, 768), (1366, 768), (1920, 1080)]:
        window.fit_to_screen(QRect(0, 0, width, height))
        sizes.append(
            (
                window.member_name_label.font().pixelSize(),
                window.points_label.font().pixelSize(),
                window.buttons["payButton"].height(),
                window.total_label.font().pixelSize(),
            )
        )
    small, medium, large = sizes
    assert all(a <= b for a, b in zip(small, medium, strict=True))
    assert all(b < c for b, c in zip(medium, large, strict=True))
    name, points, button, _total = large
    assert name >= 28 and points >= 24 and button >= 60  # 1920x1080: not 10 pt and 25 px
    # A key for every action: 1024x768 three rows of keys; 1920: two.
    window.fit_to_screen(QRect(0, 0, 1024, 768))
    assert window.keys_grid.rowCount() >= 3
    rows = {
        window.keys_grid.getItemPosition(window.keys_grid.indexOf(b))[0]  # type: ignore[index]  # typed object in PySide6: a (row, column, rows, columns) tuple
        for b in window.buttons.values()
    }
    assert rows == {0, 1, 2}
    window.fit_to_screen(QRect(0, 0, 1920, 1080))
    rows = {
        window.keys_grid.getItemPosition(window.keys_grid.indexOf(b))[0]  # type: ignore[index]  # typed object in PySide6: a (row, column, rows, columns) tuple
        for b in window.buttons.values()
    }
    assert rows == {0, 1}


@pytest.mark.parametrize("lang", ["es", "zh_CN"])
@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_every_key_label_fits_in_every_language(
    qtbot: QtBot, window: CashierWindow, width: int, height: int, lang: str
) -> None:
    # Found under Xvfb at 1366x768 in Spanish: "F11 Iniciar sesión" showed as "11 Iniciar sesió"
    # (the check above runs in English and leaves the button's own padding out).
    from posloyalty.ui import i18n

    assert i18n.switch(lang)
    try:
        window.fit_to_screen(QRect(0, 0, width, height))
        qtbot.waitExposed(window)
        QApplication.processEvents()
        clipped = []
        for name, button in (window.buttons | window.scan_buttons).items():
            text = button.fontMetrics().horizontalAdvance(button.text())
            if text + 8 > button.contentsRect().width():
                clipped.append((name, button.text(), text, button.contentsRect().width()))
        assert clipped == []
    finally:
        i18n.switch("en")


@pytest.mark.parametrize("lang", ["es", "zh_CN"])
@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_the_scan_field_keeps_room(
    qtbot: QtBot, window: CashierWindow, width: int, height: int, lang: str
) -> None:
    # Found under Xvfb at 1024x768 in Spanish: caption, Find and Favourites left the scan field
    # 170 px, its placeholder cut to "Escanee en cualq...".
    from posloyalty.ui import i18n

    assert i18n.switch(lang)
    try:
        window.fit_to_screen(QRect(0, 0, width, height))
        qtbot.waitExposed(window)
        QApplication.processEvents()
        assert window.scan_edit.width() >= 0.35 * window.cart_view.width()
    finally:
        i18n.switch("en")
