"""Which rule revision applies to a store at an instant.

HQ publishes a revision now or for a later instant, to the whole chain or to some regions
and/or stores. Each publication is a :class:`Publication`; rolling back publishes an earlier
revision again. At a store, the publication in force is the one that reaches the store and
took effect last (publishing order breaks ties); cancelled ones never take effect. A store
(or a chain-wide view, ``store_id=None``) that no publication reaches has none.

A till prices with the revision it last pulled, so a sale may carry a revision that no longer
is in force (the till had not pulled since, or was offline): :func:`accepted` is what HQ
credits a sale under.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Publication", "accepted", "in_force"]


@dataclass(frozen=True, slots=True)
class Publication:
    """Revision (``doc_id``, ``revision``) published as the ``seq``-th publication, taking
    effect at ``effective_at`` in ``stores`` and every store of ``regions`` (both empty: the
    whole chain)."""

    seq: int
    doc_id: str
    revision: int
    effective_at: dt.datetime
    stores: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    cancelled: bool = False
    #: When it was published; ``effective_at`` after it: scheduled for later.
    published_at: dt.datetime | None = None

    @property
    def scheduled(self) -> bool:
        return self.published_at is not None and self.effective_at > self.published_at

    @property
    def chain_wide(self) -> bool:
        return not self.stores and not self.regions

    @property
    def ref(self) -> tuple[str, int]:
        return (self.doc_id, self.revision)

    def reaches(self, store_id: str | None, region: str | None) -> bool:
        """Whether it applies at ``store_id`` (in ``region``); ``None``: chain-wide only."""
        if self.chain_wide:
            return True
        return (store_id is not None and store_id in self.stores) or (
            region is not None and region in self.regions
        )


def in_force(
    publications: Iterable[Publication],
    store_id: str | None,
    region: str | None,
    at: dt.datetime,
) -> Publication | None:
    """The publication that applies at ``store_id`` (in ``region``) at ``at``, or None."""
    best: Publication | None = None
    for p in publications:
        if p.cancelled or p.effective_at > at or not p.reaches(store_id, region):
            continue
        if best is None or (p.effective_at, p.seq) > (best.effective_at, best.seq):
            best = p
    return best


def accepted(
    publications: Iterable[Publication],
    store_id: str,
    region: str | None,
    at: dt.datetime,
) -> frozenset[tuple[str, int]]:
    """The revisions a sale at ``store_id`` (in ``region``) at ``at`` may have been priced
    with: the one in force then, and every one published to the store before (a till keeps
    pricing with what it pulled until it pulls again, offline for days too). Never one that
    was only published to other stores, nor a scheduled one before its instant. A revision
    published for now counts from its publishing even if the sale's clock says a little
    earlier (a till can only have pulled it after it was published)."""
    return frozenset(
        p.ref
        for p in publications
        if not p.cancelled
        and p.reaches(store_id, region)
        and (p.effective_at <= at or not p.scheduled)
    )
