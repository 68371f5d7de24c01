"""Which database a till may start on, decided before anything is written to it.

``posloyalty run`` is the production till: it starts only on an existing, sound database
that is enrolled with HQ and has its own staff (none of them with a published demo PIN).
``posloyalty run --demo`` creates or reopens the demo's own database and refuses every other
file: an enrolled one, one holding data that is not the demo's, a damaged one. Either way a
refused file is left byte for byte as it was (it is only read, through a read-only SQLite
connection, after its integrity check).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from posloyalty.sync.client import CREDENTIAL_STORE_KEY, HQ_URL_KEY
from posloyalty.tilldb.errors import StoreError
from posloyalty.tilldb.preflight import TillFile, examine

#: Setting that marks a database the demo created (``posloyalty run --demo``).
DEMO_MARK_KEY = "demo_database"
#: The demo's published staff (id, PIN): never valid on a production till.
DEMO_PINS = (("demo", "1234"), ("boss", "9999"))
#: A member every demo database has (and the known demo terminal and store ids).
DEMO_MEMBER, DEMO_STORE, DEMO_TERMINAL = "M000000001", "S1", "T1"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class LaunchRefused(Exception):
    """The till will not start on this database; the message says why, in one line."""


def _facts(
    path: Path, *, integrity: str = "auto", pins: bool = True, count: bool = False
) -> TillFile:
    """``integrity`` ``auto``: the full check, or the light one for a file a clean close
    vouched for (tilldb.preflight; the till then runs the full check behind its window)."""
    try:
        return examine(
            path,
            integrity=integrity,
            member_ids=(DEMO_MEMBER,),
            pins=DEMO_PINS if pins else (),
            count=count,
        )
    except StoreError as exc:
        raise LaunchRefused(" ".join(str(exc).split())) from None


def _enrolled(facts: TillFile) -> bool:
    return CREDENTIAL_STORE_KEY in facts.settings


def _enrolled_beyond_this_machine(facts: TillFile) -> bool:
    """Enrolled with an HQ that is not the demo's local one (loopback)."""
    if not _enrolled(facts):
        return False
    host = urlsplit(facts.settings.get(HQ_URL_KEY, "")).hostname or ""
    return host not in _LOOPBACK


def check_production(path: Path, cashier: str) -> TillFile:
    """Refuse (:class:`LaunchRefused`) a database a production till must not start on."""
    where = str(path)
    if not path.exists():
        raise LaunchRefused(
            f"{where}: no terminal database here; set one up with `posloyalty terminal init`, "
            "`posloyalty sync enroll` and `posloyalty terminal add-cashier` "
            "(or try the demo: `posloyalty run --demo`)"
        )
    facts = _facts(path)
    if DEMO_MARK_KEY in facts.settings:
        raise LaunchRefused(
            f"{where}: this is a demo database; start it with `posloyalty run --demo`"
        )
    if not _enrolled(facts):
        raise LaunchRefused(
            f"{where}: the terminal is not enrolled with HQ; enrol it first with "
            "`posloyalty sync enroll --db PATH --hq URL --code CODE` (nothing was changed)"
        )
    if not facts.staff:
        raise LaunchRefused(
            f"{where}: the terminal has no staff accounts; add them with "
            "`posloyalty terminal add-cashier` (nothing was changed)"
        )
    if facts.pins_matching:
        names = ", ".join(sorted(facts.pins_matching))
        raise LaunchRefused(
            f"{where}: staff account(s) {names} still have the published demo PIN; "
            "a production till does not start with them (nothing was changed)"
        )
    if cashier not in facts.staff:
        raise LaunchRefused(
            f"{where}: no staff account {cashier!r}; name the cashier with --cashier ID "
            "(nothing was changed)"
        )
    return facts


def check_demo(path: Path) -> bool:
    """May the demo create or open ``path``? True: it is the demo's own database (open it);
    False: there is none yet, or it is empty (fill it). Refuses (:class:`LaunchRefused`) a
    damaged file, an enrolled one, and one holding data that is not the demo's."""
    where = str(path)
    if not path.exists():
        return False
    # The demo's own database (marked) needs no PIN hashes: they are checked only below.
    facts = _facts(path, pins=False)
    if _enrolled_beyond_this_machine(facts):
        raise LaunchRefused(
            f"{where}: this database is enrolled with HQ at "
            f"{facts.settings.get(HQ_URL_KEY, '?')}; the demo never writes into an enrolled "
            "database (use another --db; nothing was changed)"
        )
    if DEMO_MARK_KEY in facts.settings:
        return True
    if facts.empty:
        return False
    if _legacy_demo(_facts(path, integrity="none")):  # checked above
        return True
    facts = _facts(path, integrity="none", pins=False, count=True)  # for the message
    raise LaunchRefused(
        f"{where}: this database holds data that is not the demo's ({facts.members} members, "
        f"{len(facts.staff)} staff accounts, {facts.sales} sales); the demo never writes "
        "into it (use another --db; nothing was changed)"
    )


def _legacy_demo(facts: TillFile) -> bool:
    """A demo database made before demo databases were marked: the demo's ids, its member,
    its staff and nothing else, and both demo PINs (its terminal id may be the local HQ's)."""
    return (
        facts.settings.get("store") == DEMO_STORE
        and DEMO_MEMBER in facts.members_present
        and set(facts.staff) == {staff for staff, _ in DEMO_PINS}
        and facts.pins_matching == set(facts.staff)
    )
