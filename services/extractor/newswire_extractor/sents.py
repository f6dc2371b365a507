"""Per-document lookups computed once and kept in ``doc.user_data``.

spaCy recomputes these on every access: ``Token.sent`` walks the document's sentences,
``Doc.text`` joins every token, and ``Span.ents`` scans every entity of the document.
The extractor asks for them per cue, quote, entity and sentence, which cost more than
the parser did. The pipeline is done with a document before any of these run, so the
cached values cannot go stale.
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.tokens import Doc, Span, Token

KEY = "newswire_sentence_bounds"
TEXT_KEY = "newswire_text"
ENTS_KEY = "newswire_ents"


def sent_of(tok: Token) -> Span:
    doc = tok.doc
    bounds: list[tuple[int, int]] | None = doc.user_data.get(KEY)
    if bounds is None:
        bounds = []
        for sent in doc.sents:
            bounds.extend([(sent.start, sent.end)] * (sent.end - sent.start))
        doc.user_data[KEY] = bounds
    start, end = bounds[tok.i]
    return doc[start:end]


def text_of(doc: Doc) -> str:
    """``doc.text``."""
    text: str | None = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def ents_in(span: Span) -> list[Span]:
    """``span.ents``: the entities wholly inside ``span``, in order."""
    cached: tuple[tuple[Span, ...], list[int]] | None = span.doc.user_data.get(ENTS_KEY)
    if cached is None:
        ents = tuple(span.doc.ents)
        cached = span.doc.user_data[ENTS_KEY] = (ents, [e.start for e in ents])
    ents, starts = cached
    out = []
    for ent in ents[bisect_left(starts, span.start) :]:
        if ent.end > span.end:
            break
        out.append(ent)
    return out
