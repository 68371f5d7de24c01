"""The till's files are its owner's alone (0600), whatever the umask: the database and the
-wal / -shm SQLite makes beside it, the key file, the credential file, backups, restores."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from till_helpers import T0

from posloyalty.clock import FixedClock
from posloyalty.sync.client import Credential, credential_file, save_credential
from posloyalty.tilldb.backup import backup, restore
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.vault import key_file_path, open_vault


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_wal_shm_key_credential_and_backups_are_0600(tmp_path: Path) -> None:
    path = tmp_path / "terminal.db"
    db = Database.open(path, clock=FixedClock(T0), create=True)
    try:
        open_vault(db, key_store="file")
        save_credential(
            db, Credential("https://hq.example.com", "S1", "T1", "t" * 40), key_store="file"
        )
        for side in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert side.exists() and _mode(side) == 0o600, side
        assert _mode(key_file_path(path)) == 0o600
        assert _mode(credential_file(path)) == 0o600
        out = tmp_path / "backup.db"
        backup(db, out)
        assert _mode(out) == 0o600
    finally:
        db.close()
    restored = tmp_path / "restored.db"
    restore(restored, out, now=T0)
    assert _mode(restored) == 0o600


def test_an_existing_world_readable_database_is_made_private_on_open(tmp_path: Path) -> None:
    path = tmp_path / "terminal.db"
    Database.open(path, clock=FixedClock(T0), create=True).close()
    os.chmod(path, 0o644)
    db = Database.open(path, clock=FixedClock(T0))
    try:
        db.schema_version()
        assert _mode(path) == 0o600
        assert _mode(Path(f"{path}-wal")) == 0o600
    finally:
        db.close()
