"""Settings (``settings``) and sync cursors (``sync_cursors``): text values by key.

Functions take the session of a ``db.read()`` / ``db.write()`` block and never commit.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from posloyalty.tilldb.models import Setting, SyncCursor

__all__ = [
    "delete_settings",
    "get_cursor",
    "get_setting",
    "set_cursor",
    "set_setting",
    "setting",
]


def get_setting(session: Session, key: str) -> str | None:
    return session.scalar(select(Setting.value).where(Setting.key == key))


def set_setting(session: Session, key: str, value: str) -> None:
    session.merge(Setting(key=key, value=value))
    session.flush()


def delete_settings(session: Session, *keys: str) -> None:
    session.execute(delete(Setting).where(Setting.key.in_(keys)))


def setting(raw: sqlite3.Connection, key: str) -> str | None:
    """:func:`get_setting` on a DBAPI connection."""
    row = raw.execute('SELECT value FROM settings WHERE "key" = ?', (key,)).fetchone()
    return None if row is None else str(row[0])


def get_cursor(session: Session, name: str) -> str | None:
    return session.scalar(select(SyncCursor.value).where(SyncCursor.name == name))


def set_cursor(session: Session, name: str, value: str) -> None:
    session.merge(SyncCursor(name=name, value=value))
    session.flush()
