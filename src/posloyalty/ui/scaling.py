"""Sizes of the till's text and touch targets for the screen it runs on (no Qt here).

The counter runs on anything from a 1024x768 all-in-one to a 1920x1080 monitor (and 1280x1024
4:3 panels). One scale, taken from the available screen area against a 1366x768 reference
(whichever side is tighter), sets every font and the height of the key buttons, so a bigger
screen shows bigger text and bigger touch targets instead of the same small ones. Sizes are
pixels, not points: a till's screen DPI is often reported wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The screen the sizes below were drawn for.
REFERENCE = (1366, 768)
#: Key buttons per row (21 keys: two rows when there is room, else three).
KEYS = 11
KEYS_NARROW = 7
#: Below this available width the key row wraps.
ONE_ROW_MIN_WIDTH = 1340
#: The smallest touch target (px), whatever the screen.
MIN_TOUCH = 40


@dataclass(frozen=True, slots=True)
class Metrics:
    """Pixel sizes for one screen."""

    scale: float
    #: Body text: member details, status bar, dialogs.
    text: int
    #: Cart lines.
    cart: int
    #: The scan field.
    scan: int
    #: The member's name.
    name: int
    #: Member points, savings.
    emphasis: int
    #: The sale total on the cashier's screen.
    total: int
    #: Member-day and birthday banners.
    banner: int
    #: Key buttons: height (the touch target) and text.
    button_height: int
    button_text: int
    #: Key buttons per row.
    key_columns: int
    #: Height of a cart row.
    row_height: int
    #: The amount due on the payment screen.
    due: int


def metrics_for(width: int, height: int) -> Metrics:
    """The sizes for an available screen area of ``width`` x ``height`` pixels."""
    ref_w, ref_h = REFERENCE
    scale = min(width / ref_w, height / ref_h)
    scale = max(0.75, min(scale, 2.5))
    # Text shrinks less than the screen (a 1024x768 till must stay readable at arm's length).
    text_scale = max(scale, 0.85)

    def px(size: float, minimum: int = 11) -> int:
        return max(minimum, round(size * text_scale))

    # Taller screens (4:3, portrait-ish) get taller touch targets too.
    touch = max(MIN_TOUCH, round(44 * max(scale, height / ref_h * 0.9)))
    return Metrics(
        scale=scale,
        text=px(15),
        cart=px(17),
        scan=px(19),
        name=px(22),
        emphasis=px(19),
        total=px(48, 28),
        banner=px(20),
        button_height=touch,
        button_text=px(15),
        key_columns=KEYS if width >= ONE_ROW_MIN_WIDTH else KEYS_NARROW,
        row_height=max(28, round(34 * text_scale)),
        due=px(48, 28),
    )
