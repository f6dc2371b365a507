"""Trigger words of each event type (PLOVER types plus STATEMENT and TERRITORY).

Lemmas, not surface forms: the lemmatizer maps "urged", "urges", "urging" to "urge".
Phrasal cues need a particle or object ("call on", "take two villages").
"""

from __future__ import annotations

from spacy.tokens import Token

# Things that happen on the ground; a speech verb in their sentence is the claim's source.
MATERIAL = {"ASSAULT", "AID", "TERRITORY", "MOBILIZE", "RETREAT", "COERCE", "SANCTION", "PROTEST"}

VERBS: dict[str, str] = {}
NOUNS: dict[str, str] = {}


def _add(table: dict[str, str], etype: str, words: str) -> None:
    for w in words.split():
        table[w] = etype


_add(VERBS, "REQUEST", "urge appeal demand request plead implore")
_add(NOUNS, "REQUEST", "appeal demand request plea")
_add(
    VERBS,
    "ASSAULT",
    "attack strike shell bomb kill injure wound hit target destroy damage bombard raid storm "
    "ambush clash massacre assassinate behead torch shoot stab lynch",
)
_add(
    NOUNS,
    "ASSAULT",
    "attack strike airstrike shelling bombing bombardment explosion assault raid barrage "
    "ambush clash massacre assassination",
)
_add(VERBS, "AID", "give supply provide send deliver donate pledge transfer")
_add(NOUNS, "AID", "aid assistance package delivery donation")
_add(VERBS, "THREATEN", "threaten")
_add(NOUNS, "THREATEN", "threat ultimatum")
_add(VERBS, "REJECT", "reject deny refuse oppose resist dismiss veto rebuff")
_add(NOUNS, "REJECT", "rejection refusal")
_add(VERBS, "ACCUSE", "accuse blame condemn criticize criticise rebuke denounce")
_add(NOUNS, "ACCUSE", "accusation condemnation criticism")
_add(VERBS, "SUPPORT", "support back endorse echo praise welcome applaud congratulate commend hail")
_add(VERBS, "CONSULT", "meet discuss negotiate visit consult host")
_add(NOUNS, "CONSULT", "meeting talk negotiation visit summit consultation")
_add(VERBS, "AGREE", "agree sign approve accept")
_add(NOUNS, "AGREE", "agreement pact deal ceasefire cease-fire accord treaty")
_add(VERBS, "TERRITORY", "capture seize occupy liberate retake recapture")
_add(NOUNS, "TERRITORY", "capture seizure occupation advance")
_add(VERBS, "SANCTION", "sanction restrict embargo ban blacklist")
_add(NOUNS, "SANCTION", "sanction embargo")
_add(VERBS, "MOBILIZE", "mobilize mobilise deploy conscript")
_add(NOUNS, "MOBILIZE", "mobilization mobilisation deployment")
_add(
    VERBS,
    "COERCE",
    "arrest detain expel deport abduct kidnap imprison jail disperse sentence convict",
)
_add(NOUNS, "COERCE", "arrest detention crackdown abduction kidnapping deportation expulsion")
_add(VERBS, "PROTEST", "protest demonstrate rally march")
_add(NOUNS, "PROTEST", "protest demonstration rally")
_add(VERBS, "RETREAT", "withdraw retreat")
_add(NOUNS, "RETREAT", "withdrawal retreat")
_add(VERBS, "COOPERATE", "cooperate coordinate collaborate")
_add(NOUNS, "COOPERATE", "cooperation partnership")
_add(VERBS, "CONCEDE", "concede")

INTEL = {"information", "intelligence", "data", "coordinate"}
GROUND = {"village", "town", "city", "territory", "ground", "control", "settlement", "area"}
LIMITS = {"restriction", "limitation", "sanction", "ban", "limit"}
ATTACKS = {
    "attack", "strike", "airstrike", "missile", "drone", "bomb", "rocket", "offensive",
    "counteroffensive", "incursion", "invasion", "assault",
}  # fmt: skip
# An operation is an attack only when it says so: "a ground operation", not "a rescue".
MILITARY_OPERATION = {"ground", "military", "combat", "land", "air", "counterterrorism",
                      "counter-terrorism", "offensive", "special", "army"}  # fmt: skip
# Crowd control: "fired tear gas at protesters" coerces, it does not assault.
CROWD_CONTROL = {"gas", "bullet", "cannon", "baton", "teargas", "pellet"}
PROTESTERS = {"protester", "protestor", "demonstrator", "marcher", "rioter"}
# What a crowd of protesters does that is not itself their protest.
NOT_PROTEST = {"say", "tell", "chant", "accuse", "demand", "call", "urge", "want", "be", "have"}
# "vowed to retaliate", "warned that Israel would respond forcefully": a threat.
RETALIATE = {"retaliate", "respond", "avenge", "punish", "hit", "strike", "attack", "destroy"}
THREAT_SPEECH = {"warn", "vow", "pledge", "promise", "threaten", "swear"}
FROZEN = {"asset", "account", "fund", "property", "reserve"}
# Things given as aid: "announced 190 million euros in humanitarian aid".
AID_WORDS = {
    "aid", "assistance", "package", "funding", "loan", "grant", "disbursement", "tranche",
    "financing", "credit",
}  # fmt: skip
# A refusal reported: "said the army would not attend the talks".
REFUSED = {
    "attend",
    "join",
    "accept",
    "participate",
    "recognise",
    "recognize",
    "sign",
    "negotiate",
    "comply",
    "withdraw",
    "extradite",
    "cooperate",
    "talk",
}


def _military_operation(tok: Token) -> bool:
    """``tok`` has an object "operation" qualified as military ("a ground operation")."""
    return any(
        obj.dep_ == "dobj"
        and obj.lemma_.lower() == "operation"
        and any(m.dep_ in ("amod", "compound") and m.lower_ in MILITARY_OPERATION
                for m in obj.children)
        for obj in tok.children
    )  # fmt: skip


def _has(tok: Token, deps: tuple[str, ...], lemmas: set[str] | None = None) -> bool:
    for child in tok.children:
        if child.dep_ in deps and (lemmas is None or child.lemma_.lower() in lemmas):
            return True
        if (
            child.dep_ == "prep"
            and "pobj" in deps
            and any(
                g.dep_ == "pobj" and (lemmas is None or g.lemma_.lower() in lemmas)
                for g in child.children
            )
        ):
            return True
    return False


POLICIES = {
    "measure",
    "sanction",
    "restriction",
    "law",
    "policy",
    "ban",
    "tariff",
    "rule",
    "decree",
}


TROOPS = {"troop", "soldier", "force", "reservist", "unit", "personnel", "battalion", "brigade"}
# "warned that ... would have serious consequences"
THREAT_NOUNS = {"consequence", "retaliation", "retribution", "revenge", "reprisal"}
EMERGENCY = {"curfew", "emergency", "law", "lockdown", "blackout"}
CAPTIVES = {"hostage", "prisoner", "detainee", "captive", "soldier", "civilian"}
SUPPLIES = {"funding", "aid", "assistance", "cooperation", "relation", "tie", "export", "import"}
ENVOYS = {"ambassador", "envoy", "diplomat", "embassy"}
# Clashes of crowds with the police are riots, not battles.
CROWDS = PROTESTERS | {"student", "supporter", "youth", "mob", "crowd"}
EXPLOSIVES = {
    "mine", "landmine", "bomb", "device", "ied", "grenade", "shell", "explosive", "missile",
    "rocket", "mortar",
}  # fmt: skip
TALKS = {"talk", "meeting", "negotiation", "summit", "consultation"}


# Words of condemnation: calling something one of these accuses its author.
CONDEMNING = {
    "inhumane", "illegal", "unacceptable", "outrageous", "barbaric", "cynical", "criminal",
    "provocation", "crime", "terrorism", "terrorist", "violation", "aggression", "reckless",
    "irresponsible", "hostile", "cowardly", "shameful", "baseless", "unjustified",
    "genocide", "massacre", "atrocity", "heinous", "brutal", "unlawful", "illegitimate",
}  # fmt: skip


def _condemns(verb: Token) -> bool:
    """ "called the strike a “cynical” attack": a judgement on the object."""
    complements = [c for c in verb.children if c.dep_ in ("oprd", "xcomp", "ccomp", "acomp")]
    return any(t.lower_ in CONDEMNING for c in complements for t in c.subtree)


def _money_object(verb: Token) -> bool:
    """ "approved $61 billion for Ukraine": money granted."""
    return any(t.ent_type_ == "MONEY" for c in verb.children if c.dep_ == "dobj" for t in c.subtree)


def _refuses(verb: Token) -> bool:
    return any(
        c.dep_ == "ccomp"
        and c.lemma_.lower() in REFUSED
        and any(g.dep_ == "neg" for g in c.children)
        and any(g.lower_ in ("will", "would", "wo") for g in c.children)
        for c in verb.children
    )


def _crowd_clash(tok: Token) -> bool:
    """ "clashes between students and police", "protesters clashed with police"."""
    parts = [c for c in tok.children if c.dep_ in ("nsubj", "compound")]
    parts += [g for c in tok.children if c.lower_ in ("between", "with") for g in c.children]
    parts += [g for p in parts for g in p.children if g.dep_ == "conj"]
    return any(p.lemma_.lower() in CROWDS for p in parts)


SANCTIONING = {"adopt", "approve", "impose", "announce", "unveil", "agree", "introduce"}


def _sanctions_modified(noun: Token) -> bool:
    """ "sanctions package", "new round of sanctions"."""
    mods = [c for c in noun.children if c.dep_ in ("compound", "amod", "nmod")]
    mods += [g for c in noun.children if c.lower_ == "of" for g in c.children]
    return any(m.lemma_.lower() in ("sanction", "sanctions") for m in mods)


def _sanctions_object(verb: Token) -> bool:
    """ "imposed sanctions", "adopted its 17th sanctions package"."""
    return any(
        c.dep_ == "dobj"
        and (c.lemma_.lower() in ("sanction", "sanctions") or _sanctions_modified(c))
        for c in verb.children
    )


def _of_sanctions(verb: Token) -> bool:
    """ "a sanctions package ... targeting 200 vessels": a participle of the measures."""
    head = verb.head
    return verb.dep_ in ("acl", "advcl", "xcomp") and (
        _sanctions_object(head) or _sanctions_modified(head)
        or head.lemma_.lower() in ("sanction", "sanctions")
    )  # fmt: skip


def _phone_call(noun: Token) -> bool:
    """A call held, not made for something: "a phone call with Trump", "a video call"."""
    kinds = any(c.dep_ == "compound" and c.lower_ in ("phone", "video", "telephone")
                for c in noun.children)  # fmt: skip
    return kinds or any(c.lower_ == "with" for c in noun.children)


def _when(prep: Token) -> bool:
    """ "on Tuesday", "on 3 March": a time, not whom a call is on."""
    return any(g.ent_type_ in ("DATE", "TIME") for g in prep.children)


VERBAL = {"meeting", "debate", "exchange", "interview", "talk", "call", "session", "hearing"}


def _verbal_clash(tok: Token) -> bool:
    """People who clash, or a clash in a meeting, exchange words, not fire."""
    subjects = [c for c in tok.children if c.dep_ == "nsubj"]
    subjects += [g for s in subjects for g in s.children if g.dep_ == "conj"]
    if subjects and all(s.ent_type_ == "PERSON" for s in subjects):
        return True
    places = [g for c in tok.children if c.dep_ == "prep" for g in c.children]
    return any(g.lemma_.lower() in VERBAL for g in places)


def _talks(verb: Token) -> bool:
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    return any(t.lemma_.lower() in TALKS for o in objects for t in o.subtree)


def _by(verb: Token, lemmas: set[str]) -> bool:
    return any(c.dep_ == "nsubj" and c.lemma_.lower() in lemmas for c in verb.children)


FORCE = {"forcefully", "firmly", "decisively", "harshly", "strongly", "severely", "militarily"}


def _answers(respond: Token) -> bool:
    """ "would respond to the proposal" answers; "would respond forcefully to any
    violation" threatens."""
    forceful = any(g.lower_ in FORCE or g.lower_ == "force" for g in respond.subtree)
    return not forceful and any(g.lower_ == "to" for g in respond.children)


def _provoked_response(tok: Token) -> bool:
    """ "would provoke a response", "will trigger a response": a retaliation foretold."""
    return (
        tok.lemma_.lower() == "response"
        and tok.dep_ == "dobj"
        and tok.head.lemma_.lower() in ("provoke", "trigger", "prompt", "draw", "meet")
    )


def _threatens(verb: Token) -> bool:
    """The verb announces a retaliation: its clause or infinitive is one ("would respond
    to the proposal" is an answer, not a threat)."""
    if verb.lemma_.lower() in ("warn", "threaten") and any(
        t.lemma_.lower() in THREAT_NOUNS or _provoked_response(t)
        for c in verb.children
        if c.dep_ in ("ccomp", "xcomp")
        for t in c.subtree
    ):
        return True
    return any(
        c.dep_ in ("xcomp", "ccomp")
        and c.lemma_.lower() in RETALIATE
        and not (c.lemma_.lower() == "respond" and _answers(c))
        and (
            verb.lemma_.lower() not in ("say", "add")
            or any(g.lower_ in ("will", "would") for g in c.children)
        )
        for c in verb.children
    )


def _by_protesters(verb: Token) -> bool:
    """ "Protesters blocked the avenue", "thousands of demonstrators gathered"."""
    for subj in verb.children:
        if subj.dep_ != "nsubj":
            continue
        words = [subj, *(g for c in subj.children if c.lower_ == "of" for g in c.children)]
        if any(w.lemma_.lower() in PROTESTERS for w in words):
            return True
    return False


def classify(tok: Token) -> str | None:
    """The event type ``tok`` triggers, if any."""
    lemma = tok.lemma_.lower()
    if tok.pos_ in ("VERB", "NOUN") and lemma == "call":
        if tok.pos_ == "NOUN" and _phone_call(tok):
            return "CONSULT"  # "during a phone call with Trump on Tuesday"
        if any(c.lower_ in ("on", "for", "upon") and not _when(c) for c in tok.children):
            return "REQUEST"
        if tok.pos_ == "VERB" and _condemns(tok):
            return "ACCUSE"  # "called the expulsions inhumane"
        return None
    if tok.pos_ == "VERB":
        if lemma == "ask":
            # "asked whether ..." is a question, not a request
            is_question = any(
                c.dep_ == "ccomp" and any(m.lower_ in ("whether", "if") for m in c.children)
                for c in tok.children
            )
            return None if is_question else "REQUEST"
        if lemma in ("take", "seize", "grab") and _has(tok, ("dobj",), {"power"}):
            return None  # "seized power": a coup, not ground taken
        if lemma in ("take", "gain", "seize", "regain", "assume") and _has(tok, ("dobj",), GROUND):
            return "TERRITORY"
        if lemma in THREAT_SPEECH and _threatens(tok):
            return "THREATEN"
        if lemma in ("freeze", "seize") and _has(tok, ("dobj",), FROZEN):
            return "SANCTION"
        if lemma in ("fire", "use", "deploy") and _has(tok, ("dobj",), CROWD_CONTROL):
            return "COERCE"
        if lemma in ("launch", "carry", "conduct", "fire") and _has(tok, ("dobj",), ATTACKS):
            return "ASSAULT"
        if lemma in ("launch", "begin", "start", "mount", "conduct") and _military_operation(tok):
            return "ASSAULT"  # "launched a ground operation in southern Lebanon"
        if lemma == "open" and _has(tok, ("dobj",), {"fire"}):
            return "ASSAULT"
        if lemma in ("detonate", "plant") and _has(tok, ("dobj",), {"bomb", "device", "explosive"}):
            return "ASSAULT"
        if lemma in SANCTIONING and _sanctions_object(tok):
            return "SANCTION"  # "adopted its 17th sanctions package against Russia"
        if lemma in ("announce", "unveil", "allocate", "approve") and (
            _has(tok, ("dobj", "pobj"), AID_WORDS) or _money_object(tok)
        ):
            return "AID"
        if lemma == "take" and _has(tok, ("prep", "pobj"), {"street"}):
            return "PROTEST"  # "took to the streets"
        if lemma in ("hold", "have", "begin", "start", "open", "resume") and _talks(tok):
            return "CONSULT"  # "held four hours of talks"
        if lemma in ("explode", "detonate", "blow", "land", "fall") and _by(tok, EXPLOSIVES):
            return "ASSAULT"  # "a landmine exploded under a minibus"
        if lemma in ("send", "dispatch", "deploy") and _has(tok, ("dobj",), TROOPS):
            return "MOBILIZE"  # "sent about 3,000 troops to Russia"
        if lemma in ("say", "add") and _threatens(tok):
            return "THREATEN"  # "said the United States would respond"
        if lemma in ("say", "announce", "insist") and _refuses(tok):
            return "REJECT"  # "said the army would not attend peace talks"
        if lemma in ("impose", "declare", "enforce") and _has(tok, ("dobj",), EMERGENCY):
            return "COERCE"  # "imposed a nationwide curfew"
        if lemma in ("free", "release") and _has(tok, ("dobj", "nsubjpass"), CAPTIVES):
            return "CONCEDE"  # "Hamas freed 13 hostages", "three hostages were released"
        if lemma in ("suspend", "freeze", "cut", "halt", "stop") and _has(tok, ("dobj",), SUPPLIES):
            return "SANCTION"  # "suspended funding for UNRWA"
        if lemma in ("recall", "expel", "withdraw") and _has(tok, ("dobj",), ENVOYS):
            return "SANCTION"  # "recalled its ambassadors": relations reduced
        if lemma in ("target", "hit") and (_by(tok, POLICIES) or _of_sanctions(tok)):
            return None  # "the measures target four officials": a sanction's reach
        if lemma == "clash" and _crowd_clash(tok):
            return "PROTEST"
        if lemma == "clash" and _verbal_clash(tok):
            return None  # "Trump and Zelenskyy clashed in a heated meeting": words, no fight
        if lemma == "shoot" and any(c.lower_ == "down" for c in tok.children):
            return None  # "drones were shot down": air defence, not the attack
        if lemma not in NOT_PROTEST and _by_protesters(tok):
            return "PROTEST"
        if lemma in ("impose", "introduce") and _has(tok, ("dobj",), LIMITS):
            return "SANCTION"
        if lemma in ("lift", "ease", "loosen") and _has(tok, ("dobj",), LIMITS):
            return "CONCEDE"
        if lemma == "work" and _has(tok, ("prep",), {"with"}):
            return "COOPERATE"
        if lemma in ("provide", "share", "supply", "give") and _has(tok, ("dobj", "pobj"), INTEL):
            return "COOPERATE"  # sharing intelligence is cooperation, not aid
        if lemma == "advance":
            return "TERRITORY"
        return VERBS.get(lemma)
    if tok.pos_ == "NOUN":
        if lemma in ("package", "round") and _sanctions_modified(tok):
            return "SANCTION"  # "the 17th sanctions package"
        if lemma == "clash" and _crowd_clash(tok):
            return "PROTEST"
        if lemma == "advance" and tok.dep_ in ("dobj", "nsubj"):
            return "TERRITORY"
        return NOUNS.get(lemma)
    return None
