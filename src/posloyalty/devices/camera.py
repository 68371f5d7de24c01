"""Camera scanning: decode video frames with zxing-cpp, and find out whether a camera exists.

Frames come from QtMultimedia in the UI layer (``ui/camera.py`` turns each ``QVideoFrame`` into
an 8-bit grey plane and hands its bytes here); this module imports no Qt. :func:`decode_frame` is a pure
function from one image to the payloads it shows; :class:`ScanDebouncer` turns a stream of
frames (a code stays in view for many of them) into one scan per presentation, so the same
dynamic code is not submitted twice and refused as replayed. :func:`camera_available` says
plainly why camera scanning is off, so the UI can hide it.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: What the counter scans: member and coupon QR codes, retail product barcodes.
DEFAULT_FORMATS = "QRCode,EAN13,EAN8,UPCA"


def _zxing() -> Any:
    import zxingcpp

    return zxingcpp


def decode_frame(image: Any, *, formats: str = DEFAULT_FORMATS) -> list[str]:
    """The texts of the barcodes visible in ``image``, in reading order, without duplicates.

    ``image`` is a Pillow image (any mode), a numpy array (grayscale or BGR), or a 2-D buffer of grey bytes (``memoryview(data).cast("B", (height, width))``). Unreadable or
    damaged symbols are left out; an image with no code gives an empty list.
    """
    zxingcpp = _zxing()
    mode = getattr(image, "mode", None)
    if isinstance(mode, str) and mode not in ("L", "RGB", "RGBA"):
        image = image.convert("L")  # Pillow palettes, 1-bit, 16-bit grey, CMYK ...
    results = zxingcpp.read_barcodes(
        image, formats=zxingcpp.barcode_formats_from_str(formats), try_rotate=True
    )
    seen: list[str] = []
    for result in results:
        if result.valid and result.text and result.text not in seen:
            seen.append(result.text)
    return seen


def decode_gray(
    data: bytes,
    width: int,
    height: int,
    *,
    stride: int | None = None,
    formats: str = DEFAULT_FORMATS,
) -> list[str]:
    """:func:`decode_frame` for a raw 8-bit grey frame of ``width`` x ``height`` pixels whose
    rows start every ``stride`` bytes (video frames pad their rows; default: no padding)."""
    stride = width if stride is None else stride
    if width <= 0 or height <= 0 or stride < width or len(data) < stride * (height - 1) + width:
        raise ValueError(
            f"a {width}x{height} grey frame with rows of {stride} bytes needs "
            f"{stride * (height - 1) + width} bytes, got {len(data)}"
        )
    if stride != width:
        data = b"".join(data[row * stride : row * stride + width] for row in range(height))
    return decode_frame(
        memoryview(data[: width * height]).cast("B", (height, width)), formats=formats
    )


class ScanDebouncer:
    """One scan per presentation of a code: a payload is reported when it appears, and again
    only after it has been out of view for ``gone_after_s`` seconds. Time is passed in."""

    def __init__(self, gone_after_s: float = 1.5) -> None:
        if gone_after_s <= 0:
            raise ValueError("gone_after_s must be positive")
        self.gone_after_s = gone_after_s
        self._last_seen: dict[str, float] = {}

    def feed(self, payloads: Iterable[str], at_s: float) -> list[str]:
        """The payloads of this frame that are new scans."""
        fresh = []
        for payload in payloads:
            last = self._last_seen.get(payload)
            if last is None or at_s - last > self.gone_after_s:
                fresh.append(payload)
            self._last_seen[payload] = at_s
        for payload, last in list(self._last_seen.items()):
            if at_s - last > self.gone_after_s:
                del self._last_seen[payload]
        return fresh


# --------------------------------------------------------------------------- availability


@dataclass(frozen=True, slots=True)
class CameraStatus:
    available: bool
    #: Why not (or which camera), in words for the cashier or the log.
    reason: str
    devices: tuple[str, ...] = ()


def qt_multimedia_installed() -> bool:
    """Whether PySide6 ships QtMultimedia here, found without importing Qt (pyside6-essentials
    does not; pyside6-addons does)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return False
    for folder in spec.submodule_search_locations:
        # The binary module, not the .pyi stubs some wheels ship without it.
        if any(p.suffix in (".so", ".pyd") for p in Path(folder).glob("QtMultimedia.*")):
            return True
    return False


def _linux_video_devices(dev_dir: Path) -> tuple[str, ...]:
    return tuple(sorted(str(p) for p in dev_dir.glob("video*")))


def camera_available(
    *,
    video_inputs: Callable[[], Sequence[str]] | None = None,
    dev_dir: Path = Path("/dev"),
) -> CameraStatus:
    """Can this terminal scan with a camera? Checks, in order: zxing-cpp, QtMultimedia, a camera.

    ``video_inputs`` lists the cameras (the UI passes ``QMediaDevices.videoInputs`` names); by
    default, on Linux, the ``/dev/video*`` devices are taken, and elsewhere QtMultimedia being
    installed is taken as enough until the UI asks it.
    """
    if importlib.util.find_spec("zxingcpp") is None:
        return CameraStatus(False, "camera scanning needs the zxing-cpp package, not installed")
    if not qt_multimedia_installed():
        return CameraStatus(
            False,
            "camera scanning needs QtMultimedia, which this PySide6 install lacks "
            "(pyside6-essentials; install pyside6-addons); use the barcode scanner",
        )
    if video_inputs is not None:
        devices = tuple(video_inputs())
    elif sys.platform.startswith("linux"):
        devices = _linux_video_devices(dev_dir)
    else:
        return CameraStatus(True, "QtMultimedia is installed; cameras are listed by the UI")
    if not devices:
        return CameraStatus(False, "no camera is connected; use the barcode scanner")
    return CameraStatus(True, f"camera: {devices[0]}", devices)
