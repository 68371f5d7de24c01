"""Import the catalog and the member directory from CSV or JSON, all or nothing.

Every row is validated before anything is written; the first bad row raises
:class:`StoreDataError` naming the file, the row and the field, and nothing is stored. Rows with
a known key (SKU, member id) replace the stored record; members keep their ledger and caches.

CSV: UTF-8 (a BOM is fine) with a header row. JSON: a list of objects, or an object holding the
list under ``"products"`` / ``"members"``. Money is given in yuan as text ("12.30").
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import text

from posloyalty.domain.money import MoneyError, parse_yuan
from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.privacy import mask_phone, normalize_phone
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreDataError, translate
from posloyalty.tilldb.repo import ensure_phone_key, hash_phone
from posloyalty.tilldb.types import format_ts, month_day_text

CATALOG_FIELDS = ("sku", "ean", "name", "price", "category", "special_price", "member_price")
CATALOG_REQUIRED = ("sku", "name", "price")
MEMBER_FIELDS = (
    "id",
    "phone",
    "display_name",
    "tier",
    "growth",
    "birthday",
    "registered_at",
    "hq_version",
)
MEMBER_REQUIRED = ("id", "phone", "tier")

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}


class _Row:
    """One input row: typed field access whose errors name file, row and field."""

    def __init__(self, source: str, number: int, data: Mapping[str, Any]) -> None:
        self.source = source
        self.number = number
        self.data = data

    def error(self, field: str, problem: str) -> StoreDataError:
        return StoreDataError(f"{self.source}: row {self.number}, field {field!r}: {problem}")

    def raw(self, field: str, required: bool) -> Any:
        value = self.data.get(field)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if required:
                return self._missing(field)
            return None
        return value

    def _missing(self, field: str) -> Any:
        raise self.error(field, "is required")

    def text_(self, field: str, *, required: bool = False, default: str = "") -> str:
        value = self.raw(field, required)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.error(field, f"must be text, got {value!r}")
        return value

    def key(self, field: str) -> str:
        value = self.text_(field, required=True)
        if not _KEY_RE.match(value):
            raise self.error(field, f"{value!r} is not a valid id (letters, digits, . _ : -)")
        return value

    def money(self, field: str, *, required: bool = False) -> int | None:
        value = self.raw(field, required)
        if value is None:
            return None
        try:
            return parse_yuan(value, what=field)
        except MoneyError as exc:
            raise self.error(field, str(exc).split(": ", 1)[-1]) from None

    def integer(self, field: str, default: int = 0) -> int:
        value = self.raw(field, False)
        if value is None:
            return default
        if isinstance(value, str) and re.fullmatch(r"\d{1,15}", value):
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise self.error(field, f"must be a whole number of 0 or more, got {value!r}")

    def flag(self, field: str) -> bool:
        value = self.raw(field, False)
        if value is None or isinstance(value, bool):
            return bool(value)
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise self.error(field, f"must be true or false, got {value!r}")

    def month_day(self, field: str) -> str | None:
        """A birthday as stored (``MM-DD``) from ``YYYY-MM-DD`` or ``MM-DD``: no year kept."""
        value = self.text_(field) or None
        if value is None:
            return None
        try:
            if len(value) == 5:
                return MonthDay.parse(value).isoformat()
            return month_day_text(dt.date.fromisoformat(value))
        except ValueError:
            raise self.error(field, f"{value!r} is not a date (YYYY-MM-DD or MM-DD)") from None

    def instant(self, field: str, default: dt.datetime) -> str:
        value = self.text_(field) or None
        if value is None:
            return format_ts(default)
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise self.error(field, f"{value!r} is not an ISO date-time") from None
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            raise self.error(field, f"{value!r} has no time zone (add Z or +08:00)")
        return format_ts(parsed)


def _rows(
    path: Path, fields: tuple[str, ...], required: tuple[str, ...], key: str
) -> Iterator[_Row]:
    source = str(path)
    suffix = path.suffix.lower()
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, IsADirectoryError):
        raise StoreDataError(f"{source}: no such file") from None
    except OSError as exc:
        raise translate(exc, source) or exc from None
    except UnicodeDecodeError:
        raise StoreDataError(f"{source}: not UTF-8 text") from None
    if suffix == ".csv":
        reader = csv.DictReader(content.splitlines())
        header = reader.fieldnames or []
        unknown = [h for h in header if h not in fields]
        if unknown:
            raise StoreDataError(
                f"{source}: unknown column(s) {', '.join(map(repr, unknown))}; "
                f"expected {', '.join(fields)}"
            )
        missing = [f for f in required if f not in header]
        if missing:
            raise StoreDataError(f"{source}: missing column(s) {', '.join(map(repr, missing))}")
        for number, record in enumerate(reader, 1):
            if None in record:
                raise StoreDataError(f"{source}: row {number}: more values than columns")
            yield _Row(source, number, record)
    elif suffix == ".json":
        try:
            doc = json.loads(content)
        except json.JSONDecodeError as exc:
            raise StoreDataError(f"{source}: not valid JSON ({exc})") from None
        if isinstance(doc, dict) and isinstance(doc.get(key), list):
            doc = doc[key]
        if not isinstance(doc, list):
            raise StoreDataError(f'{source}: expected a list of objects (or {{"{key}": [...]}})')
        for number, record in enumerate(doc, 1):
            if not isinstance(record, dict):
                raise StoreDataError(f"{source}: row {number}: expected an object")
            unknown = [k for k in record if k not in fields]
            if unknown:
                raise StoreDataError(f"{source}: row {number}: unknown field {unknown[0]!r}")
            yield _Row(source, number, record)
    else:
        raise StoreDataError(f"{source}: give a .csv or .json file")


def _ean_ok(ean: str) -> bool:
    if not re.fullmatch(r"\d{8}|\d{12,14}", ean):
        return False
    digits = [int(d) for d in ean]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def import_catalog(db: Database, path: str | Path) -> int:
    """Validate and store products from ``path``; returns the number of rows imported."""
    path = Path(path)
    products: list[tuple[object, ...]] = []
    seen_sku: dict[str, int] = {}
    seen_ean: dict[str, int] = {}
    rows: list[_Row] = []
    for row in _rows(path, CATALOG_FIELDS, CATALOG_REQUIRED, "products"):
        sku = row.key("sku")
        if sku in seen_sku:
            raise row.error("sku", f"{sku!r} already appears in row {seen_sku[sku]}")
        seen_sku[sku] = row.number
        ean = row.text_("ean") or None
        if ean is not None:
            if not _ean_ok(ean):
                raise row.error("ean", f"{ean!r} is not a valid EAN/GTIN (digits, check digit)")
            if ean in seen_ean:
                raise row.error("ean", f"{ean!r} already appears in row {seen_ean[ean]}")
            seen_ean[ean] = row.number
        name = row.text_("name", required=True)
        price = row.money("price", required=True)
        category = row.text_("category")
        special = row.flag("special_price")
        member_price = row.money("member_price")
        if member_price is not None and price is not None and member_price > price:
            raise row.error("member_price", "is above the regular price")
        products.append((sku, ean, name, price, category, special, member_price))
        rows.append(row)
    with db.write() as session:
        conn = session.connection()
        for row in rows:
            sku, ean = row.text_("sku"), row.text_("ean") or None
            if ean is None:
                continue
            holder = conn.execute(
                text("SELECT sku FROM products WHERE ean = :ean AND sku <> :sku"),
                {"ean": ean, "sku": sku},
            ).scalar()
            if holder is not None:
                raise row.error("ean", f"{ean!r} already belongs to stored product {holder!r}")
        conn.exec_driver_sql(
            "INSERT INTO products (sku, ean, name, price_fen, category, special_price,"
            " member_price_fen) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (sku) DO UPDATE SET ean = excluded.ean, name = excluded.name,"
            " price_fen = excluded.price_fen, category = excluded.category,"
            " special_price = excluded.special_price, member_price_fen = excluded.member_price_fen",
            products,
        )
    return len(products)


def import_members(db: Database, path: str | Path) -> int:
    """Validate and store members from ``path``; returns the number of rows imported.

    The full phone number is only used to derive the masked form and the keyed hash.
    """
    path = Path(path)
    now = db.clock.now()
    parsed: list[tuple[_Row, dict[str, object]]] = []
    seen: dict[str, int] = {}
    for row in _rows(path, MEMBER_FIELDS, MEMBER_REQUIRED, "members"):
        member_id = row.key("id")
        if member_id in seen:
            raise row.error("id", f"{member_id!r} already appears in row {seen[member_id]}")
        seen[member_id] = row.number
        phone = row.text_("phone", required=True)
        try:
            masked = mask_phone(normalize_phone(phone))
        except ValueError:
            raise row.error("phone", "is not a phone number (6 to 15 digits)") from None
        parsed.append(
            (
                row,
                {
                    "id": member_id,
                    "phone": phone,
                    "phone_masked": masked,
                    "display_name": row.text_("display_name"),
                    "tier": row.key("tier"),
                    "growth": row.integer("growth"),
                    "birthday": row.month_day("birthday"),
                    "registered_at": row.instant("registered_at", now),
                    "hq_version": row.integer("hq_version"),
                },
            )
        )
    with db.write() as session:
        key = ensure_phone_key(session)
        values = []
        for _, m in parsed:
            phone = str(m.pop("phone"))
            values.append({**m, "phone_hash": hash_phone(key, phone)})
        session.connection().execute(
            text(
                "INSERT INTO members (id, phone_masked, phone_hash, display_name, tier, growth,"
                " cached_points, cached_pending, birthday, last_purchase_at, registered_at,"
                " hq_version, provisional) VALUES (:id, :phone_masked, :phone_hash,"
                " :display_name, :tier, :growth, 0, 0, :birthday, NULL, :registered_at,"
                " :hq_version, 0)"
                " ON CONFLICT (id) DO UPDATE SET phone_masked = excluded.phone_masked,"
                " phone_hash = excluded.phone_hash, display_name = excluded.display_name,"
                " tier = excluded.tier, growth = excluded.growth, birthday = excluded.birthday,"
                " registered_at = excluded.registered_at, hq_version = excluded.hq_version,"
                " provisional = 0"
            ),
            values,
        )
    return len(parsed)
