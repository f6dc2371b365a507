"""Throughput of the stage runner alone: a no-op stage over a backlog of entries.

Starts a redis-server, queues ``--n`` small messages, then runs a stage whose function
does nothing but build its output, and prints entries/s until every entry is published
and acknowledged, at each ``--concurrency``. It goes through ``ServiceRuntime`` so the
same script measures any version of the runner. It also prints the CPU per entry that the
runner's broker meter counted (``newswire_shared.metrics``) next to all of the process's:
with a stage that does nothing, the difference is what the meter leaves uncounted (the
event loop's dispatch, socket reads in transport callbacks, the log line per entry) plus
this script's own polling.

    python bench/runner.py --n 5000 --concurrency 1 8
"""

from __future__ import annotations

import argparse
import asyncio
import time

from redis.asyncio import Redis

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime
from newswire_shared.devredis import RedisServer
from newswire_shared.messages import FetchRequest, RawArticle
from newswire_shared.settings import Settings
from newswire_shared.worker import StageSpec

IN, OUT = "bench.in", "bench.out"


async def _noop(req: FetchRequest) -> RawArticle:
    return RawArticle(
        article_id=req.article_id, trace_id=req.trace_id, url=req.url,
        canonical_url=req.canonical_url, text="x",
    )  # fmt: skip


async def _fill(redis: Redis, n: int) -> None:
    async with redis.pipeline(transaction=False) as pipe:
        for i in range(n):
            url = f"http://example.org/{i}"
            req = FetchRequest(article_id=f"a{i}", trace_id=f"t{i}", url=url, canonical_url=url)
            fields = await streams.encode_entry(
                req.model_dump_json().encode(), streams.trace_headers(req.article_id, "t")
            )
            pipe.xadd(IN, fields)  # type: ignore[arg-type]
        await pipe.execute()


async def one_run(url: str, n: int, concurrency: int) -> tuple[float, float, float]:
    """Entries/s, this process's CPU µs per entry (steadier on a shared machine), and the
    broker meter's µs per entry."""
    redis = Redis.from_url(url)
    await redis.flushall()
    await _fill(redis, n)
    settings = Settings(redis_url=url, consumer_name="bench-1", poll_interval_ms=100,
                        log_level="WARNING")  # fmt: skip
    runtime = ServiceRuntime("bench", settings)
    runtime.add_stage(StageSpec(service="bench", input_stream=IN, input_model=FetchRequest,
                                output_stream=OUT, done_stage="fetched", process=_noop,
                                concurrency=concurrency))  # fmt: skip
    started = time.perf_counter()
    cpu_started = time.process_time()
    await runtime.start()
    try:
        while True:
            done = int(await redis.xlen(OUT)) >= n
            if done and int((await redis.xpending(IN, "bench"))["pending"]) == 0:
                break
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        metered = runtime.meter.snapshot()["broker_cpu_s"]
    finally:
        await runtime.stop()
        await redis.aclose()
    return n / elapsed, cpu / n * 1e6, metered / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    server = RedisServer(appendonly=False)
    server.start()
    try:
        for concurrency in args.concurrency:
            runs = [
                asyncio.run(one_run(server.url, args.n, concurrency)) for _ in range(args.repeat)
            ]
            rates = [rate for rate, _, _ in runs]
            print(f"concurrency {concurrency}: {max(rates):,.0f} entries/s, "
                  f"{min(cpu for _, cpu, _ in runs):,.0f} µs CPU/entry, of which the broker "
                  f"meter counted {min(m for _, _, m in runs):,.0f} "
                  f"(best of {args.repeat}, n={args.n}; entries/s of each run: "
                  f"{', '.join(f'{r:,.0f}' for r in rates)})")  # fmt: skip
    finally:
        server.stop()


if __name__ == "__main__":
    main()
