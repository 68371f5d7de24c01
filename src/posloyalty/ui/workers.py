"""Background operations: disk and network work off the UI thread, results by signal.

In the spirit of Anki's ``CollectionOp``: :meth:`OpRunner.run` takes a plain function (no Qt,
no widgets), runs it on the runner's worker thread (a QThread with a worker object), and calls
``on_done(result)`` or ``on_error(exception)`` back on the UI thread through a queued signal.
Operations of one runner run one after the other in submission order, so a checkout session
is never touched by two threads at once; :attr:`OpRunner.busy` says whether any is pending.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from posloyalty.ui.qt import QCoreApplication, QObject, QThread, Signal, Slot

Outcome = tuple[Any, Exception | None]


class _Worker(QObject):
    # Only job ids cross threads; results stay in Python, guarded by ``lock``.
    finished = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.jobs: dict[int, Callable[[], Any]] = {}
        self.results: dict[int, Outcome] = {}
        self.lock = threading.Lock()

    @Slot(int)
    def run_job(self, job_id: int) -> None:
        with self.lock:
            fn = self.jobs.pop(job_id)
        try:
            outcome: Outcome = (fn(), None)
        except Exception as exc:  # handed to on_error on the UI thread
            outcome = (None, exc)
        with self.lock:
            self.results[job_id] = outcome
        self.finished.emit(job_id)


class OpRunner(QObject):
    """A serial background queue; ``done``/``failed`` are emitted after each callback."""

    done = Signal(object)
    failed = Signal(object)
    idle = Signal()
    _submit = Signal(int)

    def __init__(self, parent: QObject | None = None, *, name: str = "ops") -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run_job)
        self._worker.finished.connect(self._finished)
        self._ids = itertools.count(1)
        self._pending: dict[
            int, tuple[Callable[[Any], None] | None, Callable[[Exception], None] | None]
        ] = {}
        self._thread.start()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        job_id = next(self._ids)
        self._pending[job_id] = (on_done, on_error)
        with self._worker.lock:
            self._worker.jobs[job_id] = fn
        self._submit.emit(job_id)

    def _finished(self, job_id: int) -> None:
        on_done, on_error = self._pending.pop(job_id, (None, None))
        with self._worker.lock:
            result, error = self._worker.results.pop(job_id, (None, None))
        if error is not None:
            if on_error is not None:
                on_error(error)
            self.failed.emit(error)
        else:
            if on_done is not None:
                on_done(result)
            self.done.emit(result)
        if not self._pending:
            self.idle.emit()

    def wait(self, msecs: int = 30_000) -> bool:
        """Process events until the queue is empty (shutdown, scripts and tests only)."""
        deadline = time.monotonic() + msecs / 1000
        while self._pending and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.001)
        return not self._pending

    def stop(self) -> None:
        """Finish what is queued and end the worker thread."""
        if self._thread.isRunning():
            self.wait()
            self._thread.quit()
            self._thread.wait()
