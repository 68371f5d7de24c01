"""What the status bar shows about sync: online/offline, uploads waiting, last success.

When the sync worker (posloyalty.sync.worker) runs, its :class:`SyncState` is what counts
(:func:`from_sync_state`). Without it (a terminal not enrolled), :func:`probe` reads the outbox
and asks HQ's health endpoint (short timeout) on a background thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import requests

from posloyalty.sync.client import SyncState
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreError

#: What a sync error says when the till's hash chain broke (at the till or at HQ).
TAMPER_MARK = "tamper evidence"


@dataclass(frozen=True, slots=True)
class SyncStatus:
    online: bool
    pending_uploads: int
    last_ok: dt.datetime | None
    detail: str
    #: Sync is stopped because this till's records do not match its hash chain.
    stopped: bool = False


class SyncSource(Protocol):
    """What the UI needs of the sync worker (posloyalty.sync.worker.SyncWorker)."""

    on_state: Callable[[SyncState], None] | None

    @property
    def state(self) -> SyncState | None: ...

    def request_sync(self) -> None: ...

    def stop(self, timeout: float = ...) -> bool: ...


def probe(
    db: Database, hq_url: str | None, last_ok: dt.datetime | None, timeout: float = 1.0
) -> SyncStatus:
    try:
        with db.read() as session:
            pending = repo.outbox_pending_count(session)
    except StoreError as exc:
        return SyncStatus(False, -1, last_ok, f"cannot read the outbox: {exc}")
    if not hq_url:
        return SyncStatus(False, pending, last_ok, "no HQ configured")
    try:
        reply = requests.get(hq_url.rstrip("/") + "/v1/health", timeout=timeout)
        ok = reply.status_code == 200 and reply.json().get("status") == "ok"
    except (requests.RequestException, ValueError) as exc:
        return SyncStatus(False, pending, last_ok, f"HQ unreachable: {type(exc).__name__}")
    if not ok:
        return SyncStatus(False, pending, last_ok, f"HQ answered {reply.status_code}")
    return SyncStatus(True, pending, db.clock.now(), f"HQ {hq_url} answers")


def from_sync_state(state: SyncState) -> SyncStatus:
    """The sync worker's state as the status bar shows it."""
    detail = {
        "online": "HQ reachable",
        "offline": "HQ unreachable; sales are kept and sent later",
        "not_enrolled": "this terminal is not enrolled with HQ",
        "revoked": "HQ revoked this terminal's credential",
    }[state.connection]
    if state.last_error:
        detail += f"; {state.last_error}"
    if state.conflicts:
        detail += f"; {state.conflicts} conflict(s) recorded"
    stopped = TAMPER_MARK in (state.last_error or "")
    return SyncStatus(state.online, state.pending, state.last_success, detail, stopped)
