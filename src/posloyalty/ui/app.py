"""``posloyalty run``: start the cashier terminal (``--desk``: the pricing desk instead).

Without ``--demo`` this is the production till: it starts only on an existing terminal
database that passes its integrity check, is enrolled with HQ and has its own staff (see
:mod:`posloyalty.terminal.launch`); anything else exits 2 with one line on stderr and the file
unchanged. ``--demo`` creates (first time) or reopens the demo's own database under
``./var/`` (demo members, products and sales, demo member secrets, cashier ``demo`` PIN 1234,
manager ``boss`` PIN 9999), starts a local HQ in the background (SQLite under ``./var/``) and
opens the window ready to scan; it refuses every database that is not the demo's.
"""

from __future__ import annotations

import argparse
import atexit
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from posloyalty.clock import SystemClock

if TYPE_CHECKING:
    from posloyalty.ui.cashier_window import CashierWindow

_T0 = time.perf_counter()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("run", help="start the cashier terminal window")
    parser.add_argument("--preset", default="miniso", help="rule preset (%(default)s)")
    parser.add_argument("--zone", default="Asia/Shanghai", help="store time zone (%(default)s)")
    parser.add_argument("--desk", action="store_true", help="open the pricing desk instead")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="the demo: create or open a demo database (never a production one), local HQ",
    )
    parser.add_argument(
        "--db", type=Path, default=Path("var/terminal.db"), help="terminal database (%(default)s)"
    )
    parser.add_argument(
        "--demo-members",
        type=int,
        default=10_000,
        metavar="N",
        help="members in a new demo database (--demo; %(default)s)",
    )
    parser.add_argument(
        "--cashier", help="cashier signed in at start (required without --demo; demo: demo)"
    )
    parser.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en", "es"))
    parser.add_argument("--hq-port", type=int, default=8700, metavar="PORT")
    parser.add_argument("--no-hq", action="store_true", help="do not start a local HQ (demo)")
    parser.add_argument(
        "--printer", default="", help="receipt printer: file:PATH, network:HOST, usb:VID:PID"
    )
    parser.add_argument(
        "--customer-display",
        choices=("auto", "window", "off"),
        default="auto",
        help="the customer's screen: full screen on a second screen when there is one (auto), "
        "a window on this screen even without one (window), or none (off)",
    )
    parser.add_argument(
        "--no-customer-display",
        dest="customer_display",
        action="store_const",
        const="off",
        help="the same as --customer-display off",
    )
    parser.add_argument(
        "--kiosk",
        action="store_true",
        help="full screen, for a till without a desktop (default: maximised on the screen)",
    )
    parser.add_argument(
        "--camera",
        choices=("auto", "on", "off"),
        default="auto",
        help="camera scanning: a Camera key when a camera is found (auto), the camera open "
        "from the start (on), or none (off)",
    )
    parser.add_argument(
        "--quit-after",
        type=float,
        default=0,
        metavar="SECONDS",
        help="close after a while (smoke tests)",
    )
    parser.set_defaults(handler=run)


def _display() -> None:
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


def run(args: argparse.Namespace) -> int:
    from posloyalty.resources import preset_names
    from posloyalty.terminal.zone import UnknownZone, zone_named

    _display()
    if args.preset not in preset_names():
        print(
            f"posloyalty run: no preset named {args.preset!r}; known: {', '.join(preset_names())}",
            file=sys.stderr,
        )
        return 2
    try:
        zone = zone_named(args.zone)
    except UnknownZone:
        print(f"posloyalty run: unknown time zone {args.zone!r}", file=sys.stderr)
        return 2
    if args.desk:
        return _run_desk(args, zone)
    return _run_till(args)


def _run_desk(args: argparse.Namespace, zone: ZoneInfo) -> int:
    from posloyalty.resources import load_preset, preset_names
    from posloyalty.terminal.quote_desk import QuoteDesk
    from posloyalty.ui.desk_window import PricingDeskWindow
    from posloyalty.ui.qt import QApplication, QTimer

    app = QApplication.instance() or QApplication(sys.argv[:1])
    desk = QuoteDesk(load_preset, args.preset, SystemClock(), zone)
    window = PricingDeskWindow(desk, preset_names())
    window.show()
    if args.quit_after > 0:
        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    print("posloyalty: pricing desk ready", flush=True)
    return int(app.exec())


def display_placement(asked: str, screens: int) -> str:
    """Where the customer display goes: ``second-screen``, ``window`` or ``none``.

    On a till with one screen a display window would sit on the cashier's window, so ``auto``
    opens it only where a second screen is connected.
    """
    if asked == "off":
        return "none"
    if screens > 1:
        return "second-screen"
    return "window" if asked == "window" else "none"


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def start_local_hq(var: Path, port: int) -> subprocess.Popen[bytes] | None:
    """``posloyalty hq serve`` on 127.0.0.1:port with SQLite under ``var``; None if taken."""
    if not _port_free(port):
        return None
    log = (var / "hq.log").open("ab")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "posloyalty.cli",
            "hq",
            "serve",
            "--port",
            str(port),
            "--db",
            str(var / "hq.sqlite"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    atexit.register(stop)
    return proc


def _run_till(args: argparse.Namespace) -> int:
    from posloyalty.devices.receipt import PrinterError, open_printer
    from posloyalty.resources import resources_dir
    from posloyalty.sync.lookup import MemberLookup
    from posloyalty.terminal.context import context_from_store
    from posloyalty.terminal.counter import Counter
    from posloyalty.terminal.demo_setup import DEMO_CASHIER, ensure_demo_terminal
    from posloyalty.terminal.errors import CheckoutError
    from posloyalty.terminal.launch import LaunchRefused, check_production
    from posloyalty.terminal.sync_setup import is_enrolled
    from posloyalty.tilldb.db import Database
    from posloyalty.tilldb.errors import StoreError
    from posloyalty.tilldb.preflight import forget_clean_close, vouch_clean_close
    from posloyalty.tilldb.till_lock import TillLock
    from posloyalty.tilldb.vault import open_vault
    from posloyalty.ui import i18n
    from posloyalty.ui.cashier_window import CashierWindow, focus_scan_field
    from posloyalty.ui.customer_display import CustomerDisplay
    from posloyalty.ui.qt import QApplication, QGuiApplication, QTimer
    from posloyalty.ui.scanner import ScanFilter
    from posloyalty.ui.sync_start import SyncStarter

    def refuse(exc: BaseException) -> int:
        print(f"posloyalty run: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2

    demo_mode = bool(args.demo)
    cashier = args.cashier or (DEMO_CASHIER[0] if demo_mode else None)
    if cashier is None:
        return refuse(
            ValueError("name the cashier signing in with --cashier ID (or run the demo: --demo)")
        )
    if not demo_mode and not args.db.exists():
        try:
            check_production(args.db, cashier)
        except LaunchRefused as exc:
            return refuse(exc)
    try:
        # One till per database file; held until this process exits.
        if demo_mode:
            args.db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        till_lock = TillLock.acquire(args.db)
    except (StoreError, OSError) as exc:
        return refuse(exc)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    i18n.switch(args.lang)
    clock = SystemClock()
    db: Database | None = None
    created = False
    try:
        if demo_mode:
            rules_text = (resources_dir() / "rules" / f"{args.preset}.toml").read_text(
                encoding="utf-8"
            )
            # An existing file is checked before anything is written to it: every page, or,
            # when a clean close vouched for it, the light check (tilldb.preflight).
            demo = ensure_demo_terminal(
                args.db,
                clock=clock,
                rules_text=rules_text,
                members=args.demo_members,
                integrity="none",
                # Checkpoint the WAL in the background, so no sale waits for one.
                background_checkpoint=0.5,
            )
            db, vault, created = demo.db, demo.vault, demo.created
        else:
            # Integrity (full or light, see tilldb.preflight), enrolment, staff: nothing written.
            check_production(args.db, cashier)
            db = Database.open(args.db, clock=clock, integrity="none", background_checkpoint=0.5)
            # Checked above; a till enrolled before it held any sealed secret gets its key now.
            opened = open_vault(db)
            if opened is None:  # open_vault creates the key when asked to
                raise StoreError(f"{args.db}: the terminal key could not be created")
            vault = opened
        # From here the till writes: the clean-close voucher no longer describes the file.
        forget_clean_close(args.db)
        ctx = context_from_store(db, cashier)
    except (StoreError, CheckoutError, LaunchRefused, OSError) as exc:
        if db is not None:
            db.close()
        till_lock.release()
        return refuse(exc)
    hq_url = None
    hq_started = False
    if demo_mode and not args.no_hq:
        hq_url = f"http://127.0.0.1:{args.hq_port}"
        hq_started = start_local_hq(args.db.parent, args.hq_port) is not None
    try:
        printer = open_printer(args.printer)
    except PrinterError as exc:
        print(f"posloyalty run: {exc}; receipts are previewed only", file=sys.stderr)
        printer = None
    window = CashierWindow(
        Counter(ctx, vault, MemberLookup(db, vault=vault)),
        hq_url=hq_url,
        printer=printer,
        printer_name=args.printer,
    )
    scans = ScanFilter(app)
    app.installEventFilter(scans)
    scans.scanned.connect(window.handle_scan)
    if args.camera != "off":
        _attach_camera(window, start=args.camera == "on")
    # The whole available screen (full screen with --kiosk), text and keys sized for it.
    window.fit_to_screen(kiosk=args.kiosk)
    window.raise_()
    focus_scan_field(window)
    # The full check: commits wait for it and are refused if it finds damage; scans go on.
    window.check_database_integrity()
    sync_thread = None
    if hq_url is not None or is_enrolled(db):
        sync_thread = SyncStarter(window, db, hq_url if hq_started else None, ctx.store)
    ready = time.perf_counter() - _T0
    path = args.db
    print(
        f"posloyalty: ready to scan in {ready:.2f} s ({path}"
        f"{', new demo data' if created else ''}{', demo' if demo_mode else ''})",
        flush=True,
    )
    if demo_mode:
        _print_demo_help(path, hq_url)
    placement = display_placement(args.customer_display, len(QGuiApplication.screens()))
    if placement == "none" and args.customer_display == "auto":
        print(
            "posloyalty: customer display: no second screen (connect one, or "
            "--customer-display window)",
            flush=True,
        )
    if placement != "none":
        # The customer's screen opens right after the till is ready to scan (its form costs
        # the start ~40 ms); the self-registration QR comes from HQ once sync is attached.
        def open_display() -> None:
            display = CustomerDisplay(store_name=ctx.rules.name)
            if placement == "second-screen":
                display.setGeometry(QGuiApplication.screens()[1].availableGeometry())
            window.customer_display = display
            display.paint(window.view)
            display.show()
            window.refresh_registration_qr()  # in case sync attached first

        QTimer.singleShot(0, open_display)
    if args.quit_after > 0:
        QTimer.singleShot(int(args.quit_after * 1000), window.close)
        QTimer.singleShot(int(args.quit_after * 1000) + 100, app.quit)
    code = int(app.exec())
    if sync_thread is not None:
        sync_thread.stop()
    db.close()
    if window.integrity.passed and not window.integrity.damage:
        # Checked in full this session and closed cleanly: the next start may check lightly.
        vouch_clean_close(args.db)
    till_lock.release()
    return code


def _attach_camera(window: CashierWindow, *, start: bool) -> None:
    """The camera key when a camera is there (``start``: open it now). QtMultimedia loads
    only then: on Linux the ``/dev/video*`` devices answer first, without Qt."""
    from posloyalty.devices.camera import camera_available

    status = camera_available()
    if not (start or status.available):
        return
    from posloyalty.ui.camera import attach_camera, camera_status

    status = camera_status()
    if start or status.available:
        attach_camera(window, window.handle_scan, start=start)
        print(f"posloyalty run: {status.reason}", file=sys.stderr)


def _print_demo_help(db: Path, hq_url: str | None) -> None:
    from posloyalty.terminal.demo_setup import DEMO_CASHIER, DEMO_MANAGER, demo_products
    from posloyalty.tilldb.demo import KNOWN_MEMBERS

    print(
        f"  cashier {DEMO_CASHIER[0]} PIN {DEMO_CASHIER[2]} · manager {DEMO_MANAGER[0]} "
        f"PIN {DEMO_MANAGER[2]} · HQ {hq_url or 'off'}",
        flush=True,
    )
    for member_id, phone, name, _rank in KNOWN_MEMBERS:
        print(f"  member {member_id} {name} phone {phone}", flush=True)
    print(
        f"  member code (valid ~2 min): posloyalty codes demo-code --db {db} M000000001\n"
        f"  products: {' '.join(demo_products(3))} (or SKU000001 ...)",
        flush=True,
    )
