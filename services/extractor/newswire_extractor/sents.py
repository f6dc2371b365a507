"""The sentence of a token, looked up once per document.

spaCy's ``Token.sent`` walks the document's sentences on every call; the extractor
asks for it for every cue, quote and entity, which cost more than the parser did.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

KEY = "newswire_sentence_bounds"


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
