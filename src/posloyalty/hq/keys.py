"""HQ's encryption keys, kept outside the database: a key file (0600) or the environment.

A key file is JSON: ``{"current": ID, "master": {ID: base64, ...}, "index": base64}``. The
environment instead gives ``POSLOYALTY_HQ_MASTER_KEYS=ID:BASE64[,ID:BASE64...]`` (the first is
current) and ``POSLOYALTY_HQ_INDEX_KEY=BASE64``; ``POSLOYALTY_HQ_KEY_FILE`` names a key file.
Without either, an embedded SQLite HQ keeps its keys in ``<database>.keys`` beside the database
file, made on first start; HQ on PostgreSQL refuses to start without configured keys.
Master keys encrypt members' data keys (:mod:`posloyalty.hq.pii`); the index key makes the
phone blind index. Old master keys stay in the file until ``hq rotate-keys`` moved every record
off them.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

__all__ = [
    "ENV_FILE",
    "ENV_INDEX",
    "ENV_MASTER",
    "Keyring",
    "KeyringError",
    "add_master_key",
    "create_key_file",
    "default_key_file",
    "load_key_file",
    "resolve_keyring",
    "write_key_file",
]

ENV_FILE = "POSLOYALTY_HQ_KEY_FILE"
ENV_MASTER = "POSLOYALTY_HQ_MASTER_KEYS"
ENV_INDEX = "POSLOYALTY_HQ_INDEX_KEY"
_KEY_BYTES = 32


class KeyringError(RuntimeError):
    """HQ's keys are missing, unreadable, or do not open a record."""


@dataclass(frozen=True)
class Keyring:
    current: str
    masters: Mapping[str, bytes] = field(repr=False)
    index_key: bytes = field(repr=False)
    #: Where the keys came from (a file path, or "environment").
    source: str = ""

    def master(self, key_id: str) -> bytes:
        try:
            return self.masters[key_id]
        except KeyError:
            raise KeyringError(
                f"master key {key_id!r} is not in HQ's keys ({self.source}); records sealed "
                "under it cannot be read until it is restored"
            ) from None


def _decode(text: str, what: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"{what} is not base64") from None
    if len(key) != _KEY_BYTES:
        raise KeyringError(f"{what} must be {_KEY_BYTES} bytes, not {len(key)}")
    return key


def _encode(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def _new_id(existing: Mapping[str, bytes]) -> str:
    while True:
        key_id = f"k{secrets.token_hex(4)}"
        if key_id not in existing:
            return key_id


def load_key_file(path: Path) -> Keyring:
    try:
        raw = json.loads(path.read_text("utf-8"))
        masters = {str(k): _decode(str(v), f"master key {k}") for k, v in raw["master"].items()}
        current = str(raw["current"])
        index = _decode(str(raw["index"]), "the index key")
    except OSError as exc:
        raise KeyringError(f"cannot read HQ's key file {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise KeyringError(f"{path} is not an HQ key file") from None
    if current not in masters:
        raise KeyringError(f"{path}: the current key {current!r} is not among its keys")
    return Keyring(current, masters, index, str(path))


def _write(path: Path, keyring: Keyring, *, new: bool) -> None:
    text = json.dumps(
        {
            "current": keyring.current,
            "master": {k: _encode(v) for k, v in keyring.masters.items()},
            "index": _encode(keyring.index_key),
        },
        indent=1,
    )
    # Written whole under a private name first: a process starting beside this one never
    # reads half a key file.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        if new:
            try:
                os.link(tmp, path)  # atomic, and never over an existing file
            except FileExistsError:
                raise KeyringError(f"{path} exists already") from None
        else:
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_key_file(path: Path, keyring: Keyring) -> None:
    """Replace the key file with ``keyring`` (atomically, 0600)."""
    _write(path, keyring, new=False)


def create_key_file(path: Path) -> Keyring:
    """A new key file (0600) with one master key and an index key."""
    masters = {_new_id({}): secrets.token_bytes(_KEY_BYTES)}
    keyring = Keyring(next(iter(masters)), masters, secrets.token_bytes(_KEY_BYTES), str(path))
    _write(path, keyring, new=True)
    return keyring


def add_master_key(path: Path) -> Keyring:
    """Add a new master key to the key file and make it current (old keys stay)."""
    old = load_key_file(path)
    key_id = _new_id(old.masters)
    keyring = Keyring(
        key_id, {**old.masters, key_id: secrets.token_bytes(_KEY_BYTES)}, old.index_key, str(path)
    )
    _write(path, keyring, new=False)
    return keyring


def _from_env(master: str, index: str | None) -> Keyring:
    masters: dict[str, bytes] = {}
    for part in master.split(","):
        key_id, sep, value = part.strip().partition(":")
        if not sep or not key_id:
            raise KeyringError(f"{ENV_MASTER} must read ID:BASE64[,ID:BASE64...]")
        masters[key_id] = _decode(value, f"master key {key_id}")
    if not index:
        raise KeyringError(f"{ENV_MASTER} is set: set {ENV_INDEX} too")
    return Keyring(next(iter(masters)), masters, _decode(index, ENV_INDEX), "environment")


def default_key_file(url: str) -> Path | None:
    """``<database>.keys`` beside an SQLite database file (None for other databases)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database).with_name(Path(parsed.database).name + ".keys")


def resolve_keyring(url: str, environ: Mapping[str, str] | None = None) -> Keyring:
    """HQ's keys for the database at ``url``: the environment's, a named key file, or the
    embedded default beside an SQLite file (made when missing)."""
    env = os.environ if environ is None else environ
    if env.get(ENV_MASTER):
        return _from_env(env[ENV_MASTER], env.get(ENV_INDEX))
    named = env.get(ENV_FILE)
    path = Path(named).expanduser() if named else default_key_file(url)
    if path is None:
        raise KeyringError(
            f"HQ on this database needs its keys: set {ENV_FILE} to a key file "
            f"(made on first start) or {ENV_MASTER} and {ENV_INDEX}"
        )
    if not path.exists():
        try:
            return create_key_file(path)
        except KeyringError:  # another process made it first
            pass
    return load_key_file(path)
