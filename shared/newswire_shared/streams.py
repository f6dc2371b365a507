"""Stream names and the Redis Streams plumbing every service shares.

An entry is one ``__data__`` field in the binary layout FastStream 0.6/0.7 wrote (magic,
version, offsets, length-prefixed header pairs, then the JSON body), so entries queued
by earlier versions, and tools that speak that layout, still read. Consumer groups are
created at id ``0``: a group created at ``$`` would skip what was published before it.
"""

from __future__ import annotations

import json
import struct
from typing import Any

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


_MAGIC = b"\x89BIN\r\n\x1a\n"
_VERSION = 1


def pack_entry(body: bytes, headers: dict[str, str]) -> bytes:
    """``body`` and ``headers`` in the binary entry layout."""
    pairs = bytearray()
    for key, value in headers.items():
        for part in (key.encode(), value.encode()):
            pairs += struct.pack(">H", len(part)) + part
    headers_start = len(_MAGIC) + 2 + 8
    data_start = headers_start + 2 + len(pairs)
    return b"".join((
        _MAGIC, struct.pack(">HII", _VERSION, headers_start, data_start),
        struct.pack(">H", len(headers)), bytes(pairs), body,
    ))  # fmt: skip


def unpack_entry(data: bytes) -> tuple[bytes, dict[str, Any]]:
    """Body and headers of ``data``; other layouts (a JSON envelope, a raw body) pass too."""
    try:
        if data.startswith(_MAGIC):
            version, headers_start, data_start = struct.unpack_from(">HII", data, len(_MAGIC))
            if version == _VERSION:
                (count,) = struct.unpack_from(">H", data, headers_start)
                offset, parts = headers_start + 2, []
                for _ in range(count * 2):
                    (size,) = struct.unpack_from(">H", data, offset)
                    parts.append(data[offset + 2 : offset + 2 + size].decode())
                    offset += 2 + size
                return data[data_start:], dict(zip(parts[::2], parts[1::2], strict=True))
        envelope = json.loads(data)
        return envelope["data"].encode(), dict(envelope.get("headers") or {})
    except (struct.error, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return data, {}


def decode_entry(fields: dict[bytes, bytes] | dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    """Body and headers of a stream entry (as written by ``publish``, or a plain XADD)."""
    raw = fields.get(b"__data__", fields.get("__data__"))  # type: ignore[call-overload]
    if raw is None:
        return b"", {}
    if isinstance(raw, str):
        raw = raw.encode()
    return unpack_entry(raw)


def entry_fields(body: bytes, headers: dict[str, str]) -> dict[str, bytes]:
    """Fields of a stream entry for a plain XADD."""
    # correlation_id: readers of the FastStream layout expect it.
    with_correlation = {"correlation_id": headers.get(H_TRACE_ID, ""), **headers}
    return {"__data__": pack_entry(body, with_correlation)}


async def encode_entry(body: bytes, headers: dict[str, str]) -> dict[str, bytes]:
    """``entry_fields``, awaitable (the form tests and tools already call)."""
    return entry_fields(body, headers)


async def publish(redis: Redis, stream: str, body: bytes, headers: dict[str, str]) -> str:
    """XADD one message; its entry id."""
    entry_id = await redis.xadd(stream, entry_fields(body, headers))  # type: ignore[arg-type]
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
