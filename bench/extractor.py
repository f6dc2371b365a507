"""Extractor benchmark: speed over the seed articles, and counts per seed.

    .venv/bin/python bench/extractor.py [--repeat N] [--published YYYY-MM-DD]

Gold annotations for the seeds are a later task: ``score`` is the place for them
(precision/recall of entities, quotes with speakers and typed events against
``bench/gold/<seed>.json``); until then it reports that no gold exists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections import Counter
from pathlib import Path

from newswire_extractor.extract import EXTRACTOR_VERSION, extract, extract_batch
from newswire_extractor.nlp import get_nlp
from newswire_shared.messages import Extraction

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
GOLD = ROOT / "bench" / "gold"


def score(name: str, extraction: Extraction) -> dict[str, float] | None:
    """Compare with hand-annotated gold (not written yet): None when there is none."""
    gold = GOLD / f"{name}.json"
    if not gold.exists():
        return None
    raise NotImplementedError("gold format to be defined with the annotations")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--published", type=dt.date.fromisoformat, default=dt.date(2024, 5, 28))
    args = parser.parse_args()

    started = time.perf_counter()
    get_nlp()
    print(f"extractor {EXTRACTOR_VERSION}: model loaded in {time.perf_counter() - started:.2f}s")
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    chars = sum(len(t) for t in texts)

    extract(texts[0], args.published)  # warm-up
    started = time.perf_counter()
    for _ in range(args.repeat):
        results = [extract(t, args.published) for t in texts]
    one_by_one = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(args.repeat):
        extract_batch([(t, args.published) for t in texts])
    batched = time.perf_counter() - started

    n = len(texts) * args.repeat
    print(f"{len(texts)} seeds, {chars} chars, {args.repeat} rounds")
    for label, took in (("extract", one_by_one), ("extract_batch", batched)):
        print(
            f"{label:>14}: {n / took:7.1f} articles/s  {1000 * took / n:7.1f} ms/article  "
            f"{chars * args.repeat / took / 1000:7.1f} kchars/s"
        )

    print(
        f"\n{'seed':<24} {'chars':>6} {'ents':>5} {'ments':>5} {'quotes':>6} {'attrib':>6} "
        f"{'events':>6}  event types"
    )
    for path, text, ex in zip(SEEDS, texts, results, strict=True):
        attributed = sum(q.speaker is not None for q in ex.quotes)
        types = Counter(e.type for e in ex.events)
        print(
            f"{path.stem:<24} {len(text):>6} {len(ex.entities):>5} {len(ex.mentions):>5} "
            f"{len(ex.quotes):>6} {attributed:>6} {len(ex.events):>6}  "
            + ", ".join(f"{t}={c}" for t, c in types.most_common())
        )
        result = score(path.stem, ex)
        if result is not None:
            print("   ", result)
    if not GOLD.exists():
        print("\nno gold annotations yet (bench/gold/): counts only")


if __name__ == "__main__":
    main()
