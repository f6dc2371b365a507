"""From a noun phrase's head token to an entity: the entity itself, a pronoun's
antecedent, an entity inside the phrase, or a person known by the title in the phrase."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Token

from newswire_shared.messages import EntityRef

from .coref import PRONOUNS
from .entities import Linked, country_by_code, country_ref
from .gazetteer import capital_of
from .sents import sent_of

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
PREFERRED = {"PERSON": 0, "ORG": 1, "GPE": 2, "NORP": 3, "LOC": 4, "FAC": 5}


# "the leaders of France", "forces of the government": people acting for the X of "of X".
AGENTS = {
    "leader", "head", "president", "government", "official", "force", "troop", "army",
    "military", "soldier", "fighter", "member", "militant", "police", "authority",
    "ministry", "minister", "delegation", "representative", "spokesman", "envoy", "navy",
    "ten", "hundred", "thousand", "million", "dozen", "crowd", "group",
}  # fmt: skip


def phrase_ref(head: Token, doc_index: int, linked: Linked, offset: int) -> EntityRef | None:
    ref = linked.ref_at(doc_index, head.i)
    if ref is not None and ref.type in PREFERRED:
        return country_ref(ref, linked)
    if head.lower_ in PRONOUNS:
        return linked.discourse.resolve_pronoun(offset + head.idx)
    if head.lower_ in ("it", "they"):
        return _earlier_subject(head, doc_index, linked)
    own = _own_country(head, linked, offset)
    if own is not None:
        return own
    definite = any(c.dep_ == "poss" or c.lower_ == "the" for c in head.children)
    if head.pos_ == "NOUN" and definite:  # "the governor", "Spain's prime minister"
        words = [
            t.lower_ for t in head.subtree if t.i <= head.i and t.pos_ in ("NOUN", "PROPN", "ADJ")
        ]
        titled = linked.discourse.resolve_title(words, offset + head.idx)
        if titled is not None:
            return titled
    inside = []
    # Not inside a relative clause: "the airstrikes that rocked Ukraine" are not Ukraine's.
    clauses = {t.i for c in head.children if c.dep_ in ("relcl", "acl") for t in c.subtree}
    # ... but "a drone operated by the Ethiopian army", "shells fired by al-Shabaab": the
    # agent of a participle is who used the thing.
    clauses -= {
        t.i
        for c in head.children
        if c.dep_ == "acl" and c.tag_ == "VBN"
        for a in c.children
        if a.dep_ == "agent"
        for t in a.subtree
    }
    for tok in head.subtree:
        if tok.i in clauses:
            continue
        r = linked.ref_at(doc_index, tok.i)
        # A name's head word carries its role: "Zamfara" in "in Zamfara State" is a pobj too.
        role = tok.head if tok.dep_ in ("compound", "flat") and tok.head.ent_type_ else tok
        # "troops including Wagner", "gunmen of the Islamic State": members; but "the
        # loss of Pokrovsko" is not Pokrovsko's doing.
        listed = role.dep_ == "pobj" and role.head.lower_ in ("including", "like")
        member = role.dep_ == "pobj" and role.head.lower_ == "of"
        of_whom = role.head.head.lemma_.lower() if member else ""
        listed = listed or (member and r is not None and (r.type == "ORG" or of_whom in AGENTS))
        listed = listed or (role.dep_ == "pobj" and role.head.dep_ == "agent")
        if r is not None and r.type in PREFERRED and (role.dep_ != "pobj" or listed):
            inside.append((PREFERRED[r.type], abs(tok.i - head.i), r))
    if inside:
        return country_ref(min(inside, key=lambda x: x[:2])[2], linked)
    return None


def _earlier_subject(pronoun: Token, doc_index: int, linked: Linked) -> EntityRef | None:
    """ "Russia announced it had taken two villages": "it" is the state or organisation
    that is subject earlier in the sentence."""
    for tok in reversed(pronoun.doc[sent_of(pronoun).start : pronoun.i]):
        ref = linked.ref_at(doc_index, tok.i)
        # "Houthi forces said they ...", "Sudan's army said it ...": a name modifying the
        # subject stands for it.
        role = tok.head if tok.dep_ in ("compound", "amod", "poss") else tok
        if ref is not None and ref.type in ("GPE", "ORG", "NORP") and role.dep_ in SUBJECT_DEPS:
            return country_ref(ref, linked)
    return None


def as_government(ref: EntityRef, linked: Linked) -> EntityRef:
    """A capital acting stands for its state: "Moscow launched strikes", "Kyiv agreed"."""
    if ref.type != "GPE":
        return ref
    return country_by_code(capital_of(ref.name), linked) or ref


OWN_COUNTRY = {"country", "nation", "government"}


def _own_country(head: Token, linked: Linked, offset: int) -> EntityRef | None:
    """ "his country" after "Sanchez said": the speaker's country."""
    if head.lemma_.lower() not in OWN_COUNTRY:
        return None
    poss = [c for c in head.children if c.dep_ == "poss" and c.lower_ in ("his", "her")]
    if not poss:
        return None
    person = linked.discourse.resolve_pronoun(offset + poss[0].idx)
    if person is None:
        return None
    return country_by_code(linked.discourse.person_country.get(person.entity_id), linked)


def subject_of(verb: Token, skip: Callable[[Token], bool] | None = None) -> Token | None:
    """The subject of ``verb``, borrowed from the governing verb for "... and said";
    ``skip`` rejects candidates (words inside quotes the parser took for a subject)."""
    tok: Token | None = verb
    for _ in range(4):
        if tok is None:
            return None
        subj = [c for c in tok.children if c.dep_ in SUBJECT_DEPS and not (skip and skip(c))]
        if subj:
            # Two subjects are a parse of a dateline ("KYIV (Reuters) - Russia launched"):
            # the one next to the verb is the subject.
            at = tok.i
            return min(subj, key=lambda c: abs(at - c.i))
        if tok.dep_ == "xcomp":
            # Object control: in "prompted Zelensky to demand" Zelensky demands.
            obj = [c for c in tok.head.children if c.dep_ in ("dobj", "dative")]
            if obj:
                return obj[0]
        if tok.dep_ in ("conj", "xcomp", "advcl") and tok.head is not tok:
            tok = tok.head
        elif tok.dep_ in ("relcl", "acl") and tok.head is not tok:
            return tok.head  # "officials, who said": the noun the clause describes
        else:
            return None
    return None


def phrase_text(head: Token) -> str:
    toks = list(head.subtree)
    # Keep the phrase short: cut relative clauses and appositions from the displayed text.
    toks = [t for t in toks if t.i <= head.i or t.dep_ in ("compound", "flat")]
    toks = [t for t in toks if not (t.is_punct or t.is_quote or t.is_space)] or [head]
    return head.doc[toks[0].i : toks[-1].i + 1].text
