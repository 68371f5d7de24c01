"""One running till per database: the till holds an exclusive lock on ``<database>.till``.

Other programs may read and write the database beside the till (SQLite's own locks keep
that safe); a second till on the same file may not (two sync loops, two checkpointers, one
receipt sequence), nor may a restore. The lock is a BSD ``flock`` on a side file, never
on the database itself: it is tied to the lock file's own descriptor, so it neither touches
nor is touched by SQLite's POSIX locks on the database, and the kernel drops it when the till
exits, however it exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from posloyalty.tilldb.errors import StoreUnavailableError

__all__ = ["TillLock", "TillRunningError", "till_running"]


class TillRunningError(StoreUnavailableError):
    """A till is already running on this database."""


def _lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".till")


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        text = os.pread(fd, 32, 0).decode("ascii").strip()
        if text:
            return f" (process {int(text)})"
    return ""


class TillLock:
    """Held while a till runs on ``db_path``; :meth:`acquire` refuses a second one."""

    def __init__(self, db_path: Path, fd: int) -> None:
        self.db_path = db_path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, db_path: str | Path) -> TillLock:
        db_path = Path(db_path)
        try:
            fd = os.open(_lock_path(db_path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise StoreUnavailableError(
                f"{db_path}: cannot create the till lock beside it ({exc.strerror})"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise TillRunningError(
                f"{db_path}: a till is already running on this database{holder}; "
                "close it first (nothing was changed)"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise StoreUnavailableError(f"{db_path}: cannot lock ({exc.strerror})") from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        return cls(db_path, fd)

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> TillLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def till_running(db_path: str | Path) -> str | None:
    """A refusal message if a till is running on ``db_path``, else None."""
    db_path = Path(db_path)
    try:
        fd = os.open(_lock_path(db_path), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None  # no lock file: no till has ever run here
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return f"{db_path}: a till is running on this database{_holder(fd)}"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
