"""UUIDv7 (RFC 9562) from an injected clock; Python 3.11 has no ``uuid.uuid7``.

Layout: 48-bit Unix milliseconds, version 7, 12-bit ``rand_a``, variant ``10``, 62-bit
``rand_b``. Within one generator ids are strictly increasing (RFC 9562 section 6.2, method 3:
``rand_a`` is a counter seeded randomly each millisecond; on overflow, or if the clock steps
back, the timestamp is carried forward), so primary keys stay in insertion order.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable

from posloyalty.clock import Clock

_MAX_MS = (1 << 48) - 1


class Uuid7:
    """A strictly increasing, thread-safe UUIDv7 source; ``randbytes`` is injectable for tests."""

    def __init__(self, clock: Clock, randbytes: Callable[[int], bytes] = os.urandom) -> None:
        self._clock = clock
        self._randbytes = randbytes
        self._last_ms = -1
        self._last_a = 0
        self._lock = threading.Lock()

    def new(self) -> str:
        """The next id in its canonical text (what ``str(uuid.UUID(...))`` prints)."""
        h = f"{self._next():032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def new_uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self._next())

    def _next(self) -> int:
        ms = int(self._clock.now().timestamp() * 1000)
        rnd = int.from_bytes(self._randbytes(10), "big")
        rand_a = rnd >> 68  # top 12 of 80 random bits
        rand_b = rnd & ((1 << 62) - 1)
        with self._lock:
            if ms <= self._last_ms:
                ms = self._last_ms
                rand_a = self._last_a + 1
                if rand_a > 0xFFF:
                    ms += 1
                    rand_a = 0
            if not 0 <= ms <= _MAX_MS:
                raise ValueError(f"clock gives {ms} ms, outside the UUIDv7 range")
            self._last_ms, self._last_a = ms, rand_a
        return (ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b


def uuid7_time_ms(value: str | uuid.UUID) -> int:
    """The Unix millisecond timestamp carried by a UUIDv7."""
    u = value if isinstance(value, uuid.UUID) else uuid.UUID(value)
    if u.version != 7:
        raise ValueError(f"{value} is not a UUIDv7")
    return u.int >> 80
