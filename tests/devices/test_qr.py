"""QR images and member cards, checked by an independent decoder (zxing-cpp)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
import qrcode.util  # type: ignore[import-untyped]  # no stubs shipped (as in devices/qr.py)
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from posloyalty.devices import qr
from posloyalty.domain.codes import (
    MAX_PAYLOAD,
    QR_ALPHANUMERIC,
    make_coupon,
    make_dynamic,
    make_provisional,
    make_static,
    parse_scan,
)
from posloyalty.domain.ids import CouponCode, MemberId, TerminalId


def _decode(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    results = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    return [r.text for r in results]


PAYLOADS = [
    make_dynamic(MemberId("7K2M9QX4"), b"k" * 32, 1_800_000_000),
    make_dynamic(MemberId("Z" * 16), b"k" * 32, 1_800_000_000),
    make_static(MemberId("Z" * 16), b"\xff" * 10),
    make_provisional(TerminalId("STORE01T02"), 123_456),
    make_coupon(CouponCode("NEWMEMBER2026")),
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_generated_codes_decode_to_the_exact_payload(payload: str) -> None:
    assert len(payload) <= MAX_PAYLOAD
    assert _decode(qr.qr_png(payload)) == [payload]
    assert parse_scan(payload).payload == payload


@settings(max_examples=40)
@given(st.text(alphabet=sorted(QR_ALPHANUMERIC), min_size=1, max_size=MAX_PAYLOAD))
def test_any_alphanumeric_payload_decodes_exactly(payload: str) -> None:
    assert _decode(qr.qr_png(payload, box_size=4)) == [payload]


def test_symbols_use_alphanumeric_mode_and_stay_small() -> None:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    payload = "Z" * MAX_PAYLOAD
    code.add_data(qrcode.util.QRData(payload.encode(), mode=qrcode.util.MODE_ALPHA_NUM))
    code.make(fit=True)
    assert code.version <= 3
    # What qr_image draws is that symbol: version 3 is 29 modules plus a 4-module quiet zone.
    image = qr.qr_image(payload, box_size=1, border=4)
    assert image.size == (29 + 8, 29 + 8)
    decoded = zxingcpp.read_barcodes(qr.qr_image(payload))
    assert decoded[0].symbology_identifier == "]Q1"
    assert decoded[0].text == payload


@pytest.mark.parametrize("bad", ["", "lower", "A" * (MAX_PAYLOAD + 1), "会员", "A#B"])
def test_payloads_outside_the_alphanumeric_set_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="alphanumeric"):
        qr.qr_png(bad)


def test_member_card_carries_a_decodable_qr(caplog: pytest.LogCaptureFixture) -> None:
    payload = PAYLOADS[2]
    with caplog.at_level(logging.WARNING):
        png = qr.member_card_png(payload, "A**** S****", "GOLD")
    image = Image.open(io.BytesIO(png))
    assert image.size == qr.CARD_SIZE
    assert _decode(png) == [payload]


def test_member_card_with_chinese_text_renders(tmp_path: Path) -> None:
    png = qr.member_card_png(PAYLOADS[2], "张**", "金卡会员", font_path=tmp_path / "missing.ttc")
    assert _decode(png) == [PAYLOADS[2]]


def test_find_cjk_font_looks_at_candidates(tmp_path: Path) -> None:
    font = tmp_path / "NotoSansCJK-Regular.ttc"
    assert qr.find_cjk_font([font], use_fontconfig=False) is None
    font.write_bytes(b"not really a font")
    assert qr.find_cjk_font([tmp_path / "absent.ttf", font], use_fontconfig=False) == font


def test_unloadable_font_falls_back_with_a_note(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"garbage")
    with caplog.at_level(logging.WARNING, logger="posloyalty.devices.qr"):
        png = qr.member_card_png(PAYLOADS[0], "A***", "SILVER", font_path=broken)
    assert _decode(png) == [PAYLOADS[0]]
    assert "default font" in caplog.text
