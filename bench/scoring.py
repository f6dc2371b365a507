"""Score an Extraction against hand-written gold (format: bench/gold/README.md).

Plain functions, so tests can call them on tiny hand-made inputs. Gold gives spans as
exact substrings of the article; ``load_gold`` turns them into character offsets and
fails loudly when a substring is not in the text, so a gold file cannot silently drift.

Matching, in short:
- entity mentions: exact (start, end) and, for the typed score, the same type;
- quotes: one-to-one, by overlap (shared chars / shorter span >= 0.5);
- events: one-to-one, a predicted event matches a gold event of the same type when its
  evidence span overlaps one of the gold event's evidence substrings (a repeated event
  lists every sentence that reports it, and only one prediction may match it: an
  extractor that does not merge repeats pays with false positives);
- actors, locations, speakers: a gold name is mapped to the predicted entity id that the
  extractor gave to the gold mentions of that name (majority), so the score does not
  depend on how the extractor spells canonical names; "A|B" in gold accepts either.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newswire_shared.messages import EntityRef, Extraction

SCORED_ENTITY_TYPES = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "WEAPON", "MONEY"}
SCORED_COUNT_KINDS = {"killed", "injured", "missiles", "drones", "bombs"}
# Per-entity consistency is about names; NORP adjectives and MONEY values have no identity.
IDENTITY_TYPES = {"PERSON", "ORG", "GPE", "LOC", "FAC", "WEAPON"}


class GoldError(ValueError):
    """A gold file that does not fit its text."""


@dataclass
class GoldMention:
    start: int
    end: int
    type: str
    name: str


@dataclass
class GoldQuote:
    start: int
    end: int
    kind: str
    speaker: str | None


@dataclass
class GoldEvent:
    type: str
    evidence: list[tuple[int, int]]
    actors: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    location: str | None = None
    counts: set[tuple[str, int, bool]] = field(default_factory=set)
    money: list[tuple[float, str]] = field(default_factory=list)
    modality: str | None = None


@dataclass
class Gold:
    mentions: list[GoldMention]
    quotes: list[GoldQuote]
    events: list[GoldEvent]


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: PRF) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        counts = f"({self.tp}/{self.fp}/{self.fn})"
        return f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} {counts}"


@dataclass
class Accuracy:
    right: int = 0
    total: int = 0

    def add(self, other: Accuracy) -> None:
        self.right, self.total = self.right + other.right, self.total + other.total

    @property
    def value(self) -> float:
        return self.right / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.value:.3f} ({self.right}/{self.total})"


def find_span(text: str, sub: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.find(sub, start + 1)
        if start < 0:
            raise GoldError(f"not in the text (occurrence {occurrence}): {sub!r}")
    return start, start + len(sub)


def _word_spans(text: str, sub: str) -> list[tuple[int, int]]:
    pattern = re.compile(rf"(?<!\w){re.escape(sub)}(?!\w)")
    return [m.span() for m in pattern.finditer(text)]


def gold_mentions(text: str, entries: list[dict[str, Any]]) -> list[GoldMention]:
    """Every whole-word occurrence of each entry's text is a mention, unless it lies
    inside an occurrence of a longer entry ("Kursk" inside "Kursk region")."""
    taken: list[tuple[int, int]] = []
    out: list[GoldMention] = []
    for entry in sorted(entries, key=lambda e: -len(e["text"])):
        spans = _word_spans(text, entry["text"])
        if not spans:
            raise GoldError(f"entity not in the text: {entry['text']!r}")
        skip = set(entry.get("skip", []))
        for n, (s, e) in enumerate(spans):
            if n in skip or any(ts <= s and e <= te for ts, te in taken):
                continue
            taken.append((s, e))
            out.append(GoldMention(s, e, entry["type"], entry["name"]))
    return sorted(out, key=lambda m: m.start)


def _event(text: str, raw: dict[str, Any]) -> GoldEvent:
    return GoldEvent(
        type=raw["type"],
        evidence=[find_span(text, s) for s in raw["evidence"]],
        actors=list(raw.get("actors", [])),
        recipients=list(raw.get("recipients", [])),
        location=raw.get("location"),
        counts={
            (c["kind"], int(c["value"]), bool(c.get("at_least"))) for c in raw.get("counts", [])
        },
        money=[(float(m["amount"]), m["currency"]) for m in raw.get("money", [])],
        modality=raw.get("modality"),
    )


def parse_gold(text: str, raw: dict[str, Any]) -> Gold:
    quotes = []
    for q in raw.get("quotes", []):
        s, e = find_span(text, q["text"], q.get("occurrence", 0))
        quotes.append(GoldQuote(s, e, q.get("kind", "direct"), q.get("speaker")))
    return Gold(
        mentions=gold_mentions(text, raw.get("entities", [])),
        quotes=quotes,
        events=[_event(text, e) for e in raw.get("events", [])],
    )


def load_gold(path: Path, text: str) -> Gold:
    return parse_gold(text, json.loads(path.read_text(encoding="utf-8")))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


# -- entities ---------------------------------------------------------------------------


def entity_scores(gold: Gold, ex: Extraction) -> dict[str, PRF]:
    pred = [m for m in ex.mentions if m.type in SCORED_ENTITY_TYPES]
    gold_typed = {(m.start, m.end, m.type) for m in gold.mentions}
    pred_typed = {(m.start, m.end, m.type) for m in pred}
    gold_spans = {(s, e) for s, e, _ in gold_typed}
    pred_spans = {(s, e) for s, e, _ in pred_typed}
    return {
        "entity spans": _prf(gold_spans, pred_spans),
        "entity spans+type": _prf(gold_typed, pred_typed),
    }


def _prf(gold: set[Any], pred: set[Any]) -> PRF:
    tp = len(gold & pred)
    return PRF(tp, len(pred) - tp, len(gold) - tp)


def name_to_ids(gold: Gold, ex: Extraction) -> dict[str, Counter[str]]:
    """For each gold name, the predicted entity ids of the mentions at its gold spans."""
    by_span = {(m.start, m.end): m.entity_id for m in ex.mentions if m.entity_id}
    out: dict[str, Counter[str]] = {}
    for m in gold.mentions:
        eid = by_span.get((m.start, m.end))
        if eid is not None:
            out.setdefault(m.name, Counter())[eid] += 1
    return out


def identity_scores(gold: Gold, ex: Extraction) -> dict[str, Accuracy]:
    """``consistent``: gold names whose found mentions all share one id (every spelling
    of a person -> one id); ``pure``: predicted ids that stand for one gold name only."""
    types = {m.name: m.type for m in gold.mentions}
    ids = name_to_ids(gold, ex)
    consistent = Accuracy()
    persons = Accuracy()
    owners: dict[str, set[str]] = {}
    for name, counter in ids.items():
        if types[name] not in IDENTITY_TYPES:
            continue
        one = len(counter) == 1
        consistent.add(Accuracy(int(one), 1))
        if types[name] == "PERSON":
            persons.add(Accuracy(int(one), 1))
        for eid in counter:
            owners.setdefault(eid, set()).add(name)
    pure = Accuracy(sum(len(names) == 1 for names in owners.values()), len(owners))
    return {"ids consistent": consistent, "person ids consistent": persons, "ids pure": pure}


# -- names of actors, speakers, places ---------------------------------------------------


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


class NameMatcher:
    """Does a predicted entity stand for a gold name ("A|B" = either)?"""

    def __init__(self, gold: Gold, ex: Extraction) -> None:
        self.ids = {n: c.most_common(1)[0][0] for n, c in name_to_ids(gold, ex).items()}
        self.aliases = {e.entity_id: {_norm(a) for a in [e.name, *e.aliases]} for e in ex.entities}

    def matches(self, gold_name: str, entity_id: str | None, name: str) -> bool:
        for alt in gold_name.split("|"):
            if entity_id is not None and self.ids.get(alt) == entity_id:
                return True
            known = self.aliases.get(entity_id or "", set()) | {_norm(name)}
            if _norm(alt) in known:
                return True
        return False

    def ref(self, gold_name: str, ref: EntityRef | None) -> bool:
        return ref is not None and self.matches(gold_name, ref.entity_id, ref.name)

    def set_prf(self, gold_names: list[str], refs: list[EntityRef]) -> PRF:
        unmatched = list(refs)
        tp = 0
        for g in gold_names:
            hit = next((r for r in unmatched if self.ref(g, r)), None)
            if hit is not None:
                unmatched.remove(hit)
                tp += 1
        return PRF(tp, len(unmatched), len(gold_names) - tp)


# -- quotes ------------------------------------------------------------------------------


def _ratio(g: tuple[int, int], p: tuple[int, int]) -> float:
    return _overlap(g, p) / max(1, min(g[1] - g[0], p[1] - p[0]))


def _pairs(
    gold: list[list[tuple[int, int]]], pred: list[tuple[int, int]], ok: Any = None
) -> list[tuple[int, int]]:
    """One-to-one matching by overlap ratio, best overlaps first. Each gold item may
    have several spans (a repeated event): the best-overlapping one counts."""
    candidates = []
    for gi, spans in enumerate(gold):
        for pi, p in enumerate(pred):
            ratio = max(_ratio(g, p) for g in spans)
            if ratio > 0 and (ok is None or ok(gi, pi)):
                candidates.append((ratio, gi, pi))
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, gi, pi in sorted(candidates, reverse=True):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            out.append((gi, pi))
    return out


def quote_scores(gold: Gold, ex: Extraction, matcher: NameMatcher) -> dict[str, Any]:
    g_spans = [(q.start, q.end) for q in gold.quotes]
    p_spans = [(q.start, q.end) for q in ex.quotes]

    def enough(gi: int, pi: int) -> bool:
        return _ratio(g_spans[gi], p_spans[pi]) >= 0.5

    pairs = _pairs([[g] for g in g_spans], p_spans, enough)
    spans = PRF(len(pairs), len(p_spans) - len(pairs), len(g_spans) - len(pairs))
    speakers = Accuracy()
    for gi, pi in pairs:
        want = gold.quotes[gi].speaker
        if want is not None:
            speakers.add(Accuracy(int(matcher.ref(want, ex.quotes[pi].speaker)), 1))
    return {"quote spans": spans, "quote speakers": speakers}


# -- events ------------------------------------------------------------------------------


def event_scores(gold: Gold, ex: Extraction, matcher: NameMatcher) -> dict[str, Any]:
    def overlapping(g: int, p: int) -> bool:
        ev = ex.events[p].evidence
        return any(_overlap(span, (ev.start, ev.end)) for span in gold.events[g].evidence)

    def typed(g: int, p: int) -> bool:
        return overlapping(g, p) and gold.events[g].type == ex.events[p].type

    n_gold, n_pred = len(gold.events), len(ex.events)
    spans = [ge.evidence for ge in gold.events]
    preds = [(e.evidence.start, e.evidence.end) for e in ex.events]
    typed_pairs = _pairs(spans, preds, typed)
    found_pairs = _pairs(spans, preds, overlapping)
    out: dict[str, Any] = {
        "events (type)": _pair_prf(typed_pairs, n_gold, n_pred),
        "events (any type)": _pair_prf(found_pairs, n_gold, n_pred),
    }
    actors, recipients, location, counts, money = PRF(), PRF(), PRF(), PRF(), PRF()
    for gi, pi in typed_pairs:
        g, p = gold.events[gi], ex.events[pi]
        actors.add(matcher.set_prf(g.actors, p.actors))
        recipients.add(matcher.set_prf(g.recipients, p.recipients))
        location.add(_location_prf(g, p, matcher))
        got = {(c.kind, c.value, c.at_least) for c in p.counts if c.kind in SCORED_COUNT_KINDS}
        counts.add(_prf(g.counts, got))
        money.add(_money_prf(g.money, [(m.amount, m.currency) for m in p.money]))
    out.update(
        {
            "event actors": actors,
            "event recipients": recipients,
            "event location": location,
            "event counts": counts,
            "event money": money,
        }
    )
    return out


def _pair_prf(pairs: list[tuple[int, int]], n_gold: int, n_pred: int) -> PRF:
    return PRF(len(pairs), n_pred - len(pairs), n_gold - len(pairs))


def _location_prf(g: GoldEvent, p: Any, matcher: NameMatcher) -> PRF:
    loc = p.location
    if g.location is None:
        return PRF(0, int(loc is not None), 0)
    if loc is None:
        return PRF(0, 0, 1)
    if matcher.matches(g.location, loc.entity_id, loc.name):
        return PRF(1, 0, 0)
    return PRF(0, 1, 1)


def _money_prf(gold: list[tuple[float, str]], pred: list[tuple[float, str]]) -> PRF:
    left = list(pred)
    tp = 0
    for amount, currency in gold:
        hit = next(
            (m for m in left if m[1] == currency and abs(m[0] - amount) <= 0.005 * amount), None
        )
        if hit is not None:
            left.remove(hit)
            tp += 1
    return PRF(tp, len(left), len(gold) - tp)


def score(gold: Gold, ex: Extraction) -> dict[str, Any]:
    """Every part's score for one article: PRF or Accuracy values by name."""
    matcher = NameMatcher(gold, ex)
    return {
        **entity_scores(gold, ex),
        **identity_scores(gold, ex),
        **quote_scores(gold, ex, matcher),
        **event_scores(gold, ex, matcher),
    }


def total(scores: list[dict[str, Any]]) -> dict[str, Any]:
    """Micro-averaged sum over articles."""
    out: dict[str, Any] = {}
    for s in scores:
        for name, value in s.items():
            acc = out.setdefault(name, type(value)())
            acc.add(value)
    return out
