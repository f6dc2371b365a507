"""The intake creates an article's record and queues its job in one atomic step, so a
202 always means the job is in the stream."""

from __future__ import annotations

import redis.asyncio as aioredis

from newswire_shared import status, streams


async def test_the_record_and_its_job_appear_together_and_once(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    try:
        first = await status.create_and_queue(
            client, "a1", streams.FETCH, b"job", url="https://example.com/a"
        )
        again = await status.create_and_queue(
            client, "a1", streams.FETCH, b"job", url="https://example.com/a"
        )
        assert (first, again) == (True, False)
        entries = await client.xrange(streams.FETCH)
        assert [fields for _, fields in entries] == [{b"__data__": b"job"}]
        record = await status.get(client, "a1")
        assert record is not None and record["stage"] == "queued"
        assert record["url"] == "https://example.com/a"

        await status.fail(client, "a1", "404")
        assert await status.create_and_queue(client, "a1", streams.FETCH, b"retry")
        assert await client.xlen(streams.FETCH) == 2  # a failed article may be resubmitted
    finally:
        await client.aclose()


async def test_pushed_content_starts_at_fetched(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    try:
        assert await status.create_and_queue(client, "t1", streams.RAW, b"raw", stage="fetched")
        record = await status.get(client, "t1")
        assert record is not None
        assert record["stage"] == "fetched" and record["fetched_at"] == record["queued_at"]
    finally:
        await client.aclose()
