"""The HQ service facade: every operation in its own transaction, no HTTP types.

The API and the operator CLI both call :class:`HqService`; the functions it wraps (in
``enrolment``, ``ingest``, ``members``, ``jobs``, ``admin``) take a session and never commit,
so tests can also drive them inside one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import update
from sqlalchemy.orm import Session

from posloyalty.clock import Clock, SystemClock
from posloyalty.hq import (
    admin,
    cards,
    changes,
    confirmations,
    enrolment,
    golive,
    ingest,
    jobs,
    lookup,
    members,
    rollout,
)
from posloyalty.hq import chain as till_chain
from posloyalty.hq.db import HqDb
from posloyalty.hq.errors import Refused
from posloyalty.hq.ledger import active_rules
from posloyalty.hq.models import RuleDocument, Terminal
from posloyalty.sync.protocol import (
    Change,
    ChangeTable,
    EnrollResponse,
    LookupRequest,
    LookupResponse,
    PullRequest,
    PullResponse,
    PushBatch,
    PushResult,
    StoreRules,
    encode_pull_response,
)


@dataclass(frozen=True, slots=True)
class HqConfig:
    #: Members seen at a store within this many days are in its slice; None: the rules in
    #: force (``lifecycle.slice_days``, default 180), or DEFAULT_RECENT_DAYS before any.
    recent_days: int | None = None
    #: Per-terminal request rate limit: sustained requests per second and burst size.
    rate_per_s: float = 20.0
    rate_burst: int = 60
    #: Enrolment attempts per client address: sustained per second and burst.
    enroll_rate_per_s: float = 0.2
    enroll_burst: int = 10


def pull_page(
    session: Session,
    caller: enrolment.Caller,
    request: PullRequest,
    at: dt.datetime,
    *,
    recent_days: int = members.DEFAULT_RECENT_DAYS,
) -> changes.Page:
    """The caller's store slice after ``request.cursor``; records the terminal's cursor.
    With ``request.rules``, the last page also carries the rule revision in force at the
    caller's store (its text when the terminal may not have it in force)."""
    rollout.settle(session, at)  # a scheduled chain-wide revision whose time has come
    top = changes.high_water(session)
    if request.cursor > top:
        raise Refused(
            f"cursor {request.cursor} is ahead of HQ ({top}): HQ's data was restored; "
            "pull again from cursor 0"
        )
    page = changes.pull(
        session,
        store_id=caller.store_id,
        cursor=request.cursor,
        limit=request.limit,
        at=at,
        recent_days=recent_days,
        compact=request.compact,
        ledger=request.ledger,
    )
    page = members.with_secrets(session, page)
    if request.rules is not None and not page.more:
        page = replace(page, rules=_store_rules(session, caller.store_id, request.rules, page, at))
    session.execute(
        update(Terminal)
        .where(Terminal.id == caller.terminal_id)
        .values(last_pull_at=at, last_cursor=request.cursor)
    )
    return page


def _store_rules(
    session: Session, store_id: str, has: str, page: changes.Page, at: dt.datetime
) -> StoreRules | None:
    pub = rollout.store_in_force(session, store_id, at)
    if pub is None:
        return None
    sent = StoreRules(id=pub.doc_id, revision=pub.revision)
    touched = any(c[1] == "rule_document" for c in page.changes) or any(
        t[0] == "rule_document" for t in page.tables or []
    )
    if sent.ref == has and not touched:
        return sent
    doc = session.get(RuleDocument, pub.ref)
    assert doc is not None  # a publication names a stored revision
    return StoreRules(id=pub.doc_id, revision=pub.revision, text=doc.text)


class HqService:
    def __init__(
        self, db: HqDb, clock: Clock | None = None, config: HqConfig | None = None
    ) -> None:
        self.db = db
        self.clock: Clock = clock or SystemClock()
        self.config = config or HqConfig()
        self._signer: Ed25519PrivateKey | None = None

    def signer(self) -> Ed25519PrivateKey:
        """HQ's balance confirmation signing key (hq/confirmations.py)."""
        if self._signer is None:
            self._signer = self.db.run(confirmations.signing_key)
        return self._signer

    # ------------------------------------------------------------------ terminals

    def make_enrolment_code(
        self, store_id: str, ttl: dt.timedelta = enrolment.DEFAULT_CODE_TTL
    ) -> str:
        at = self.clock.now()
        return self.db.run(lambda s: enrolment.make_enrolment_code(s, store_id, at, ttl))

    def enroll(self, code: str, name: str = "") -> EnrollResponse:
        at = self.clock.now()
        result = self.db.run(lambda s: enrolment.enroll(s, code, at, name))
        return EnrollResponse(
            terminal_id=result.terminal_id,
            store_id=result.store_id,
            token=result.token,
            phone_key=result.phone_key,
            hq_public_key=confirmations.public_key_hex(self.signer()),
        )

    def authenticate(self, authorization: str | None) -> enrolment.Caller:
        with self.db.transaction(writer=False) as session:
            return enrolment.authenticate(session, authorization)

    def revoke_terminal(self, terminal_id: str) -> bool:
        at = self.clock.now()
        return self.db.run(lambda s: enrolment.revoke_terminal(s, terminal_id, at))

    # ------------------------------------------------------------------ sync

    def push(self, caller: enrolment.Caller, batch: PushBatch) -> PushResult:
        at = self.clock.now()
        prepared = ingest.prepare(caller, batch)  # CPU work, before the writer lock
        try:
            results = self.db.run(
                # The slice window: configured, else the active rules' (read with the rules).
                lambda s: ingest.push(
                    s, caller, batch, at, recent_days=self.config.recent_days, prepared=prepared
                ),
                writer=False,  # ingest.push takes the till's lock, then the writer lock
            )
        except till_chain.ChainBroken as exc:
            # Nothing of the batch was stored; the break is recorded on its own.
            broken = exc
            message = self.db.run(lambda s: till_chain.record_break(s, caller, broken, at))
            raise Refused(message) from None
        return PushResult(batch_id=batch.batch_id, results=results, server_time=at)

    def pull(self, caller: enrolment.Caller, request: PullRequest) -> PullResponse:
        page = self._pull(caller, request)
        now = self.clock.now()
        return PullResponse(
            changes=[
                Change(seq=seq, kind=kind, key=key, data=json.loads(data) if data else None)  # type: ignore[arg-type]
                for seq, kind, key, data in page.changes
            ],
            next_cursor=page.next_cursor,
            more=page.more,
            server_time=now,
            confirmations=confirmations.confirm_page(self.signer(), page, caller.terminal_id, now),
            tables=[
                ChangeTable(
                    kind=kind,  # type: ignore[arg-type]
                    fields=json.loads(fields),
                    seqs=[seq for seq, _, _ in rows],
                    keys=[key for _, key, _ in rows],
                    rows=[json.loads(values) for _, _, values in rows],
                )
                for kind, fields, rows in page.tables or []
            ],
            rules=page.rules,
        )

    def pull_json(self, caller: enrolment.Caller, request: PullRequest) -> bytes:
        """:meth:`pull` encoded as the JSON of a PullResponse, without decoding each change."""
        page = self._pull(caller, request)
        now = self.clock.now()
        signed = confirmations.confirm_page(self.signer(), page, caller.terminal_id, now)
        return encode_pull_response(
            page.changes,
            page.next_cursor,
            page.more,
            now,
            page.tables,
            confirmations=signed,
            rules=page.rules,
        )

    def _pull(self, caller: enrolment.Caller, request: PullRequest) -> changes.Page:
        at = self.clock.now()
        # A read (and the terminal's own last-pull row): beside the writer, not after it.
        return self.db.run(
            lambda s: pull_page(s, caller, request, at, recent_days=self.recent_days(s)),
            writer=False,
        )

    def lookup(self, caller: enrolment.Caller, request: LookupRequest) -> LookupResponse:
        """A member the caller's slice does not hold (:mod:`posloyalty.hq.lookup`)."""
        at = self.clock.now()
        return self.db.run(
            lambda s: lookup.lookup_member(s, caller, request, at, recent_days=self.recent_days(s))
        )

    # ------------------------------------------------------------------ members and jobs

    def register_member(  # noqa: PLR0917 (same order as members.register_member)
        self,
        store: str,
        phone: str,
        name: str,
        birthday: dt.date | None,
        consent: bool,
        at: dt.datetime | None = None,
    ) -> members.Registration:
        when = at or self.clock.now()

        def work(session: Session) -> members.Registration:
            enrolment.ensure_store(session, store, when)
            return members.register_member(session, store, phone, name, birthday, consent, when)

        return self.db.run(work)

    def recent_days(self, session: Session) -> int:
        """The slice window: the configured one, else the rules' ``lifecycle.slice_days``."""
        if self.config.recent_days is not None:
            return self.config.recent_days
        rules = active_rules(session)
        return rules.lifecycle.slice_days if rules is not None else members.DEFAULT_RECENT_DAYS

    def run_jobs(self, *, full: bool = False) -> jobs.JobReport:
        at = self.clock.now()
        # A scheduled chain-wide revision whose time has come is in force before the jobs run.
        self.db.run(lambda s: rollout.settle(s, at), writer=False)
        return jobs.run_all(self.db, at, full=full)

    # ------------------------------------------------------------------ operator

    def publish_rules(
        self,
        text: str,
        *,
        effective_at: dt.datetime | None = None,
        stores: Sequence[str] = (),
        regions: Sequence[str] = (),
    ) -> admin.Published:
        at = self.clock.now()
        return self.db.run(
            lambda s: admin.publish_rules(
                s, text, at, effective_at=effective_at, stores=stores, regions=regions, by="cli"
            )
        )

    def import_catalog(self, path: Path) -> admin.ImportReport:
        rows = admin.read_table(path)
        return self.db.run(lambda s: admin.import_catalog(s, rows))

    def import_members(self, path: Path) -> admin.ImportReport:
        rows = admin.read_table(path)
        at = self.clock.now()
        return self.db.run(lambda s: admin.import_members(s, rows, at))

    def backfill_points(
        self, *, before: dt.datetime | None = None, dry_run: bool = False
    ) -> golive.BackfillReport:
        """Grant points for past completed sales under the rules in force (source 004)."""
        at = self.clock.now()
        return self.db.run(lambda s: golive.backfill(s, at, before=before, dry_run=dry_run))

    def revoke_cards(
        self, *, digest: str | None = None, member_id: str | None = None, reason: str = ""
    ) -> list[str]:
        """Revoke a card, or every card of a member (:func:`hq.cards.revoke_cards`)."""
        at = self.clock.now()
        return self.db.run(
            lambda s: cards.revoke_cards(s, at, digest=digest, member_id=member_id, reason=reason)
        )

    def rotate_secret(self, member_id: str) -> None:
        """A new secret for the member's phone codes (:func:`hq.cards.rotate_secret`)."""
        self.db.run(lambda s: cards.rotate_secret(s, member_id))

    def health(self) -> list[admin.TerminalHealth]:
        with self.db.transaction(writer=False) as session:
            return admin.health(session)
