"""Bytes to text for an HTML page whose declared encoding may be missing or wrong.

Order, after the HTML standard: a byte-order mark, the HTTP charset, a ``<meta>`` charset
in the first bytes, then strict UTF-8, then statistical detection, and at last UTF-8
with replacement characters: a page with a few broken bytes is still worth cleaning.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

PRESCAN_BYTES = 4096  # how far the standard looks for <meta charset>
DETECT_SAMPLE_BYTES = 200_000  # detection is slow; a sample is enough
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
# Labels browsers read as another encoding (WHATWG Encoding standard): pages labelled
# latin-1 are written in windows-1252 in practice, and a <meta> cannot honestly say
# UTF-16 because the meta tag itself was readable as ASCII.
_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252",
            "us-ascii": "cp1252", "ascii": "cp1252"}  # fmt: skip


def decode_html(body: bytes, declared: str | None) -> tuple[str, str]:
    """The page as text, and the name of the encoding used."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace"), encoding
    for label, from_meta in ((declared, False), (_meta_charset(body), True)):
        known = _known_encoding(label, from_meta=from_meta)
        if known:
            return body.decode(known, errors="replace"), known
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(body[:DETECT_SAMPLE_BYTES]).best()
    if best is not None and best.encoding:
        return body.decode(best.encoding, errors="replace"), best.encoding
    return body.decode("utf-8", errors="replace"), "utf-8"


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:PRESCAN_BYTES])
    return match.group(1).decode("ascii", errors="ignore") if match else None


def _known_encoding(label: str | None, *, from_meta: bool) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if from_meta and label.startswith("utf-16"):
        return "utf-8"
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None  # an unknown label is treated as no label
