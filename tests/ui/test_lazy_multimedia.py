"""QtMultimedia (the camera) loads only when a camera is asked for (issue 11: ~30 ms of the
till's start): the window and the launcher do not import it."""

from __future__ import annotations

import subprocess
import sys


def _loaded_after(code: str) -> bool:
    probe = f"{code}\nimport sys\nprint('PySide6.QtMultimedia' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip().splitlines()[-1] == "True"


def test_the_till_starts_without_qt_multimedia() -> None:
    assert not _loaded_after(
        "import posloyalty.ui.app, posloyalty.ui.cashier_window, posloyalty.ui.dialogs"
    )


def test_the_camera_brings_it() -> None:
    assert _loaded_after("import posloyalty.ui.camera")
