"""Wires the fetcher: the submission API, and the worker newswire.fetch -> newswire.raw."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime, create_service_app
from newswire_shared.logging import get_logger
from newswire_shared.messages import FetchRequest, RawArticle, utcnow
from newswire_shared.settings import Settings
from newswire_shared.worker import StageSpec

from .api import router
from .fetch import fetch_page, make_client
from .politeness import HostLimiter

log = get_logger()

DESCRIPTION = (
    "Submit news pages (one URL, a batch, or pre-fetched HTML or text) and follow each "
    "article through the pipeline: queued -> fetched -> cleaned -> extracted -> stored."
)


class Fetcher:
    """The worker's state: one HTTP client (opened with the app) and the host limiter."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = HostLimiter(total=settings.fetch_concurrency)
        self.client: httpx.AsyncClient | None = None

    async def open(self) -> None:
        self.client = make_client(self.settings)

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    async def process(self, request: FetchRequest) -> RawArticle:
        if self.client is None:  # a message before startup finished: retry later
            raise RuntimeError("fetcher HTTP client is not open")
        async with self.limiter.slot(request.url):
            page = await fetch_page(self.client, request.url, self.settings)
        log.info("fetched", final_url=page.final_url, http_status=page.status,
                 chars=len(page.html), charset=page.charset)  # fmt: skip
        return RawArticle(
            article_id=request.article_id,
            trace_id=request.trace_id,
            url=request.url,
            canonical_url=request.canonical_url,
            final_url=page.final_url,
            submitted_at=request.submitted_at,
            fetched_at=utcnow(),
            http_status=page.status,
            content_type=page.content_type,
            html=page.html,
        )


def build_app(runtime: ServiceRuntime | None = None, *, worker: bool = True) -> FastAPI:
    """The fetcher app; ``worker=False`` serves only the API (no fetching in this process)."""
    runtime = runtime or ServiceRuntime("fetcher")
    fetcher = Fetcher(runtime.settings)
    if worker:
        runtime.add_stage(
            StageSpec(
                service="fetcher",
                input_stream=streams.FETCH,
                input_model=FetchRequest,
                output_stream=streams.RAW,
                done_stage="fetched",
                process=fetcher.process,
                # Fetching is I/O-bound: several at once, bounded per host by HostLimiter.
                concurrency=runtime.settings.fetch_concurrency,
            )
        )
    return create_service_app(
        runtime,
        title="newswire fetcher",
        description=DESCRIPTION,
        routers=[router],
        on_startup=[fetcher.open],
        on_shutdown=[fetcher.close],
    )
