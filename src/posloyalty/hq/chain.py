"""HQ's check of each till's hash chain (``posloyalty.domain.chain``) on every push.

A till sends its chain key once (HQ keeps the first); from then on each batch carries the links
after the last one HQ holds, and every sale and ledger entry it pushes must be held by a link
whose digest is the item's content. HQ checks that the new links follow its head (sequence and
previous link), that each verifies under the till's key, that links HQ already holds come back
unchanged, and that every item matches its link. Anything else means the till's records were
edited, deleted, inserted or reordered after they were written: :class:`ChainBroken`, and the
service records it (:func:`record_break`) and refuses this till's pushes until an operator
clears it (:func:`clear_break`). Tills that never sent a key (older ones) are not checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from posloyalty.domain.chain import link
from posloyalty.hq.bulk import insert_rows, one_of
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.errors import NotFound, Refused
from posloyalty.hq.models import ChainLinkRow, Conflict, TillChain
from posloyalty.sync.protocol import PushBatch

__all__ = [
    "ChainBroken",
    "ChainItem",
    "Head",
    "Verified",
    "advance",
    "check_push",
    "clear_break",
    "preverify",
    "record_break",
    "stop_message",
    "stopped",
]


class ChainBroken(Exception):
    """A till's chain does not hold; ``words`` say where and how."""

    def __init__(self, seq: int | None, kind: str | None, ref_id: str | None, words: str) -> None:
        super().__init__(words)
        self.seq, self.kind, self.ref_id, self.words = seq, kind, ref_id, words


@dataclass(frozen=True, slots=True)
class ChainItem:
    """A pushed sale or ledger entry and the digest of its content (None: unreadable)."""

    kind: str
    id: str
    digest: str | None


@dataclass(frozen=True, slots=True)
class Verified:
    """Links of a batch whose hash was found right under ``key`` before the writer lock (pure
    work, :func:`preverify`); :func:`check_push` trusts them only when ``key`` is the key HQ
    holds for the till, and checks every other link itself."""

    key: str
    #: Each verified link whole (seq, kind, id, prev, digest, hash): by content, not by seq.
    links: frozenset[tuple[int, str, str, str, str, str]]


#: The chain key HQ last held per terminal in this process: only a candidate for
#: :func:`preverify` (check_push compares it with the stored key before relying on it).
_KNOWN_KEYS: dict[str, str] = {}
_KNOWN_KEYS_MAX = 100_000


def preverify(terminal_id: str, batch: PushBatch) -> Verified | None:
    """Check the batch's link hashes outside the writer lock, under the key the batch carries
    or the one HQ held for the till before (None: no candidate key, or nothing to check)."""
    key = batch.chain_key or _KNOWN_KEYS.get(terminal_id)
    if key is None or not batch.chain:
        return None
    raw = bytes.fromhex(key)
    return Verified(
        key,
        frozenset(
            (c.seq, c.kind, c.id, c.prev, c.digest, c.hash)
            for c in batch.chain
            if link(raw, c.seq, c.kind, c.id, c.prev, c.digest) == c.hash
        ),
    )


def stopped(session: Session, terminal_id: str) -> TillChain | None:
    """The till's chain state when HQ has stopped its sync, else None."""
    state = session.get(TillChain, terminal_id)
    return state if state is not None and state.broken_at is not None else None


@dataclass(frozen=True, slots=True)
class Head:
    """Where a checked batch leaves the till's chain: stored by :func:`advance`."""

    state: TillChain
    new: bool
    seq: int
    hash: str | None


def check_push(
    session: Session,
    caller: Caller,
    batch: PushBatch,
    chained_items: Callable[[], Sequence[ChainItem]],
    verified: Verified | None = None,
) -> Head | None:
    """Check the batch's links and items (``chained_items``: the batch's valid sales and ledger
    entries, asked for only when the till chains) against the till's chain and store the new
    links; the new head, for :func:`advance` (None: the till does not chain). ``verified``:
    links already checked under a candidate key (:func:`preverify`). Raises
    :class:`ChainBroken`, :class:`Refused` when HQ stopped the till.

    Runs under the till's own push lock (``hq.db.lock_terminal``), before the writer lock: it
    writes only this till's link rows. The head row, which :func:`record_break` and
    :func:`clear_break` write too, is left to :func:`advance` under the writer lock."""
    state = session.get(TillChain, caller.terminal_id)
    if state is not None and state.broken_at is not None:
        raise Refused(stop_message(state))
    new = state is None
    if state is None:
        if batch.chain_key is None:
            return None  # a till that does not chain (yet)
        # Not added to the session here: advance() inserts it under the writer lock.
        state = TillChain(terminal_id=caller.terminal_id, chain_key=batch.chain_key, seq=0)
    elif batch.chain_key is not None and batch.chain_key != state.chain_key:
        raise ChainBroken(None, None, None, "the till presented another chain key than before")
    items = chained_items()
    if len(_KNOWN_KEYS) >= _KNOWN_KEYS_MAX:
        _KNOWN_KEYS.clear()
    _KNOWN_KEYS[caller.terminal_id] = state.chain_key
    checked = verified.links if verified is not None and verified.key == state.chain_key else None
    key = bytes.fromhex(state.chain_key)
    links = sorted(batch.chain, key=lambda c: c.seq)
    old_seqs = {c.seq for c in links if c.seq <= state.seq}
    held: dict[int, tuple[str, str, str]] = {}
    if old_seqs:
        for seq, kind, ref_id, digest in session.execute(
            select(
                ChainLinkRow.seq, ChainLinkRow.kind, ChainLinkRow.ref_id, ChainLinkRow.digest
            ).where(
                ChainLinkRow.terminal_id == caller.terminal_id,
                ChainLinkRow.seq >= min(old_seqs),
                ChainLinkRow.seq <= max(old_seqs),
            )
        ):
            held[int(seq)] = (kind, ref_id, digest)
    head_seq, head_hash = state.seq or 0, state.hash
    links_new: list[dict[str, object]] = []
    by_ref: dict[tuple[str, str], str] = {}
    for c in links:
        if c.seq <= head_seq:
            if held.get(c.seq, (c.kind, c.id, c.digest)) != (c.kind, c.id, c.digest):
                raise ChainBroken(
                    c.seq, c.kind, c.id, f"row {c.seq} ({c.kind} {c.id}) is not what HQ received"
                )
            continue
        if head_hash is not None and c.seq != head_seq + 1:
            raise ChainBroken(
                head_seq + 1,
                None,
                None,
                f"rows {head_seq + 1}..{c.seq - 1} of the chain are missing (deleted)",
            )
        if head_hash is not None and c.prev != head_hash:
            raise ChainBroken(
                c.seq, c.kind, c.id, f"row {c.seq} ({c.kind} {c.id}) does not follow row {head_seq}"
            )
        whole = (c.seq, c.kind, c.id, c.prev, c.digest, c.hash)
        if (checked is None or whole not in checked) and link(
            key, c.seq, c.kind, c.id, c.prev, c.digest
        ) != c.hash:
            raise ChainBroken(
                c.seq,
                c.kind,
                c.id,
                f"row {c.seq} ({c.kind} {c.id}) was changed after it was recorded, or its link "
                "was forged",
            )
        links_new.append({"seq": c.seq, "kind": c.kind, "ref_id": c.id, "digest": c.digest})
        held[c.seq] = (c.kind, c.id, c.digest)
        by_ref[(c.kind, c.id)] = c.digest
        head_seq, head_hash = c.seq, c.hash
    missing = {i.id for i in items if (i.kind, i.id) not in by_ref}
    if missing:
        for kind, ref_id, digest in session.execute(
            select(ChainLinkRow.kind, ChainLinkRow.ref_id, ChainLinkRow.digest).where(
                ChainLinkRow.terminal_id == caller.terminal_id,
                one_of(session, ChainLinkRow.ref_id, missing),
            )
        ):
            by_ref[(kind, ref_id)] = digest
    for i in items:
        recorded = by_ref.get((i.kind, i.id))
        if recorded is None:
            raise ChainBroken(
                None, i.kind, i.id, f"{i.kind} {i.id} is in no link of the chain (written past it)"
            )
        if i.digest != recorded:
            raise ChainBroken(
                None, i.kind, i.id, f"{i.kind} {i.id} differs from what its link recorded"
            )
    insert_rows(session, ChainLinkRow, links_new, {"terminal_id": caller.terminal_id})
    return Head(state, new, head_seq, head_hash)


def advance(session: Session, head: Head | None) -> None:
    """Store the till's new chain head (under the writer lock). A break HQ recorded while the
    batch was checked stops it here (:class:`Refused`); a head row another writer created
    meanwhile is a unique-key race that :meth:`HqDb.run` retries."""
    if head is None:
        return
    state = head.state
    if head.new:
        session.add(
            TillChain(
                terminal_id=state.terminal_id,
                chain_key=state.chain_key,
                seq=head.seq,
                hash=head.hash,
            )
        )
        session.flush()
        return
    # One statement: the head moves only while no break is recorded.
    moved = session.execute(
        update(TillChain)
        .where(TillChain.terminal_id == state.terminal_id, TillChain.broken_at.is_(None))
        .values(seq=head.seq, hash=head.hash)
        .returning(TillChain.terminal_id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        session.refresh(state)
        raise Refused(stop_message(state))


def record_break(session: Session, caller: Caller, broken: ChainBroken, at: dt.datetime) -> str:
    """Stop the till's sync and record a ``chain_broken`` conflict; the till's message."""
    state = session.get(TillChain, caller.terminal_id)
    if state is None:
        state = TillChain(terminal_id=caller.terminal_id, chain_key="0" * 64, seq=0)
        session.add(state)
    if state.broken_at is None:
        state.broken_at, state.broken_seq, state.broken_reason = at, broken.seq, broken.words
        session.add(
            Conflict(
                kind="chain_broken",
                store_id=caller.store_id,
                terminal_id=caller.terminal_id,
                item_kind=broken.kind,
                item_id=broken.ref_id,
                member_id=None,
                detail={"seq": broken.seq, "problem": broken.words},
                at=at,
            )
        )
    return stop_message(state)


def stop_message(state: TillChain) -> str:
    when = state.broken_at.isoformat(timespec="seconds") if state.broken_at else "?"
    return (
        f"tamper evidence: this till's records do not match its hash chain "
        f"({state.broken_reason}); HQ stopped its sync at {when}. Nothing more is accepted "
        "from it until HQ has looked at it"
    )


def clear_break(session: Session, terminal_id: str) -> None:
    """An operator's decision after looking at a broken chain: accept pushes again (the chain
    continues from the last link HQ verified)."""
    state = session.get(TillChain, terminal_id)
    if state is None or state.broken_at is None:
        raise NotFound(f"terminal {terminal_id} has no broken chain")
    state.broken_at = state.broken_seq = state.broken_reason = None
