"""Typed events, one per event type per sentence, with their arguments and evidence."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from newswire_shared.ids import stable_id
from newswire_shared.messages import (
    Count,
    EntityRef,
    Event,
    EventTime,
    EventType,
    Evidence,
    Location,
    Modality,
    Money,
)

from .actors import phrase_ref, subject_of
from .cues import classify
from .entities import Linked, country_ref
from .gazetteer import lookup_place
from .modality import modality_of, only_wanted
from .numbers import find_counts, find_money
from .quotes import Cue
from .timex import find_time

# Things that happen on the ground; a speech verb in their sentence is the claim's source.
MATERIAL = {"ASSAULT", "AID", "TERRITORY", "MOBILIZE", "RETREAT", "COERCE", "SANCTION", "PROTEST"}
COUNTED_TYPES = {"ASSAULT", "TERRITORY", "AID", "MOBILIZE", "RETREAT"}
ACTOR_MODS = ("amod", "compound", "poss", "nmod")
OBJECT_DEPS = ("dobj", "dative", "iobj", "attr")
RECIPIENT_PREPS = {"on", "to", "for", "against", "with", "at"}
PLATFORM = re.compile(
    r"\bon (?:the )?(?P<p>Telegram|X|Twitter|Facebook|Instagram|social media|"
    r"television|TV|state television)\b"
)
ACCORDING = re.compile(r"\b[Aa]ccording to (?:the )?(?P<src>[^,.;:]+)")
ACLED: list[tuple[re.Pattern[str], tuple[str, str]]] = [
    (
        re.compile(r"air ?strike|airstrike|drone|aerial|bomb|aircraft|warplane|jet", re.I),
        ("Explosions/Remote violence", "Air/drone strike"),
    ),
    (
        re.compile(r"missile|shell|artillery|rocket|mortar|HIMARS|ATACMS", re.I),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ),
    (
        re.compile(r"landmine|\bmines?\b|\bIEDs?\b|explosive device|car bomb", re.I),
        ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ),
    (re.compile(r"clash|fight|battle|gunfire|firefight", re.I), ("Battles", "Armed clash")),
]


@dataclass
class SentenceContext:
    doc_index: int
    offset: int
    published: dt.date | None
    linked: Linked
    cues: dict[int, Cue]
    quotes: list[tuple[int, int]]  # absolute spans


def _inside_quote(tok: Token, ctx: SentenceContext) -> bool:
    pos = ctx.offset + tok.idx
    return any(a <= pos < b for a, b in ctx.quotes)


def _refs(tokens: list[Token], ctx: SentenceContext, deep: bool = True) -> list[EntityRef]:
    """Entities the phrases headed by ``tokens`` stand for. ``deep=False`` looks only at
    the head and its direct modifiers, not into relative clauses and prepositions."""
    out: list[EntityRef] = []
    for tok in tokens:
        if deep:
            ref = phrase_ref(tok, ctx.doc_index, ctx.linked, ctx.offset)
        else:
            ref = _shallow_ref(tok, ctx)
        if ref is not None and ref.entity_id not in {r.entity_id for r in out}:
            out.append(ref)
    return out


def _shallow_ref(tok: Token, ctx: SentenceContext) -> EntityRef | None:
    for t in [tok, *(c for c in tok.children if c.dep_ in ("compound", "amod", "poss"))]:
        ref = ctx.linked.ref_at(ctx.doc_index, t.i)
        if ref is not None and ref.type != "WEAPON":
            return country_ref(ref, ctx.linked)
    return None


def _pobjs(tok: Token, preps: set[str]) -> list[Token]:
    return [
        g
        for c in tok.children
        if c.dep_ == "prep" and c.lower_ in preps
        for g in c.children
        if g.dep_ == "pobj"
    ]


def _participants(tok: Token, ctx: SentenceContext) -> tuple[list[EntityRef], list[EntityRef]]:
    if tok.pos_ == "VERB":
        passive = [c for c in tok.children if c.dep_ == "nsubjpass"]
        agent = [g for c in tok.children if c.dep_ == "agent" for g in c.children]
        subj = subject_of(tok)
        actors = _refs(agent if passive else ([subj] if subj is not None else []), ctx)
        objects = [c for c in tok.children if c.dep_ in OBJECT_DEPS] + passive
        recipients = _refs(objects + _pobjs(tok, RECIPIENT_PREPS), ctx, deep=False)
    else:
        mods = [c for c in tok.children if c.dep_ in ACTOR_MODS]
        actors = _refs(mods + _pobjs(tok, {"by"}), ctx)
        recipients = _refs(_pobjs(tok, {"on", "against", "to", "for"}), ctx, deep=False)
    ids = {a.entity_id for a in actors}
    return actors, [r for r in recipients if r.entity_id not in ids]


def _anchored(tok: Token, sent: Span, ctx: SentenceContext) -> bool:
    """A noun trigger names a real occurrence when something pins it down."""
    if any(c.dep_ in ACTOR_MODS for c in tok.children if c.ent_type_):
        return True
    if _pobjs(tok, {"on", "against", "in", "by"}) and tok.dep_ in ("nsubj", "nsubjpass", "dobj"):
        return True
    return bool(find_counts(sent.text)) and tok.dep_ in ("nsubj", "nsubjpass")


def _location(sent: Span, ctx: SentenceContext, actors: list[EntityRef]) -> Location | None:
    taken = {a.entity_id for a in actors}
    best: tuple[int, Location] | None = None
    for ent in sent.ents:
        if ent.label_ not in ("GPE", "LOC", "FAC") or _inside_quote(ent[0], ctx):
            continue
        ref = ctx.linked.ref_at(ctx.doc_index, ent.start)
        place = lookup_place(ent.text)
        if ref is None or ref.entity_id in taken:
            continue
        precision = place.precision if place else "unknown"
        score = {"city": 4, "region": 3, "unknown": 2, "country": 1}[precision]
        prev = sent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
        score += 3 if prev in ("in", "on", "near", "over", "at", "of") else 0
        loc = Location(
            name=ref.name,
            entity_id=ref.entity_id,
            precision=precision,
            country=place.country if place else None,
            latitude=place.latitude if place else None,
            longitude=place.longitude if place else None,
        )
        if best is None or score > best[0]:
            best = (score, loc)
    return best[1] if best else None


def _claim_source(sent: Span, cue: Cue | None) -> str | None:
    m = ACCORDING.search(sent.text)
    if m:
        return m["src"].strip()
    if cue is None:
        return None
    platform = PLATFORM.search(sent.text[cue.token.idx - sent.start_char :])
    who = cue.speaker.name if cue.speaker else cue.speaker_text
    if platform:
        return f"{who} on {platform['p']}" if who else platform["p"]
    return who


def _acled(
    etype: str, tok: Token, sent: Span, weapons: list[EntityRef]
) -> tuple[str | None, str | None]:
    if etype == "PROTEST":
        return "Protests", "Peaceful protest"
    if etype != "ASSAULT":
        return None, None
    near = " ".join(t.text for t in [*tok.subtree, tok.head])
    for text in (near, sent.text + " " + " ".join(w.name for w in weapons)):
        for pattern, (kind, sub) in ACLED:
            if pattern.search(text):
                return kind, sub
    return "Explosions/Remote violence", None


def _confidence(
    tok: Token,
    actors: list[EntityRef],
    recipients: list[EntityRef],
    location: Location | None,
    modality: Modality,
) -> float:
    score = 0.4 + (0.2 if tok.pos_ == "VERB" else 0.05) + (0.2 if actors else 0.0)
    score += 0.1 if recipients or location else 0.0
    score -= 0.15 if modality.hypothetical else 0.0
    return round(min(max(score, 0.05), 0.95), 2)


def _evidence(sent: Span, offset: int) -> Evidence:
    text = sent.text
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    start = offset + sent.start_char + lead
    return Evidence(sentence=stripped, start=start, end=start + len(stripped))


AID_OBJECTS = {
    "weapon",
    "missile",
    "aid",
    "assistance",
    "system",
    "ammunition",
    "munition",
    "package",
    "tank",
    "jet",
    "drone",
    "equipment",
    "instructor",
    "troop",
    "fund",
    "money",
    "loan",
    "grant",
    "support",
    "artillery",
    "shell",
    "vehicle",
}


def _aid_object(tok: Token, sent: Span, ctx: SentenceContext) -> bool:
    """ "give Ukraine weapons" is aid; "providing Washington with information" is not."""
    objects = [t for c in tok.children if c.dep_ in ("dobj", "prep", "attr") for t in c.subtree]
    return bool(
        any(t.lemma_.lower() in AID_OBJECTS or t.ent_type_ in ("WEAPON", "MONEY") for t in objects)
    )


def _triggers(sent: Span, ctx: SentenceContext) -> dict[str, Token]:
    """First trigger of each type in the sentence (verbs before nouns)."""
    found: dict[str, Token] = {}
    for tok in sorted(sent, key=lambda t: (t.pos_ != "VERB", t.i)):
        if _inside_quote(tok, ctx):
            continue
        etype = classify(tok)
        if etype is None or etype in found:
            continue
        if etype not in ("REQUEST", "STATEMENT") and only_wanted(tok):
            continue  # "allow Kyiv to strike": the request is the event
        if tok.pos_ == "VERB" and tok.dep_ in ("amod", "acl") and etype in MATERIAL:
            continue  # "an interview given to Reuters", "Western-supplied weapons"
        if etype == "AID" and tok.pos_ == "VERB" and not _aid_object(tok, sent, ctx):
            continue
        if etype in MATERIAL and tok.pos_ == "NOUN" and not _anchored(tok, sent, ctx):
            continue
        found[etype] = tok
    return found


def _realis(tok: Token) -> bool:
    m = modality_of(tok)
    return not (m.negated or m.hypothetical or m.future)


def sentence_events(sent: Span, ctx: SentenceContext) -> list[Event]:
    triggers = _triggers(sent, ctx)
    cues = [c for i, c in ctx.cues.items() if sent.start <= i < sent.end]
    cue = cues[0] if cues else None
    # Reporting a thing that happened makes the reporter the claim's source; reporting
    # words, plans or denials is itself the event (a STATEMENT).
    happened = any(t in MATERIAL and _realis(tok) for t, tok in triggers.items())
    used = {t.i for t in triggers.values()}
    if cue is not None and not happened and cue.token.i not in used:
        triggers["STATEMENT"] = cue.token
    claim = _claim_source(sent, cue if happened else None)
    time = _time(sent, ctx)
    money_matches = find_money(sent.text)
    weapons = _weapons(sent, ctx)
    events = []
    for etype, tok in triggers.items():
        if etype == "STATEMENT" and cue is not None:
            actors = [cue.speaker] if cue.speaker else []
            recipients = _refs(
                [c for c in tok.children if c.dep_ in ("dobj", "dative")] + _pobjs(tok, {"to"}),
                ctx,
                deep=False,
            )
        else:
            actors, recipients = _participants(tok, ctx)
        location = _location(sent, ctx, actors)
        modality = modality_of(tok)
        counts: list[Count] = []
        if etype in COUNTED_TYPES:
            counts = find_counts(sent.text, [(m.start, m.end) for m in money_matches])
        money = [Money(amount=m.amount, currency=m.currency, text=m.text) for m in money_matches]
        acled_type, acled_sub = _acled(etype, tok, sent, weapons)
        evidence = _evidence(sent, ctx.offset)
        source = claim if etype != "STATEMENT" else _platform(sent)
        events.append(
            Event(
                event_id=stable_id("event", etype, evidence.start, ctx.offset + tok.idx),
                type=_etype(etype),
                acled_event_type=acled_type,
                acled_sub_event_type=acled_sub,
                trigger=tok.text,
                actors=actors,
                recipients=recipients,
                location=location,
                time=time,
                counts=counts,
                weapons=weapons if etype != "STATEMENT" else [],
                money=money if etype in ("AID", "AGREE", "SUPPORT", "REQUEST") else [],
                modality=modality,
                claim_source=source,
                evidence=evidence,
                confidence=_confidence(tok, actors, recipients, location, modality),
            )
        )
    return events


def _platform(sent: Span) -> str | None:
    m = PLATFORM.search(sent.text)
    return m["p"] if m else None


def _etype(name: str) -> EventType:
    return name  # type: ignore[return-value]


def _time(sent: Span, ctx: SentenceContext) -> EventTime | None:
    # Only outside quotes: a date inside a quote belongs to the quoted speech.
    text = "".join(
        " " * len(t.text_with_ws) if _inside_quote(t, ctx) else t.text_with_ws for t in sent
    )
    return find_time(text, ctx.published)


def _weapons(sent: Span, ctx: SentenceContext) -> list[EntityRef]:
    out: list[EntityRef] = []
    for ent in sent.ents:
        ref = ctx.linked.ref_at(ctx.doc_index, ent.start)
        if ref is not None and ref.type == "WEAPON" and ref not in out:
            out.append(ref)
    return out


def doc_events(doc: Doc, ctx: SentenceContext) -> list[Event]:
    events: list[Event] = []
    for sent in doc.sents:
        if sent.text.strip():
            events.extend(sentence_events(sent, ctx))
    return events


__all__ = ["SentenceContext", "doc_events"]
