"""Wires the cleaner's pure function into the pipeline: newswire.raw -> newswire.clean.

Pages are cleaned in small batches in a worker thread (``CleanerBatchSettings``), so the
entries of a batch are read together and commit together. After the pure cleaning step,
two look-ups need the shared history in Redis: lines that repeat across articles of the
same site (``repeats``), and earlier copies of the same story (``dedup``), which fill
``duplicate_of``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime, create_service_app
from newswire_shared.batching import MicroBatcher
from newswire_shared.logging import get_logger
from newswire_shared.messages import CleanArticle, RawArticle
from newswire_shared.worker import StageSpec

from .clean import PARAGRAPH_SEP, clean_with_fingerprint
from .dedup import DedupIndex, Fingerprint, fingerprint, simhash_hex
from .repeats import SiteLines, drop_repeated, edge_lines, site_of

log = get_logger()


class CleanerBatchSettings(BaseSettings):
    """How the cleaner batches: ``NEWSWIRE_CLEANER_BATCH_SIZE`` / ``_BATCH_WAIT_MS``."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSWIRE_CLEANER_", env_file=".env", extra="ignore"
    )

    # Entries in flight per process, and pages per hand-off to the worker thread. Pages
    # take ~10 ms each, so a batch stays short; its entries are read in one call and
    # their commits share one round trip to Redis (commits.py).
    batch_size: int = Field(default=4, ge=1)
    # How long the first entry of a batch waits for company when the stream is quiet.
    batch_wait_ms: float = Field(default=2.0, ge=0)


Clean = Callable[[RawArticle], Awaitable[tuple[CleanArticle, Fingerprint]]]


def clean_pages(raws: list[RawArticle]) -> list[tuple[CleanArticle, Fingerprint] | Exception]:
    """``clean_with_fingerprint`` for each page, in order; each gets its own error."""
    results: list[tuple[CleanArticle, Fingerprint] | Exception] = []
    for raw in raws:
        try:
            results.append(clean_with_fingerprint(raw))
        except Exception as exc:  # e.g. PermanentError (empty article): that page only
            results.append(exc)
    return results


async def clean_in_thread(raw: RawArticle) -> tuple[CleanArticle, Fingerprint]:
    # trafilatura is CPU-bound: keep the event loop free for health checks and acks.
    return await asyncio.to_thread(clean_with_fingerprint, raw)


def make_process(
    index: DedupIndex, site_lines: SiteLines, clean: Clean = clean_in_thread
) -> Callable[[RawArticle], Awaitable[CleanArticle]]:
    async def process(raw: RawArticle) -> CleanArticle:
        article, fp = await clean(raw)
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
    batching = CleanerBatchSettings()
    batcher: MicroBatcher[RawArticle, tuple[CleanArticle, Fingerprint]] = MicroBatcher(
        clean_pages, batching.batch_size, batching.batch_wait_ms / 1000
    )
    runtime.add_stage(
        StageSpec(
            service="cleaner",
            input_stream=streams.RAW,
            input_model=RawArticle,
            output_stream=streams.CLEAN,
            done_stage="cleaned",
            process=make_process(
                DedupIndex(runtime.redis), SiteLines(runtime.redis), clean=batcher.submit
            ),
            concurrency=batching.batch_size,
        )
    )
    return create_service_app(runtime, title="newswire cleaner")
