"""Camera scanning at the counter: a preview beside the sale, and its frames turned into scans.

The preview is a ``QVideoWidget``; :class:`CameraScanner` listens to that widget's video sink, so
whatever plays into it (the till's camera, or a video file in the tests) is scanned the same
way. At most one frame is decoded at a time, on the scanner's own worker thread (frames that
arrive meanwhile are dropped: the next one shows the same code); a code held in view is one
scan (:class:`~posloyalty.devices.camera.ScanDebouncer`). Payloads leave through
:attr:`CameraScanner.scanned`, the same shape as the wedge scanner's signal, so the window takes
camera and wedge scans through one path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from posloyalty.devices.camera import CameraStatus, ScanDebouncer, camera_available, decode_gray
from posloyalty.ui.qt import (
    QDockWidget,
    QEvent,
    QImage,
    QLabel,
    QMainWindow,
    QObject,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from posloyalty.ui.qt_multimedia import (
    QCamera,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoSink,
    QVideoWidget,
)
from posloyalty.ui.workers import OpRunner

__all__ = [
    "CameraPanel",
    "CameraScanner",
    "attach_camera",
    "camera_status",
    "decode_video_frame",
]


def camera_status() -> CameraStatus:
    """Whether this till can scan with a camera, asking QtMultimedia for the cameras."""
    return camera_available(
        video_inputs=lambda: [d.description() for d in QMediaDevices.videoInputs()]
    )


def decode_video_frame(frame: QVideoFrame) -> list[str]:
    """The codes one video frame shows (runs on the scanner's worker, never the UI thread)."""
    image = frame.toImage()
    if image.isNull():
        return []
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    return decode_gray(
        bytes(grey.constBits()), grey.width(), grey.height(), stride=grey.bytesPerLine()
    )


class CameraScanner(QObject):
    """Frames of ``sink`` in, one :attr:`scanned` per code shown; :attr:`failed` says why a
    frame could not be read (the panel shows it; scanning goes on with the next frame)."""

    scanned = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        sink: QVideoSink,
        *,
        now_s: Callable[[], float] = time.monotonic,
        debouncer: ScanDebouncer | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._now_s = now_s
        self._debouncer = debouncer or ScanDebouncer()
        self._runner = OpRunner(self, name="camera-decode")
        self.frames_seen = 0
        self.frames_decoded = 0
        sink.videoFrameChanged.connect(self._frame)

    def _frame(self, frame: QVideoFrame) -> None:
        self.frames_seen += 1
        if self._runner.busy or not frame.isValid():
            return
        held = QVideoFrame(frame)  # a shared reference the worker may read
        self._runner.run(lambda: decode_video_frame(held), self._decoded, self._failed)

    def _decoded(self, payloads: list[str]) -> None:
        self.frames_decoded += 1
        for payload in self._debouncer.feed(payloads, self._now_s()):
            self.scanned.emit(payload)

    def _failed(self, exc: Exception) -> None:
        self.failed.emit(self.tr("Camera frame not read: %1").replace("%1", str(exc)))

    def stop(self) -> None:
        self._runner.stop()


class CameraPanel(QWidget):
    """The preview and a status line; :meth:`start` opens the till's camera into it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPanel")
        self.preview = QVideoWidget(self)
        self.preview.setMinimumSize(240, 180)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        self.scanner = CameraScanner(self.preview.videoSink(), parent=self)
        self.scanner.failed.connect(self.status.setText)
        self._session = QMediaCaptureSession(self)
        self._session.setVideoOutput(self.preview)
        self._camera: QCamera | None = None
        #: The window's on/off key for the camera (set by :func:`attach_camera`).
        self.toggle: QPushButton | None = None

    @property
    def running(self) -> bool:
        return self._camera is not None and self._camera.isActive()

    def start(self, devices: Sequence[str] | None = None) -> bool:
        """Open the default camera (or the first whose name is in ``devices``)."""
        inputs = QMediaDevices.videoInputs()
        chosen = next(
            (d for d in inputs if devices is None or d.description() in devices),
            None,
        )
        if chosen is None:
            self.status.setText(self.tr("No camera is connected; use the barcode scanner"))
            return False
        if self._camera is None:
            self._camera = QCamera(chosen, self)
            self._camera.errorOccurred.connect(
                lambda _error, text: self.status.setText(
                    self.tr("Camera error: %1").replace("%1", text)
                )
            )
            self._session.setCamera(self._camera)
        self._camera.start()
        self.status.setText(
            self.tr("Show the code to the camera (%1)").replace("%1", chosen.description())
        )
        return True

    def stop(self) -> None:
        if self._camera is not None:
            self._camera.stop()
        self.status.setText(self.tr("Camera off"))

    def set_on(self, on: bool) -> None:
        """The cashier's camera key: show the preview and open the camera, or close both."""
        dock = self.parentWidget()
        if on:
            self.start()  # when it cannot, the preview stays shown with the reason
            if dock is not None:
                dock.setVisible(True)
        else:
            self.stop()
            if dock is not None:
                dock.setVisible(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The window closing ends the camera and the decoding thread with it.
        if event.type() == QEvent.Type.Close:
            self.stop()
            self.scanner.stop()
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self.toggle is not None:
            self.toggle.setText(self.tr("Camera"))
        super().changeEvent(event)


def attach_camera(
    window: QMainWindow, on_scan: Callable[[str], None], *, start: bool = False
) -> CameraPanel:
    """Give ``window`` a camera: a preview docked at its side, a Camera key in its status bar,
    and every code the camera reads handed to ``on_scan`` (the window's scan path)."""
    panel = CameraPanel()
    dock = QDockWidget(window)
    dock.setObjectName("cameraDock")
    dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
    dock.setTitleBarWidget(QWidget(dock))  # no title bar to drag or close by mistake
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    toggle = QPushButton(panel.tr("Camera"), window)
    toggle.setObjectName("cameraButton")
    toggle.setCheckable(True)
    toggle.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan field keeps the keyboard
    toggle.toggled.connect(panel.set_on)
    panel.toggle = toggle
    window.statusBar().addPermanentWidget(toggle)
    panel.scanner.scanned.connect(on_scan)
    window.installEventFilter(panel)
    dock.setVisible(False)
    if start:
        toggle.setChecked(True)
    return panel
