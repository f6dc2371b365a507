"""Article metadata from the page's markup: meta tags, JSON-LD, canonical link, dates.

``page_metadata`` reads the already parsed tree once: JSON-LD article nodes, meta tags
and OpenGraph (trafilatura's reader), the title, the canonical link, ``<html lang>``, and
the publication date from htmldate without its extensive text search. trafilatura's own
full metadata pass also hunts authors, categories, tags and licences with XPath over the
whole tree and runs htmldate's extensive search: that more than doubled the cost of
cleaning a page, for fields the message does not carry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import examine_meta, extract_title, extract_url

from newswire_shared.messages import ArticleMetadata

from .boilerplate import looks_like_name, normalise

_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting",
                  "AnalysisNewsArticle", "OpinionNewsArticle", "WebPage"}  # fmt: skip
_UPDATED_KEYS = {"article:modified_time", "og:updated_time", "datemodified", "last-modified",
                 "dc.date.modified", "dcterms.modified"}  # fmt: skip
_JSONLD_MAX_CHARS = 2_000_000  # a bigger block is a data dump, not article metadata


@dataclass
class PageMetadata:
    """What the page's markup says about the article; ``ld`` is its JSON-LD article node."""

    metadata: ArticleMetadata
    ld: dict[str, Any]


def page_metadata(tree: HtmlElement, url: str | None) -> PageMetadata:
    """Title, authors, dates, site name, language, canonical URL, image and description.

    JSON-LD comes first where it has a field: publishers fill it for search engines and
    keep it accurate. Reads ``tree`` without changing it (htmldate works on a copy).
    """
    meta = examine_meta(tree)  # meta tags and OpenGraph
    ld = jsonld_article(tree)
    canonical = extract_url(tree, url)
    published = _date(ld.get("datePublished")) or _date(_find_date(tree, canonical))
    return PageMetadata(
        ArticleMetadata(
            title=_text(ld.get("headline")) or _text(meta.title) or _text(extract_title(tree)),
            authors=_ld_authors(ld.get("author")) or _authors(meta.author),
            published=published,
            updated=_date(ld.get("dateModified")) or updated_date(tree, published),
            site_name=_text(meta.sitename) or _ld_site(ld.get("publisher")),
            language=_page_language(tree) or _lang(ld.get("inLanguage")),
            canonical_url=_text(canonical),
            lead_image=_text(meta.image) or _ld_image(ld.get("image")),
            description=_text(meta.description) or _text(ld.get("description")),
        ),
        ld,
    )


def updated_date(tree: HtmlElement, published: date | None) -> date | None:
    """The modification date a meta tag declares, when it is later than publication.

    Not htmldate's "latest date" search: on a page without such a tag it copies and
    scans the whole tree, for a date that is usually the publication date again.
    """
    for meta in tree.iterfind(".//head/meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _UPDATED_KEYS:
            found = _date(meta.get("content"))
            if found and (published is None or found > published):
                return found
    return None


def _find_date(tree: HtmlElement, url: str | None) -> str | None:
    # htmldate's fast mode: markup and URL only. The extensive search reads every text
    # node for date-like strings, which costs more than the whole extraction.
    try:
        return find_date(tree, url=url, original_date=True, extensive_search=False)
    except Exception:  # a date parser failure must not cost the article
        return None


def jsonld_article(tree: HtmlElement) -> dict[str, Any]:
    """The first JSON-LD node typed as an article (or web page) with a headline."""
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        block = script.text or ""
        if len(block) > _JSONLD_MAX_CHARS:
            continue
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


def _page_language(tree: HtmlElement) -> str | None:
    root = tree.getroottree().getroot()
    return _lang(root.get("lang") or root.get("xml:lang"))


def _ld_site(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return _text(value.get("name")) if isinstance(value, dict) else _text(value)
