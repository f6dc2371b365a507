"""Where an event happened: a place in a locative phrase attached to its trigger, to a
word governing it, to its object, to the occasion it was done at, or to its actor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from newswire_shared.messages import EntityRef, Location

from .cues import MATERIAL, classify
from .gazetteer import lookup_place
from .sents import ents_in

if TYPE_CHECKING:
    from .events import SentenceContext

VISIT = {"visit", "tour"}
TRAVEL = {"travel", "fly", "go", "come", "arrive", "return", "head", "journey"}
# Prepositions that put a happening somewhere; "on"/"against" name where an attack landed.
LOCATIVE = {
    "in", "at", "near", "over", "outside", "around", "across", "inside", "into", "through",
    "throughout",
}  # fmt: skip
TARGET_PREPS = {"on", "against"}
# A place no gazetteer knows is most often a village or town below its gazetteer's size
# limit ("the village of Tassia in Mopti region"): more precise than a region.
PRECISION_RANK = {"city": 4, "unknown": 3, "region": 2, "country": 1}


def _place_attachment(ent: Span, material: bool, etype: str = "") -> Token | None:
    """The word a place phrase says "where" of: "killed ... in the city of Kharkiv" ->
    killed. None when the place is not in a locative phrase ("Kyiv's allies")."""
    tok = ent.root
    for _ in range(4):
        if tok.dep_ in ("appos", "compound", "conj") and tok.head is not tok:
            tok = tok.head  # "Sofia, Bulgaria"
        elif tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.pos_ == "NOUN":
            tok = tok.head.head  # "the eastern city of Kharkiv"
        else:
            break
    # Aid goes to its object ("provide Ukraine with 3.5 billion euros"): a recipient.
    on_ground = material and etype != "AID"
    if (on_ground or tok.head.lemma_ in VISIT) and tok.dep_ == "dobj":
        return tok.head  # "shelled Kherson", "captured the town of Avdiivka", "visited Kyiv"
    if tok.dep_ != "pobj":
        return None
    prep = tok.head.lower_
    if prep in LOCATIVE or (material and prep in TARGET_PREPS):
        return tok.head.head
    if prep == "from" and etype == "RETREAT":  # "withdrew from the village of Krynky"
        return tok.head.head
    if prep == "to" and tok.head.head.lemma_ in TRAVEL:  # "travelled to Beijing for talks"
        return tok.head.head
    if prep == "to" and etype == "MOBILIZE":  # "deployed 50,000 troops to the Kursk region"
        return tok.head.head
    return None


def _in_talks_phrase(attach: Token, trigger: Token, etype: str) -> bool:
    """ "will host talks between the delegations in Istanbul": a place inside the phrase
    of the meeting the trigger holds is the meeting's place."""
    return etype == "CONSULT" and any(
        classify(c) == "CONSULT" and attach.i in {t.i for t in c.subtree}
        for c in trigger.children
        if c.dep_ in ("dobj", "nsubjpass")
    )


def _nested(attach: Token, trigger: Token, etype: str) -> bool:
    """ "sanctions on Houthi leaders over attacks on shipping in the Red Sea": a place
    inside a phrase naming another kind of happening is that happening's place."""
    tok = attach
    while tok.i != trigger.i and tok.head is not tok:
        kind = classify(tok) if tok.pos_ == "NOUN" else None
        if kind is not None and kind != etype:
            return True
        tok = tok.head
    return False


# "told reporters at the NATO summit in Washington", "said during a visit in Madrid":
# the place of the occasion something was done at.
OCCASION_PREPS = {"at", "during"}


def _occasion(attach: Token, trigger: Token, governing: set[int], ctx: SentenceContext) -> bool:
    if attach.dep_ != "pobj" or attach.head.lower_ not in OCCASION_PREPS:
        return False
    host = attach.head.head
    # "speaking at a rally in X, he urged ...", "Stoltenberg, speaking during a visit ..."
    of_subject = host.dep_ == "acl" and host.head.dep_ == "nsubj"
    if host.tag_ == "VBG" and (host.dep_ == "advcl" or of_subject):
        host = trigger if (host.head.head if of_subject else host.head).i == trigger.i else host
    # "said at a briefing in Kyiv that Russia attacked X": where it was said only.
    return host.i in governing and (host.i == trigger.i or host.i not in ctx.cues)


# "the Taliban government in Kabul": a place that says which institution, not where.
SEATED = {"government", "authority", "administration", "regime", "ministry", "embassy"}


def _subject_of(attach: Token, trigger: Token) -> bool:
    """ "Zelensky, today in Germany, called on ...": the actor's place is the act's."""
    return (
        attach.dep_ in ("nsubj", "nsubjpass")
        and attach.head.i == trigger.i
        and attach.lemma_.lower() not in SEATED
    )


def event_location(
    sent: Span, ctx: SentenceContext, actors: list[EntityRef], trigger: Token, etype: str
) -> Location | None:
    """Where the trigger happened: a place in a locative phrase attached to the trigger,
    to a word governing it, or to its object; for things happening on the ground also
    anywhere inside the trigger's own phrase ("attacks against infrastructure in X")."""
    taken = {a.entity_id for a in actors}
    material = etype in MATERIAL
    governing = {trigger.i} | {t.i for t in trigger.ancestors}
    own = {t.i for t in trigger.subtree}
    best: tuple[tuple[int, int], Location] | None = None
    for ent in ents_in(sent):
        if ent.label_ not in ("GPE", "LOC", "FAC") or ctx.in_quote(ctx.offset + ent[0].idx):
            continue
        # The root, not the first token: "the Kerch Bridge" is linked without its "the".
        ref = ctx.linked.ref_at(ctx.doc_index, ent.root.i)
        if ref is None or ref.entity_id in taken:
            continue
        attach = _place_attachment(ent, material, etype)
        if attach is None:
            continue
        on_object = attach.dep_ in ("dobj", "dative") and attach.head.i == trigger.i
        if attach.i in ctx.cues and attach.i != trigger.i and ent.start > attach.i:
            continue  # "..., the minister said in Berlin": where it was said, not done
        # "held talks near San Francisco": the place of a noun naming the same happening.
        same = classify(attach) == etype
        inside = material and attach.i in own and not _nested(attach, trigger, etype)
        ok = attach.i in governing or on_object or same or inside
        ok = ok or _in_talks_phrase(attach, trigger, etype)
        ok = ok or _occasion(attach, trigger, governing, ctx) or _subject_of(attach, trigger)
        if not ok:
            continue
        place = lookup_place(ent.text)
        precision = place.precision if place else "unknown"
        rank = (PRECISION_RANK[precision], -abs(ent.start - trigger.i))
        loc = Location(
            name=ref.name,
            entity_id=ref.entity_id,
            precision=precision,
            country=place.country if place else None,
            latitude=place.latitude if place else None,
            longitude=place.longitude if place else None,
        )
        if best is None or rank > best[0]:
            best = (rank, loc)
    return best[1] if best else None
