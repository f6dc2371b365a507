"""The cleaner's pure functions: a page (HTML or pushed plain text) in, article text out.

HTML goes through trafilatura (main text without comments, plus metadata), then through
the paragraph filter in ``boilerplate``; plain text skips trafilatura. Input that cannot
yield an article raises ``PermanentError`` with a reason: no retry would help.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from newswire_shared.messages import ArticleMetadata, CleanArticle, RawArticle, Removal
from newswire_shared.worker import PermanentError

from .boilerplate import classify, filter_paragraphs, is_sentence, normalise, page_link_texts
from .dedup import Fingerprint, fingerprint, simhash_hex
from .metadata import page_metadata
from .structured import declared_body, recover_paragraphs

# Past this size a page is not an article (a data dump, a bomb): refuse it.
MAX_HTML_CHARS = 20_000_000
MAX_TEXT_CHARS = 5_000_000
# Above this, trafilatura's fallback extractors (readability, jusText) double the time
# for little gain, so big pages use the fast path.
FAST_HTML_CHARS = 1_500_000
# An article needs at least one paragraph with this many words; otherwise what is left is
# navigation or labels.
MIN_PROSE_WORDS = 6
# A fast-pass text shorter than this gets trafilatura's full pass (see extract_main_text).
FALLBACK_BELOW_WORDS = 250
FALLBACK_SHARE = 0.25
# Hard-wrapped plain text breaks lines at 60-80 characters; shorter lines are not wrapped.
WRAP_MIN_CHARS = 40

PARAGRAPH_SEP = "\n\n"  # between the paragraphs of a clean text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class CleanResult:
    text: str
    metadata: ArticleMetadata = field(default_factory=ArticleMetadata)
    removed: list[Removal] = field(default_factory=list)


def clean_html(html: str, url: str | None = None) -> CleanResult:
    if not html or not html.strip():
        raise PermanentError("empty article: empty page")
    if len(html) > MAX_HTML_CHARS:
        raise PermanentError(f"page too large: {len(html)} characters (limit {MAX_HTML_CHARS})")
    # lxml rejects NUL and most control characters; a badly decoded page is full of them.
    html = _CONTROL.sub(" ", html)
    try:
        # Parse once: trafilatura extracts from its own copy of this tree, and the
        # metadata is read from it afterwards.
        tree = load_html(html)
        if tree is None:
            raise PermanentError("empty article: the page has no HTML content")
        body = extract_main_text(tree, url, big=len(html) > FAST_HTML_CHARS)
        if not body or not body.strip():
            raise PermanentError("empty article: no main text found in the page")
        page = page_metadata(tree, url)
        links = page_link_texts(tree)
        lines = body.splitlines()
        declared = declared_body(tree, page.ld, has_microdata_body="articleBody" in html)
        if declared:
            lines, _ = recover_paragraphs(lines, declared)
    except PermanentError:
        raise
    except Exception as exc:  # any parser failure is a property of this input
        raise PermanentError(f"unparseable html: {type(exc).__name__}: {exc}"[:500]) from exc
    filtered = filter_paragraphs(lines, title=page.metadata.title, link_texts=links)
    text = _require_prose(filtered.kept, len(filtered.removed))
    return CleanResult(text=text, metadata=page.metadata, removed=filtered.removed)


def extract_main_text(tree: HtmlElement, url: str | None, *, big: bool) -> str | None:
    """trafilatura's main text: its fast pass, and its full pass only when needed.

    The full pass also runs readability and jusText and keeps the better result; on most
    pages it returns what the fast pass found (65 of 68 dev pages) and costs about a
    third more. Where the fast pass found little text, and little of the page's text,
    the layout confused it and the comparison is worth running (a short brief that is
    most of its page is not confusing). Big pages stay with the fast pass.
    """
    fast = _bare_text(tree, url, fast=True)
    words = len((fast or "").split())
    if big or words >= FALLBACK_BELOW_WORDS or words >= FALLBACK_SHARE * _page_words(tree):
        return fast
    return _bare_text(tree, url, fast=False) or fast


def _page_words(tree: HtmlElement) -> int:
    """Words of the page's visible text (scripts and styles left out)."""
    texts = tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
    return sum(len(str(t).split()) for t in texts)


def _bare_text(tree: HtmlElement, url: str | None, *, fast: bool) -> str | None:
    doc = trafilatura.bare_extraction(
        tree, url=url, include_comments=False, with_metadata=False, fast=fast
    )
    return getattr(doc, "text", None) if doc is not None else None


def clean_text(text: str) -> CleanResult:
    if not text or not text.strip():
        raise PermanentError("empty article: empty text")
    if len(text) > MAX_TEXT_CHARS:
        raise PermanentError(f"text too large: {len(text)} characters (limit {MAX_TEXT_CHARS})")
    lines = unwrap_lines(_CONTROL.sub(" ", text))
    title: str | None = None
    # The title is the first line that is not debris ("close", a counter), if it reads
    # like a headline; it moves to the metadata.
    for i, line in enumerate(lines):
        if not line or classify(line) is not None:
            continue
        if looks_like_headline(line):
            title = line
            del lines[i]
        break
    filtered = filter_paragraphs(lines, title=title)
    body = _require_prose(filtered.kept, len(filtered.removed))
    return CleanResult(text=body, metadata=ArticleMetadata(title=title), removed=filtered.removed)


def clean_article(raw: RawArticle) -> CleanArticle:
    return clean_with_fingerprint(raw)[0]


def clean_with_fingerprint(raw: RawArticle) -> tuple[CleanArticle, Fingerprint]:
    """The clean article, and its fingerprints for the duplicate index."""
    kind: Literal["html", "text"] = "html" if raw.html is not None else "text"
    if raw.html is not None:
        result = clean_html(raw.html, raw.final_url or raw.url)
    else:
        result = clean_text(raw.text or "")
    # duplicate_of needs the shared history in Redis: the service fills it in.
    fp = fingerprint(raw.article_id, result.text)
    article = CleanArticle(
        article_id=raw.article_id,
        trace_id=raw.trace_id,
        url=raw.url,
        canonical_url=raw.canonical_url,
        source_kind=kind,
        metadata=result.metadata,
        text=result.text,
        removed=result.removed,
        content_hash=fp.content_hash,
        simhash=simhash_hex(fp.simhash),
    )
    return article, fp


def looks_like_headline(line: str) -> bool:
    words = line.split()
    if not 3 <= len(words) <= 30 or len(line) > 250:
        return False
    # A headline does not end like a sentence or a label (a question or "!" is fine).
    if line.rstrip("\"”’'").endswith((".", ":", ",", ";")):
        return False
    return line[0].isupper() or line[0].isdigit() or line[0] in "\"“‘'"


def unwrap_lines(text: str) -> list[str]:
    """Lines of a plain text, with hard-wrapped paragraphs joined back together.

    A line continues on the next one when it is as long as a wrapped line, does not end a
    sentence, and the next line starts in lower case: that is wrapping, not a new
    paragraph, a caption or a menu ("close" / "close").
    """
    out: list[str] = []
    for raw in text.splitlines():
        line = normalise(raw)
        prev = out[-1] if out else ""
        if len(prev) >= WRAP_MIN_CHARS and line[:1].islower() and not is_sentence(prev):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _require_prose(kept: list[str], removed: int) -> str:
    if not any(len(line.split()) >= MIN_PROSE_WORDS for line in kept):
        raise PermanentError(
            f"empty article: no prose left after cleaning ({len(kept)} short lines kept, "
            f"{removed} boilerplate lines removed)"
        )
    return PARAGRAPH_SEP.join(kept)
