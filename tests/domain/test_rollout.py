"""Which rule revision applies to a store at an instant (domain.rollout.in_force)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from posloyalty.domain.rollout import Publication, accepted, in_force

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def at(hours: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def pub(
    seq: int,
    revision: int,
    hours: int = 0,
    *,
    stores: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    cancelled: bool = False,
    published: int | None = None,
) -> Publication:
    """Published at ``published`` hours (default: when it takes effect)."""
    return Publication(
        seq,
        "miniso",
        revision,
        at(hours),
        frozenset(stores),
        frozenset(regions),
        cancelled,
        at(hours if published is None else published),
    )


def ref(p: Publication | None) -> int | None:
    return None if p is None else p.revision


def test_nothing_published_nothing_applies() -> None:
    assert in_force([], "S1", "east", at(0)) is None


def test_a_chain_wide_revision_applies_everywhere_from_its_instant() -> None:
    pubs = [pub(1, 1, 0), pub(2, 2, 10)]
    assert ref(in_force(pubs, "S1", None, at(9))) == 1
    assert ref(in_force(pubs, "S1", None, at(10))) == 2
    assert ref(in_force(pubs, None, None, at(10))) == 2
    assert in_force(pubs, "S1", None, at(-1)) is None


def test_a_scoped_revision_applies_only_in_its_stores_and_regions() -> None:
    pubs = [pub(1, 1, 0), pub(2, 2, 1, stores=("S2",)), pub(3, 3, 2, regions=("east",))]
    assert ref(in_force(pubs, "S1", None, at(5))) == 1
    assert ref(in_force(pubs, "S2", None, at(5))) == 2
    assert ref(in_force(pubs, "S3", "east", at(5))) == 3
    assert ref(in_force(pubs, "S2", "east", at(5))) == 3  # the later one reaching S2
    assert ref(in_force(pubs, None, None, at(5))) == 1  # the chain-wide view


def test_a_later_chain_wide_publication_overrides_a_store_scope() -> None:
    pubs = [pub(1, 1, 0), pub(2, 2, 1, stores=("S2",)), pub(3, 3, 2)]
    assert ref(in_force(pubs, "S2", None, at(1))) == 2
    assert ref(in_force(pubs, "S2", None, at(2))) == 3


def test_a_cancelled_schedule_never_takes_effect() -> None:
    pubs = [pub(1, 1, 0), pub(2, 2, 5, cancelled=True)]
    assert ref(in_force(pubs, "S1", None, at(6))) == 1


def test_rolling_back_publishes_the_earlier_revision_again() -> None:
    pubs = [pub(1, 1, 0), pub(2, 2, 1), pub(3, 1, 2)]
    assert ref(in_force(pubs, "S1", None, at(1))) == 2
    assert ref(in_force(pubs, "S1", None, at(2))) == 1


def test_same_instant_the_later_publication_wins() -> None:
    pubs = [pub(2, 2, 3), pub(1, 1, 3)]
    assert ref(in_force(pubs, "S1", None, at(3))) == 2


def test_a_sale_may_carry_what_was_published_to_its_store_by_then() -> None:
    pubs = [
        pub(1, 1, 0),
        pub(2, 2, 5),  # superseded revision 1 at 5: a till that had not pulled yet still may
        pub(3, 3, 6, stores=("S2",)),  # never S1's
        pub(4, 4, 20, published=7),  # scheduled at 7 for 20
        pub(5, 5, 30, published=8, cancelled=True),
    ]
    assert accepted(pubs, "S1", None, at(10)) == {("miniso", 1), ("miniso", 2)}
    assert accepted(pubs, "S2", None, at(10)) == {("miniso", 1), ("miniso", 2), ("miniso", 3)}
    assert accepted(pubs, "S1", None, at(20)) == {("miniso", 1), ("miniso", 2), ("miniso", 4)}
    # A till's clock a little behind HQ's: a revision published for now is no scheduled one.
    assert ("miniso", 2) in accepted(pubs, "S1", None, at(4))
    assert ("miniso", 5) not in accepted(pubs, "S1", None, at(40))


publications = st.lists(
    st.builds(
        pub,
        seq=st.integers(0, 10**6),
        revision=st.integers(1, 9),
        hours=st.integers(0, 48),
        stores=st.lists(st.sampled_from(["S1", "S2", "S3"]), max_size=2).map(tuple),
        regions=st.lists(st.sampled_from(["east", "west"]), max_size=1).map(tuple),
        cancelled=st.booleans(),
        published=st.none() | st.integers(0, 48),
    ),
    max_size=12,
    unique_by=lambda p: p.seq,
)
stores = st.sampled_from([("S1", "east"), ("S2", "west"), ("S3", None), (None, None)])


@given(publications, stores, st.integers(-1, 50))
def test_the_answer_reaches_the_store_and_is_the_latest_that_does(
    pubs: list[Publication], store: tuple[str | None, str | None], hours: int
) -> None:
    found = in_force(pubs, *store, at(hours))
    eligible = [
        p for p in pubs if not p.cancelled and p.effective_at <= at(hours) and p.reaches(*store)
    ]
    if found is None:
        assert not eligible
        return
    assert found in eligible
    assert all((p.effective_at, p.seq) <= (found.effective_at, found.seq) for p in eligible)


@given(publications, stores, st.integers(-1, 50))
def test_the_order_publications_are_read_in_does_not_matter(
    pubs: list[Publication], store: tuple[str | None, str | None], hours: int
) -> None:
    assert in_force(pubs, *store, at(hours)) == in_force(pubs[::-1], *store, at(hours))


@given(publications, st.integers(-1, 50))
def test_publications_for_other_stores_change_nothing_here(
    pubs: list[Publication], hours: int
) -> None:
    elsewhere = pub(10**7, 99, 0, stores=("S9",), regions=("north",))
    assert in_force([*pubs, elsewhere], "S1", "east", at(hours)) == in_force(
        pubs, "S1", "east", at(hours)
    )


@given(publications, st.sampled_from([("S1", "east"), ("S2", "west")]), st.integers(-1, 50))
def test_the_revision_in_force_is_accepted_and_others_stores_are_not(
    pubs: list[Publication], store: tuple[str, str], hours: int
) -> None:
    ok = accepted(pubs, *store, at(hours))
    found = in_force(pubs, *store, at(hours))
    if found is not None:
        assert found.ref in ok
    for ref_ in ok:
        assert any(p.ref == ref_ and p.reaches(*store) and not p.cancelled for p in pubs)
