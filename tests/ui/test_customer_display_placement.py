"""The customer display never covers the cashier's window nor takes the cashier's keys."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from posloyalty.ui.app import display_placement
from posloyalty.ui.customer_display import CustomerDisplay
from posloyalty.ui.qt import Qt


@pytest.mark.parametrize(
    ("asked", "screens", "placement"),
    [
        ("auto", 1, "none"),
        ("auto", 2, "second-screen"),
        ("window", 1, "window"),
        ("window", 3, "second-screen"),
        ("off", 1, "none"),
        ("off", 2, "none"),
    ],
)
def test_the_display_opens_on_a_second_screen_or_only_when_asked(
    asked: str, screens: int, placement: str
) -> None:
    assert display_placement(asked, screens) == placement


def test_the_display_does_not_take_the_keyboard(qtbot: QtBot) -> None:
    display = CustomerDisplay(store_name="MINISO")
    qtbot.addWidget(display)
    # A keyboard-wedge scanner types into whichever window is active: never this one.
    assert display.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert display.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
