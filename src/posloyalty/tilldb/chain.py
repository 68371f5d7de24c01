"""The till's tamper evidence: the hash chain over its sales, ledger entries and audit log
(schema v7).

Triggers give every sale, ledger entry and audit row this till writes a row in ``chain`` (its
sequence number) in the same transaction; before that transaction commits, :func:`seal` writes
each new row's link (:func:`posloyalty.domain.chain.link`) under the chain key, which is
derived from the terminal key (store/vault.py) and so is not in the database file. A row whose
link could not be written (no terminal key yet) stays unsealed until the key exists
(enrolment creates it and seals the tail).

:func:`verify` walks the chain (from a point already verified, or all of it) and reports the
first row whose content, link or order is not what was written.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from posloyalty.domain.chain import (
    GENESIS,
    audit_content,
    content_digest,
    entry_content,
    link,
    sale_content,
)
from posloyalty.tilldb.types import parse_ts

__all__ = [
    "ChainLink",
    "ChainProblem",
    "chained",
    "links_for",
    "row_digest",
    "seal",
    "seal_rows",
    "seqs_of",
    "tail",
    "top",
    "unsealed",
    "verify",
]


@dataclass(frozen=True, slots=True)
class ChainLink:
    seq: int
    kind: str
    ref_id: str
    prev: str
    #: SHA-256 of the row's content as stored now ("" when the row is gone).
    digest: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """The first place the chain does not hold; ``words`` are for the cashier and HQ."""

    seq: int
    kind: str
    ref_id: str
    words: str


def chained(conn: sqlite3.Connection) -> bool:
    """Whether this database has the chain (schema v7 or later)."""
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chain'"
        ).fetchone()
        is not None
    )


def _sale_digest(conn: sqlite3.Connection, sale_id: str) -> str | None:
    row = conn.execute(
        "SELECT member, at, total_fen, subtotal_fen, original_sale_id, receipt_code, quote"
        " FROM sales WHERE id = ?",
        (sale_id,),
    ).fetchone()
    if row is None:
        return None
    member, at, total, subtotal, original, receipt, quote = row
    lines = [
        {
            "index": r[0],
            "sku": r[1],
            "qty": r[2],
            "unit_price_fen": r[3],
            "gross_fen": r[4],
            "net_fen": r[5],
            "points": r[6],
            "growth": r[7],
        }
        for r in conn.execute(
            'SELECT "index", sku, qty, unit_price_fen, gross_fen, net_fen, points, growth'
            ' FROM sale_lines WHERE sale = ? ORDER BY "index"',
            (sale_id,),
        )
    ]
    payments = [
        {"method": r[0], "amount_fen": r[1], "reference": r[2]}
        for r in conn.execute(
            "SELECT method, amount_fen, reference FROM payments WHERE sale = ? ORDER BY id",
            (sale_id,),
        )
    ]
    try:
        quoted = json.loads(quote) if quote else {}
    except ValueError:
        quoted = {}
    return content_digest(
        sale_content(
            member_id=member,
            at=parse_ts(at),
            total_fen=total,
            subtotal_fen=subtotal,
            original_sale_id=original,
            receipt_code=receipt,
            lines=lines,
            payments=payments,
            quoted=quoted if isinstance(quoted, dict) else {},
        )
    )


def _entry_digest(conn: sqlite3.Connection, entry_id: str) -> str | None:
    row = conn.execute(
        "SELECT member, kind, points, lot, at, available_at, expires_at, renews_until, sale_id,"
        " reason FROM ledger_entries WHERE id = ?",
        (entry_id,),
    ).fetchone()
    if row is None:
        return None
    member, kind, points, lot, at, available, expires, renews, sale_id, reason = row
    return content_digest(
        entry_content(
            member_id=member,
            kind=kind,
            points=points,
            lot=lot,
            at=parse_ts(at),
            available_at=parse_ts(available),
            expires_at=parse_ts(expires) if expires else None,
            renews_until=parse_ts(renews) if renews else None,
            sale_id=sale_id,
            reason=reason,
        )
    )


def _audit_digest(conn: sqlite3.Connection, row_id: str) -> str | None:
    row = conn.execute(
        "SELECT at, cashier, action, detail FROM audit_log WHERE id = ?", (row_id,)
    ).fetchone()
    if row is None:
        return None
    at, cashier, action, detail = row
    return content_digest(
        audit_content(at=parse_ts(at), cashier=cashier, action=action, detail=str(detail))
    )


def row_digest(conn: sqlite3.Connection, kind: str, ref_id: str) -> str | None:
    """SHA-256 of a chained row's canonical content as stored now (None: the row is gone)."""
    if kind == "sale":
        return _sale_digest(conn, ref_id)
    if kind == "audit":
        return _audit_digest(conn, ref_id)
    return _entry_digest(conn, ref_id)


def _previous(conn: sqlite3.Connection, seq: int) -> str:
    row = conn.execute(
        "SELECT hash FROM chain WHERE seq < ? ORDER BY seq DESC LIMIT 1", (seq,)
    ).fetchone()
    return GENESIS if row is None or row[0] is None else str(row[0])


def seal(conn: sqlite3.Connection, key: bytes, *, after: int = 0, everything: bool = False) -> int:
    """Write the links of the unsealed rows after row ``after`` (the rows this transaction
    wrote; ``everything``: every row, when the till first hands its key to HQ), in sequence
    order, inside the caller's transaction; how many."""
    if everything:
        rows = conn.execute("SELECT seq, kind, ref_id FROM chain ORDER BY seq").fetchall()
    else:
        rows = unsealed(conn, after)
    return seal_rows(conn, key, rows)


def unsealed(conn: sqlite3.Connection, after: int) -> list[tuple[int, str, str]]:
    """The rows after row ``after`` that have no link yet, in sequence order (found by
    ``seq``, the table's key: a transaction's own rows are the ones after the top it began
    with)."""
    return conn.execute(
        "SELECT seq, kind, ref_id FROM chain WHERE seq > ? AND hash IS NULL ORDER BY seq",
        (after,),
    ).fetchall()


def seal_rows(
    conn: sqlite3.Connection,
    key: bytes,
    rows: list[tuple[int, str, str]],
    *,
    tail: tuple[int, str | None] = (0, None),
) -> int:
    """Write the links of ``rows`` (seq, kind, ref_id; in sequence order); how many.
    ``tail`` is the chain's last row (seq, link) as :func:`tail` read it earlier in this
    transaction: its link is the first row's previous one when that row follows it directly
    (the read is saved); otherwise the previous link is read."""
    if not rows:
        return 0
    top, top_hash = tail
    prev = (
        top_hash if top_hash is not None and rows[0][0] == top + 1 else _previous(conn, rows[0][0])
    )
    links = []
    for seq, kind, ref_id in rows:
        digest = row_digest(conn, kind, ref_id) or ""
        prev = link(key, seq, kind, ref_id, prev, digest)
        links.append((prev, seq))
    conn.executemany("UPDATE chain SET hash = ? WHERE seq = ?", links)
    return len(rows)


def seqs_of(conn: sqlite3.Connection, refs: list[tuple[str, str]]) -> list[int]:
    """The chain rows of these (kind, id) rows (those that have one)."""
    out: list[int] = []
    for i in range(0, len(refs), 400):
        part = refs[i : i + 400]
        where = " OR ".join("(kind = ? AND ref_id = ?)" for _ in part)
        args = [v for ref in part for v in ref]
        out += [int(r[0]) for r in conn.execute(f"SELECT seq FROM chain WHERE {where}", args)]
    return out


def top(conn: sqlite3.Connection) -> int:
    """The last chain row's number (0: none)."""
    return int(conn.execute("SELECT coalesce(max(seq), 0) FROM chain").fetchone()[0])


def tail(conn: sqlite3.Connection) -> tuple[int, str | None]:
    """The last chain row's number and link ((0, None): no row; a None link: unsealed)."""
    row = conn.execute("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    return (0, None) if row is None else (int(row[0]), row[1])


def _walk(
    conn: sqlite3.Connection, after: int, upto: int | None
) -> Iterator[tuple[int, str, str, str | None]]:
    yield from conn.execute(
        "SELECT seq, kind, ref_id, hash FROM chain WHERE seq > ? AND seq <= ? ORDER BY seq",
        (after, upto if upto is not None else 2**62),
    )


def verify(
    conn: sqlite3.Connection, key: bytes, *, after: int = 0, upto: int | None = None
) -> tuple[int, ChainProblem | None]:
    """Check the chain after row ``after`` (0: from the start) up to row ``upto`` (None: the
    end): (the last row that holds, the first problem or None)."""
    prev = GENESIS
    if after > 0:
        row = conn.execute("SELECT hash FROM chain WHERE seq = ?", (after,)).fetchone()
        if row is None or row[0] is None:
            return 0, ChainProblem(after, "?", "?", f"chain row {after} is gone")
        prev = str(row[0])
    expected = after + 1
    last = after
    for seq, kind, ref_id, stored in _walk(conn, after, upto):
        if seq != expected:
            return last, ChainProblem(
                expected, "?", "?", f"chain rows {expected}..{seq - 1} are missing (deleted)"
            )
        expected += 1
        if stored is None:
            return last, ChainProblem(
                seq,
                kind,
                ref_id,
                f"{kind} {ref_id} has no link (written outside the till software)",
            )
        digest = row_digest(conn, kind, ref_id)
        if digest is None:
            return last, ChainProblem(seq, kind, ref_id, f"{kind} {ref_id} was deleted")
        if link(key, seq, kind, ref_id, prev, digest) != stored:
            return last, ChainProblem(
                seq,
                kind,
                ref_id,
                f"{kind} {ref_id} was changed after it was recorded, or its link was forged",
            )
        prev = str(stored)
        last = seq
    return last, None


def links_for(conn: sqlite3.Connection, after: int, upto: int) -> list[ChainLink]:
    """The sealed links of rows ``after < seq <= upto``, in order, with each one's previous."""
    prev = GENESIS
    if after > 0:
        row = conn.execute("SELECT hash FROM chain WHERE seq = ?", (after,)).fetchone()
        prev = str(row[0]) if row is not None and row[0] is not None else GENESIS
    out = []
    for seq, kind, ref_id, stored in conn.execute(
        "SELECT seq, kind, ref_id, hash FROM chain WHERE seq > ? AND seq <= ? ORDER BY seq",
        (after, upto),
    ):
        if stored is None:
            break
        digest = row_digest(conn, str(kind), str(ref_id)) or ""
        out.append(ChainLink(int(seq), str(kind), str(ref_id), prev, digest, str(stored)))
        prev = str(stored)
    return out
