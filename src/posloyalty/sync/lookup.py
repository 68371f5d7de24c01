"""The till's online member lookup: ask HQ about a member the slice does not hold.

:meth:`MemberLookup.ask` sends one ``POST /v1/lookup`` (no retries: a cashier is waiting)
with a budget (settings :data:`BUDGET_KEY`, milliseconds, default :data:`DEFAULT_BUDGET_MS`).
A ``found`` answer is stored exactly as a pulled page would store the member's rows
(:func:`posloyalty.sync.inbound.apply_changes`: one write transaction, the secret sealed with
the terminal key), so the member is then in the slice and identifies offline from then on.
What else can happen is said by :attr:`LookupResult.outcome`, for the counter's banner:
``offline`` (HQ cannot be reached, or the last sync found it unreachable), ``slow`` (no answer
within the budget), ``not_enrolled``, and HQ's own ``needs_code``, ``not_found``, ``refused``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import requests
from pydantic import ValidationError

from posloyalty.sync import inbound
from posloyalty.sync.client import Credential, load_credential, read_state
from posloyalty.sync.errors import NotEnrolled, SyncError
from posloyalty.sync.protocol import LookupBy, LookupRequest, LookupResponse, request_headers
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreError
from posloyalty.tilldb.vault import Vault, VaultError, open_vault

__all__ = [
    "BUDGET_KEY",
    "DEFAULT_BUDGET_MS",
    "LookupOutcome",
    "LookupResult",
    "MemberLookup",
]

#: Terminal setting: how long a lookup may keep the cashier waiting, in milliseconds.
BUDGET_KEY = "lookup_budget_ms"
DEFAULT_BUDGET_MS = 800

LookupOutcome = Literal[
    "found", "needs_code", "not_found", "refused", "offline", "slow", "not_enrolled"
]


@dataclass(frozen=True, slots=True)
class LookupResult:
    outcome: LookupOutcome
    member_id: str | None = None
    #: HQ's words (``refused``) or what went wrong, for the cashier.
    reason: str = ""
    #: Seconds the lookup took (0 when HQ was not asked).
    elapsed: float = 0.0

    @property
    def found(self) -> bool:
        return self.outcome == "found"


class MemberLookup:
    """Online lookups for one terminal database (thread-safe enough for one worker)."""

    def __init__(
        self,
        db: Database,
        *,
        vault: Vault | None = None,
        http: requests.Session | None = None,
        credential: Credential | None = None,
        keyring_backend: Any | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.http = http or requests.Session()
        self._vault = vault
        self._credential = credential
        self._keyring_backend = keyring_backend
        self._monotonic = monotonic

    def close(self) -> None:
        self.http.close()

    @property
    def vault(self) -> Vault | None:
        """The terminal key (None while the till has none): the one this lookup stored secrets
        with, else the database's own if another process or the sync made it meanwhile."""
        if self._vault is None:
            self._vault = open_vault(self.db, create=False, keyring_backend=self._keyring_backend)
        return self._vault

    def budget_ms(self) -> int:
        """The configured budget (:data:`BUDGET_KEY`), or the default."""
        with self.db.read() as session:
            text = repo.get_setting(session, BUDGET_KEY) or ""
        return int(text) if text.isdigit() and 0 < int(text) <= 60_000 else DEFAULT_BUDGET_MS

    def ask(self, by: LookupBy, value: str) -> LookupResult:
        """Ask HQ once within the budget; a ``found`` member is stored before returning."""
        try:
            state = read_state(self.db)
            if state.connection in ("not_enrolled", "revoked"):
                return LookupResult("not_enrolled", reason="this till is not enrolled with HQ")
            if state.connection == "offline":
                return LookupResult("offline", reason=state.last_error or "HQ is offline")
            cred = self._credential or load_credential(
                self.db, keyring_backend=self._keyring_backend
            )
            self._credential = cred
            budget = self.budget_ms() / 1000
        except NotEnrolled as exc:
            return LookupResult("not_enrolled", reason=str(exc))
        try:
            request = LookupRequest(by=by, value=value.strip())
        except ValidationError:
            return LookupResult("not_found", reason="that is not something HQ can look up")
        body = request.model_dump_json().encode("utf-8")
        headers = request_headers(cred.token) | {"Content-Type": "application/json"}
        started = self._monotonic()
        try:
            response = self.http.post(
                cred.hq_url + "/v1/lookup", data=body, headers=headers, timeout=(budget, budget)
            )
        except requests.ConnectTimeout:
            return self._result("offline", started, "HQ cannot be reached")
        except requests.Timeout:
            return self._result("slow", started, f"HQ did not answer within {budget:.1f} s")
        except requests.RequestException as exc:
            return self._result("offline", started, f"HQ cannot be reached ({type(exc).__name__})")
        if response.status_code in (401, 403):
            return self._result("not_enrolled", started, "HQ refuses this till's credential")
        if response.status_code != 200:
            return self._result("slow", started, f"HQ answered {response.status_code}")
        try:
            answer = LookupResponse.model_validate_json(response.content)
        except ValidationError:
            return self._result("refused", started, "HQ's answer was not a lookup answer")
        if answer.status != "found":
            return self._result(answer.status, started, answer.reason, answer.member_id)
        try:
            inbound.apply_changes(
                self.db,
                answer.changes,
                vault=self._vault,
                at=self.db.clock.now(),
                vault_factory=self._open_vault,
            )
        except (SyncError, StoreError) as exc:
            return self._result("refused", started, f"the member could not be stored: {exc}")
        return self._result("found", started, "", answer.member_id)

    def _open_vault(self) -> Vault:
        if self._vault is None:
            self._vault = open_vault(self.db, create=True, keyring_backend=self._keyring_backend)
        if self._vault is None:
            raise VaultError("the terminal key cannot be made")
        return self._vault

    def _result(
        self, outcome: LookupOutcome, started: float, reason: str, member_id: str | None = None
    ) -> LookupResult:
        return LookupResult(outcome, member_id, reason, self._monotonic() - started)
