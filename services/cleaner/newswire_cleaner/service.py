"""Wires the cleaner's pure function into the pipeline: newswire.raw -> newswire.clean."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime, create_service_app
from newswire_shared.logging import get_logger
from newswire_shared.messages import CleanArticle, RawArticle
from newswire_shared.worker import StageSpec

from .clean import clean_with_fingerprint
from .dedup import DedupIndex

log = get_logger()


def make_process(index: DedupIndex) -> Callable[[RawArticle], Awaitable[CleanArticle]]:
    async def process(raw: RawArticle) -> CleanArticle:
        # trafilatura is CPU-bound: keep the event loop free for health checks and acks.
        article, fp = await asyncio.to_thread(clean_with_fingerprint, raw)
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
            process=make_process(DedupIndex(runtime.redis)),
        )
    )
    return create_service_app(runtime, title="newswire cleaner")
