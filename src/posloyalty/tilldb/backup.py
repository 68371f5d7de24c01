"""Online backup and restore through SQLite's backup API (never by copying a live file).

``backup`` copies a consistent snapshot while the terminal keeps selling (WAL readers do not
block writers) into ``FILE.part``, checks it, then renames it into place. ``restore`` checks
the backup file first (integrity, posloyalty schema not newer than this program), then proves
no other connection has the terminal database open by taking it in exclusive locking mode,
and copies the backup in through the backup API, inside SQLite's own transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from posloyalty.tilldb.db import (
    Database,
    check_version,
    create_private,
    inspect_file,
    make_private,
)
from posloyalty.tilldb.errors import (
    StoreCorruptError,
    StoreError,
    StoreUnavailableError,
    StoreVersionError,
    translate,
)
from posloyalty.tilldb.migrations import APPLICATION_ID
from posloyalty.tilldb.till_lock import TillLock


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    size: int
    schema_version: int


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fail(exc: BaseException, where: str) -> BaseException:
    return translate(exc, where) or exc


def backup(db: Database, out: str | Path) -> BackupInfo:
    """Write a consistent copy of the open database ``db`` to ``out`` (replacing it)."""
    out = Path(out)
    if out.resolve() == db.path.resolve():
        raise StoreUnavailableError(f"{out}: the backup must not overwrite the database itself")
    part = out.with_name(out.name + ".part")
    src: sqlite3.Connection | None = None
    dst: sqlite3.Connection | None = None
    try:
        part.unlink(missing_ok=True)
        create_private(part)  # a backup holds what the database holds: owner only
        src = sqlite3.connect(db.path, timeout=5, isolation_level=None)
        dst = sqlite3.connect(part, isolation_level=None)
        src.backup(dst)  # one step: a single read snapshot, no restarts
        dst.execute("PRAGMA journal_mode = DELETE")  # a self-contained single file
        version = int(dst.execute("PRAGMA user_version").fetchone()[0])
        check = dst.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise StoreCorruptError(f"{db.path}: the copy fails its integrity check: {check[:3]}")
        dst.close()
        dst = None
        with part.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(part, out)
        _fsync_dir(out.parent)
    except (OSError, sqlite3.Error) as exc:
        raise _fail(exc, str(out)) from exc
    finally:
        if dst is not None:
            dst.close()
        if src is not None:
            src.close()
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
    return BackupInfo(out, out.stat().st_size, version)


def validate_backup(path: str | Path) -> int:
    """Check a backup file (full integrity check, posloyalty schema we understand); its version."""
    path = Path(path)
    if not path.is_file():
        raise StoreUnavailableError(f"{path}: no such backup file")
    version, app_id = inspect_file(path, integrity="integrity_check")
    if app_id != APPLICATION_ID:
        raise StoreVersionError(f"{path}: not a posloyalty terminal database backup")
    check_version(str(path), version, app_id)
    return version


def restore(db_path: str | Path, source: str | Path, *, now: dt.datetime) -> Path | None:
    """Replace the terminal database at ``db_path`` with the backup ``source``.

    Refused (:class:`StoreUnavailableError`) while any other connection has the database open.
    A damaged database is first moved aside to ``NAME.damaged-<time>``; that path is returned
    (None otherwise). The restored database is migrated on its next :meth:`Database.open`.
    """
    db_path = Path(db_path)
    # A running till is refused by name, and no till can start while the file is replaced.
    with TillLock.acquire(db_path):
        validate_backup(source)
        return _restore(db_path, source, now=now)


def _restore(db_path: Path, source: str | Path, *, now: dt.datetime) -> Path | None:
    moved: Path | None = None
    if db_path.exists() and not _is_sound(db_path):
        moved = db_path.with_name(f"{db_path.name}.damaged-{now:%Y%m%dT%H%M%S}")
        for suffix in ("", "-wal", "-shm", "-journal"):
            side = Path(f"{db_path}{suffix}")
            if side.exists():
                os.replace(side, f"{moved}{suffix}")
    src: sqlite3.Connection | None = None
    dst: sqlite3.Connection | None = None
    where = str(db_path)
    try:
        if not db_path.exists():
            create_private(db_path)
        make_private(db_path)
        dst = sqlite3.connect(db_path, timeout=0.2, isolation_level=None)
        dst.execute("PRAGMA locking_mode = EXCLUSIVE")
        try:
            # Leaving WAL mode and taking the exclusive lock both fail while anyone else
            # has the database open; from here on nobody else can open it until we close.
            dst.execute("PRAGMA journal_mode = DELETE")
            dst.execute("BEGIN EXCLUSIVE")
            dst.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (5, 6):
                raise StoreUnavailableError(
                    f"{where}: the terminal database is open in another program; "
                    "close the terminal before restoring (nothing was changed)"
                ) from exc
            raise
        src = sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=ro", uri=True)
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
        check = dst.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise StoreCorruptError(f"{where}: the restored database fails its check: {check[:3]}")
    except StoreError:
        raise
    except (OSError, sqlite3.Error) as exc:
        raise _fail(exc, where) from exc
    finally:
        if src is not None:
            src.close()
        if dst is not None:
            dst.close()
    return moved


def _is_sound(path: Path) -> bool:
    """Whether the file is an SQLite database that passes its quick check (read by SQLite)."""
    try:
        inspect_file(path)
    except StoreCorruptError:
        return False
    return True
