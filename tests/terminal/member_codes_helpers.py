"""Helpers for the member-code tests: a terminal database, members, and a full table dump."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

from posloyalty.clock import FixedClock
from posloyalty.domain.privacy import mask_phone
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.models import Member

T0 = dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)
SECRET = bytes(range(32))


def open_terminal(path: Path, clock: FixedClock) -> Database:
    db = Database.open(path, clock=clock, create=True)
    with db.write() as session:
        if repo.get_setting(session, "terminal") is None:
            repo.set_setting(session, "store", "S1")
            repo.set_setting(session, "terminal", "T1")
            repo.ensure_phone_key(session)
    return db


def add_member(
    db: Database,
    member_id: str,
    phone: str = "13812345678",
    *,
    name: str = "张三丰",
    tier: str = "regular",
    birthday: dt.date | None = None,
) -> None:
    with db.write() as session:
        salt = repo.phone_key(session)
        session.add(
            Member(
                id=member_id,
                phone_masked=mask_phone(phone),
                phone_hash=repo.hash_phone(salt, phone),
                display_name=name,
                tier=tier,
                growth=1234,
                cached_points=0,
                cached_pending=0,
                birthday=birthday,
                registered_at=T0 - dt.timedelta(days=100),
                hq_version=1,
                provisional=False,
            )
        )


def dump(path: Path) -> list[str]:
    """Every row of every table (read through the WAL), for 'nothing changed' checks."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def file_bytes(path: Path) -> bytes:
    """The database file and its WAL, as they are on disk.

    Read by another process: this one may have the database open, and a descriptor of the
    file opened and closed here would drop its connections' locks (store/db.py refuses it)."""
    read = (
        "import sys, pathlib; p = pathlib.Path(sys.argv[1]); sys.stdout.buffer.write("
        "b''.join(f.read_bytes() for f in (p, pathlib.Path(f'{p}-wal')) if f.exists()))"
    )
    return subprocess.run(
        [sys.executable, "-c", read, str(path)], capture_output=True, check=True
    ).stdout
