"""What a till database holds, read before anything writes to it.

The launcher decides from this whether the file may be opened (and migrated) at all: a
production till needs an enrolled database with real staff, the demo only its own database.
Everything is read through a read-only SQLite connection after the integrity check, so a
refused file is left byte for byte as it was.

The integrity check before the window is incremental (issue 11): SQLite's full ``quick_check``
reads every page (seconds at a million members), so it runs before the window only when the
file is not exactly as this program left it at a clean close that followed a passed full check
(the ``.checked`` voucher beside it: size, modification and change times, inode, no WAL). A
vouched file gets the light check (header, schema, ``quick_check`` of the tables the launcher
reads, page count against the file size) and the till runs the full check in the background
once its window is up, refusing commits if that finds damage. A file changed by anything else,
a crash (a WAL left behind) or no voucher at all gets the full check before anything writes.
"""

from __future__ import annotations

import hmac
import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from posloyalty.tilldb.db import check_version, inspect_file
from posloyalty.tilldb.errors import StoreCorruptError, translate
from posloyalty.tilldb.repo import pin_hash

__all__ = [
    "LIGHT_TABLES",
    "TillFile",
    "examine",
    "forget_clean_close",
    "light_check",
    "startup_check",
    "vouch_clean_close",
    "voucher_path",
]

#: The tables the launcher and the till's start read: checked before the window in every case.
LIGHT_TABLES = ("settings", "cashiers", "pin_attempts", "rule_documents")


@dataclass(frozen=True, slots=True)
class TillFile:
    schema_version: int
    settings: Mapping[str, str] = field(default_factory=dict)
    #: Staff account id -> role.
    staff: Mapping[str, str] = field(default_factory=dict)
    #: Counts when examined with ``count=True``; else 1 when there is any, 0 when none
    #: (counting a million members costs the start ~0.1 s).
    members: int = 0
    sales: int = 0
    #: Of the member ids asked about, those present.
    members_present: frozenset[str] = frozenset()
    #: Of the (id, PIN) pairs asked about, the ids whose PIN it is.
    pins_matching: frozenset[str] = frozenset()
    #: The integrity check done before reading: ``quick_check`` (every page), ``light``
    #: (vouched by a clean close, see :func:`startup_check`) or ``none``.
    checked: str = "quick_check"

    @property
    def empty(self) -> bool:
        """Nothing stored yet (no settings, staff, members or sales)."""
        return not (self.settings or self.staff or self.members or self.sales)


def examine(
    path: Path,
    *,
    integrity: str = "quick_check",
    member_ids: Sequence[str] = (),
    pins: Sequence[tuple[str, str]] = (),
    count: bool = False,
) -> TillFile:
    """Check the file (integrity, a posloyalty database this program understands) and read
    what it holds, without writing. ``integrity``: ``quick_check``, ``integrity_check``,
    ``light``, ``none``, or ``auto`` (:func:`startup_check` chooses). ``pins`` are checked
    with the PIN hash (slow by design: ask only when the answer is needed); ``count``: count
    members and sales (else only whether there are any). Raises
    :class:`StoreCorruptError`, :class:`StoreVersionError` or :class:`StoreUnavailableError`."""
    where = str(path)
    if integrity == "auto":
        integrity = startup_check(path)
    if integrity == "light":
        version, app_id = light_check(path)
    else:
        version, app_id = inspect_file(path, integrity=integrity)
    check_version(where, version, app_id)
    if version == 0:
        return TillFile(0, checked=integrity)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise translate(exc, where) or exc from None
    try:
        settings = dict(conn.execute('SELECT "key", value FROM settings').fetchall())
        rows = conn.execute("SELECT id, role, pin_salt, pin_hash FROM cashiers").fetchall()
        how = "SELECT count(*) FROM {}" if count else "SELECT EXISTS (SELECT 1 FROM {})"
        members = int(conn.execute(how.format("members")).fetchone()[0])
        sales = int(conn.execute(how.format("sales")).fetchone()[0])
        present = frozenset(
            m
            for m in member_ids
            if conn.execute("SELECT 1 FROM members WHERE id = ?", (m,)).fetchone()
        )
    except sqlite3.Error as exc:
        raise translate(exc, where) or exc from None
    finally:
        conn.close()
    hashes = {str(r[0]): (bytes(r[2]), bytes(r[3])) for r in rows}
    matching = frozenset(
        staff
        for staff, pin in pins
        if staff in hashes
        and hmac.compare_digest(pin_hash(pin, hashes[staff][0]), hashes[staff][1])
    )
    return TillFile(
        version,
        settings,
        {str(r[0]): str(r[1]) for r in rows},
        members,
        sales,
        present,
        matching,
        integrity,
    )


def voucher_path(path: Path) -> Path:
    """The clean-close voucher beside the database file."""
    return path.with_name(path.name + ".checked")


def _fingerprint(path: Path) -> dict[str, int] | None:
    """What changes whenever anything writes the file (None: a WAL holds commits not yet in
    the file, or there is no file)."""
    wal = path.with_name(path.name + "-wal")
    try:
        if wal.exists() and wal.stat().st_size > 0:
            return None
        st = path.stat()
    except OSError:
        return None
    return {
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
        "inode": st.st_ino,
        "device": st.st_dev,
    }


def startup_check(path: Path) -> str:
    """The check the file needs before the window: ``light`` when its voucher matches it
    exactly (nothing has touched it since a clean close that followed a passed full check),
    else ``quick_check``."""
    try:
        vouched = json.loads(voucher_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "quick_check"
    now = _fingerprint(path)
    return "light" if now is not None and vouched == now else "quick_check"


def vouch_clean_close(path: Path) -> bool:
    """After a clean close of a database whose full check passed in this session: record the
    file as it is now, so the next start may do the light check first. False (nothing
    written) when a WAL is left over."""
    now = _fingerprint(path)
    if now is None:
        return False
    voucher = voucher_path(path)
    temp = voucher.with_name(voucher.name + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(now, fh)
    os.replace(temp, voucher)
    return True


def forget_clean_close(path: Path) -> None:
    """Before the till writes: the voucher no longer describes the file (a crash from here on
    means a full check before the next window)."""
    voucher_path(path).unlink(missing_ok=True)


def light_check(path: Path) -> tuple[int, int]:
    """The check before the window for a vouched file: the header (as ``inspect_file`` with
    ``none``), the schema parsed, ``quick_check`` of :data:`LIGHT_TABLES` and the page count
    against the file's size. Returns (user_version, application_id); raises
    :class:`StoreCorruptError` (the file is left unchanged)."""
    where = str(path)
    version, app_id = inspect_file(path, integrity="none")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise translate(exc, where) or exc from None
    problems: list[str] = []
    try:
        tables = {
            str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        if pages * page_size > path.stat().st_size:
            problems.append(f"{pages} pages of {page_size} bytes in a shorter file")
        for table in LIGHT_TABLES:
            if table in tables:
                rows = conn.execute(f'PRAGMA quick_check("{table}")').fetchall()
                if rows != [("ok",)]:
                    problems.extend(str(r[0]) for r in rows[:3])
    except sqlite3.DatabaseError as exc:
        err = translate(exc, where)
        if err is not None and not isinstance(err, StoreCorruptError):
            raise err from None
        problems.append(str(exc))
    finally:
        conn.close()
    if problems:
        raise StoreCorruptError(
            f"{where}: the database is damaged and fails its integrity check "
            f"({'; '.join(problems[:3])}); the file was left unchanged, restore it from a backup"
        )
    return version, app_id
