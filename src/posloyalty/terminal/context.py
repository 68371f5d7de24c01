"""What every terminal service is given: the database, rules, clock, zone and who is selling.

The facts the checkout, returns and adjustments share live beside it: the member as the counter
prices them (``members.py``), the offline redemption allowance (``allowance.py``), receipt
codes (``receipt_codes.py``) and tier growth (``tier_growth.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from posloyalty.clock import Clock
from posloyalty.domain.ids import CashierId, StoreId, TerminalId
from posloyalty.domain.rules import RuleError, RuleSet, parse_rules_text
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.zone import DEFAULT_ZONE, ZONE_KEY, zone_named
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database, TillConnection, TillSession
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.ledger_cache import LedgerCache

__all__ = ["ALLOWANCE_KEY", "Conn", "TerminalContext", "context_from_store"]

#: A session of ``db.write()`` / ``db.read()``, or the DBAPI connection of
#: ``db.transaction()`` (the sale's hot path): the helpers take either.
Conn = TillSession | TillConnection

#: Settings key lowering the rules' offline redemption allowance on this terminal.
ALLOWANCE_KEY = "offline_allowance_points"


@dataclass(frozen=True, slots=True)
class TerminalContext:
    db: Database
    rules: RuleSet
    clock: Clock
    zone: dt.tzinfo
    terminal: TerminalId
    store: StoreId
    cashier: CashierId
    ids: Uuid7
    #: Per member and local day; None: the terminal setting, else the rules' value.
    offline_allowance_points: int | None = None
    #: A balance HQ confirmed longer ago than this counts as unconfirmed (offline).
    confirmation_max_age: dt.timedelta = dt.timedelta(minutes=15)
    #: HQ's public key (balance confirmations); None: read from the credential when needed.
    hq_key: bytes | None = None
    #: Members' parsed ledgers, reused while unchanged (identification, then the sale).
    ledgers: LedgerCache = field(default_factory=LedgerCache, compare=False, repr=False)

    def now(self) -> dt.datetime:
        """Now, store-local (its date decides member days, birthdays and business days)."""
        return self.clock.now().astimezone(self.zone)

    def new_id(self) -> str:
        return self.ids.new()


def context_from_store(
    db: Database,
    cashier: str,
    *,
    rules: RuleSet | None = None,
    clock: Clock | None = None,
    ids: Uuid7 | None = None,
) -> TerminalContext:
    """A context from the terminal's settings (store, terminal, zone) and active rule document.

    Refused (:class:`CheckoutError`) for an unknown cashier, a terminal without store or
    terminal id, an unknown zone, or no rules given and none active in the store.
    """
    clock = clock or db.clock
    with db.read() as session:
        if repo.cashier_by_id(session, cashier) is None:
            raise CheckoutError(f"unknown cashier {cashier!r}")
        store = repo.get_setting(session, "store")
        terminal = repo.get_setting(session, "terminal")
        zone_name = repo.get_setting(session, ZONE_KEY) or DEFAULT_ZONE
        allowance = repo.get_setting(session, ALLOWANCE_KEY)
        if rules is None:
            doc = repo.active_rule_document(session)
            if doc is None:
                raise CheckoutError("no active rule document in the store; give rules or a preset")
            try:
                rules = parse_rules_text(doc.text)
            except RuleError as exc:
                raise CheckoutError(f"the active rule document is invalid: {exc}") from None
    if not store or not terminal:
        raise CheckoutError("the terminal has no store or terminal id; run `terminal init`")
    zone = zone_named(zone_name)
    return TerminalContext(
        db=db,
        rules=rules,
        clock=clock,
        zone=zone,
        terminal=TerminalId(terminal),
        store=StoreId(store),
        cashier=CashierId(cashier),
        ids=ids or Uuid7(clock),
        # The setting may lower the rules' allowance, never raise it (the file is editable).
        offline_allowance_points=min(int(allowance), rules.points.offline_allowance_points)
        if allowance and allowance.isdigit()
        else None,
    )
