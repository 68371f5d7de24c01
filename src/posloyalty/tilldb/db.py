"""Open a terminal database: validated file, versioned schema, controlled transactions.

pysqlite's own transaction handling issues a deferred ``BEGIN`` lazily; a transaction that
reads and then writes must upgrade its lock and can fail with SQLITE_BUSY instead of waiting.
So the DBAPI connection runs with ``isolation_level = None`` and the SQLAlchemy ``begin`` event
emits the BEGIN itself (SQLAlchemy's "Serializable isolation / Savepoints / Transactional DDL"
recipe): ``BEGIN IMMEDIATE`` for every write transaction, a deferred ``BEGIN`` under
``PRAGMA query_only`` for reads.
"""

from __future__ import annotations

import collections
import contextlib
import os
import sqlite3
import sys
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from posloyalty.clock import Clock, SystemClock
from posloyalty.tilldb import chain
from posloyalty.tilldb.errors import (
    DatabaseFileAccessError,
    StoreCorruptError,
    StoreError,
    StoreUnavailableError,
    StoreVersionError,
    is_not_a_database,
    translate,
)
from posloyalty.tilldb.migrations import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    Migration,
    create_current,
)

#: The session of ``Database.read()`` / ``write()``, for annotations outside tilldb/, which
#: never imports SQLAlchemy itself (scripts/check_layers.py).
TillSession: TypeAlias = Session
#: The bare connection of ``Database.transaction()`` / ``snapshot()``, likewise.
TillConnection: TypeAlias = sqlite3.Connection
_TX_OPTION = "posloyalty_tx"


def raw_connection(session: Session | sqlite3.Connection) -> sqlite3.Connection:
    """The DBAPI connection of the session's current transaction (for hot paths' plain SQL;
    it is inside the same BEGIN ... COMMIT as everything else done through ``session``).
    Given a DBAPI connection (a ``db.transaction()`` block), that connection."""
    if isinstance(session, sqlite3.Connection):
        return session
    conn = session.connection().connection.driver_connection
    assert isinstance(conn, sqlite3.Connection)
    return conn


#: The schema version that added the till's hash chain.
_CHAIN_VERSION = 7


class StoreNotFoundError(StoreUnavailableError):
    """There is no terminal database at the given path."""


_SIDE_FILES = ("-wal", "-shm", "-journal")


class _FileGuard:
    """Refuses ``open()`` of a database file (or its -wal, -shm, -journal) while this process
    has it open through SQLite.

    POSIX drops every advisory lock a process holds on a file when any descriptor of that
    file is closed, so a header read, a hash or a copy of the live file silently unlocks the
    till's connections; another process closing its last connection then checkpoints and
    deletes the WAL they are writing into (sqlite.org, "How To Corrupt An SQLite Database
    File", 2.2). A Python audit hook sees every ``open()`` and ``os.open()`` of the process
    and raises :class:`DatabaseFileAccessError` before the descriptor exists. SQLite's own
    opens do not pass through it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[str, int] = {}  # real path -> open Database objects
        self._names: frozenset[str] = frozenset()
        self._installed = False
        # Closes not yet applied. A Database closed by a garbage-collection finaliser can
        # call remove() on the thread that is inside add() or remove() holding the lock:
        # that call only queues its close, and the holder applies it before letting go.
        self._pending: collections.deque[str] = collections.deque()
        self._owner: int | None = None

    def add(self, path: Path) -> str:
        real = os.path.realpath(path)
        with self._lock:
            self._owner = threading.get_ident()
            try:
                if not self._installed:
                    sys.addaudithook(self._hook)
                    self._installed = True
                self._live[real] = self._live.get(real, 0) + 1
                self._settle()
            finally:
                self._owner = None
        return real

    def remove(self, real: str) -> None:
        self._pending.append(real)
        if self._owner == threading.get_ident():
            return  # re-entered from a finaliser: the outer call applies it
        with self._lock:
            self._owner = threading.get_ident()
            try:
                self._settle()
            finally:
                self._owner = None

    def _settle(self) -> None:
        """Apply queued closes and recompute the names the hook checks (lock held)."""
        while True:
            while self._pending:
                real = self._pending.popleft()
                left = self._live.get(real, 0) - 1
                if left > 0:
                    self._live[real] = left
                else:
                    self._live.pop(real, None)
            self._names = frozenset(os.path.basename(p) for p in list(self._live))
            if not self._pending:
                return

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event != "open" or not self._names or isinstance(args[0], int):
            return
        try:
            name = os.fsdecode(args[0])
        except TypeError:
            return
        for suffix in _SIDE_FILES:
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        if os.path.basename(name) in self._names and os.path.realpath(name) in self._live:
            raise DatabaseFileAccessError(
                f"{args[0]}: opened outside SQLite while this process has the database open; "
                "read it through a connection (posloyalty.tilldb.db) or its backup API"
            )


_GUARD = _FileGuard()

#: The till's files (database, -wal, -shm, backups) are its owner's alone.
PRIVATE_MODE = 0o600


def create_private(path: Path) -> None:
    """Create ``path`` as an empty file readable and writable by its owner only (an empty
    file is an empty SQLite database; SQLite gives the -wal and -shm it creates beside it the
    database file's mode). Raises :class:`FileExistsError` if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_MODE)
    try:
        os.fchmod(fd, PRIVATE_MODE)  # whatever the umask did
    finally:
        os.close(fd)


def make_private(path: Path) -> None:
    """Take group and other access away from a database file and its -wal / -shm, if they
    exist (``chmod``, which opens nothing)."""
    for suffix in ("", *_SIDE_FILES):
        side = Path(f"{path}{suffix}")
        try:
            mode = side.stat().st_mode
            if mode & 0o077:
                os.chmod(side, mode & PRIVATE_MODE)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreUnavailableError(
                f"{side}: cannot make it private to its owner ({exc.strerror})"
            ) from None


def inspect_file(path: Path, *, integrity: str = "quick_check") -> tuple[int, int]:
    """Check a database file without changing it; return (user_version, application_id).

    Raises :class:`StoreCorruptError` for a file that is not SQLite or fails the check, and
    :class:`StoreUnavailableError` when it cannot be read. ``integrity`` is ``quick_check``,
    ``integrity_check`` or ``none`` (the header only).

    Everything is read through a read-only SQLite connection, never with ``open()``: closing
    any other descriptor of the file would drop every POSIX lock this process's connections
    hold on it, and another process closing its last connection would then delete the WAL
    under them (sqlite.org, "How To Corrupt An SQLite Database File", section 2.2).
    """
    where = str(path)
    if integrity not in ("quick_check", "integrity_check", "none"):
        raise ValueError(f"unknown integrity check {integrity!r}")
    if not path.exists():
        raise StoreUnavailableError(f"{where}: no such file or folder")
    if path.is_dir():
        raise StoreUnavailableError(f"{where}: is a folder, not a database file")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise translate(exc, where) or exc from None
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        if integrity != "none":
            try:
                rows = conn.execute(f"PRAGMA {integrity}").fetchall()
            except sqlite3.DatabaseError as exc:
                # A page so damaged that the check itself stops: that is its answer.
                if is_not_a_database(exc):
                    raise
                rows = [(str(exc),)]
            if rows != [("ok",)]:
                problems = "; ".join(str(r[0]) for r in rows[:3])
                raise StoreCorruptError(
                    f"{where}: the database is damaged and fails its integrity check ({problems}); "
                    "the file was left unchanged, restore it from a backup"
                )
        if (version, app_id) == (0, 0) and conn.execute(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master)"
        ).fetchone()[0]:
            raise StoreVersionError(f"{where}: not a posloyalty terminal database")
    except sqlite3.Error as exc:
        if is_not_a_database(exc):
            raise StoreCorruptError(
                f"{where}: not a SQLite database (the file was left unchanged)"
            ) from None
        err = translate(exc, where)
        if isinstance(err, StoreCorruptError):
            raise StoreCorruptError(f"{err}; the file was left unchanged") from None
        raise err or exc from None
    finally:
        conn.close()
    return version, app_id


def check_version(where: str, version: int, app_id: int, latest: int = SCHEMA_VERSION) -> None:
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and version != 0):
        raise StoreVersionError(f"{where}: not a posloyalty terminal database")
    if version > latest:
        raise StoreVersionError(
            f"{where}: the database has schema version {version}, newer than this program "
            f"understands ({latest}); update posloyalty (the file was left unchanged)"
        )


class Database:
    """A terminal database: an engine with the right pragmas and transaction control.

    Use :meth:`open`; then ``with db.write() as session: ...`` commits once at the end (or
    rolls back on any exception) inside ``BEGIN IMMEDIATE``; ``with db.read() as session``
    reads one consistent snapshot and cannot write.
    """

    def __init__(
        self, path: Path, engine: Engine, clock: Clock, busy_timeout_ms: int = 5000
    ) -> None:
        self.path = path
        self._busy_timeout_ms = busy_timeout_ms
        self.engine = engine
        self.clock = clock
        self._writes = sessionmaker(
            bind=engine.execution_options(**{_TX_OPTION: "write"}), expire_on_commit=False
        )
        self._local = threading.local()
        self._reads = sessionmaker(
            bind=engine.execution_options(**{_TX_OPTION: "read"}), expire_on_commit=False
        )
        self._checkpointer: _Checkpointer | None = None
        self._closed = False
        # Released on close, or when a database that was never closed is collected.
        self._unguard = weakref.finalize(self, _GUARD.remove, _GUARD.add(path))
        self._held_lock = threading.Lock()
        self._helds: weakref.WeakSet[_Held] = weakref.WeakSet()
        # engine.dispose() (reconnect, e.g. after a remount) also retires held connections.
        event.listen(engine, "engine_disposed", self._on_dispose)
        #: Whether the schema has the till's hash chain (store/chain.py); set after migrating.
        self._chained = False
        self._chain_key: bytes | None = None
        #: The OS keyring backend holding the terminal key, when not the default one.
        self.keyring_backend: Any = None

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        clock: Clock | None = None,
        create: bool = False,
        busy_timeout_ms: int = 5000,
        integrity: str = "quick_check",
        migrations: tuple[Migration, ...] = MIGRATIONS,
        background_checkpoint: float = 0.0,
    ) -> Database:
        """Validate, open and migrate the database at ``path``.

        ``create`` allows a missing file to be created. A newer schema raises
        :class:`StoreVersionError`, a damaged file :class:`StoreCorruptError` (neither is
        modified); read-only, full, locked or forbidden files raise
        :class:`StoreUnavailableError`. ``integrity`` is ``quick_check``, ``integrity_check``
        or ``none`` (skip the scan; the header is still checked).

        ``background_checkpoint`` (seconds, 0 = off): instead of SQLite's automatic checkpoint,
        which copies the WAL back into the database inside whichever commit crosses 1,000
        pages (a sale at the counter, every ~50 sales), a daemon thread runs a PASSIVE
        checkpoint at this interval, so sales never wait for it. The till uses it; tools and
        tests keep SQLite's default. Durability is unchanged: commits are in the WAL either way.
        """
        path = Path(path)
        where = str(path)
        if path.exists():
            if path.is_dir():
                raise StoreUnavailableError(f"{where}: is a folder, not a database file")
            version, app_id = inspect_file(path, integrity=integrity)
            check_version(where, version, app_id, len(migrations))
        elif not create:
            raise StoreNotFoundError(
                f"{where}: no terminal database here; create one with `posloyalty terminal init`"
            )
        elif not path.parent.is_dir():
            raise StoreUnavailableError(f"{where}: the folder {str(path.parent)!r} does not exist")
        else:
            try:
                create_private(path)
            except FileExistsError:
                pass  # another process created it meanwhile: checked as any existing file
            except OSError as exc:
                raise StoreUnavailableError(
                    f"{where}: cannot create the database ({exc.strerror})"
                ) from None
        make_private(path)
        engine = _make_engine(path, busy_timeout_ms, autocheckpoint=not background_checkpoint)
        db = cls(path, engine, clock or SystemClock(), busy_timeout_ms)
        try:
            db._migrate(migrations)
        except BaseException:
            db.close()
            raise
        db._chained = len(migrations) >= _CHAIN_VERSION
        if background_checkpoint > 0:
            db._checkpointer = _Checkpointer(db, background_checkpoint)
        return db

    def checkpoint(
        self, mode: str = "PASSIVE", *, busy_timeout_ms: int | None = None
    ) -> tuple[int, int, int]:
        """Copy the WAL back into the database: (busy, WAL frames, frames checkpointed).

        ``busy_timeout_ms`` bounds how long a blocking mode waits for writers and readers
        (default: the database's busy timeout)."""
        if mode not in ("PASSIVE", "FULL", "RESTART", "TRUNCATE"):
            raise ValueError(f"unknown checkpoint mode {mode!r}")
        with self._bare(query_only=False) as conn:
            if busy_timeout_ms is None:
                row = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
            else:
                conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
                try:
                    row = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
                finally:
                    conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            return int(row[0]), int(row[1]), int(row[2])

    def close(self) -> None:
        self._closed = True
        self._retire_held(invalidate=False)
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
            # Busy or unwritable: the WAL stays, and SQLite replays it on the next open.
            with contextlib.suppress(StoreError):
                self.checkpoint("TRUNCATE")
        self.engine.dispose()
        self._unguard()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (``BEGIN IMMEDIATE``): commit on success, roll back on error."""
        if getattr(self._local, "writing", False):
            # A second connection would wait for the lock this thread holds.
            raise RuntimeError("db.write() inside db.write() in the same thread; use one session")
        self._local.writing = True
        try:
            with self._writes.begin() as session:
                session.connection()  # BEGIN IMMEDIATE now: the lock is ours before any read
                raw = session.connection().connection.driver_connection
                start = self._chain_start(raw)
                yield session
                self._chain_seal(raw, start)
        except Exception as exc:
            err = translate(exc, str(self.path))
            if err is None or err is exc:
                raise
            raise err from exc
        finally:
            self._local.writing = False

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction on the bare DBAPI connection, for the till's hot path (a sale).

        The same guarantees as :meth:`write` (one ``BEGIN IMMEDIATE`` ... ``COMMIT`` on a
        pooled connection with the database's pragmas, ``synchronous = FULL``; any exception
        rolls everything back; store failures become :class:`StoreError`) without the ORM
        session, whose bookkeeping costs more than a sale's SQL.
        """
        if getattr(self._local, "writing", False):
            raise RuntimeError("db.transaction() inside a write in the same thread")
        self._local.writing = True
        try:
            with self._bare(query_only=False) as conn:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    start = self._chain_start(conn)
                    yield conn
                    self._chain_seal(conn, start)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.rollback()
                    raise
        finally:
            self._local.writing = False

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read-only snapshot on the bare DBAPI connection (deferred ``BEGIN`` under
        ``PRAGMA query_only``, as :meth:`read`), for the till's per-scan lookups."""
        with self._bare(query_only=True) as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.rollback()  # nothing was written: just end the snapshot

    @contextmanager
    def _bare(self, *, query_only: bool) -> Iterator[sqlite3.Connection]:
        """A DBAPI connection in the wanted ``query_only`` state; store failures raised
        inside become :class:`StoreError`.

        Each thread keeps one pooled connection for these hot paths between uses (a sale,
        a scan's lookup): checking a connection out of SQLAlchemy's pool and back costs more
        than a scan's queries, and one connection keeps its page cache warm. A nested use,
        or a use after :meth:`close`, takes one from the pool as before. ``engine.dispose()``
        (a reconnect) closes held connections too, so every connection after it is new.
        """
        try:
            held = self._take_held()
            if held is None:
                pooled = self.engine.raw_connection()
                try:
                    yield _in_mode(pooled, query_only)
                finally:
                    pooled.close()
                return
            try:
                yield _in_mode(held.pooled, query_only)
            finally:
                self._release(held)
        except Exception as exc:
            err = translate(exc, str(self.path))
            if err is None or err is exc:
                raise
            raise err from exc

    def _take_held(self) -> _Held | None:
        """This thread's held connection, marked busy; None: use the pool this time."""
        held: _Held | None = getattr(self._local, "held", None)
        with self._held_lock:
            if held is not None and (held.retire or not held.give_back.alive):
                held = None  # retired (close, dispose, error); its retirer gives it back
            if held is not None:
                if held.busy:  # nested use in this thread
                    return None
                held.busy = True
                return held
        if self._closed:
            return None
        held = _Held(self.engine.raw_connection())
        held.busy = True
        with self._held_lock:
            self._helds.add(held)
        self._local.held = held
        return held

    def _release(self, held: _Held) -> None:
        """End a use of a held connection: no transaction left open, and back to the pool
        (closed) if it was retired meanwhile or cannot even roll back."""
        conn = held.pooled.driver_connection
        broken = False
        try:
            if conn.in_transaction:
                conn.rollback()
        except sqlite3.Error:
            broken = True
        with self._held_lock:
            held.busy = False
            held.invalidate = held.invalidate or broken
            retire = held.retire = held.retire or broken
        if retire:
            held.discard()

    def _on_dispose(self, engine: Engine) -> None:
        self._retire_held(invalidate=True)

    def _retire_held(self, *, invalidate: bool) -> None:
        """Retire every held connection (closed too if ``invalidate``): an idle one now, a
        busy one by its own thread when its use ends (:meth:`_release`)."""
        with self._held_lock:
            idle = []
            for h in self._helds:
                if not h.retire:
                    h.retire, h.invalidate = True, invalidate
                    if not h.busy:
                        idle.append(h)
        for h in idle:
            h.discard()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot (deferred ``BEGIN`` with ``PRAGMA query_only``)."""
        try:
            with self._reads.begin() as session:
                yield session
        except Exception as exc:
            err = translate(exc, str(self.path))
            if err is None or err is exc:
                raise
            raise err from exc

    @contextmanager
    def raw_write(self) -> Iterator[sqlite3.Connection]:
        """The DBAPI connection inside one ``BEGIN IMMEDIATE`` transaction, for bulk loads."""
        try:
            with self.engine.connect() as conn, conn.begin():
                raw = conn.connection.driver_connection
                assert isinstance(raw, sqlite3.Connection)
                start = self._chain_start(raw)
                yield raw
                self._chain_seal(raw, start)
        except Exception as exc:
            err = translate(exc, str(self.path))
            if err is None or err is exc:
                raise
            raise err from exc

    # ------------------------------------------------------------------ tamper evidence

    def chain_key(self, conn: sqlite3.Connection | None = None) -> bytes | None:
        """The key of the till's hash chain (from the terminal key), None while there is no
        terminal key (or it cannot be read: the new rows then wait unsealed)."""
        if self._chain_key is not None:
            return self._chain_key
        if conn is not None:
            row = conn.execute(
                "SELECT 1 FROM settings WHERE \"key\" = 'terminal_key_id'"
            ).fetchone()
            if row is None:
                return None
        from posloyalty.tilldb.vault import VaultError, open_vault

        try:
            vault = open_vault(self, create=False, keyring_backend=self.keyring_backend)
        except VaultError:
            return None
        self._chain_key = vault.chain_key if vault is not None else None
        return self._chain_key

    def use_chain_key(self, key: bytes) -> None:
        """The chain key, as the sync client opened it (its keyring may not be the default)."""
        self._chain_key = key

    def _chain_start(self, conn: Any) -> tuple[int, str | None]:
        """The chain's last row (seq, link) as the transaction begins: the rows after it are
        the transaction's own, and its link is the first one's previous."""
        return chain.tail(conn) if self._chained else (0, None)

    def _chain_seal(self, conn: Any, start: tuple[int, str | None]) -> None:
        """Link the chain rows this transaction added (before it commits)."""
        if not self._chained:
            return
        rows = chain.unsealed(conn, start[0])
        if rows:
            key = self.chain_key(conn)
            if key is not None:
                chain.seal_rows(conn, key, rows, tail=start)

    def schema_version(self) -> int:
        with self.read() as session:
            return int(session.connection().exec_driver_sql("PRAGMA user_version").scalar_one())

    def _migrate(self, migrations: tuple[Migration, ...]) -> None:
        where = str(self.path)
        try:
            with self.engine.connect() as conn:
                # A current database is not written at all: a read-only one still opens for
                # lookups, and its first write fails with a clear error.
                conn.execution_options(**{_TX_OPTION: "read"})
                with conn.begin():
                    current = int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())
                if current == len(migrations):
                    return
                conn.execution_options(**{_TX_OPTION: "write"})
                for target in range(1, len(migrations) + 1):
                    with conn.begin():
                        # Read inside the IMMEDIATE transaction: another process may have
                        # migrated meanwhile.
                        current = int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())
                        app_id = int(conn.exec_driver_sql("PRAGMA application_id").scalar_one())
                        check_version(where, current, app_id, len(migrations))
                        if (
                            current == 0
                            and conn.exec_driver_sql(
                                "SELECT EXISTS (SELECT 1 FROM sqlite_master)"
                            ).scalar_one()
                        ):
                            raise StoreVersionError(
                                f"{where}: not a posloyalty terminal database (it has other tables)"
                            )
                        if current >= target:
                            continue
                        if current == 0 and migrations == MIGRATIONS:
                            # A new database: the current schema from its description.
                            create_current(conn)
                            conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
                            continue
                        migrations[target - 1](conn)
                        conn.exec_driver_sql(f"PRAGMA user_version = {target}")
        except StoreError:
            raise
        except Exception as exc:
            err = translate(exc, where)
            if err is None:
                raise
            raise err from exc


class _Held:
    """The pooled connection one thread keeps between its uses of ``Database._bare``.

    It goes back to the pool when the thread ends (its thread-local reference dies), or when
    it is retired (the database closes, the engine is disposed, it cannot roll back),
    whichever comes first (``give_back`` runs once).
    """

    def __init__(self, pooled: Any) -> None:
        self.pooled = pooled
        self.busy = False
        self.retire = False
        self.invalidate = False
        self.give_back = weakref.finalize(self, pooled.close)

    def discard(self) -> None:
        if self.invalidate and self.give_back.alive:
            self.pooled.invalidate()  # opened before engine.dispose(), or broken: close it
        self.give_back()


def _in_mode(pooled: Any, query_only: bool) -> sqlite3.Connection:
    conn = pooled.driver_connection
    assert isinstance(conn, sqlite3.Connection)
    if pooled.info.get("query_only") is not query_only:
        conn.execute(f"PRAGMA query_only = {'ON' if query_only else 'OFF'}")
        pooled.info["query_only"] = query_only
    return conn


#: WAL frames after which the checkpointer also makes the next writer rewind the WAL.
RESTART_AFTER_FRAMES = 1000
#: How long that RESTART may hold off a sale while it waits for readers (then: next time).
RESTART_WAIT_MS = 5
#: PASSIVE passes before the RESTART, until one finds at most this many new frames.
RESTART_PASSES = 5
RESTART_LEFT_FRAMES = 100


class _Checkpointer:
    """A daemon thread that checkpoints the WAL off the sale path (see ``Database.open``).

    A PASSIVE checkpoint never blocks a sale, but while sales keep coming it never catches
    up with the last frame, and SQLite rewinds the WAL only for a writer that starts with
    every frame copied back. The WAL then grows without end, and appending to a long WAL
    costs each commit about twice what rewriting the start of a short one does (measured:
    ~600 vs ~300 us for a sale's 19 pages). So once the WAL is past
    ``RESTART_AFTER_FRAMES``, a RESTART checkpoint copies the few frames the PASSIVE pass
    missed, holding the write lock for that short copy, and waits at most
    ``RESTART_WAIT_MS`` for readers; the next sale then writes from the WAL's start.
    """

    def __init__(self, db: Database, interval: float) -> None:
        self._db = db
        self._interval = interval
        self._stop = threading.Event()
        self.last_error: StoreError | None = None
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                _, frames, _ = self._db.checkpoint("PASSIVE")
                if frames >= RESTART_AFTER_FRAMES:
                    self._rewind(frames)
                self.last_error = None
            except StoreError as exc:
                # A full or read-only disk: sales refuse with their own message; keep trying.
                self.last_error = exc

    def _rewind(self, frames: int) -> None:
        # More PASSIVE passes first, each copying what the sales wrote during the last one,
        # so the RESTART, which holds sales off while it copies, has only a few frames left.
        for _ in range(RESTART_PASSES):
            _, now, _ = self._db.checkpoint("PASSIVE")
            new, frames = now - frames, now
            if new < 0 or new <= RESTART_LEFT_FRAMES:  # < 0: a sale already rewound it
                break
        if frames >= RESTART_AFTER_FRAMES:
            self._db.checkpoint("RESTART", busy_timeout_ms=RESTART_WAIT_MS)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _make_engine(path: Path, busy_timeout_ms: int, *, autocheckpoint: bool = True) -> Engine:
    engine = create_engine(
        URL.create("sqlite+pysqlite", database=str(path)),
        connect_args={"timeout": busy_timeout_ms / 1000},
        pool_use_lifo=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: ConnectionPoolEntry) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, see the module docstring
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cur.execute("PRAGMA foreign_keys = ON")
            mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreUnavailableError(
                    f"{path}: cannot switch the database to WAL mode (got {mode!r})"
                )
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA cache_size = -32768")  # 32 MiB: index pages of a big slice
            if not autocheckpoint:
                cur.execute("PRAGMA wal_autocheckpoint = 0")
        finally:
            cur.close()
        record.info["query_only"] = False

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read = conn.get_execution_options().get(_TX_OPTION) == "read"
        info = conn.connection.info
        if info.get("query_only") != read:
            conn.exec_driver_sql(f"PRAGMA query_only = {'ON' if read else 'OFF'}")
            info["query_only"] = read
        conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

    return engine
