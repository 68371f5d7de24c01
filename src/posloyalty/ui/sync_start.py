"""Enrolling the demo till with the local HQ and starting the sync worker, off the UI thread."""

from __future__ import annotations

import threading

from posloyalty.terminal.status import SyncSource
from posloyalty.terminal.sync_setup import enrol_with_local_hq, is_enrolled, start_sync_worker
from posloyalty.tilldb.db import Database
from posloyalty.ui.cashier_host import CashierHost
from posloyalty.ui.qt import QObject, Signal


class SyncStarter(QObject):
    """Enrols the demo till with the local HQ and starts the sync worker, off the UI thread;
    hands the worker to the window through a queued signal."""

    ready = Signal()

    def __init__(self, window: CashierHost, db: Database, hq_url: str | None, store: str):
        super().__init__(window.window())
        self.window, self.db, self.hq_url, self.store = window, db, hq_url, store
        self.worker: SyncSource | None = None
        self.note = ""
        self._stopped = threading.Event()
        self.ready.connect(self._hand_over)
        self._thread = threading.Thread(target=self._run, name="sync-start", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if self.hq_url is not None:
            self.note = enrol_with_local_hq(
                self.db, self.hq_url, self.db.path.parent / "hq.sqlite", self.store
            )
        if is_enrolled(self.db) and not self._stopped.is_set():
            self.worker = start_sync_worker(self.db)
            self.ready.emit()

    def _hand_over(self) -> None:
        self.window.counter.forget_hq_key()  # an enrolment here may have brought HQ's key
        if self.worker is not None:
            self.window.attach_sync(self.worker)
        print(f"posloyalty: sync {self.note or 'started'}", flush=True)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=30)
        if self.worker is not None:
            self.worker.stop()
