"""The till's full integrity check, run once its window is up, and the gate it sets on commits.

The launcher checks the database lightly before the window when a clean close vouched for it
(:mod:`posloyalty.tilldb.preflight`); the full ``quick_check`` then runs on a background
worker. Until it has answered, a commit waits for it (on the checkout worker, never the UI
thread); once it found damage, every commit is refused with its message and nothing is
written. Scans, lookups and quotes go on either way.
"""

from __future__ import annotations

import threading
from pathlib import Path

from posloyalty.terminal.errors import CheckoutError
from posloyalty.tilldb.db import inspect_file
from posloyalty.tilldb.errors import StoreCorruptError

__all__ = ["DatabaseDamaged", "IntegrityGate"]


class DatabaseDamaged(CheckoutError):
    """A commit refused because the background integrity check found the database damaged."""


class IntegrityGate:
    """Open until :meth:`start`; then closed to commits until the check answered, and shut
    for good if it found damage. Thread-safe: the check and the commits run on workers."""

    #: How long a commit waits for a check still running before it goes ahead (seconds).
    WAIT_S = 120.0

    def __init__(self) -> None:
        self._settled = threading.Event()
        self._settled.set()
        self._lock = threading.Lock()
        self.damage = ""
        #: Whether a full check passed in this session (the launcher may then vouch for the
        #: file at a clean close).
        self.passed = False

    @property
    def running(self) -> bool:
        return not self._settled.is_set()

    def start(self) -> None:
        self._settled.clear()

    def check(self, path: Path) -> str:
        """The full check (on a worker). Returns "" or the damage found, and settles the gate."""
        try:
            inspect_file(path, integrity="quick_check")
        except StoreCorruptError as exc:
            self.settle(" ".join(str(exc).split()))
        except BaseException:
            self.settle("")
            raise
        else:
            with self._lock:
                self.passed = True
            self.settle("")
        return self.damage

    def settle(self, damage: str) -> None:
        with self._lock:
            if damage:
                self.damage = damage
        self._settled.set()

    def before_commit(self, refusal: str) -> None:
        """On the checkout worker, before anything is written: wait for a running check, then
        refuse (:class:`DatabaseDamaged` with ``refusal``) if it found damage."""
        self._settled.wait(self.WAIT_S)
        with self._lock:
            damage = self.damage
        if damage:
            raise DatabaseDamaged(refusal)
