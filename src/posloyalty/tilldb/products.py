"""Products by SKU or barcode (the catalogue's searches are in :mod:`.catalogue`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.tilldb.models import Product

__all__ = ["product_by_ean", "product_by_sku"]


def product_by_sku(session: Session, sku: str) -> Product | None:
    return session.get(Product, sku)


def product_by_ean(session: Session, ean: str) -> Product | None:
    return session.scalar(select(Product).where(Product.ean == ean))
