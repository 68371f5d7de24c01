"""An attacker with the till's database file edits it with plain SQL (the issue's attacks):
the till's hash chain shows it, HQ refuses the till's pushes and records it, and the till says
so. HQ's signed balance confirmations cannot be made in the file, and a member's code used at
two tills is flagged at HQ.

A real HQ on loopback (uvicorn; SQLite, and PostgreSQL for the first attack) and real till
databases; the attacker's edits go through a separate ``sqlite3`` connection, as the ``sqlite3``
shell would."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hq_chain import Chain
from hq_helpers import batch, sale
from hq_signing import signed
from pgtest import postgres_database
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))

from sync_helpers import (
    STORE_T0,
    Hq,
    client,
    ctx,
    enrolled,
    phone_code,
    sell,
)

from posloyalty.cli import main
from posloyalty.clock import FixedClock
from posloyalty.domain.chain import content_digest, entry_content
from posloyalty.domain.codes import make_dynamic
from posloyalty.domain.ids import MemberId
from posloyalty.hq.models import AuditEvent, Conflict, LedgerEntry, TillChain
from posloyalty.hq.models import Member as HqMember
from posloyalty.hq.pii import pii_of
from posloyalty.sync import inbound
from posloyalty.sync.client import read_state
from posloyalty.sync.protocol import PullResponse, PushBatch
from posloyalty.terminal.allowance import offline_allowance
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.status import from_sync_state
from posloyalty.tilldb import chain as till_chain
from posloyalty.tilldb import repo
from posloyalty.tilldb.confirmation import CONFIRMED_PREFIX
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.types import format_ts


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[Hq]:
    server = Hq(f"sqlite:///{tmp_path / 'hq.sqlite'}").start()
    try:
        yield server
    finally:
        server.close()


def _till(hq: Hq, tmp_path: Path, name: str = "t") -> tuple[Database, str, FixedClock]:
    (member,) = hq.setup_chain("S1", 1)
    clock = FixedClock(STORE_T0)
    db = enrolled(hq, tmp_path / f"{name}.sqlite", "S1", clock)
    client(db).sync()  # the member's slice, HQ's key
    return db, member, clock


def _attack(db: Database, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Plain SQL on the till's file, as the ``sqlite3`` shell runs it (triggers can be
    dropped, nothing of the till software runs)."""
    conn = sqlite3.connect(db.path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        for sql, args in statements:
            conn.execute(sql, args)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _stopped(hq: Hq, terminal: str) -> TillChain:
    with hq.db.transaction() as s:
        state = s.get(TillChain, terminal)
        assert state is not None and state.broken_at is not None, "HQ did not stop the till"
        conflicts = s.scalars(
            select(Conflict).where(
                Conflict.kind == "chain_broken", Conflict.terminal_id == terminal
            )
        ).all()
        assert len(conflicts) == 1
        s.expunge(state)
        return state


def _terminal(db: Database) -> str:
    with db.read() as session:
        value = repo.get_setting(session, "terminal")
    assert value
    return value


def _entries_at_hq(hq: Hq, member: str) -> list[int]:
    with hq.db.transaction() as s:
        return list(s.scalars(select(LedgerEntry.points).where(LedgerEntry.member_ref == member)))


def _full_check(db: Database) -> till_chain.ChainProblem | None:
    key = db.chain_key()
    assert key is not None
    with db.read() as session:
        return till_chain.verify(repo.raw_connection(session), key)[1]


def _inflate(db: Database, sale_id: str) -> None:
    """DROP TRIGGER, then the sale becomes 99,999.00 and its earn entry 1,000,000 points."""
    _attack(
        db,
        ("DROP TRIGGER ledger_entries_no_update", ()),
        ("UPDATE sales SET total_fen = 9999900, subtotal_fen = 9999900 WHERE id = ?", (sale_id,)),
        (
            "UPDATE ledger_entries SET points = 1000000 WHERE sale_id = ? AND kind = 'earn'",
            (sale_id,),
        ),
    )


# --------------------------------------------------------------------------- no tampering


def test_an_untouched_till_syncs_with_its_chain_and_hq_holds_every_link(
    hq: Hq, tmp_path: Path
) -> None:
    db, member, clock = _till(hq, tmp_path)
    for _ in range(3):
        clock.advance(minutes=1)
        sell(db, member)
    state = client(db).sync()
    assert state.online and state.last_error is None and state.pending == 0
    with db.read() as session:
        rows = till_chain.top(repo.raw_connection(session))
    with hq.db.transaction() as s:
        held = s.get(TillChain, _terminal(db))
        assert held is not None and held.broken_at is None and 0 < held.seq <= rows
    assert _full_check(db) is None


# --------------------------------------------------------------------------- the attacks


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_inflated_sale_is_refused_by_hq_and_the_till_says_so(
    backend: str, tmp_path: Path
) -> None:
    urls: Iterator[str] = (
        iter([f"sqlite:///{tmp_path / 'hq.sqlite'}"])
        if backend == "sqlite"
        else postgres_database()
    )
    for url in urls:
        server = Hq(url).start()
        try:
            db, member, clock = _till(server, tmp_path)
            clock.advance(minutes=1)
            sale_id = sell(db, member, skus=("A1", "B2"))  # 35.50, some points
            _inflate(db, sale_id)
            state = client(db).sync()
            assert state.last_error is not None and "tamper evidence" in state.last_error
            assert "HQ stopped its sync" in state.last_error
            stopped = _stopped(server, _terminal(db))
            assert stopped.broken_reason and "forged" in stopped.broken_reason
            assert 1_000_000 not in _entries_at_hq(server, member)
            with server.db.transaction() as s:
                assert s.get(HqMember, member) is not None
                assert (
                    s.execute(select(LedgerEntry).where(LedgerEntry.sale_id == sale_id)).all() == []
                )
            # It stays stopped: the next sync is refused the same way, and HQ's health says so.
            again = client(db).sync()
            assert again.last_error is not None and "HQ stopped its sync" in again.last_error
            (health,) = [h for h in server.svc.health() if h.terminal_id == _terminal(db)]
            assert health.chain_broken is not None and "forged" in health.chain_broken
            problem = _full_check(db)
            assert problem is not None and problem.ref_id == sale_id
        finally:
            server.close()


def test_a_synced_sale_edited_and_pushed_again_is_refused(hq: Hq, tmp_path: Path) -> None:
    db, member, clock = _till(hq, tmp_path)
    clock.advance(minutes=1)
    sale_id = sell(db, member)
    assert client(db).sync().last_error is None
    _inflate(db, sale_id)
    # The till's own full check sees the synced rows changed.
    problem = _full_check(db)
    assert problem is not None and problem.ref_id == sale_id and "changed" in problem.words
    # Pushed again (its outbox row reset): HQ refuses, the records differ from their links.
    _attack(db, ("UPDATE outbox SET sent_at = NULL WHERE ref_id = ?", (sale_id,)))
    state = client(db).sync()
    assert state.last_error is not None and "tamper evidence" in state.last_error
    assert "differs from what its link recorded" in (
        _stopped(hq, _terminal(db)).broken_reason or ""
    )


def test_deleted_audit_rows_stop_the_till(hq: Hq, tmp_path: Path) -> None:
    db, member, clock = _till(hq, tmp_path)
    with db.write() as session:
        for n in range(3):
            repo.audit(session, at=clock.now(), cashier="m1", action="adjust", detail={"n": n})
    clock.advance(minutes=1)
    sell(db, member)
    _attack(
        db,
        ("DROP TRIGGER audit_log_no_delete", ()),
        ("DELETE FROM audit_log WHERE action = 'adjust'", ()),
    )
    problem = _full_check(db)
    assert problem is not None and problem.kind == "audit" and "deleted" in problem.words
    state = client(db).sync()
    assert state.last_error is not None and "tamper evidence" in state.last_error
    assert "forged" in (_stopped(hq, _terminal(db)).broken_reason or "")


def test_a_deleted_sale_stops_the_till(hq: Hq, tmp_path: Path) -> None:
    db, member, clock = _till(hq, tmp_path)
    clock.advance(minutes=1)
    gone = sell(db, member)
    clock.advance(minutes=1)
    sell(db, member)
    _attack(
        db,
        ("DROP TRIGGER ledger_entries_no_delete", ()),
        (
            "DELETE FROM chain WHERE ref_id IN (SELECT id FROM ledger_entries WHERE sale_id = ?)",
            (gone,),
        ),
        ("DELETE FROM ledger_entries WHERE sale_id = ?", (gone,)),
        ("DELETE FROM sale_lines WHERE sale = ?", (gone,)),
        ("DELETE FROM payments WHERE sale = ?", (gone,)),
        ("DELETE FROM outbox WHERE ref_id = ?", (gone,)),
        ("DELETE FROM sales WHERE id = ?", (gone,)),
        ("DELETE FROM chain WHERE ref_id = ?", (gone,)),
    )
    problem = _full_check(db)
    assert problem is not None and "missing" in problem.words
    state = client(db).sync()
    assert state.last_error is not None and "tamper evidence" in state.last_error
    # HQ had none of the chain yet: the first link it gets does not follow from the start.
    reason = _stopped(hq, _terminal(db)).broken_reason or ""
    assert "missing (deleted)" in reason or "forged" in reason


def test_a_forged_entry_with_a_recomputed_hash_but_no_key_is_refused(
    hq: Hq, tmp_path: Path
) -> None:
    db, member, clock = _till(hq, tmp_path)
    clock.advance(minutes=1)
    sell(db, member)
    at = format_ts(clock.now())
    forged = "0190f0f0-0000-7000-8000-00000000f0f0"
    # The chain's encoding is public: the attacker computes the content's SHA-256 and chains
    # it to the previous link with plain SHA-256, having no key.
    digest = content_digest(
        entry_content(
            member_id=member,
            kind="adjust",
            points=1_000_000,
            lot=forged,
            at=clock.now(),
            available_at=clock.now(),
            expires_at=None,
            renews_until=None,
            sale_id=None,
            reason="goodwill",
        )
    )
    with db.read() as session:
        raw = repo.raw_connection(session)
        prev = raw.execute("SELECT hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()[0]
        terminal = repo.get_setting(session, "terminal")
    import hashlib

    fake = hashlib.sha256(f"{prev}{digest}".encode()).hexdigest()
    _attack(
        db,
        (
            "INSERT INTO ledger_entries (id, member, kind, points, lot, at, available_at,"
            " terminal, store, cashier, reason, created_at)"
            " VALUES (?, ?, 'adjust', 1000000, ?, ?, ?, ?, 'S1', 'm1', 'goodwill', ?)",
            (forged, member, forged, at, at, terminal, at),
        ),
        ("UPDATE chain SET hash = ? WHERE ref_id = ?", (fake, forged)),
        (
            "INSERT INTO outbox (kind, ref_id, payload, created_at) VALUES"
            " ('ledger_entry', ?, '{}', ?)",
            (forged, at),
        ),
    )
    problem = _full_check(db)
    assert problem is not None and problem.ref_id == forged
    state = client(db).sync()
    assert state.last_error is not None and "tamper evidence" in state.last_error
    assert 1_000_000 not in _entries_at_hq(hq, member)
    _stopped(hq, _terminal(db))


def test_a_row_written_past_the_chain_is_refused(hq: Hq, tmp_path: Path) -> None:
    db, member, clock = _till(hq, tmp_path)
    clock.advance(minutes=1)
    sell(db, member)
    at = format_ts(clock.now())
    forged = "0190f0f0-0000-7000-8000-00000000f0f1"
    # No chain trigger: the entry gets no chain row at all, and is pushed with no link.
    _attack(
        db,
        ("DROP TRIGGER chain_ledger_entries", ()),
        (
            "INSERT INTO ledger_entries (id, member, kind, points, lot, at, available_at,"
            " terminal, store, cashier, reason, created_at)"
            " VALUES (?, ?, 'adjust', 500, ?, ?, ?, ?, 'S1', 'm1', 'goodwill', ?)",
            (forged, member, forged, at, at, _terminal(db), at),
        ),
        (
            "INSERT INTO outbox (kind, ref_id, payload, created_at) VALUES"
            " ('ledger_entry', ?, '{}', ?)",
            (forged, at),
        ),
    )
    state = client(db).sync()
    assert state.last_error is not None and "tamper evidence" in state.last_error
    assert "in no link" in (_stopped(hq, _terminal(db)).broken_reason or "")
    assert forged not in hq.ledger()


def test_hq_clears_a_stopped_till_only_when_an_operator_says_so(
    hq: Hq, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, member, clock = _till(hq, tmp_path)
    clock.advance(minutes=1)
    _inflate(db, sell(db, member))
    client(db).sync()
    terminal = _terminal(db)
    _stopped(hq, terminal)
    capsys.readouterr()
    # `hq health` lists the stopped till with its reason.
    assert main(["hq", "health", "--db", hq.db_url]) == 0
    health = capsys.readouterr().out
    assert terminal in health and "SYNC STOPPED, hash chain broken" in health
    assert "forged" in health
    # Clearing needs a reason (argparse refuses without one: exit 2), and a real one.
    with pytest.raises(SystemExit) as refused:
        main(["hq", "clear-chain", "--db", hq.db_url, terminal])
    assert refused.value.code == 2
    assert main(["hq", "clear-chain", "--db", hq.db_url, terminal, "--reason", "  "]) == 2
    assert "say why" in capsys.readouterr().err
    _stopped(hq, terminal)  # still stopped
    assert main(["hq", "clear-chain", "--db", hq.db_url, "T404", "--reason", "x"]) == 2
    assert "no broken chain" in capsys.readouterr().err
    code = main(
        ["hq", "clear-chain", "--db", hq.db_url, terminal, "--reason", "checked the till, INC-7"]
    )
    assert code == 0 and "chain break cleared" in capsys.readouterr().out
    with hq.db.transaction() as s:
        state = s.get(TillChain, terminal)
        assert state is not None and state.broken_at is None
        (audit,) = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "clear_chain_break")
        ).all()
        assert audit.target == f"terminal:{terminal}" and audit.reason == "checked the till, INC-7"
        assert "forged" in audit.detail["broken"]
    assert main(["hq", "health", "--db", hq.db_url]) == 0
    assert "SYNC STOPPED" not in capsys.readouterr().out
    # The till still holds the edited sale: its next push breaks the chain again.
    assert "tamper evidence" in (client(db).sync().last_error or "")


# --------------------------------------------------------------------------- confirmations


def test_editing_the_confirmation_in_the_file_does_not_lift_the_offline_cap(
    hq: Hq, tmp_path: Path
) -> None:
    db, member, clock = _till(hq, tmp_path)
    limit = ctx(db).rules.points.offline_allowance_points
    clock.advance(hours=2)  # HQ's confirmation (at HQ's clock) is long stale, or from elsewhere
    with db.read() as session:
        assert offline_allowance(session, ctx(db), member, clock.now()).left == limit
    now = format_ts(clock.now())
    _attack(
        db,
        ("UPDATE settings SET value = ? WHERE key = ?", (now, CONFIRMED_PREFIX + member)),
        (
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
            (CONFIRMED_PREFIX + member, now),
        ),
        ("UPDATE balance_confirmations SET as_of = ? WHERE member = ?", (now, member)),
        (
            "INSERT OR REPLACE INTO settings (key, value) VALUES ('offline_allowance_points', ?)",
            (str(10**9),),
        ),
    )
    with db.read() as session:
        allowance = offline_allowance(session, ctx(db), member, clock.now())
    assert allowance.left == limit and allowance.limit == limit
    # A confirmation signed by another key (the attacker's own) confirms nothing either.
    stranger = Ed25519PrivateKey.generate()
    mine = signed(member, clock.now(), _terminal(db), balance=10**6, key=stranger)
    _attack(
        db,
        (
            "INSERT OR REPLACE INTO balance_confirmations VALUES (?, ?, ?, ?, ?)",
            (member, mine.balance, now, mine.terminal_id, mine.signature),
        ),
    )
    with db.read() as session:
        assert offline_allowance(session, ctx(db), member, clock.now()).left == limit
    with pytest.raises(CheckoutError, match="offline redemption limit"):
        sell(db, member, skus=("C3",), redeem=limit + 100)


def test_a_pulled_confirmation_signed_by_another_key_is_refused(hq: Hq, tmp_path: Path) -> None:
    db, member, clock = _till(hq, tmp_path)
    stranger = Ed25519PrivateKey.generate()
    forged = signed(member, clock.now(), _terminal(db), balance=10**6, key=stranger)
    with db.read() as session:
        cursor = inbound.get_cursor(session)
    page = PullResponse(
        changes=[], next_cursor=cursor, more=False, server_time=clock.now(), confirmations=[forged]
    )
    from posloyalty.sync.client import load_hq_key

    key = load_hq_key(db)
    assert key is not None
    inbound.apply_page(
        db, page, cursor=cursor, vault=None, at=clock.now(), hq_key=(key, _terminal(db))
    )
    with db.read() as session:
        raw = repo.raw_connection(session)
        row = raw.execute(
            "SELECT signature FROM balance_confirmations WHERE member = ?", (member,)
        ).fetchone()
        assert row is None or row[0] != forged.signature
        refused = raw.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'sync.conflict'"
            " AND detail LIKE '%balance_confirmation%'"
        ).fetchone()[0]
    assert refused == 1


def test_hq_signed_confirmation_lifts_the_cap_while_fresh(hq: Hq, tmp_path: Path) -> None:
    hq.clock.set(STORE_T0)
    db, member, clock = _till(hq, tmp_path)
    with db.read() as session:
        fresh = offline_allowance(session, ctx(db), member, clock.now())
    assert fresh.left is None and fresh.confirmed_at == STORE_T0
    clock.advance(minutes=16)
    with db.read() as session:
        assert offline_allowance(session, ctx(db), member, clock.now()).left is not None


# --------------------------------------------------------------------------- member codes


def test_a_member_code_used_at_two_tills_is_flagged(chain: Chain) -> None:
    at = chain.clock.now()
    with chain.svc.db.transaction() as s:
        member = s.get(HqMember, chain.m1)
        assert member is not None
        secret = pii_of(s, member).secret
    code = make_dynamic(MemberId(chain.m1), secret, int(at.timestamp()))
    first = sale("S1", chain.till1.terminal_id, chain.m1, 1000, at, member_code=code)
    result = chain.svc.push(
        chain.till1, PushBatch.model_validate(batch(chain.till1.terminal_id, [first]))
    )
    assert result.results[0].reason == ""
    # The same code (same time step) at till 2 of the other store, seconds later.
    later = at + dt.timedelta(seconds=5)
    second = sale("S2", chain.till2.terminal_id, chain.m1, 1000, later, member_code=code)
    result = chain.svc.push(
        chain.till2, PushBatch.model_validate(batch(chain.till2.terminal_id, [second]))
    )
    assert result.results[0].status == "accepted"
    assert result.results[0].reason.startswith("conflict:code_reused: ")
    with chain.svc.db.transaction() as s:
        (flag,) = s.scalars(select(Conflict).where(Conflict.kind == "code_reused")).all()
        assert (flag.terminal_id, flag.member_id) == (chain.till2.terminal_id, chain.m1)
        assert flag.detail["first_terminal"] == chain.till1.terminal_id
    # The first till pushing the same sale again is a duplicate, not a reuse.
    again = chain.svc.push(
        chain.till1, PushBatch.model_validate(batch(chain.till1.terminal_id, [first]))
    )
    assert again.results[0].status == "duplicate"


def test_a_code_replayed_at_a_second_till_in_the_sync_flow_is_flagged(
    hq: Hq, tmp_path: Path
) -> None:
    (member,) = hq.setup_chain("S1", 1)
    clocks = [FixedClock(STORE_T0), FixedClock(STORE_T0)]
    a, b = (enrolled(hq, tmp_path / f"{n}.sqlite", "S1", clocks[i]) for i, n in enumerate("ab"))
    code = phone_code(hq, member, STORE_T0)
    for db in (a, b):
        client(db).sync()
        sell(db, member, skus=("A1",), confirmed=False, code=code)
    assert client(a).sync().conflicts == 0
    state = client(b).sync()
    assert state.conflicts == 1 and state.recent_conflicts[0].reason.startswith(
        "conflict:code_reused: "
    )


def test_the_full_check_command_names_the_changed_row(
    hq: Hq, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, member, clock = _till(hq, tmp_path)
    clock.advance(minutes=1)
    sale_id = sell(db, member)
    assert client(db).sync().last_error is None
    path = db.path
    db.close()
    assert main(["sync", "verify", "--db", str(path)]) == 0
    assert '"ok": true' in capsys.readouterr().out
    with Database.open(path) as again:
        _inflate(again, sale_id)
    assert main(["sync", "verify", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert "tamper evidence" in out and sale_id in out
    assert main(["sync", "now", "--db", str(path)]) == 1
    assert "tamper evidence" in capsys.readouterr().out


def test_the_status_bar_says_sync_stopped(hq: Hq, tmp_path: Path) -> None:
    db, member, clock = _till(hq, tmp_path)
    clock.advance(minutes=1)
    _inflate(db, sell(db, member))
    status = from_sync_state(client(db).sync())
    assert status.stopped and "tamper evidence" in status.detail
    assert from_sync_state(read_state(db)).stopped  # as a window in another process sees it


def test_thousands_of_audit_rows_between_pushes_reach_hq_as_links(hq: Hq, tmp_path: Path) -> None:
    db, member, clock = _till(hq, tmp_path)
    with db.write() as session:
        for n in range(4500):  # more links than one batch carries
            repo.audit(session, at=clock.now(), cashier="c1", action="pin.failed", detail={"n": n})
    clock.advance(minutes=1)
    sell(db, member)
    state = client(db).sync()
    assert state.last_error is None and state.pending == 0
    with db.read() as session:
        rows = till_chain.top(repo.raw_connection(session))
    with hq.db.transaction() as s:
        held = s.get(TillChain, _terminal(db))
        assert held is not None and held.broken_at is None and held.seq >= rows - 10
