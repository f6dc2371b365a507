"""The per-host limit: one host's fetches wait for each other, other hosts do not."""

from __future__ import annotations

import asyncio

from newswire_fetcher.politeness import HostLimiter


async def test_per_host_limit() -> None:
    limiter = HostLimiter(per_host=1, total=4)
    running: dict[str, int] = {"a": 0, "b": 0}
    peak: dict[str, int] = {"a": 0, "b": 0}

    async def fetch(host: str) -> None:
        async with limiter.slot(f"https://{host}.example/x"):
            running[host] += 1
            peak[host] = max(peak[host], running[host])
            await asyncio.sleep(0.01)
            running[host] -= 1

    await asyncio.gather(*(fetch(h) for h in "aaab"), fetch("b"))
    assert peak == {"a": 1, "b": 1}
    assert limiter.in_use("a.example") == 0  # entries are dropped when unused
    assert limiter._hosts == {}


async def test_total_limit_spans_hosts() -> None:
    limiter = HostLimiter(per_host=2, total=2)
    running = 0
    peak = 0

    async def fetch(host: str) -> None:
        nonlocal running, peak
        async with limiter.slot(f"http://{host}/"):
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    await asyncio.gather(*(fetch(f"h{i}.example") for i in range(6)))
    assert peak == 2
