"""``posloyalty terminal ...``: operate a terminal's local database.

Subcommands: init, import-catalog, import-members, demo, backup, restore, add-cashier,
checkout, return, eod. Each
prints a one-line JSON summary on stdout. Bad input or a refused operation prints one line on
stderr, ``posloyalty terminal <command>: <problem>``, changes nothing stored, and exits 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from posloyalty.clock import FixedClock, SystemClock
from posloyalty.domain.money import MoneyError, format_yuan, parse_yuan
from posloyalty.domain.rules import RuleError, RuleSet
from posloyalty.resources import load_preset, load_rules_file
from posloyalty.terminal.checkout import CheckoutSession
from posloyalty.terminal.context import context_from_store
from posloyalty.terminal.eod import end_of_day
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.returns import process_return
from posloyalty.tilldb import repo, sales
from posloyalty.tilldb.backup import backup, restore
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.demo import DEFAULT_TIER_GROWTH, DEFAULT_TIERS, generate_demo
from posloyalty.tilldb.errors import StoreDataError, StoreError
from posloyalty.tilldb.importer import import_catalog, import_members

Command = Callable[[argparse.Namespace], dict[str, Any]]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "terminal",
        help="manage the terminal's local database",
        description="Create, fill, back up and restore a terminal database.",
    )
    sub = parser.add_subparsers(dest="terminal_command", required=True, metavar="SUBCOMMAND")

    def add(name: str, command: Command, help_: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--db", type=Path, required=True, metavar="PATH", help="database file")
        p.set_defaults(handler=_handler(name, command))
        return p

    p = add("init", _init, "create (or migrate) a terminal database")
    p.add_argument("--store", metavar="S", help="store id")
    p.add_argument("--terminal", metavar="T", help="terminal id")

    p = add("import-catalog", _import_catalog, "import products from a CSV or JSON file")
    p.add_argument("file", type=Path, metavar="FILE")

    p = add("import-members", _import_members, "import members from a CSV or JSON file")
    p.add_argument("file", type=Path, metavar="FILE")

    p = add("demo", _demo, "fill an empty database with deterministic demo data")
    p.add_argument("--members", type=_count, required=True, metavar="N")
    p.add_argument("--products", type=_count, required=True, metavar="N")
    p.add_argument("--sales", type=_count, required=True, metavar="N")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--tiers", default=",".join(DEFAULT_TIERS), help="tier ids, lowest first (comma list)"
    )

    p = add("backup", _backup, "write an online backup (SQLite backup API)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE")

    p = add("restore", _restore, "replace the database with a checked backup")
    p.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE")

    p = add("add-cashier", _add_cashier, "add a cashier or manager with a PIN")
    p.add_argument("--id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=("cashier", "manager"))
    p.add_argument("--pin", required=True, help="4-12 digits, or - to read it from stdin")
    p.add_argument("--member", help="the cashier's own member id, if any")

    p = add(
        "unlock-staff",
        _unlock_staff,
        "unlock a staff account locked by wrong PINs (another manager's PIN)",
    )
    p.add_argument("staff", metavar="STAFF_ID")
    p.add_argument("--manager", required=True, metavar="ID")
    p.add_argument("--pin", required=True, help="the manager's PIN, or - to read it from stdin")

    p = add("checkout", _checkout, "run a scripted checkout and print the committed sale")
    p.add_argument("--cashier", required=True, metavar="ID")
    p.add_argument("--member", metavar="MEMBER_ID", help="a member of the local directory")
    p.add_argument("--line", action="append", default=[], metavar="SKU_OR_EAN[xQTY]")
    p.add_argument("--open-amount", action="append", default=[], metavar="YUAN")
    p.add_argument("--coupon", action="append", default=[], metavar="CODE")
    p.add_argument("--redeem", type=_count, default=0, metavar="N", help="points to redeem")
    p.add_argument(
        "--pay", action="append", default=[], metavar="METHOD:YUAN", help="cash is tendered"
    )
    rules = p.add_mutually_exclusive_group()
    rules.add_argument("--rules", type=Path, metavar="FILE", help="rule document (TOML)")
    rules.add_argument("--preset", metavar="NAME", help="shipped rule preset")
    p.add_argument("--at", metavar="WHEN", help=_AT_HELP)

    p = add("return", _return, "return (part of) a sale and print the refund")
    p.add_argument("--cashier", required=True, metavar="ID")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--sale", metavar="ID")
    which.add_argument("--receipt", metavar="CODE")
    p.add_argument("--line", action="append", default=[], metavar="INDEXxQTY")
    p.add_argument(
        "--tender",
        default="original",
        metavar="METHOD",
        help="refund by this tender of the sale first (default: the original tenders)",
    )
    p.add_argument("--manager", default="", metavar="ID", help="approves a large refund")
    p.add_argument("--manager-pin", default="", help="the manager's PIN, or - to read stdin")
    rules = p.add_mutually_exclusive_group()
    rules.add_argument("--rules", type=Path, metavar="FILE", help="rule document (TOML)")
    rules.add_argument("--preset", metavar="NAME", help="shipped rule preset")
    p.add_argument("--at", metavar="WHEN", help=_AT_HELP)

    p = add("eod", _eod, "end-of-day report for a local business day")
    p.add_argument("--date", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")


_AT_HELP = (
    "when the operation happens: YYYY-MM-DDTHH:MM[:SS] in the store's zone, or with an offset"
    " (+08:00, Z); never before the till's last sale"
)


def _parse_at(text: str, zone: dt.tzinfo) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CheckoutError(
            f"--at {text!r}: expected YYYY-MM-DDTHH:MM[:SS] (store-local) or with an offset"
        ) from None
    if at.tzinfo is None or at.utcoffset() is None:
        at = at.replace(tzinfo=zone)
    return at.astimezone(dt.UTC)


def _open_at(args: argparse.Namespace) -> Database:
    """The database with the clock at ``--at`` (or the system clock). A till's clock never
    goes back past its last sale: receipts, ledgers and tier credit are ordered by time."""
    text = getattr(args, "at", None)
    if text is None:
        return _open(args)
    from posloyalty.terminal.zone import store_zone

    clock = FixedClock(SystemClock().now())
    db = Database.open(args.db, clock=clock)
    try:
        with db.read() as session:
            zone = store_zone(session)
            last = sales.last_sale_at(session)
        at = _parse_at(text, zone)
        if last is not None and at < last:
            raise CheckoutError(
                f"--at {text}: the till's last sale is at "
                f"{last.astimezone(zone).isoformat()}; its clock cannot go back"
            )
        clock.set(at)
    except BaseException:
        db.close()
        raise
    return db


def _count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return n


def _handler(name: str, command: Command) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            result = command(args)
        except (StoreError, CheckoutError, RuleError, MoneyError) as exc:
            sys.stderr.write(f"posloyalty terminal {name}: {' '.join(str(exc).split())}\n")
            return 2
        print(json.dumps(result, ensure_ascii=False, sort_keys=True))
        return 0

    return run


def _open(args: argparse.Namespace, *, create: bool = False) -> Database:
    return Database.open(args.db, clock=SystemClock(), create=create)


def _init(args: argparse.Namespace) -> dict[str, Any]:
    with _open(args, create=True) as db:
        with db.write() as session:
            for key in ("store", "terminal"):
                wanted = getattr(args, key)
                current = repo.get_setting(session, key)
                if wanted is None:
                    continue
                if current is not None and current != wanted:
                    raise StoreDataError(
                        f"{args.db} already belongs to {key} {current!r}, not {wanted!r}"
                    )
                repo.set_setting(session, key, wanted)
            repo.ensure_phone_key(session)
            store = repo.get_setting(session, "store")
            terminal = repo.get_setting(session, "terminal")
        return {
            "db": str(args.db),
            "schema_version": db.schema_version(),
            "store": store,
            "terminal": terminal,
        }


def _import_catalog(args: argparse.Namespace) -> dict[str, Any]:
    with _open(args) as db:
        return {"imported_products": import_catalog(db, args.file)}


def _import_members(args: argparse.Namespace) -> dict[str, Any]:
    with _open(args) as db:
        return {"imported_members": import_members(db, args.file)}


def _demo(args: argparse.Namespace) -> dict[str, Any]:
    tiers = tuple(t.strip() for t in args.tiers.split(",") if t.strip())
    if not tiers:
        raise StoreDataError("--tiers needs at least one tier id")
    with _open(args, create=True) as db:
        counts = generate_demo(
            db,
            members=args.members,
            products=args.products,
            sales=args.sales,
            seed=args.seed,
            tiers=tiers,
            tier_growth=DEFAULT_TIER_GROWTH if tiers == DEFAULT_TIERS else None,
        )
    return {
        "members": counts.members,
        "products": counts.products,
        "sales": counts.sales,
        "sale_lines": counts.sale_lines,
        "ledger_entries": counts.ledger_entries,
    }


def _backup(args: argparse.Namespace) -> dict[str, Any]:
    with _open(args) as db:
        info = backup(db, args.out)
    return {"backup": str(info.path), "bytes": info.size, "schema_version": info.schema_version}


def _restore(args: argparse.Namespace) -> dict[str, Any]:
    moved = restore(args.db, args.source, now=SystemClock().now())
    with _open(args) as db:
        version = db.schema_version()
    return {
        "restored": str(args.db),
        "from": str(args.source),
        "schema_version": version,
        "damaged_copy": str(moved) if moved else None,
    }


def _add_cashier(args: argparse.Namespace) -> dict[str, Any]:
    pin = sys.stdin.readline().strip() if args.pin == "-" else args.pin
    with _open(args) as db, db.write() as session:
        cashier = repo.create_cashier(
            session,
            cashier_id=args.id,
            name=args.name,
            role=args.role,
            pin=pin,
            at=db.clock.now(),
            member_id=args.member,
        )
        return {"cashier": cashier.id, "role": cashier.role}


def _unlock_staff(args: argparse.Namespace) -> dict[str, Any]:
    from posloyalty.terminal.context import context_from_store
    from posloyalty.terminal.staff import unlock_staff

    pin = sys.stdin.readline().strip() if args.pin == "-" else args.pin
    with _open(args) as db:
        ctx = context_from_store(db, args.manager)
        cleared = unlock_staff(ctx, args.staff, manager_id=args.manager, manager_pin=pin)
    return {"unlocked": args.staff.strip(), "by": args.manager.strip(), "failures": cleared}


def _rules(args: argparse.Namespace) -> RuleSet | None:
    if args.rules is not None:
        return load_rules_file(args.rules)
    if args.preset is not None:
        return load_preset(args.preset)
    return None


def _times(text: str, what: str) -> tuple[str, int]:
    """``CODExQTY`` (QTY defaults to 1)."""
    code, sep, qty = text.rpartition("x")
    if not sep or not qty.isdigit():
        return text, 1
    if not code or int(qty) < 1:
        raise CheckoutError(f"{what} {text!r}: expected CODExQTY with QTY 1 or more")
    return code, int(qty)


def _checkout(args: argparse.Namespace) -> dict[str, Any]:
    with _open_at(args) as db:
        ctx = context_from_store(db, args.cashier, rules=_rules(args))
        session = CheckoutSession(ctx)
        if args.member:
            # An operator tool: a member given by id counts as shown with a verified code.
            session.identify(Identified(args.member, "dynamic", may_redeem=True))
        for line in args.line:
            code, qty = _times(line, "--line")
            try:
                session.scan(code, qty)
            except CheckoutError:
                if code == line:
                    raise
                session.scan(line)  # a code that itself ends in x<digits>
        for amount in args.open_amount:
            session.add_open_amount(parse_yuan(amount, what="--open-amount"))
        for code in args.coupon:
            session.add_coupon(code)
        if not session.lines:
            raise CheckoutError("no lines: give --line or --open-amount")
        if args.redeem:
            session.redeem(args.redeem)
        session.begin_payment()
        for pay in args.pay:
            method, sep, amount = pay.partition(":")
            if not sep:
                raise CheckoutError(f"--pay {pay!r}: expected METHOD:YUAN, e.g. cash:100.00")
            fen = parse_yuan(amount, what=f"--pay {method}")
            if method == "cash":
                session.add_payment("cash", tendered=fen)
            else:
                session.add_payment(method, fen)
        if session.remaining:
            if args.pay:
                raise CheckoutError(
                    f"payments leave {format_yuan(session.remaining)} yuan unpaid; add a --pay"
                )
            session.add_payment("cash")
        return session.commit().to_json()


def _return(args: argparse.Namespace) -> dict[str, Any]:
    lines: dict[int, int] | None = None
    for text in args.line:
        index, qty = _times(text, "--line")
        if not index.isdigit():
            raise CheckoutError(f"--line {text!r}: expected INDEXxQTY, e.g. 0x1")
        lines = lines or {}
        lines[int(index)] = lines.get(int(index), 0) + qty
    with _open_at(args) as db:
        ctx = context_from_store(db, args.cashier, rules=_rules(args))
        pin = sys.stdin.readline().strip() if args.manager_pin == "-" else args.manager_pin
        return process_return(
            ctx,
            sale_id=args.sale,
            receipt=args.receipt,
            lines=lines,
            tender=args.tender,
            manager_id=args.manager,
            manager_pin=pin,
        ).to_json()


def _eod(args: argparse.Namespace) -> dict[str, Any]:
    from posloyalty.terminal.zone import store_zone

    with _open(args) as db:
        with db.read() as session:
            zone = store_zone(session)
        day = args.date or db.clock.now().astimezone(zone).date()
        return end_of_day(db, day, zone).to_json()
