"""Typed events, one per event type per sentence, with their arguments and evidence."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass, field

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

from .actors import as_government, phrase_ref, subject_of
from .cues import MATERIAL, RETALIATE, classify
from .entities import Linked, country_ref
from .event_place import event_location
from .modality import modality_of, only_wanted
from .narration import first_person, is_caption, main_predicates, reported_content, speaks
from .numbers import find_counts, find_money
from .quotes import Cue
from .sayings import other_speakers, said_act
from .sents import ents_in
from .timex import find_time

COUNTED_TYPES = {"ASSAULT", "TERRITORY", "AID", "MOBILIZE", "RETREAT", "PROTEST"}
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
        re.compile(r"suicide (?:bomb|attack|car bomb|vest)|suicide-bomb", re.I),
        ("Explosions/Remote violence", "Suicide bomb"),
    ),
    (
        re.compile(r"ground (operation|offensive|assault)|incursion|counteroffensive", re.I),
        ("Battles", "Armed clash"),
    ),
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
    (
        # Whole words: "firefighters were killed" is no battle.
        re.compile(r"\b(?:clash\w*|fight(?:s|ing)?|battles?|gunfire|firefights?)\b", re.I),
        ("Battles", "Armed clash"),
    ),
]


@dataclass
class SentenceContext:
    doc_index: int
    offset: int
    published: dt.date | None
    linked: Linked
    cues: dict[int, Cue]
    quotes: list[tuple[int, int]]  # absolute spans
    # ids of events whose trigger is a definite noun ("the airstrikes"): maybe repeats
    refers_back: set[str] = field(default_factory=set)
    # The quotes' union as sorted disjoint spans: a position is looked up by bisection,
    # not tested against every quote (it is asked for every token of every sentence).
    _starts: list[int] = field(init=False, repr=False)
    _ends: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._starts, self._ends = [], []
        for a, b in sorted(self.quotes):
            if a >= b:
                continue  # empty: contains no position
            if self._ends and a <= self._ends[-1]:
                self._ends[-1] = max(self._ends[-1], b)
            else:
                self._starts.append(a)
                self._ends.append(b)

    def in_quote(self, pos: int) -> bool:
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._ends[i]


def _inside_quote(tok: Token, ctx: SentenceContext) -> bool:
    return ctx.in_quote(ctx.offset + tok.idx)


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


def _conjuncts(tok: Token) -> list[Token]:
    """ "Israel and Hezbollah agreed": every conjoined subject acts."""
    return [t for t in tok.subtree if t.dep_ == "conj" and t.head.i != t.i and t.pos_ != "VERB"]


def _clause_subjects(tok: Token) -> list[Token]:
    """ "were killed when Israeli forces opened fire": the subject of an attack told in
    a time clause of a passive verb."""
    out = []
    verbs = [tok, *(c for c in tok.children if c.dep_ == "conj" and c.pos_ == "VERB")]
    for clause in (c for v in verbs for c in v.children):
        if clause.dep_ == "advcl" and classify(clause) == "ASSAULT":
            out += [c for c in clause.children if c.dep_ == "nsubj"]
    return out


def _beneficiaries(tok: Token, objects: list[Token]) -> list[Token]:
    """Whom a thing given or imposed is for or on, two levels below the verb: "pledged
    500 million euros in military aid to Ukraine", "imposed sanctions on Russian banks"."""
    preps = {"for", "to", "on", "against"}
    level = objects + _pobjs(tok, {"in"})
    found: list[Token] = []
    for _ in range(2):
        found += [g for o in level for g in _pobjs(o, preps)]
        level = [g for o in level for g in _pobjs(o, {"in", "of"})]
    return found


# People named by their nationality ("two American missionaries", "13 Israeli hostages",
# "Three Palestinians were killed") are not their state: it is not done to the state.
PEOPLE_NOUNS = {
    "missionary", "worker", "citizen", "national", "tourist", "journalist", "reporter",
    "hostage", "civilian", "student", "sailor", "crew", "passenger", "resident", "people",
    "family", "child", "woman", "man", "volunteer", "doctor", "nurse", "medic", "pilgrim",
    "migrant", "refugee", "prisoner", "detainee", "businessman", "engineer", "teacher",
    "farmer", "fisherman", "villager", "protester", "activist", "academic", "researcher",
    "athlete", "player", "priest", "nun", "contractor", "employee", "staff", "girl", "boy",
    "teenager", "soldier", "fighter", "militant", "settler", "worshipper", "shopper",
}  # fmt: skip


def _nationals(tok: Token, ctx: SentenceContext) -> bool:
    ref = ctx.linked.ref_at(ctx.doc_index, tok.i)
    return tok.lemma_.lower() in PEOPLE_NOUNS or (ref is not None and ref.type == "NORP")


def _object_pronouns(
    tokens: list[Token], ctx: SentenceContext, actors: list[EntityRef]
) -> list[EntityRef]:
    taken = {a.entity_id for a in actors}
    out = []
    for tok in tokens:
        if tok.lower_ in ("him", "her"):
            ref = ctx.linked.discourse.resolve_object(ctx.offset + tok.idx, taken)
            if ref is not None:
                out.append(ref)
    return out


def _host_verb(tok: Token) -> Token | None:
    """ "arrived in Muscat for talks with X", "held talks": the verb a noun trigger is
    the object or purpose of."""
    if tok.dep_ == "dobj":
        return tok.head
    if tok.dep_ == "pobj" and tok.head.dep_ == "prep" and tok.head.head.pos_ == "VERB":
        return tok.head.head
    return None


def _participants(
    tok: Token, ctx: SentenceContext, etype: str = ""
) -> tuple[list[EntityRef], list[EntityRef]]:
    actors, recipients = _parties(tok, ctx, etype)
    ids = {a.entity_id for a in actors}
    return actors, [r for r in recipients if r.entity_id not in ids]


def _parties(
    tok: Token, ctx: SentenceContext, etype: str
) -> tuple[list[EntityRef], list[EntityRef]]:
    material = etype in MATERIAL
    if tok.pos_ == "VERB":
        passive = [c for c in tok.children if c.dep_ == "nsubjpass"]
        if tok.dep_ == "acl" and tok.tag_ == "VBN":
            passive = [tok.head]  # "companies accused of supplying drones": the accused
        agent = [g for c in tok.children if c.dep_ == "agent" for g in c.children]
        subj = subject_of(tok)
        subjects = [subj, *_conjuncts(subj)] if subj is not None else []
        actors = _refs(agent if passive else subjects, ctx)
        if not passive and subj is not None and subj.pos_ == "NOUN" and classify(subj) == "ASSAULT":
            # "The strike on the Okhmatdyt hospital killed two": the strike's author (its
            # modifiers, "by"), not the target named inside it.
            mods = [c for c in subj.children if c.dep_ in ACTOR_MODS]
            actors = _refs(mods + _pobjs(subj, {"by"}), ctx)
        if passive and not agent:
            # "were killed in another Russian attack": the attack's author
            verbs = [tok, *(c for c in tok.children if c.dep_ == "conj" and c.pos_ == "VERB")]
            attacks = [n for v in verbs for n in _pobjs(v, {"in"}) if classify(n) == "ASSAULT"]
            actors = _refs(attacks, ctx, deep=False)
            if not actors:
                actors = _refs(_clause_subjects(tok), ctx)
        actors = [as_government(a, ctx.linked) for a in actors]
        objects = [c for c in tok.children if c.dep_ in OBJECT_DEPS] + passive
        objects += [c for o in objects for c in o.children if c.dep_ == "conj"]
        # "pledged $1 billion in military aid for Kyiv": the beneficiary hangs off the
        # thing given, one level down.
        given = _beneficiaries(tok, objects)
        # "visited Moscow for talks with Putin": the partner of the talks the visit is for.
        purpose = [n for n in _pobjs(tok, {"for"}) if classify(n) == etype]
        partners = [g for n in purpose for g in _pobjs(n, {"with"})] if not material else []
        heads = objects + _pobjs(tok, RECIPIENT_PREPS) + given + partners
    else:
        mods = [c for c in tok.children if c.dep_ in ACTOR_MODS]
        actors = _refs(mods + _pobjs(tok, {"by"}), ctx)
        host = _host_verb(tok)
        if not actors and host is not None and (not material or etype == "AID"):
            # "Araqchi arrived in Muscat for talks with Witkoff": who came for them.
            subj = subject_of(host)
            actors = _refs([subj], ctx) if subj is not None else []
        preps = {"on", "against", "to", "for"} | (set() if material else {"with"})
        heads = _pobjs(tok, preps)
    if etype != "SANCTION":
        heads = [h for h in heads if not _nationals(h, ctx)]
    recipients = _refs(heads, ctx, deep=False) + _object_pronouns(heads, ctx, actors)
    return actors, recipients


NAMED = {"GPE", "NORP", "ORG", "PERSON", "LOC", "FAC", "WEAPON"}


def _anchored(tok: Token, sent: Span, ctx: SentenceContext) -> bool:
    """A noun trigger names a real occurrence when something pins it down."""
    # A named party pins it ("Russian strikes"); a date does not ("the October 7 attack"
    # names an attack told elsewhere).
    if any(c.dep_ in ACTOR_MODS for c in tok.children if c.ent_type_ in NAMED):
        return True
    if _pobjs(tok, {"on", "against", "in", "by"}) and tok.dep_ in ("nsubj", "nsubjpass", "dobj"):
        return True
    return bool(find_counts(sent.text)) and tok.dep_ in ("nsubj", "nsubjpass")


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
    "team",
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


# Modals of ability and obligation make a generic claim, not a report of something
# that happened: "Ukraine cannot strike", "weapons that can hit targets".
GENERIC_MODALS = {"can", "ca", "must", "should"}
# Preposition phrases that tie a noun trigger to a participant: "talks with Lecornu".
NOUN_PARTICIPANT_PREPS = {"of", "with", "between", "by", "among"}


def _generic(tok: Token) -> bool:
    """Under a modal of ability or obligation, here or in the clause it belongs to."""
    for verb in [tok, *list(tok.ancestors)[:3]]:
        if any(c.dep_ == "aux" and c.lower_ in GENERIC_MODALS for c in verb.children):
            return True
    return False


def _purpose(tok: Token) -> bool:
    """ "weapons to attack targets", "decisions to strike", "fulfilled the agreements ...
    to attack": an infinitive saying what a thing is for, not something that happened."""
    if tok.tag_ != "VB" or tok.dep_ == "ROOT":
        return False
    to_clause = any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
    return tok.head.pos_ in ("NOUN", "PROPN") or (tok.dep_ == "advcl" and to_clause)


def _characterised(tok: Token) -> bool:
    """ "attacks ... are directly escalatory": a noun trigger described, not reported."""
    head = tok.head
    return (
        tok.dep_ == "nsubj"
        and head.lemma_ == "be"
        and any(c.dep_ in ("acomp", "attr") for c in head.children)
    )


def _has_participant(tok: Token, ctx: SentenceContext) -> bool:
    """A noun like "meeting", "appeal", "talks" reports an occurrence only when it names
    who took part ("Zelensky's appeal", "the meeting of the Contact Group")."""
    for child in tok.children:
        named = ctx.linked.ref_at(ctx.doc_index, child.i) is not None
        if child.dep_ in ("poss", "compound", "amod", "nmod") and (named or child.tag_ == "PRP$"):
            return True
        if child.dep_ == "prep" and child.lower_ in NOUN_PARTICIPANT_PREPS and _names(child, ctx):
            return True
    return False


def _names(tok: Token, ctx: SentenceContext) -> bool:
    return any(ctx.linked.ref_at(ctx.doc_index, t.i) is not None for t in tok.subtree)


def _refine(etype: str, tok: Token) -> str:
    # "Stoltenberg agreed" with nothing agreed on takes a side: support, not an agreement.
    if etype == "AGREE" and tok.lemma_.lower() == "agree" and tok.pos_ == "VERB":
        complements = ("dobj", "prep", "xcomp", "ccomp", "attr")
        if not any(c.dep_ in complements for c in tok.children):
            return "SUPPORT"
    # "agreed a 50 billion euro aid package": agreeing to give is the aid itself.
    if etype == "AGREE" and tok.pos_ == "VERB" and _has_aid_object(tok):
        return "AID"
    return etype


def _has_aid_object(tok: Token) -> bool:
    return any(c.dep_ == "dobj" and classify(c) == "AID" for c in tok.children)


HAZARDS = {
    "flood", "flooding", "earthquake", "quake", "storm", "cyclone", "hurricane", "typhoon",
    "landslide", "mudslide", "avalanche", "wildfire", "blaze", "heatwave", "drought",
    "tornado", "tsunami", "rain", "disease", "outbreak", "cholera", "collapse", "crash",
    "accident", "eruption", "lightning", "stampede", "heat",
}  # fmt: skip


def _natural(tok: Token) -> bool:
    """ "Floods have killed 5,000", "were killed in a landslide": no one attacked."""
    causes = [c for c in tok.children if c.dep_ in ("nsubj", "agent")]
    causes += [g for c in causes if c.dep_ == "agent" for g in c.children]
    causes += _pobjs(tok, {"in", "by"})
    return any(c.lemma_.lower() in HAZARDS for c in causes)


RELATIVE = {"which", "that", "who", "whom"}
CASUALTY_VERBS = {"kill", "injure", "wound", "hurt", "die"}


def _own_subject(tok: Token) -> Token | None:
    if tok.pos_ != "VERB" or tok.dep_ in ("relcl", "acl"):
        return None
    subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
    return subj[0] if subj and subj[0].lower_ not in RELATIVE else None


def _at_the_same_time(clause: Token, main: Token) -> bool:
    # "were killed and 12 wounded when a bomb hit": the clause may hang off the conjunct.
    head = clause.head.head if clause.head.dep_ == "conj" else clause.head
    if clause.dep_ != "advcl" or main.i not in (clause.head.i, head.i):
        return False
    return any(c.lower_ in ("when", "as", "while") for c in clause.children)


def _another_happening(tok: Token, same: list[Token]) -> bool:
    """ "Hezbollah fired rockets after an Israeli strike killed a commander", "the UN is
    sending teams and the EU pledged 500,000 euros": the same type twice in a sentence
    is two events when each verb has a subject of its own."""
    subj = _own_subject(tok)
    if subj is None:
        return False
    for other in same:
        if {tok.lemma_, other.lemma_} <= CASUALTY_VERBS:
            return False  # "four were killed and 16 others wounded": one attack
        if _at_the_same_time(tok, other) or _at_the_same_time(other, tok):
            return False  # "were killed when gunmen opened fire": one attack
        theirs = _own_subject(other)
        if theirs is None or theirs.i == subj.i or subj.i in {t.i for t in theirs.subtree}:
            return False
    return True


def _says_quote(verb: Token, ctx: SentenceContext) -> bool:
    """The clause the verb reports is a direct quote (not a partial one inside narration)."""
    return any(
        c.dep_ in ("ccomp", "xcomp")
        and all(_inside_quote(t, ctx) for t in c.subtree if not (t.is_punct or t.is_space))
        for c in verb.children
    )


def _triggers(sent: Span, ctx: SentenceContext) -> list[tuple[str, Token]]:
    """First trigger of each type in the sentence (verbs before nouns), and later ones
    of a type that are another happening."""
    found: list[tuple[str, Token]] = []
    for tok in sorted(sent, key=lambda t: (t.pos_ != "VERB", t.i)):
        if _inside_quote(tok, ctx):
            continue
        etype = classify(tok)
        if etype is None:
            continue
        etype = _refine(etype, tok)
        if etype in ("THREATEN", "REJECT") and tok.i in ctx.cues and _says_quote(tok, ctx):
            continue  # "“We will respond,” he said": the quote is the statement
        same = [t for e, t in found if e == etype]
        if same and not _another_happening(tok, same):
            continue
        if etype == "ASSAULT" and tok.pos_ == "VERB" and _natural(tok):
            continue
        if etype not in ("REQUEST", "STATEMENT") and only_wanted(tok):
            continue  # "allow Kyiv to strike": the request is the event
        if tok.i > 0 and tok.doc[tok.i - 1].text == "-" and tok.dep_ in ("amod", "compound"):
            continue  # "Iran-backed militias", "Western-supplied weapons"
        if tok.pos_ == "VERB" and tok.dep_ in ("amod", "acl") and etype in MATERIAL:
            continue  # "an interview given to Reuters", "Western-supplied weapons"
        if etype == "AID" and tok.pos_ == "VERB" and not _aid_object(tok, sent, ctx):
            continue
        if etype in MATERIAL and tok.tag_ == "VBG" and tok.dep_ == "csubj":
            continue  # "supplying Ukraine with weapons would have consequences": a case put
        if tok.pos_ == "NOUN" and tok.dep_ == "dobj" and classify(tok.head) == "CONCEDE":
            continue  # "lifted sanctions": the lifting is the event, not the sanctions
        if tok.pos_ == "NOUN" and tok.dep_ in ("dobj", "dative") and tok.head.i in ctx.cues:
            continue  # "told a rally in Port Sudan": the audience, not a happening
        if etype in MATERIAL and tok.pos_ == "NOUN" and not _anchored(tok, sent, ctx):
            continue
        if etype not in MATERIAL and tok.pos_ == "NOUN" and not _has_participant(tok, ctx):
            continue  # "possible negotiations", "the agreements", "a security pact"
        if _purpose(tok) or (etype in MATERIAL and _generic(tok)):
            continue
        if etype in MATERIAL and tok.pos_ == "NOUN" and _characterised(tok):
            continue
        if etype in MATERIAL and tok.pos_ == "NOUN" and modality_of(tok).hypothetical:
            continue  # "Ukraine could repel Russian airstrikes": none has happened
        if tok.pos_ == "VERB" and etype not in MATERIAL and _generic(tok):
            continue  # "the loss could threaten other cities"
        # "..., accusing Hamas of ...", "..., urging Ankara to ..." are acts of their own.
        acts = etype in ("ACCUSE", "REQUEST")
        if tok.tag_ == "VBG" and tok.dep_ == "advcl" and etype not in MATERIAL and not acts:
            continue  # "..., threatening Kyiv's influence": a description
        if first_person(tok, subject_of(tok) if tok.pos_ == "VERB" else None):
            continue  # the page speaking to its readers, not news
        found.append((etype, tok))
    return _casualties_of_protest(found)


def _casualties_of_protest(found: list[tuple[str, Token]]) -> list[tuple[str, Token]]:
    """ "demonstrators set fire to a police station; two officers were killed": deaths
    told with no attacker in a protest's sentence are the protest's toll."""
    if not any(e == "PROTEST" for e, _ in found):
        return found
    return [
        (e, t)
        for e, t in found
        if not (
            e == "ASSAULT"
            and t.lemma_ in CASUALTY_VERBS
            and any(c.dep_ == "nsubjpass" for c in t.children)
            and not any(c.dep_ == "agent" for c in t.children)
        )
    ]


def _realis(tok: Token) -> bool:
    m = modality_of(tok)
    return not (m.negated or m.hypothetical or m.future)


MAIN_DEPS = {"ROOT", "parataxis", "ccomp", "conj"}
DEFINITE = {"the", "this", "that", "these", "those"}


def _definite_noun(tok: Token) -> bool:
    """ "the airstrikes", "Zelensky's appeal"; not "This week's airstrikes" (a time)."""
    return tok.pos_ == "NOUN" and any(
        (c.dep_ == "det" and c.lower_ in DEFINITE)
        or (c.dep_ == "poss" and c.pos_ in ("PROPN", "PRON"))
        for c in tok.children
    )


def _refers_back(tok: Token, etype: str) -> bool:
    """ "the airstrikes", "Zelensky's appeal", "The airstrikes that rocked X targeted Y"."""
    if _definite_noun(tok):
        return True
    subj = subject_of(tok) if tok.pos_ == "VERB" else None
    return subj is not None and _definite_noun(subj) and classify(subj) == etype


def _happened_noun(tok: Token, main: set[int]) -> bool:
    """ "said the attack happened in Livny", "the attack on the plant caused a fire, the
    company said": the noun is what is reported."""
    if tok.dep_ != "nsubj" or tok.head.i not in main:
        return False
    return tok.head.lemma_ in HAPPEN or tok.head.lemma_ in CONSEQUENCE


def _toll_of(tok: Token, main: set[int]) -> bool:
    """ "said 50 people died after an Israeli strike": the strike is what is reported."""
    if tok.pos_ != "NOUN" or tok.dep_ != "pobj" or tok.head.head.i not in main:
        return False
    return tok.head.head.lemma_.lower() in CASUALTY_VERBS


def _has_no(tok: Token) -> bool:
    return any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children)


def _in_subject(tok: Token, main: set[int], sent: Span) -> bool:
    """ "The death toll from Saturday's strike has risen to 31, officials said": a
    happening named inside the subject of what is reported is what is reported."""
    if tok.pos_ != "NOUN" or classify(tok) not in MATERIAL:
        return False
    return any(
        c.dep_ in ("nsubj", "nsubjpass") and tok.i in {t.i for t in c.subtree}
        for i in main
        for c in sent.doc[i].children
    )


CONSEQUENCE = {"cause", "leave", "destroy", "damage", "kill", "injure", "wound", "hit", "spark"}


HAPPEN = {"happen", "occur", "take"}


def _cue_of(sent: Span, ctx: SentenceContext) -> Cue | None:
    cues = [c for i, c in sorted(ctx.cues.items()) if sent.start <= i < sent.end]
    cues = [c for c in cues if speaks(c.token) and not first_person(c.token, subject_of(c.token))]
    return cues[0] if cues else None


def sentence_events(sent: Span, ctx: SentenceContext) -> list[Event]:
    if is_caption(sent):
        return []
    triggers = _triggers(sent, ctx)
    cue = _cue_of(sent, ctx)
    # What a speech verb reports decides the event: a reported happening or act ("said
    # that Russia shelled X", "announced that the US would give") is the event and the
    # speaker its source; a reported possibility or obligation ("argues Ukraine must
    # strike") is not a report of a happening: the saying is an event too (STATEMENT).
    # A direct quote in the sentence is the statement, whatever else the sentence reports.
    reported = False
    if cue is not None:
        content = reported_content(cue.token, sent)
        main = main_predicates(cue.token, content)
        for _, tok in triggers:
            if tok.i not in content:
                continue
            m = modality_of(tok)
            if tok.pos_ == "VERB" and (m.hypothetical or m.negated):
                continue  # kept with its modality; the saying is an event of its own
            if tok.i in main or _happened_noun(tok, main):
                reported = True
            elif _in_subject(tok, main, sent) or _toll_of(tok, main):
                reported = True  # "The toll from the strike rose", "died after a strike"
    quoted = any(
        a < ctx.offset + sent.end_char and ctx.offset + sent.start_char < b for a, b in ctx.quotes
    )
    used = {t.i for _, t in triggers}
    # A speech verb deep in a phrase with no known speaker ("bloggers who posted a picture
    # of what they described as a fire") is a detail of the sentence, not its statement.
    incidental = cue is not None and cue.speaker is None and cue.token.dep_ not in MAIN_DEPS
    # "Eritrea has not commented", "declined to comment": no saying happened.
    silent = cue is not None and (
        modality_of(cue.token).negated
        or cue.token.head.lemma_ == "decline"
        or any(  # "no group claimed", "nobody said"
            c.dep_ == "nsubj" and (c.lower_ in ("nobody", "none") or _has_no(c))
            for c in cue.token.children
        )
    )
    if (
        cue is not None
        and (quoted or not reported)
        and cue.token.i not in used
        and not incidental
        and not silent
    ):
        triggers.append((said_act(cue.token, sent, ctx), cue.token))
    if cue is not None and not incidental and not silent:
        taken = {t.i for _, t in triggers}
        triggers += [
            (said_act(c.token, sent, ctx), c.token)
            for c in other_speakers(sent, ctx, cue, triggers)
            if c.token.i not in taken
        ]
    if not triggers:  # most sentences: skip the per-event work below
        return []
    happened = reported or any(t in MATERIAL and _realis(tok) for t, tok in triggers)
    claim = _claim_source(sent, cue if happened else None)
    time = _time(sent, ctx)
    money_matches = find_money(sent.text)
    weapons = _weapons(sent, ctx)
    events = []
    # Sayings added above (a statement, or the act what it reports makes it).
    said = {t.i for e, t in triggers if t.i in ctx.cues and t.i not in used}
    for etype, tok in triggers:
        if (etype == "STATEMENT" or tok.i in said) and cue is not None:
            speaker = ctx.cues[tok.i].speaker if tok.i in ctx.cues else cue.speaker
            actors = [speaker] if speaker else []
            heads = [c for c in tok.children if c.dep_ in ("dobj", "dative")] + _pobjs(tok, {"to"})
            if etype != "STATEMENT":
                heads += _addressed(tok)
            recipients = _refs(heads, ctx, deep=False)
        else:
            actors, recipients = _participants(tok, ctx, etype)
        location = event_location(sent, ctx, actors, tok, etype)
        if location is not None:
            # "shelled Kherson", "visited Moscow": the place is where it happened, not a party.
            recipients = [r for r in recipients if r.entity_id != location.entity_id]
        modality = modality_of(tok)
        counts: list[Count] = []
        # A protest's toll, unless the sentence tells who did the killing.
        attacked = etype == "PROTEST" and any(e == "ASSAULT" for e, _ in triggers)
        if etype in COUNTED_TYPES and not attacked:
            counts = find_counts(sent.text, [(m.start, m.end) for m in money_matches])
        money = [Money(amount=m.amount, currency=m.currency, text=m.text) for m in money_matches]
        acled_type, acled_sub = _acled(etype, tok, sent, weapons)
        evidence = _evidence(sent, ctx.offset)
        source = claim if etype != "STATEMENT" and tok.i not in said else _platform(sent)
        if _refers_back(tok, etype):
            ctx.refers_back.add(stable_id("event", etype, evidence.start, ctx.offset + tok.idx))
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


def _addressed(said: Token) -> list[Token]:
    """Whom a saying's act is about: "said Washington was risking an escalation" ->
    Washington; "said Israel would respond to Iran" -> Iran, the one retaliated on."""
    out: list[Token] = []
    for clause in (c for c in said.children if c.dep_ == "ccomp"):
        if clause.lemma_.lower() in RETALIATE:
            out += [c for c in clause.children if c.dep_ == "dobj"]
            out += _pobjs(clause, {"to", "against", "on"})
        else:
            out += [g for g in clause.children if g.dep_ in ("nsubj", "nsubjpass")]
    return out


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
    for ent in ents_in(sent):
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
