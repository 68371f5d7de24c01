"""The till keeps a member's birthday as month and day: no year in the database, from a
registration, an import, HQ's feed or an old database (schema v4) migrated; the birthday
benefits work exactly as before."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from till_helpers import T0, file_bytes, make_till

from posloyalty.clock import FixedClock
from posloyalty.domain.ids import TierId
from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.pricing import MemberSnapshot, birthday_in_window
from posloyalty.resources import load_preset
from posloyalty.terminal.member_scan import member_view
from posloyalty.terminal.registration import RegistrationForm, register, registration_wire_payload
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.importer import import_members
from posloyalty.tilldb.migrations import MIGRATIONS
from posloyalty.tilldb.vault import open_vault


def test_a_registered_birthday_keeps_no_year(tmp_path: Path) -> None:
    path = tmp_path / "terminal.db"
    clock = FixedClock(T0)
    make_till(path, clock)
    db = Database.open(path, clock=clock)
    try:
        vault = open_vault(db, key_store="file")
        assert vault is not None
        done = register(
            db,
            load_preset("miniso"),
            RegistrationForm("13912345678", True, name="张三", birthday=dt.date(1987, 6, 15)),
            vault=vault,
            cashier="c1",
        )
        with db.read() as session:
            member = repo.member_by_id(session, done.member_id)
            assert member is not None and member.birthday == MonthDay(6, 15)
            (row,) = repo.outbox_pending(session)
        # HQ still gets the full date: sealed in the outbox row, opened only in memory.
        assert "birthday" not in row.payload
        assert registration_wire_payload(row.payload, vault)["birthday"] == "1987-06-15"
        view = member_view(db, done.member_id, rules=load_preset("miniso"))
        assert view is not None and view.birthday  # June 15th is today
        csv = tmp_path / "m.csv"
        csv.write_text("id,phone,tier,birthday\nM5,13800000005,regular,1979-12-24\n")
        import_members(db, csv)
    finally:
        db.close()
    data = file_bytes(path)
    for year in (b"1987", b"1979"):
        assert year not in data


def test_a_v4_database_loses_the_years_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "terminal.db"
    clock = FixedClock(T0)
    old = Database.open(path, clock=clock, create=True, migrations=MIGRATIONS[:4])
    with old.raw_write() as raw:
        for n, birthday in enumerate(("1961-02-29", "1987-06-15", None)):
            raw.execute(
                "INSERT INTO members VALUES (?, '138****0000', 'h', 'x', 'regular', 0, 0, 0, ?,"
                " NULL, '2026-01-01T00:00:00.000000Z', 1, 0)",
                (f"M{n}", birthday),
            )
        raw.execute(
            "INSERT INTO outbox (kind, ref_id, payload, created_at, sent_at) VALUES"
            ' (\'registration\', \'r1\', \'{"birthday":"1987-06-15","provisional_id":"P1"}\','
            " '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:01.000000Z')"
        )
    old.close()
    db = Database.open(path, clock=clock)
    try:
        with db.read() as session:
            raw = repo.raw_connection(session)
            rows = raw.execute("SELECT id, birthday FROM members ORDER BY id").fetchall()
            (payload,) = raw.execute("SELECT payload FROM outbox").fetchone()
        assert rows == [("M0", "02-29"), ("M1", "06-15"), ("M2", None)]
        assert payload == '{"provisional_id":"P1"}'
        with pytest.raises(sqlite3.IntegrityError, match="month and day only"), db.raw_write() as w:
            w.execute("UPDATE members SET birthday = '1990-01-01' WHERE id = 'M2'")
    finally:
        db.close()
    data = file_bytes(path)
    assert b"1961" not in data and b"1987" not in data


def test_birthday_benefits_read_month_and_day_exactly_as_before() -> None:
    for window in ("day", "week", "month"):
        for today in (dt.date(2026, 2, 28), dt.date(2028, 2, 29), dt.date(2026, 6, 15)):
            for born in (dt.date(1960, 2, 29), dt.date(1987, 6, 15), dt.date(1990, 6, 10)):
                assert birthday_in_window(MonthDay.of(born), today, window) == birthday_in_window(
                    born, today, window
                )
    assert MemberSnapshot(TierId("gold"), 0, 0, MonthDay(6, 15)).birthday == MonthDay(6, 15)
    with pytest.raises(ValueError, match="not a day of the year"):
        MonthDay(2, 30)
    assert MonthDay.parse("02-29").isoformat() == "02-29"
