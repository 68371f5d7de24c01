"""A small demo terminal (the same set-up `posloyalty run` makes) on a Wednesday (member day)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ledger_grants import grant
from pytestqt.qtbot import QtBot
from ui_hq import UNREACHABLE_HQ, LocalHq, local_hq

from posloyalty.clock import FixedClock
from posloyalty.resources import resources_dir
from posloyalty.terminal.context import context_from_store
from posloyalty.terminal.counter import Counter
from posloyalty.terminal.demo_setup import DemoTerminal, ensure_demo_terminal
from posloyalty.ui import i18n
from posloyalty.ui.cashier_window import CashierWindow

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = dt.datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(WEDNESDAY)


@pytest.fixture
def demo(tmp_path: Path, clock: FixedClock) -> Iterator[DemoTerminal]:
    text = (resources_dir() / "rules" / "miniso.toml").read_text(encoding="utf-8")
    made = ensure_demo_terminal(
        tmp_path / "terminal.db", clock=clock, rules_text=text, members=60, products=20, sales=0
    )
    grant(made.db, "M000000001", 5000)
    yield made
    made.db.close()


@pytest.fixture
def window(qtbot: QtBot, demo: DemoTerminal) -> Iterator[CashierWindow]:
    i18n.switch("en")
    ctx = context_from_store(demo.db, "demo")
    win = CashierWindow(Counter(ctx, demo.vault), hq_url=UNREACHABLE_HQ, status_interval_ms=0)
    qtbot.addWidget(win)
    yield win
    win.ops.wait()
    win.status_ops.wait()


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[LocalHq]:
    """A real HQ on loopback over SQLite."""
    yield from local_hq(tmp_path / "hq.sqlite")
