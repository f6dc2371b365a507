"""Post-NER repairs: the gazetteer corrects what en_core_web_sm gets wrong.

- an entity never crosses a line break or a possessive ("Kyiv’s Western" -> "Kyiv");
- a known place tagged PERSON/PRODUCT/ORG/... becomes GPE (Kyiv, Kursk, Kramatorsk),
  unless it is the surname of a person in the same text (Lloyd Austin ... Austin said);
- a single word that is the surname of a full-name PERSON in the text is PERSON
  (the model tags a bare "Stoltenberg" GPE or ORG);
- a lone portfolio word before a title ("Defense Secretary") is no organisation;
- nationality adjectives are NORP; proper nouns the model missed that name a known
  place become GPE; money amounts ("1 billion euros") become MONEY spans.
"""

from __future__ import annotations

from spacy.symbols import PROPN
from spacy.tokens import Doc, Span

from .gazetteer import demonyms, known_people_by_key, lookup_place
from .names import TITLE_WORDS, name_key, surname_key
from .numbers import find_money

RELABEL_TO_PLACE = {"PERSON", "PRODUCT", "ORG", "WORK_OF_ART", "FAC", "NORP", "EVENT", "LAW"}
NAME_LABELS = {"GPE", "LOC", "ORG", "PRODUCT", "WORK_OF_ART", "NORP", "FAC", "EVENT"}


def _trim(span: Span) -> Span | None:
    """Cut a span at the first line break or possessive marker inside it."""
    if span.id_:  # curated ruler patterns may contain "’s" on purpose
        return span
    end = span.end
    for tok in span:
        if tok.i > span.start and (tok.is_space or tok.text in ("'s", "’s")):
            end = tok.i
            break
        if "\n" in tok.whitespace_ and tok.i + 1 < span.end:
            end = tok.i + 1
            break
    while end > span.start and (span.doc[end - 1].is_space or span.doc[end - 1].is_punct):
        end -= 1
    if end <= span.start:
        return None
    if end == span.end:
        return span
    return Span(span.doc, span.start, end, label=span.label_, span_id=span.id)


def _person_surnames(spans: list[Span]) -> set[str]:
    out = set()
    for s in spans:
        words = [t for t in s if t.text.lower().strip(".") not in TITLE_WORDS]
        if s.label_ == "PERSON" and len(words) >= 2:
            out.add(surname_key(s.text))
    return out


def _preceded_by_title(span: Span) -> bool:
    return span.start > 0 and span.doc[span.start - 1].text.lower() in TITLE_WORDS - {"the"}


def _relabel(span: Span, label: str) -> Span:
    return Span(span.doc, span.start, span.end, label=label, span_id=span.id)


def _fix_one(span: Span, surnames: set[str]) -> Span:
    if span.id_:  # from the entity ruler: curated, keep
        return span
    text = span.text
    if text in demonyms():
        return _relabel(span, "NORP") if span.label_ != "NORP" else span
    key = name_key(text)
    single = len(span) == 1
    is_surname = single and (key in surnames or key in known_people_by_key())
    if span.label_ in NAME_LABELS and is_surname:
        return _relabel(span, "PERSON")
    place = lookup_place(text)
    if place and span.label_ in RELABEL_TO_PLACE:
        if span.label_ == "PERSON" and (is_surname or _preceded_by_title(span)):
            return span
        return _relabel(span, "LOC" if place.precision == "region" else "GPE")
    return span


def _missed_places(doc: Doc, taken: set[int]) -> list[Span]:
    """Runs of up to three proper nouns outside any entity that name a known place."""
    # Per-token flags read once as arrays: the scan below asks for each token up to
    # six times, and every doc[i] builds a Token object.
    propn = [p == PROPN for p in doc.to_array("POS").tolist()]
    stop = doc.to_array("IS_STOP").tolist()
    size = len(doc)
    found: list[Span] = []
    i = 0
    while i < size:
        if i in taken or not propn[i]:  # no run of any length starts here
            i += 1
            continue
        hit = None
        for n in (3, 2, 1):
            if i + n > size or any(j in taken or not propn[j] for j in range(i, i + n)):
                continue
            if not doc[i].text[:1].isupper() or any(stop[i : i + n]):
                continue
            # Part of a longer name ("NATO Summit", "Summit Road"): not a place mention.
            if (i and propn[i - 1]) or (i + n < size and propn[i + n]):
                continue
            if lookup_place(doc[i : i + n].text):
                hit = Span(doc, i, i + n, label="GPE")
                break
        if hit is not None:
            found.append(hit)
            i = hit.end
        else:
            i += 1
    return found


def _money_spans(doc: Doc) -> list[Span]:
    spans = []
    for m in find_money(doc.text):
        span = doc.char_span(m.start, m.end, label="MONEY", alignment_mode="expand")
        if span is not None:
            spans.append(span)
    return spans


# "Defense Secretary Lloyd Austin": the model tags the portfolio word ORG; it is a title.
TITLE_HEADS = {"secretary", "minister", "chief", "spokesman", "spokeswoman", "spokesperson"}


def _title_word(span: Span) -> bool:
    nxt = span.doc[span.end] if span.end < len(span.doc) else None
    return (
        not span.id_
        and span.label_ == "ORG"
        and len(span) == 1
        and nxt is not None
        and nxt.lower_ in TITLE_HEADS
    )


def fix_entities(doc: Doc) -> Doc:
    trimmed = [s for s in (_trim(e) for e in doc.ents) if s is not None and not _title_word(s)]
    surnames = _person_surnames(trimmed)
    ents = [_fix_one(s, surnames) for s in trimmed]
    money = _money_spans(doc)
    money_tokens = {t.i for s in money for t in s}
    ents = [e for e in ents if not money_tokens & set(range(e.start, e.end))] + money
    taken = {t.i for e in ents for t in e}
    ents += _missed_places(doc, taken)
    doc.ents = sorted(ents, key=lambda s: s.start)
    return doc
