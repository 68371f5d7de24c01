"""``posloyalty hq ...``: run HQ and operate it (rules, imports, enrolment codes, jobs, health).

Every command takes ``--db URL`` (``sqlite:///FILE``, a bare file path, or
``postgresql+psycopg://USER@HOST/DB``); the default is the ``POSLOYALTY_HQ_DB`` environment
variable, else ``posloyalty-hq.sqlite`` in the current directory. The schema is migrated on
open. Bad input prints one line ``posloyalty hq: <problem>`` on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

DEFAULT_DB = "posloyalty-hq.sqlite"


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=os.environ.get("POSLOYALTY_HQ_DB", DEFAULT_DB),
        help="database URL or SQLite file (default: $POSLOYALTY_HQ_DB or %(default)s)",
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "hq", help="run and operate the HQ service", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="hq_command", required=True, metavar="HQ_COMMAND")

    serve = sub.add_parser("serve", help="serve the HQ API (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument(
        "--jobs-interval",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="run the HQ jobs this often in the background (0: never)",
    )
    serve.add_argument(
        "--workers", type=int, default=1, metavar="N", help="uvicorn worker processes"
    )
    _db_arg(serve)
    serve.set_defaults(handler=_wrap(_serve))

    publish = sub.add_parser("publish-rules", help="publish a rule document (TOML)")
    _db_arg(publish)
    publish.add_argument("file", type=Path, metavar="FILE")
    publish.add_argument(
        "--at",
        default="",
        metavar="INSTANT",
        help="in force from this instant (ISO 8601 with offset, 2026-12-24T00:00+08:00); "
        "default: now",
    )
    publish.add_argument(
        "--scope",
        action="append",
        default=[],
        metavar="store:ID|region:NAME",
        help="only these stores or regions (repeatable); default: every store",
    )
    publish.set_defaults(handler=_wrap(_publish))

    for name, what in (("import-catalog", "products"), ("import-members", "members")):
        imp = sub.add_parser(name, help=f"import {what} from a CSV or JSON file")
        _db_arg(imp)
        imp.add_argument("file", type=Path, metavar="FILE")
        imp.set_defaults(handler=_wrap(_import), what=what)

    fill = sub.add_parser(
        "backfill-points",
        help="grant points for past completed sales under the rules in force (go-live)",
    )
    _db_arg(fill)
    fill.add_argument("--before", metavar="WHEN", help="only sales before this ISO date-time")
    fill.add_argument("--dry-run", action="store_true", help="report only, grant nothing")
    fill.set_defaults(handler=_wrap(_backfill))

    code = sub.add_parser("enroll-code", help="make a single-use enrolment code for a store")
    _db_arg(code)
    code.add_argument("--store", required=True, metavar="S")
    code.add_argument("--ttl-minutes", type=float, default=15.0, metavar="N")
    code.set_defaults(handler=_wrap(_enroll_code))

    revoke = sub.add_parser("revoke-terminal", help="revoke a terminal's credential")
    _db_arg(revoke)
    revoke.add_argument("terminal", metavar="TERMINAL_ID")
    revoke.set_defaults(handler=_wrap(_revoke))

    card = sub.add_parser(
        "revoke-card", help="revoke a member card (or all of a member's cards) at every till"
    )
    _db_arg(card)
    which = card.add_mutually_exclusive_group(required=True)
    which.add_argument("--digest", metavar="HEX", help="the card's token digest")
    which.add_argument("--member", metavar="MEMBER_ID", help="every card HQ knows of a member")
    card.add_argument("--reason", default="revoked by HQ", metavar="TEXT")
    card.set_defaults(handler=_wrap(_revoke_card))

    rotate = sub.add_parser(
        "rotate-secret", help="give a member a new secret for phone codes (old codes stop)"
    )
    _db_arg(rotate)
    rotate.add_argument("member", metavar="MEMBER_ID")
    rotate.set_defaults(handler=_wrap(_rotate_secret))

    clear = sub.add_parser(
        "clear-chain",
        help="let a till whose hash chain broke sync again (after looking at it; audited)",
    )
    _db_arg(clear)
    clear.add_argument("terminal", metavar="TERMINAL_ID")
    clear.add_argument("--reason", required=True, metavar="TEXT", help="why (kept in the audit)")
    clear.set_defaults(handler=_wrap(_clear_chain))

    jobs = sub.add_parser("run-jobs", help="recompute balances, tiers, expiry; merge duplicates")
    _db_arg(jobs)
    jobs.add_argument("--full", action="store_true", help="recompute every member")
    jobs.set_defaults(handler=_wrap(_run_jobs))

    rotate = sub.add_parser(
        "rotate-keys",
        help="add a new master key and re-wrap every member's data key under it",
        description=(
            "Adds a master key to HQ's key file and makes it current, then re-wraps every "
            "sealed record under it (old keys keep working until then). Restart running HQ "
            "processes afterwards and run it again with --keep-current."
        ),
    )
    _db_arg(rotate)
    rotate.add_argument(
        "--keep-current",
        action="store_true",
        help="add no key: re-wrap under the current one (keys from the environment: put the "
        "new key first in POSLOYALTY_HQ_MASTER_KEYS)",
    )
    rotate.add_argument(
        "--retire", action="store_true", help="then drop keys no record uses from the key file"
    )
    rotate.set_defaults(handler=_wrap(_rotate_keys))

    admin = sub.add_parser(
        "create-admin",
        help="create a back office operator (the first HQ admin); the password is read from "
        "stdin (one line) or asked for on a terminal",
    )
    _db_arg(admin)
    admin.add_argument("username", metavar="USERNAME")
    admin.add_argument(
        "--role",
        default="hq_admin",
        choices=["hq_admin", "marketing", "store_manager", "auditor"],
        help="the operator's role (default: %(default)s)",
    )
    admin.add_argument(
        "--store", action="append", default=[], metavar="S", help="a store manager's store"
    )
    admin.set_defaults(handler=_wrap(_create_admin))

    health = sub.add_parser("health", help="sync health per store and terminal")
    _db_arg(health)
    health.add_argument("--json", action="store_true", help="print JSON")
    health.set_defaults(handler=_wrap(_health))


def _fail(message: str) -> int:
    sys.stderr.write(f"posloyalty hq: {' '.join(message.split())}\n")
    return 2


def _wrap(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from posloyalty.hq.db import DatabaseUrlError
        from posloyalty.hq.edge import EdgeConfigError
        from posloyalty.hq.errors import HqError
        from posloyalty.hq.keys import KeyringError

        try:
            return command(args)
        except (HqError, DatabaseUrlError, KeyringError, EdgeConfigError) as exc:
            return _fail(str(exc))
        except SQLAlchemyError as exc:
            return _fail(f"database problem: {str(exc).splitlines()[0]}")

    return run


@contextmanager
def _service(args: argparse.Namespace) -> Iterator[Any]:
    from posloyalty.hq.db import HqDb
    from posloyalty.hq.services import HqService

    db = HqDb(args.db)
    try:
        yield HqService(db)
    finally:
        db.dispose()


def _serve(args: argparse.Namespace) -> int:
    from posloyalty.hq.edge import EdgeConfig
    from posloyalty.hq.server import serve

    EdgeConfig.from_env(os.environ)  # a bad setting is refused before anything starts
    with _service(args) as svc:
        serve(svc, args.host, args.port, jobs_interval=args.jobs_interval, workers=args.workers)
    return 0


def _publish(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {str(args.file)!r}: {exc}")
    stores: list[str] = []
    regions: list[str] = []
    for item in args.scope:
        kind, _, name = item.partition(":")
        if kind not in {"store", "region"} or not name:
            return _fail(f"--scope {item[:40]!r}: give store:ID or region:NAME")
        (stores if kind == "store" else regions).append(name)
    from posloyalty.hq.backoffice.rules_desk import parse_instant

    with _service(args) as svc:
        when = parse_instant(args.at)
        result = svc.publish_rules(text, effective_at=when, stores=stores, regions=regions)
    state = "published" if result.changed else "already in force"
    if result.changed and when is not None:
        state = f"scheduled for {when.isoformat()}"
    where = f" ({', '.join(args.scope)})" if args.scope else ""
    print(f"{result.id} revision {result.revision}: {state}{where}")
    return 0


def _import(args: argparse.Namespace) -> int:
    with _service(args) as svc:
        importer = svc.import_catalog if args.what == "products" else svc.import_members
        report = importer(args.file)
    for problem in report.errors:
        sys.stderr.write(f"posloyalty hq: {problem}\n")
    print(
        f"{args.what}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.errors)} refused"
    )
    return 2 if report.errors else 0


def _backfill(args: argparse.Namespace) -> int:
    before = None
    if args.before:
        try:
            before = dt.datetime.fromisoformat(args.before)
        except ValueError:
            sys.stderr.write(f"posloyalty hq: --before {args.before!r} is not a date-time\n")
            return 2
        if before.tzinfo is None:
            sys.stderr.write("posloyalty hq: --before needs a UTC offset\n")
            return 2
    with _service(args) as svc:
        report = svc.backfill_points(before=before, dry_run=args.dry_run)
    print(json.dumps(report.as_json(), ensure_ascii=False, sort_keys=True))
    return 0


def _enroll_code(args: argparse.Namespace) -> int:
    ttl = dt.timedelta(minutes=args.ttl_minutes)
    with _service(args) as svc:
        print(svc.make_enrolment_code(args.store, ttl))
    return 0


def _revoke(args: argparse.Namespace) -> int:
    with _service(args) as svc:
        changed = svc.revoke_terminal(args.terminal)
    print(f"terminal {args.terminal}: {'revoked' if changed else 'was already revoked'}")
    return 0


def _revoke_card(args: argparse.Namespace) -> int:
    with _service(args) as svc:
        done = svc.revoke_cards(digest=args.digest, member_id=args.member, reason=args.reason)
    print(f"{len(done)} card(s) revoked; tills refuse them after their next pull")
    for digest in done:
        print(digest)
    return 0


def _rotate_secret(args: argparse.Namespace) -> int:
    with _service(args) as svc:
        svc.rotate_secret(args.member)
    print(f"member {args.member}: new secret; tills take it on their next pull")
    return 0


def _clear_chain(args: argparse.Namespace) -> int:
    from posloyalty.hq import admin

    with _service(args) as svc:
        at = svc.clock.now()
        svc.db.run(
            lambda s: admin.clear_chain_break(
                s, args.terminal, reason=args.reason, at=at, operator="cli"
            )
        )
    print(f"terminal {args.terminal}: chain break cleared; its next push is checked again")
    return 0


def _run_jobs(args: argparse.Namespace) -> int:
    with _service(args) as svc:
        report = svc.run_jobs(full=args.full)
    print(
        f"{report.members} members recomputed, {report.changed} changed, "
        f"{report.expired_entries} expiry entries, {len(report.merged)} merges, "
        f"{report.problems} problems"
    )
    return 0


def _rotate_keys(args: argparse.Namespace) -> int:
    from posloyalty.hq.rotation import rotate_keys

    done = rotate_keys(args.db, dict(os.environ), new_key=not args.keep_current, retire=args.retire)
    print(
        f"current master key {done.current} ({done.source}): {done.rewrapped} records "
        f"re-wrapped" + (f"; retired {', '.join(done.retired)}" if done.retired else "")
    )
    return 0


def _when(value: dt.datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else "never"


def _create_admin(args: argparse.Namespace) -> int:
    from posloyalty.hq.backoffice.auth import create_operator

    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("password (at least 12 characters): ")
        if getpass.getpass("again: ") != password:
            return _fail("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with _service(args) as svc:
        at = svc.clock.now()
        svc.db.run(lambda s: create_operator(s, args.username, password, args.role, at, args.store))
    print(f"operator {args.username} ({args.role}) created; sign in at /office/login")
    return 0


def _health(args: argparse.Namespace) -> int:
    with _service(args) as svc:
        rows = svc.health()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "store": h.store_id,
                        "terminal": h.terminal_id,
                        "name": h.name,
                        "revoked": h.revoked,
                        "last_push_at": h.last_push_at.isoformat() if h.last_push_at else None,
                        "last_pull_at": h.last_pull_at.isoformat() if h.last_pull_at else None,
                        "cursor": h.last_cursor,
                        "behind": h.behind,
                        "open_conflicts": h.store_open_conflicts,
                        "chain_broken": h.chain_broken,
                    }
                    for h in rows
                ],
                indent=2,
            )
        )
        return 0
    if not rows:
        print("no terminals enrolled")
        return 0
    print(f"{'store':<12} {'terminal':<10} {'last push':<26} {'last pull':<26} behind conflicts")
    for h in rows:
        flag = " (revoked)" if h.revoked else ""
        print(
            f"{h.store_id:<12} {h.terminal_id:<10} {_when(h.last_push_at):<26} "
            f"{_when(h.last_pull_at):<26} {h.behind:>6} {h.store_open_conflicts:>9}{flag}"
        )
        if h.chain_broken:
            print(f"  SYNC STOPPED, hash chain broken: {h.chain_broken}")
    return 0
