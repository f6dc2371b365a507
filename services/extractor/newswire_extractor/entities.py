"""Mentions -> canonical entities with stable ids.

Ids come from a natural key, so the same entity gets the same id in every article:
curated entities and places use their gazetteer key, other names the transliteration-
folded ``name_key``. A surname alone ("Stoltenberg", "Mr. Zelenskyy") links to the
full-name person of the same text; a known person's surname links to that person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from spacy.tokens import Doc, Span

from newswire_shared.ids import stable_id
from newswire_shared.messages import Entity, EntityRef, EntityType, Mention

from .coref import Discourse
from .gazetteer import country_place, demonyms, known, known_people_by_key, lookup_place
from .names import TITLE_WORDS, name_key, surname_key, without_particles
from .numbers import parse_money
from .sents import sent_of

ENTITY_TYPES = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "WEAPON"}
VALUE_TYPES = {"DATE", "MONEY", "QUANTITY"}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}


@dataclass
class Linked:
    entities: dict[str, Entity] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    refs: dict[tuple[int, int], EntityRef] = field(default_factory=dict)  # (doc, token)
    discourse: Discourse = field(default_factory=Discourse)

    def ref_at(self, doc_index: int, token_i: int) -> EntityRef | None:
        return self.refs.get((doc_index, token_i))


def entity_id(key: str) -> str:
    return stable_id("entity", key)


def _clean_span(span: Span) -> Span | None:
    """Drop a leading article and, for people, leading titles ("Mr.", "President")."""
    start = span.start
    while start < span.end - 1 and (
        span.doc[start].lower_ == "the"
        or (span.label_ == "PERSON" and span.doc[start].lower_ in TITLE_WORDS)
    ):
        start += 1
    return (
        span
        if start == span.start
        else Span(span.doc, start, span.end, label=span.label_, span_id=span.id)
    )


def _words(span: Span) -> list[str]:
    return [t.text for t in span if not t.is_punct]


def _title_words(span: Span) -> set[str]:
    """Words that introduce a person: "NATO chief", "Kharkiv Governor", appositions."""
    doc, words = span.doc, set()
    i = span.start - 1
    while i >= max(sent_of(span[0]).start, span.start - 6):
        tok = doc[i]
        if tok.ent_type_ == "PERSON" or tok.pos_ not in ("PROPN", "NOUN", "ADJ", "PART"):
            break
        words.add(tok.lower_)
        i -= 1
    root = span.root
    apposed = [c for c in root.children if c.dep_ == "appos"]
    if root.dep_ == "appos":
        apposed.append(root.head)
    for tok in apposed:
        words |= {
            t.lower_
            for t in tok.subtree
            if t.pos_ in ("NOUN", "PROPN", "ADJ") and not (span.start <= t.i < span.end)
        }
    return words


class _Linker:
    def __init__(self) -> None:
        self.out = Linked()
        self.full_names: dict[str, str] = {}  # surname key -> entity key of full name

    def _entity(self, key: str, name: str, etype: str, **extra: object) -> Entity:
        eid = entity_id(key)
        ent = self.out.entities.get(eid)
        if ent is None:
            ent = Entity(entity_id=eid, name=name, type=cast(EntityType, etype), **extra)
            self.out.entities[eid] = ent
        return ent

    def _person_key(self, span: Span) -> tuple[str, str]:
        if span.id_ in known():
            k = known()[span.id_]
            return k.key, k.name
        text = " ".join(w for w in _words(span) if w.lower() not in TITLE_WORDS)
        key = name_key(text)
        if key in known_people_by_key():
            k = known_people_by_key()[key]
            return k.key, k.name
        bare = without_particles(key)
        if " " not in bare and bare in self.full_names:
            full = self.full_names[bare]
            known_full = self.out.entities.get(entity_id(full))
            if known_full is not None:
                return full, known_full.name
        return f"person:{key}", text

    def link(self, span: Span) -> Entity | None:
        label = span.label_
        text = span.text
        if label == "PERSON":
            key, name = self._person_key(span)
            return self._entity(key, name, "PERSON")
        if span.id_ in known():
            k = known()[span.id_]
            return self._entity(
                k.key, k.name, k.label, country=k.country, weapon_class=k.weapon_class
            )
        if label in ("GPE", "LOC", "FAC"):
            place = lookup_place(text)
            if place is not None:
                etype = "LOC" if place.precision == "region" and label == "LOC" else "GPE"
                return self._entity(
                    place.key,
                    place.name,
                    etype,
                    country=place.country,
                    latitude=place.latitude,
                    longitude=place.longitude,
                )
            return self._entity(f"{label.lower()}:{name_key(text)}", text, label)
        if label == "NORP":
            code = demonyms().get(text)
            key = f"norp:{code}" if code else f"norp:{name_key(text)}"
            # "Russians" is named by its adjective "Russian"; "Swiss" stays "Swiss".
            singular = text[:-1] if text.endswith("s") and text[:-1] in demonyms() else text
            return self._entity(key, singular, "NORP", country=code)
        if label in ("ORG", "WEAPON"):
            return self._entity(f"{label.lower()}:{name_key(text)}", text, label)
        return None


def _register_full_names(linker: _Linker, spans: list[Span]) -> None:
    """Full names first, so a surname seen before its full name still links to it."""
    for span in spans:
        if span.label_ == "PERSON" and len(_words(span)) >= 2:
            # Keyed before it is registered: "Al Fasher" is its own surname's full name.
            key, name = linker._person_key(span)
            linker.full_names.setdefault(surname_key(span.text), key)
            linker._entity(key, name, "PERSON")


def link_docs(docs: list[tuple[Doc, int]]) -> Linked:
    """Link the entities of ``docs`` (chunks of one text, each with its char offset)."""
    linker = _Linker()
    cleaned: list[tuple[int, Span, int]] = []
    for index, (doc, offset) in enumerate(docs):
        for ent in doc.ents:
            span = _clean_span(ent)
            if span is not None and span.label_ in ENTITY_TYPES | VALUE_TYPES:
                cleaned.append((index, span, offset))
    _register_full_names(linker, [s for _, s, _ in cleaned])
    out = linker.out
    for index, span, offset in cleaned:
        start, end = offset + span.start_char, offset + span.end_char
        mention = Mention(text=span.text, start=start, end=end, type=cast(EntityType, span.label_))
        if span.label_ == "MONEY":
            money = parse_money(span.text)
            if money is not None:
                mention.value, mention.unit = money.amount, money.currency
        entity = linker.link(span) if span.label_ in ENTITY_TYPES else None
        if entity is not None:
            mention.entity_id = entity.entity_id
            if span.text != entity.name and span.text not in entity.aliases:
                entity.aliases.append(span.text)
            ref = EntityRef(entity_id=entity.entity_id, name=entity.name, type=entity.type)
            for tok in span:
                out.refs[(index, tok.i)] = ref
            _note_discourse(out.discourse, span, start, ref)
        out.mentions.append(mention)
    return out


def _is_subject(span: Span) -> bool:
    """Subject of a verb, also as an apposition ("Prime Minister Giorgia Meloni opposed")."""
    root = span.root
    if root.dep_ in ("appos", "compound") and root.head.dep_ in SUBJECT_DEPS:
        root = root.head
    return root.dep_ in SUBJECT_DEPS and root.head.pos_ in ("VERB", "AUX")


def _introduced_country(span: Span) -> str | None:
    """ "Spain's Prime Minister Pedro Sanchez", "Canadian Defense Minister Bill Blair":
    the country named in the title before a person's name."""
    for tok in span.root.subtree:
        if tok.i >= span.start:
            break
        if tok.ent_type_ == "NORP" and tok.text in demonyms():
            return demonyms()[tok.text]
        if tok.ent_type_ == "GPE":
            place = lookup_place(tok.text)
            if place is not None and place.precision == "country":
                return place.country
    return None


def _org_words(name: str) -> set[str]:
    """Words an organisation is also called by: "the alliance" is NATO."""
    words = {w.lower() for w in name.split()}
    for k in known().values():
        if k.label == "ORG" and k.name == name:
            words |= {w.lower() for alias in k.aliases for w in alias.split() if len(w) > 3}
    return words


def _note_discourse(disc: Discourse, span: Span, pos: int, ref: EntityRef) -> None:
    if ref.type == "PERSON":
        disc.persons.append((pos, ref))
        titles = disc.titles.setdefault(ref.entity_id, set())
        titles |= _title_words(span)
        k = known().get(f"person:{name_key(ref.name)}")
        if k is not None:
            titles |= {w for t in k.titles for w in t.split()}
        country = (k.country if k is not None else None) or _introduced_country(span)
        if country and ref.entity_id not in disc.person_country:
            disc.person_country[ref.entity_id] = country
        if _is_subject(span):
            disc.add_subject(pos, ref)
    elif ref.type == "ORG":
        disc.orgs.append((pos, ref, _org_words(ref.name)))


def country_ref(ref: EntityRef, linked: Linked) -> EntityRef:
    """A nationality stands for its country as an actor: "Russian strike" -> Russia."""
    if ref.type != "NORP":
        return ref
    ent = linked.entities.get(ref.entity_id)
    return country_by_code(ent.country if ent else None, linked) or ref


def country_by_code(code: str | None, linked: Linked) -> EntityRef | None:
    place = country_place(code)
    if place is None:
        return None
    eid = entity_id(place.key)
    if eid not in linked.entities:
        linked.entities[eid] = Entity(
            entity_id=eid,
            name=place.name,
            type="GPE",
            country=place.country,
            latitude=place.latitude,
            longitude=place.longitude,
        )
    return EntityRef(entity_id=eid, name=place.name, type="GPE")
