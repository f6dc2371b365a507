"""The gold scorer (bench/scoring.py) on tiny hand-made inputs: it must be able to fail."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from newswire_shared.messages import (
    Count,
    Entity,
    EntityRef,
    Event,
    Evidence,
    Extraction,
    Location,
    Mention,
    Money,
    Quote,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from scoring import GoldError, parse_gold, score  # noqa: E402

TEXT = (
    'Zelensky said Russia shelled Kharkiv, killing at least four people. "We need help," '
    "Zelenskyy told reporters.\nSpain pledged $1 billion in aid."
)
RAW = {
    "entities": [
        {"text": "Zelensky", "type": "PERSON", "name": "Volodymyr Zelensky"},
        {"text": "Zelenskyy", "type": "PERSON", "name": "Volodymyr Zelensky"},
        {"text": "Russia", "type": "GPE", "name": "Russia"},
        {"text": "Kharkiv", "type": "GPE", "name": "Kharkiv"},
        {"text": "Spain", "type": "GPE", "name": "Spain"},
    ],
    "quotes": [{"text": "We need help,", "speaker": "Volodymyr Zelensky", "cue": "told"}],
    "events": [
        {
            "type": "ASSAULT",
            "evidence": ["Russia shelled Kharkiv"],
            "actors": ["Russia"],
            "location": "Kharkiv",
            "counts": [{"kind": "killed", "value": 4, "at_least": True}],
        },
        {
            "type": "AID",
            "evidence": ["Spain pledged $1 billion in aid."],
            "actors": ["Spain"],
            "money": [{"amount": 1e9, "currency": "USD"}],
        },
    ],
}


def _span(sub: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(sub, start + 1)
    return start, start + len(sub)


def _mention(sub: str, type_: str, eid: str, occurrence: int = 0) -> Mention:
    s, e = _span(sub, occurrence)
    return Mention(text=sub, start=s, end=e, type=type_, entity_id=eid)  # type: ignore[arg-type]


def _ref(eid: str, name: str, type_: str = "GPE") -> EntityRef:
    return EntityRef(entity_id=eid, name=name, type=type_)  # type: ignore[arg-type]


def _event(type_: str, sentence: str, **kw: object) -> Event:
    s, e = _span(sentence)
    return Event(
        event_id=f"{type_}{s}",
        type=type_,  # type: ignore[arg-type]
        trigger="x",
        evidence=Evidence(sentence=sentence, start=s, end=e),
        confidence=0.5,
        **kw,  # type: ignore[arg-type]
    )


S1 = "Zelensky said Russia shelled Kharkiv, killing at least four people."
S3 = "Spain pledged $1 billion in aid."


def _perfect() -> Extraction:
    q0, q1 = _span("We need help,")
    return Extraction(
        extractor_version="t",
        entities=[Entity(entity_id="z", name="Volodymyr Zelenskyy", type="PERSON")],
        mentions=[
            _mention("Zelensky", "PERSON", "z"),
            _mention("Zelenskyy", "PERSON", "z"),
            _mention("Russia", "GPE", "ru"),
            _mention("Kharkiv", "GPE", "kh"),
            _mention("Spain", "GPE", "es"),
        ],
        quotes=[
            Quote(
                quote_id="q",
                text="We need help,",
                start=q0,
                end=q1,
                speaker=_ref("z", "Volodymyr Zelenskyy", "PERSON"),
            )
        ],
        events=[
            _event(
                "ASSAULT",
                S1,
                actors=[_ref("ru", "Russia")],
                location=Location(name="Kharkiv", entity_id="kh"),
                counts=[Count(kind="killed", value=4, at_least=True)],
            ),
            _event(
                "AID",
                S3,
                actors=[_ref("es", "Spain")],
                money=[Money(amount=1e9, currency="USD", text="$1 billion")],
            ),
        ],
    )


def test_perfect_prediction_scores_one_everywhere() -> None:
    result = score(parse_gold(TEXT, RAW), _perfect())
    for name in ("entity spans+type", "quote spans", "events (type)", "event actors",
                 "event location", "event counts", "event money"):  # fmt: skip
        assert result[name].f1 == 1.0, name
    assert result["quote speakers"].value == 1.0
    assert result["person ids consistent"].value == 1.0


def test_each_kind_of_error_costs_its_own_part() -> None:
    ex = _perfect()
    ex.mentions[1] = _mention("Zelenskyy", "PERSON", "other")  # a second id for one person
    ex.mentions[3] = _mention("Kharkiv", "ORG", "kh")  # wrong type, right span
    assert ex.quotes[0].speaker is not None
    ex.quotes[0].speaker = _ref("ru", "Russia")
    ex.events[0].counts = [Count(kind="killed", value=4)]  # lost "at least"
    ex.events[0].location = Location(name="Russia", entity_id="ru")
    ex.events[1].type = "AGREE"  # wrong type
    ex.events.append(_event("ASSAULT", S1))  # an unmerged repeat: a false positive
    result = score(parse_gold(TEXT, RAW), ex)
    assert result["person ids consistent"].value == 0.0
    assert result["entity spans"].f1 == 1.0
    assert result["entity spans+type"].tp == 4
    assert result["quote speakers"].value == 0.0
    assert result["event counts"].tp == 0
    assert result["event location"].f1 == 0.0
    events = result["events (type)"]
    assert (events.tp, events.fp, events.fn) == (1, 2, 1)
    assert result["events (any type)"].tp == 2


def test_alternatives_and_repeats_in_gold() -> None:
    raw = json.loads(json.dumps(RAW))
    raw["events"][0]["actors"] = ["Moscow|Russia"]
    raw["events"][0]["evidence"] = ["Russia shelled Kharkiv", "We need help"]
    result = score(parse_gold(TEXT, raw), _perfect())
    assert result["event actors"].f1 == 1.0
    assert result["events (type)"].f1 == 1.0


def test_quote_needs_half_overlap() -> None:
    ex = _perfect()
    s, _ = _span("We need help,")
    ex.quotes[0] = Quote(quote_id="q", text="We", start=s, end=s + 2)
    assert score(parse_gold(TEXT, RAW), ex)["quote spans"].tp == 1  # inside: overlap 1.0
    ex.quotes[0] = Quote(quote_id="q", text="x", start=s - 20, end=s + 2)
    assert score(parse_gold(TEXT, RAW), ex)["quote spans"].tp == 0


def test_gold_that_does_not_fit_its_text_is_refused() -> None:
    bad = {"entities": [{"text": "Kyiv", "type": "GPE", "name": "Kyiv"}]}
    with pytest.raises(GoldError, match="Kyiv"):
        parse_gold(TEXT, bad)
    with pytest.raises(GoldError):
        parse_gold(TEXT, {"events": [{"type": "AID", "evidence": ["nowhere"]}]})


def test_seed_gold_files_fit_their_texts() -> None:
    seeds = ROOT / "tests" / "fixtures" / "seeds" / "golden"
    golds = sorted((ROOT / "bench" / "gold").glob("*.json"))
    assert len(golds) == 5
    for path in golds:
        gold = parse_gold(
            (seeds / f"{path.stem}.txt").read_text(encoding="utf-8"),
            json.loads(path.read_text(encoding="utf-8")),
        )
        assert gold.events and gold.quotes and gold.mentions
