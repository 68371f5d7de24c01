"""``hq rotate-keys``: move every sealed record onto the current master key.

With a key file, a new master key is added and made current first (``--keep-current`` skips
that); with keys from the environment, the operator puts the new key first in
``POSLOYALTY_HQ_MASTER_KEYS`` and runs this. Records are only re-wrapped (their data keys), so
it is quick; a record sealed under an older key keeps opening until then. HQ processes still
running with the old keys seal new members under the old key: restart them, then run this
again. ``--retire`` drops from the key file the keys no record uses any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from posloyalty.hq import pii
from posloyalty.hq.db import HqDb, normalise_url
from posloyalty.hq.keys import (
    ENV_FILE,
    ENV_MASTER,
    Keyring,
    KeyringError,
    add_master_key,
    default_key_file,
    load_key_file,
    resolve_keyring,
    write_key_file,
)
from posloyalty.hq.models import Member, Setting

__all__ = ["Rotation", "rotate_keys"]


@dataclass(frozen=True, slots=True)
class Rotation:
    current: str
    rewrapped: int
    retired: tuple[str, ...]
    source: str


def _key_file(url: str, environ: dict[str, str]) -> Path | None:
    if environ.get(ENV_MASTER):
        return None
    named = environ.get(ENV_FILE)
    return Path(named).expanduser() if named else default_key_file(url)


def _in_use(db: HqDb) -> set[str]:
    with db.transaction(writer=False) as session:
        used = set(session.scalars(select(Member.pii_key_id).distinct()))
        for value in session.scalars(select(Setting.value).where(Setting.key.like("sealed:%"))):
            used.add(value.split(".", 1)[0])
    return used


def rotate_keys(
    url: str, environ: dict[str, str], *, new_key: bool = True, retire: bool = False
) -> Rotation:
    url = normalise_url(url)
    path = _key_file(url, environ)
    if path is None:
        if retire:
            raise KeyringError(f"keys from {ENV_MASTER}: retire old keys by editing it")
        keyring: Keyring = resolve_keyring(url, environ)
    else:
        if not path.exists():
            raise KeyringError(f"no HQ key file at {path}")
        keyring = add_master_key(path) if new_key else load_key_file(path)
    db = HqDb(url, keyring=keyring)
    try:
        rewrapped = db.run(pii.rewrap_all)
        retired: tuple[str, ...] = ()
        if retire and path is not None:
            used = _in_use(db) | {keyring.current}
            retired = tuple(sorted(set(keyring.masters) - used))
            if retired:
                kept = {k: v for k, v in keyring.masters.items() if k in used}
                write_key_file(path, Keyring(keyring.current, kept, keyring.index_key, str(path)))
    finally:
        db.dispose()
    return Rotation(keyring.current, rewrapped, retired, keyring.source)
