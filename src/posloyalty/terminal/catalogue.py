"""Product search and the favourites grid for the counter (touch): what a typed part of a
name, SKU or barcode finds, the store's favourite items, and a tapped product added to the
sale. The window runs these on its worker; the queries are :mod:`posloyalty.tilldb.catalogue`.
"""

from __future__ import annotations

import datetime as dt

from posloyalty.terminal.checkout import State
from posloyalty.terminal.context import TerminalContext
from posloyalty.terminal.counter import Counter, ScanResult
from posloyalty.terminal.errors import CheckoutError, StorageRefused
from posloyalty.tilldb import catalogue
from posloyalty.tilldb.catalogue import ProductHit
from posloyalty.tilldb.errors import StoreError

__all__ = [
    "FAVOURITES",
    "FAVOURITE_DAYS",
    "MIN_SEARCH",
    "ProductHit",
    "add_product",
    "favourites",
    "search",
]

#: The favourites grid: this many items, the most sold over this many days.
FAVOURITES = 20
FAVOURITE_DAYS = 30
#: A search needs this many characters (one character matches half the catalogue).
MIN_SEARCH = 2


def search(ctx: TerminalContext, text: str, *, limit: int = 30) -> tuple[ProductHit, ...]:
    """Products for part of a name, SKU or barcode (:func:`catalogue.search_products`)."""
    words = " ".join(text.split())
    if len(words) < MIN_SEARCH:
        raise CheckoutError(f"type at least {MIN_SEARCH} characters of the name or code")
    try:
        with ctx.db.read() as session:
            return catalogue.search_products(session, words, limit=limit)
    except StoreError as exc:
        raise StorageRefused(f"cannot read the catalogue: {exc}") from None


def favourites(ctx: TerminalContext) -> tuple[ProductHit, ...]:
    """The favourites grid: the configured list, else the most sold lately."""
    since = ctx.now() - dt.timedelta(days=FAVOURITE_DAYS)
    try:
        with ctx.db.read() as session:
            return catalogue.favourite_products(session, since=since, limit=FAVOURITES)
    except StoreError as exc:
        raise StorageRefused(f"cannot read the catalogue: {exc}") from None


def add_product(counter: Counter, sku: str) -> ScanResult:
    """One of ``sku`` added to the sale (a finished sale makes way for a new one), as a scan
    of its code would; refused while the sale is being paid."""
    if counter.session.state is State.PAYING:
        raise CheckoutError("payment has started: go back to the basket to add an item")
    if counter.session.state in (State.COMMITTED, State.CANCELLED):
        counter.new_sale()
    index = counter.session.scan(sku)
    return ScanResult("product", counter.session.lines[index].name, counter.view())
