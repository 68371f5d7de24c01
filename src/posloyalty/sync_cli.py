"""``posloyalty sync ...``: enrol a terminal with HQ, sync once, show the sync state.

- ``sync enroll --db PATH --hq URL --code CODE [--name NAME]``
- ``sync now --db PATH`` (push the outbox, pull the slice; prints the SyncState as JSON)
- ``sync status --db PATH`` (the state of the last sync and the pending count)

Each prints one line of JSON on stdout. Exit codes: 0 ok; 1 the sync did not complete (offline,
not enrolled, revoked, or an error: see ``last_error``); 2 bad input or a refused operation
(one line on stderr: ``posloyalty sync <command>: <problem>``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from posloyalty.clock import SystemClock
from posloyalty.sync.client import SyncClient, enroll, read_state, verify_chain
from posloyalty.sync.errors import SyncError
from posloyalty.sync.protocol import DEFAULT_PULL_LIMIT, MAX_BATCH_ITEMS, MAX_PULL_LIMIT
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreError

Command = Callable[[argparse.Namespace], tuple[dict[str, Any], int]]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="enrol the terminal with HQ and sync with it",
        description="Enrol this terminal with HQ, sync once, show the sync state.",
    )
    sub = parser.add_subparsers(dest="sync_command", required=True, metavar="SUBCOMMAND")

    def add(name: str, command: Command, help_: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--db", type=Path, required=True, metavar="PATH", help="database file")
        p.set_defaults(handler=_handler(name, command))
        return p

    p = add("enroll", _enroll, "exchange an enrolment code for this terminal's credential")
    p.add_argument("--hq", required=True, metavar="URL", help="HQ address, e.g. https://hq:8443")
    p.add_argument("--code", required=True, metavar="CODE", help="the enrolment code from HQ")
    p.add_argument("--name", default="", metavar="NAME", help="a name for this terminal")
    p.add_argument(
        "--credential-store",
        choices=("auto", "keyring", "file"),
        default="auto",
        help="where to keep the credential (auto: the OS keyring if usable, else a 0600 file)",
    )

    p = add("now", _now, "push the outbox and pull the store's slice once")
    p.add_argument(
        "--batch-items",
        type=int,
        default=500,
        metavar="N",
        help=f"items per push batch (1-{MAX_BATCH_ITEMS})",
    )
    p.add_argument(
        "--pull-limit",
        type=int,
        default=DEFAULT_PULL_LIMIT,
        metavar="N",
        help=f"changes per pulled page (1-{MAX_PULL_LIMIT})",
    )

    add("status", _status, "show the state of the last sync")
    add(
        "verify",
        _verify,
        "check every row of the till's hash chain (sales, ledger, audit log) against the "
        "database as it is now",
    )


def _handler(name: str, command: Command) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            result, code = command(args)
        except (StoreError, SyncError, ValueError) as exc:
            sys.stderr.write(f"posloyalty sync {name}: {' '.join(str(exc).split())}\n")
            return 2
        print(json.dumps(result, ensure_ascii=False, sort_keys=True))
        return code

    return run


def _open(args: argparse.Namespace) -> Database:
    return Database.open(args.db, clock=SystemClock())


def _enroll(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    with _open(args) as db:
        result = enroll(db, args.hq, args.code, name=args.name, key_store=args.credential_store)
    return {
        "store_id": result.store_id,
        "terminal_id": result.terminal_id,
        "credential_store": result.credential_store,
        "warnings": list(result.warnings),
    }, 0


def _now(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    if not 1 <= args.batch_items <= MAX_BATCH_ITEMS:
        raise ValueError(f"--batch-items must be 1 to {MAX_BATCH_ITEMS}")
    if not 1 <= args.pull_limit <= MAX_PULL_LIMIT:
        raise ValueError(f"--pull-limit must be 1 to {MAX_PULL_LIMIT}")
    with _open(args) as db:
        client = SyncClient(db, batch_items=args.batch_items, pull_limit=args.pull_limit)
        try:
            state = client.sync()
        finally:
            client.close()
    ok = state.online and state.last_error is None
    return state.to_json(), 0 if ok else 1


def _verify(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    with _open(args) as db:
        check = verify_chain(db)
    if check.problem is None:
        return {"ok": True, "rows": check.rows}, 0
    p = check.problem
    return {
        "ok": False,
        "rows_verified": check.rows,
        "problem": f"tamper evidence: {p.words} (chain row {p.seq})",
    }, 1


def _status(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    with _open(args) as db:
        return read_state(db).to_json(), 0
