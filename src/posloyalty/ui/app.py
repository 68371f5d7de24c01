"""``posloyalty run``: start the cashier terminal window."""

from __future__ import annotations

import argparse
import os
import sys
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from posloyalty.clock import SystemClock
from posloyalty.resources import load_preset, preset_names
from posloyalty.terminal.quote_desk import QuoteDesk
from posloyalty.ui.desk_window import PricingDeskWindow
from posloyalty.ui.qt import QApplication, QTimer


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("run", help="start the cashier terminal window")
    parser.add_argument("--preset", default="miniso", help="rule preset (%(default)s)")
    parser.add_argument("--zone", default="Asia/Shanghai", help="store time zone (%(default)s)")
    parser.add_argument(
        "--quit-after",
        type=float,
        default=0,
        metavar="SECONDS",
        help="close after a while (smoke tests)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        print(
            "posloyalty run: no display found; starting off-screen. Run it in a desktop session "
            "(or under xvfb-run) to see the window.",
            file=sys.stderr,
        )
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if args.preset not in preset_names():
        print(
            f"posloyalty run: no preset named {args.preset!r}; known: {', '.join(preset_names())}",
            file=sys.stderr,
        )
        return 2
    try:
        zone = ZoneInfo(args.zone)
    except (ZoneInfoNotFoundError, ValueError):
        print(f"posloyalty run: unknown time zone {args.zone!r}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    desk = QuoteDesk(load_preset, args.preset, SystemClock(), zone)
    window = PricingDeskWindow(desk, preset_names())
    window.show()
    if args.quit_after > 0:
        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    print("posloyalty: pricing desk ready", flush=True)
    return int(app.exec())
