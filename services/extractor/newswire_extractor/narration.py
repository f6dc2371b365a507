"""Sentences that are not news narration, and the clause a speech verb reports.

Page debris that survives cleaning must not become events. Two structural signals,
not word lists of one site:
- a photo caption describes a picture in the present tense and dates it ("A soldier
  launches a drone near X, May 26, 2024. [Reuters]"), or carries a credit line;
- a donation or subscription appeal speaks in the first person ("we ask for your
  support"), which news narration outside quotes does not.
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# ", May 26, 2024." or ", 26 May 2024" at the end of a sentence: a picture's date.
PICTURE_DATE = re.compile(
    rf",\s*(?:(?:{MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+(?:{MONTHS})\.?\s+\d{{4}})"
    r"\s*[.)\]]?\s*(?:[\[(][^\])]{1,40}[\])])?\s*$"
)
CREDIT = re.compile(
    r"(?:\b(?:photo|image|picture|photograph)s?\s*(?:by|credit)?\s*:)"
    r"|(?:\((?:photo|image|picture)\b[^)]{0,60}\))"
    r"|(?:\b[A-Z][A-Za-z]+\s*/\s*(?:REUTERS|Reuters|AFP|AP|EPA|Getty Images)\b)",
)
FIRST_PERSON = {"we", "i", "us", "our", "my"}
# Dependents of a speech verb that say when, where or how it was said, not what.
CIRCUMSTANCE_DEPS = {
    "nsubj", "nsubjpass", "prep", "advcl", "npadvmod", "advmod", "agent", "punct", "aux",
    "auxpass", "neg", "dative", "dobj", "cc", "mark", "prt",
}  # fmt: skip


def is_caption(sent: Span) -> bool:
    """A photo caption: a credit, or a present-tense sentence dated like a picture."""
    text = sent.text.strip()
    if CREDIT.search(text):
        return True
    if not PICTURE_DATE.search(text):
        return False
    root = sent.root
    return root.tag_ in ("VBZ", "VBP") or any(
        c.tag_ in ("VBZ", "VBP") for c in root.children if c.dep_ == "conj"
    )


def first_person(tok: Token, subject: Token | None) -> bool:
    """The narrator speaks of itself: "we ask for the support of our readers"."""
    if subject is not None and subject.lower_ in FIRST_PERSON:
        return True
    return any(c.dep_ == "poss" and c.lower_ in FIRST_PERSON for c in tok.children)


def reported_content(cue: Token, sent: Span) -> set[int]:
    """Token indices of what a speech verb reports: its clause minus the speaker and
    the circumstances ("during the meeting", ", adding ..."). With the cue after its
    clause ("X happened, Austin said") the clause is the cue's head."""
    left_out = {cue.i}
    for child in cue.children:
        if child.dep_ in CIRCUMSTANCE_DEPS:
            left_out |= {t.i for t in child.subtree}
    content = {t.i for t in cue.subtree} - left_out
    if cue.dep_ in ("parataxis", "ccomp", "conj") and cue.head is not cue:
        content |= {t.i for t in cue.head.subtree} - {t.i for t in cue.subtree}
    return {i for i in content if sent.start <= i < sent.end}


def is_question_or_impersonal(cue: Token) -> bool:
    """ "asked whether ...", "It is noted that ...", "No casualties were reported": no one
    states anything."""
    for child in cue.children:
        if child.dep_ == "ccomp" and any(m.lower_ in ("whether", "if") for m in child.children):
            return True
    passive = any(c.dep_ == "auxpass" for c in cue.children)
    return passive and not any(c.dep_ == "agent" for c in cue.children)


def main_predicates(cue: Token, content: set[int]) -> set[int]:
    """The verbs that carry what is reported, not those of clauses inside it: in "said
    it is crazy that forces cannot hit sites that launched attacks", not "launched"."""
    roots = [c for c in cue.children if c.dep_ in ("ccomp", "xcomp", "conj") and c.i in content]
    if cue.dep_ in ("parataxis", "ccomp", "conj") and cue.head is not cue:
        roots.append(cue.head)
    out: set[int] = set()
    todo = list(roots)
    while todo:
        tok = todo.pop()
        if tok.i in out or tok.i not in content:
            continue
        out.add(tok.i)
        todo += [c for c in tok.children if c.dep_ in ("ccomp", "xcomp", "conj")]
    return out


# "report damage", "posted a picture": the object is a thing, not something said.
# Verbs that state something only without a noun object: "claimed responsibility",
# "announced a package" are acts, "claimed that ..." is speech.
OBJECT_VERBS = {"post", "report", "publish", "share", "claim", "describe"}


def speaks(cue: Token) -> bool:
    """Whether a speech verb here states something (else no STATEMENT comes of it)."""
    if cue.lemma_.lower() in OBJECT_VERBS:
        objects = [c for c in cue.children if c.dep_ == "dobj"]
        judged = any(c.lower_ == "as" for c in cue.children)  # "described X as a win"
        if objects and objects[0].pos_ in ("NOUN", "PROPN") and not judged:
            return False
    return not is_question_or_impersonal(cue)
