"""Delivery guarantees of the StageRunner against a real redis-server.

Every test drives a real runner (or a real service process) over real streams: entries
published before the group existed, NOGROUP and Redis restarts, transient retries that
keep ownership, reclaiming a dead consumer's entries, dead letters, trimming that keeps
pending entries, dead-consumer cleanup, SIGTERM, the concurrency bound, and the API's
backpressure.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from newswire_shared import maintenance, status, streams
from newswire_shared.app import ServiceRuntime
from newswire_shared.devredis import RedisServer, free_port
from newswire_shared.messages import DeadLetter, FetchRequest, RawArticle
from newswire_shared.settings import Settings
from newswire_shared.worker import PermanentError, StageRunner, StageSpec, TransientError

IN, OUT, GROUP = "test.in", "test.out", "tester"
ROOT = Path(__file__).resolve().parents[2]

Process = Callable[[FetchRequest], Awaitable[RawArticle | None]]


def _request(n: int, path: str | None = None) -> FetchRequest:
    url = f"http://example.org/{path if path is not None else n}"
    return FetchRequest(article_id=f"a{n}", trace_id=f"t{n}", url=url, canonical_url=url)


async def _publish(redis: Redis, req: FetchRequest | bytes, article_id: str = "a1") -> str:
    if isinstance(req, FetchRequest):
        body, article_id = req.model_dump_json().encode(), req.article_id
    else:
        body = req
    return await streams.publish(redis, IN, body, streams.trace_headers(article_id, "t"))


async def _to_raw(req: FetchRequest) -> RawArticle:
    return RawArticle(article_id=req.article_id, trace_id=req.trace_id, url=req.url,
                      canonical_url=req.canonical_url, html="<p>hi</p>")  # fmt: skip


async def _wait_for(predicate: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def _out_ids(redis: Redis) -> list[str]:
    return [streams.decode_entry(f)[1]["article_id"] for _, f in await redis.xrange(OUT)]


async def _pending(redis: Redis) -> int:
    try:
        return int((await redis.xpending(IN, GROUP))["pending"])
    except ResponseError:  # the runner has not created its group yet
        return -1


async def _letters(redis: Redis) -> list[DeadLetter]:
    return [
        DeadLetter.model_validate_json(streams.decode_entry(f)[0])
        for _, f in await redis.xrange(streams.DLQ)
    ]


def _settings(redis_url: str, consumer: str = "test-1", **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        redis_url=redis_url, consumer_name=consumer, poll_interval_ms=50, claim_idle_ms=300,
        max_deliveries=3, retry_backoff_max_s=0.2, transient_retry_s=5,
        maintenance_interval_s=60, shutdown_grace_s=2,
    )  # fmt: skip
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def running(
    redis_url: str, process: Process, concurrency: int = 1, consumer: str = "test-1",
    **overrides: Any,
) -> AsyncIterator[StageRunner]:  # fmt: skip
    client = Redis.from_url(redis_url)
    spec = StageSpec(service=GROUP, input_stream=IN, input_model=FetchRequest, output_stream=OUT,
                     done_stage="fetched", process=process, concurrency=concurrency)  # fmt: skip
    runner = StageRunner(spec, _settings(redis_url, consumer, **overrides), client)
    task = asyncio.create_task(runner.run())
    try:
        yield runner
    finally:
        runner.stop()
        await asyncio.wait_for(task, timeout=30)
        await client.aclose()


@pytest.fixture
def own_redis(tmp_path: Path) -> Any:
    """A redis-server of this test alone, free to be stopped and restarted (AOF on)."""
    server = RedisServer(data_dir=tmp_path / "redis")
    server.start()
    yield server
    server.stop()


# --- reading -----------------------------------------------------------------------------


async def test_entries_published_before_the_group_existed_are_processed(
    redis_url: str, redis: Redis
) -> None:
    for n in range(5):
        await _publish(redis, _request(n))
    async with running(redis_url, _to_raw):
        await _wait_for(lambda: _len_is(redis, OUT, 5))
        await _wait_for(lambda: _pending_is(redis, 0))
    assert sorted(await _out_ids(redis)) == [f"a{n}" for n in range(5)]
    record = await status.get(redis, "a0")
    assert record is not None and record["stage"] == "fetched"


async def _len_is(redis: Redis, stream: str, n: int) -> bool:
    return int(await redis.xlen(stream)) == n


async def _pending_is(redis: Redis, n: int) -> bool:
    return await _pending(redis) == n


@pytest.mark.parametrize("how", ["delete stream", "destroy group"])
async def test_nogroup_is_recovered_while_running(redis_url: str, redis: Redis, how: str) -> None:
    async with running(redis_url, _to_raw):
        await _publish(redis, _request(1))
        await _wait_for(lambda: _len_is(redis, OUT, 1))
        if how == "delete stream":
            await redis.delete(IN)
        else:
            await redis.xgroup_destroy(IN, GROUP)
        await asyncio.sleep(0.2)  # the runner meets NOGROUP on its next read
        await _publish(redis, _request(2))

        async def a2_done() -> bool:
            return "a2" in await _out_ids(redis)

        await _wait_for(a2_done)
        await _wait_for(lambda: _pending_is(redis, 0))
    groups = await redis.xinfo_groups(IN)
    assert [maintenance.text(g["name"]) for g in groups] == [GROUP]
    # A group recreated at id 0 reads the stream again: a1 may be redelivered, a2 once.
    assert (await _out_ids(redis)).count("a2") == 1


async def test_redis_restart_is_recovered(own_redis: RedisServer) -> None:
    redis = Redis.from_url(own_redis.url)
    try:
        async with running(own_redis.url, _to_raw):
            await _publish(redis, _request(1))
            await _wait_for(lambda: _len_is(redis, OUT, 1))
            await redis.aclose()
            own_redis.stop()
            await asyncio.sleep(0.5)  # the runner's reads fail meanwhile; it must not exit
            own_redis.start()
            redis = Redis.from_url(own_redis.url)
            await _publish(redis, _request(2))
            await _wait_for(lambda: _len_is(redis, OUT, 2))
            await _wait_for(lambda: _pending_is(redis, 0))
        assert sorted(await _out_ids(redis)) == ["a1", "a2"]
    finally:
        await redis.aclose()


async def test_runner_started_before_redis_waits_for_it_and_stops_on_request(
    own_redis: RedisServer,
) -> None:
    own_redis.stop()
    async with running(own_redis.url, _to_raw):
        await asyncio.sleep(0.5)  # creating the group fails meanwhile; the runner waits
        own_redis.start()
        redis = Redis.from_url(own_redis.url)
        try:
            await _publish(redis, _request(1))
            await _wait_for(lambda: _len_is(redis, OUT, 1))
        finally:
            await redis.aclose()
    own_redis.stop()
    async with running(own_redis.url, _to_raw):  # never reachable: stop() still returns
        await asyncio.sleep(0.3)


async def test_redis_restart_without_data_recreates_the_group(tmp_path: Path) -> None:
    server = RedisServer(data_dir=tmp_path / "redis", appendonly=False)
    server.start()
    redis = Redis.from_url(server.url)
    try:
        async with running(server.url, _to_raw):
            await _publish(redis, _request(1))
            await _wait_for(lambda: _len_is(redis, OUT, 1))
            server.kill()
            server.start()  # empty: no stream, no group
            await redis.connection_pool.disconnect()
            await asyncio.sleep(0.5)
            await _publish(redis, _request(2))
            await _wait_for(lambda: _len_is(redis, OUT, 1))  # the new output stream
            assert await _out_ids(redis) == ["a2"]
    finally:
        await redis.aclose()
        server.stop()


async def test_concurrency_bound_is_honoured(redis_url: str, redis: Redis) -> None:
    running_now = 0
    most = 0

    async def slow(req: FetchRequest) -> RawArticle:
        nonlocal running_now, most
        running_now += 1
        most = max(most, running_now)
        await asyncio.sleep(0.05)
        running_now -= 1
        return await _to_raw(req)

    await streams.ensure_group(redis, IN, GROUP)
    for n in range(40):
        await _publish(redis, _request(n))
    # Ten left by a dead replica: the reclaimer takes them while the reader takes the rest,
    # and both share one bound.
    await redis.xreadgroup(GROUP, "dead-replica", {IN: ">"}, count=10)
    async with running(redis_url, slow, concurrency=3):
        await _wait_for(lambda: _len_is(redis, OUT, 40))
    assert most == 3
    # Never more read than handled: nothing sat in this consumer's list unstarted.
    assert await _pending(redis) == 0


# --- failures ----------------------------------------------------------------------------


async def test_transient_error_is_retried_in_place_without_a_second_delivery(
    redis_url: str, redis: Redis
) -> None:
    """Retries span several claim_idle_ms, with a second replica's reclaimer running:
    the heartbeat keeps the entry with its first consumer, delivered once."""
    seen: list[tuple[str, int]] = []

    def flaky(consumer: str) -> Process:
        async def process(req: FetchRequest) -> RawArticle:
            rows = await redis.xpending_range(IN, GROUP, "-", "+", 10)
            seen.append((consumer, int(rows[0]["times_delivered"])))
            if len(seen) < 8:  # about 1.2 s of backoff, four times claim_idle_ms
                raise TransientError("database down")
            return await _to_raw(req)

        return process

    await _publish(redis, _request(1))
    async with running(redis_url, flaky("test-1")):
        await _wait_for(lambda: _pending_is(redis, 1))  # test-1 has it
        async with running(redis_url, flaky("test-2"), consumer="test-2"):
            await _wait_for(lambda: _len_is(redis, OUT, 1))
    assert len(seen) == 8
    assert seen == [("test-1", 1)] * 8
    assert await _pending(redis) == 0
    assert await redis.xlen(streams.DLQ) == 0


async def test_transient_error_past_its_time_is_left_pending_then_retried(
    redis_url: str, redis: Redis
) -> None:
    calls = 0

    async def down_for_a_while(req: FetchRequest) -> RawArticle:
        nonlocal calls
        calls += 1
        if calls < 4:
            raise TransientError("database down")
        return await _to_raw(req)

    await _publish(redis, _request(1))
    # transient_retry_s=0: no retry in place; the reclaimer redelivers it.
    async with running(redis_url, down_for_a_while, transient_retry_s=0, max_deliveries=5):
        await _wait_for(lambda: _len_is(redis, OUT, 1))
    assert calls == 4
    assert await redis.xlen(streams.DLQ) == 0


async def test_stuck_entry_of_a_dead_consumer_is_reclaimed_and_processed(
    redis_url: str, redis: Redis
) -> None:
    await streams.ensure_group(redis, IN, GROUP)
    await _publish(redis, _request(1))
    # A replica read it, then died: the entry is pending to a consumer that is gone.
    await redis.xreadgroup(GROUP, "dead-replica", {IN: ">"}, count=1)
    calls: list[str] = []

    async def record(req: FetchRequest) -> RawArticle:
        calls.append(req.article_id)
        return await _to_raw(req)

    async with running(redis_url, record):
        await _wait_for(lambda: _len_is(redis, OUT, 1))
        await _wait_for(lambda: _pending_is(redis, 0))
    assert calls == ["a1"]


async def test_pending_entry_deleted_from_the_stream_is_dropped_from_the_pending_list(
    redis_url: str, redis: Redis
) -> None:
    await streams.ensure_group(redis, IN, GROUP)
    gone = await _publish(redis, _request(1))
    await _publish(redis, _request(2))
    await redis.xreadgroup(GROUP, "dead-replica", {IN: ">"}, count=2)
    await redis.xdel(IN, gone)  # e.g. a MAXLEN trim by some other client
    async with running(redis_url, _to_raw):
        await _wait_for(lambda: _len_is(redis, OUT, 1))
        await _wait_for(lambda: _pending_is(redis, 0))
    assert await _out_ids(redis) == ["a2"]


async def test_entry_failing_every_time_is_dead_lettered_after_max_deliveries(
    redis_url: str, redis: Redis
) -> None:
    calls = 0

    async def broken(req: FetchRequest) -> RawArticle:
        nonlocal calls
        calls += 1
        raise RuntimeError(f"boom {calls}")

    await status.create(redis, "a1", url="u")
    await _publish(redis, _request(1))
    async with running(redis_url, broken):
        await _wait_for(lambda: _len_is(redis, streams.DLQ, 1))
        await _wait_for(lambda: _pending_is(redis, 0))
    (letter,) = await _letters(redis)
    assert calls == 3
    assert letter.error_kind == "exhausted"
    assert letter.delivery_count == 4  # three attempts, given up on the fourth delivery
    assert "RuntimeError: boom 3" in letter.error
    assert letter.origin_stream == IN and letter.article_id == "a1"
    assert FetchRequest.model_validate_json(letter.payload).article_id == "a1"
    record = await status.get(redis, "a1")
    assert record is not None and record["stage"] == "failed"
    assert "boom 3" in record["error"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (None, "not HTML: application/pdf"),
        (b"{not json", "invalid FetchRequest"),
        (b'{"schema_version": 2, "article_id": "a1", "trace_id": "t", "url": "u",'
         b' "canonical_url": "u"}', "schema_version"),
    ],
)  # fmt: skip
async def test_permanent_error_is_dead_lettered_at_once_with_its_reason(
    redis_url: str, redis: Redis, body: bytes | None, reason: str
) -> None:
    calls = 0

    async def not_html(req: FetchRequest) -> RawArticle:
        nonlocal calls
        calls += 1
        raise PermanentError("not HTML: application/pdf")

    await status.create(redis, "a1", url="u")
    await _publish(redis, body if body is not None else _request(1), article_id="a1")
    await _publish(redis, b"{}", article_id="a2")  # one bad entry does not hold up the next
    async with running(redis_url, not_html):
        await _wait_for(lambda: _len_is(redis, streams.DLQ, 2))
        await asyncio.sleep(0.7)  # past claim_idle_ms: a retry would have happened by now
        assert calls == (1 if body is None else 0)
        assert await _pending(redis) == 0
    first = (await _letters(redis))[0]
    assert first.error_kind == "permanent" and first.delivery_count == 1
    assert reason in first.error
    record = await status.get(redis, "a1")
    assert record is not None and record["stage"] == "failed"
    assert reason in record["error"] and record["error"].startswith(f"{GROUP}: ")


# --- maintenance -------------------------------------------------------------------------


async def test_trimming_keeps_pending_entries_and_bounds_the_stream(
    redis_url: str, redis: Redis
) -> None:
    allow = {"a50": False}

    async def stuck_on_50(req: FetchRequest) -> RawArticle:
        if not allow.get(req.article_id, True):
            raise RuntimeError("not yet")
        return await _to_raw(req)

    ids = [await _publish(redis, _request(n)) for n in range(100)]
    # A second group that has read nothing yet: it needs every entry.
    await redis.xgroup_create(IN, "late-reader", id="0")
    async with running(redis_url, stuck_on_50, max_deliveries=1000, maintenance_interval_s=0.1):
        await _wait_for(lambda: _len_is(redis, OUT, 99))
        await asyncio.sleep(0.3)
        assert int(await redis.xlen(IN)) == 100  # the late reader still needs them all
        await redis.xgroup_destroy(IN, "late-reader")
        await _wait_for(lambda: _len_is(redis, IN, 50))
        entries = await redis.xrange(IN)
        assert maintenance.text(entries[0][0]) == ids[50]  # the pending one is kept
        assert await _pending(redis) == 1
        allow["a50"] = True
        await _wait_for(lambda: _len_is(redis, OUT, 100))
        await _wait_for(lambda: _len_is(redis, IN, 0))


async def test_idle_dead_consumers_are_deleted(redis_url: str, redis: Redis) -> None:
    await streams.ensure_group(redis, IN, GROUP)
    await redis.xreadgroup(GROUP, "dead-empty", {IN: ">"}, count=1)  # no entry: 0 pending
    await _publish(redis, _request(1))
    await redis.xreadgroup(GROUP, "dead-holding", {IN: ">"}, count=1)  # 1 pending
    await asyncio.sleep(1.1)  # past dead_consumer_idle_ms
    # claim_idle_ms high: the holding consumer keeps its entry during the test.
    async with running(redis_url, _to_raw, claim_idle_ms=600_000, dead_consumer_idle_ms=1_000,
                       maintenance_interval_s=0.2) as runner:  # fmt: skip

        async def dead_empty_gone() -> bool:
            names = {maintenance.text(c["name"]) for c in await redis.xinfo_consumers(IN, GROUP)}
            return "dead-empty" not in names

        await _wait_for(dead_empty_gone)
        names = {maintenance.text(c["name"]) for c in await redis.xinfo_consumers(IN, GROUP)}
        assert "dead-holding" in names  # it still owns an entry
        assert names <= {"dead-holding", runner.consumer}


# --- shutdown ----------------------------------------------------------------------------


def test_sigterm_exits_0_within_grace_and_loses_nothing(redis_url: str) -> None:
    import redis as redis_sync

    client = redis_sync.Redis.from_url(redis_url)
    # Two entries that finish within the grace, two that cannot.
    durations = {"a1": "0.5", "a2": "0.5", "a3": "120", "a4": "120"}
    ids = {}
    for article_id, seconds in durations.items():
        req = _request(int(article_id[1:]), path=seconds)
        body = req.model_dump_json().encode()
        fields = asyncio.run(streams.encode_entry(body, streams.trace_headers(article_id, "t")))
        ids[article_id] = maintenance.text(client.xadd(IN, fields))  # type: ignore[arg-type]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    env.update(NEWSWIRE_REDIS_URL=redis_url, NEWSWIRE_SHUTDOWN_GRACE_S="2",
               NEWSWIRE_POLL_INTERVAL_MS="50", NEWSWIRE_LOG_FORMAT="json")  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.stage_process", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = 60
        while True:
            try:
                info: Any = client.xpending(IN, "slowstage")
            except redis_sync.ResponseError:  # no group yet
                info = None
            if info and int(info["pending"]) == 4:
                break
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            deadline -= 1
            assert deadline > 0, "the stage never took the entries"
            __import__("time").sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        proc.send_signal(signal.SIGTERM)
        # The bound: grace (2 s) plus startup of the shutdown; a hang fails here.
        returncode = proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = proc.stdout.read().decode() if proc.stdout else ""
    assert returncode == 0, output
    done = {streams.decode_entry(f)[1]["article_id"] for _, f in client.xrange("test.out")}
    rows: Any = client.xpending_range(IN, "slowstage", "-", "+", 10)
    pending = {maintenance.text(r["message_id"]) for r in rows}
    assert done == {"a1", "a2"}
    for article_id, entry_id in ids.items():  # each one either finished or still pending
        assert (article_id in done) != (entry_id in pending), article_id
    client.close()


# --- the API's backpressure ----------------------------------------------------------------


def test_api_answers_429_past_the_backlog_and_503_without_redis(own_redis: RedisServer) -> None:
    import redis as redis_sync

    from newswire_fetcher.service import build_app

    settings = Settings(redis_url=own_redis.url, max_backlog=5, backlog_retry_after_s=7)
    app = build_app(ServiceRuntime("fetcher", settings=settings), worker=False)
    with TestClient(app) as client:
        for n in range(5):
            assert (
                client.post("/articles", json={"url": f"https://example.com/{n}"}).status_code
                == 202
            )
        # Nobody consumes newswire.fetch: the backlog is now 5, at the limit, then past it.
        sync = redis_sync.Redis.from_url(own_redis.url)
        sync.xgroup_create(streams.FETCH, "fetcher", id="0")
        sync.xadd(streams.RAW, {"x": "1"})
        sync.close()
        app.state.backlog.ttl_s = 0  # no cached figure in a test
        answer = client.post("/articles", json={"url": "https://example.com/late"})
        assert answer.status_code == 429
        assert answer.headers["retry-after"] == "7"
        assert "backlog" in answer.json()["detail"]

        own_redis.stop()
        answer = client.post("/articles", json={"url": "https://example.com/down"})
        assert answer.status_code == 503
        assert "queue unavailable" in answer.json()["detail"]
        assert client.get("/readyz").status_code == 503
