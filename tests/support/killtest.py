"""Shared test machinery for fault proofs: unwritable files, and SIGKILL loops over a child."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file or folder unwritable, even for root (chattr +i); skip if impossible."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            yield
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if (
        chattr is None
        or subprocess.run([chattr, "+i", str(path)], check=False, capture_output=True).returncode
    ):
        pytest.skip("running as root without chattr +i: cannot make a file read-only")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def kill_loop(
    path: Path,
    child: Path,
    check: Callable[[Path, list[str]], set[str]],
    *,
    trials: int,
    seed: int,
    max_sleep: float,
) -> None:
    """Run ``child`` (which prints each committed sale id) and SIGKILL it at random instants.

    After each kill ``check(path, reported)`` must hold and return the stored sale ids; only
    the sale in flight at the kill may be stored without having been reported.
    """
    rng = random.Random(seed)
    reported: list[str] = []
    stored: set[str] = set()
    for trial in range(trials):
        with subprocess.Popen(
            [sys.executable, str(child), str(path), str(trial)],
            stdout=subprocess.PIPE,
            text=True,
        ) as proc:
            assert proc.stdout is not None
            first = proc.stdout.readline()  # the child is up and selling
            time.sleep(rng.uniform(0, max_sleep))
            os.kill(proc.pid, signal.SIGKILL)
            rest = proc.stdout.read()
        assert first, "the child died before its first sale"
        now_reported = [line for line in (first + rest).splitlines() if line]
        reported += now_reported
        before, stored = stored, check(path, reported)
        assert len(stored - before) - len(now_reported) in (0, 1)
    assert len(reported) > trials
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
