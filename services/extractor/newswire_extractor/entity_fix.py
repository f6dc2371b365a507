"""Post-NER repairs: the gazetteer corrects what en_core_web_sm gets wrong.

- an entity never crosses a line break or a possessive ("Kyiv’s Western" -> "Kyiv");
- a known place tagged PERSON/PRODUCT/ORG/... becomes GPE (Kyiv, Kursk, Kramatorsk),
  unless it is the surname of a person in the same text (Lloyd Austin ... Austin said);
- a single word that is the surname of a full-name PERSON in the text is PERSON
  (the model tags a bare "Stoltenberg" GPE or ORG);
- a lone portfolio word before a title ("Defense Secretary") is no organisation;
- nationality adjectives are NORP; proper nouns the model missed that name a known
  place become GPE; money amounts ("1 billion euros") become MONEY spans, and a MONEY
  span with no currency ("more than 10 million" people) is no money;
- an acronym the model calls NORP ("JNIM") names a group: ORG;
- a name after "the village of", "the town of" is a place, whatever the model says;
- a lone surname of a full-name person in the text that the model missed is PERSON;
- a capitalised common noun opening a sentence ("Gunmen abducted ...") is no name;
- "the Palestinian health ministry" (a nationality or place, then lowercase words) is
  the nationality or place: the model's span is a description, not a name.
"""

from __future__ import annotations

from spacy.symbols import PROPN
from spacy.tokens import Doc, Span

from .gazetteer import demonyms, known_people_by_key, lookup_place
from .names import TITLE_WORDS, name_key, surname_key, without_particles
from .numbers import find_money

RELABEL_TO_PLACE = {"PERSON", "PRODUCT", "ORG", "WORK_OF_ART", "FAC", "NORP", "EVENT", "LAW"}
NAME_LABELS = {"GPE", "LOC", "ORG", "PRODUCT", "WORK_OF_ART", "NORP", "FAC", "EVENT"}


def _trim(span: Span) -> Span | None:
    """Cut a span at the first line break or possessive marker inside it."""
    if span.id_.startswith("weapon:") and len(span) > 1 and span[-1].text.islower():
        # "Lancet drones", "Abrams tanks": the alias needs the noun to be unambiguous, but
        # the noun says what kind of thing it is and is no part of the name.
        end = span.end
        while end > span.start + 1 and span.doc[end - 1].text.islower():
            end -= 1
        return Span(span.doc, span.start, end, label=span.label_, span_id=span.id)
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
    # Also cut a trailing preposition or article the model took in ("Kerch Bridge with").
    while end > span.start and (
        span.doc[end - 1].is_space
        or span.doc[end - 1].is_punct
        or span.doc[end - 1].pos_ in ("ADP", "DET", "CCONJ")
    ):
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
        # A known place the model took for a person ("(Al Fasher, North Darfur)") gives
        # no surname that would keep it a person.
        if s.label_ == "PERSON" and len(words) >= 2 and lookup_place(s.text) is None:
            out.add(surname_key(s.text))
    return out


def _preceded_by_title(span: Span) -> bool:
    return span.start > 0 and span.doc[span.start - 1].text.lower() in TITLE_WORDS - {"the"}


def _relabel(span: Span, label: str) -> Span:
    return Span(span.doc, span.start, span.end, label=label, span_id=span.id)


# "the village of Krynky": the name after one of these is a place even when no
# gazetteer knows it.
PLACE_NOUNS = {"village", "town", "city", "district", "province", "region", "county", "port"}


def _named_as_place(span: Span) -> bool:
    doc = span.doc
    if span.start < 2 or doc[span.start - 1].lower_ != "of":
        return False
    return doc[span.start - 2].lower_ in PLACE_NOUNS


# "Al-Shifa Hospital", "Kerch Bridge": a name ending in one of these is a facility.
FACILITY_HEADS = {
    "Hospital", "Bridge", "Airport", "Dam", "Port", "Station", "Base", "Prison", "Stadium",
    "Mosque", "Church", "Cathedral", "Plant", "Refinery", "Palace", "Square", "Camp",
    "Terminal", "Tower", "Barracks", "Airbase", "Pipeline", "Canal", "Highway",
}  # fmt: skip


# "Syrian Observatory for Human Rights", "Sudan Doctors Network": a capitalised name with
# one of these words is an organisation, whatever place or nationality it starts with.
ORG_HEADS = {
    "Observatory", "Council", "Committee", "Ministry", "Agency", "Network", "Organization",
    "Organisation", "Party", "Army", "Front", "Movement", "Forces", "Group", "Commission",
    "Court", "Bank", "Fund", "Institute", "Foundation", "Association", "Coalition",
    "Alliance", "Brigade", "Brigades", "Battalion", "Service", "Office", "Department",
    "Corps", "Guard", "Union", "Federation", "Centre", "Center", "Authority", "Police",
}  # fmt: skip


def _organisation(span: Span) -> bool:
    return (
        len(span) > 1
        and span.label_ in ("GPE", "LOC", "NORP", "PERSON", "FAC")
        and any(t.text in ORG_HEADS for t in span[1:])
        and lookup_place(span.text) is None
    )


def _facility(span: Span) -> bool:
    return len(span) > 1 and span[-1].text in FACILITY_HEADS and span.label_ != "FAC"


PLACE_AFTER = PLACE_NOUNS | {"township", "municipality", "governorate", "commune", "camp"}


def _place_noun_after(span: Span) -> bool:
    """ "Tabayin township", "Kidal region": an unknown name before such a noun is a place."""
    nxt = span.doc[span.end] if span.end < len(span.doc) else None
    return bool(nxt is not None and nxt.lower_ in PLACE_AFTER and nxt.text.islower())


def _before_country(span: Span) -> bool:
    """ "a market in Ménaka, Mali": a name followed by ", <country>" is a place in it."""
    doc = span.doc
    if span.end + 1 >= len(doc) or doc[span.end].text != ",":
        return False
    # A person's name before a country is only a place after "in", "near": "Sall, Senegal's
    # former president" is a person.
    before = doc[span.start - 1].lower_ if span.start else ""
    if span.label_ == "PERSON" and before not in ("in", "near", "at", "of"):
        return False
    place = lookup_place(doc[span.end + 1].text)
    return place is not None and place.precision == "country"


GENERIC_CAMPS = {"Western", "West", "the West", "Westerners"}


def _sentence_initial_noun(span: Span) -> bool:
    tok = span[0]
    return (
        len(span) == 1
        and bool(tok.is_sent_start)
        and tok.pos_ == "NOUN"
        and lookup_place(tok.text) is None
        and tok.text not in demonyms()
    )


def _described_head(span: Span) -> Span | None:
    """ "the Gaza health ministry" -> "Gaza" (GPE); "Palestinian health ministry" ->
    "Palestinian" (NORP): a known place or nationality followed only by lowercase words."""
    toks = [t for t in span if t.lower_ != "the" or t.i > span.start]
    start = toks[0].i if toks else span.start
    for n in (2, 1):
        head = span.doc[start : start + n]
        rest = span.doc[start + n : span.end]
        if len(head) < n or not len(rest) or not all(t.text.islower() for t in rest):
            continue
        if head.text in demonyms():
            return Span(span.doc, start, start + n, label="NORP")
        if lookup_place(head.text) is not None:
            return Span(span.doc, start, start + n, label="GPE")
    return None


# Words that stand right before a person's name as a title ("regional governor Oleh
# Syniehubov", "Foreign Minister Andrii Sybiha"); adjectives of TITLE_WORDS are left out.
PERSON_TITLES = frozenset({
    "president", "minister", "secretary", "chancellor", "governor", "mayor", "senator",
    "spokesman", "spokeswoman", "spokesperson", "commander", "premier", "ambassador",
    "envoy", "king", "queen", "prince", "pope", "general", "gen.", "col.", "lt.", "sgt.",
    "mr.", "mrs.", "ms.", "dr.", "mr", "mrs", "ms", "dr", "sir", "lawmaker", "mp",
})  # fmt: skip


def _titled_name(span: Span) -> bool:
    """Two or three capitalised words right after a person's title are that person's
    name, whatever the model tagged them, unless they name a known place."""
    if not 2 <= len(span) <= 3 or span.start == 0:
        return False
    if span.doc[span.start - 1].lower_ not in PERSON_TITLES:
        return False
    words_ok = all(t.is_alpha and t.text[:1].isupper() and not t.text.isupper() for t in span)
    return words_ok and lookup_place(span.text) is None


def _acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and (text.isupper() or any(c.isdigit() for c in text))


def _fix_one(span: Span, surnames: set[str]) -> Span:
    if span.id_:  # from the entity ruler: curated, keep
        return span
    text = span.text
    if text in demonyms():
        return _relabel(span, "NORP") if span.label_ != "NORP" else span
    if span.label_ == "NORP" and _acronym(text):
        return _relabel(span, "ORG")
    if span.label_ in ("ORG", "PRODUCT", "GPE", "LOC", "FAC", "NORP") and _titled_name(span):
        return _relabel(span, "PERSON")
    if span.label_ in RELABEL_TO_PLACE | {"LOC"} and (
        _named_as_place(span) or _place_noun_after(span) or _before_country(span)
    ):
        return _relabel(span, "GPE")
    if _organisation(span):
        return _relabel(span, "ORG")
    if span.label_ in ("ORG", "GPE", "LOC", "PERSON", "PRODUCT") and _facility(span):
        return _relabel(span, "FAC")
    if span.label_ == "ORG":
        head = _described_head(span)
        if head is not None:
            return head
    key = name_key(text)
    bare = without_particles(key)  # "Al-Nour"
    single = len(span) == 1 or (bare != key and " " not in bare)
    is_surname = single and (bare in surnames or key in known_people_by_key())
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
            # Part of a longer name ("NATO Summit", "Summit Road"): not a place mention;
            # but a title may follow ("Somaliland President Abdirahman Irro").
            titled = i + n < size and doc[i + n].lower_ in TITLE_WORDS
            if (i and propn[i - 1]) or (i + n < size and propn[i + n] and not titled):
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


def _missed_surnames(doc: Doc, surnames: set[str], taken: set[int]) -> list[Span]:
    """ "Faye, who was released ...": the model tags the full name once and misses the
    surname alone later; a capitalised proper noun equal to that surname is the person."""
    found = []
    for tok in doc:
        if tok.i in taken or tok.pos_ != "PROPN" or not tok.text[:1].isupper():
            continue
        if not tok.text.isupper() and name_key(tok.text) in surnames:
            found.append(Span(doc, tok.i, tok.i + 1, label="PERSON"))
    return found


def _money_spans(doc: Doc) -> list[Span]:
    spans: list[Span] = []
    for m in find_money(doc.text):
        span = doc.char_span(m.start, m.end, label="MONEY", alignment_mode="expand")
        # "$15/£13.49" is one token: both amounts expand to it, and spans may not overlap.
        if span is not None and not any(span.start < o.end and o.start < span.end for o in spans):
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


# "16:45 GMT": the model takes a time zone after a clock time for an organisation.
TIME_ZONES = {
    "GMT", "UTC", "BST", "CET", "CEST", "EET", "EEST", "MSK", "EST", "EDT", "ET", "CST",
    "CDT", "PST", "PDT", "PT", "IST", "JST", "KST", "AEST", "AEDT", "WAT", "EAT", "CAT",
}  # fmt: skip


def _time_zone(span: Span) -> bool:
    before = span.doc[span.start - 1].text if span.start else ""
    return span.text in TIME_ZONES and any(c.isdigit() for c in before)


# "the Kidal region", "Idlib province": a region written with its kind is one name (a
# lowercase "state" is left out: "Sennar state" is written "Sennar" as often).
REGION_WORDS = {"region", "province", "oblast", "krai", "governorate"}


def _with_region_word(span: Span, taken: set[int]) -> Span:
    nxt = span.doc[span.end] if span.end < len(span.doc) else None
    if span.label_ not in ("GPE", "LOC") or nxt is None or nxt.i in taken:
        return span
    if nxt.lower_ not in REGION_WORDS or not nxt.text.islower():
        return span
    place = lookup_place(span.text)
    if place is not None and place.precision == "country":
        return span  # "the Russia region" of a company: no place called so
    return Span(span.doc, span.start, span.end + 1, label="GPE", span_id=span.id)


def fix_entities(doc: Doc) -> Doc:
    trimmed = [s for s in (_trim(e) for e in doc.ents) if s is not None and not _title_word(s)]
    trimmed = [s for s in trimmed if not _time_zone(s)]
    # "the foreign ministry", "defence ministry": a description, no name.
    trimmed = [s for s in trimmed if s.id_ or not all(t.text.islower() for t in s)]
    trimmed = [s for s in trimmed if s.id_ or not _sentence_initial_noun(s)]
    # "Western countries", "the West": a camp, not a nationality or a place.
    trimmed = [s for s in trimmed if s.text not in GENERIC_CAMPS]
    surnames = _person_surnames(trimmed)
    ents = [_fix_one(s, surnames) for s in trimmed]
    # The model's MONEY without a currency is a count ("more than 10 million" people).
    ents = [e for e in ents if e.label_ != "MONEY" or find_money(e.text)]
    money = _money_spans(doc)
    money_tokens = {t.i for s in money for t in s}
    ents = [e for e in ents if not money_tokens & set(range(e.start, e.end))] + money
    taken = {t.i for e in ents for t in e}
    ents += _missed_places(doc, taken)
    taken = {t.i for e in ents for t in e}
    ents += _missed_surnames(doc, surnames, taken)
    taken = {t.i for e in ents for t in e}
    ents = [_with_region_word(e, taken) for e in ents]
    doc.ents = sorted(ents, key=lambda s: s.start)
    return doc
