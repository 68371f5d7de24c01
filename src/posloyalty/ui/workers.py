"""Background operations: disk and network work off the UI thread, results by signal.

In the spirit of Anki's ``CollectionOp``: :meth:`OpRunner.run` takes a plain function (no Qt,
no widgets), runs it on a worker thread, and calls ``on_done(result)`` or
``on_error(exception)`` back on the UI thread through a queued signal. Operations of one
runner run one after the other in submission order, so a checkout session is never touched by
two threads at once; :attr:`OpRunner.busy` says whether anything is queued or running.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from posloyalty.ui.qt import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    finished = Signal(int, object, object)


class _Job(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._id, self._fn, self._relay = job_id, fn, relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # handed to on_error on the UI thread
            self._relay.finished.emit(self._id, None, exc)
            return
        self._relay.finished.emit(self._id, result, None)


class OpRunner(QObject):
    """A serial background queue; ``done``/``failed`` are emitted after each callback."""

    done = Signal(object)
    failed = Signal(object)
    idle = Signal()

    def __init__(self, parent: QObject | None = None, *, name: str = "ops") -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setObjectName(name)
        self._relay = _Relay()
        self._relay.finished.connect(self._finished)
        self._ids = itertools.count(1)
        self._pending: dict[
            int, tuple[Callable[[Any], None] | None, Callable[[Exception], None] | None]
        ] = {}

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
        self._pool.start(_Job(job_id, fn, self._relay))

    def _finished(self, job_id: int, result: object, error: object) -> None:
        on_done, on_error = self._pending.pop(job_id, (None, None))
        if isinstance(error, Exception):
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
        """Block until the queue is empty (shutdown and tests only)."""
        return bool(self._pool.waitForDone(msecs))
