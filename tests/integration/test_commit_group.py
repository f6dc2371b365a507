"""CommitGroup against a real redis-server: entries finishing together share one MULTI/EXEC,
and each caller still gets its own outcome."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from newswire_shared.commits import Commit, CommitGroup
from newswire_shared.metrics import BrokerMeter


def incr(key: str) -> Commit:
    def queue(pipe: Pipeline) -> None:
        pipe.xadd("out", {"key": key})
        pipe.incr(key)

    return queue


async def execs(redis: Redis) -> int:
    stats = await redis.info("commandstats")
    return int(stats.get("cmdstat_exec", {}).get("calls", 0))


async def test_commits_finishing_together_go_in_one_transaction(redis: Redis) -> None:
    meter = BrokerMeter()
    group = CommitGroup(redis, meter)
    before = await execs(redis)
    await asyncio.gather(*(group.commit(incr(f"k{i}")) for i in range(10)))
    assert await execs(redis) - before == 1
    assert await redis.xlen("out") == 10
    assert await redis.mget([f"k{i}" for i in range(10)]) == [b"1"] * 10
    assert meter.cpu_s["commit"] > 0 and meter.calls["commit"] == 0  # callers count calls


async def test_commits_queued_while_one_runs_form_the_next(redis: Redis) -> None:
    group = CommitGroup(redis, BrokerMeter(), max_size=4)
    before = await execs(redis)
    await asyncio.gather(*(group.commit(incr(f"k{i}")) for i in range(10)))
    assert await execs(redis) - before == 3  # 4 + 4 + 2
    assert await redis.xlen("out") == 10


async def test_a_failing_command_fails_only_its_own_commit(redis: Redis) -> None:
    await redis.set("not-a-number", "abc")
    group = CommitGroup(redis, BrokerMeter())
    outcomes = await asyncio.gather(
        group.commit(incr("a")),
        group.commit(incr("not-a-number")),
        group.commit(incr("b")),
        return_exceptions=True,
    )
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], ResponseError) and "not an integer" in str(outcomes[1])
    assert await redis.mget(["a", "b"]) == [b"1", b"1"]


async def test_a_connection_error_fails_every_commit_of_the_group() -> None:
    dead = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    group = CommitGroup(dead, BrokerMeter())
    outcomes = await asyncio.gather(
        *(group.commit(incr(f"k{i}")) for i in range(3)),
        return_exceptions=True,
    )
    assert all(isinstance(o, RedisConnectionError) for o in outcomes)
    await dead.aclose()
