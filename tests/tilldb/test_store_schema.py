"""Schema versions, pragmas, the model/migration agreement, ids and timestamps."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from store_helpers import T0, add_member, earn_entry, file_hash, make_sale, sale_outbox

from posloyalty.clock import FixedClock
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database, StoreNotFoundError
from posloyalty.tilldb.errors import StoreVersionError
from posloyalty.tilldb.ids import Uuid7, uuid7_time_ms
from posloyalty.tilldb.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from posloyalty.tilldb.models import Base
from posloyalty.tilldb.types import format_ts, parse_ts


def _pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def test_new_database_is_current_wal_and_ours(db: Database, db_path: Path) -> None:
    assert db.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
    assert _pragma(db_path, "journal_mode") == "wal"
    assert _pragma(db_path, "application_id") == APPLICATION_ID
    with db.write() as session:
        conn = session.connection()
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 5000


def _checks(sql: str) -> list[tuple[str | None, str]]:
    """The CHECK constraints of a CREATE TABLE statement: (name, expression), spaces folded."""
    out: list[tuple[str | None, str]] = []
    for m in re.finditer(r"(?:CONSTRAINT\s+(\w+)\s+)?CHECK\s*\(", sql, re.IGNORECASE):
        end, depth = m.end(), 1
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            end += 1
        out.append((m.group(1), " ".join(sql[m.end() : end - 1].split())))
    return sorted(out, key=repr)


def _schema(path: Path) -> dict[object, object]:
    """What a database file's schema is, as SQLite reports it: per table its columns, keys,
    foreign keys, CHECK constraints, indexes and rowid-ness; every index and trigger."""
    conn = sqlite3.connect(path)
    try:
        out: dict[object, object] = {
            "user_version": conn.execute("PRAGMA user_version").fetchone()[0],
            "application_id": conn.execute("PRAGMA application_id").fetchone()[0],
        }
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        for kind, name, sql in rows.fetchall():
            if kind == "table":
                indexes = conn.execute(f'PRAGMA index_list("{name}")').fetchall()
                out[kind, name] = {
                    "columns": conn.execute(f'PRAGMA table_info("{name}")').fetchall(),
                    "foreign keys": sorted(
                        r[2:] for r in conn.execute(f'PRAGMA foreign_key_list("{name}")')
                    ),
                    "without rowid": conn.execute(
                        "SELECT wr FROM pragma_table_list WHERE name = ?", (name,)
                    ).fetchone()[0],
                    "checks": _checks(sql),
                    # Indexes SQLite makes for keys are named by position: known by origin.
                    "indexes": sorted(
                        (
                            r[1] if r[3] == "c" else r[3],
                            r[2],
                            r[4],
                            [x[2] for x in conn.execute(f'PRAGMA index_info("{r[1]}")')],
                        )
                        for r in indexes
                    ),
                }
            elif sql is not None:  # indexes and triggers
                out[kind, name] = " ".join(sql.split())
        return out
    finally:
        conn.close()


def test_a_new_database_is_created_from_the_one_schema_description(db_path: Path) -> None:
    db = Database.open(db_path, clock=FixedClock(T0), create=True)
    db.close()
    schema = _schema(db_path)
    assert schema["user_version"] == SCHEMA_VERSION
    tables = {name for kind, name in (k for k in schema if isinstance(k, tuple)) if kind == "table"}
    assert tables == set(Base.metadata.tables)
    assert {name for kind, name in (k for k in schema if isinstance(k, tuple))} >= {
        "ledger_entries_no_update",
        "chain_sales",
        "ix_outbox_pending",
        "ix_rule_documents_one_active",
    }


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_every_upgrade_ends_at_the_described_schema(tmp_path: Path, version: int) -> None:
    clock = FixedClock(T0)
    Database.open(tmp_path / "new.db", clock=clock, create=True).close()
    old = Database.open(
        tmp_path / "old.db", clock=clock, create=True, migrations=MIGRATIONS[:version]
    )
    assert old.schema_version() == version
    old.close()
    assert _schema(tmp_path / "old.db") != _schema(tmp_path / "new.db")
    Database.open(tmp_path / "old.db", clock=clock).close()
    assert _schema(tmp_path / "old.db") == _schema(tmp_path / "new.db")


def test_the_schema_comparison_sees_a_changed_constraint(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    for name in ("a.db", "b.db"):
        Database.open(tmp_path / name, clock=clock, create=True).close()
    conn = sqlite3.connect(tmp_path / "b.db")
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = replace(sql, 'price_fen >= 0', 'price_fen >= 1')"
        " WHERE name = 'products'"
    )
    conn.commit()
    conn.close()
    assert _schema(tmp_path / "a.db") != _schema(tmp_path / "b.db")


def test_missing_file_is_not_created_without_create(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFoundError, match="posloyalty terminal init"):
        Database.open(tmp_path / "none.db")
    assert not (tmp_path / "none.db").exists()


def test_newer_schema_is_refused_and_left_unchanged(db: Database, db_path: Path) -> None:
    db.close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = file_hash(db_path)
    with pytest.raises(StoreVersionError, match="newer than this program"):
        Database.open(db_path)
    assert file_hash(db_path) == before


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    before = file_hash(path)
    with pytest.raises(StoreVersionError, match="not a posloyalty"):
        Database.open(path)
    assert file_hash(path) == before


def test_older_schema_is_migrated_keeping_data(db_path: Path, clock: FixedClock) -> None:
    old = Database.open(db_path, clock=clock, create=True, migrations=MIGRATIONS[:1])
    assert old.schema_version() == 1
    with old.write() as session:
        session.execute(text("INSERT INTO settings VALUES ('phone_salt', 'pepper')"))
    add_member(old)
    with old.write() as session:  # v1 has no append-only triggers yet
        session.execute(text("UPDATE members SET growth = 7"))
    old.close()

    db = Database.open(db_path, clock=clock)
    try:
        assert db.schema_version() == SCHEMA_VERSION
        with db.read() as session:
            assert session.execute(text("SELECT growth FROM members")).scalar_one() == 7
        with db.write() as session:
            repo.audit(session, at=T0, cashier="c1", action="test", detail={})
        with (
            pytest.raises(sa_exc.IntegrityError, match="append-only"),
            db.write() as session,
        ):
            session.execute(text("DELETE FROM audit_log"))
    finally:
        db.close()


def test_migration_step_is_all_or_nothing(db_path: Path, clock: FixedClock) -> None:
    def broken(conn: object) -> None:
        from sqlalchemy import Connection

        assert isinstance(conn, Connection)
        conn.exec_driver_sql("CREATE TABLE half_done (x)")
        raise RuntimeError("step failed midway")

    with pytest.raises(RuntimeError, match="midway"):
        Database.open(db_path, clock=clock, create=True, migrations=(*MIGRATIONS, broken))
    assert _pragma(db_path, "user_version") == SCHEMA_VERSION
    conn = sqlite3.connect(db_path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "half_done" not in names


def test_uuid7_layout_order_and_time() -> None:
    clock = FixedClock(T0)
    gen = Uuid7(clock)
    ids = [gen.new() for _ in range(5000)]  # same millisecond: the counter keeps order
    clock.advance(milliseconds=1)
    ids.append(gen.new())
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(str(uuid.UUID(i)) == i for i in ids)  # the canonical spelling
    u = uuid.UUID(ids[0])
    assert u.version == 7 and u.variant == uuid.RFC_4122
    assert gen.new_uuid().int > uuid.UUID(ids[-1]).int
    assert uuid7_time_ms(ids[0]) == int(T0.timestamp() * 1000)


def test_uuid7_survives_a_clock_step_back() -> None:
    clock = FixedClock(T0)
    gen = Uuid7(clock)
    first = gen.new()
    clock.advance(seconds=-5)
    assert gen.new() > first


@given(
    st.datetimes(
        min_value=dt.datetime(1971, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
        max_value=dt.datetime(9998, 1, 1),  # noqa: DTZ001
        timezones=st.builds(
            dt.timezone, st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timedelta(minutes=m))
        ),
    )
)
def test_timestamps_round_trip_and_sort_as_text(at: dt.datetime) -> None:
    text_ = format_ts(at)
    assert len(text_) == 27 and text_.endswith("Z")
    assert text_ == at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # stored spelling
    assert parse_ts(text_) == at
    later = at + dt.timedelta(microseconds=1)
    assert format_ts(later) > text_


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_ts(dt.datetime(2026, 1, 1))  # noqa: DTZ001


_V4_TABLES = ("sales", "sale_lines", "payments", "ledger_entries", "member_coupons", "outbox")


def _rows(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    return {
        name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
        for name in _V4_TABLES
    }


def test_v3_database_migrates_to_v4_keeping_every_row(db_path: Path, clock: FixedClock) -> None:
    old = Database.open(db_path, clock=clock, create=True, migrations=MIGRATIONS[:3])
    with old.write() as session:
        session.execute(text("INSERT INTO settings VALUES ('phone_salt', 'pepper')"))
    add_member(old)
    ids = Uuid7(clock)
    sales = [ids.new() for _ in range(3)]
    with old.raw_write() as raw:  # rows as the v3 program wrote them (global payment ids)
        for n, sale in enumerate(sales):
            raw.execute(
                "INSERT INTO sales VALUES (?, 'T1', 'S1', 'c1', 'M1', ?, 3550, 3550,"
                " 'committed', ?, ?, '{}')",
                (sale, format_ts(T0), sales[0] if n == 2 else None, f"R{n}"),
            )
            raw.executemany(
                'INSERT INTO sale_lines VALUES (?, ?, ?, "x", 1, 1000, 1000, 1000, "{}", 10, 10)',
                [(sale, i, f"SKU{i}") for i in range(2)],
            )
            raw.executemany(
                "INSERT INTO payments (sale, method, amount_fen, reference) VALUES (?, ?, ?, '')",
                [(sale, "cash", 3000), (sale, "card", 550)],
            )
            raw.execute(
                "INSERT INTO ledger_entries VALUES (?, 'M1', 'earn', 35, ?, ?, ?, NULL, NULL, ?,"
                " 'T1', 'S1', 'c1', '', ?)",
                (ids.new(), f"lot{n}", format_ts(T0), format_ts(T0), sale, format_ts(T0)),
            )
            raw.execute(
                "INSERT INTO outbox (kind, ref_id, payload, created_at) VALUES ('sale', ?, '{}', ?)",
                (sale, format_ts(T0)),
            )
        raw.execute(
            "INSERT INTO member_coupons VALUES ('C1', 'M1', 'tpl', ?, ?, ?)",
            (format_ts(T0), format_ts(T0), sales[1]),
        )
    old.close()
    conn = sqlite3.connect(db_path)
    before = _rows(conn)
    conn.close()

    db = Database.open(db_path, clock=clock)
    try:
        assert db.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
        with db.read() as session:
            raw = repo.raw_connection(session)
            assert _rows(raw) == before
            assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            for name in ("sale_lines", "payments", "ledger_entries"):
                (sql,) = raw.execute(
                    "SELECT sql FROM sqlite_master WHERE name = ?", (name,)
                ).fetchone()
                assert sql.endswith("WITHOUT ROWID"), name
        for statement in ("UPDATE ledger_entries SET points = 0", "DELETE FROM ledger_entries"):
            with (
                pytest.raises(sa_exc.IntegrityError, match="append-only"),
                db.write() as session,
            ):
                session.execute(text(statement))
        fresh = make_sale(ids, T0)
        with db.write() as session:  # a new sale after the upgrade, payment ids per sale
            repo.record_sale(session, fresh, [earn_entry(ids, fresh, 35)], sale_outbox(fresh))
        with db.read() as session:
            raw = repo.raw_connection(session)
            assert raw.execute("SELECT count(*) FROM ledger_entries").fetchone() == (4,)
            assert raw.execute(
                "SELECT id FROM payments WHERE sale = ?", (fresh.id,)
            ).fetchall() == [(1,)]
            assert repo.ledger_sum(session, "M1") == 4 * 35
    finally:
        db.close()


def test_v9_keeps_a_sealed_chain_and_seals_the_next_sales_after_it(tmp_path: Path) -> None:
    """The v9 step rebuilds ``chain`` (key ``(ref_id, kind)``, no unsealed index): the links
    written under v8 still verify, the chain's triggers still number new rows, a sale after the
    upgrade is sealed onto the last v8 link, and a second chain row for a row is refused."""
    from posloyalty.tilldb import chain

    key = b"k" * 32
    clock = FixedClock(T0)
    ids = Uuid7(clock)
    path = tmp_path / "v8.db"
    old = Database.open(path, clock=clock, create=True, migrations=MIGRATIONS[:8])
    old.use_chain_key(key)
    with old.write() as session:
        session.execute(
            text(
                "INSERT INTO members (id, phone_masked, phone_hash, display_name, tier, growth,"
                " cached_points, cached_pending, registered_at, hq_version, provisional)"
                " VALUES ('M1', '', 'h', '', 'normal', 0, 0, 0, :at, 0, 0)"
            ),
            {"at": format_ts(T0)},
        )
    for _ in range(3):
        sale = make_sale(ids, T0)
        with old.write() as session:
            repo.record_sale(session, sale, [earn_entry(ids, sale, 35)], sale_outbox(sale))
    old.close()

    db = Database.open(path, clock=clock)
    try:
        db.use_chain_key(key)
        assert db.schema_version() == SCHEMA_VERSION
        with db.read() as session:
            raw = repo.raw_connection(session)
            assert chain.verify(raw, key) == (6, None)  # 3 sales and 3 entries from v8
            assert "ix_chain_unsealed" not in {
                r[0] for r in raw.execute("SELECT name FROM sqlite_master")
            }
        fresh = make_sale(ids, T0)
        with db.write() as session:
            repo.record_sale(session, fresh, [earn_entry(ids, fresh, 35)], sale_outbox(fresh))
        with db.read() as session:
            raw = repo.raw_connection(session)
            assert chain.verify(raw, key) == (8, None)
            assert chain.tail(raw)[0] == 8 and chain.unsealed(raw, 0) == []
        with (
            pytest.raises(sa_exc.IntegrityError, match="UNIQUE"),
            db.write() as session,
        ):
            session.execute(
                text("INSERT INTO chain (kind, ref_id) VALUES ('sale', :id)"), {"id": fresh.id}
            )
    finally:
        db.close()
