"""Catalogue queries for the counter's touch keys: products found by part of a name, SKU or
barcode, and the favourites grid (a configured list, else the store's most sold items). A
stored sale read back whole for a receipt copy is :func:`.repo.sale_by_receipt`.

Functions take the session of a ``db.read()`` / ``db.write()`` block and never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from posloyalty.tilldb import repo
from posloyalty.tilldb.models import Product, Sale, SaleLine

__all__ = [
    "FAVOURITES_KEY",
    "ProductHit",
    "configured_favourites",
    "favourite_products",
    "search_products",
    "set_favourites",
]

#: Setting naming the favourites grid's SKUs in order (comma-separated); unset or empty:
#: the store's most sold items.
FAVOURITES_KEY = "favourite_skus"


@dataclass(frozen=True, slots=True)
class ProductHit:
    sku: str
    ean: str | None
    name: str
    price_fen: int


def _hit(p: Product) -> ProductHit:
    return ProductHit(p.sku, p.ean, p.name, p.price_fen)


def _like(text: str) -> str:
    """``text`` as a LIKE pattern's literal part (``\\`` escapes the wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_products(session: Session, text: str, *, limit: int = 30) -> tuple[ProductHit, ...]:
    """Products whose name contains ``text`` or whose SKU or barcode starts with it (any
    case), best first: an exact code, the exact name, names that start with it, names that
    hold it as whole words ("item 1" in "Drink item 1", not in "Drink item 12"), codes that
    start with it, then the rest; within each, shorter names first, then by name.
    Blank ``text`` finds nothing."""
    words = text.strip()
    if not words:
        return ()
    lit = _like(words.casefold())
    name = func.lower(Product.name)
    code_prefix = or_(
        func.lower(Product.sku).like(f"{lit}%", escape="\\"),
        Product.ean.like(f"{lit}%", escape="\\"),
    )
    whole_word = or_(name.like(f"% {lit}", escape="\\"), name.like(f"% {lit} %", escape="\\"))
    rank = case(
        (or_(func.lower(Product.sku) == words.casefold(), Product.ean == words), 0),
        (name == words.casefold(), 1),
        (name.like(f"{lit}%", escape="\\"), 2),
        (whole_word, 3),
        (code_prefix, 4),
        else_=5,
    )
    query = (
        select(Product)
        .where(or_(name.like(f"%{lit}%", escape="\\"), code_prefix))
        .order_by(rank, func.length(Product.name), Product.name, Product.sku)
        .limit(limit)
    )
    return tuple(_hit(p) for p in session.scalars(query))


def configured_favourites(session: Session) -> tuple[str, ...]:
    value = repo.get_setting(session, FAVOURITES_KEY) or ""
    return tuple(s for s in (part.strip() for part in value.split(",")) if s)


def set_favourites(session: Session, skus: tuple[str, ...]) -> None:
    """Configure the favourites grid (empty: the most sold items); unknown SKUs refused."""
    known = set(session.scalars(select(Product.sku).where(Product.sku.in_(skus))))
    unknown = [s for s in skus if s not in known]
    if unknown:
        raise ValueError(f"unknown product code {', '.join(unknown)}")
    repo.set_setting(session, FAVOURITES_KEY, ",".join(skus))


def favourite_products(
    session: Session, *, since: dt.datetime, limit: int = 20
) -> tuple[ProductHit, ...]:
    """The favourites grid: the configured SKUs in their order, else the products most sold
    (by quantity, returns not counted) since ``since``, then by name."""
    configured = configured_favourites(session)
    if configured:
        found = {
            p.sku: p for p in session.scalars(select(Product).where(Product.sku.in_(configured)))
        }
        return tuple(_hit(found[s]) for s in configured if s in found)[:limit]
    sold = func.sum(SaleLine.qty)
    query = (
        select(Product, sold)
        .join(SaleLine, SaleLine.sku == Product.sku)
        .join(
            Sale,
            and_(
                Sale.id == SaleLine.sale,
                Sale.status == "committed",
                Sale.original_sale_id.is_(None),
                Sale.at >= since,
            ),
        )
        .group_by(Product.sku)
        .order_by(sold.desc(), Product.name)
        .limit(limit)
    )
    return tuple(_hit(p) for p, _qty in session.execute(query))
