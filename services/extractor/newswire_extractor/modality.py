"""Modality of a trigger: negated, hypothetical, future; and whether it is only wanted.

"Ukraine cannot strike" is negated, "Russia could attack" hypothetical, "France would
soon send" (reported) and "will send" future. A material event under a wish or a
permission ("allow Kyiv to strike", "restrictions on strikes") did not happen: the
request is the event, so such triggers are skipped.
"""

from __future__ import annotations

from spacy.tokens import Token

from newswire_shared.messages import Modality

FUTURE = {"will", "shall", "'ll", "wo"}
HYPOTHETICAL = {"would", "could", "might", "may", "should", "can", "ca", "must"}
NEGATION = {"not", "n't", "never", "no"}
DESIRE = frozenset(
    [
        "allow",
        "permit",
        "let",
        "permission",
        "ability",
        "right",
        "possibility",
        "restriction",
        "limitation",
        "ask",
        "urge",
        "call",
        "demand",
        "request",
        "want",
        "need",
        "seek",
        "able",
        "plan",
        "intend",
        "expect",
        "use",
        "try",
        "hope",
        "must",
        "prevent",
        "reluctant",
        "unwilling",
        "hesitant",
        "willing",
        "ready",
    ]
)
REPORTING = {"say", "announce", "tell", "report", "add", "state", "confirm", "warn", "claim"}


def _clause_head(tok: Token) -> Token:
    """For a noun trigger, the verb whose clause it belongs to."""
    head = tok
    for _ in range(3):
        if head.pos_ in ("VERB", "AUX") or head.head is head:
            break
        head = head.head
    return head


def modality_of(tok: Token) -> Modality:
    verb = _clause_head(tok)
    # A noun trigger takes tense and mood from its clause, but not the clause's negation:
    # "the attack has not diverted ..." does not deny the attack.
    kids = [c for t in {tok, verb} for c in t.children if t is tok or c.dep_ != "neg"]
    aux = {c.lower_ for c in kids if c.dep_ in ("aux", "auxpass")}
    negated = any(c.dep_ == "neg" or c.lower_ in ("never",) for c in kids)
    negated = negated or any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children)
    future = bool(aux & FUTURE) or ("going" in aux and any(c.lower_ == "to" for c in verb.children))
    hypothetical = bool(aux & HYPOTHETICAL)
    if "would" in aux and verb.head.lemma_.lower() in REPORTING:
        # Reported speech: "announced that X would give" is a future, not a conditional.
        future, hypothetical = True, False
    if any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in verb.children):
        hypothetical = True
    return Modality(negated=negated, hypothetical=hypothetical, future=future)


# "after Moscow launched strikes": a clause of time or cause is not what is wished for.
CIRCUMSTANTIAL_MARKS = {"after", "before", "when", "while", "as", "because", "since", "until"}


def only_wanted(tok: Token) -> bool:
    """True when ``tok`` sits under a wish, permission or restriction in its sentence."""
    head, steps = tok, 0
    while head.head is not head and steps < 5:
        if head.dep_ == "advcl" and any(
            c.dep_ == "mark" and c.lower_ in CIRCUMSTANTIAL_MARKS for c in head.children
        ):
            break
        if head.dep_ in (
            "pobj",
            "dobj",
            "xcomp",
            "ccomp",
            "acl",
            "relcl",
            "prep",
            "pcomp",
            "advcl",
            "conj",
            "nsubj",
            "compound",
            "amod",
        ):
            head = head.head
            steps += 1
            if head.lemma_.lower() in DESIRE:
                return True
        else:
            break
    return False
