"""Read back the text of the PDFs that app.services.exports draws, for the tests.

Enough of PDF for these files only: reportlab writes each content stream ASCII85- and
Flate-encoded, and each string as a literal `(...) Tj`, in UCS-2 (UTF-16BE) for the CID
font and in single bytes for Helvetica. No PDF library is needed at run time, so none is
added for the tests.
"""

from __future__ import annotations

import base64
import re
import zlib

_STREAM = re.compile(rb"/Filter \[ /ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)"
                     rb"endstream", re.S)
_CID_FONT = re.compile(rb"/Encoding /UniGB-UCS2-H /Name /(F\d+)")
# A text object's start or end, a graphics state saved or restored (the font with it), a
# font chosen, or a string shown.
_TOKEN = re.compile(rb"\b(?:BT|ET|q|Q)\b|/(F\d+) [\d.]+ Tf|\(((?:[^()\\]|\\.)*)\) Tj", re.S)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
_NAMED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return _NAMED.get(code, code)

    return _ESCAPE.sub(one, literal)


def pdf_text(data: bytes) -> str:
    """The text shown, in drawing order: one line per text object (a cell, a paragraph,
    a running head), its strings joined as drawn."""
    cid_fonts = set(_CID_FONT.findall(data))
    lines: list[str] = []
    for stream in _STREAM.findall(data):
        content = zlib.decompress(base64.a85decode(stream.strip(), adobe=True))
        font, saved, line = b"", [], ""
        for match in _TOKEN.finditer(content):
            token = match.group(0)
            if token in (b"BT", b"ET"):
                if line:
                    lines.append(line)
                line = ""
            elif token == b"q":
                saved.append(font)
            elif token == b"Q":
                font = saved.pop()
            elif match.group(1):
                font = match.group(1)
            else:
                raw = _unescape(match.group(2))
                line += raw.decode("utf-16-be" if font in cid_fonts else "latin-1")
    return "\n".join(lines)


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))
