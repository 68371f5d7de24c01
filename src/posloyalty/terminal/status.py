"""What the status bar shows about sync: online/offline, uploads waiting, last success.

:func:`probe` reads the outbox and asks HQ's health endpoint (short timeout); it runs on a
background thread. When the sync worker (posloyalty.sync.worker) is running, its state is
what counts; this probe is the fallback that still tells the cashier the truth.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import requests

from posloyalty.store import repo
from posloyalty.store.db import Database
from posloyalty.store.errors import StoreError


@dataclass(frozen=True, slots=True)
class SyncStatus:
    online: bool
    pending_uploads: int
    last_ok: dt.datetime | None
    detail: str


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
