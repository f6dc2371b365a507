"""Extractor benchmark: scores against hand-written gold, and speed.

    .venv/bin/python bench/extractor.py [--repeat N] [--set seeds|extra|all]

Scores (precision/recall/F1 per part, micro-averaged; see bench/scoring.py) on:
- ``seeds``: the five cleaned seed articles (tests/fixtures/seeds/golden/) against
  bench/gold/<seed>.json; also counts the events the extractor finds in the page
  debris of the raw seeds (sentences that are not in the cleaned text: captions,
  donation appeals), which are all false;
- ``extra``: texts of other kinds (single sentences, event notes, whole articles, other
  conflicts and topics) in tests/fixtures/extractor/labelled.json, a guard against
  tuning to the seeds, scored per split: ``tune`` items may guide rule changes,
  ``heldout`` items are only measured.
Then articles per second, one by one and batched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from newswire_extractor.extract import EXTRACTOR_VERSION, extract, extract_batch
from newswire_extractor.nlp import get_nlp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from scoring import parse_gold, score, total  # noqa: E402

SEEDS = ROOT / "tests" / "fixtures" / "seeds"
GOLD = ROOT / "bench" / "gold"
EXTRA = ROOT / "tests" / "fixtures" / "extractor" / "labelled.json"
TARGETS = {"events (type)": 0.8, "quote speakers": 0.9, "person ids consistent": 1.0}


def seed_items() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for gold in sorted(GOLD.glob("*.json")):
        text = (SEEDS / "golden" / f"{gold.stem}.txt").read_text(encoding="utf-8")
        out.append((gold.stem, text, json.loads(gold.read_text(encoding="utf-8"))))
    return out


def extra_items(split: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    items = json.loads(EXTRA.read_text(encoding="utf-8"))["items"]
    return [
        (item["id"], item["text"], item)
        for item in items
        if split is None or item.get("split") == split
    ]


def _published(raw: dict[str, Any]) -> dt.date | None:
    return dt.date.fromisoformat(raw["published"]) if raw.get("published") else None


def report(label: str, items: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    results = extract_batch([(text, _published(raw)) for _, text, raw in items])
    per_item = [
        score(parse_gold(text, raw), ex) for (_, text, raw), ex in zip(items, results, strict=True)
    ]
    summed = total(per_item)
    print(f"\n== {label}: {len(items)} texts")
    for name, value in summed.items():
        mark = ""
        if name in TARGETS:
            got = getattr(value, "f1", None)
            got = value.value if got is None else got
            verdict = "met" if got >= TARGETS[name] else "MISSED"
            mark = f"  target {TARGETS[name]:.2f}: {verdict}"
        print(f"  {name:<22} {value}{mark}")
    return summed


def debris_events() -> None:
    """Events from raw-seed sentences that neither the cleaned text nor the title holds."""
    found = []
    titles = json.loads((SEEDS / "golden" / "titles.json").read_text(encoding="utf-8"))
    for raw_path in sorted(SEEDS.glob("*.txt")):
        clean = (SEEDS / "golden" / raw_path.name).read_text(encoding="utf-8")
        title = titles.get(raw_path.name, "")
        for event in extract(raw_path.read_text(encoding="utf-8")).events:
            sentence = event.evidence.sentence
            if sentence not in clean and sentence not in title:
                found.append((raw_path.stem, event.type, event.evidence.sentence[:70]))
    print(f"\n== events from page debris in the raw seeds (all false): {len(found)}")
    for row in found:
        print("  ", *row)


def speed(repeat: int) -> None:
    texts = [text for _, text, _ in seed_items()]
    chars = sum(len(t) for t in texts)
    extract(texts[0])  # warm-up
    started = time.perf_counter()
    for _ in range(repeat):
        for t in texts:
            extract(t)
    one_by_one = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(repeat):
        extract_batch([(t, None) for t in texts])
    batched = time.perf_counter() - started
    n = len(texts) * repeat
    print(f"\n== speed: {len(texts)} seeds, {chars} chars, {repeat} rounds")
    for label, took in (("extract", one_by_one), ("extract_batch", batched)):
        print(
            f"{label:>14}: {n / took:7.1f} articles/s  {1000 * took / n:7.1f} ms/article  "
            f"{chars * repeat / took / 1000:7.1f} kchars/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--set", choices=("seeds", "extra", "all"), default="all")
    args = parser.parse_args()
    started = time.perf_counter()
    get_nlp()
    print(f"extractor {EXTRACTOR_VERSION}: model loaded in {time.perf_counter() - started:.2f}s")
    if args.set in ("seeds", "all"):
        report("seeds (bench/gold)", seed_items())
        debris_events()
    if args.set in ("extra", "all") and EXTRA.exists():
        for split in ("tune", "heldout"):
            report(f"extra, {split} split (tests/fixtures/extractor)", extra_items(split))
    if args.repeat > 0:
        speed(args.repeat)


if __name__ == "__main__":
    main()
