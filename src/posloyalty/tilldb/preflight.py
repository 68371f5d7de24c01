"""What a till database holds, read before anything writes to it.

The launcher decides from this whether the file may be opened (and migrated) at all: a
production till needs an enrolled database with real staff, the demo only its own database.
Everything is read through a read-only SQLite connection after the integrity check, so a
refused file is left byte for byte as it was.
"""

from __future__ import annotations

import hmac
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from posloyalty.tilldb.db import check_version, inspect_file
from posloyalty.tilldb.errors import translate
from posloyalty.tilldb.repo import pin_hash


@dataclass(frozen=True, slots=True)
class TillFile:
    schema_version: int
    settings: Mapping[str, str] = field(default_factory=dict)
    #: Staff account id -> role.
    staff: Mapping[str, str] = field(default_factory=dict)
    members: int = 0
    sales: int = 0
    #: Of the member ids asked about, those present.
    members_present: frozenset[str] = frozenset()
    #: Of the (id, PIN) pairs asked about, the ids whose PIN it is.
    pins_matching: frozenset[str] = frozenset()

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
) -> TillFile:
    """Check the file (integrity, a posloyalty database this program understands) and read
    what it holds, without writing. Raises :class:`StoreCorruptError`,
    :class:`StoreVersionError` or :class:`StoreUnavailableError`."""
    where = str(path)
    version, app_id = inspect_file(path, integrity=integrity)
    check_version(where, version, app_id)
    if version == 0:
        return TillFile(0)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise translate(exc, where) or exc from None
    try:
        settings = dict(conn.execute('SELECT "key", value FROM settings').fetchall())
        rows = conn.execute("SELECT id, role, pin_salt, pin_hash FROM cashiers").fetchall()
        members = int(conn.execute("SELECT count(*) FROM members").fetchone()[0])
        sales = int(conn.execute("SELECT count(*) FROM sales").fetchone()[0])
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
    )
