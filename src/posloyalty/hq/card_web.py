"""The member's own card page, served by HQ under ``/m/`` (a PWA that works with no signal).

``GET /m/`` is the page (中文 / English / Español, chosen in the browser); ``/m/card.js``,
``/m/card.css``, ``/m/qrcode.js`` (Kazuhiko Arase's QR code generator, MIT), ``/m/sw.js`` (the
service worker that caches all of it), ``/m/manifest.webmanifest`` and ``/m/icon.svg`` come from
``resources/card``. The page signs in through ``hq.member_web`` and computes the rotating
member code in the browser with WebCrypto, with the algorithm the tills verify.
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations.
from fastapi import FastAPI, HTTPException
from fastapi.responses import Response

from posloyalty.resources import resources_dir

__all__ = ["mount"]

_FILES = {
    "": ("card.html", "text/html; charset=utf-8"),
    "card.js": ("card.js", "text/javascript; charset=utf-8"),
    "card.css": ("card.css", "text/css; charset=utf-8"),
    "qrcode.js": ("qrcode.js", "text/javascript; charset=utf-8"),
    "sw.js": ("sw.js", "text/javascript; charset=utf-8"),
    "manifest.webmanifest": ("manifest.webmanifest", "application/manifest+json"),
    "icon.svg": ("icon.svg", "image/svg+xml"),
}
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # The service worker keeps its own copy; the browser asks the network when it has one.
    "Cache-Control": "no-cache",
}


def mount(app: FastAPI) -> None:
    """Add ``/m/`` and its files to ``app``."""
    folder = resources_dir() / "card"
    bodies = {name: (folder / file).read_bytes() for name, (file, _) in _FILES.items()}

    def serve(name: str) -> Response:
        if name not in _FILES:
            raise HTTPException(404, "no such file")
        headers = dict(_HEADERS)
        if name == "sw.js":
            headers["Service-Worker-Allowed"] = "/m/"
        return Response(bodies[name], media_type=_FILES[name][1], headers=headers)

    @app.get("/m/", include_in_schema=False)
    def page() -> Response:
        return serve("")

    @app.get("/m/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        return serve(name)
