"""Benchmark: the cleaner's ``clean_html`` against plain ``trafilatura.extract``.

Both run side by side in one process over the same pages, on two page sets:

- the project's own scored fixtures, ``tests/fixtures/cleaner`` (hand-written pages);
- the dev set ``../shared/dev/cleaner`` next to the repository, when it is there
  (``--dev-dir`` to point elsewhere); it is also reported in two halves split by site
  (a hash of the URL's host), so a rule tuned on one half can be checked on the other.

A page set is a folder with ``pages/*.html`` or ``pages/*.html.gz`` and ``snippets.json``
(``{page: {"url", "with": [...], "without": [...]}}``). Scoring, as the dev README says:
a ``with`` snippet found in the output is a true positive, else a false negative; a
``without`` snippet found is a false positive; whitespace is collapsed on both sides;
counts are summed over pages.

The cleaner's output is its message: the headline moves to ``metadata.title``, so
"cleaner" scores title + body, and "cleaner-body" the body alone (same run, no extra time).
"cleaner-trimmed" is the cleaner (title + body) on the page as the deployed fetcher passes
it on, without scripts, styles, SVG and comments (``trim.py``), the trimming's time included.

Word overlap: where a hand-made main text exists (the body, without the headline), each
output is also scored by the words it shares with it, as a bag of words (lowercase word
tokens, each counted as often as it occurs in both): precision = shared / output words,
recall = shared / main-text words, summed over pages. Three sets: the fixture pages
(``main/*.txt``), the five seeds as the fixture news site renders them (their reporting
and debris inside page chrome; main text = ``tests/fixtures/seeds/golden``), and the
seeds as pushed plain text, where the baseline is the text left as it came.

Time: CPU time of this process (``time.process_time``), not wall time: the machine is
shared, and other processes' load would otherwise decide the ratio. Each page runs
``--repeat`` times through each extractor, alternating which goes first, and the fastest
run counts; ms/page is the mean of those per-page minimums.

    .venv/bin/python bench/cleaner.py [--dev-dir PATH] [--repeat N] [--show-losses]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import trafilatura

from newswire_cleaner.clean import clean_html, clean_text
from newswire_fetcher.trim import strip_unread
from newswire_shared.worker import PermanentError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.support: the fixture news site's page renderer
from tests.support.newssite import render, seed_page  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "cleaner"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
DEV = ROOT.parent / "shared" / "dev" / "cleaner"

# One run of an extractor on a page: the texts it produces, by row name.
Run = Callable[[str, str | None], dict[str, str]]


def run_cleaner(html: str, url: str | None) -> dict[str, str]:
    try:
        result = clean_html(html, url)
    except PermanentError:
        return {"cleaner": "", "cleaner-body": ""}
    return {"cleaner": f"{result.metadata.title or ''}\n{result.text}", "cleaner-body": result.text}


def run_trafilatura(html: str, url: str | None) -> dict[str, str]:
    return {"trafilatura": trafilatura.extract(html, url=url, include_comments=False) or ""}


def run_trimmed(html: str, url: str | None) -> dict[str, str]:
    """The cleaner on the page as the fetcher passes it on (trim.py), trimming timed too."""
    return {"cleaner-trimmed": run_cleaner(strip_unread(html), url)["cleaner"]}


RUNS: dict[str, Run] = {
    "trafilatura": run_trafilatura, "cleaner": run_cleaner, "trimmed": run_trimmed
}  # fmt: skip
# Each row's text and which run's time it shares.
ROWS = {"trafilatura": "trafilatura", "cleaner": "cleaner", "cleaner-body": "cleaner",
        "cleaner-trimmed": "trimmed"}  # fmt: skip


@dataclass
class Page:
    name: str
    url: str | None
    html: str
    with_: list[str]
    without: list[str]

    @property
    def site(self) -> str:
        return urlsplit(self.url or "").hostname or self.name


@dataclass
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    seconds: float = 0.0
    pages: int = 0
    losses: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)

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


def load_pages(folder: Path) -> list[Page]:
    specs = json.loads((folder / "snippets.json").read_text(encoding="utf-8"))
    pages = []
    for name, spec in sorted(specs.items()):
        data = (folder / "pages" / name).read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        html = data.decode("utf-8", "replace")
        pages.append(Page(name, spec.get("url"), html, spec["with"], spec["without"]))
    return pages


@dataclass
class Outcome:
    """One page's outputs by row, and each extractor's fastest time on it."""

    page: Page
    texts: dict[str, str]
    seconds: dict[str, float]


def run_pages(pages: list[Page], repeat: int) -> list[Outcome]:
    outcomes = []
    for n, page in enumerate(pages):
        texts: dict[str, str] = {}
        best: dict[str, float] = {}
        for r in range(repeat):
            order = list(RUNS) if (n + r) % 2 == 0 else list(RUNS)[::-1]
            for name in order:
                started = time.process_time()
                out = RUNS[name](page.html, page.url)
                elapsed = time.process_time() - started
                best[name] = min(best.get(name, elapsed), elapsed)
                texts.update(out)
        outcomes.append(Outcome(page, texts, best))
    return outcomes


def score(outcomes: list[Outcome]) -> dict[str, Score]:
    scores = {row: Score() for row in ROWS}
    for o in outcomes:
        for row in ROWS:
            s = scores[row]
            s.pages += 1
            s.seconds += o.seconds[ROWS[row]]
            out = collapse(o.texts[row])
            for snippet in o.page.with_:
                if collapse(snippet) in out:
                    s.tp += 1
                else:
                    s.fn += 1
                    s.losses.append(f"{o.page.name}: lost {snippet!r}")
            for snippet in o.page.without:
                if collapse(snippet) in out:
                    s.fp += 1
                    s.leaks.append(f"{o.page.name}: kept {snippet!r}")
    return scores


def half_of(site: str) -> str:
    return "A" if hashlib.sha1(site.encode()).digest()[0] % 2 == 0 else "B"


def print_table(title: str, scores: dict[str, Score]) -> None:
    print(f"\n{title}")
    print(
        f"{'extractor':<15} {'pages':>5} {'ms/page':>8} {'TP':>4} {'FN':>4} {'FP':>4}"
        f" {'precision':>9} {'recall':>7} {'F1':>6}"
    )
    for name, s in scores.items():
        print(
            f"{name:<15} {s.pages:>5} {s.ms_per_page:>8.1f} {s.tp:>4} {s.fn:>4} {s.fp:>4}"
            f" {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}"
        )
    base = scores["trafilatura"]
    for name in ("cleaner", "cleaner-trimmed"):
        ours = scores[name]
        print(
            f"{name} vs trafilatura: time x{_ratio(ours.ms_per_page, base.ms_per_page)}, "
            f"F1 {ours.f1 - base.f1:+.3f}, recall {ours.recall - base.recall:+.3f}, "
            f"precision {ours.precision - base.precision:+.3f}"
        )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b else "n/a"


def report(title: str, outcomes: list[Outcome], show_losses: bool) -> None:
    scores = score(outcomes)
    print_table(title, scores)
    if show_losses:
        base_losses = set(scores["trafilatura"].losses)
        for line in scores["cleaner"].losses:
            print(("  " if line in base_losses else "  NEW ") + line)
        for line in scores["cleaner"].leaks:
            print("  LEAK " + line)


WORD = re.compile(r"\w+")


@dataclass
class Overlap(Score):
    """Bag-of-words overlap with a hand-made main text, summed over pages: each shared
    word is a true positive, each other output word a false positive, each main-text word
    the output lacks a false negative."""

    def add(self, output_text: str, main_text: str) -> None:
        out, gold = words(output_text), words(main_text)
        shared = sum((out & gold).values())
        self.tp += shared
        self.fp += sum(out.values()) - shared
        self.fn += sum(gold.values()) - shared
        self.pages += 1


def words(text: str) -> Counter[str]:
    return Counter(WORD.findall(text.lower()))


def main_text_pages() -> Iterable[tuple[str, str, str, str | None]]:
    """(set, main text, html, url) for every page with a hand-made main text."""
    for path in sorted((FIXTURES / "main").glob("*.txt")):
        html = (FIXTURES / "pages" / f"{path.stem}.html").read_text(encoding="utf-8")
        yield "fixture pages", path.read_text(encoding="utf-8"), html, None
    titles = json.loads((SEEDS / "golden" / "titles.json").read_text(encoding="utf-8"))
    for i, seed in enumerate(sorted(SEEDS.glob("*.txt"))):
        golden = (SEEDS / "golden" / seed.name).read_text(encoding="utf-8")
        yield "seed pages", golden, render(seed_page(seed, i, titles[seed.name])), None


def report_overlap() -> None:
    by_set: dict[str, dict[str, Overlap]] = {}
    for name, main_text, html, url in main_text_pages():
        rows = by_set.setdefault(name, {"trafilatura": Overlap(), "cleaner-body": Overlap()})
        rows["trafilatura"].add(run_trafilatura(html, url)["trafilatura"], main_text)
        rows["cleaner-body"].add(run_cleaner(html, url)["cleaner-body"], main_text)
    text_rows = by_set.setdefault("seeds as text", {"as pushed": Overlap(), "cleaner": Overlap()})
    for seed in sorted(SEEDS.glob("*.txt")):
        pushed = seed.read_text(encoding="utf-8")
        golden = (SEEDS / "golden" / seed.name).read_text(encoding="utf-8")
        text_rows["as pushed"].add(pushed, golden)
        text_rows["cleaner"].add(clean_text(pushed).text, golden)
    print("\nword overlap with hand-made main texts (bag of words)")
    print(f"{'set':<15} {'extractor':<13} {'pages':>5} {'precision':>9} {'recall':>7} {'F1':>6}")
    for name, rows in by_set.items():
        for row, o in rows.items():
            print(f"{name:<15} {row:<13} {o.pages:>5} {o.precision:>9.3f} {o.recall:>7.3f}"
                  f" {o.f1:>6.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dev-dir", type=Path, default=DEV, help="dev set folder")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page; the fastest counts")
    parser.add_argument("--show-losses", action="store_true", help="list snippets lost/kept")
    args = parser.parse_args()

    # Warm up imports and caches so the first page does not carry them.
    warm = "<html><body><p>One sentence to warm up the parser and the extractor.</p></body></html>"
    for run in RUNS.values():
        run(warm, None)
    report(
        f"fixtures ({FIXTURES.relative_to(ROOT)})",
        run_pages(load_pages(FIXTURES), args.repeat),
        args.show_losses,
    )
    report_overlap()
    if not (args.dev_dir / "snippets.json").exists():
        print(f"\ndev set not found at {args.dev_dir}: skipped")
        return
    outcomes = run_pages(load_pages(args.dev_dir), args.repeat)
    report("dev set (snippets)", outcomes, args.show_losses)
    for half in ("A", "B"):
        part = [o for o in outcomes if half_of(o.page.site) == half]
        sites = len({o.page.site for o in part})
        report(f"dev half {half} ({sites} sites, split by host hash)", part, False)


if __name__ == "__main__":
    main()
