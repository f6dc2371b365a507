"""Politeness: never hit one host with more than a few requests at a time.

(robots.txt and a per-host request rate belong here too; see the fetcher's notes.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

DEFAULT_PER_HOST = 2


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
        host = (urlsplit(url).hostname or "").lower()
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
