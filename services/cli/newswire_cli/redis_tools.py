"""What the CLI reads from Redis directly: new events (``tail``) and dead letters (``dlq``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import redis
from pydantic import ValidationError

from newswire_shared import status, streams
from newswire_shared.logging import redacted
from newswire_shared.messages import DeadLetter, ExtractedArticle

from .errors import CliError

BLOCK_MS = 2_000  # XREAD block; short so Ctrl-C is answered promptly


def connect(url: str) -> redis.Redis:
    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise CliError(f"cannot reach Redis at {redacted(url)} ({exc}); is it running?") from None
    return client


# --- tail -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extracted:
    entry_id: str
    body: bytes
    article: ExtractedArticle | None  # None when the body is not a valid ExtractedArticle


def follow_extracted(client: redis.Redis, start: str = "$") -> Iterator[Extracted]:
    """Entries added to newswire.extracted after ``start`` ("$": from now on), forever."""
    last = start
    while True:
        try:
            # redis-py types command results loosely (sync or awaitable): read as Any.
            answer: Any = client.xread({streams.EXTRACTED: last}, count=100, block=BLOCK_MS)
        except redis.ConnectionError as exc:
            raise CliError(f"lost the connection to Redis: {exc}") from None
        for _stream, entries in answer or []:
            for entry_id, fields in entries:
                last = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                body, _headers = streams.decode_entry(fields)
                try:
                    article = ExtractedArticle.model_validate_json(body)
                except ValidationError:
                    article = None
                yield Extracted(last, body, article)


# --- dlq --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    entry_id: str
    letter: DeadLetter | None  # None when the entry is not a DeadLetter
    raw: bytes


def _letter(entry_id: Any, fields: Any) -> Letter:
    eid = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
    body, _ = streams.decode_entry(fields)
    try:
        return Letter(eid, DeadLetter.model_validate_json(body), body)
    except ValidationError:
        return Letter(eid, None, body)


def list_letters(client: redis.Redis, limit: int | None = None) -> list[Letter]:
    """Dead letters, oldest first."""
    entries: Any = client.xrange(streams.DLQ, count=limit)
    return [_letter(eid, fields) for eid, fields in entries]


def get_letter(client: redis.Redis, entry_id: str) -> Letter:
    try:
        entries: Any = client.xrange(streams.DLQ, min=entry_id, max=entry_id)
    except redis.ResponseError:
        raise CliError(f"{entry_id!r} is not a stream entry id (like 1718000000000-0)") from None
    if not entries:
        raise CliError(f"no dead letter {entry_id} in {streams.DLQ}")
    eid, fields = entries[0]
    return _letter(eid, fields)


def replay(client: redis.Redis, redis_url: str, letter: Letter) -> str:
    """Put the original message back on its stream and drop the dead letter; the new id."""
    dead = letter.letter
    if dead is None:
        raise CliError(f"{letter.entry_id}: not a DeadLetter, cannot replay")
    if dead.payload_truncated:
        raise CliError(f"{letter.entry_id}: the payload was truncated when dead-lettered")
    headers = streams.trace_headers(dead.article_id or "-", dead.trace_id or "-")
    fields = asyncio.run(streams.encode_entry(dead.payload.encode(), headers))
    if dead.article_id:
        # The record says "failed", the last stage: reset it, or the retried stage could
        # never move it forward again.
        asyncio.run(_requeue_status(redis_url, dead.article_id))
    with client.pipeline(transaction=True) as pipe:
        pipe.xadd(dead.origin_stream, fields)  # type: ignore[arg-type]
        pipe.xdel(streams.DLQ, letter.entry_id)
        new_id, _ = pipe.execute()
    return new_id.decode() if isinstance(new_id, bytes) else str(new_id)


async def _requeue_status(redis_url: str, article_id: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    try:
        record = await status.get(client, article_id)
        if record is not None and record.get("stage") == "failed":
            keep = {k: v for k, v in record.items() if k in ("url", "canonical_url", "trace_id",
                                                             "source")}  # fmt: skip
            await status.create(client, article_id, **keep)
    finally:
        await client.aclose()
