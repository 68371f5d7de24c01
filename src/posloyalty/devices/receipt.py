"""Receipts: a PNG preview (Pillow) and ESC/POS printing (python-escpos), from a plain document.

The caller (the UI, which knows the language) turns a sale into a :class:`ReceiptDoc`: rows of
text (left and right aligned), the sale's return code (printed as a Code 128 barcode) and
optionally a QR (a new member's card, or the link to a member's card page). The same document is previewed and printed. Text is
printed as a raster image, so Chinese prints on any ESC/POS printer without a CJK code page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from posloyalty.devices.qr import _default_cjk_font, _font, link_qr_image, qr_image

#: 80 mm paper at 203 dpi: 576 printable dots.
PAPER_DOTS = 576


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    left: str
    right: str = ""
    #: "normal", "bold" (bigger), "rule" (a line across), "center"
    style: str = "normal"


@dataclass(frozen=True, slots=True)
class ReceiptDoc:
    rows: tuple[ReceiptRow, ...]
    barcode: str = ""
    qr: str = ""
    qr_caption: str = ""
    footer: tuple[str, ...] = field(default_factory=tuple)


class PrinterError(RuntimeError):
    """The printer refused or is unreachable; the message is for the cashier."""


def _text_image(rows: Sequence[ReceiptRow], width: int) -> Image.Image:
    path = _default_cjk_font()
    normal, big = _font(path, 24), _font(path, 34)
    heights = [52 if r.style == "bold" else 18 if r.style == "rule" else 34 for r in rows]
    img = Image.new("L", (width, sum(heights) + 16), 255)
    draw = ImageDraw.Draw(img)
    y = 8
    for row, h in zip(rows, heights, strict=True):
        font = big if row.style == "bold" else normal
        if row.style == "rule":
            draw.line((8, y + h // 2, width - 8, y + h // 2), fill=0, width=2)
        elif row.style == "center":
            draw.text((width // 2, y), row.left, fill=0, font=font, anchor="ma")
        else:
            draw.text((8, y), row.left, fill=0, font=font)
            if row.right:
                draw.text((width - 8, y), row.right, fill=0, font=font, anchor="ra")
        y += h
    return img


def _barcode_image(code: str, width: int) -> Image.Image:
    from barcode import Code128  # type: ignore[import-untyped]
    from barcode.writer import ImageWriter  # type: ignore[import-untyped]

    out = io.BytesIO()
    Code128(code, writer=ImageWriter()).write(
        out, {"module_height": 10.0, "font_size": 6, "text_distance": 3.0, "quiet_zone": 2.0}
    )
    img = Image.open(io.BytesIO(out.getvalue())).convert("L")
    if img.width > width:
        img = img.resize((width, img.height * width // img.width))
    return img


def render_png_image(doc: ReceiptDoc, width: int = PAPER_DOTS) -> Image.Image:
    parts = [_text_image(doc.rows, width)]
    if doc.barcode:
        parts.append(_barcode_image(doc.barcode, width))
    if doc.qr:
        parts.append(_text_image((ReceiptRow(doc.qr_caption, style="center"),), width))
        link = doc.qr.startswith(("http://", "https://"))
        parts.append(link_qr_image(doc.qr, box_size=6) if link else qr_image(doc.qr, box_size=6))
    if doc.footer:
        parts.append(_text_image(tuple(ReceiptRow(t, style="center") for t in doc.footer), width))
    height = sum(p.height for p in parts) + 24
    page = Image.new("L", (width, height), 255)
    y = 8
    for part in parts:
        page.paste(part, ((width - part.width) // 2, y))
        y += part.height
    return page


def render_png(doc: ReceiptDoc, width: int = PAPER_DOTS) -> bytes:
    """The receipt as a PNG (what the preview shows and the printer prints)."""
    out = io.BytesIO()
    render_png_image(doc, width).save(out, format="PNG")
    return out.getvalue()


def print_receipt(doc: ReceiptDoc, printer: Any) -> None:
    """Print on a python-escpos printer (``escpos.printer.Usb/Network/Serial/File/Dummy``)."""
    try:
        printer.image(_text_image(doc.rows, PAPER_DOTS))
        if doc.barcode:
            # Hardware Code 128 wants the code set named in front: {B is printable ASCII.
            printer.barcode("{B" + doc.barcode, "CODE128", function_type="B", pos="BELOW")
        if doc.qr:
            printer.text(doc.qr_caption + "\n" if doc.qr_caption.isascii() else "\n")
            printer.qr(doc.qr, size=6)
        for line in doc.footer:
            if line.isascii():
                printer.text(line + "\n")
        printer.cut()
    except Exception as exc:  # escpos raises many kinds; the sale is already stored
        raise PrinterError(f"the receipt printer failed: {exc}") from exc


def open_printer(spec: str) -> Any:
    """A printer from a setting: ``file:/dev/usb/lp0``, ``network:192.168.1.50``,
    ``usb:0x04b8:0x0202``, ``serial:/dev/ttyS0``, or ``dummy``. Empty: None (no printer)."""
    if not spec:
        return None
    from escpos import printer as p  # type: ignore[import-untyped]

    kind, _, rest = spec.partition(":")
    try:
        if kind == "dummy":
            return p.Dummy()
        if kind == "file":
            return p.File(str(Path(rest)))
        if kind == "network":
            return p.Network(rest)
        if kind == "usb":
            vendor, _, product = rest.partition(":")
            return p.Usb(int(vendor, 16), int(product, 16))
        if kind == "serial":
            return p.Serial(rest)
    except Exception as exc:
        raise PrinterError(f"cannot open the receipt printer {spec!r}: {exc}") from exc
    raise PrinterError(f"unknown printer setting {spec!r} (file:, network:, usb:, serial:, dummy)")
