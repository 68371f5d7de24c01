"""Starting background sync for the till: the worker for an enrolled terminal, the demo's
automatic enrolment with a local HQ (``posloyalty run``), and self-registration links for the
customer display."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

from posloyalty.sync.client import CREDENTIAL_STORE_KEY, SyncClient, enroll, load_credential
from posloyalty.sync.errors import BadAnswer, Offline, Refused, SyncError
from posloyalty.sync.protocol import request_headers
from posloyalty.sync.worker import SyncWorker
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database


def is_enrolled(db: Database) -> bool:
    with db.read() as session:
        return repo.get_setting(session, CREDENTIAL_STORE_KEY) is not None


def start_sync_worker(db: Database, *, interval: float = 15.0) -> SyncWorker:
    """A running sync worker for ``db`` (its state callback is set by the UI)."""
    worker = SyncWorker(SyncClient(db, timeout=(2.0, 30.0)), interval=interval)
    worker.start()
    return worker


def wait_for_hq(url: str, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url.rstrip("/") + "/v1/health", timeout=1.0).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


def enrol_with_local_hq(db: Database, url: str, hq_db: Path, store: str) -> str:
    """Enrol the demo terminal with the local HQ (an enrolment code from ``posloyalty hq
    enroll-code`` on its database). Returns what happened, in words."""
    if is_enrolled(db):
        return "already enrolled"
    if not wait_for_hq(url):
        return f"HQ at {url} did not answer; working offline"
    command = [sys.executable, "-m", "posloyalty.cli", "hq", "enroll-code", "--db", str(hq_db)]
    done = subprocess.run(
        [*command, "--store", store],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    code = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode != 0 or not code:
        return f"no enrolment code from HQ: {done.stderr.strip()[:200]}"
    try:
        enroll(db, url, code, name="demo till", key_store="file")
    except SyncError as exc:
        return f"enrolment refused: {exc}"
    return "enrolled"


def registration_link(db: Database, *, timeout: float = 5.0) -> str:
    """A fresh self-registration link from HQ for the customer display's QR (valid minutes).

    Raises :class:`SyncError` (not enrolled, HQ unreachable or refusing)."""
    credential = load_credential(db)
    url = credential.hq_url.rstrip("/") + "/v1/registration-links"
    try:
        reply = requests.post(
            url,
            data=b"{}",
            headers=request_headers(credential.token) | {"Content-Type": "application/json"},
            timeout=timeout,
        )
    except requests.RequestException as exc:
        raise Offline(
            f"HQ cannot be reached for a registration link ({type(exc).__name__})"
        ) from None
    if reply.status_code != 200:
        raise Refused(f"HQ refused a registration link (HTTP {reply.status_code})")
    try:
        link = reply.json()["url"]
    except (ValueError, KeyError, TypeError):
        raise BadAnswer("HQ answered the registration link request with something else") from None
    if not isinstance(link, str) or not link.startswith(("http://", "https://")):
        raise BadAnswer("HQ answered with a registration link that is not a web address")
    return link
