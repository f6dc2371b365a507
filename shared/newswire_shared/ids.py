"""Stable identifiers: the same canonical URL (or the same pushed content) gives the same id."""

from __future__ import annotations

import hashlib
import uuid

ARTICLE_ID_LENGTH = 16


def article_id_for_url(canonical_url: str) -> str:
    return hashlib.sha256(b"url:" + canonical_url.encode()).hexdigest()[:ARTICLE_ID_LENGTH]


def article_id_for_content(content: str) -> str:
    return hashlib.sha256(b"content:" + content.encode()).hexdigest()[:ARTICLE_ID_LENGTH]


def new_trace_id() -> str:
    return uuid.uuid4().hex


def stable_id(*parts: object, length: int = 16) -> str:
    """A short deterministic id from parts: natural keys for quotes, events and entities."""
    joined = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(joined.encode()).hexdigest()[:length]
