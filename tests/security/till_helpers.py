"""A small production-like till database for the walk-in tests: enrolled (settings and a
0600 credential file, no HQ needed), rules, staff ``c1`` (cashier) and managers ``m1``, ``m2``,
one member."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from posloyalty.clock import FixedClock
from posloyalty.resources import resources_dir
from posloyalty.sync.client import (
    CREDENTIAL_STORE_KEY,
    HQ_URL_KEY,
    STORE_KEY,
    TERMINAL_KEY,
    credential_file,
)
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.models import Member

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
PINS = {"c1": "2468", "m1": "13572468", "m2": "975310"}


def file_hash(path: Path) -> str:
    """The file's SHA-256, read by another process (never open() a database in this one)."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def file_bytes(path: Path) -> bytes:
    """The file's bytes; only for a database no one in this process has open."""
    return path.read_bytes()


def make_till(path: Path, clock: FixedClock, *, enrolled: bool = True) -> None:
    """Create the database and leave it closed."""
    db = Database.open(path, clock=clock, create=True)
    try:
        now = clock.now()
        with db.write() as session:
            for key, value in (("store", "S7"), ("terminal", "T7"), ("zone", "Asia/Shanghai")):
                repo.set_setting(session, key, value)
            salt = repo.ensure_phone_key(session)
            text = (resources_dir() / "rules" / "miniso.toml").read_text(encoding="utf-8")
            repo.save_rule_document(session, doc_id="r", revision=1, text_=text, activate=True)
            for staff, role in (("c1", "cashier"), ("m1", "manager"), ("m2", "manager")):
                repo.create_cashier(
                    session,
                    cashier_id=staff,
                    name=staff,
                    role=role,
                    pin=PINS[staff],
                    at=now,
                )
            session.add(
                Member(
                    id="M1",
                    phone_masked="138****0001",
                    phone_hash=repo.hash_phone(salt, "13800000001"),
                    display_name="M*",
                    tier="regular",
                    growth=0,
                    cached_points=0,
                    cached_pending=0,
                    birthday=None,
                    registered_at=now,
                    hq_version=1,
                    provisional=False,
                )
            )
            if enrolled:
                repo.set_setting(session, HQ_URL_KEY, "https://hq.example.com")
                repo.set_setting(session, STORE_KEY, "S7")
                repo.set_setting(session, TERMINAL_KEY, "T7")
                repo.set_setting(session, CREDENTIAL_STORE_KEY, "file")
    finally:
        db.close()
    if enrolled:
        cred = credential_file(path)
        fd = os.open(cred, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"terminal_id": "T7", "token": "t" * 40}, fh)


def run_till(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *(sys.executable, "-m", "posloyalty.cli", "run", "--no-customer-display"),
            *("--lang", "en", "--quit-after", "0.5", *args),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        check=False,
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
