"""Store errors a caller can act on, and the mapping of SQLite/OS failures onto them.

Known environment problems (read-only or full disk, a lock held elsewhere, permissions) become
:class:`StoreUnavailableError` with plain words; damaged files become :class:`StoreCorruptError`.
Anything else is left alone: it is a bug and should surface as one.
"""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy import exc as sa_exc


class StoreError(Exception):
    """Base class for the store's own, expected errors."""


class StoreVersionError(StoreError):
    """The database was written by a newer program (or is not a posloyalty database)."""


class StoreCorruptError(StoreError):
    """The file is not a SQLite database or fails its integrity check; it was left untouched."""


class StoreUnavailableError(StoreError):
    """The database cannot be used right now: read-only, full, locked, or not permitted."""


class StoreDataError(StoreError):
    """Input data (an import file, a record) is invalid; nothing was stored."""


class DatabaseFileAccessError(RuntimeError):
    """A bug: code in this process opened an open database's file outside SQLite.

    Closing that descriptor would drop the POSIX locks of every SQLite connection in the
    process, and another program could then delete the WAL they write into.
    """


# SQLite primary result codes (https://sqlite.org/rescode.html)
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26

_UNAVAILABLE_WORDS = {
    _SQLITE_PERM: "permission denied",
    _SQLITE_BUSY: "the database is locked by another program; try again",
    _SQLITE_LOCKED: "the database is locked by another program; try again",
    _SQLITE_READONLY: "the database is read-only (file, folder or disk); nothing was written",
    _SQLITE_IOERR: "a disk input/output error occurred; nothing was written",
    _SQLITE_FULL: "the disk is full; nothing was written",
    _SQLITE_CANTOPEN: "the database file cannot be opened (missing folder or no permission)",
}

_OS_WORDS = {
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOENT: "no such file or folder",
}


def _sqlite_error(exc: BaseException) -> sqlite3.Error | None:
    if isinstance(exc, sa_exc.DBAPIError) and isinstance(exc.orig, sqlite3.Error):
        return exc.orig
    if isinstance(exc, sqlite3.Error):
        return exc
    return None


def is_not_a_database(exc: BaseException) -> bool:
    """SQLite's "file is not a database": the header is not SQLite's."""
    err = _sqlite_error(exc)
    return err is not None and (getattr(err, "sqlite_errorcode", 0) & 0xFF) == _SQLITE_NOTADB


def translate(exc: BaseException, where: str) -> StoreError | None:
    """The store error for a known environment failure or damaged file, else None (a bug)."""
    if isinstance(exc, StoreError):
        return exc
    err = _sqlite_error(exc)
    if err is not None:
        code = getattr(err, "sqlite_errorcode", None)
        if code is None:
            return None
        primary = code & 0xFF
        if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            return StoreCorruptError(f"{where}: the database is damaged or not a database ({err})")
        words = _UNAVAILABLE_WORDS.get(primary)
        if words is not None:
            return StoreUnavailableError(f"{where}: {words} ({err})")
        return None
    if isinstance(exc, OSError) and exc.errno in _OS_WORDS:
        return StoreUnavailableError(f"{where}: {_OS_WORDS[exc.errno]} ({exc.strerror})")
    return None
