"""The import point for QtMultimedia (the camera), apart from :mod:`posloyalty.ui.qt`.

Loading QtMultimedia costs the till's start ~30 ms, so it is imported only when a camera is
asked for or present (``ui/camera.py`` imports this module; the launcher imports that lazily).
``scripts/check_layers.py`` lets only this module import ``PySide6.QtMultimedia*``.
"""

from __future__ import annotations

from posloyalty.ui.qt import QLoggingCategory

# QtMultimedia looks for PipeWire when it loads and says so on stderr where there is none (a
# till without a desktop session); that is not an error for a till, so the category is quiet.
# QT_LOGGING_RULES in the environment still overrides this.
QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver=false")

from PySide6.QtMultimedia import (  # noqa: E402
    QCamera,
    QMediaCaptureSession,
    QMediaDevices,
    QMediaPlayer,
    QVideoFrame,
    QVideoSink,
)
from PySide6.QtMultimediaWidgets import QVideoWidget  # noqa: E402

__all__ = [
    "QCamera",
    "QMediaCaptureSession",
    "QMediaDevices",
    "QMediaPlayer",
    "QVideoFrame",
    "QVideoSink",
    "QVideoWidget",
]
