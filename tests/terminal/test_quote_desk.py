"""The pricing desk service: what the window forwards, and what it refuses."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from posloyalty.clock import FixedClock
from posloyalty.resources import load_preset
from posloyalty.terminal.quote_desk import DeskError, QuoteDesk

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = dt.datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)
TUESDAY = WEDNESDAY - dt.timedelta(days=1)


def _desk(at: dt.datetime = WEDNESDAY, preset: str = "miniso") -> QuoteDesk:
    return QuoteDesk(load_preset, preset, FixedClock(at), SHANGHAI)


def test_empty_desk_shows_zero_and_no_problem() -> None:
    view = _desk().view()
    assert view.quote is None and view.total_text == "¥0.00" and view.problem == ""
    assert [t for t, _ in view.tiers] == ["regular", "silver", "gold"]


def test_member_day_applies_to_a_gold_member_on_wednesday() -> None:
    desk = _desk()
    desk.set_member("gold")
    desk.add_line("TOTE", 2, "39.90")
    view = desk.view()
    assert view.quote is not None
    assert view.quote.subtotal == 7980
    assert view.quote.member_day == "wednesday"
    assert view.total_text == "¥69.80"


def test_same_basket_on_tuesday_gets_no_member_day() -> None:
    desk = _desk(TUESDAY)
    desk.set_member("gold")
    desk.add_line("TOTE", 2, "39.90")
    assert desk.view().total_text == "¥79.80"


def test_the_desk_prices_at_a_chosen_time() -> None:
    desk = _desk(TUESDAY)
    desk.set_member("silver")
    desk.add_line("TOTE", 2, "39.90")
    desk.set_time(WEDNESDAY)
    assert desk.view().total_text == "¥71.80"


@pytest.mark.parametrize(
    ("sku", "qty", "price", "message"),
    [
        ("", 1, "1.00", "SKU"),
        ("A", 0, "1.00", "at least 1"),
        ("A", 1, "1.234", "more than two decimals"),
        ("A", 1, "abc", "not a yuan amount"),
    ],
)
def test_bad_lines_are_refused_and_nothing_changes(
    sku: str, qty: int, price: str, message: str
) -> None:
    desk = _desk()
    desk.add_line("KEEP", 1, "5.00")
    with pytest.raises(DeskError, match=message):
        desk.add_line(sku, qty, price)
    assert [line.sku for line in desk.view().lines] == ["KEEP"]


def test_switching_scheme_keeps_the_basket_and_maps_unknown_tiers() -> None:
    desk = _desk()
    desk.set_member("gold")
    desk.add_line("SHIRT", 1, "100.00")
    desk.choose_preset("vancl")
    view = desk.view()
    assert view.member_tier == "regular"
    assert view.quote is not None and view.quote.total == 10000
    desk.set_member("svip")
    assert desk.view().total_text == "¥95.00"
    with pytest.raises(DeskError, match="no preset named"):
        desk.choose_preset("nosuch")


def test_redeeming_more_than_held_is_reported_not_raised() -> None:
    desk = _desk(preset="vancl")
    desk.set_member("vip", points=100)
    desk.add_line("SHIRT", 1, "100.00")
    desk.set_redeem_points(500)
    view = desk.view()
    assert view.quote is None
    assert "points" in view.problem
    with pytest.raises(DeskError, match="only a member"):
        desk.set_member(None)
        desk.set_redeem_points(100)
