"""Who "he", "she", "the president" and "the NATO chief" are.

Deliberately simple and local to one article: a pronoun is the most recent named
person who was the subject of a clause (or a speaker); a title phrase is the most
recent person introduced with that title ("NATO chief Jens Stoltenberg"), or an
organisation whose name contains the head word ("the service").
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from newswire_shared.messages import EntityRef

PRONOUNS = {"he", "she", "him", "her"}


@dataclass
class Discourse:
    subjects: list[tuple[int, EntityRef]] = field(default_factory=list)  # sorted by position
    persons: list[tuple[int, EntityRef]] = field(default_factory=list)
    titles: dict[str, set[str]] = field(default_factory=dict)  # entity_id -> title words
    orgs: list[tuple[int, EntityRef, set[str]]] = field(default_factory=list)
    # entity_id -> ISO country of a person, from the gazetteer or an introduction
    # like "Spain's Prime Minister Pedro Sanchez"
    person_country: dict[str, str] = field(default_factory=dict)

    def add_subject(self, pos: int, ref: EntityRef) -> None:
        keys = [p for p, _ in self.subjects]
        self.subjects.insert(bisect_left(keys, pos), (pos, ref))

    def resolve_pronoun(self, pos: int) -> EntityRef | None:
        for table in (self.subjects, self.persons):
            before = [ref for p, ref in table if p < pos]
            if before:
                return before[-1]
        return None

    def resolve_object(self, pos: int, exclude: set[str]) -> EntityRef | None:
        """ "Blinken met Wang Yi. He urged him ...": an object pronoun is the nearest
        person before it who is not the one acting (a clause's subject and object are
        two people)."""
        for p, ref in reversed(self.persons):
            if p < pos and ref.entity_id not in exclude:
                return ref
        return None

    def resolve_title(self, words: list[str], pos: int) -> EntityRef | None:
        """``words``: lowercased content words of a phrase like "the NATO chief"."""
        if not words:
            return None
        head, mods = words[-1], set(words[:-1])
        best: tuple[int, int, EntityRef] | None = None
        for p, ref in self.persons:
            if p >= pos or head not in self.titles.get(ref.entity_id, set()):
                continue
            score = (len(mods & self.titles[ref.entity_id]), p)
            if best is None or score > best[:2]:
                best = (*score, ref)
        if best is not None:
            return best[2]
        for p, ref, name_words in reversed(self.orgs):
            if p < pos and head in name_words:
                return ref
        return None
