"""Running HQ: uvicorn serving the API, with the jobs running in the background."""

from __future__ import annotations

import gc
import logging
import os
import threading
from typing import Any

import uvicorn
from fastapi import FastAPI

from posloyalty.hq.api import create_app
from posloyalty.hq.db import HqDb
from posloyalty.hq.edge import redacted
from posloyalty.hq.services import HqService

log = logging.getLogger("posloyalty.hq")


class JobLoop:
    """Runs the HQ jobs every ``interval`` seconds on a daemon thread until stopped."""

    def __init__(self, service: HqService, interval: float) -> None:
        self.service, self.interval = service, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hq-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                report = self.service.run_jobs()
            except Exception as exc:  # keep serving; the next round retries
                log.error("HQ jobs failed: %s", redacted(exc))
                continue
            if report.members:
                log.info(
                    "jobs: %d members, %d changed, %d expiry entries, %d merges",
                    report.members,
                    report.changed,
                    report.expired_entries,
                    len(report.merged),
                )


_DB_ENV = "POSLOYALTY_HQ_SERVE_DB"
#: The cyclic garbage collector's thresholds while serving: a 500-item push allocates some
#: 100,000 objects, nearly all freed by reference counting; Python's default (a collection
#: every 700 allocations, the whole heap every 100 of those) spent a fifth of a push's CPU.
GC_THRESHOLDS = (50_000, 20, 20)


def tune_gc() -> None:
    """Move everything loaded so far (modules, the app, SQLAlchemy's and pydantic's caches) out
    of the collector's sight (``gc.freeze``) and collect less often (:data:`GC_THRESHOLDS`):
    cycles are still collected, just not after every few hundred allocations."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def worker_app() -> FastAPI:
    """App factory for worker processes (``--workers`` > 1): the database URL comes from the
    environment the parent set; migrations already ran in the parent."""
    app = create_app(HqService(HqDb(os.environ[_DB_ENV], upgrade=False)))
    tune_gc()
    return app


def serve(
    service: HqService, host: str, port: int, *, jobs_interval: float = 5.0, workers: int = 1
) -> None:
    """Serve until interrupted; the jobs run on a thread of this (parent) process.

    Access logs are off: URLs and bodies never reach a log.
    """
    jobs = JobLoop(service, jobs_interval) if jobs_interval > 0 else None
    if jobs is not None:
        jobs.start()
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "access_log": False,
        # The client address is the socket peer; X-Forwarded-For is read by hq.edge, and only
        # from a configured trusted proxy.
        "proxy_headers": False,
        "log_level": "info",
        "timeout_graceful_shutdown": 10,
    }
    try:
        if workers > 1:
            os.environ[_DB_ENV] = service.db.url
            uvicorn.run("posloyalty.hq.server:worker_app", factory=True, workers=workers, **options)
        else:
            app = create_app(service)
            tune_gc()
            uvicorn.run(app, **options)
    finally:
        if jobs is not None:
            jobs.stop()
