"""Public API: text (+ the article's date) -> Extraction.

All offsets in the result are character offsets into the input text, also for texts
longer than the pipeline's ``max_length``: those are processed in chunks cut at
paragraph boundaries, and every chunk's offsets are shifted back by its start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc

from newswire_shared.messages import Extraction, Quote

from .dateline import locate_lead
from .entities import link_docs
from .events import SentenceContext, doc_events
from .nlp import get_nlp, nlp_lock
from .quotes import (
    attribute_quotes,
    find_quote_spans,
    indirect_quotes,
    join_split_quotes,
    speech_cues,
)
from .repeats import merge_repeats
from .sents import text_of

EXTRACTOR_VERSION = "0.6.0+spacy-sm-gazetteer"

__all__ = ["EXTRACTOR_VERSION", "chunk_text", "extract", "extract_batch"]


def chunk_text(text: str, limit: int) -> list[tuple[int, str]]:
    """(offset, chunk) pairs of at most ``limit`` chars, cut at paragraph, line or
    sentence ends where one exists in the window, else hard."""
    if len(text) <= limit:
        return [(0, text)]
    chunks: list[tuple[int, str]] = []
    pos = 0
    while pos < len(text):
        end = min(pos + limit, len(text))
        if end < len(text):
            window = text[pos:end]
            for sep in ("\n\n", "\n", ". "):
                cut = window.rfind(sep)
                if cut > 0:
                    end = pos + cut + len(sep)
                    break
        chunks.append((pos, text[pos:end]))
        pos = end
    return chunks


def _from_docs(text: str, docs: list[tuple[Doc, int]], published: dt.date | None) -> Extraction:
    linked = link_docs(docs)
    quote_spans = find_quote_spans(text)
    # Names inside quotes are not the narrator's subjects: keep them out of pronoun resolution.
    disc = linked.discourse
    disc.subjects = [
        (p, r) for p, r in disc.subjects if not any(a <= p < b for a, b in quote_spans)
    ]
    quotes: list[Quote] = []
    events = []
    refers_back: set[str] = set()
    for index, (doc, offset) in enumerate(docs):
        end = offset + len(text_of(doc))
        local = [(a, b) for a, b in quote_spans if offset <= a and b <= end]
        cues = speech_cues(doc, index, linked, offset, local)
        quotes += attribute_quotes(doc, index, offset, local, cues, linked)
        quotes += indirect_quotes(doc, offset, local, cues)
        ctx = SentenceContext(index, offset, published, linked, cues, local)
        events += doc_events(doc, ctx)
        refers_back |= ctx.refers_back
    # After merging: a later sentence about the same happening may name its place.
    merged = merge_repeats(events, refers_back, linked.entities)
    locate_lead(text, linked.mentions, merged)
    return Extraction(
        entities=list(linked.entities.values()),
        mentions=linked.mentions,
        quotes=join_split_quotes(text, quotes),
        events=merged,
        extractor_version=EXTRACTOR_VERSION,
    )


def extract_batch(
    items: Sequence[tuple[str, dt.date | None]], batch_size: int = 16, nlp: Language | None = None
) -> list[Extraction]:
    nlp = nlp or get_nlp()
    jobs: list[tuple[int, int, str]] = []  # (item, offset, chunk)
    for n, (text, _) in enumerate(items):
        jobs += [(n, off, chunk) for off, chunk in chunk_text(text, nlp.max_length)]
    with nlp_lock():
        docs = list(nlp.pipe((chunk for _, _, chunk in jobs), batch_size=batch_size))
    per_item: list[list[tuple[Doc, int]]] = [[] for _ in items]
    for (n, off, _), doc in zip(jobs, docs, strict=True):
        per_item[n].append((doc, off))
    return [_from_docs(text, per_item[n], published) for n, (text, published) in enumerate(items)]


def extract(text: str, published: dt.date | None = None) -> Extraction:
    return extract_batch([(text, published)])[0]
