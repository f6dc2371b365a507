"""Wires the sink into the pipeline: newswire.extracted -> the database, plus the read API."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from sqlalchemy.exc import DataError, OperationalError

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime, create_service_app
from newswire_shared.logging import get_logger
from newswire_shared.messages import ExtractedArticle
from newswire_shared.worker import PermanentError, StageSpec, TransientError

from .api import router
from .store import Store

log = get_logger()


def make_stage(store: Store) -> StageSpec[ExtractedArticle, ExtractedArticle]:
    async def process(item: ExtractedArticle) -> None:
        try:
            # The database driver blocks: keep the event loop free for reads and acks.
            changed = await asyncio.to_thread(store.save, item)
        except DataError as exc:
            # The database rejects the values themselves (e.g. a NUL byte on PostgreSQL):
            # no retry can help, so dead-letter it at once with the reason.
            raise PermanentError(f"database rejected the article: {exc.orig}") from exc
        except OperationalError as exc:
            # Database down or unreachable: retried in place, the entry stays ours.
            raise TransientError(f"database unavailable: {exc.orig}") from exc
        if not changed:
            log.info("already stored, unchanged")

    return StageSpec(
        service="sink",
        input_stream=streams.EXTRACTED,
        input_model=ExtractedArticle,
        output_stream=None,
        done_stage="stored",
        process=process,
    )


def build_app(runtime: ServiceRuntime | None = None, store: Store | None = None) -> FastAPI:
    runtime = runtime or ServiceRuntime("sink")
    store = store or Store(runtime.settings.database_url)
    runtime.add_stage(make_stage(store))

    async def migrate() -> None:
        # Before the broker starts: no message is saved into a schema that is not there.
        await asyncio.to_thread(store.migrate)

    async def dispose() -> None:
        store.dispose()

    async def database_ready() -> None:
        await asyncio.to_thread(store.ping)

    runtime.readiness_checks.append(("database", database_ready))
    app = create_service_app(
        runtime,
        title="newswire sink",
        description="Stores extracted articles and answers queries over articles, "
        "events and entities.",
        routers=[router],
        on_startup=[migrate],
        on_shutdown=[dispose],
    )
    app.state.store = store
    return app
