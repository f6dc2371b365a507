"""Article metadata: trafilatura's, completed from the page's markup where it is silent.

trafilatura reads JSON-LD for title, authors and site name but not for the description,
image or modification date, and it only detects the language with an optional model;
those come from JSON-LD ``NewsArticle`` blocks and the ``<html lang>`` attribute here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from newswire_shared.messages import ArticleMetadata

from .boilerplate import looks_like_name, normalise

_SCAN_CHARS = 300_000  # metadata lives in the head; never scan a whole 5 MB page
_HTML_LANG = re.compile(
    r"<html\b[^>]{0,2000}?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{2,8})?"
)
_JSONLD = re.compile(
    r"<script\b[^>]{0,200}?application/ld\+json[^>]{0,50}>(.{0,200000}?)</script>",
    re.I | re.S,
)
_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting",
                  "AnalysisNewsArticle", "OpinionNewsArticle", "WebPage"}  # fmt: skip


def build_metadata(doc: Any, html: str) -> ArticleMetadata:
    head = html[:_SCAN_CHARS]
    ld = _jsonld_article(head)
    return ArticleMetadata(
        title=_text(doc.title) or _text(ld.get("headline")),
        authors=_authors(doc.author) or _ld_authors(ld.get("author")),
        published=_date(doc.date) or _date(ld.get("datePublished")),
        updated=_date(ld.get("dateModified")),
        site_name=_text(doc.sitename),
        language=_text(doc.language) or _page_language(head) or _lang(ld.get("inLanguage")),
        canonical_url=_text(doc.url),
        lead_image=_text(doc.image) or _ld_image(ld.get("image")),
        description=_text(doc.description) or _text(ld.get("description")),
    )


def _authors(value: object) -> list[str]:
    """trafilatura joins authors with "; ". When a bio sentence slipped in ("Jane Doe is
    a writer"), the whole field is suspect: better no authors than wrong ones."""
    if not isinstance(value, str):
        return []
    names = [normalise(n) for n in re.split(r";|\|", value) if n.strip()]
    return names if all(looks_like_name(n) for n in names) else []


def _ld_authors(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and normalise(name):
            names.append(normalise(name))
    return names


def _ld_image(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url")
    return _text(value)


def _jsonld_article(head: str) -> dict[str, Any]:
    for block in _JSONLD.findall(head):
        try:
            data = json.loads(block)
        except ValueError:
            continue  # broken JSON-LD is common and harmless
        for node in _nodes(data):
            kind = node.get("@type")
            # "@type" may be a string, a list, or (in broken markup) anything at all.
            kinds = {k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}
            if kinds & _ARTICLE_TYPES and "headline" in node:
                return node
    return {}


def _nodes(data: object, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Objects of a JSON-LD document, including those in lists and ``@graph``."""
    if depth > 3:
        return
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _nodes(data.get("@graph"), depth + 1)


def _text(value: object) -> str | None:
    return (normalise(value) or None) if isinstance(value, str) else None


def _date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _lang(value: object) -> str | None:
    if not isinstance(value, str) or not re.match(r"[A-Za-z]{2,3}\b", value):
        return None
    return value[:3].split("-")[0].split("_")[0].lower()


def _page_language(head: str) -> str | None:
    match = _HTML_LANG.search(head)
    return match.group(1).lower() if match else None
