"""The terminal key and AES-256-GCM sealing of what must never be on disk in clear text.

Member secrets (and the personal data a registration carries to HQ) are sealed under a
terminal key that is kept outside the database: in the OS keyring when the ``keyring`` package
finds a usable backend, else in a key file next to the database (``<db>.key``, mode 0600). A
stolen database file alone reveals no secret. The database records only which key it uses
(``settings.terminal_key_id``) and where (``settings.terminal_key_store``).

A sealed value is ``nonce (12 bytes) || ciphertext || tag``; the associated data binds it to
its row (a sealed secret moved to another member does not open).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any, Literal, overload

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreError

KEY_ID_SETTING = "terminal_key_id"
KEY_STORE_SETTING = "terminal_key_store"
KEYRING_SERVICE = "posloyalty-terminal"
KEY_BYTES = 32
NONCE_BYTES = 12

KeyStore = Literal["auto", "keyring", "file"]


class VaultError(StoreError):
    """The terminal key is missing or unusable, or a sealed value does not open."""


class Vault:
    """Seals and opens values under one terminal key (AES-256-GCM, random 96-bit nonces)."""

    __slots__ = ("_aead", "chain_key", "key_id", "store")

    def __init__(self, key_id: str, key: bytes, store: str) -> None:
        if len(key) != KEY_BYTES:
            raise VaultError(f"a terminal key has {KEY_BYTES} bytes, got {len(key)}")
        self.key_id = key_id
        self.store = store
        self._aead = AESGCM(key)
        #: The key of the till's hash chain (store/chain.py), derived from the terminal key.
        self.chain_key = hmac.new(key, b"posloyalty/chain-key/v1", hashlib.sha256).digest()

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        if len(sealed) < NONCE_BYTES + 16:
            raise VaultError("a sealed value is too short (damaged)")
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
        except InvalidTag:
            raise VaultError(
                "a sealed value does not open with the terminal key (damaged, moved, or "
                "sealed under another key)"
            ) from None

    def seal_text(self, text: str, aad: str) -> str:
        """Seal text for a JSON payload (URL-safe base64)."""
        return base64.urlsafe_b64encode(self.seal(text.encode(), aad.encode())).decode("ascii")

    def open_text(self, sealed: str, aad: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise VaultError("a sealed text is not base64 (damaged)") from None
        return self.open(raw, aad.encode()).decode()


# --------------------------------------------------------------------------- key storage


def key_file_path(db_path: Path) -> Path:
    """Where the key file of the database at ``db_path`` lives (same folder)."""
    return db_path.with_name(db_path.name + ".key")


def usable_keyring() -> Any | None:
    """The OS keyring backend if ``keyring`` finds a usable one, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken backend configuration is as good as none
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return backend


def _write_key_file(path: Path, key_id: str, key: bytes) -> None:
    data = json.dumps({"key_id": key_id, "key": base64.b64encode(key).decode("ascii")})
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise VaultError(
            f"{path}: a key file already exists but the database does not name it; "
            "move it away if it belongs to another database"
        ) from None
    except OSError as exc:
        raise VaultError(f"{path}: cannot create the terminal key file ({exc.strerror})") from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o600)  # whatever the umask did


def _read_key_file(path: Path, key_id: str) -> bytes:
    try:
        mode = path.stat().st_mode
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise VaultError(
                f"{path}: the terminal key file is readable by others "
                f"(mode {stat.S_IMODE(mode):o}); run `chmod 600 {path}`"
            )
        data = json.loads(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        raise VaultError(
            f"{path}: the terminal key file is missing; the member secrets in this database "
            "cannot be read (restore the key file, or re-sync the member directory)"
        ) from None
    except (OSError, ValueError) as exc:
        raise VaultError(f"{path}: cannot read the terminal key file ({exc})") from None
    if not isinstance(data, dict) or data.get("key_id") != key_id:
        raise VaultError(f"{path}: the key file holds another key than this database uses")
    try:
        return base64.b64decode(str(data["key"]), validate=True)
    except (KeyError, ValueError):
        raise VaultError(f"{path}: the terminal key file is damaged") from None


@overload
def open_vault(
    db: Database,
    *,
    create: Literal[True] = True,
    key_store: KeyStore = "auto",
    keyring_backend: Any | None = None,
) -> Vault: ...
@overload
def open_vault(
    db: Database,
    *,
    create: bool,
    key_store: KeyStore = "auto",
    keyring_backend: Any | None = None,
) -> Vault | None: ...
def open_vault(
    db: Database,
    *,
    create: bool = True,
    key_store: KeyStore = "auto",
    keyring_backend: Any | None = None,
) -> Vault | None:
    """The vault of ``db``: its terminal key, created on first use when ``create``.

    ``key_store`` "auto" puts a new key in the OS keyring when one is usable (or
    ``keyring_backend`` is given), else in the key file. Without ``create``, a database that
    has no key yet gives None (nothing sealed can exist in it). Raises :class:`VaultError`
    when the key the database names cannot be found.
    """
    with db.read() as session:
        key_id = repo.get_setting(session, KEY_ID_SETTING)
        where = repo.get_setting(session, KEY_STORE_SETTING)
    if key_id is not None:
        return Vault(
            key_id, _load_key(db, key_id, where or "file", keyring_backend), where or "file"
        )
    if not create:
        return None
    backend = keyring_backend if keyring_backend is not None else None
    if key_store in ("auto", "keyring") and backend is None:
        backend = usable_keyring()
    if key_store == "keyring" and backend is None:
        raise VaultError("no usable OS keyring for the terminal key")
    store = "keyring" if key_store != "file" and backend is not None else "file"
    key_id = secrets.token_hex(16)
    key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    if store == "keyring" and backend is not None:
        try:
            backend.set_password(KEYRING_SERVICE, key_id, base64.b64encode(key).decode("ascii"))
        except Exception as exc:
            raise VaultError(f"the OS keyring refused the terminal key ({exc})") from None
    else:
        _write_key_file(key_file_path(db.path), key_id, key)
    with db.write() as session:
        if repo.get_setting(session, KEY_ID_SETTING) is not None:
            # Another process created a key meanwhile: use that one.
            _forget(store, key_id, db.path, backend)
            return open_vault(db, create=False, keyring_backend=keyring_backend)
        repo.set_setting(session, KEY_ID_SETTING, key_id)
        repo.set_setting(session, KEY_STORE_SETTING, store)
    return Vault(key_id, key, store)


def _forget(store: str, key_id: str, db_path: Path, backend: Any | None) -> None:
    if store == "keyring" and backend is not None:
        with contextlib.suppress(Exception):  # an orphaned keyring entry holds no data
            backend.delete_password(KEYRING_SERVICE, key_id)
    else:
        key_file_path(db_path).unlink(missing_ok=True)


def _load_key(db: Database, key_id: str, where: str, keyring_backend: Any | None) -> bytes:
    if where == "keyring":
        backend = keyring_backend if keyring_backend is not None else usable_keyring()
        if backend is None:
            raise VaultError(
                "the terminal key is in the OS keyring, but no usable keyring is available "
                "to this process (log in to the desktop session that holds it)"
            )
        try:
            text = backend.get_password(KEYRING_SERVICE, key_id)
        except Exception as exc:
            raise VaultError(f"the OS keyring cannot be read ({exc})") from None
        if text is None:
            raise VaultError(
                f"the OS keyring has no terminal key {key_id}; the member secrets in this "
                "database cannot be read (re-sync the member directory)"
            )
        try:
            return base64.b64decode(text, validate=True)
        except ValueError:
            raise VaultError("the terminal key in the OS keyring is damaged") from None
    return _read_key_file(key_file_path(db.path), key_id)
