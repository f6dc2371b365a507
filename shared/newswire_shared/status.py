"""Where each article is: one Redis hash per article, written by every stage.

The stage only moves forward (a redelivered message cannot move a stored article back
to "cleaned"); ``failed`` records the reason. A resubmission resets it to ``queued``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

STAGE_RANK = {"queued": 0, "fetched": 1, "cleaned": 2, "extracted": 3, "stored": 4, "failed": 5}

# Moves `stage` forward only. KEYS[1]=hash; ARGV: stage, rank, now, then field/value pairs.
_ADVANCE = """
local current = redis.call('HGET', KEYS[1], 'stage')
local ranks = {queued=0, fetched=1, cleaned=2, extracted=3, stored=4, failed=5}
if current and ranks[current] and ranks[current] >= tonumber(ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[1], 'stage', ARGV[1], 'updated_at', ARGV[3], ARGV[1] .. '_at', ARGV[3])
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
"""


# Starts a record unless a live one exists, and queues its first job in the same step.
# KEYS[1]=hash, KEYS[2]=stream; ARGV: force, now, stage, the entry's data, then field/value
# pairs. Atomic, so the same URL submitted many times at once is queued exactly once, and
# a record never exists without its job (a 202 means the job is in the stream: a crash
# between the two would leave an article "queued" forever that a resend calls duplicate).
_CREATE_AND_QUEUE = """
local current = redis.call('HGET', KEYS[1], 'stage')
if current and current ~= 'failed' and ARGV[1] ~= '1' then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'stage', ARGV[3], 'updated_at', ARGV[2], 'queued_at', ARGV[2],
           ARGV[3] .. '_at', ARGV[2])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('XADD', KEYS[2], '*', '__data__', ARGV[4])
return 1
"""


def status_key(article_id: str) -> str:
    return f"newswire:article:{article_id}"


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def create(redis: Redis, article_id: str, **fields: str) -> None:
    """Start (or restart, for a forced resubmission) an article's record at ``queued``."""
    key = status_key(article_id)
    now = _now()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(key)
        record: dict[str, str] = {"stage": "queued", "updated_at": now, "queued_at": now}
        record.update(fields)
        pipe.hset(key, mapping=record)  # type: ignore[arg-type]
        await pipe.execute()


async def create_and_queue(
    redis: Redis,
    article_id: str,
    stream: str,
    data: bytes,
    *,
    stage: str = "queued",
    force: bool = False,
    **fields: str,
) -> bool:
    """Start the record at ``stage`` and add ``data`` (an entry's ``__data__``) to
    ``stream``, unless a live (not failed) record exists; True if started."""
    args = _create_args(article_id, stream, data, stage, force, fields)
    return bool(await redis.eval(_CREATE_AND_QUEUE, 2, *args))


def queue_create_and_queue(
    pipe: Pipeline,
    article_id: str,
    stream: str,
    data: bytes,
    *,
    stage: str = "queued",
    force: bool = False,
    **fields: str,
) -> None:
    """``create_and_queue`` as a command of ``pipe`` (its reply: 1 if started, else 0), so
    a batch of submissions takes one round trip; each stays atomic on its own."""
    pipe.eval(_CREATE_AND_QUEUE, 2, *_create_args(article_id, stream, data, stage, force, fields))


def _create_args(
    article_id: str, stream: str, data: bytes, stage: str, force: bool, fields: dict[str, str]
) -> list[Any]:
    """KEYS then ARGV of ``_CREATE_AND_QUEUE``."""
    args: list[Any] = [status_key(article_id), stream, "1" if force else "0", _now(), stage, data]
    for name, value in fields.items():
        args += [name, value]
    return args


def _advance_args(stage: str, fields: dict[str, str]) -> list[Any]:
    args: list[Any] = [stage, STAGE_RANK[stage], _now()]
    for name, value in fields.items():
        args += [name, value]
    return args


async def advance(redis: Redis, article_id: str, stage: str, **fields: str) -> bool:
    """Move the article to ``stage`` unless it is already there or further along."""
    result = await redis.eval(_ADVANCE, 1, status_key(article_id), *_advance_args(stage, fields))
    return bool(result)


def queue_advance(pipe: Pipeline, article_id: str, stage: str, **fields: str) -> None:
    """``advance`` as a command of ``pipe``, so it commits with the output and the ack."""
    pipe.eval(_ADVANCE, 1, status_key(article_id), *_advance_args(stage, fields))


async def fail(redis: Redis, article_id: str, reason: str) -> None:
    await advance(redis, article_id, "failed", error=reason[:2000])


async def get(redis: Redis, article_id: str) -> dict[str, str] | None:
    raw = await redis.hgetall(status_key(article_id))
    if not raw:
        return None
    return {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
        for k, v in raw.items()
    }
