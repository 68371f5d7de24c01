"""Cards managed at HQ: a card printed at a till is registered at HQ; a reissue, a revocation
or a new secret decided at HQ reaches every till on its next pull. Real tills, a real HQ
(uvicorn on loopback; SQLite and PostgreSQL)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_helpers import STORE_T0, Hq, client, ctx, enrolled, hq_on, phone_code

from posloyalty.clock import FixedClock
from posloyalty.domain import codes
from posloyalty.domain.ids import MemberId
from posloyalty.hq.models import MemberCard, Revocation
from posloyalty.terminal.cards import record_card
from posloyalty.terminal.counter import Counter
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.member_scan import IdentifyError, identify
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.vault import open_vault


@pytest.fixture(params=["sqlite", "postgres"])
def hq(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hq]:
    yield from hq_on(request.param, tmp_path, FixedClock(STORE_T0))


def print_card(db: Database, member: str, *, reissue: bool = False) -> str:
    """What ``posloyalty codes card`` does: a new token, its digest kept and queued for HQ."""
    payload = codes.make_static(MemberId(member), secrets.token_bytes(codes.TOKEN_BYTES))
    card = codes.parse_scan(payload)
    assert isinstance(card, codes.StaticCardCode)
    record_card(
        db,
        member,
        codes.token_digest(card.token),
        at=db.clock.now(),
        outbox_id=Uuid7(db.clock).new(),
        cashier="c1",
        reissue=reissue,
    )
    return payload


def digest_of(payload: str) -> str:
    card = codes.parse_scan(payload)
    assert isinstance(card, codes.StaticCardCode)
    return codes.token_digest(card.token)


def test_cards_are_registered_at_hq_and_revoked_at_every_till(hq: Hq, tmp_path: Path) -> None:
    (member,) = hq.setup_chain("S1", 1)
    clock = hq.clock
    assert isinstance(clock, FixedClock)
    a = enrolled(hq, tmp_path / "a.sqlite", "S1", clock)
    b = enrolled(hq, tmp_path / "b.sqlite", "S2", clock)
    for db in (a, b):
        client(db).sync()
    first = print_card(a, member)
    seen = identify(first, db=a, vault=None)
    assert isinstance(seen, Identified) and seen.confirmed and seen.by == "static"
    assert client(a).sync().pending == 0
    with hq.db.transaction() as s:
        card = s.get(MemberCard, digest_of(first))
        assert card is not None and (card.member_id, card.store_id) == (member, "S1")
    # A reissue at the till: the old card stops here at once, and everywhere after a pull.
    clock.advance(minutes=1)
    second = print_card(a, member, reissue=True)
    with pytest.raises(IdentifyError) as refused:
        identify(first, db=a, vault=None)
    assert refused.value.reason == "revoked"
    assert client(a).sync().last_error is None
    with hq.db.transaction() as s:
        assert s.get(Revocation, digest_of(first)) is not None
        assert s.get(MemberCard, digest_of(second)) is not None
    client(b).sync()
    counter = Counter(ctx(b), None)
    with pytest.raises(CheckoutError, match="reported lost and is blocked"):
        counter.scan(first)
    # HQ revokes every card of the member (a lost wallet): refused at the till after its pull,
    # with a clear message; before the pull the till still takes it (offline-first).
    assert hq.svc.revoke_cards(member_id=member, reason="lost") == [digest_of(second)]
    assert isinstance(identify(second, db=a, vault=None), Identified)
    client(a).sync()
    counter = Counter(ctx(a), None)
    with pytest.raises(CheckoutError, match="reported lost and is blocked"):
        counter.scan(second)
    # Another store's till, before it pulled: the card is unknown there, so unconfirmed only.
    unknown = Counter(ctx(b), None).scan(second).view.member
    assert unknown is not None and not unknown.confirmed
    client(b).sync()
    with pytest.raises(CheckoutError, match="reported lost and is blocked"):
        Counter(ctx(b), None).scan(second)


def test_a_new_secret_at_hq_stops_the_old_phone_codes_at_the_till(hq: Hq, tmp_path: Path) -> None:
    (member,) = hq.setup_chain("S1", 1)
    clock = hq.clock
    assert isinstance(clock, FixedClock)
    a = enrolled(hq, tmp_path / "a.sqlite", "S1", clock)
    client(a).sync()
    vault = open_vault(a, create=False)
    old_phone = phone_code(hq, member, clock.now())  # made with the secret the phone holds
    hq.svc.rotate_secret(member)
    assert client(a).sync().last_error is None
    with pytest.raises(IdentifyError) as refused:
        identify(old_phone, db=a, vault=vault)
    assert refused.value.reason == "forged"
    new_phone = phone_code(hq, member, clock.now())  # the card page fetches the new secret
    ok = identify(new_phone, db=a, vault=vault)
    assert isinstance(ok, Identified) and ok.may_redeem and ok.member_id == member
