"""QR codes as inline SVG, made on the server: tablet codes and the projector's boards."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup


@lru_cache(maxsize=1024)  # the projector page draws one per board, and is reloaded often
def qr_svg(text: str) -> Markup | None:
    """The QR code of `text` as inline SVG, or None when `qrcode` is not installed."""
    try:
        import qrcode
        import qrcode.image.svg
    except ImportError:
        return None
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    svg = svg[svg.index("<svg"):]  # drop the XML declaration: this goes inside HTML
    return Markup(svg)  # noqa: S704 (made by qrcode from our own URL, no user input)
