"""Run every benchmark in this folder (``make bench``) and print its figures.

Each ``bench_*.py`` module exposes ``run() -> None`` that prints its own figures and ratios.
Benchmarks measure; they never fail a build on timing (the machine is shared and noisy).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# HQ keeps its keys outside the database (posloyalty.hq.keys): one key file for the run.
if "POSLOYALTY_HQ_KEY_FILE" not in os.environ and "POSLOYALTY_HQ_MASTER_KEYS" not in os.environ:
    os.environ["POSLOYALTY_HQ_KEY_FILE"] = str(
        Path(tempfile.mkdtemp(prefix="posloyalty-keys-")) / "hq.keys"
    )


def main(argv: list[str]) -> int:
    wanted = set(argv)
    modules = sorted(HERE.glob("bench_*.py"))
    if not modules:
        print("no benchmarks found", file=sys.stderr)
        return 1
    for path in modules:
        name = path.stem
        if wanted and name not in wanted and name.removeprefix("bench_") not in wanted:
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {name} ==", flush=True)
        started = time.perf_counter()
        module.run()
        print(f"   ({time.perf_counter() - started:.1f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
