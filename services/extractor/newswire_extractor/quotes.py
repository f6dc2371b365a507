"""Direct quotes and their speakers.

Quote spans are found on the raw text (straight, curly, „German“, «guillemets» and
‘single’ quotes; an unclosed quote runs to the end of its paragraph, the convention for
quotes continued in the next paragraph). The speaker is the subject of the nearest
speech verb outside quotes in the same sentence; a quote with no cue of its own
continues the previous quote's speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.attrs import LEMMA, POS
from spacy.symbols import VERB
from spacy.tokens import Doc, Token

from newswire_shared.ids import stable_id
from newswire_shared.messages import EntityRef, Quote

from .actors import phrase_ref, phrase_text, subject_of
from .dateline import lead_prefix
from .entities import Linked
from .narration import speaks
from .sents import sent_of, text_of

SPEECH_LEMMAS = frozenset(
    [
        "say",
        "tell",
        "add",
        "explain",
        "ask",
        "reply",
        "respond",
        "note",
        "write",
        "state",
        "stress",
        "emphasize",
        "emphasise",
        "insist",
        "warn",
        "urge",
        "declare",
        "announce",
        "argue",
        "claim",
        "continue",
        "conclude",
        "assure",
        "confirm",
        "acknowledge",
        "describe",
        "comment",
        "remark",
        "tweet",
        "post",
        "reiterate",
        "recall",
        "predict",
        "suggest",
        "admit",
        "promise",
        "vow",
        "caution",
        "complain",
        "report",
        "maintain",
        "point",
        "contend",
        "allege",
        "testify",
    ]
)
OPENERS = {"“": '”"', "„": '“”"', "«": "»", '"': '"”'}
CONTINUATION_GAP = 400  # chars between a quote and an uncued quote that continues it


@dataclass(frozen=True)
class Cue:
    token: Token
    speaker: EntityRef | None
    speaker_text: str | None


def _open_ok(text: str, i: int, start: int) -> bool:
    return i == start or text[i - 1] in " \t([{—–-:/"


def find_quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of quoted text (without the quote marks)."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        start, end = para.span()
        opened, closers, single = -1, "", False
        for i in range(start, end):
            c = text[i]
            nxt = text[i + 1] if i + 1 < end else " "
            if opened < 0:
                if c in OPENERS and (c != '"' or _open_ok(text, i, start)):
                    opened, closers, single = i + 1, OPENERS[c], False
                elif c == "‘" and _open_ok(text, i, start) and nxt.isalnum():
                    opened, closers, single = i + 1, "’", True
            elif c in closers and not (single and nxt.isalpha()):
                spans.append((opened, i))
                opened = -1
        if opened >= 0:
            spans.append((opened, end))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s is not None]


def _strip(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    words = text[a:b].split()
    # A quoted single name ("Reuters", "ATACMS") is a title or a term, not speech.
    if not words or (len(words) == 1 and words[0][:1].isupper()):
        return None
    return a, b


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a - 1 <= pos < b + 1 for a, b in spans)


def _speech_verbs(doc: Doc) -> list[int]:
    """Indices of the verbs whose lemma is a speech lemma, read from arrays: building a
    Token for each of the document's words cost more than everything after this test."""
    strings = doc.vocab.strings
    lowered: dict[int, bool] = {}
    found = []
    for i, (lemma, pos) in enumerate(doc.to_array([LEMMA, POS]).tolist()):
        if pos != VERB:
            continue
        speech = lowered.get(lemma)
        if speech is None:
            speech = lowered[lemma] = strings[lemma].lower() in SPEECH_LEMMAS
        if speech:
            found.append(i)
    return found


def speech_cues(
    doc: Doc, index: int, linked: Linked, offset: int, quotes: list[tuple[int, int]]
) -> dict[int, Cue]:
    """Speech verbs outside quotes (token index -> cue), with resolved speakers."""
    local = [(a - offset, b - offset) for a, b in quotes]
    cues: dict[int, Cue] = {}
    # "..., the Israeli military said. Nearly all were intercepted, it said.": "it" is the
    # last organisation or country that spoke.
    last_body: tuple[EntityRef, str | None] | None = None
    for i in _speech_verbs(doc):
        tok = doc[i]
        if tok.dep_ in ("amod", "acl", "compound"):  # "the promised systems"
            continue
        if _inside(tok.idx, local):
            continue
        if tok.lemma_.lower() == "continue" and any(
            c.dep_ in ("xcomp", "dobj", "prep") for c in tok.children
        ):
            continue  # "continue the fight" is not "he continued"
        # The parser sometimes takes quoted words for the subject: skip those.
        subj = subject_of(tok, skip=lambda t: _inside(t.idx, local))
        if subj is None:
            subj = _adjacent_name(tok, index, linked) or _noun_before(tok, local)
        ref = phrase_ref(subj, index, linked, offset) if subj is not None else None
        text = phrase_text(subj) if subj is not None else None
        if ref is None and subj is not None and subj.lower_ == "it" and last_body is not None:
            ref, text = last_body
        if ref is not None and ref.type in ("ORG", "GPE", "NORP"):
            last_body = (ref, text)
        cues[tok.i] = Cue(tok, ref, text)
        if ref is not None and ref.type == "PERSON":
            linked.discourse.add_subject(offset + tok.idx, ref)
    return cues


def _adjacent_name(verb: Token, index: int, linked: Linked) -> Token | None:
    """A named speaker right before or after the verb: "..., Zelenskyy told ..."."""
    doc = verb.doc
    for i in (verb.i - 1, verb.i + 1, verb.i - 2):
        if 0 <= i < len(doc):
            ref = linked.ref_at(index, i)
            if ref is not None and ref.type in ("PERSON", "ORG"):
                return doc[i]
    return None


def _noun_before(verb: Token, local: list[tuple[int, int]]) -> Token | None:
    """ "..., South Korea's spy agency said": the noun phrase right before a speech verb
    the parser gave no subject (it hung the phrase elsewhere) is its speaker; "officials
    in Kyiv said" gives "officials", not the place."""
    if verb.i == 0:
        return None
    tok = verb.doc[verb.i - 1]
    for _ in range(3):
        if tok.dep_ != "pobj" or tok.head.head is tok.head:
            break
        tok = tok.head.head
    if tok.pos_ not in ("NOUN", "PROPN") or _inside(tok.idx, local) or tok.i > verb.i:
        return None
    return tok


def _colon_speaker(doc: Doc, a: int, index: int, linked: Linked) -> Cue | None:
    """A caption or transcript line: "Volodymyr Selenskyj: “...”"."""
    line_start = text_of(doc).rfind("\n", 0, a) + 1
    prefix = text_of(doc)[line_start:a].rstrip(' “"„«')
    if not prefix.endswith(":"):
        return None
    span = doc.char_span(line_start, line_start + len(prefix) - 1, alignment_mode="contract")
    if span is None or len(span) == 0:
        return None
    ref = linked.ref_at(index, span[-1].i)
    if ref is None or ref.type not in ("PERSON", "ORG"):
        return None
    return Cue(span[-1], ref, span.text)


def _nearest_cue(doc: Doc, a: int, b: int, cues: dict[int, Cue]) -> Cue | None:
    span = doc.char_span(a, b, alignment_mode="expand")
    if span is None:
        return None
    sents = {s.start for s in (sent_of(span[0]), sent_of(span[-1]))}
    near = [c for c in cues.values() if sent_of(c.token).start in sents]
    if not near:
        # "Austin responded: “...”" split into two sentences, or "“...” he said." after it
        following = sent_of(doc[span.end]) if span.end < len(doc) else None
        prev = sent_of(doc[span.start - 1]) if span.start > 0 else None
        near = [
            c
            for c in cues.values()
            if (
                following is not None
                and sent_of(c.token).start == following.start
                and following.start_char - b < 3
            )
            or (
                prev is not None
                and sent_of(c.token).start == prev.start
                and text_of(doc)[prev.start_char : a].rstrip(' “"').endswith(":")
            )
        ]
    if not near:
        return None
    return min(near, key=lambda c: min(abs(c.token.idx - a), abs(c.token.idx - b)))


def _kind(doc: Doc, a: int, b: int) -> str:
    span = doc.char_span(a, b, alignment_mode="expand")
    if span is None:
        return "direct"
    sent = sent_of(span[0])
    prefix = text_of(doc)[sent.start_char : a].rstrip(' “"‘„«')
    text = text_of(doc)[a:b]
    fragment = len(text.split()) < 3 and not text.endswith((".", ",", "!", "?"))
    if fragment or (prefix and not prefix.endswith((":", ",", "—"))):
        return "partial"
    return "direct"


def _last_cue_before(pos: int, cues: dict[int, Cue]) -> Cue | None:
    before = [c for c in cues.values() if c.token.idx < pos and c.speaker is not None]
    if not before:
        return None
    last = max(before, key=lambda c: c.token.idx)
    return last if pos - last.token.idx < CONTINUATION_GAP else None


def _recent_subject(pos: int, linked: Linked) -> EntityRef | None:
    before = [(p, ref) for p, ref in linked.discourse.subjects if p < pos]
    if before and pos - before[-1][0] < CONTINUATION_GAP:
        return before[-1][1]
    return None


def attribute_quotes(
    doc: Doc,
    index: int,
    offset: int,
    quotes: list[tuple[int, int]],
    cues: dict[int, Cue],
    linked: Linked,
) -> list[Quote]:
    out: list[Quote] = []
    for qa, qb in quotes:
        a, b = qa - offset, qb - offset
        if a < 0 or b > len(text_of(doc)):
            continue
        kind = _kind(doc, a, b)
        cue = _nearest_cue(doc, a, b, cues)
        cue_text = cue.token.text if cue is not None else None
        if cue is None:
            cue = _colon_speaker(doc, a, index, linked)
        if cue is None and kind == "direct":
            # A quote standing alone continues the speaker of the last speech verb.
            cue = _last_cue_before(a, cues)
        if cue is None and kind == "partial":
            continue  # scare quotes ("a “substantial package”"): nobody is quoted
        speaker = cue.speaker if cue is not None else None
        speaker_text = cue.speaker_text if cue is not None else None
        if speaker is None and kind == "direct":
            # A quote standing after a paragraph about someone: that person speaks.
            speaker = _recent_subject(qa, linked)
        text = text_of(doc)[a:b]
        out.append(
            Quote(
                quote_id=stable_id("quote", qa, text),
                text=text,
                start=qa,
                end=qb,
                kind=kind,
                speaker=speaker,
                speaker_text=speaker_text,
                cue=cue_text,
            )
        )
    return out


def _clause_span(cue: Token, direct: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Char span (in the doc) of the clause a speech verb reports, without "that"."""
    tokens: list[Token] = []
    for child in cue.children:
        if child.dep_ == "ccomp":
            tokens = [t for t in child.subtree if not (t.dep_ == "mark" and t.i < child.i)]
            break
    else:
        # "X happened, Austin said" / "X, he said, Y": the clause is the verb's head.
        parenthetical = cue.dep_ == "parataxis"
        # "told his cabinet that Israel would respond": a that-clause is reported, it
        # reports nothing before it.
        complement = any(c.dep_ == "mark" for c in cue.children)
        if parenthetical or (cue.dep_ == "ccomp" and cue.head.i < cue.i and not complement):
            own = {t.i for t in cue.subtree}
            sent = sent_of(cue)
            tokens = [
                t
                for t in cue.head.subtree
                if t.i not in own
                and (parenthetical or t.i < cue.i)
                and sent.start <= t.i < sent.end
            ]
    tokens = [t for t in tokens if not (t.is_punct or t.is_quote or t.is_space)]
    if len(tokens) < 3:
        return None
    a, b = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    quoted = sum(min(b, qb) - max(a, qa) for qa, qb in direct if qa < b and a < qb)
    if quoted > 0.3 * (b - a):
        return None  # the clause is a direct quote, already taken
    return a, b


def indirect_quotes(
    doc: Doc, offset: int, quotes: list[tuple[int, int]], cues: dict[int, Cue]
) -> list[Quote]:
    """Reported speech: "Blair said that Zelenskiy convinced him", "X, Austin said"."""
    direct = [(a - offset, b - offset) for a, b in quotes]
    out: list[Quote] = []
    for cue in cues.values():
        if not speaks(cue.token):
            continue
        span = _clause_span(cue.token, direct)
        if span is None:
            continue
        a, b = span
        a += lead_prefix(text_of(doc)[a:b])  # "KYIV (Reuters) - Russia said ...": not said
        b = _without_speaker(text_of(doc), a, b, cue)
        text = text_of(doc)[a:b]
        out.append(
            Quote(
                quote_id=stable_id("quote", offset + a, text),
                text=text,
                start=offset + a,
                end=offset + b,
                kind="indirect",
                speaker=cue.speaker,
                speaker_text=cue.speaker_text,
                cue=cue.token.text,
            )
        )
    return out


def _without_speaker(text: str, a: int, b: int, cue: Cue) -> int:
    """End of the reported clause without its speaker, when the parser hung the speaker
    inside it ("X sent troops to Russia, South Korea's spy agency said")."""
    who = (cue.speaker_text or "").strip()
    if not who or cue.token.idx < b:
        return b
    seg = text[a:b].rstrip()
    if not seg.endswith(who):
        return b
    return a + len(seg[: -len(who)].rstrip(" ,;—–-"))


# chars of "," said Bill Blair, "" between two halves of one quote; room for an
# apposition ("said Tedros Adhanom Ghebreyesus, the head of the World Health Organization.")
SPLIT_GAP = 110


def _split(prev: Quote, q: Quote, gap: str) -> bool:
    return (
        prev.text.rstrip().endswith(",")
        and len(gap) <= SPLIT_GAP
        and "\n" not in gap
        and ":" not in gap
        and (q.speaker is None or prev.speaker is None or q.speaker == prev.speaker)
    )


def _continued(text: str, prev: Quote, gap: str) -> bool:
    """A quote left open at its paragraph's end goes on in the next paragraph, which
    opens with a quote mark again (the convention for quotes over several paragraphs)."""
    unclosed = text[prev.end : prev.end + 1] in ("", "\n")
    return unclosed and "\n" in gap and gap.strip() in OPENERS


def join_split_quotes(text: str, quotes: list[Quote]) -> list[Quote]:
    """ "“A,” he said. “B.”" is one quote around its speech verb: a direct quote ending
    in a comma, a short gap holding the verb, then the next direct quote. A quote over
    several paragraphs is one quote too."""
    direct = sorted((q for q in quotes if q.kind == "direct"), key=lambda q: q.start)
    others = [q for q in quotes if q.kind != "direct"]
    out: list[Quote] = []
    for q in direct:
        prev = out[-1] if out else None
        gap = text[prev.end : q.start] if prev is not None else ""
        if prev is not None and (_split(prev, q, gap) or _continued(text, prev, gap)):
            out[-1] = prev.model_copy(
                update={
                    "end": q.end,
                    "text": text[prev.start : q.end],
                    "speaker": prev.speaker or q.speaker,
                    "speaker_text": prev.speaker_text or q.speaker_text,
                    "cue": prev.cue or q.cue,
                }
            )
        else:
            out.append(q)
    return sorted(out + others, key=lambda q: q.start)
