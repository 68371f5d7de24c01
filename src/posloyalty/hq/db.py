"""The HQ database: engine set-up for SQLite and PostgreSQL, migrations, transactions.

``HqDb.transaction()`` gives a session inside one transaction; the services take it and never
commit themselves. Writers run one at a time on both databases: on SQLite every transaction
starts with ``BEGIN IMMEDIATE``; on PostgreSQL a writing transaction first takes one
transaction-scoped advisory lock (:data:`WRITER_LOCK`). Pushes, jobs, registrations and operator
changes all lock member rows, coupons and the change counter in orders that differ; letting
them interleave gave deadlocks and, worse, a job that read a member's ledger just before a push
committed new entries and then cleared the member's ``dirty`` flag, leaving a balance below its
ledger for good. Under the writer lock neither can happen, and a writer never waits for a lock
another writer holds. Reads (pulls, authentication, health) take no writer lock: PostgreSQL's
snapshots let them run beside the writer. A unique-key race or serialisation failure is still
retried by :meth:`HqDb.run`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from posloyalty.hq.keys import Keyring, resolve_keyring

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
T = TypeVar("T")

#: PostgreSQL SQLSTATEs worth retrying: serialization_failure, deadlock_detected.
_RETRY_SQLSTATES = {"40001", "40P01"}
#: The PostgreSQL advisory lock key every writing transaction takes first ("POSL").
WRITER_LOCK = 0x504F534C
#: First key of the two-key advisory locks one till's pushes take (:func:`lock_terminal`);
#: PostgreSQL keeps the one-key and two-key lock spaces apart.
TERMINAL_LOCK = 0x504F5354
_LOCKED = "writer_locked"


def lock_writer(session: Session) -> None:
    """Take the writer lock now, in a transaction begun with ``writer=False`` that has done
    its till-private part (see :func:`lock_terminal`); a no-op when it is held already."""
    if session.info.get(_LOCKED):
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK})
    session.info[_LOCKED] = True


#: Rows a refresh may rewrite before the tables it wrote are analysed at once.
BULK_ROWS = 100_000


def analyze(session: Session, *tables: type[Any]) -> None:
    """Give PostgreSQL's planner fresh statistics for ``tables`` (ORM classes) after a bulk
    fill, instead of waiting for autovacuum: planned without them, the next incremental
    refresh of the buyer rollups took 16 s instead of 1 s. A no-op on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        for table in tables:
            session.execute(text(f"ANALYZE {table.__tablename__}"))


def lock_terminal(session: Session, terminal_id: str) -> None:
    """One till's pushes one at a time, beside other tills' and the writer: a push checks its
    till's chain and records its item keys (rows no other writer touches) under this lock,
    then takes the writer lock (:func:`lock_writer`) for the rest. Always in that order, and
    never once the writer lock is held (a writer waiting here for a push that waits for the
    writer would deadlock)."""
    if session.info.get(_LOCKED) or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text("SELECT pg_advisory_xact_lock(:cls, hashtext(:terminal))"),
        {"cls": TERMINAL_LOCK, "terminal": terminal_id},
    )


class DatabaseUrlError(ValueError):
    """The database URL is not one HQ can use."""


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` (meaning psycopg 3), ``postgresql+psycopg://`` and ``sqlite:///``.

    A bare path is taken as a SQLite file.
    """
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError on garbage
        raise DatabaseUrlError(f"{url!r} is not a database URL: {exc}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("postgresql+psycopg", "sqlite", "sqlite+pysqlite"):
        raise DatabaseUrlError(
            f"unsupported database {parsed.drivername!r}: use sqlite:///FILE or "
            "postgresql+psycopg://USER@HOST/DB"
        )
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 60}, hide_parameters=True
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # hide_parameters: a database error's message never quotes the values (personal data).
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
    )


def migrate(engine: Engine, keyring: Keyring) -> None:
    """Bring the schema to the newest Alembic revision (safe to call on every start).

    ``keyring``: HQ's keys (a migration that encrypts existing rows needs them)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["keyring"] = keyring
        command.upgrade(config, "head")


def _retryable(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return isinstance(exc, IntegrityError) or sqlstate in _RETRY_SQLSTATES


class HqDb:
    """An engine, migrated, with transaction helpers; sessions carry HQ's keys (hq.pii).

    ``keyring``: HQ's encryption keys; by default from the environment or the key file
    (:func:`posloyalty.hq.keys.resolve_keyring`).
    """

    def __init__(
        self,
        url: str,
        *,
        upgrade: bool = True,
        pool_size: int = 10,
        keyring: Keyring | None = None,
    ) -> None:
        self.url = normalise_url(url)
        self.keyring = keyring or resolve_keyring(self.url)
        self.engine = make_engine(self.url, pool_size=pool_size)
        self._sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={"keyring": self.keyring}
        )
        if upgrade:
            migrate(self.engine, self.keyring)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, *, writer: bool = True) -> Iterator[Session]:
        """A session in one transaction; ``writer``: one at a time (see the module docstring).
        Pass ``writer=False`` only for work that reads, or writes rows no writer locks."""
        with self._sessions() as session, session.begin():
            session.info.pop(_LOCKED, None)
            if writer:
                lock_writer(session)
            yield session

    def run(self, work: Callable[[Session], T], *, attempts: int = 5, writer: bool = True) -> T:
        """Run ``work`` in a transaction, retrying it on a race another writer won.

        Retried: unique-key races (two deliveries of one item at once), PostgreSQL deadlocks
        and serialisation failures. ``work`` must be safe to run again from the start.
        """
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction(writer=writer) as session:
                    return work(session)
            except (IntegrityError, OperationalError) as exc:
                if attempt == attempts or not _retryable(exc):
                    raise
                time.sleep(0.01 * attempt)
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()
