"""Benchmark: each stage's pure function alone, over the same pages, so a regression shows
which stage it is in.

Stages: fetch (``fetch_page`` against a fixture site on 127.0.0.1), clean
(``clean_article``), extract one article at a time (``extract_article``), extract in
batches (``extract_articles``, one ``nlp.pipe`` per batch), store (``Store.save`` one at
a time and ``Store.save_many`` in batches, into a fresh SQLite file and, with
``--postgres-url``, into an emptied PostgreSQL database), and the JSON round trip of
every message an article causes on the broker (``model_dump_json`` +
``model_validate_json``). Pages are the seed articles in a news site's chrome, padded to
``--page-kb`` as real pages are (``MARKUP_SHARE``: menus and ad slots, then inline scripts
and styles); page ``i`` rotates its seed's paragraphs so no two pages are the same text.
Times are CPU seconds of this thread (``time.thread_time``) and wall seconds.

    .venv/bin/python bench/stages.py [--n 40] [--batch 8] [--page-kb 60] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.support: the fixture news site

# The fixture site is on loopback, which the fetcher's SSRF guard refuses by default.
os.environ.setdefault("NEWSWIRE_FETCH_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
os.environ.setdefault("NEWSWIRE_FETCH_HOST_RATE", "0")

from newswire_cleaner.clean import clean_article  # noqa: E402
from newswire_extractor.nlp import get_nlp  # noqa: E402
from newswire_extractor.service import extract_article, extract_articles  # noqa: E402
from newswire_fetcher.fetch import fetch_page, make_client  # noqa: E402
from newswire_shared.ids import article_id_for_url, new_trace_id  # noqa: E402
from newswire_shared.messages import (  # noqa: E402
    CleanArticle,
    ExtractedArticle,
    FetchRequest,
    RawArticle,
    utcnow,
)
from newswire_shared.settings import Settings  # noqa: E402
from newswire_sink.store import Store  # noqa: E402
from tests.support import newssite  # noqa: E402
from tests.support.newssite import NewsSite, SeedPage, seed_page  # noqa: E402

SEEDS = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
TITLES: dict[str, str] = json.loads(
    (ROOT / "tests" / "fixtures" / "seeds" / "golden" / "titles.json").read_text("utf-8")
)


# --- pages ------------------------------------------------------------------------------


def bench_pages(n: int, offset: int = 0) -> list[SeedPage]:
    """``n`` different pages: page i is seed ``i % 5`` with its paragraphs rotated by
    ``i // 5`` (so each text differs) under its own URL. ``offset`` gives fresh URLs."""
    pages = []
    for i in range(offset, offset + n):
        path = SEEDS[i % len(SEEDS)]
        page = seed_page(path, i, TITLES[path.name])
        shift = (i // len(SEEDS)) % max(len(page.body_lines), 1)
        lines = page.body_lines[shift:] + page.body_lines[:shift]
        pages.append(dataclasses.replace(page, slug=f"{page.slug}-{i}", body_lines=lines))
    return pages


# What a news page is made of, by bytes: on the 68 real pages of the dev set, 57 % is
# scripts, styles, inline SVG and comments (which the fetcher drops, trim.py) and 43 % the
# rest: text and the markup around it, much of it menus, link lists and ad slots.
MARKUP_SHARE = 0.43


def padded_render(page_kb: int) -> Callable[[SeedPage], str]:
    """``render`` padded to ``page_kb`` KB as real pages are: page chrome (a menu of
    links and ad slots) up to ``MARKUP_SHARE`` of it, inline scripts and styles for the
    rest."""
    original = newssite.render

    def render(page: SeedPage) -> str:
        html = original(page)
        size = page_kb * 1024
        html = html.replace("<main>", _chrome(int(size * MARKUP_SHARE) - len(html)) + "<main>")
        missing = size - len(html)
        if missing <= 0:
            return html
        rule = ".c{margin:0 auto;padding:4px 8px;font:14px/1.4 Georgia,serif;color:#222}\n"
        config = {
            "ads": [{"slot": f"slot-{i}", "sizes": [[300, 250], [728, 90]]} for i in range(8)]
        }
        script = "window.__CONFIG__=" + json.dumps(config) + ";\n"
        half = missing // 2
        style = rule * (half // len(rule) + 1)
        js = script * ((missing - half) // len(script) + 1)
        head = f"<style>{style[:half]}</style>"
        tail = f"<script>{js[: missing - half]}</script>"
        return html.replace("</head>", head + "</head>").replace("</body>", tail + "</body>")

    return render


def _chrome(size: int) -> str:
    """About ``size`` characters of a site's menus: link lists and empty ad slots."""
    items = []
    total = 0
    i = 0
    while total < size:
        section = ("world", "politics", "business", "tech", "sport", "culture")[i % 6]
        item = (
            f'<li class="menu-item menu-item--{section}"><a href="/{section}/topic-{i}" '
            f'data-track="nav-{i}">{section.title()} topic {i}</a></li>'
        )
        if i % 10 == 9:
            item += f'<div class="ad-slot" id="ad-{i}" data-sizes="300x250,728x90"></div>'
        items.append(item)
        total += len(item)
        i += 1
    return f'<nav class="mega-menu"><ul>{"".join(items)}</ul></nav>' if items else ""


@contextmanager
def serve_pages(pages: list[SeedPage], page_kb: int) -> Iterator[NewsSite]:
    """The fixture news site on 127.0.0.1, serving ``pages`` padded to ``page_kb``."""
    newssite.render = padded_render(page_kb)  # the handler looks render up per request
    with NewsSite(pages) as site:
        yield site


# --- the stage functions, as the services call them -------------------------------------


def request_for(url: str) -> FetchRequest:
    return FetchRequest(
        article_id=article_id_for_url(url), trace_id=new_trace_id(), url=url, canonical_url=url
    )


async def fetch_one(client: Any, request: FetchRequest, settings: Settings) -> RawArticle:
    page = await fetch_page(client, request.url, settings)
    return RawArticle(
        article_id=request.article_id, trace_id=request.trace_id, url=request.url,
        canonical_url=request.canonical_url, final_url=page.final_url,
        submitted_at=request.submitted_at, fetched_at=utcnow(), http_status=page.status,
        content_type=page.content_type, html=page.html,
    )  # fmt: skip


def fetch_all(urls: list[str], settings: Settings) -> list[RawArticle]:
    async def run() -> list[RawArticle]:
        async with make_client(settings) as client:
            return [await fetch_one(client, request_for(u), settings) for u in urls]

    return asyncio.run(run())


def extract_all(cleans: list[CleanArticle], settings: Settings) -> list[ExtractedArticle]:
    return [extract_article(c, settings.spacy_model, settings.max_text_chars) for c in cleans]


def extract_batched(
    cleans: list[CleanArticle], settings: Settings, batch: int
) -> list[ExtractedArticle]:
    out: list[ExtractedArticle] = []
    for start in range(0, len(cleans), batch):
        part = extract_articles(cleans[start : start + batch], settings.spacy_model,
                                settings.max_text_chars)  # fmt: skip
        for result in part:
            if isinstance(result, Exception):
                raise result
            out.append(result)
    return out


def open_store(database_url: str) -> Store:
    store = Store(database_url)
    store.migrate()
    return store


def clear_store(store: Store) -> None:
    """Empty the tables, so each timing stores fresh articles (a re-run on PostgreSQL)."""
    with store.engine.begin() as conn:
        for table in ("event_entities", "events", "quotes", "mentions", "entities", "articles"):
            conn.exec_driver_sql(f"DELETE FROM {table}")


def time_store(name: str, url: str, extracted: list[Any], batch: int) -> list[Timing]:
    """``Store.save`` one article at a time, then ``save_many`` in batches, into an
    emptied database; the warm-up save (connection, statement cache) is not counted."""
    store = open_store(url)
    try:
        clear_store(store)
        store.save(extracted[0])
        clear_store(store)
        n = len(extracted)
        one, _ = timed(f"store ({name})", n, lambda: [store.save(e) for e in extracted])
        clear_store(store)
        many, _ = timed(f"store ({name}, {batch})", n, lambda: [
            store.save_many(extracted[i : i + batch]) for i in range(0, n, batch)
        ])  # fmt: skip
        clear_store(store)
        return [one, many]
    finally:
        store.dispose()


def round_trip(messages: list[Any]) -> None:
    """What the broker path costs in JSON: encode on publish, validate on receipt."""
    for message in messages:
        type(message).model_validate_json(message.model_dump_json().encode())


def baseline(
    urls: list[str], settings: Settings, store: Store, keep: list[Any] | None = None
) -> dict[str, float]:
    """One process, one article at a time: fetch -> clean -> extract -> store.

    Returns CPU seconds of this thread per stage (``thread_time``: the fixture site's
    threads in this process are not counted) and the wall time of the whole run.
    ``keep`` receives every message the articles would put on the broker.
    """
    cpu = dict.fromkeys(("fetch", "clean", "extract", "store"), 0.0)

    async def run() -> None:
        async with make_client(settings) as client:
            for url in urls:
                t0 = time.thread_time()
                request = request_for(url)
                raw = await fetch_one(client, request, settings)
                t1 = time.thread_time()
                clean = clean_article(raw)
                t2 = time.thread_time()
                extracted = extract_article(clean, settings.spacy_model, settings.max_text_chars)
                t3 = time.thread_time()
                store.save(extracted)
                t4 = time.thread_time()
                if keep is not None:
                    keep.extend([request, raw, clean, extracted])
                for stage, took in zip(cpu, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                    cpu[stage] += took

    started = time.perf_counter()
    asyncio.run(run())
    return {**cpu, "wall": time.perf_counter() - started}


# --- timing -----------------------------------------------------------------------------


@dataclass
class Timing:
    stage: str
    n: int
    wall_s: float
    cpu_s: float

    def row(self) -> str:
        return (
            f"{self.stage:<20} {self.n:>5} {self.n / self.wall_s:>10.1f} "
            f"{1000 * self.wall_s / self.n:>10.2f} {1000 * self.cpu_s / self.n:>10.2f}"
        )


def timed(stage: str, n: int, fn: Callable[[], Any]) -> tuple[Timing, Any]:
    wall, cpu = time.perf_counter(), time.thread_time()
    result = fn()
    return Timing(stage, n, time.perf_counter() - wall, time.thread_time() - cpu), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="pages (default 40)")
    parser.add_argument("--batch", type=int, default=8, help="texts per nlp.pipe call")
    parser.add_argument("--page-kb", type=int, default=60, help="HTML size of each page")
    parser.add_argument(
        "--postgres-url",
        help="also time the sink on this PostgreSQL database (its newswire tables are "
        "created if missing and EMPTIED)",
    )
    args = parser.parse_args()

    settings = Settings()
    get_nlp(settings.spacy_model)  # loading the model is not a stage's cost
    pages = bench_pages(args.n)
    timings: list[Timing] = []
    with serve_pages(pages, args.page_kb) as site, tempfile.TemporaryDirectory() as tmp:
        urls = [site.url(p) for p in pages]
        fetch_all(urls[:1], settings)  # warm-up: connection pool, imports
        timing, raws = timed("fetch", len(urls), lambda: fetch_all(urls, settings))
        timings.append(timing)
        timing, cleans = timed("clean", len(raws), lambda: [clean_article(r) for r in raws])
        timings.append(timing)
        extract_all(cleans[:1], settings)  # warm-up
        timing, extracted = timed("extract (single)", len(cleans),
                                  lambda: extract_all(cleans, settings))  # fmt: skip
        timings.append(timing)
        timing, _ = timed(f"extract (batch {args.batch})", len(cleans),
                          lambda: extract_batched(cleans, settings, args.batch))  # fmt: skip
        timings.append(timing)
        databases = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        if args.postgres_url:
            databases.append(("postgres", args.postgres_url))
        for name, url in databases:
            timings.extend(time_store(name, url, extracted, args.batch))
        requests = [request_for(u) for u in urls]
        messages = [*requests, *raws, *cleans, *extracted]
        timing, _ = timed("json round trip", len(urls), lambda: round_trip(messages))
        timings.append(timing)

    html_kb = sum(len(r.html or "") for r in raws) / len(raws) / 1024
    text_kb = sum(len(c.text) for c in cleans) / len(cleans) / 1024
    groups = {"fetch": requests, "raw": raws, "clean": cleans, "extracted": extracted}
    sizes = {k: sum(len(m.model_dump_json()) for m in g) / len(g) / 1024 for k, g in groups.items()}
    print(f"{args.n} pages of {args.page_kb} KB: {html_kb:.1f} KB of HTML passed on by the fetcher "
          f"(trim.py), {text_kb:.1f} KB of clean text on average")  # fmt: skip
    print("message sizes (KB): " + ", ".join(f"{k} {v:.1f}" for k, v in sizes.items()))
    print(f"\n{'stage':<20} {'n':>5} {'articles/s':>10} {'ms/article':>10} {'cpu ms/art':>10}")
    for timing in timings:
        print(timing.row())
    # One article's path: fetch, clean, extract in batches, store one by one on SQLite,
    # and the JSON of its messages on the broker.
    path = {t.stage: 1000 * t.cpu_s / t.n for t in timings}
    parts = ["fetch", "clean", f"extract (batch {args.batch})", "store (sqlite)",
             "json round trip"]  # fmt: skip
    total = sum(path[p] for p in parts)
    others = total - path[parts[2]]
    print(f"\nCPU ms per article, sum of {', '.join(parts)}: {total:.2f}")
    print(f"  of which not the extractor: {others:.2f} ({100 * others / total:.1f}%)")


if __name__ == "__main__":
    main()
