"""Benchmark: the cleaner's ``clean_html`` against plain trafilatura.

Runs both over (a) the project's HTML fixtures (timing only: they have no snippets) and
(b) the dev set at ``../shared/dev/cleaner`` next to the repository, when it exists:
``pages/*.html.gz`` plus ``snippets.json``. Scoring (see that folder's README): a
``with`` snippet found in the output is a true positive, else a false negative; a
``without`` snippet found is a false positive; whitespace is collapsed on both sides;
counts are summed over pages. The cleaner is scored on title + body (it moves the headline
into metadata.title); "cleaner-body" scores the body alone. It runs right after "cleaner"
on the same page, so its ms/page benefits from warm date-parsing caches: read the time
from the "cleaner" row.

    .venv/bin/python bench/cleaner.py [--dev PATH] [--show-losses]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura

from newswire_cleaner.clean import clean_html
from newswire_shared.worker import PermanentError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "html"
DEV = ROOT.parent / "shared" / "dev" / "cleaner"

Extractor = Callable[[str, str | None], str]


def run_cleaner(html: str, url: str | None) -> str:
    # The cleaner moves the headline out of the body into metadata.title; the message
    # carries both, so both count as kept (trafilatura leaves it in its text).
    try:
        result = clean_html(html, url)
    except PermanentError:
        return ""
    return f"{result.metadata.title or ''}\n{result.text}"


def run_trafilatura(html: str, url: str | None) -> str:
    return trafilatura.extract(html, url=url, include_comments=False) or ""


def run_cleaner_body(html: str, url: str | None) -> str:
    """The body alone, without the title: shows what moving the headline costs."""
    try:
        return clean_html(html, url).text
    except PermanentError:
        return ""


EXTRACTORS: dict[str, Extractor] = {
    "trafilatura": run_trafilatura,
    "cleaner": run_cleaner,
    "cleaner-body": run_cleaner_body,
}


@dataclass
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    seconds: float = 0.0
    pages: int = 0
    losses: list[str] = field(default_factory=list)

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

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / self.pages if self.pages else 0.0


def collapse(text: str) -> str:
    return " ".join(text.split())


def timed(extract: Extractor, html: str, url: str | None, score: Score) -> str:
    started = time.perf_counter()
    out = extract(html, url)
    score.seconds += time.perf_counter() - started
    score.pages += 1
    return out


def bench_fixtures() -> dict[str, Score]:
    scores = {name: Score() for name in EXTRACTORS}
    for path in sorted(FIXTURES.glob("*.html")):
        html = path.read_text(encoding="utf-8")
        for name, extract in EXTRACTORS.items():
            timed(extract, html, None, scores[name])
    return scores


def bench_dev(dev: Path) -> dict[str, Score]:
    snippets = json.loads((dev / "snippets.json").read_text(encoding="utf-8"))
    scores = {name: Score() for name in EXTRACTORS}
    for page, spec in sorted(snippets.items()):
        html = gzip.decompress((dev / "pages" / page).read_bytes()).decode("utf-8", "replace")
        for name, extract in EXTRACTORS.items():
            score = scores[name]
            out = collapse(timed(extract, html, spec.get("url"), score))
            for snippet in spec.get("with", []):
                if collapse(snippet) in out:
                    score.tp += 1
                else:
                    score.fn += 1
                    score.losses.append(f"{page}: lost {snippet!r}")
            for snippet in spec.get("without", []):
                if collapse(snippet) in out:
                    score.fp += 1
                else:
                    score.tn += 1
    return scores


def print_table(title: str, scores: dict[str, Score], with_quality: bool) -> None:
    print(f"\n{title}")
    head = f"{'extractor':<12} {'pages':>5} {'ms/page':>8}"
    if with_quality:
        head += f" {'TP':>4} {'FN':>4} {'FP':>4} {'precision':>9} {'recall':>7} {'F1':>6}"
    print(head)
    for name, s in scores.items():
        row = f"{name:<12} {s.pages:>5} {s.ms_per_page:>8.1f}"
        if with_quality:
            row += (
                f" {s.tp:>4} {s.fn:>4} {s.fp:>4} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}"
            )
        print(row)
    base, ours = scores["trafilatura"], scores["cleaner"]
    ratios = f"cleaner / trafilatura: time x{_ratio(ours.ms_per_page, base.ms_per_page)}"
    if with_quality:
        ratios += (
            f", precision x{_ratio(ours.precision, base.precision)}"
            f", recall x{_ratio(ours.recall, base.recall)}, F1 x{_ratio(ours.f1, base.f1)}"
            f" (recall delta {ours.recall - base.recall:+.4f})"
        )
    print(ratios)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV, help="dev set folder")
    parser.add_argument("--show-losses", action="store_true", help="list snippets lost")
    args = parser.parse_args()

    # Warm up imports and caches so the first page does not carry them.
    run_cleaner("<html><body><p>warm up the parser with one sentence.</p></body></html>", None)
    print_table(f"fixtures ({FIXTURES.relative_to(ROOT)})", bench_fixtures(), False)
    if not (args.dev / "snippets.json").exists():
        print(f"\ndev set not found at {args.dev}: skipped")
        return
    scores = bench_dev(args.dev)
    print_table("dev set (snippets)", scores, True)
    if args.show_losses:
        base = set(scores["trafilatura"].losses)
        for line in scores["cleaner"].losses:
            print(("  " if line in base else "  NEW ") + line)


if __name__ == "__main__":
    main()
