"""Stream names and the Redis Streams plumbing every service shares.

An entry keeps FastStream's binary format (one ``__data__`` field: headers, then the
JSON body), so entries written by earlier versions still read. Consumer groups are
created at id ``0``: a group created at ``$`` would skip what was published before it.
"""

from __future__ import annotations

from typing import Any

from faststream.redis.parser.binary import BinaryMessageFormatV1
from redis.asyncio import Redis
from redis.exceptions import ResponseError

FETCH = "newswire.fetch"  # fetch jobs queued by the fetcher API for its worker pool
RAW = "newswire.raw"
CLEAN = "newswire.clean"
EXTRACTED = "newswire.extracted"
DLQ = "newswire.dlq"

PIPELINE_STREAMS = (FETCH, RAW, CLEAN, EXTRACTED)
# What counts as the pipeline's backlog for the API's 429: every stream a submission
# still has to pass through (the fetch queue too, or a flood of URLs would queue unbounded).
BACKLOG_STREAMS = PIPELINE_STREAMS

# Header names; values are strings.
H_ARTICLE_ID = "article_id"
H_TRACE_ID = "trace_id"
H_SCHEMA_VERSION = "schema_version"


def trace_headers(article_id: str, trace_id: str) -> dict[str, str]:
    return {H_ARTICLE_ID: article_id, H_TRACE_ID: trace_id}


async def ensure_group(redis: Redis, stream: str, group: str) -> bool:
    """Create ``group`` on ``stream`` at id 0 (creating the stream too); True if created."""
    try:
        await redis.xgroup_create(name=stream, groupname=group, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
        return False
    return True


def decode_entry(fields: dict[bytes, bytes] | dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    """Body and headers of a stream entry written by FastStream (or by a plain XADD)."""
    raw = fields.get(b"__data__", fields.get("__data__"))  # type: ignore[call-overload]
    if raw is None:
        return b"", {}
    if isinstance(raw, str):
        raw = raw.encode()
    return BinaryMessageFormatV1.parse(raw)


async def encode_entry(body: bytes, headers: dict[str, str]) -> dict[str, bytes]:
    """Fields of a stream entry in FastStream's format, for a plain XADD (replay, tests)."""
    data = await BinaryMessageFormatV1.encode(
        message=body, reply_to=None, headers=headers, correlation_id=headers.get(H_TRACE_ID, "")
    )
    return {"__data__": data}


async def publish(redis: Redis, stream: str, body: bytes, headers: dict[str, str]) -> str:
    """XADD one message; its entry id."""
    entry_id = await redis.xadd(stream, await encode_entry(body, headers))  # type: ignore[arg-type]
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
