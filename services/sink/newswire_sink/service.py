"""Wires the sink into the pipeline: newswire.extracted -> the database, plus the read API.

The sink takes several entries at once and a ``MicroBatcher`` stores the articles in
flight with one ``Store.save_many`` transaction (``save_batch``); each entry still gets
its own outcome, so acknowledgement and dead-lettering stay per message.
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.exc import DataError, OperationalError

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime, create_service_app
from newswire_shared.batching import MicroBatcher
from newswire_shared.logging import get_logger
from newswire_shared.messages import ExtractedArticle
from newswire_shared.worker import PermanentError, StageSpec, TransientError

from .api import router
from .store import Store

log = get_logger()


class SinkBatchSettings(BaseSettings):
    """How the sink batches: ``NEWSWIRE_SINK_BATCH_SIZE`` / ``NEWSWIRE_SINK_BATCH_WAIT_MS``."""

    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_SINK_", env_file=".env", extra="ignore")

    # Entries in flight per process, and articles per transaction.
    batch_size: int = Field(default=16, ge=1)
    # How long the first entry of a batch waits for company when the stream is quiet.
    batch_wait_ms: float = Field(default=5.0, ge=0)


def save_batch(store: Store, batch: list[ExtractedArticle]) -> list[bool | Exception]:
    """Per article, whether storing it changed anything, or its own error.

    One transaction for the whole batch; when it fails, each article is stored alone so
    that a bad one (a value the database rejects) fails only itself. A database that is
    down fails them all at once: retrying each alone would only wait on it N times.
    """
    # Rows locked in one order by every replica: two batches cannot deadlock. The sort
    # is stable, so an article twice in a batch is still saved in arrival order.
    order = sorted(range(len(batch)), key=lambda n: batch[n].article_id)
    results: list[bool | Exception] = [False] * len(batch)
    try:
        changed = store.save_many([batch[n] for n in order])
    except OperationalError as exc:
        return [exc] * len(batch)
    except Exception:
        for n in order:
            try:
                results[n] = store.save(batch[n])
            except Exception as exc:
                results[n] = exc
        return results
    for n, outcome in zip(order, changed, strict=True):
        results[n] = outcome
    return results


def make_stage(
    store: Store, batching: SinkBatchSettings | None = None
) -> StageSpec[ExtractedArticle, ExtractedArticle]:
    batching = batching or SinkBatchSettings()

    def run(batch: list[ExtractedArticle]) -> list[bool | Exception]:
        return save_batch(store, batch)

    # The database driver blocks: the batcher runs it in a worker thread.
    batcher: MicroBatcher[ExtractedArticle, bool] = MicroBatcher(
        run, batching.batch_size, batching.batch_wait_ms / 1000
    )

    async def process(item: ExtractedArticle) -> None:
        try:
            changed = await batcher.submit(item)
        except DataError as exc:
            # The database rejects the values themselves (e.g. a NUL byte on PostgreSQL):
            # no retry can help, so dead-letter it at once with the reason.
            raise PermanentError(f"database rejected the article: {exc.orig}") from exc
        except OverflowError as exc:
            # SQLite's driver refuses an integer past 64 bits before the database sees
            # it (PostgreSQL answers DataError): as permanent as any rejected value.
            raise PermanentError(f"database rejected the article: {exc}") from exc
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
        concurrency=batching.batch_size,
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
