"""Catalog and member import: row-by-row validation, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from posloyalty.domain.privacy import mask_phone, normalize_phone
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.importer import import_catalog, import_members

CATALOG_CSV = """sku,ean,name,price,category,special_price,member_price
A1,6901234567892,Apple,3.50,food,false,3.00
A2,,Pear,4,food,yes,
A3,96385074,Pen,12.30,stationery,,
"""


def _products(db: Database) -> dict[str, tuple[object, ...]]:
    with db.read() as session:
        conn = session.connection()
        rows = conn.exec_driver_sql(
            "SELECT sku, ean, name, price_fen, category, special_price, member_price_fen"
            " FROM products"
        ).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def test_catalog_csv_and_json(db: Database, tmp_path: Path) -> None:
    csv_file = tmp_path / "catalog.csv"
    csv_file.write_text("\ufeff" + CATALOG_CSV, encoding="utf-8")
    assert import_catalog(db, csv_file) == 3
    assert _products(db) == {
        "A1": ("6901234567892", "Apple", 350, "food", 0, 300),
        "A2": (None, "Pear", 400, "food", 1, None),
        "A3": ("96385074", "Pen", 1230, "stationery", 0, None),
    }
    json_file = tmp_path / "catalog.json"
    json_file.write_text(
        json.dumps(
            {
                "products": [
                    {"sku": "A2", "name": "Big pear", "price": "5.10", "special_price": False}
                ]
            }
        )
    )
    assert import_catalog(db, json_file) == 1
    assert _products(db)["A2"] == (None, "Big pear", 510, "", 0, None)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("B1,,Thing,12.345,,,", "row 2, field 'price': '12.345' has more than two decimals"),
        ("B1,,Thing,-1,,,", "row 2, field 'price': '-1' is negative"),
        ("B1,,,1,,,", "row 2, field 'name': is required"),
        ("B1,6901234567890,Thing,1,,,", "row 2, field 'ean'"),
        ("B1,,Thing,1,,maybe,", "row 2, field 'special_price'"),
        ("B1,,Thing,1,,,2", "row 2, field 'member_price': is above the regular price"),
        ("A1,,Thing,1,,,", "row 2, field 'sku': 'A1' already appears in row 1"),
        ("B 1,,Thing,1,,,", "row 2, field 'sku'"),
        ("B1,,Thing,1,,,,extra", "row 2: more values than columns"),
    ],
)
def test_a_bad_catalog_row_imports_nothing(
    db: Database, tmp_path: Path, row: str, message: str
) -> None:
    existing = tmp_path / "existing.csv"
    existing.write_text("sku,name,price\nZ9,Old,1.00\n")
    import_catalog(db, existing)
    before = _products(db)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "sku,ean,name,price,category,special_price,member_price\n"
        f"A1,,Good,1.00,,,\n{row}\nA9,,Also good,2.00,,,\n"
    )
    with pytest.raises(StoreDataError) as info:
        import_catalog(db, bad)
    assert str(info.value).startswith(f"{bad}: ")
    assert message in str(info.value)
    assert _products(db) == before


def test_an_ean_held_by_another_stored_product_imports_nothing(
    db: Database, tmp_path: Path
) -> None:
    first = tmp_path / "a.csv"
    first.write_text("sku,ean,name,price\nA1,6901234567892,Apple,1\n")
    import_catalog(db, first)
    second = tmp_path / "b.json"
    second.write_text(
        json.dumps(
            [
                {"sku": "B1", "name": "Fine", "price": "1"},
                {"sku": "B2", "ean": "6901234567892", "name": "Clash", "price": "1"},
            ]
        )
    )
    with pytest.raises(StoreDataError, match=r"row 2, field 'ean'.*belongs to stored product 'A1'"):
        import_catalog(db, second)
    assert set(_products(db)) == {"A1"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sku,name\nA1,x\n", "missing column(s) 'price'"),
        ("sku,name,price,colour\n", "unknown column(s) 'colour'"),
        ('[{"sku": "A1", "name": "x", "price": 3.5}]', "is a float"),
        ('{"sku": "A1"}', "expected a list of objects"),
        ("[1]", "row 1: expected an object"),
        ("{not json", "not valid JSON"),
    ],
)
def test_bad_files_are_named(db: Database, tmp_path: Path, content: str, message: str) -> None:
    suffix = ".csv" if content.startswith("sku") else ".json"
    path = tmp_path / f"f{suffix}"
    path.write_text(content)
    with pytest.raises(StoreDataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_catalog(db, path)
    assert _products(db) == {}


def test_wrong_suffix_and_missing_file(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "catalog.xlsx"
    path.write_text("x")
    with pytest.raises(StoreDataError, match=r"\.csv or \.json"):
        import_catalog(db, path)
    with pytest.raises(StoreDataError, match="no such file"):
        import_catalog(db, tmp_path / "missing.csv")


MEMBERS_CSV = """id,phone,display_name,tier,growth,birthday,registered_at,hq_version
M1,13812345678,王芳,gold,1200,1990-05-17,2024-01-02T10:00:00+08:00,3
M2,+86 139 0000 0001,,regular,,,,
"""


def test_members_import_masks_and_hashes_phones(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "members.csv"
    path.write_text(MEMBERS_CSV, encoding="utf-8")
    assert import_members(db, path) == 2
    with db.read() as session:
        m1 = repo.member_by_id(session, "M1")
        assert m1 is not None
        assert (m1.phone_masked, m1.tier, m1.growth, m1.hq_version) == (
            "138****5678",
            "gold",
            1200,
            3,
        )
        assert (
            m1.birthday is not None and m1.birthday.isoformat() == "05-17"
        )  # the year is not kept
        assert m1.registered_at.isoformat() == "2024-01-02T02:00:00+00:00"
        m2 = repo.member_by_id(session, "M2")
        assert m2 is not None and m2.registered_at == db.clock.now()
        assert [m.id for m in repo.members_by_phone(session, "13900000001")] == ["M2"]
    db.close()
    assert b"13812345678" not in db_path.read_bytes()


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("+86 138 1234 5678", "138****5678"),
        ("0086-138-1234-5678", "138****5678"),
        ("85212345", "****2345"),
    ],
)
def test_imported_phones_mask_as_everywhere_else(
    db: Database, tmp_path: Path, phone: str, stored: str
) -> None:
    """One masking (domain.privacy) for the till's import, the till's registration and HQ:
    the number is normalised, then masked. Before, the importer had its own masking, which
    showed five of eight digits (``852*2345``)."""
    path = tmp_path / "members.csv"
    path.write_text(f"id,phone,tier\nM9,{phone},gold\n", encoding="utf-8")
    assert import_members(db, path) == 1
    with db.read() as session:
        member = repo.member_by_id(session, "M9")
        assert member is not None
        assert member.phone_masked == stored == mask_phone(normalize_phone(phone))


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("M3,12ab,,gold,,,,", "row 2, field 'phone'"),
        ("M3,13812345670,,,,,,", "row 2, field 'tier': is required"),
        ("M3,13812345670,,gold,-5,,,", "row 2, field 'growth'"),
        ("M3,13812345670,,gold,,1990-02-30,,", "row 2, field 'birthday'"),
        ("M3,13812345670,,gold,,,2024-01-02T10:00:00,", "row 2, field 'registered_at': "),
        ("M1,13812345670,,gold,,,,", "row 2, field 'id': 'M1' already appears in row 1"),
    ],
)
def test_a_bad_member_row_imports_nothing(
    db: Database, tmp_path: Path, row: str, message: str
) -> None:
    path = tmp_path / "members.csv"
    path.write_text(
        "id,phone,display_name,tier,growth,birthday,registered_at,hq_version\n"
        f"M1,13812345678,,gold,,,,\n{row}\n"
    )
    with pytest.raises(StoreDataError) as info:
        import_members(db, path)
    assert message in str(info.value)
    with db.read() as session:
        assert repo.table_counts(session)["members"] == 0
