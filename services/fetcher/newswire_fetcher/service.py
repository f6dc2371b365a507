"""Wires the fetcher: the submission API, and the worker newswire.fetch -> newswire.raw."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime, create_service_app
from newswire_shared.logging import get_logger
from newswire_shared.maintenance import Backlog
from newswire_shared.messages import FetchRequest, RawArticle, utcnow
from newswire_shared.settings import Settings
from newswire_shared.worker import StageSpec

from .access import BodyLimit
from .api import router
from .fetch import fetch_page, make_client
from .guard import parse_networks, parse_overrides
from .politeness import HostLimiter, HostRate, Politeness
from .robots import RobotsCache

log = get_logger()

DESCRIPTION = (
    "Submit news pages (one URL, a batch, or pre-fetched HTML or text) and follow each "
    "article through the pipeline: queued -> fetched -> cleaned -> extracted -> stored."
)


class Fetcher:
    """The worker's state: one HTTP client (opened with the app) and the politeness limits."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = HostLimiter(
            per_host=settings.fetch_host_concurrency, total=settings.fetch_concurrency
        )
        self.rate = HostRate(settings.fetch_host_rate)
        self.client: httpx.AsyncClient | None = None
        self.gate: Politeness | None = None

    async def open(self) -> None:
        self.client = make_client(self.settings)
        robots = RobotsCache(self.client, self.settings.robots_cache_ttl_s)
        self.gate = Politeness(robots, self.rate)

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    async def process(self, request: FetchRequest) -> RawArticle:
        if self.client is None or self.gate is None:  # before startup finished: retry later
            raise RuntimeError("fetcher HTTP client is not open")
        async with self.limiter.slot(request.url):
            page = await fetch_page(self.client, request.url, self.settings, self.gate)
        log.info("fetched", final_url=page.final_url, http_status=page.status,
                 chars=len(page.html), page_chars=page.page_chars,
                 charset=page.charset)  # fmt: skip
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


def fetch_slots(settings: Settings) -> int:
    """Fetch jobs held at once: every request slot, and room to wait for busy hosts."""
    return max(settings.fetch_concurrency, settings.fetch_max_pending)


def check_settings(settings: Settings) -> None:
    """Refuse to start on an allow-list or override entry that does not parse."""
    for name, parse in (
        ("fetch_allowed_networks", parse_networks),
        ("fetch_resolve_overrides", parse_overrides),
    ):
        try:
            parse(getattr(settings, name))
        except ValueError as exc:
            raise ValueError(f"NEWSWIRE_{name.upper()}: {exc}") from None


def build_app(runtime: ServiceRuntime | None = None, *, worker: bool = True) -> FastAPI:
    """The fetcher app; ``worker=False`` serves only the API (no fetching in this process)."""
    runtime = runtime or ServiceRuntime("fetcher")
    check_settings(runtime.settings)
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
                # More jobs are taken than fetched at once: a job waiting for a busy (slow,
                # silent) host must not hold one of the slots the other hosts' jobs need,
                # so HostLimiter, not the runner, bounds the requests in flight.
                concurrency=fetch_slots(runtime.settings),
            )
        )
    app = create_service_app(
        runtime,
        title="newswire fetcher",
        description=DESCRIPTION,
        routers=[router],
        on_startup=[fetcher.open],
        on_shutdown=[fetcher.close],
    )
    app.add_middleware(BodyLimit, limit=runtime.settings.api_max_body_bytes)
    app.state.backlog = Backlog(runtime.redis, streams.BACKLOG_STREAMS)
    return app
