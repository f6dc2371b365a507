"""Stream names and the Redis Streams plumbing every service shares.

An entry is one ``__data__`` field written and read by FastStream's own
``BinaryMessageFormatV1`` (headers, then the JSON body), so a FastStream app can publish
to or subscribe on newswire's streams, and entries queued by earlier versions still read.
Consumer groups are created at id ``0``: a group created at ``$`` would skip what was
published before it.
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


def unpack_entry(data: bytes) -> tuple[bytes, dict[str, Any]]:
    """Body and headers of ``data``; other layouts (a JSON envelope, a raw body) pass too."""
    # FastStream's parse already falls back to a JSON envelope, then to the raw bytes with
    # no headers; only an envelope whose headers are not an object slips through it.
    body, headers = BinaryMessageFormatV1.parse(data)
    if headers is None:
        return body, {}
    if not isinstance(headers, dict):
        return data, {}
    return body, headers


def decode_entry(fields: dict[bytes, bytes] | dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    """Body and headers of a stream entry (as written by ``publish``, FastStream, or XADD)."""
    raw = fields.get(b"__data__", fields.get("__data__"))  # type: ignore[call-overload]
    if raw is None:
        return b"", {}
    if isinstance(raw, str):
        raw = raw.encode()
    return unpack_entry(raw)


async def encode_entry(body: bytes, headers: dict[str, str]) -> dict[str, bytes]:
    """Fields of a stream entry in FastStream's binary format, for a plain XADD."""
    # FastStream writes a str header's length in characters but its bytes in UTF-8, so a
    # non-ASCII value would shift every later header; bytes values get the right length.
    encoded: dict[str, Any] = {key: value.encode() for key, value in headers.items()}
    correlation_id = headers.get(H_TRACE_ID, "")
    encoded.setdefault("correlation_id", correlation_id.encode())
    data = await BinaryMessageFormatV1.encode(
        message=body, reply_to=None, headers=encoded, correlation_id=correlation_id
    )
    return {"__data__": data}


async def publish(redis: Redis, stream: str, body: bytes, headers: dict[str, str]) -> str:
    """XADD one message; its entry id."""
    entry_id = await redis.xadd(stream, await encode_entry(body, headers))  # type: ignore[arg-type]
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
