"""Recover paragraphs trafilatura cut, from the article body the page declares.

Publishers put the full text in schema.org ``articleBody`` (JSON-LD or microdata) for
search engines. It is not trusted blindly: it can be a teaser, another article, or stale
after an edit. It is used only when it is consistent with the page, i.e. most of its
sentences are in trafilatura's text; then the sentences trafilatura dropped are put back
where they belong (after the paragraph holding the sentence that precedes them), and go
through the same boilerplate filter as everything else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml.html import HtmlElement

from .boilerplate import normalise

# Most of the declared body must already be in the extracted text: less means the two
# disagree about what the article is.
MIN_AGREEMENT = 0.6
# Fragments shorter than this are headings or labels; they cannot show agreement.
MIN_SENTENCE_WORDS = 6
# A sentence ends with . ! ? or … , maybe followed by a closing quote or bracket, and the
# next one starts with a capital or a digit (maybe after an opening quote).
_SENTENCE_SPLIT = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’')\]]))\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_NON_WORD = re.compile(r"\W+")


def declared_body(
    tree: HtmlElement, ld: dict[str, object], has_microdata_body: bool = True
) -> str | None:
    """``articleBody`` from JSON-LD, else from microdata (``itemprop="articleBody"``).

    ``has_microdata_body=False`` (the page source does not contain "articleBody") skips
    the search of the whole tree for the attribute.
    """
    body = ld.get("articleBody")
    if isinstance(body, str) and body.strip():
        return body
    if not has_microdata_body:
        return None
    node = tree.find('.//*[@itemprop="articleBody"]')
    if node is not None:
        text = node.text_content()
        return text if text.strip() else None
    return None


def _key(text: str) -> str:
    return _NON_WORD.sub(" ", text.casefold()).strip()


def sentences(text: str) -> list[str]:
    """Sentences of a declared body: split on paragraph breaks and sentence ends."""
    out = []
    for block in re.split(r"\n\s*\n|\r?\n", text):
        out += [normalise(s) for s in _SENTENCE_SPLIT.split(normalise(block)) if s.strip()]
    return [s for s in out if len(s.split()) >= MIN_SENTENCE_WORDS]


def recover_paragraphs(paragraphs: Sequence[str], body: str) -> tuple[list[str], int]:
    """``paragraphs`` with the declared body's missing sentences put back, and how many.

    Unchanged when the declared body disagrees with the extracted text.
    """
    declared = sentences(body)
    if not declared:
        return list(paragraphs), 0
    keys = [_key(p) for p in paragraphs]
    where: list[int | None] = []  # index of the paragraph holding each sentence
    for sentence in declared:
        k = _key(sentence)
        where.append(next((i for i, pk in enumerate(keys) if k and k in pk), None))
    found = sum(w is not None for w in where)
    if found / len(declared) < MIN_AGREEMENT or found == len(declared):
        return list(paragraphs), 0
    # Group the missing sentences into runs; each run becomes one paragraph inserted
    # after the paragraph of the sentence before it (or before the first paragraph).
    inserts: dict[int, list[list[str]]] = {}
    anchor, run = -1, []
    for sentence, w in zip(declared, where, strict=True):
        if w is None:
            run.append(sentence)
            continue
        if run:
            inserts.setdefault(anchor, []).append(run)
            run = []
        anchor = max(anchor, w)
    if run:
        inserts.setdefault(anchor, []).append(run)
    out: list[str] = [" ".join(r) for r in inserts.get(-1, [])]
    for i, paragraph in enumerate(paragraphs):
        out.append(paragraph)
        out += [" ".join(r) for r in inserts.get(i, [])]
    return out, len(declared) - found
