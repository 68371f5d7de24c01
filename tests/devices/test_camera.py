"""Camera frames decoded with zxing-cpp; the availability probe says why scanning is off."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest
from PIL import Image

from posloyalty.devices import camera
from posloyalty.devices.camera import ScanDebouncer, camera_available, decode_frame, decode_gray
from posloyalty.devices.qr import qr_image
from posloyalty.domain import codes
from posloyalty.domain.ids import CouponCode, MemberId, TerminalId

PAYLOADS = [
    codes.make_dynamic(MemberId("M000000001"), b"k" * 32, 1_800_000_000),
    codes.make_static(MemberId("7K2M9QX4ZZ"), b"\x07" * 10),
    codes.make_provisional(TerminalId("T1"), 42),
    codes.make_coupon(CouponCode("WELCOME5")),
]


def _frame(symbol: Image.Image, *, size: int = 640, seed: int = 1) -> Image.Image:
    """A camera-like frame: the symbol scaled down, off-centre, on a noisy grey background."""
    rng = random.Random(seed)
    frame = Image.new("L", (size, size * 3 // 4), 170)
    frame.putdata([rng.randrange(140, 200) for _ in range(frame.width * frame.height)])
    small = symbol.resize(
        (symbol.width * 3 // 4, symbol.height * 3 // 4), Image.Resampling.BILINEAR
    )
    frame.paste(small, (size // 5, size // 10))
    return frame


@pytest.mark.parametrize("payload", PAYLOADS)
def test_generated_codes_decode_to_their_payload(payload: str) -> None:
    assert decode_frame(qr_image(payload)) == [payload]
    assert decode_frame(_frame(qr_image(payload))) == [payload]


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "1", "I;16"])
def test_any_pillow_mode_is_read(mode: str) -> None:
    assert decode_frame(qr_image(PAYLOADS[0]).convert(mode)) == [PAYLOADS[0]]


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_rotated_frames_decode(angle: int) -> None:
    assert decode_frame(_frame(qr_image(PAYLOADS[1])).rotate(angle, expand=True)) == [PAYLOADS[1]]


def test_raw_grey_frames_decode() -> None:
    frame = _frame(qr_image(PAYLOADS[2]))
    assert decode_gray(frame.tobytes(), frame.width, frame.height) == [PAYLOADS[2]]
    with pytest.raises(ValueError, match="bytes"):
        decode_gray(b"\x00" * 10, 4, 4)


def test_two_codes_in_one_frame_and_none() -> None:
    frame = Image.new("L", (900, 450), 255)
    frame.paste(qr_image(PAYLOADS[0]), (10, 10))
    frame.paste(qr_image(PAYLOADS[3]), (470, 10))
    assert sorted(decode_frame(frame)) == sorted([PAYLOADS[0], PAYLOADS[3]])
    assert decode_frame(Image.new("L", (320, 240), 128)) == []
    assert decode_frame(_frame(Image.new("L", (200, 200), 255))) == []


def test_a_code_in_view_is_one_scan_until_it_leaves() -> None:
    bounce = ScanDebouncer(gone_after_s=1.0)
    code = PAYLOADS[0]
    assert bounce.feed([code], 0.0) == [code]
    # 30 frames a second for two seconds: still the same presentation.
    assert all(bounce.feed([code], i / 30) == [] for i in range(1, 60))
    assert bounce.feed([], 2.5) == []
    assert bounce.feed([code, PAYLOADS[1]], 4.0) == [code, PAYLOADS[1]]
    with pytest.raises(ValueError):
        ScanDebouncer(0)


def test_probe_reports_missing_qt_multimedia_plainly() -> None:
    installed = importlib.util.find_spec("PySide6.QtMultimedia") is not None
    assert camera.qt_multimedia_installed() == installed
    status = camera_available(video_inputs=lambda: ["USB camera"])
    if installed:
        assert status.available and status.devices == ("USB camera",)
    else:
        assert not status.available and "QtMultimedia" in status.reason


def test_probe_reports_no_camera(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Decide as if QtMultimedia were installed, to reach the camera check on any machine.
    monkeypatch.setattr(camera, "qt_multimedia_installed", lambda: True)
    status = camera_available(video_inputs=list)
    assert not status.available and "no camera" in status.reason
    if sys.platform.startswith("linux"):
        assert not camera_available(dev_dir=tmp_path).available
        (tmp_path / "video0").touch()
        found = camera_available(dev_dir=tmp_path)
        assert found.available and found.devices == (str(tmp_path / "video0"),)


def test_qimage_frames_decode() -> None:
    # What QtMultimedia hands the UI: QVideoFrame.toImage() gives a QImage (RGB32 / ARGB32).
    qtgui = pytest.importorskip("PySide6.QtGui")
    from posloyalty.devices.qr import qr_png

    image = qtgui.QImage.fromData(qr_png(PAYLOADS[0]))
    assert not image.isNull()
    for fmt in (qtgui.QImage.Format.Format_RGB32, qtgui.QImage.Format.Format_Grayscale8):
        assert decode_frame(image.convertToFormat(fmt)) == [PAYLOADS[0]]
