"""A small demo terminal (the same set-up `posloyalty run` makes) on a Wednesday (member day)."""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
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
from posloyalty.tilldb.db import Database
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


#: Database methods the till reaches the store through.
_DB_METHODS = ("read", "write", "transaction", "snapshot", "raw_write", "schema_version")
_UI_PACKAGE = "/posloyalty/ui/"


def _from_ui_code() -> str | None:
    """The first frame of ``posloyalty/ui`` on the stack, if any (``file:line``)."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename.replace("\\", "/")
        if _UI_PACKAGE in name:
            return f"{name.split(_UI_PACKAGE)[-1]}:{frame.f_lineno} {frame.f_code.co_name}"
        frame = frame.f_back
    return None


@pytest.fixture
def ui_thread_db_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fails the test if code of ``posloyalty/ui`` touches the database on the UI (main)
    thread: views, lookups and writes belong on the window's worker (OpRunner). The test's own
    reads and writes (asserting on the store) are not the window's and are let through."""
    seen: list[str] = []

    def guarded(name: str, method: Callable[..., object]) -> Callable[..., object]:
        def wrapper(self: Database, *args: object, **kwargs: object) -> object:
            if threading.current_thread() is threading.main_thread():
                where = _from_ui_code()
                if where is not None:
                    seen.append(f"Database.{name} on the UI thread from {where}")
            return method(self, *args, **kwargs)

        return wrapper

    for name in _DB_METHODS:
        monkeypatch.setattr(Database, name, guarded(name, getattr(Database, name)))
    yield seen
    assert seen == [], "the UI thread touched the database:\n" + "\n".join(seen)


@pytest.fixture
def window(
    qtbot: QtBot, demo: DemoTerminal, ui_thread_db_guard: list[str]
) -> Iterator[CashierWindow]:
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
