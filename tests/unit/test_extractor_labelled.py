"""The second labelled set (tests/fixtures/extractor/labelled.json): texts of other kinds
and topics than the seeds, in a "tune" and a "heldout" split. Floors per split, so a
change tuned to the seeds or to the tune items that breaks other texts fails here.
Current scores are printed by bench/extractor.py."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from newswire_extractor.extract import extract_batch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from scoring import parse_gold, score, total  # noqa: E402

LABELLED = ROOT / "tests" / "fixtures" / "extractor" / "labelled.json"


# Floors a little below the measured scores, per split: "tune" items may guide rule
# changes, "heldout" items are only measured, so their floor shows how the rules carry
# over to text they were not written for.
FLOORS: dict[str, dict[str, float]] = {
    "tune": {  # measured: 0.994, 0.972, 0.989, 0.979, 1.0, 0.994, 1.0
        "entity spans+type": 0.98,
        "events (type)": 0.96,
        "event actors": 0.97,
        "event location": 0.96,
        "event counts": 0.98,
        "quote spans": 0.98,
        "quote speakers": 0.98,
    },
    "heldout": {  # measured: 0.972, 0.845, 0.980, 0.854, 0.941, 0.992, 0.947
        "entity spans+type": 0.96,
        "events (type)": 0.82,
        "event actors": 0.95,
        "event location": 0.83,
        "event counts": 0.92,
        "quote spans": 0.98,
        "quote speakers": 0.92,
    },
}


def _items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(LABELLED.read_text(encoding="utf-8"))["items"]
    return items


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, Any]]:
    items = _items()
    dates = [dt.date.fromisoformat(i["published"]) if i["published"] else None for i in items]
    results = extract_batch([(i["text"], d) for i, d in zip(items, dates, strict=True)])
    per_split: dict[str, list[dict[str, Any]]] = {}
    for item, ex in zip(items, results, strict=True):
        per_split.setdefault(item["split"], []).append(score(parse_gold(item["text"], item), ex))
    return {split: total(found) for split, found in per_split.items()}


def test_labelled_set_has_several_kinds_and_both_splits() -> None:
    items = _items()
    kinds = {i["kind"] for i in items}
    assert {"single sentence", "event note", "whole article", "page debris"} <= kinds
    splits = [i["split"] for i in items]
    assert set(splits) == {"tune", "heldout"}
    assert splits.count("heldout") >= len(items) // 4
    for split in ("tune", "heldout"):
        assert {"single sentence", "event note", "whole article"} <= {
            i["kind"] for i in items if i["split"] == split
        }


@pytest.mark.parametrize("split", sorted(FLOORS))
def test_scores_on_other_texts_stay_above_floors(
    scores: dict[str, dict[str, Any]], split: str
) -> None:
    got = scores[split]
    low = {}
    for part, floor in FLOORS[split].items():
        value = getattr(got[part], "f1", None)
        value = got[part].value if value is None else value
        if value < floor:
            low[part] = (round(value, 3), floor)
    assert not low, f"{split}: below floor (score, floor): {low}"


def test_seed_targets() -> None:
    """The issue's targets on the five seeds: event F1 >= 0.8, speaker accuracy >= 0.9,
    every spelling of a person one id."""
    golden = ROOT / "tests" / "fixtures" / "seeds" / "golden"
    golds = sorted((ROOT / "bench" / "gold").glob("*.json"))
    texts = [(golden / f"{g.stem}.txt").read_text(encoding="utf-8") for g in golds]
    results = extract_batch([(t, None) for t in texts])
    summed = total(
        [
            score(parse_gold(t, json.loads(g.read_text(encoding="utf-8"))), ex)
            for g, t, ex in zip(golds, texts, results, strict=True)
        ]
    )
    assert summed["events (type)"].f1 >= 0.8
    assert summed["quote speakers"].value >= 0.9
    assert summed["person ids consistent"].value == 1.0
