"""Sayings in a sentence: a second speaker's own statement, and the act a saying is by
what it reports (speech_acts.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from .actors import phrase_ref
from .entities import country_by_code
from .modality import modality_of
from .narration import reported_content, speaks
from .quotes import Cue
from .speech_acts import speech_act

if TYPE_CHECKING:
    from .events import SentenceContext


def _reported_clause(cue: Token) -> set[int]:
    """What a speech verb reports as a clause: its complement, or the clause it is
    appended to ("X happened, Y said")."""
    out = {t.i for c in cue.children if c.dep_ in ("ccomp", "xcomp") for t in c.subtree}
    if cue.dep_ in ("parataxis", "ccomp") and cue.head is not cue:
        out |= {t.i for t in cue.head.subtree} - {t.i for t in cue.subtree}
    return out


CONTRAST = {"while", "whereas", "although", "though"}


def _contrasted(tok: Token) -> bool:
    """ "X said A had been constructive, while Y said B": the parser may hang Y's
    saying under A, but a contrast clause is said by Y, not reported by X."""
    return tok.dep_ == "advcl" and any(
        c.dep_ == "mark" and c.lower_ in CONTRAST for c in tok.children
    )


def other_speakers(
    sent: Span, ctx: SentenceContext, cue: Cue, triggers: list[tuple[str, Token]]
) -> list[Cue]:
    """ "Putin said X, but Zelensky said Y", "..., while Hamdan said Y": another named
    speaker with a speech verb of their own states something too, unless one saying
    reports the other or the saying reports a happening (that event has the source)."""
    if cue.speaker is None:
        return []
    seen = {cue.speaker.entity_id}
    out = []
    for i, other in sorted(ctx.cues.items()):
        if not sent.start <= i < sent.end or other.speaker is None or i == cue.token.i:
            continue
        if other.speaker.entity_id in seen:
            continue
        if i in _reported_clause(cue.token) and not _contrasted(other.token):
            continue
        tok = other.token
        if cue.token.i in _reported_clause(tok) or not speaks(tok) or modality_of(tok).negated:
            continue
        content = reported_content(tok, sent)
        if any(t.i in content and etype != "STATEMENT" for etype, t in triggers):
            continue
        seen.add(other.speaker.entity_id)
        out.append(other)
    return out


def said_act(cue: Token, sent: Span, ctx: SentenceContext) -> str:
    """STATEMENT, or the act the saying is by what it reports (outside quote marks)."""
    content = reported_content(cue, sent)
    words = " ".join(
        t.text
        for t in sent
        if t.i in content and not ctx.in_quote(ctx.offset + t.idx) and not t.is_punct
    )
    act = speech_act(words) or "STATEMENT"
    if act == "REQUEST" and _own_side(cue, ctx):
        return "STATEMENT"  # "Zelensky argues Ukraine must strike": a case made, no demand
    return act


def _own_side(cue: Token, ctx: SentenceContext) -> bool:
    """The reported clause's subject is the speaker's own side ("we", their country)."""
    speaker = ctx.cues[cue.i].speaker if cue.i in ctx.cues else None
    code = ctx.linked.discourse.person_country.get(speaker.entity_id) if speaker else None
    own = country_by_code(code, ctx.linked)
    for clause in (c for c in cue.children if c.dep_ == "ccomp"):
        for subj in (g for g in clause.children if g.dep_ in ("nsubj", "nsubjpass")):
            if subj.lower_ in ("we", "i"):
                return True
            ref = phrase_ref(subj, ctx.doc_index, ctx.linked, ctx.offset)
            if ref is not None and own is not None and ref.entity_id == own.entity_id:
                return True
    return False
