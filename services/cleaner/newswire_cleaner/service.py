"""Wires the cleaner's pure function into the pipeline: newswire.raw -> newswire.clean.

After the pure cleaning step, two look-ups need the shared history in Redis: lines that
repeat across articles of the same site (``repeats``), and earlier copies of the same
story (``dedup``), which fill ``duplicate_of``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime, create_service_app
from newswire_shared.logging import get_logger
from newswire_shared.messages import CleanArticle, RawArticle
from newswire_shared.worker import StageSpec

from .clean import PARAGRAPH_SEP, clean_with_fingerprint
from .dedup import DedupIndex, fingerprint, simhash_hex
from .repeats import SiteLines, drop_repeated, edge_lines, site_of

log = get_logger()


def make_process(
    index: DedupIndex, site_lines: SiteLines
) -> Callable[[RawArticle], Awaitable[CleanArticle]]:
    async def process(raw: RawArticle) -> CleanArticle:
        # trafilatura is CPU-bound: keep the event loop free for health checks and acks.
        article, fp = await asyncio.to_thread(clean_with_fingerprint, raw)
        site = site_of(raw.canonical_url or raw.url)
        if site:
            paragraphs = article.text.split(PARAGRAPH_SEP)
            lines = edge_lines(paragraphs)
            repeated = await site_lines.repeated(site, article.article_id, lines)
            kept, removed = drop_repeated(paragraphs, repeated)
            if removed:
                article.text = PARAGRAPH_SEP.join(kept)
                article.removed += removed
                fp = await asyncio.to_thread(fingerprint, article.article_id, article.text)
                article.content_hash, article.simhash = fp.content_hash, simhash_hex(fp.simhash)
                log.info("site furniture removed", lines=len(removed), site=site)
        article.duplicate_of = await index.first_copy(fp)
        if article.duplicate_of:
            log.info("duplicate article", duplicate_of=article.duplicate_of)
        return article

    return process


def build_app(runtime: ServiceRuntime | None = None) -> FastAPI:
    runtime = runtime or ServiceRuntime("cleaner")
    runtime.add_stage(
        StageSpec(
            service="cleaner",
            input_stream=streams.RAW,
            input_model=RawArticle,
            output_stream=streams.CLEAN,
            done_stage="cleaned",
            process=make_process(DedupIndex(runtime.redis), SiteLines(runtime.redis)),
        )
    )
    return create_service_app(runtime, title="newswire cleaner")
