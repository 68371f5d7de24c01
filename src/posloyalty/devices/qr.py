"""QR images of member codes (qrcode + Pillow, alphanumeric mode) and printable member cards."""

from __future__ import annotations

import functools
import io
import logging
import subprocess
from collections.abc import Sequence
from pathlib import Path

import qrcode  # type: ignore[import-untyped]  # no stubs shipped; types-qrcode not a dep
import qrcode.util  # type: ignore[import-untyped]
from PIL import Image, ImageDraw, ImageFont
from qrcode.image.pil import PilImage  # type: ignore[import-untyped]

from posloyalty.domain.codes import MAX_PAYLOAD, is_qr_alphanumeric

log = logging.getLogger(__name__)

#: ID-1 card (85.6 x 54 mm) at 300 dpi.
CARD_SIZE = (1011, 638)

#: Where Noto Sans CJK usually lives when fontconfig is missing or says nothing useful.
CJK_FONT_PATHS: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
    Path("/System/Library/Fonts/PingFang.ttc"),
    Path("C:/Windows/Fonts/msyh.ttc"),
)


def _check_payload(payload: str) -> None:
    if not payload or len(payload) > MAX_PAYLOAD or not is_qr_alphanumeric(payload):
        raise ValueError(
            f"{payload!r}: a code payload must be 1-{MAX_PAYLOAD} characters of the QR "
            "alphanumeric set (0-9 A-Z space $ % * + - . / :)"
        )


def qr_image(payload: str, *, box_size: int = 8, border: int = 4) -> Image.Image:
    """The QR symbol for ``payload`` in alphanumeric mode, error correction M, as a Pillow image."""
    _check_payload(payload)
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border
    )
    qr.add_data(qrcode.util.QRData(payload.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM))
    qr.make(fit=True)
    wrapper = qr.make_image(image_factory=PilImage)
    image: Image.Image = wrapper.get_image()
    return image.convert("L")


def qr_png(payload: str, *, box_size: int = 8, border: int = 4) -> bytes:
    """PNG bytes of the QR symbol for ``payload`` (see :func:`qr_image`)."""
    return _png(qr_image(payload, box_size=box_size, border=border))


def link_qr_image(url: str, *, box_size: int = 8, border: int = 4) -> Image.Image:
    """The QR for a web address (byte mode: links are not in the alphanumeric set)."""
    if not url.startswith(("http://", "https://")) or len(url) > 1000:
        raise ValueError(f"{url[:60]!r} is not a web address for a QR code")
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border
    )
    qr.add_data(url.encode("utf-8"))
    qr.make(fit=True)
    image: Image.Image = qr.make_image(image_factory=PilImage).get_image()
    return image.convert("L")


def link_qr_png(url: str, *, box_size: int = 8, border: int = 4) -> bytes:
    """PNG of :func:`link_qr_image`."""
    return _png(link_qr_image(url, box_size=box_size, border=border))


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _fc_list_cjk() -> list[Path]:
    try:
        done = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    files = [Path(line.split(":")[0].strip()) for line in done.stdout.splitlines() if line.strip()]
    # Prefer Noto Sans CJK, then any other CJK-capable font fontconfig knows.
    return sorted(files, key=lambda p: ("NotoSansCJK" not in p.name.replace(" ", ""), str(p)))


def find_cjk_font(
    candidates: Sequence[Path] | None = None, *, use_fontconfig: bool = True
) -> Path | None:
    """A font file that can draw Chinese, or None. Asks fontconfig, then well-known paths."""
    found = _fc_list_cjk() if use_fontconfig else []
    for path in [*found, *(CJK_FONT_PATHS if candidates is None else candidates)]:
        if path.is_file():
            return path
    return None


@functools.lru_cache(maxsize=1)
def _default_cjk_font() -> Path | None:
    path = find_cjk_font()
    if path is None:
        log.warning(
            "no CJK font found (install Noto Sans CJK, e.g. fonts-noto-cjk); member cards use "
            "Pillow's default font and Chinese characters on them will not render"
        )
    return path


FontT = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(path: Path | None, size: int) -> FontT:
    if path is not None:
        try:
            return ImageFont.truetype(str(path), size)
        except OSError:
            log.warning("cannot load font %s; using Pillow's default font", path)
    return ImageFont.load_default(size)


def member_card_png(
    payload: str,
    display_name_masked: str,
    tier_name: str,
    *,
    title: str | None = None,
    font_path: Path | None = None,
) -> bytes:
    """A printable member card (ID-1 size, 300 dpi): QR of ``payload``, masked name, tier.

    The payload is printed in groups of four under the QR so it can be typed when a scanner
    fails (the scan parser ignores the spaces). ``font_path`` defaults to a CJK font found on
    the system; without one, Pillow's default font is used and a warning is logged. ``title``
    defaults to "会员卡 MEMBER", or "MEMBER" when no CJK font is available.
    """
    _check_payload(payload)
    path = font_path or _default_cjk_font()
    width, height = CARD_SIZE
    card = Image.new("L", CARD_SIZE, 255)
    draw = ImageDraw.Draw(card)
    draw.rounded_rectangle((4, 4, width - 5, height - 5), radius=36, outline=0, width=4)

    modules = qr_image(payload, box_size=1).width  # symbol plus quiet zone, in modules
    qr = qr_image(payload, box_size=max(1, 470 // modules))
    qr_side = qr.width
    card.paste(qr, (40, (height - qr_side) // 2 - 30))
    grouped = " ".join(payload[i : i + 4] for i in range(0, len(payload), 4))
    draw.text((60, height - 60), grouped, fill=0, font=_font(path, 30), anchor="lm")

    left = 40 + qr_side + 40
    if title is None:
        title = "MEMBER" if path is None else "会员卡 MEMBER"
    draw.text((left, 80), title, fill=0, font=_font(path, 44))
    draw.text((left, 220), display_name_masked, fill=0, font=_font(path, 60))
    draw.text((left, 330), tier_name, fill=0, font=_font(path, 48))
    return _png(card)
