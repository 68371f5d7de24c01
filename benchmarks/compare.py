"""The till's hot paths beside the code from before issue 15's refactor, in one run
(``make bench-compare``; ``make bench`` runs it after the other benchmarks).

The baseline (``--base``, default :data:`BASELINE`: the last commit before issue 15 began,
the parent of its first commit) is exported with ``git archive`` into a folder under
:data:`CACHE` (kept for the next run, with its own cached databases: the two trees may lay
their files out differently). Each metric is then measured by each tree's own bench code
(``compare_side.py`` with ``PYTHONPATH`` at that tree's ``src``, in this venv: the
dependencies are the baseline's plus more), alternately, previous, now, previous, now, ...
(``--reps`` times each), so the machine's drift falls on both sides alike. Printed: each
figure per run, then a table of metric, previous, now (medians over the runs) and their
ratio, with the load average before and after.

Metrics: the commit ratio (``bench_checkout``: checkout commit and a bare ``record_sale``
against a bare SQLite commit loop in the same process), identify (``bench_identify``) and
scan-to-repaint (``bench_ui``). Timings never fail a build.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: The parent of d892652 (issue 15's first commit: one definition each for duplicated logic);
#: 898466a (posloyalty.store renamed posloyalty.tilldb) came right after it.
BASELINE = "48023c7"
CACHE = Path(tempfile.gettempdir()) / "posloyalty-bench-compare"
#: What the tree must hold to be measured (the rest of the repository is not needed).
TREE_PARTS = ("src", "benchmarks", "resources", "ui", "pyproject.toml")


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def _baseline_tree(rev: str) -> tuple[str, Path]:
    """The baseline's commit id and its exported tree (exported once, then reused)."""
    sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    folder = CACHE / sha[:12]
    tree = folder / "tree"
    if not (tree / "src").is_dir():
        partial = folder / "tree.partial"
        subprocess.run(["rm", "-rf", str(partial)], check=True)
        partial.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", sha, *TREE_PARTS],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(partial)], input=archive, check=True)
        partial.rename(tree)
    return sha, folder


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _side(metric: str, src: Path, cache: str, size: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src), "QT_QPA_PLATFORM": "offscreen"}
    bench_dir = src.parent / "benchmarks"
    cmd = [sys.executable, str(HERE / "compare_side.py"), metric, str(bench_dir), cache]
    if size:
        cmd.append(str(size))
    proc = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, cwd=src.parent)
    for line in proc.stdout.splitlines():
        if line.startswith("COMPARE "):
            figures: dict[str, float] = json.loads(line.removeprefix("COMPARE "))
            return figures
    raise RuntimeError(
        f"{metric} on {src.parent}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    )


def _higher_is_better(name: str) -> bool:
    return "/ bare sqlite" in name  # the commit ratios; every other figure is a latency


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=os.environ.get("BENCH_BASE", BASELINE))
    parser.add_argument("--reps", type=int, default=2, help="runs of each side per metric")
    parser.add_argument(
        "--metrics", default="commit,identify,scan", help="comma-separated: commit,identify,scan"
    )
    parser.add_argument(
        "--size", type=int, default=0, help="commit rounds / identify or scan samples per run"
    )
    args = parser.parse_args(argv)
    sha, folder = _baseline_tree(args.base)
    sides = {
        "previous": (folder / "tree" / "src", str(folder / "db")),
        "now": (ROOT / "src", "-"),
    }
    head = _git("rev-parse", "--short=12", "HEAD")
    dirty = " + uncommitted changes" if _git("status", "--porcelain", "--", "src") else ""
    print(f"compare: previous = {sha[:12]} ({folder / 'tree'}), now = {head}{dirty}")
    print(f"compare: load average {_load()} on {os.cpu_count()} CPUs at the start", flush=True)
    runs: dict[str, dict[str, list[float]]] = {"previous": {}, "now": {}}
    started = time.perf_counter()
    for metric in args.metrics.split(","):
        for rep in range(args.reps):
            order = ("previous", "now") if rep % 2 == 0 else ("now", "previous")
            for side in order:
                src, cache = sides[side]
                figures = _side(metric, src, cache, args.size)
                for name, value in figures.items():
                    runs[side].setdefault(name, []).append(value)
                shown = ", ".join(f"{k} {v:g}" for k, v in figures.items())
                print(f"compare: {metric} run {rep + 1} {side:<8} {shown}  [load {_load()}]")
                sys.stdout.flush()
    print(f"\ncompare: {time.perf_counter() - started:.0f} s; load average {_load()} at the end")
    width = max(len(name) for name in runs["now"])
    print(f"{'metric':<{width}}  {'previous':>9}  {'now':>9}  {'now/prev':>8}  better")
    for name, values in runs["now"].items():
        before = statistics.median(runs["previous"].get(name, [float("nan")]))
        now = statistics.median(values)
        ratio = now / before if before else float("nan")
        better = "higher" if _higher_is_better(name) else "lower"
        print(f"{name:<{width}}  {before:9.3f}  {now:9.3f}  {ratio:8.2f}  {better}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
