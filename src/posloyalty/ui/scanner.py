"""Scan anywhere: an application-wide key filter feeding :class:`WedgeDetector`.

Every key press reaching the focused widget is timed. When Enter ends a burst faster than a
person types, the burst is a scan: the Enter is swallowed (no dialog button fires), the
scanned characters are taken back out of the focused line edit, and :attr:`scanned` is
emitted with the text. Typing at human speed is left alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from posloyalty.devices.wedge import WedgeDetector, WedgeThresholds
from posloyalty.ui.qt import (
    QApplication,
    QEvent,
    QKeyEvent,
    QLineEdit,
    QObject,
    Qt,
    QWidget,
    Signal,
)

_ENTER = {Qt.Key.Key_Return, Qt.Key.Key_Enter}
_IGNORED = {
    Qt.Key.Key_Shift,
    Qt.Key.Key_Control,
    Qt.Key.Key_Alt,
    Qt.Key.Key_Meta,
    Qt.Key.Key_CapsLock,
}


def _monotonic_ms() -> float:
    return time.monotonic() * 1000.0


class ScanFilter(QObject):
    """Install with ``app.installEventFilter(ScanFilter(app))``; connect :attr:`scanned`."""

    scanned = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        thresholds: WedgeThresholds | None = None,
        clock_ms: Callable[[], float] = _monotonic_ms,
    ) -> None:
        super().__init__(parent)
        self.detector = WedgeDetector(thresholds)
        self._clock_ms = clock_ms
        self._last_target: QWidget | None = None

    def _stamp(self, event: QKeyEvent) -> float:
        # Real key events carry the window system's time; synthetic ones carry 0.
        stamp = event.timestamp()
        return float(stamp) if stamp else self._clock_ms()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        focus = QApplication.focusWidget()
        # A key event travels to the focus widget and then its parents: time it once.
        if focus is not None and watched is not focus:
            return False
        if focus is None and not watched.isWindow() and watched is not self._last_target:
            return False
        assert isinstance(event, QKeyEvent)
        if watched is not self._last_target:
            self.detector.reset()
            self._last_target = watched
        key = event.key()
        if key in _IGNORED or event.isAutoRepeat():
            return False
        t_ms = self._stamp(event)
        if key in _ENTER:
            decision = self.detector.feed_enter(t_ms)
            if not decision.is_scan:
                return False
            if isinstance(watched, QLineEdit) and watched.text().endswith(decision.text):
                watched.setText(watched.text()[: -len(decision.text)])
            self.scanned.emit(decision.text)
            return True
        text = event.text()
        if len(text) == 1 and text.isprintable():
            self.detector.feed_char(text, t_ms)
        else:
            self.detector.feed_other(t_ms)
        return False
