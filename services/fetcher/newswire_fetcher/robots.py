"""robots.txt (RFC 9309), fetched once per site and cached, parsed by protego.

What an answer means (RFC 9309 section 2.3.1): 2xx - follow the rules; 4xx - there are no
rules, everything is allowed; 5xx, a timeout or a network error - the site is
unreachable, so everything is disallowed for now (the fetch is retried later).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from protego import Protego

from newswire_shared.worker import PermanentError

from .fetch import BoundedDecoder, TransientFetchError

MAX_ROBOTS_BYTES = 512_000  # RFC 9309: parse at least the first 500 KiB, ignore the rest
ROBOTS_TIMEOUT_S = 10.0
MAX_CACHED_SITES = 10_000
AGENT_TOKEN = "newswire"  # noqa: S105 - the product token robots.txt groups are matched against


class RobotsUnavailable(TransientFetchError):
    """robots.txt could not be read (5xx, timeout, network): the site is off-limits for now."""


@dataclass(frozen=True)
class RobotsRules:
    parser: Protego | None  # None: no rules (a 4xx answer), everything is allowed
    expires_at: float

    def allows(self, url: str) -> bool:
        return self.parser is None or bool(self.parser.can_fetch(url, AGENT_TOKEN))


def site_of(url: str) -> str:
    """``scheme://host:port``: robots.txt applies to exactly one of these (RFC 9309 2.3)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def rules_from_response(status: int, body: bytes, expires_at: float) -> RobotsRules:
    """The rules an answer to ``/robots.txt`` means; RobotsUnavailable for 5xx."""
    if 200 <= status < 300:
        text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        return RobotsRules(Protego.parse(text), expires_at)
    if 400 <= status < 500:
        return RobotsRules(None, expires_at)
    raise RobotsUnavailable(f"HTTP {status}")


class RobotsCache:
    """Per-site rules for ``ttl_s`` seconds; one fetch of a site's robots.txt at a time."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.ttl_s = ttl_s
        self.clock = clock
        self._rules: dict[str, RobotsRules] = {}
        self._inflight: dict[str, asyncio.Future[RobotsRules]] = {}

    async def check(self, url: str) -> None:
        """Return if robots.txt lets newswire fetch ``url``; raise saying why not."""
        site = site_of(url)
        rules = await self._rules_for(site)
        if not rules.allows(url):
            raise PermanentError(f"disallowed by {site}/robots.txt for {AGENT_TOKEN!r}: {url}")

    async def _rules_for(self, site: str) -> RobotsRules:
        cached = self._rules.get(site)
        if cached is not None and cached.expires_at > self.clock():
            return cached
        # Concurrent fetches from one site share a single robots.txt request.
        task = self._inflight.get(site)
        if task is None:
            task = asyncio.ensure_future(self._fetch(site))
            self._inflight[site] = task
            task.add_done_callback(lambda _: self._inflight.pop(site, None))
        return await asyncio.shield(task)  # one waiter giving up does not cancel the rest

    async def _fetch(self, site: str) -> RobotsRules:
        url = f"{site}/robots.txt"
        try:
            async with asyncio.timeout(ROBOTS_TIMEOUT_S):
                status, body = await self._get(url)
        except (TimeoutError, httpx.HTTPError) as exc:
            # As a 5xx: the site is unreachable, disallow for now (RFC 9309 2.3.1.4).
            raise RobotsUnavailable(
                f"{url} unreachable ({type(exc).__name__}); not fetching from {site} for now"
            ) from None
        try:
            rules = rules_from_response(status, body, self.clock() + self.ttl_s)
        except RobotsUnavailable as exc:
            raise RobotsUnavailable(
                f"{url} answered {exc}; not fetching from {site} for now"
            ) from None
        if len(self._rules) >= MAX_CACHED_SITES:
            self._rules.pop(next(iter(self._rules)))  # the oldest entry
        self._rules[site] = rules
        return rules

    async def _get(self, url: str) -> tuple[int, bytes]:
        """Status and at most MAX_ROBOTS_BYTES of decoded body (a bomb is cut, not held)."""
        async with self.client.stream("GET", url, follow_redirects=True) as response:
            if not 200 <= response.status_code < 300:
                return response.status_code, b""
            encoding = response.headers.get("content-encoding", "identity")
            chunks: list[bytes] = []
            try:
                decoder = BoundedDecoder(encoding, MAX_ROBOTS_BYTES)
                async for raw in response.aiter_raw():
                    chunks.append(decoder.feed(raw))
            except PermanentError:  # past the cap, or undecodable: keep what was read
                pass
            return response.status_code, b"".join(chunks)
