"""Wires the cleaner's pure function into the pipeline: newswire.raw -> newswire.clean."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime, create_service_app
from newswire_shared.messages import CleanArticle, RawArticle
from newswire_shared.worker import StageSpec

from .clean import clean_article


async def _process(raw: RawArticle) -> CleanArticle:
    # trafilatura is CPU-bound: keep the event loop free for health checks and acks.
    return await asyncio.to_thread(clean_article, raw)


def build_app(runtime: ServiceRuntime | None = None) -> FastAPI:
    runtime = runtime or ServiceRuntime("cleaner")
    runtime.add_stage(
        StageSpec(
            service="cleaner",
            input_stream=streams.RAW,
            input_model=RawArticle,
            output_stream=streams.CLEAN,
            done_stage="cleaned",
            process=_process,
        )
    )
    return create_service_app(runtime, title="newswire cleaner")
