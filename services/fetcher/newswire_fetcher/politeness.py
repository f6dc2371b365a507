"""Politeness: robots.txt, a request rate per host, and a few requests at a time per host.

Every limit is per host, so a slow or strict site only slows its own URLs: the others
keep being fetched meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from .robots import RobotsCache

DEFAULT_PER_HOST = 2


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class HostLimiter:
    """At most ``per_host`` fetches per host and ``total`` overall, in this process."""

    def __init__(self, per_host: int = DEFAULT_PER_HOST, total: int = 8) -> None:
        self.per_host = per_host
        self._total = asyncio.Semaphore(total)
        # host -> (semaphore, number of tasks holding or waiting for it); an entry is
        # dropped when nobody uses it, so a crawl over many hosts does not grow this.
        self._hosts: dict[str, tuple[asyncio.Semaphore, int]] = {}

    def in_use(self, host: str) -> int:
        entry = self._hosts.get(host)
        return entry[1] if entry else 0

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        # Keyed by the submitted host: a redirect elsewhere is fetched under this slot.
        host = host_of(url)
        semaphore, users = self._hosts.get(host) or (asyncio.Semaphore(self.per_host), 0)
        self._hosts[host] = (semaphore, users + 1)
        try:
            # The host first: a task waiting for a busy host must not hold a global slot.
            async with semaphore, self._total:
                yield
        finally:
            semaphore, users = self._hosts[host]
            if users <= 1:
                del self._hosts[host]
            else:
                self._hosts[host] = (semaphore, users - 1)


class HostRate:
    """At most ``rate`` requests per second to each host (0: no limit), spaced evenly."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next_free: dict[str, float] = {}  # host -> earliest time of its next request

    def reserve(self, host: str, now: float) -> float:
        """Book the host's next turn; how long to wait for it (0: go now)."""
        if not self.interval:
            return 0.0
        if len(self._next_free) > 1_000:  # forget hosts whose turn is long past
            self._next_free = {h: t for h, t in self._next_free.items() if t > now}
        turn = max(now, self._next_free.get(host, now))
        self._next_free[host] = turn + self.interval
        return turn - now

    async def wait(self, url: str) -> None:
        delay = self.reserve(host_of(url), asyncio.get_running_loop().time())
        if delay > 0:
            await asyncio.sleep(delay)


class Politeness:
    """The gate before each request (redirect hops included): robots.txt, then the rate."""

    def __init__(self, robots: RobotsCache | None, rate: HostRate) -> None:
        self.robots = robots
        self.rate = rate

    async def __call__(self, url: str) -> None:
        # robots.txt itself is fetched at most once per site and TTL: not rate-limited.
        if self.robots is not None:
            await self.robots.check(url)
        await self.rate.wait(url)
