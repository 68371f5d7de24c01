"""``posloyalty codes ...``: member codes at the terminal, without a window.

- ``verify --db PATH CODE``: identify a scan offline. Exit 0 printing the member as JSON; exit 1
  with the reason on stderr (forged, expired, replayed, revoked, ...). A verified dynamic code
  counts as used: the same code is refused the second time.
- ``card --db PATH MEMBER --out FILE.png``: a printable member card (masked name, tier). A
  provisional member's card carries their provisional code; any other member gets a new static
  card token, whose digest is kept so the card verifies here and is registered at HQ on the next
  push (``--reissue``: the member's earlier cards are revoked, here and at every till).
- ``demo-code --db PATH MEMBER``: the current dynamic code of a demo member (M000000001..3),
  provisioning the demo secrets on first use.
- ``register --db PATH --phone ... [--name] [--birthday] --consent``: register a shopper.

Bad input or a refused operation prints one line on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from posloyalty.clock import SystemClock
from posloyalty.domain import codes
from posloyalty.domain.codes import CouponCode, ProductBarcode, ProvisionalCode, ScanError
from posloyalty.domain.ids import MemberId
from posloyalty.domain.privacy import mask_name
from posloyalty.domain.rules import RuleError, RuleSet, parse_rules_text
from posloyalty.terminal.member_scan import IdentifyError, identify, member_view
from posloyalty.terminal.registration import (
    DEFAULT_PHONE_PATTERN,
    RegistrationError,
    RegistrationForm,
    parse_birthday,
)
from posloyalty.terminal.registration import register as register_member
from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreError
from posloyalty.tilldb.vault import KeyStore, Vault, open_vault


class _Refused(Exception):
    """Bad input or a refused operation: exit 2 with this message."""


class _Negative(Exception):
    """A negative answer (the code does not verify): exit 1 with this message."""


Command = Callable[[argparse.Namespace], dict[str, Any]]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "codes",
        help="member codes: verify, print cards, demo codes, register members",
        description="Member codes at the terminal: verify scans offline, print member cards, "
        "show demo members' dynamic codes, register shoppers.",
    )
    sub = parser.add_subparsers(dest="codes_command", required=True, metavar="SUBCOMMAND")

    def add(name: str, command: Command, help_: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--db", type=Path, required=True, metavar="PATH", help="database file")
        p.set_defaults(handler=_handler(name, command))
        return p

    p = add("verify", _verify, "identify a scanned code offline; the member as JSON")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--preset", help="rule preset for tier names when the store has no rules")

    p = add("card", _card, "write a printable member card (PNG)")
    p.add_argument("member", metavar="MEMBER")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.png")
    p.add_argument("--preset", help="rule preset for tier names when the store has no rules")
    p.add_argument("--reissue", action="store_true", help="the member's earlier cards stop working")

    p = add("demo-code", _demo_code, "print the current dynamic code of a demo member")
    p.add_argument("member", metavar="MEMBER")

    p = add("register", _register, "register a shopper at this terminal")
    p.add_argument("--phone", required=True)
    p.add_argument("--name", default="")
    p.add_argument("--birthday", default="", help="YYYY-MM-DD")
    p.add_argument("--consent", action="store_true", help="the shopper agreed (required)")
    p.add_argument("--cashier", default="cli", help="who registers (audit log)")
    p.add_argument("--preset", help="rule preset when the store has no active rule document")
    p.add_argument("--phone-pattern", default=DEFAULT_PHONE_PATTERN, help="regex for numbers")


def _handler(name: str, command: Command) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            result = command(args)
        except _Negative as exc:
            sys.stderr.write(f"posloyalty codes {name}: {exc}\n")
            return 1
        except (_Refused, StoreError, RegistrationError, RuleError) as exc:
            sys.stderr.write(f"posloyalty codes {name}: {' '.join(str(exc).split())}\n")
            return 2
        print(json.dumps(result, ensure_ascii=False, sort_keys=True))
        return 0

    return run


def _open(args: argparse.Namespace) -> Database:
    return Database.open(args.db, clock=SystemClock())


#: Where a new terminal key goes: "auto" (OS keyring if usable, else a key file), "keyring",
#: or "file". Tests and headless installs set "file".
KEY_STORE_ENV = "POSLOYALTY_KEY_STORE"


def _vault(db: Database) -> Vault:
    where = os.environ.get(KEY_STORE_ENV, "auto")
    if where not in ("auto", "keyring", "file"):
        raise _Refused(f"{KEY_STORE_ENV} must be auto, keyring or file; got {where!r}")
    vault = open_vault(db, key_store=cast(KeyStore, where))
    assert vault is not None
    return vault


def _rules(db: Database, preset: str | None, *, required: bool) -> RuleSet | None:
    with db.read() as session:
        doc = repo.active_rule_document(session)
    if doc is not None:
        return parse_rules_text(doc.text)
    if preset:
        from posloyalty.resources import load_preset

        return load_preset(preset)
    if required:
        raise _Refused("the store has no active rule document; give --preset NAME")
    return None


def _verify(args: argparse.Namespace) -> dict[str, Any]:
    with _open(args) as db:
        vault = open_vault(db, create=False)
        try:
            outcome = identify(args.code, db=db, vault=vault)
        except IdentifyError as exc:
            raise _Negative(f"{exc.reason}: {exc.message}") from None
        if isinstance(outcome, ProductBarcode):
            raise _Negative(
                f"not_member: {outcome.payload} is a {outcome.symbology} product barcode"
            )
        if isinstance(outcome, CouponCode):
            raise _Negative(f"not_member: {outcome.payload} is a coupon code")
        view = member_view(db, outcome.member_id, rules=_rules(db, args.preset, required=False))
    return {
        "member_id": outcome.member_id,
        "by": outcome.by,
        "may_redeem": outcome.may_redeem,
        "confirmed": outcome.confirmed,
        "member": view.as_json() if view is not None else None,
    }


def _card(args: argparse.Namespace) -> dict[str, Any]:
    from posloyalty.devices.qr import member_card_png

    with _open(args) as db:
        at = db.clock.now()
        with db.read() as session:
            row = repo.member_by_id(session, args.member)
            if row is None:
                raise _Refused(f"no member {args.member!r} in this terminal's directory")
            name, tier, provisional = row.display_name, row.tier, row.provisional
        rules = _rules(db, args.preset, required=False)
        if rules is not None and tier in rules.tiers.ids():
            tier = rules.tiers.level(tier).name
        try:
            parsed: codes.Scan | None = codes.parse_scan(args.member)
        except ScanError:
            parsed = None
        digest = None
        if provisional and isinstance(parsed, ProvisionalCode):
            payload, kind = args.member, "provisional"
        else:
            try:
                token = secrets.token_bytes(codes.TOKEN_BYTES)
                payload, kind = codes.make_static(MemberId(args.member), token), "static"
            except ValueError as exc:
                raise _Refused(str(exc)) from None
            card = codes.parse_scan(payload)
            assert isinstance(card, codes.StaticCardCode)
            digest = codes.token_digest(card.token)
        _write(args.out, member_card_png(payload, mask_name(name) if name.strip() else "", tier))
        replaced: tuple[str, ...] = ()
        if digest is not None:
            from posloyalty.terminal.cards import record_card
            from posloyalty.tilldb.ids import Uuid7

            try:
                replaced = record_card(
                    db,
                    args.member,
                    digest,
                    at=at,
                    outbox_id=Uuid7(db.clock).new(),
                    cashier="cli",
                    reissue=args.reissue,
                ).replaced
            except BaseException:
                args.out.unlink(missing_ok=True)  # a card that would not verify
                raise
    return {
        "out": str(args.out),
        "member_id": args.member,
        "kind": kind,
        "replaced": len(replaced),
    }


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise _Refused(f"cannot write {path}: {exc.strerror}") from None


def _demo_code(args: argparse.Namespace) -> dict[str, Any]:
    if args.member not in member_codes.DEMO_MEMBER_IDS:
        raise _Refused(
            f"{args.member!r} is not a demo member ({', '.join(member_codes.DEMO_MEMBER_IDS)})"
        )
    with _open(args) as db:
        vault = _vault(db)
        at = db.clock.now()
        with db.write() as session:
            if repo.member_by_id(session, args.member) is None:
                raise _Refused(
                    f"no member {args.member!r}; fill the database with `posloyalty terminal demo`"
                )
            member_codes.provision_demo_secrets(session, vault, at, [args.member])
            secret = member_codes.member_secret(session, vault, args.member)
        assert secret is not None
    code = codes.make_dynamic(MemberId(args.member), secret, int(at.timestamp()))
    return {"member_id": args.member, "code": code}


def _register(args: argparse.Namespace) -> dict[str, Any]:
    with _open(args) as db:
        rules = _rules(db, args.preset, required=True)
        assert rules is not None
        vault = _vault(db)
        done = register_member(
            db,
            rules,
            RegistrationForm(
                phone=args.phone,
                consent=args.consent,
                name=args.name,
                birthday=parse_birthday(args.birthday),
            ),
            vault=vault,
            cashier=args.cashier,
            phone_pattern=args.phone_pattern,
        )
    return {
        "member_id": done.member_id,
        "code": done.code,
        "phone": done.phone_masked,
        "name": done.name_masked,
        "welcome": done.welcome.as_json(),
    }
