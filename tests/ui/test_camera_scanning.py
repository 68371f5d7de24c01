"""Camera scanning, proven without a camera: a video of QR codes played through QMediaPlayer into
the preview's video sink, the same sink the till's camera feeds, goes through the window's one
scan path (member identified, item added), each code once however many frames show it."""

from __future__ import annotations

from pathlib import Path

import qrcode  # type: ignore[import-untyped]  # no stubs shipped (as in devices/qr.py)
from PIL import Image
from pytestqt.qtbot import QtBot
from window_helpers import idle

from posloyalty.devices.camera import CameraStatus, camera_available, qt_multimedia_installed
from posloyalty.terminal.demo_setup import DemoTerminal, demo_dynamic_code
from posloyalty.tilldb.demo import product_ean
from posloyalty.ui.camera import CameraPanel, attach_camera
from posloyalty.ui.cashier_window import CashierWindow
from posloyalty.ui.qt import QUrl
from posloyalty.ui.qt_multimedia import QMediaPlayer


def _video_of(codes: list[str], path: Path, *, frames_each: int = 6) -> Path:
    """An animated GIF (a video FFmpeg plays) showing each code for ``frames_each`` frames of
    100 ms on a camera-sized grey background, with blank frames between codes."""
    frames: list[Image.Image] = []
    blank = Image.new("RGB", (640, 480), (200, 200, 200))
    for code in codes:
        symbol = qrcode.make(code, box_size=5, border=4).convert("RGB")
        frame = blank.copy()
        frame.paste(symbol, ((640 - symbol.width) // 2, (480 - symbol.height) // 2))
        # Each frame differs by one pixel so the GIF keeps them as separate frames.
        for n in range(frames_each):
            shown = frame.copy()
            shown.putpixel((n, 0), (n, n, n))
            frames.append(shown)
        frames.append(blank)
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=1)
    return path


def _play(qtbot: QtBot, panel: CameraPanel, video: Path) -> QMediaPlayer:
    player = QMediaPlayer()
    player.setVideoOutput(panel.preview)
    player.setSource(QUrl.fromLocalFile(str(video)))
    player.play()
    qtbot.waitUntil(
        lambda: player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia, timeout=20_000
    )
    return player


def test_pyside6_ships_qt_multimedia() -> None:
    assert qt_multimedia_installed()
    status = camera_available(video_inputs=lambda: ["USB camera"])
    assert status == CameraStatus(True, "camera: USB camera", ("USB camera",))
    assert not camera_available(video_inputs=lambda: []).available


def test_a_video_of_codes_is_scanned_through_the_window(
    qtbot: QtBot, window: CashierWindow, demo: DemoTerminal, tmp_path: Path
) -> None:
    window.show()
    scans: list[str] = []
    panel = attach_camera(window, window.handle_scan)
    panel.scanner.scanned.connect(scans.append)
    member = demo_dynamic_code(demo.db, demo.vault, "M000000003")
    item = product_ean(2)
    video = _video_of([member, item], tmp_path / "codes.gif")

    player = _play(qtbot, panel, video)
    qtbot.waitUntil(lambda: len(scans) == 2, timeout=10_000)
    idle(qtbot, window)

    assert scans == [member, item]  # six frames each, one scan each
    assert panel.scanner.frames_seen > 2
    assert window.view.member is not None
    assert window.view.member.member_id == "M000000003"
    assert len(window.view.rows) == 1
    player.stop()


def test_the_camera_key_shows_the_preview_and_says_why_there_is_no_camera(
    qtbot: QtBot, window: CashierWindow
) -> None:
    window.show()
    panel = attach_camera(window, window.handle_scan)
    dock = panel.parentWidget()
    assert dock is not None and not dock.isVisible()
    assert panel.toggle is not None and panel.toggle.text() == "Camera"

    panel.toggle.click()  # this machine has no camera

    assert dock.isVisible()
    assert panel.status.text() == "No camera is connected; use the barcode scanner"
    assert not panel.running
    panel.toggle.click()
    assert not dock.isVisible()
