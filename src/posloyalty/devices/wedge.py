"""Keyboard-wedge scanner detection from key timing (no Qt: the UI feeds it key events).

A wedge scanner types its payload as keystrokes, about one every 7-8 ms, then Enter. A person
types at 80 ms or more between keys (fast bursts of a trained typist reach ~50 ms, never a
sustained 30 ms). So a run of keys ended by Enter is a *scan* when

* it has at least ``min_length`` characters (our shortest code has 6, product barcodes 8),
* no gap inside it, nor the gap before Enter, exceeds ``max_gap_ms`` (60 ms), and
* the mean of those gaps is at most ``max_mean_gap_ms`` (30 ms).

A gap longer than ``max_gap_ms`` starts a new run, so characters a person typed into a field just
before a scan are kept apart (``typed_before``) and the scan is still recognised. Any other key
(Backspace, arrows, Tab) ends the run: scanners do not send them mid-code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class WedgeThresholds:
    """Timing limits for telling a scanner from a person; see the module docstring."""

    max_mean_gap_ms: float = 30.0
    max_gap_ms: float = 60.0
    min_length: int = 6

    def __post_init__(self) -> None:
        if self.min_length < 1 or self.max_gap_ms <= 0 or self.max_mean_gap_ms <= 0:
            raise ValueError("wedge thresholds must be positive")
        if self.max_mean_gap_ms > self.max_gap_ms:
            raise ValueError("the mean gap limit cannot exceed the maximum gap")


@dataclass(frozen=True, slots=True)
class WedgeDecision:
    """What an Enter concluded.

    For a scan, ``text`` is the scanned burst and ``typed_before`` what a person had typed
    before it (the UI removes the burst from the focused field). For typing, ``text`` is
    everything typed since the last Enter and ``typed_before`` is empty.
    """

    kind: Literal["scan", "typing"]
    text: str
    typed_before: str = ""
    mean_gap_ms: float | None = None
    max_gap_ms: float | None = None

    @property
    def is_scan(self) -> bool:
        return self.kind == "scan"


class WedgeDetector:
    """Feed key events in order; :meth:`feed_enter` says whether the line was a scan."""

    __slots__ = ("_buffer", "_burst_broken", "_burst_start", "_gaps", "_last_ms", "thresholds")

    def __init__(self, thresholds: WedgeThresholds | None = None) -> None:
        self.thresholds = thresholds or WedgeThresholds()
        self._buffer: list[str] = []
        self._gaps: list[float] = []  # gaps inside the current run
        self._burst_start = 0
        self._burst_broken = False
        self._last_ms: float | None = None

    def reset(self) -> None:
        """Forget everything typed (focus change, dialog closed)."""
        self._buffer.clear()
        self._gaps.clear()
        self._burst_start = 0
        self._burst_broken = False
        self._last_ms = None

    def _gap(self, t_ms: float) -> float | None:
        if self._last_ms is None:
            return None
        return max(0.0, t_ms - self._last_ms)  # clocks that step backwards count as no gap

    def feed_char(self, char: str, t_ms: float) -> None:
        """A printable key producing ``char`` at ``t_ms`` (any monotonic millisecond clock)."""
        gap = self._gap(t_ms)
        if gap is None or gap > self.thresholds.max_gap_ms or self._burst_broken:
            self._burst_start = len(self._buffer)
            self._gaps.clear()
            self._burst_broken = False
        else:
            self._gaps.append(gap)
        self._buffer.append(char)
        self._last_ms = t_ms

    def feed_other(self, t_ms: float) -> None:
        """A non-character key (Backspace, arrows, Tab): whatever comes next is a new run."""
        self._burst_broken = True
        self._last_ms = t_ms

    def feed_enter(self, t_ms: float) -> WedgeDecision:
        """Enter pressed: decide scan or typing, and start over."""
        limits = self.thresholds
        text = "".join(self._buffer)
        burst = text[self._burst_start :]
        gap = self._gap(t_ms)
        decision = WedgeDecision("typing", text)
        if gap is not None and not self._burst_broken and burst:
            gaps = [*self._gaps, gap]
            mean = sum(gaps) / len(gaps)
            worst = max(gaps)
            if (
                len(burst) >= limits.min_length
                and worst <= limits.max_gap_ms
                and mean <= limits.max_mean_gap_ms
            ):
                decision = WedgeDecision("scan", burst, text[: self._burst_start], mean, worst)
            else:
                decision = WedgeDecision("typing", text, "", mean, worst)
        self.reset()
        return decision


def simulate_scan(text: str, start_ms: float = 0.0, gap_ms: float = 7.5) -> list[tuple[str, float]]:
    """Key events a wedge scanner would send for ``text``: characters then ``"\\r"`` (Enter)."""
    events = [(char, start_ms + i * gap_ms) for i, char in enumerate(text)]
    events.append(("\r", start_ms + len(text) * gap_ms))
    return events


def replay_events(
    detector: WedgeDetector, events: Sequence[tuple[str, float]]
) -> list[WedgeDecision]:
    """Feed ``(char, t_ms)`` events; ``"\\r"`` or ``"\\n"`` is Enter. Returns one decision per Enter."""
    decisions = []
    for char, t_ms in events:
        if char in ("\r", "\n"):
            decisions.append(detector.feed_enter(t_ms))
        else:
            detector.feed_char(char, t_ms)
    return decisions
