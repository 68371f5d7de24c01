"""The pricing desk window displays the desk; it is driven through its widget methods."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from posloyalty.clock import FixedClock
from posloyalty.resources import load_preset, preset_names
from posloyalty.terminal.quote_desk import QuoteDesk
from posloyalty.ui.desk_window import PricingDeskWindow
from posloyalty.ui.models import BasketLinesModel

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = dt.datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)


def _window(qtbot: QtBot) -> PricingDeskWindow:
    window = PricingDeskWindow(
        QuoteDesk(load_preset, "miniso", FixedClock(WEDNESDAY), SHANGHAI), preset_names()
    )
    qtbot.add_widget(window)
    return window


def _type_line(window: PricingDeskWindow, sku: str, qty: int, price: str) -> None:
    window.sku_edit.setText(sku)
    window.qty_spin.setValue(qty)
    window.price_edit.setText(price)
    window.add_line()


def test_typing_a_basket_shows_the_member_day_total(qtbot: QtBot) -> None:
    window = _window(qtbot)
    window.tier_combo.setCurrentIndex(window.tier_combo.findData("gold"))
    _type_line(window, "TOTE", 2, "39.90")
    assert window.lines_model.rowCount() == 1
    assert window.total_label.text() == "Total ¥69.80"
    assert any(
        "Member day" in window.discounts_list.item(i).text()
        for i in range(window.discounts_list.count())
    )
    assert window.sku_edit.text() == ""


def test_a_bad_price_is_shown_in_plain_words_and_the_basket_is_kept(qtbot: QtBot) -> None:
    window = _window(qtbot)
    _type_line(window, "TOTE", 1, "10.00")
    _type_line(window, "MUG", 1, "3.999")
    assert "more than two decimals" in window.problem_label.text()
    assert window.lines_model.rowCount() == 1
    assert window.price_edit.text() == "3.999"


def test_switching_to_vancl_and_svip_applies_95_percent(qtbot: QtBot) -> None:
    window = _window(qtbot)
    _type_line(window, "SHIRT", 1, "200.00")
    window.preset_combo.setCurrentText("vancl")
    window.tier_combo.setCurrentIndex(window.tier_combo.findData("svip"))
    assert window.total_label.text() == "Total ¥190.00"
    assert "Points to earn: 760" in window.earn_label.text()


def test_remove_and_clear(qtbot: QtBot) -> None:
    window = _window(qtbot)
    _type_line(window, "A", 1, "1.00")
    _type_line(window, "B", 1, "2.00")
    window.lines_view.selectRow(0)
    window.remove_selected_line()
    assert window.lines_model.rowCount() == 1
    window.clear_basket()
    assert window.lines_model.rowCount() == 0
    assert window.total_label.text() == "Total ¥0.00"


def test_lines_model_passes_the_model_tester(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    window = _window(qtbot)
    _type_line(window, "A", 3, "1.50")
    _type_line(window, "B", 1, "2.00")
    qtmodeltester.check(window.lines_model)
    qtmodeltester.check(BasketLinesModel())


def test_screenshot_renders(qtbot: QtBot, tmp_path: Path) -> None:
    window = _window(qtbot)
    _type_line(window, "TOTE", 2, "39.90")
    window.show()
    path = tmp_path / "desk.png"
    assert window.grab().save(str(path))
    assert path.stat().st_size > 1000


def test_sale_time_shows_the_store_local_clock(qtbot: QtBot) -> None:
    window = _window(qtbot)
    shown = window.at_edit.dateTime()
    assert (shown.date().day(), shown.time().hour(), shown.time().minute()) == (25, 15, 0)
    assert "2026-11-25 15:00 Wed" in window.statusBar().currentMessage()
