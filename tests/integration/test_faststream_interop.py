"""FastStream apps and newswire share streams: each reads what the other writes.

A real FastStream ``RedisBroker`` publishes to a newswire stream that the stage runner
consumes, and a real FastStream subscriber reads what the runner wrote, against a real
redis-server. This is how an analyst's FastStream app taps newswire.
"""

from __future__ import annotations

import asyncio
from typing import Any

from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisStreamMessage
from redis.asyncio import Redis

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime
from newswire_shared.messages import DeadLetter, FetchRequest, RawArticle
from newswire_shared.settings import Settings
from newswire_shared.worker import StageSpec

URL = "http://example.org/1"


def _runtime(redis_url: str) -> ServiceRuntime:
    settings = Settings(redis_url=redis_url, consumer_name="interop-1", poll_interval_ms=50)
    runtime = ServiceRuntime("fetcher", settings)
    runtime.add_stage(
        StageSpec(
            service="fetcher",
            input_stream=streams.FETCH,
            input_model=FetchRequest,
            output_stream=streams.RAW,
            done_stage="fetched",
            process=_fetch,
        )
    )
    return runtime


async def _fetch(req: FetchRequest) -> RawArticle:
    return RawArticle(
        article_id=req.article_id, trace_id=req.trace_id, url=req.url,
        canonical_url=req.canonical_url, html="<p>hi</p>",
    )  # fmt: skip


async def _wait_for(predicate: Any, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def test_runner_reads_what_a_faststream_broker_publishes(redis_url: str) -> None:
    request = FetchRequest(article_id="a1", trace_id="t1", url=URL, canonical_url=URL)
    async with RedisBroker(redis_url) as broker:
        await broker.publish(
            request, stream=streams.FETCH, headers=streams.trace_headers("a1", "t1")
        )
        # Bad bytes with trace headers: the dead letter must name the article.
        await broker.publish(
            b"{not json", stream=streams.FETCH, headers=streams.trace_headers("a2", "t2")
        )
    redis = Redis.from_url(redis_url)
    ((_, fields), _) = await redis.xrange(streams.FETCH)
    body, headers = streams.decode_entry(fields)
    assert FetchRequest.model_validate_json(body) == request
    assert headers["article_id"] == "a1" and headers["trace_id"] == "t1"
    assert headers["content-type"] == "application/json"

    runtime = _runtime(redis_url)
    await runtime.start()
    try:

        async def both_handled() -> bool:
            done = await redis.xlen(streams.RAW), await redis.xlen(streams.DLQ)
            return done == (1, 1)

        await _wait_for(both_handled)
    finally:
        await runtime.stop()
    ((_, raw_fields),) = await redis.xrange(streams.RAW)
    assert RawArticle.model_validate_json(streams.decode_entry(raw_fields)[0]).url == URL
    ((_, dlq_fields),) = await redis.xrange(streams.DLQ)
    letter = DeadLetter.model_validate_json(streams.decode_entry(dlq_fields)[0])
    assert (letter.article_id, letter.trace_id) == ("a2", "t2")
    assert letter.payload == "{not json" and "invalid FetchRequest" in letter.error
    await redis.aclose()


async def test_a_faststream_subscriber_reads_what_the_runner_writes(redis_url: str) -> None:
    received: asyncio.Queue[tuple[RawArticle, dict[str, Any]]] = asyncio.Queue()
    broker = RedisBroker(redis_url)

    @broker.subscriber(stream=StreamSub(streams.RAW, group="analyst", consumer="an-1"))
    async def tap(article: RawArticle, message: RedisStreamMessage) -> None:
        await received.put((article, dict(message.headers)))

    await broker.start()
    redis = Redis.from_url(redis_url)
    runtime = _runtime(redis_url)
    await runtime.start()
    try:
        request = FetchRequest(article_id="a1", trace_id="t1", url=URL, canonical_url=URL)
        await streams.publish(
            redis, streams.FETCH, request.model_dump_json().encode(),
            streams.trace_headers("a1", "t1"),
        )  # fmt: skip
        article, headers = await asyncio.wait_for(received.get(), timeout=15)
    finally:
        await runtime.stop()
        await broker.stop()
        await redis.aclose()
    assert article.article_id == "a1" and article.html == "<p>hi</p>"
    assert headers["article_id"] == "a1" and headers["trace_id"] == "t1"
    assert headers["correlation_id"] == "t1"
