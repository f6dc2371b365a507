"""Lines that repeat across articles of one site are site furniture, not reporting.

A newsletter teaser, a standing "About us" line or a section banner that the pattern
list does not know still gives itself away by appearing on page after page of the same
site. The cleaner remembers, per site, which articles each edge line (the first and last
few paragraphs, where furniture lives) appeared in; a line already seen in
``MIN_OTHER_ARTICLES`` other articles of that site is dropped with reason
``site_repeat``. The middle of the text is never touched: a standard sentence such as
"The company did not respond to a request for comment." is reporting wherever it is.

Counting lives in Redis (``SiteLines``) so all cleaner processes share it; the decision
is the plain function ``drop_repeated``.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from redis.asyncio import Redis

from newswire_shared.messages import Removal

from .boilerplate import normalise

EDGE_LINES = 2  # paragraphs checked at each end of the text
MAX_LINE_CHARS = 300  # furniture is short; a long paragraph is an article's own text
MIN_OTHER_ARTICLES = 2
MIN_PROSE_WORDS = 6
TTL_S = 30 * 24 * 3600
KEY_PREFIX = "newswire:sitelines"


def site_of(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def edge_lines(paragraphs: list[str]) -> list[str]:
    """The distinct short paragraphs at both ends of the text."""
    ends = paragraphs[:EDGE_LINES] + paragraphs[-EDGE_LINES:]
    return list(dict.fromkeys(p for p in ends if len(p) <= MAX_LINE_CHARS))


def line_key(line: str) -> str:
    return hashlib.blake2b(normalise(line).casefold().encode("utf-8"), digest_size=10).hexdigest()


def drop_repeated(paragraphs: list[str], repeated: set[str]) -> tuple[list[str], list[Removal]]:
    """``paragraphs`` without the repeated edge lines, and the removals.

    Never empties an article: if no paragraph of prose would be left, nothing is dropped.
    """
    if not repeated:
        return paragraphs, []
    edges = set(edge_lines(paragraphs))
    kept = [p for p in paragraphs if not (p in repeated and p in edges)]
    if not any(len(p.split()) >= MIN_PROSE_WORDS for p in kept):
        return paragraphs, []
    removed = [Removal(text=p, reason="site_repeat") for p in paragraphs if p not in kept]
    return kept, removed


class SiteLines:
    """Per site, the articles each edge line appeared in (Redis sets, expiring)."""

    def __init__(self, redis: Redis, prefix: str = KEY_PREFIX) -> None:
        self.redis = redis
        self.prefix = prefix

    async def repeated(self, site: str, article_id: str, lines: list[str]) -> set[str]:
        """Record ``lines`` for ``article_id``; return those other articles also had.

        Idempotent: a redelivered article is one member of each set, not a new one.
        """
        if not lines:
            return set()
        keys = [f"{self.prefix}:{site}:{line_key(line)}" for line in lines]
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.sadd(key, article_id)
                pipe.expire(key, TTL_S)
                pipe.scard(key)
            results = await pipe.execute()
        counts = results[2::3]
        return {
            line
            for line, count in zip(lines, counts, strict=True)
            if int(count) - 1 >= MIN_OTHER_ARTICLES
        }
