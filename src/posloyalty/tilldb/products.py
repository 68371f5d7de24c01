"""Products by SKU or barcode (the catalogue's searches are in :mod:`.catalogue`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.tilldb.models import Product

__all__ = ["ProductRecord", "product_by_ean", "product_by_sku"]


@dataclass(frozen=True, slots=True)
class ProductRecord:
    sku: str
    ean: str | None
    name: str
    price_fen: int
    category: str
    special_price: bool
    member_price_fen: int | None


def _record(p: Product) -> ProductRecord:
    return ProductRecord(
        p.sku, p.ean, p.name, p.price_fen, p.category, p.special_price, p.member_price_fen
    )


def product_by_sku(session: Session, sku: str) -> ProductRecord | None:
    product = session.get(Product, sku)
    return _record(product) if product is not None else None


def product_by_ean(session: Session, ean: str) -> ProductRecord | None:
    product = session.scalar(select(Product).where(Product.ean == ean))
    return _record(product) if product is not None else None
