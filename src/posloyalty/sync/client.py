"""The terminal's sync client: enrolment, pushing the outbox, pulling the store's slice.

:func:`enroll` exchanges an operator's enrolment code for the terminal credential and keeps it
in the OS keyring when ``keyring`` has a usable backend, else in ``<db>.credential`` (mode
0600); the store and terminal ids HQ issued go into the terminal settings.

:class:`SyncClient` talks to HQ over one ``requests.Session``. Each request is retried on
network errors, timeouts, 5xx and 429 with exponential backoff and full jitter
(``sleep(random() * min(cap, base * 2**attempt))``; a 429's Retry-After is honoured); a 401 or
403 is final (no retry storm). :meth:`SyncClient.sync` pushes the outbox in bounded batches
until it is drained, then pulls until HQ has nothing more, and returns a :class:`SyncState`
(also persisted in the settings, so ``sync status`` in another process can show it).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random as _random
import stat
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import requests
from pydantic import ValidationError

from posloyalty.clock import Clock
from posloyalty.sync import inbound, outbound
from posloyalty.sync.errors import (
    BadAnswer,
    ChainBroken,
    NotEnrolled,
    Offline,
    Refused,
    Revoked,
    SyncError,
)
from posloyalty.sync.protocol import (
    CONFLICT_REASON_PREFIX,
    MAX_BATCH_ITEMS,
    MAX_BODY_BYTES,
    ChainLink,
    EnrollRequest,
    EnrollResponse,
    PullRequest,
    PullResponse,
    PushBatch,
    PushItem,
    PushResult,
    request_headers,
)
from posloyalty.tilldb import audit_log, chain, repo, settings
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreDataError, StoreError
from posloyalty.tilldb.types import format_ts, parse_ts
from posloyalty.tilldb.vault import Vault, VaultError, open_vault, usable_keyring

# --------------------------------------------------------------------------- settings keys

HQ_URL_KEY = "sync_hq_url"
STORE_KEY = "sync_store_id"
TERMINAL_KEY = "sync_terminal_id"
CREDENTIAL_STORE_KEY = "sync_credential_store"
STATE_KEY = "sync_state"
CONFLICT_ACTION = inbound.CONFLICT_ACTION
#: Set once this terminal pulls ledger entries too; a database that pulled before without
#: them (an upgraded terminal) pulls its slice again from cursor 0 once, to get them all.
LEDGER_FEED_KEY = "sync_ledger_feed"
KEYRING_SERVICE = "posloyalty-sync"
#: The last chain row whose link HQ has (store/chain.py); absent: HQ has not got the key yet.
CHAIN_SENT_KEY = "sync_chain_sent"
#: Where the next re-check of already verified rows starts.
CHAIN_SWEEP_KEY = "sync_chain_sweep"
#: Set once the rows written before the terminal key existed were sealed (enrolment).
CHAIN_ADOPTED_KEY = "sync_chain_adopted"
#: The last chain row this till verified (the cheap check before each push starts after it).
CHAIN_VERIFIED_KEY = "sync_chain_verified"
#: Field of the credential file (or suffix of the keyring entry) holding HQ's public key.
HQ_KEY_FIELD = "hq_public_key"

Connection = Literal["online", "offline", "not_enrolled", "revoked"]


# --------------------------------------------------------------------------- backoff


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter: attempt ``n`` (0-based) waits a uniformly random
    time in ``[0, min(cap, base * 2**n))``."""

    base: float = 0.5
    cap: float = 20.0
    #: Tries per request (the first one included).
    attempts: int = 5

    def delay(self, attempt: int, random: Callable[[], float]) -> float:
        return random() * min(self.cap, self.base * 2.0 ** min(attempt, 60))


# --------------------------------------------------------------------------- credential


@dataclass(frozen=True, slots=True)
class Credential:
    hq_url: str
    store_id: str
    terminal_id: str
    token: str = field(repr=False)


def credential_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".credential")


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def save_credential(
    db: Database,
    credential: Credential,
    *,
    key_store: Literal["auto", "keyring", "file"] = "auto",
    keyring_backend: Any | None = None,
) -> str:
    """Keep the credential (keyring or 0600 file) and its ids in the settings; returns where."""
    backend = keyring_backend
    if backend is None and key_store != "file":
        backend = usable_keyring()
    if key_store == "keyring" and backend is None:
        raise SyncError("no usable OS keyring for the terminal credential")
    where = "keyring" if backend is not None and key_store != "file" else "file"
    if where == "keyring" and backend is not None:
        try:
            backend.set_password(KEYRING_SERVICE, credential.terminal_id, credential.token)
        except Exception as exc:
            raise SyncError(f"the OS keyring refused the terminal credential ({exc})") from None
        credential_file(db.path).unlink(missing_ok=True)
    else:
        data = {"terminal_id": credential.terminal_id, "token": credential.token}
        try:
            _write_private(credential_file(db.path), json.dumps(data))
        except OSError as exc:
            raise SyncError(f"cannot write the terminal credential file ({exc})") from None
    with db.write() as session:
        repo.set_setting(session, HQ_URL_KEY, credential.hq_url)
        repo.set_setting(session, STORE_KEY, credential.store_id)
        repo.set_setting(session, TERMINAL_KEY, credential.terminal_id)
        repo.set_setting(session, CREDENTIAL_STORE_KEY, where)
        # What the rest of the terminal reads (receipts, registrations, sale rows).
        repo.set_setting(session, "store", credential.store_id)
        repo.set_setting(session, "terminal", credential.terminal_id)
        # A new enrolment may be another HQ: pull its slice from the start.
        repo.set_cursor(session, inbound.CURSOR_NAME, "0")
    return where


def load_credential(db: Database, *, keyring_backend: Any | None = None) -> Credential:
    """The stored credential; :class:`NotEnrolled` when there is none (or it is unreadable)."""
    with db.read() as session:
        url = repo.get_setting(session, HQ_URL_KEY)
        store = repo.get_setting(session, STORE_KEY)
        terminal = repo.get_setting(session, TERMINAL_KEY)
        where = repo.get_setting(session, CREDENTIAL_STORE_KEY)
    if not (url and store and terminal and where):
        raise NotEnrolled("this terminal is not enrolled with HQ: run `posloyalty sync enroll`")
    token: str | None
    if where == "keyring":
        backend = keyring_backend if keyring_backend is not None else usable_keyring()
        if backend is None:
            raise NotEnrolled(
                "the terminal credential is in the OS keyring, which is not available"
            )
        try:
            token = backend.get_password(KEYRING_SERVICE, terminal)
        except Exception as exc:
            raise NotEnrolled(f"the OS keyring cannot be read ({exc})") from None
    else:
        path = credential_file(db.path)
        try:
            mode = path.stat().st_mode
            if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise NotEnrolled(
                    f"{path}: the credential file is readable by others; run `chmod 600 {path}`"
                )
            data = json.loads(path.read_text(encoding="utf-8"))
            token = data.get("token") if data.get("terminal_id") == terminal else None
        except FileNotFoundError:
            token = None
        except (OSError, ValueError, AttributeError) as exc:
            raise NotEnrolled(f"{path}: the credential file is unreadable ({exc})") from None
    if not token:
        raise NotEnrolled("the terminal credential is missing: enrol the terminal again")
    return Credential(url, store, terminal, token)


def save_hq_key(db: Database, public_key_hex: str, *, keyring_backend: Any | None = None) -> None:
    """Keep HQ's public key (balance confirmations) with the terminal credential."""
    with db.read() as session:
        where = repo.get_setting(session, CREDENTIAL_STORE_KEY)
        terminal = repo.get_setting(session, TERMINAL_KEY) or ""
    if where == "keyring":
        backend = keyring_backend if keyring_backend is not None else usable_keyring()
        if backend is None:
            raise SyncError("no usable OS keyring for HQ's key")
        try:
            backend.set_password(KEYRING_SERVICE, f"{terminal}:{HQ_KEY_FIELD}", public_key_hex)
        except Exception as exc:
            raise SyncError(f"the OS keyring refused HQ's key ({exc})") from None
        return
    path = credential_file(db.path)
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}
    data[HQ_KEY_FIELD] = public_key_hex
    try:
        _write_private(path, json.dumps(data))
    except OSError as exc:
        raise SyncError(f"cannot write the terminal credential file ({exc})") from None


def load_hq_key(db: Database, *, keyring_backend: Any | None = None) -> bytes | None:
    """HQ's public key as kept with the credential; None when there is none (or unreadable)."""
    with db.read() as session:
        where = repo.get_setting(session, CREDENTIAL_STORE_KEY)
        terminal = repo.get_setting(session, TERMINAL_KEY) or ""
    text: Any = None
    if where == "keyring":
        backend = keyring_backend if keyring_backend is not None else usable_keyring()
        try:
            text = (
                backend.get_password(KEYRING_SERVICE, f"{terminal}:{HQ_KEY_FIELD}")
                if backend
                else None
            )
        except Exception:
            text = None
    else:
        try:
            data = json.loads(credential_file(db.path).read_text(encoding="utf-8"))
            text = data.get(HQ_KEY_FIELD) if isinstance(data, dict) else None
        except (OSError, ValueError):
            text = None
    try:
        key = bytes.fromhex(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return key if key is not None and len(key) == 32 else None


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The whole chain checked: rows that hold, and the first problem (None: all hold)."""

    rows: int
    problem: chain.ChainProblem | None


def verify_chain(db: Database, *, keyring_backend: Any | None = None) -> ChainCheck:
    """Check every row of the till's hash chain against what is stored now (the full check;
    a sync checks only the rows since the last one it verified)."""
    try:
        vault = open_vault(db, create=False, keyring_backend=keyring_backend)
    except StoreError as exc:
        raise ChainBroken(f"the terminal key cannot be read ({exc})") from None
    if vault is None:
        raise SyncError("this till has no terminal key yet (enrol it): nothing is chained")
    with db.read() as session:
        raw = repo.raw_connection(session)
        if not chain.chained(raw):
            return ChainCheck(0, None)
        last, problem = chain.verify(raw, vault.chain_key)
    return ChainCheck(last, problem)


@dataclass(frozen=True, slots=True)
class Enrolment:
    store_id: str
    terminal_id: str
    credential_store: str
    #: Problems that did not stop the enrolment (e.g. the phone salt could not be adopted).
    warnings: tuple[str, ...] = ()


def enroll(
    db: Database,
    hq_url: str,
    code: str,
    *,
    name: str = "",
    http: requests.Session | None = None,
    timeout: float = 15.0,
    key_store: Literal["auto", "keyring", "file"] = "auto",
    keyring_backend: Any | None = None,
) -> Enrolment:
    """Exchange an enrolment code for this terminal's credential and keep it."""
    url = hq_url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise Refused(f"{hq_url!r} is not an HQ address (http://... or https://...)")
    body = EnrollRequest(code=code, name=name).model_dump_json()
    owned = http is None
    session = http or requests.Session()
    try:
        response = session.post(
            f"{url}/v1/enroll",
            data=body,
            headers=request_headers() | {"Content-Type": "application/json"},
            timeout=timeout,
        )
    except requests.RequestException as exc:
        raise Offline(f"HQ at {url} cannot be reached ({type(exc).__name__})") from None
    finally:
        if owned:
            session.close()
    if response.status_code != 200:
        raise Refused(f"HQ refused the enrolment: {_detail(response)}")
    try:
        answer = EnrollResponse.model_validate_json(response.content)
    except ValidationError:
        raise BadAnswer(
            "HQ answered the enrolment with something that is not an enrolment"
        ) from None
    credential = Credential(url, answer.store_id, answer.terminal_id, answer.token)
    where = save_credential(db, credential, key_store=key_store, keyring_backend=keyring_backend)
    warnings: list[str] = []
    if answer.hq_public_key:
        try:
            save_hq_key(db, answer.hq_public_key, keyring_backend=keyring_backend)
        except SyncError as exc:
            warnings.append(f"HQ's key was not kept (no offline confirmations): {exc}")
    try:
        # The terminal key goes where the credential goes (a file when asked for files).
        vault = open_vault(db, create=True, key_store=key_store, keyring_backend=keyring_backend)
    except StoreError as exc:
        raise SyncError(f"cannot make the terminal key ({exc})") from None
    assert vault is not None
    db.use_chain_key(vault.chain_key)
    with db.write() as session_:
        # A new terminal id: HQ has none of this till's chain yet. The rows written before
        # the terminal key existed are sealed now, the one trusted moment.
        settings.delete_settings(session_, CHAIN_SENT_KEY, CHAIN_VERIFIED_KEY)
        raw = repo.raw_connection(session_)
        if chain.chained(raw):
            chain.seal(raw, vault.chain_key)
        repo.set_setting(session_, CHAIN_ADOPTED_KEY, "1")
    try:
        with db.write() as session_:
            repo.set_phone_key(session_, answer.phone_key)
    except StoreDataError as exc:
        warnings.append(f"the chain's phone key was not adopted: {exc}")
    return Enrolment(answer.store_id, answer.terminal_id, where, tuple(warnings))


def _detail(response: requests.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and detail:
        return f"{detail} (HTTP {response.status_code})"
    return f"HTTP {response.status_code}"


# --------------------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class SyncConflict:
    """A conflict HQ reported about a pushed item (the id was pushed before with another
    payload; an overdraft; an unknown or reused coupon), recorded locally for the UI."""

    at: dt.datetime
    kind: str
    item_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class SyncState:
    """What the UI shows about sync."""

    connection: Connection
    #: Outbox rows not yet acknowledged by HQ.
    pending: int
    last_success: dt.datetime | None
    #: Plain words; None after a fully successful sync.
    last_error: str | None
    #: Conflicts recorded on this terminal (all time).
    conflicts: int
    #: Outbox rows the last sync could not push (invalid or refused by HQ); they stay pending.
    errors: int = 0
    last_attempt: dt.datetime | None = None
    pushed: int = 0
    pulled: int = 0
    recent_conflicts: tuple[SyncConflict, ...] = ()

    @property
    def online(self) -> bool:
        return self.connection == "online"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["online"] = self.online
        for key in ("last_success", "last_attempt"):
            value = data[key]
            data[key] = value.isoformat() if value else None
        data["recent_conflicts"] = [
            {**asdict(c), "at": c.at.isoformat()} for c in self.recent_conflicts
        ]
        return data


def read_state(db: Database, *, recent: int = 10) -> SyncState:
    """The persisted state of the last sync with the current pending and conflict counts."""
    with db.read() as session:
        raw = repo.get_setting(session, STATE_KEY)
        enrolled = repo.get_setting(session, CREDENTIAL_STORE_KEY) is not None
        pending = repo.outbox_pending_count(session)
        conflicts = audit_log.audit_count(session, CONFLICT_ACTION)
        rows = audit_log.recent_audit(session, CONFLICT_ACTION, recent)
    try:
        saved = json.loads(raw) if raw else {}
    except ValueError:
        saved = {}
    recent_conflicts = []
    for row in rows:
        d = row.detail
        try:
            recent_conflicts.append(
                SyncConflict(row.at, str(d["kind"]), str(d["id"]), str(d.get("reason", "")))
            )
        except (KeyError, TypeError, AttributeError):
            continue

    def when(key: str) -> dt.datetime | None:
        value = saved.get(key)
        try:
            return parse_ts(value) if isinstance(value, str) else None
        except ValueError:
            return None

    stored = saved.get("connection")
    connection: Connection = "offline" if enrolled else "not_enrolled"
    if stored in ("online", "offline", "not_enrolled", "revoked"):
        connection = stored
    if not enrolled and connection != "revoked":
        connection = "not_enrolled"
    return SyncState(
        connection=connection,
        pending=pending,
        last_success=when("last_success"),
        last_error=saved.get("last_error") if isinstance(saved.get("last_error"), str) else None,
        conflicts=conflicts,
        errors=int(saved.get("errors", 0)) if isinstance(saved.get("errors"), int) else 0,
        last_attempt=when("last_attempt"),
        pushed=int(saved.get("pushed", 0)) if isinstance(saved.get("pushed"), int) else 0,
        pulled=int(saved.get("pulled", 0)) if isinstance(saved.get("pulled"), int) else 0,
        recent_conflicts=tuple(recent_conflicts),
    )


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True, slots=True)
class PushReport:
    batches: int
    items: int
    #: Outbox rows marked sent.
    sent_rows: int
    conflicts: int
    #: Outbox rows kept pending (could not be serialised, or an item was rejected).
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PullReport:
    pages: int
    changes: int
    cursor: int


class _CursorAhead(SyncError):
    pass


#: The most links a till's first push carries from row 1 (an upgraded till with a longer history
#: starts its chain at HQ with the rows it pushes).
_FIRST_LINKS = 3 * MAX_BATCH_ITEMS


#: Links one push batch carries at most (the protocol's limit).
_LINKS_PER_BATCH = 4 * MAX_BATCH_ITEMS
#: Already verified rows checked again per push.
_SWEEP_ROWS = 5000


@dataclass(slots=True)
class _Chain:
    """The till's chain during one push: its key, the last row HQ has (None: HQ has not got
    the key yet), and what the check before the push found."""

    key: bytes
    sent: int | None
    problem: chain.ChainProblem | None


# --------------------------------------------------------------------------- client


class SyncClient:
    """Pushes and pulls for one terminal database. Not thread-safe: one sync at a time (the
    worker serialises them)."""

    def __init__(
        self,
        db: Database,
        *,
        credential: Credential | None = None,
        http: requests.Session | None = None,
        clock: Clock | None = None,
        timeout: tuple[float, float] = (5.0, 60.0),
        backoff: Backoff | None = None,
        random: Callable[[], float] = _random.random,
        sleep: Callable[[float], None] | None = None,
        batch_items: int = 500,
        pull_limit: int = 1000,
        max_body_bytes: int = MAX_BODY_BYTES * 3 // 4,
        keyring_backend: Any | None = None,
    ) -> None:
        if not 1 <= batch_items <= MAX_BATCH_ITEMS:
            raise ValueError(f"batch_items must be 1..{MAX_BATCH_ITEMS}")
        self.db = db
        self.clock: Clock = clock or db.clock
        self.http = http or requests.Session()
        self.timeout = timeout
        self.backoff = backoff or Backoff()
        self.random = random
        self.batch_items = batch_items
        self.pull_limit = pull_limit
        self.max_body_bytes = max_body_bytes
        self.keyring_backend = keyring_backend
        self._credential = credential
        self._vault: Vault | None = None
        #: Set to stop at the next retry wait (the worker's stop()).
        self.cancel = threading.Event()
        self._sleep = sleep or (lambda seconds: self.cancel.wait(seconds) and None)

    def close(self) -> None:
        self.http.close()

    # ------------------------------------------------------------------ plumbing

    def credential(self) -> Credential:
        if self._credential is None:
            self._credential = load_credential(self.db, keyring_backend=self.keyring_backend)
        return self._credential

    def _open_vault(self, *, create: bool) -> Vault | None:
        if self._vault is None:
            self._vault = open_vault(self.db, create=create, keyring_backend=self.keyring_backend)
        return self._vault

    def _post(self, path: str, body: bytes) -> bytes:
        cred = self.credential()
        headers = request_headers(cred.token) | {"Content-Type": "application/json"}
        url = cred.hq_url + path
        attempts = max(self.backoff.attempts, 1)
        problem = ""
        for attempt in range(attempts):
            if self.cancel.is_set():
                raise Offline("sync stopped")
            wait: float | None = None
            try:
                response = self.http.post(url, data=body, headers=headers, timeout=self.timeout)
            except requests.Timeout:
                problem = "HQ did not answer in time"
            except requests.RequestException as exc:
                problem = f"HQ cannot be reached ({type(exc).__name__})"
            else:
                status = response.status_code
                if status == 200:
                    return response.content
                if status == 401:
                    raise NotEnrolled(
                        f"terminal not enrolled: HQ does not know this terminal's credential "
                        f"({_detail(response)}); enrol it again with a new code"
                    )
                if status == 403:
                    raise Revoked(
                        f"terminal revoked: HQ refuses this terminal ({_detail(response)}); "
                        "ask HQ for a new enrolment code"
                    )
                if status == 409 and path == "/v1/pull":
                    raise _CursorAhead(_detail(response))
                if status == 429:
                    problem = "HQ asks this terminal to slow down"
                    wait = _retry_after(response, self.backoff.cap)
                elif status >= 500:
                    problem = f"HQ had a problem ({_detail(response)})"
                else:
                    raise Refused(f"HQ refused the request: {_detail(response)}")
            if attempt + 1 < attempts:
                delay = self.backoff.delay(attempt, self.random)
                self._sleep(max(delay, wait or 0.0))
        raise Offline(f"{problem}; tried {attempts} times")

    # ------------------------------------------------------------------ push

    def push(self) -> PushReport:
        """Push every pending outbox row, in bounded batches, until none is left to try."""
        cred = self.credential()
        sender = outbound.Sender(cred.store_id, cred.terminal_id)
        batches = items = sent = conflicts = 0
        problems: list[str] = []
        links = self._chain()
        source = self._batches(sender)
        # The next batch is built (database reads, payload validation) while HQ ingests this one.
        with ThreadPoolExecutor(1, thread_name_prefix="posloyalty-sync-build") as builder:
            upcoming = builder.submit(next, source, None)
            while (batch := upcoming.result()) is not None:
                upcoming = builder.submit(next, source, None)
                batch_rows, batch_problems = batch
                problems += [
                    f"outbox row {p.outbox_id} ({p.kind}): {p.reason}" for p in batch_problems
                ]
                if not batch_rows:
                    continue
                ok, rejected, found = self._push_batch(cred, batch_rows, links)
                batches += 1
                items += sum(len(r.items) for r in batch_rows)
                sent += ok
                conflicts += found
                problems += rejected
        if links is not None and links.problem is not None:
            p = links.problem
            raise ChainBroken(
                f"tamper evidence: {p.words} (chain row {p.seq}); this till's records were "
                "changed outside the till software. Sync is stopped: call HQ"
            )
        return PushReport(batches, items, sent, conflicts, tuple(problems))

    def _chain(self) -> _Chain | None:
        """Seal and check the till's chain before a push (None: the schema has no chain)."""
        try:
            vault = self._open_vault(create=True)
        except VaultError as exc:
            raise ChainBroken(
                f"the terminal key cannot be read, so this till's records cannot be proven ({exc})"
            ) from None
        assert vault is not None
        key = vault.chain_key
        self.db.use_chain_key(key)
        with self.db.write() as session:
            raw = repo.raw_connection(session)
            if not chain.chained(raw):
                return None
            sent = repo.get_setting(session, CHAIN_SENT_KEY)
            if sent is None and repo.get_setting(session, CHAIN_ADOPTED_KEY) is None:
                # Once, before HQ has any of the chain: rows from before the terminal key
                # existed (an upgraded till's history) get their links.
                chain.seal(raw, key)
                repo.set_setting(session, CHAIN_ADOPTED_KEY, "1")
            verified = int(repo.get_setting(session, CHAIN_VERIFIED_KEY) or 0)
            last, problem = chain.verify(raw, key, after=verified if sent is not None else 0)
            repo.set_setting(session, CHAIN_VERIFIED_KEY, str(last))
            if problem is None:
                # Rows already verified (and synced) are checked again, a slice per push, so
                # an edit of an old row is found within a few syncs (`sync verify`: at once).
                start = int(repo.get_setting(session, CHAIN_SWEEP_KEY) or 0)
                start = start if start < last else 0
                upto = min(start + _SWEEP_ROWS, last)
                _, problem = chain.verify(raw, key, after=start, upto=upto)
                repo.set_setting(session, CHAIN_SWEEP_KEY, str(upto if upto < last else 0))
        return _Chain(key, int(sent) if sent is not None else None, problem)

    def _links(self, items: list[PushItem], links: _Chain) -> tuple[list[ChainLink], str | None]:
        """The links a batch carries (after the last one HQ has, up to the batch's last chained
        row) and the chain key when HQ has not got it yet."""
        refs: list[tuple[str, str]] = [
            (i.kind, i.id) for i in items if i.kind in ("sale", "ledger_entry")
        ]
        with self.db.read() as session:
            raw = repo.raw_connection(session)
            seqs = chain.seqs_of(raw, refs)
            if not seqs:
                return [], None
            after = links.sent
            if after is None:  # HQ's first links: the whole chain, unless that is too long
                after = 0 if max(seqs) <= _FIRST_LINKS else min(seqs) - 1
            found = chain.links_for(raw, after, max(seqs))
        wire = [
            ChainLink.model_validate(
                {
                    "seq": c.seq,
                    "kind": c.kind,
                    "id": c.ref_id,
                    "prev": c.prev,
                    "digest": c.digest,
                    "hash": c.hash,
                }
            )
            for c in found
        ]
        return wire, (links.key.hex() if links.sent is None else None)

    def _batches(
        self, sender: outbound.Sender
    ) -> Iterator[tuple[list[outbound.OutboundRow], list[outbound.RowProblem]]]:
        after = 0
        carry: list[outbound.OutboundRow] = []
        while True:
            problems: list[outbound.RowProblem] = []
            if sum(len(r.items) for r in carry) < self.batch_items:
                with self.db.read() as session:
                    rows = outbound.pending_rows(session, after_id=after, limit=self.batch_items)
                    if rows:
                        vault = (
                            self._open_vault(create=False)
                            if any(r.kind == "registration" for r in rows)
                            else None
                        )
                        built, problems = outbound.build(session, rows, sender, vault)
                        carry += built
                        after = rows[-1].id
            if not carry:
                if problems:
                    yield [], problems
                    continue
                return
            batch: list[outbound.OutboundRow] = []
            count = size = 0
            while carry:
                row = carry[0]
                if len(row.items) > self.batch_items:
                    problems.append(
                        outbound.RowProblem(
                            row.outbox_id,
                            row.kind,
                            row.ref_id,
                            f"{len(row.items)} items do not fit in one batch",
                        )
                    )
                    carry.pop(0)
                    continue
                if batch and (
                    count + len(row.items) > self.batch_items
                    or size + row.size > self.max_body_bytes
                ):
                    break
                batch.append(carry.pop(0))
                count += len(row.items)
                size += row.size
            yield batch, problems

    def _push_batch(
        self, cred: Credential, rows: list[outbound.OutboundRow], links: _Chain | None
    ) -> tuple[int, list[str], int]:
        items = [item for row in rows for item in row.items]
        wire, chain_key = self._links(items, links) if links is not None else ([], None)
        while links is not None and len(wire) > _LINKS_PER_BATCH:
            # Many rows no item carries (audit rows): their links go first, on their own.
            head, wire = wire[:_LINKS_PER_BATCH], wire[_LINKS_PER_BATCH:]
            only = PushBatch(
                terminal_id=cred.terminal_id,
                batch_id=str(uuid.uuid4()),
                items=[],
                chain=head,
                chain_key=chain_key,
            )
            self._post("/v1/push", only.model_dump_json().encode("utf-8"))
            chain_key, links.sent = None, head[-1].seq
            with self.db.write() as session:
                repo.set_setting(session, CHAIN_SENT_KEY, str(links.sent))
        batch = PushBatch(
            terminal_id=cred.terminal_id,
            batch_id=str(uuid.uuid4()),
            items=items,
            chain=wire,
            chain_key=chain_key,
        )
        body = self._post("/v1/push", batch.model_dump_json().encode("utf-8"))
        try:
            result = PushResult.model_validate_json(body)
        except ValidationError:
            raise BadAnswer("HQ answered a push with something that is not a push result") from None
        if result.batch_id != batch.batch_id or len(result.results) != len(items):
            raise BadAnswer("HQ's push result does not match the batch sent")
        by_key = {}
        for item, res in zip(items, result.results, strict=True):
            if (res.kind, res.id) != (item.kind, item.id):
                raise BadAnswer("HQ's push result names other items than the batch sent")
            by_key[(item.kind, item.id)] = res
        sent_ids: list[int] = []
        rejected: list[str] = []
        conflicts: list[dict[str, str]] = []
        for row in rows:
            bad = [by_key[(i.kind, i.id)] for i in row.items]
            refused = [r for r in bad if r.status == "rejected"]
            if refused:
                rejected.append(
                    f"outbox row {row.outbox_id} ({row.kind}): HQ rejected {refused[0].kind} "
                    f"{refused[0].id}: {refused[0].reason}"
                )
                continue
            sent_ids.append(row.outbox_id)
            conflicts += [
                {"kind": r.kind, "id": r.id, "reason": r.reason or "conflict"}
                for r in bad
                if r.status == "conflict" or r.reason.startswith(CONFLICT_REASON_PREFIX)
            ]
        now = self.clock.now()
        with self.db.write() as session:
            repo.outbox_mark_sent(session, sent_ids, now)
            if links is not None and (wire or chain_key):
                links.sent = wire[-1].seq if wire else links.sent or 0
                repo.set_setting(session, CHAIN_SENT_KEY, str(links.sent))
            for c in conflicts:
                repo.audit(session, at=now, cashier="sync", action=CONFLICT_ACTION, detail=c)
        return len(sent_ids), rejected, len(conflicts)

    # ------------------------------------------------------------------ pull

    def pull(self, *, max_pages: int = 100_000) -> PullReport:
        """Pull and apply pages until HQ says there is no more."""
        pages = changes = 0
        restarted = False
        cursor = 0
        with self.db.read() as session:
            ledger_feed = repo.get_setting(session, LEDGER_FEED_KEY) is not None
        if not ledger_feed:
            with self.db.write() as session:
                repo.set_cursor(session, inbound.CURSOR_NAME, "0")
                repo.set_setting(session, LEDGER_FEED_KEY, "1")
        for _ in range(max_pages):
            with self.db.read() as session:
                cursor = inbound.get_cursor(session)
                doc = repo.active_rule_document(session)
                rules = f"{doc.id}@{doc.revision}" if doc is not None else ""
            request = PullRequest(cursor=cursor, limit=self.pull_limit, ledger=True, rules=rules)
            try:
                body = self._post("/v1/pull", request.model_dump_json().encode("utf-8"))
            except _CursorAhead:
                if restarted:
                    raise BadAnswer("HQ refuses even cursor 0") from None
                restarted = True  # HQ was restored from a backup: take its slice again
                with self.db.write() as session:
                    repo.set_cursor(session, inbound.CURSOR_NAME, "0")
                continue
            try:
                page = PullResponse.model_validate_json(body)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise BadAnswer(
                    f"HQ answered a pull with garbage ({where}: {first['msg']})"
                ) from None
            try:
                applied = inbound.apply_page(
                    self.db,
                    page,
                    cursor=cursor,
                    vault=self._vault,
                    at=self.clock.now(),
                    vault_factory=self._vault_for_secrets,
                    hq_key=self._hq_key(),
                )
            except inbound.CursorMoved:
                continue
            pages += 1
            changes += applied.changes
            cursor = applied.next_cursor
            if not page.more:
                return PullReport(pages, changes, cursor)
        raise BadAnswer(f"HQ still had more to pull after {max_pages} pages")

    def _hq_key(self) -> tuple[bytes, str] | None:
        key = load_hq_key(self.db, keyring_backend=self.keyring_backend)
        return (key, self.credential().terminal_id) if key is not None else None

    def _vault_for_secrets(self) -> Vault:
        vault = self._open_vault(create=True)
        assert vault is not None
        return vault

    # ------------------------------------------------------------------ sync

    def sync(self) -> SyncState:
        """Push, then pull; never raises for HQ or network trouble (see the returned state).

        A sync that reached HQ and drained what could be sent counts as a success even when
        some outbox rows could not be sent (``errors``, ``last_error`` say which).
        """
        started = self.clock.now()
        previous = read_state(self.db)
        connection: Connection = "online"
        failure: str | None = None
        unsent: str | None = None
        pushed = pulled = errors = 0
        try:
            report = self.push()
            pushed, errors = report.sent_rows, len(report.problems)
            if report.problems:
                unsent = f"{errors} outbox rows could not be sent: {report.problems[0]}"
            pulled = self.pull().changes
        except NotEnrolled as exc:
            connection, failure = "not_enrolled", str(exc)
        except Revoked as exc:
            connection, failure = "revoked", str(exc)
        except Offline as exc:
            connection, failure = "offline", str(exc)
        except (SyncError, StoreError) as exc:
            # HQ answered, but something was wrong: the terminal is online, the step failed.
            failure = " ".join(str(exc).split())
        success = failure is None
        last_success = started if success else previous.last_success
        saved = {
            "connection": connection,
            "last_success": format_ts(last_success) if last_success else None,
            "last_error": failure or unsent,
            "errors": errors,
            "last_attempt": format_ts(started),
            "pushed": pushed,
            "pulled": pulled,
        }
        try:
            with self.db.write() as session:
                repo.set_setting(session, STATE_KEY, json.dumps(saved))
            return read_state(self.db)
        except StoreError as exc:  # the database is unavailable: report what we know
            return SyncState(
                connection=connection,
                pending=previous.pending,
                last_success=last_success,
                last_error=f"{failure or unsent or 'sync done'}; the terminal database: {exc}",
                conflicts=previous.conflicts,
                errors=errors,
                last_attempt=started,
                pushed=pushed,
                pulled=pulled,
                recent_conflicts=previous.recent_conflicts,
            )


def _retry_after(response: requests.Response, cap: float) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return min(max(float(value), 0.0), cap)
    except ValueError:
        return 0.0
