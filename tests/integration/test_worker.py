"""The stage runner against a real redis-server: ack after output, dead letters, retries."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.asyncio import Redis

from newswire_shared import status, streams
from newswire_shared.app import ServiceRuntime
from newswire_shared.messages import DeadLetter, FetchRequest, RawArticle
from newswire_shared.settings import Settings
from newswire_shared.worker import PermanentError, StageSpec

IN, OUT = "test.in", "test.out"


def _request(n: int) -> FetchRequest:
    url = f"http://example.org/{n}"
    return FetchRequest(article_id=f"a{n}", trace_id=f"t{n}", url=url, canonical_url=url)


async def _publish(redis: Redis, body: bytes, article_id: str = "a1") -> None:
    fields = await streams.encode_entry(body, streams.trace_headers(article_id, "t1"))
    await redis.xadd(IN, fields)  # type: ignore[arg-type]


async def _entries(redis: Redis, stream: str) -> list[tuple[bytes, dict[str, Any]]]:
    return [streams.decode_entry(f) for _, f in await redis.xrange(stream)]


async def _wait_for(predicate: Any, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


def _runtime(redis_url: str, process: Any, **overrides: Any) -> ServiceRuntime:
    settings = Settings(
        redis_url=redis_url,
        consumer_name="test-1",
        poll_interval_ms=50,
        claim_idle_ms=300,
        max_deliveries=3,
        **overrides,
    )
    runtime = ServiceRuntime("tester", settings)
    runtime.add_stage(
        StageSpec(
            service="tester",
            input_stream=IN,
            input_model=FetchRequest,
            output_stream=OUT,
            done_stage="fetched",
            process=process,
        )
    )
    return runtime


async def _to_raw(req: FetchRequest) -> RawArticle:
    return RawArticle(
        article_id=req.article_id,
        trace_id=req.trace_id,
        url=req.url,
        canonical_url=req.canonical_url,
        html="<p>hi</p>",
    )


async def test_entries_published_before_start_are_processed_then_acked(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    for n in range(3):  # before any consumer group exists: the group must start at id 0
        await _publish(redis, _request(n).model_dump_json().encode(), article_id=f"a{n}")
    runtime = _runtime(redis_url, _to_raw)
    await runtime.start()
    try:

        async def three_out() -> bool:
            return int(await redis.xlen(OUT)) == 3

        await _wait_for(three_out)
        out = await _entries(redis, OUT)
        assert {h["article_id"] for _, h in out} == {"a0", "a1", "a2"}
        assert all(h["trace_id"].startswith("t") for _, h in out)
        assert RawArticle.model_validate_json(out[0][0]).html == "<p>hi</p>"

        async def nothing_pending() -> bool:
            info = await redis.xpending(IN, "tester")
            return int(info["pending"]) == 0

        await _wait_for(nothing_pending)
    finally:
        await runtime.stop()
        await redis.aclose()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "invalid FetchRequest"),
        (
            b'{"schema_version": 9, "article_id": "a1", "trace_id": "t", "url": "u",'
            b' "canonical_url": "u"}',
            "schema_version",
        ),
    ],
)
async def test_bad_input_goes_to_dead_letter_and_the_rest_flows(
    redis_url: str, body: bytes, reason: str
) -> None:
    redis = Redis.from_url(redis_url)
    await status.create(redis, "a1", url="u")
    await _publish(redis, body, article_id="a1")
    await _publish(redis, _request(2).model_dump_json().encode(), article_id="a2")
    runtime = _runtime(redis_url, _to_raw)
    await runtime.start()
    try:

        async def done() -> bool:
            return int(await redis.xlen(streams.DLQ)) == 1 and int(await redis.xlen(OUT)) == 1

        await _wait_for(done)
        ((letter_body, _),) = await _entries(redis, streams.DLQ)
        letter = DeadLetter.model_validate_json(letter_body)
        assert letter.error_kind == "permanent"
        assert reason in letter.error
        assert letter.origin_stream == IN and letter.payload == body.decode()
        record = await status.get(redis, "a1")
        assert record is not None and record["stage"] == "failed"
        assert reason in record["error"]
    finally:
        await runtime.stop()
        await redis.aclose()


async def test_permanent_error_fails_at_once_without_retry(redis_url: str) -> None:
    calls = 0

    async def not_html(req: FetchRequest) -> RawArticle:
        nonlocal calls
        calls += 1
        raise PermanentError("not HTML: application/pdf")

    redis = Redis.from_url(redis_url)
    await _publish(redis, _request(1).model_dump_json().encode())
    runtime = _runtime(redis_url, not_html)
    await runtime.start()
    try:

        async def dead() -> bool:
            return int(await redis.xlen(streams.DLQ)) == 1

        await _wait_for(dead)
        await asyncio.sleep(1.0)  # past claim_idle_ms: a retry would have happened by now
        assert calls == 1
        ((letter_body, _),) = await _entries(redis, streams.DLQ)
        assert DeadLetter.model_validate_json(letter_body).error == "not HTML: application/pdf"
    finally:
        await runtime.stop()
        await redis.aclose()


async def test_transient_failure_is_reclaimed_and_retried(redis_url: str) -> None:
    attempts = 0

    async def flaky(req: FetchRequest) -> RawArticle:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise ConnectionError("database down")
        return await _to_raw(req)

    redis = Redis.from_url(redis_url)
    await _publish(redis, _request(1).model_dump_json().encode())
    runtime = _runtime(redis_url, flaky)
    await runtime.start()
    try:

        async def out() -> bool:
            return int(await redis.xlen(OUT)) == 1

        await _wait_for(out)
        assert attempts == 3
        assert int(await redis.xlen(streams.DLQ)) == 0
    finally:
        await runtime.stop()
        await redis.aclose()


async def test_entry_failing_every_time_is_dead_lettered_with_its_last_error(
    redis_url: str,
) -> None:
    async def broken(req: FetchRequest) -> RawArticle:
        raise RuntimeError("boom")

    redis = Redis.from_url(redis_url)
    await _publish(redis, _request(1).model_dump_json().encode())
    runtime = _runtime(redis_url, broken)
    await runtime.start()
    try:

        async def dead() -> bool:
            return int(await redis.xlen(streams.DLQ)) == 1

        await _wait_for(dead, timeout=20)
        ((letter_body, _),) = await _entries(redis, streams.DLQ)
        letter = DeadLetter.model_validate_json(letter_body)
        assert letter.error_kind == "exhausted"
        assert "RuntimeError: boom" in letter.error
        assert letter.delivery_count == 4  # max_deliveries=3 attempts, then given up
        info = await redis.xpending(IN, "tester")
        assert int(info["pending"]) == 0
    finally:
        await runtime.stop()
        await redis.aclose()
