"""Replicas share a backlog: a stage that takes ``concurrency`` entries at once (the
extractor takes a batch) must read no more than that, or the first replica to read takes
the whole backlog and its siblings idle while it works through it."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime
from newswire_shared.messages import FetchRequest, RawArticle
from newswire_shared.settings import Settings
from newswire_shared.worker import StageSpec

IN, OUT = "test.backlog.in", "test.backlog.out"
BACKLOG = 10


def _replica(redis_url: str, name: str, seen: list[str], gate: asyncio.Event) -> ServiceRuntime:
    async def process(req: FetchRequest) -> RawArticle:
        seen.append(req.article_id)
        await gate.wait()  # hold the entries this replica took
        return RawArticle(
            article_id=req.article_id, trace_id=req.trace_id, url=req.url,
            canonical_url=req.canonical_url, text="body",
        )  # fmt: skip

    settings = Settings(redis_url=redis_url, consumer_name=name, poll_interval_ms=50)
    runtime = ServiceRuntime("backlog", settings)
    runtime.add_stage(
        StageSpec(
            service="backlog",
            input_stream=IN,
            input_model=FetchRequest,
            output_stream=OUT,
            done_stage="fetched",
            process=process,
            concurrency=2,
        )
    )
    return runtime


async def test_a_second_replica_gets_part_of_a_backlog_the_first_is_busy_with(
    redis_url: str,
) -> None:
    redis = Redis.from_url(redis_url)
    for n in range(BACKLOG):
        url = f"http://example.org/{n}"
        body = FetchRequest(article_id=f"a{n}", trace_id=f"t{n}", url=url, canonical_url=url)
        fields = await streams.encode_entry(
            body.model_dump_json().encode(), streams.trace_headers(f"a{n}", f"t{n}")
        )
        await redis.xadd(IN, fields)  # type: ignore[arg-type]
    gate = asyncio.Event()
    first_seen: list[str] = []
    second_seen: list[str] = []
    first = _replica(redis_url, "first", first_seen, gate)
    second = _replica(redis_url, "second", second_seen, gate)
    await first.start()
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while len(first_seen) < 2:
            assert loop.time() < deadline, "the first replica took nothing"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # time to read more than it can run, if it were to
        pending = await redis.xpending_range(IN, "backlog", "-", "+", BACKLOG, "first")
        # Two running and, at most, one more read of two waiting for a free slot.
        assert len(pending) <= 2 * 2, f"one replica holds {len(pending)} of {BACKLOG} entries"

        await second.start()
        deadline = loop.time() + 10
        while not second_seen:
            assert loop.time() < deadline, "the second replica got none of the backlog"
            await asyncio.sleep(0.05)
        gate.set()
        deadline = loop.time() + 20
        while int(await redis.xlen(OUT)) < BACKLOG:
            assert loop.time() < deadline, "the backlog was not finished"
            await asyncio.sleep(0.05)
        assert sorted(first_seen + second_seen) == sorted(f"a{n}" for n in range(BACKLOG))
    finally:
        gate.set()
        await second.stop()
        await first.stop()
        await redis.aclose()
