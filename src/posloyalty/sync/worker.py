"""The background sync runner: a thread (no Qt) that syncs on a schedule and on demand.

It keeps going through HQ restarts and network loss (each round is one :meth:`SyncClient.sync`,
which never raises for those), publishes every :class:`SyncState` to a callback (the Qt UI
wraps it in a signal), and stops cleanly: :meth:`SyncWorker.stop` interrupts a retry wait and
joins the thread. After HQ refuses the credential (not enrolled, revoked) it waits
``refused_interval`` instead of ``interval`` before trying again on its own, so a revoked
terminal does not hammer HQ; :meth:`request_sync` still tries at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace

from posloyalty.sync.client import SyncClient, SyncState, read_state

log = logging.getLogger("posloyalty.sync")


class SyncWorker:
    def __init__(
        self,
        client: SyncClient,
        *,
        interval: float = 30.0,
        refused_interval: float = 600.0,
        on_state: Callable[[SyncState], None] | None = None,
    ) -> None:
        self.client = client
        self.interval = interval
        self.refused_interval = refused_interval
        self.on_state = on_state
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._state: SyncState | None = None
        self._rounds = 0
        self._thread = threading.Thread(target=self._run, name="posloyalty-sync", daemon=True)

    @property
    def state(self) -> SyncState | None:
        """The last published state (None before the first round)."""
        with self._lock:
            return self._state

    @property
    def rounds(self) -> int:
        with self._lock:
            return self._rounds

    def start(self) -> None:
        self._thread.start()

    def request_sync(self) -> None:
        """Sync as soon as possible (at once when idle, else right after the current round)."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop after the current request (retry waits are cut short); True when stopped."""
        self._stopping.set()
        self.client.cancel.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                state = self.client.sync()
            except Exception as exc:  # a bug or a broken database: report it, keep running
                log.exception("sync round failed")
                try:
                    state = read_state(self.client.db)
                except Exception:
                    state = None
                if state is not None:
                    state = replace(state, last_error=f"sync failed: {exc}")
            if self._stopping.is_set():
                break
            with self._lock:
                self._rounds += 1
                self._state = state
            if state is not None and self.on_state is not None:
                try:
                    self.on_state(state)
                except Exception:
                    log.exception("the sync state callback failed")
            refused = state is not None and state.connection in ("not_enrolled", "revoked")
            self._wake.wait(self.refused_interval if refused else self.interval)
