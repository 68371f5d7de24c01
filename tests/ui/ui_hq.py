"""A real HQ for the till's tests: tests/support/hq_server.py (uvicorn on loopback in a thread) over
SQLite. Loaded by path, since tests/hq is not on sys.path when only tests/ui runs."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from posloyalty.clock import SystemClock
from posloyalty.hq.db import HqDb
from posloyalty.hq.services import HqConfig, HqService

UNREACHABLE_HQ = "http://127.0.0.1:9"


@dataclass(frozen=True)
class LocalHq:
    service: HqService
    url: str


def _hq_server() -> ModuleType:
    name = "hq_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).resolve().parents[1] / "support" / "hq_server.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def local_hq(path: Path) -> Iterator[LocalHq]:
    """Run an HQ with its database at ``path`` for as long as the generator is open."""
    database = HqDb(f"sqlite:///{path}", pool_size=4)
    service = HqService(database, SystemClock(), HqConfig(rate_per_s=1000, rate_burst=1000))
    try:
        with _hq_server().RunningServer(service) as running:
            yield LocalHq(service, running.url)
    finally:
        database.dispose()
