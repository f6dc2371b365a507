"""Events reported twice in one article become one.

News repeats itself: a lead sentence is restated further down ("Zelensky's appeal and
the Russian airstrikes come at a time when ..."), a quote is printed twice. A later
event is a repeat of an earlier one of the same type when it adds nothing: no new
actor (unless the first telling named none), place, count or amount, and either it
refers back with a definite noun ("the airstrikes", "Zelensky's appeal") or its
sentence says nearly the same words.
"""

from __future__ import annotations

import re

from newswire_shared.messages import Entity, Event

SAME_WORDS = 0.8  # share of the shorter sentence's words found in the other


def _actor_keys(event: Event, entities: dict[str, Entity]) -> set[str]:
    """Places and organisations stand for their country, so "Moscow launched" and
    "the Russian airstrikes" have the same actor."""
    keys = set()
    for ref in event.actors:
        ent = entities.get(ref.entity_id)
        if ent is not None and ent.type in ("GPE", "ORG") and ent.country:
            keys.add(f"country:{ent.country}")
        else:
            keys.add(ref.entity_id)
    return keys


def _the_trigger(event: Event) -> bool:
    """ "The attack on ...": a definite article points back; "their advance" may not."""
    pattern = rf"\b(?:the|this|that)\s+{re.escape(event.trigger)}\b"
    return re.search(pattern, event.evidence.sentence, re.IGNORECASE) is not None


def _words(sentence: str) -> set[str]:
    return set(re.findall(r"\w+", sentence.lower()))


def same_words(a: str, b: str) -> bool:
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= SAME_WORDS


def is_repeat(later: Event, earlier: Event, refers_back: bool, entities: dict[str, Entity]) -> bool:
    if later.type != earlier.type or later.evidence.start == earlier.evidence.start:
        return False
    before = _actor_keys(earlier, entities)
    if before and not _actor_keys(later, entities) <= before:
        return False
    # "The attack on the plant in Zaporizhzhia caused a fire": a definite reference may
    # tell where an earlier happening was when that telling did not.
    new_place = later.location is not None and (
        earlier.location is None or later.location.entity_id != earlier.location.entity_id
    )
    if new_place and not (earlier.location is None and _the_trigger(later)):
        return False
    counts = {(c.kind, c.value) for c in later.counts}
    if counts - {(c.kind, c.value) for c in earlier.counts}:
        return False
    money = {(m.amount, m.currency) for m in later.money}
    if money - {(m.amount, m.currency) for m in earlier.money}:
        return False
    if later.type == "STATEMENT":  # a speaker says many things: only the same words repeat
        return bool(later.actors) and same_words(later.evidence.sentence, earlier.evidence.sentence)
    return refers_back or same_words(later.evidence.sentence, earlier.evidence.sentence)


def merge_repeats(
    events: list[Event], refers_back: set[str], entities: dict[str, Entity]
) -> list[Event]:
    """``refers_back``: ids of events whose trigger is a definite noun."""
    kept: list[Event] = []
    for event in sorted(events, key=lambda e: e.evidence.start):
        first = next(
            (e for e in kept if is_repeat(event, e, event.event_id in refers_back, entities)),
            None,
        )
        if first is None:
            kept.append(event)
        else:  # told twice: a little more credible, and who did it may be told only later
            first.confidence = round(min(0.95, first.confidence + 0.05), 2)
            first.actors = first.actors or event.actors
            first.location = first.location or event.location
    return kept
