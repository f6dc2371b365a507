"""Keeping streams bounded without losing work, and measuring the backlog.

- ``trim_stream``: XTRIM MINID just below the oldest entry some group still needs (pending,
  or not yet delivered), so memory stays bounded and nothing unfinished is dropped
  (MAXLEN trimming, by contrast, deletes pending entries).
- ``delete_dead_consumers``: consumers of dead replicas, idle and with nothing pending.
- ``Backlog``: entries waiting in the pipeline, cached briefly so the API can ask per request.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from .logging import get_logger

log = get_logger()


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _successor(entry_id: str) -> str:
    ms, seq = id_key(entry_id)
    return f"{ms}-{seq + 1}"


async def _groups(redis: Redis, stream: str) -> list[dict[str, Any]]:
    try:
        return list(await redis.xinfo_groups(stream))
    except ResponseError as exc:
        if "no such key" in str(exc).lower():
            return []
        raise


async def trim_floor(redis: Redis, stream: str) -> str | None:
    """The oldest id any group of ``stream`` still needs; None when no group reads it."""
    floor: str | None = None
    for group in await _groups(redis, stream):
        needed = _successor(text(group["last-delivered-id"]))
        if int(group["pending"]):
            summary = await redis.xpending(stream, text(group["name"]))
            if summary["min"] is not None:
                needed = min(needed, text(summary["min"]), key=id_key)
        floor = needed if floor is None else min(floor, needed, key=id_key)
    return floor


async def trim_stream(redis: Redis, stream: str) -> int:
    """Delete the entries every group has finished with; the number deleted."""
    floor = await trim_floor(redis, stream)
    if floor is None:
        return 0
    return int(await redis.xtrim(stream, minid=floor, approximate=False))


async def delete_dead_consumers(
    redis: Redis, stream: str, group: str, idle_ms: int, keep: str
) -> list[str]:
    """Remove consumers idle past ``idle_ms`` that own no pending entry (never ``keep``)."""
    try:
        consumers = await redis.xinfo_consumers(stream, group)
    except ResponseError:  # no stream or no group: nothing to clean
        return []
    deleted = []
    for consumer in consumers:
        name = text(consumer["name"])
        if name == keep or int(consumer["pending"]) or int(consumer["idle"]) < idle_ms:
            continue
        await redis.xgroup_delconsumer(stream, group, name)
        deleted.append(name)
    if deleted:
        log.info("dead consumers deleted", stream=stream, group=group, consumers=deleted)
    return deleted


async def backlog(redis: Redis, streams: Sequence[str]) -> int:
    """Entries not yet delivered to the groups of ``streams`` (their lag), summed.

    A stream without a group counts whole; where Redis cannot give the lag (before 7.0,
    or after some deletions) the stream's length stands in, an overestimate that the
    trimming keeps close.
    """
    total = 0
    for stream in streams:
        groups = await _groups(redis, stream)
        lags = [group.get("lag") for group in groups]
        if not groups or any(lag is None for lag in lags):
            total += int(await redis.xlen(stream))
        else:
            total += max(int(lag or 0) for lag in lags)
    return total


class Backlog:
    """``backlog`` cached for ``ttl_s``: cheap enough to check on every submission."""

    def __init__(self, redis: Redis, streams: Sequence[str], ttl_s: float = 0.25) -> None:
        self.redis = redis
        self.streams = tuple(streams)
        self.ttl_s = ttl_s
        self._value = 0
        self._at = float("-inf")

    async def current(self) -> int:
        now = time.monotonic()
        if now - self._at >= self.ttl_s:
            self._value = await backlog(self.redis, self.streams)
            self._at = now
        return self._value
