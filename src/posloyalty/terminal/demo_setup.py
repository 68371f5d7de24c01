"""A ready-to-scan demo terminal: database, rules, staff, member secrets and a few coupons.

``posloyalty run --demo`` calls :func:`ensure_demo_terminal`; it is idempotent (the demo's
own database is only opened) and refuses any other file before writing to it (see
:func:`posloyalty.terminal.launch.check_demo`): demo data never lands in a production
database. Demo staff: cashier ``demo`` (PIN 1234) and manager ``boss`` (PIN 9999).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from posloyalty.clock import Clock
from posloyalty.domain import codes
from posloyalty.domain.ids import MemberId
from posloyalty.domain.rules import RuleSet, parse_rules_text
from posloyalty.terminal.launch import (
    DEMO_MARK_KEY,
    DEMO_STORE,
    DEMO_TERMINAL,
    check_demo,
)
from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.demo import KNOWN_MEMBERS, generate_demo, product_ean
from posloyalty.tilldb.vault import Vault, open_vault

DEMO_CASHIER = ("demo", "Demo cashier", "1234")
DEMO_MANAGER = ("boss", "Demo manager", "9999")


@dataclass(frozen=True, slots=True)
class DemoTerminal:
    db: Database
    vault: Vault
    created: bool


def ensure_demo_terminal(
    path: Path,
    *,
    clock: Clock,
    rules_text: str,
    members: int = 10_000,
    products: int = 200,
    sales: int = 2_000,
    integrity: str = "quick_check",
    background_checkpoint: float = 0.0,
) -> DemoTerminal:
    """Open the demo terminal database at ``path``, creating and filling it on first use.

    Raises :class:`~posloyalty.terminal.launch.LaunchRefused` (nothing written) for a file that is not the demo's: an
    enrolled, damaged or foreign database, or one holding other data. ``integrity`` and
    ``background_checkpoint`` are passed to :meth:`Database.open` (an existing file had its
    quick check already)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ours = check_demo(path)
    db = Database.open(
        path,
        clock=clock,
        create=True,
        integrity=integrity,
        background_checkpoint=background_checkpoint,
    )
    with db.read() as session:
        filled = repo.member_by_id(session, KNOWN_MEMBERS[0][0]) is not None
        marked = repo.get_setting(session, DEMO_MARK_KEY) is not None
    if ours and filled and not marked:  # a demo database from before the mark
        with db.write() as session:
            repo.set_setting(session, DEMO_MARK_KEY, "1")
    created = False
    if not filled:
        now = clock.now()
        with db.write() as session:
            repo.set_setting(session, DEMO_MARK_KEY, "1")
            repo.set_setting(session, "store", DEMO_STORE)
            repo.set_setting(session, "terminal", DEMO_TERMINAL)
            repo.set_setting(session, "zone", "Asia/Shanghai")
            repo.save_rule_document(
                session, doc_id="demo-rules", revision=1, text_=rules_text, activate=True
            )
            for cid, name, pin in (DEMO_CASHIER, DEMO_MANAGER):
                repo.create_cashier(
                    session,
                    cashier_id=cid,
                    name=name,
                    role="manager" if cid == DEMO_MANAGER[0] else "cashier",
                    pin=pin,
                    at=now,
                )
        rules = parse_rules_text(rules_text)
        growth_family = rules.tiers.family == "growth" and rules.growth.per_yuan.denominator == 1
        generate_demo(
            db,
            members=members,
            products=products,
            sales=sales,
            tiers=rules.tiers.ids(),
            tier_growth=(
                tuple(level.min_growth for level in rules.tiers.levels) if growth_family else None
            ),
            growth_per_yuan=int(rules.growth.per_yuan) if growth_family else 1,
        )
        created = True
    vault = open_vault(db, key_store="file")
    assert vault is not None
    with db.write() as session:
        member_codes.provision_demo_secrets(session, vault, clock.now())
    return DemoTerminal(db, vault, created)


def give_demo_coupon(db: Database, rules: RuleSet, member: str, template: str, code: str) -> None:
    """Hand a member a coupon of ``template`` valid for 30 days (demo and screenshots)."""
    if template not in rules.coupons:
        raise ValueError(f"the rules have no coupon {template!r}")
    now = db.clock.now()
    with db.write() as session:
        if repo.coupon_by_code(session, code) is None:
            repo.issue_coupon(
                session,
                code=code,
                member_id=member,
                template=template,
                valid_from=now - dt.timedelta(days=1),
                valid_until=now + dt.timedelta(days=30),
            )


def demo_dynamic_code(db: Database, vault: Vault, member: str) -> str:
    """The member's dynamic code now (as their phone app shows it)."""
    with db.read() as session:
        secret = member_codes.member_secret(session, vault, member)
    if secret is None:
        raise ValueError(f"{member} has no demo secret")
    return codes.make_dynamic(MemberId(member), secret, int(db.clock.now().timestamp()))


def demo_products(n: int = 3) -> list[str]:
    """EAN-13 barcodes of the first ``n`` demo products."""
    return [product_ean(i) for i in range(1, n + 1)]
