"""One side of ``benchmarks/compare.py``: one metric measured by one tree's own bench code.

Run as ``python compare_side.py METRIC BENCH_DIR CACHE_DIR`` with ``PYTHONPATH`` pointing at
that tree's ``src``: it loads the tree's ``bench_checkout.py``, ``bench_identify.py`` or
``bench_ui.py`` from ``BENCH_DIR`` (so the code measured and the code measuring are the
tree's), points their cached databases into ``CACHE_DIR`` (``-`` keeps the bench's own
places), runs a shortened measurement, and prints the figures as one ``COMPARE {json}`` line.
It imports nothing of posloyalty by name: the two trees name their packages differently.

Metrics:

- ``commit``: ``bench_checkout``'s interleaved commit loops (``_ratios``): the checkout
  commit's and a bare ``record_sale``'s sales/s as a ratio to a bare SQLite commit loop in
  the same process (median round), and the checkout commit's p50;
- ``identify``: ``bench_identify.run()``: ``identify()`` with its replay row, and with the
  member view, p50/p99;
- ``scan``: ``bench_ui``'s scan-to-repaint through the real window (``_scan_to_screen``),
  p50/p99.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import io
import json
import os
import re
import sqlite3
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_P50_P99 = r"p50\s+([\d.]+) ms\s+p99\s+([\d.]+) ms"


def _load(bench_dir: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, bench_dir / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _find(pattern: str, text: str) -> tuple[float, ...]:
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"no figures matching {pattern!r} in:\n{text}")
    return tuple(float(g.replace(",", "")) for g in match.groups())  # "1,117 sales/s"


def _identify_module(bench_dir: Path, cache: Path | None, samples: int) -> ModuleType:
    ident = _load(bench_dir, "bench_identify")
    if cache is not None:
        setattr(ident, "CACHE", cache / "identify-1m.db")  # noqa: B010 - a loaded module
    setattr(ident, "SAMPLES", samples)  # noqa: B010
    return ident


def _commit(bench_dir: Path, cache: Path | None, rounds: int, block: int) -> dict[str, float]:
    mod = _load(bench_dir, "bench_checkout")
    if cache is not None:
        setattr(mod, "CACHE", cache)  # noqa: B010 - a loaded module
    source = mod._demo_file()
    out = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="bench_compare_", dir=mod.CACHE) as tmp:
        path = mod._copy(source, Path(tmp))
        db = mod.Database.open(
            path,
            clock=mod.SystemClock(),
            integrity="none",
            background_checkpoint=mod.CHECKPOINT_EVERY,
        )
        try:
            ctx = mod.context_from_store(db, "bench", rules=mod.load_preset("miniso"))
            with contextlib.redirect_stdout(out):
                mod._ratios(ctx, Path(tmp) / "bare.db", rounds, block)
        finally:
            db.close()
    text = out.getvalue()
    full = _find(r"checkout commit\s+([\d,]+) sales/s.*?median round ([\d.]+)", text)
    store = _find(r"record_sale alone\s+([\d,]+) sales/s.*?median round ([\d.]+)", text)
    p50, p99 = _find(r"commit \(CheckoutSession\.commit\)\s+" + _P50_P99, text)
    (cpu50,) = _find(r"commit \(CheckoutSession\.commit\).*?CPU time p50 ([\d.]+)", text)
    return {
        "checkout commit / bare sqlite": full[1],
        "record_sale / bare sqlite": store[1],
        "checkout commit p50 ms": p50,
        "checkout commit p99 ms": p99,
        # The process's own work per commit, less sensitive than wall time to a busy disk.
        "checkout commit CPU p50 ms": cpu50,
    }


def _identify(bench_dir: Path, cache: Path | None, samples: int) -> dict[str, float]:
    ident = _identify_module(bench_dir, cache, samples)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ident.run()
    text = out.getvalue()
    p50, p99 = _find(r"identify\(\) incl\. replay row:\s+" + _P50_P99, text)
    v50, v99 = _find(r"identify\(\) \+ member_view\(\):\s+" + _P50_P99, text)
    return {
        "identify() p50 ms": p50,
        "identify() p99 ms": p99,
        "identify() + member_view() p50 ms": v50,
        "identify() + member_view() p99 ms": v99,
    }


def _past_used_codes(path: Path) -> None:
    """Run the till's clock from a time step no earlier run used (as ``bench_identify.run``
    does): ``bench_identify`` moves its clock past the replay cache, and a code of a member
    it identified in a later step would be refused here as used."""
    clock_mod = importlib.import_module("posloyalty.clock")
    step = importlib.import_module("posloyalty.domain.codes").DEFAULT_STEP_S
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (last,) = conn.execute("SELECT max(used_at) FROM used_codes").fetchone()
    finally:
        conn.close()
    if last is None:
        return
    ahead = dt.datetime.fromisoformat(last) + dt.timedelta(seconds=2 * step)
    offset = max(dt.timedelta(0), ahead - dt.datetime.now(dt.UTC))
    real: Any = getattr(clock_mod, "SystemClock")  # noqa: B009 - a loaded module

    class _Ahead:
        """The system clock ``offset`` ahead."""

        def __init__(self) -> None:
            self._real = real()

        def now(self) -> dt.datetime:
            return self._real.now() + offset  # type: ignore[no-any-return]

        def __getattr__(self, name: str) -> Any:
            return getattr(self._real, name)

    setattr(clock_mod, "SystemClock", _Ahead)  # noqa: B010


def _scan(bench_dir: Path, cache: Path | None, samples: int) -> dict[str, float]:
    ident = _identify_module(bench_dir, cache, samples)
    ui = _load(bench_dir, "bench_ui")
    setattr(ui, "SAMPLES", samples)  # noqa: B010
    if hasattr(ui, "_quiet_offscreen"):  # not in every tree's bench_ui
        ui._quiet_offscreen()
    clock = ident.FixedClock(ident.T0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        if not ident._cached_ok(clock):
            ident._build(clock)
        path = Path(ident.CACHE)
        ui._prepare(path)
        _past_used_codes(path)
        ui._scan_to_screen(path)
    p50, p99 = _find(r"Enter -> member panel \+ total repainted:\s+" + _P50_P99, out.getvalue())
    return {"scan to repaint p50 ms": p50, "scan to repaint p99 ms": p99}


def main(argv: list[str]) -> int:
    metric, bench_dir, cache_arg, *rest = argv
    cache = None if cache_arg == "-" else Path(cache_arg)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    size = int(rest[0]) if rest else 0
    figures: dict[str, Any]
    if metric == "commit":
        figures = _commit(Path(bench_dir), cache, rounds=size or 20, block=20)
    elif metric == "identify":
        figures = _identify(Path(bench_dir), cache, samples=size or 1000)
    elif metric == "scan":
        figures = _scan(Path(bench_dir), cache, samples=size or 200)
    else:
        print(f"unknown metric {metric!r} (commit, identify, scan)", file=sys.stderr)
        return 2
    print("COMPARE " + json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
