"""The consuming side of a stage: read a stream in a consumer group, run the stage's pure
function, publish its output, then acknowledge.

Each service describes itself with a ``StageSpec`` (input stream and model, output
stream, the function); ``attach_stage`` wires it into a FastStream broker. What happens
to an entry:

- success: the output is published, the article's status advanced, then the entry is
  acknowledged (ack after the output exists: a crash in between means a redelivery,
  never a loss);
- bad input (does not validate, or the function raises ``PermanentError``): no retry
  can help, so it goes to ``newswire.dlq`` with the reason and is acknowledged;
- any other exception: the entry stays pending; a second subscriber on the same group
  claims entries idle past ``claim_idle_ms`` (XAUTOCLAIM) and runs them again; after
  ``max_deliveries`` attempts the entry goes to the dead-letter stream with its last error.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from faststream import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisStreamMessage
from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis

from . import status
from .logging import bound_contextvars, get_logger
from .messages import DeadLetter, Message
from .settings import Settings
from .streams import DLQ, H_ARTICLE_ID, H_TRACE_ID, trace_headers

In = TypeVar("In", bound=Message)
Out = TypeVar("Out", bound=BaseModel)

DLQ_PAYLOAD_LIMIT = 64_000  # bytes of the original body kept in a dead letter
LAST_ERROR_TTL_S = 7 * 24 * 3600

log = get_logger()


class PermanentError(Exception):
    """Input that no retry can fix (not HTML, empty page, ...): fail at once, with a reason."""


@dataclass(frozen=True)
class StageSpec(Generic[In, Out]):
    service: str  # also the consumer group's name
    input_stream: str
    input_model: type[In]
    output_stream: str | None  # None for the sink, whose output is the database
    done_stage: str  # the article's status once this stage succeeded
    process: Callable[[In], Awaitable[Out | None]]
    concurrency: int = 1  # entries handled at once by this process (I/O-bound stages)


def _last_error_key(group: str, entry_id: str) -> str:
    return f"newswire:lasterror:{group}:{entry_id}"


async def dead_letter(
    broker: RedisBroker,
    *,
    origin_stream: str,
    origin_id: str,
    service: str,
    error: str,
    error_kind: Literal["permanent", "exhausted"],
    delivery_count: int,
    body: bytes,
    article_id: str | None,
    trace_id: str | None,
) -> None:
    letter = DeadLetter(
        origin_stream=origin_stream,
        origin_id=origin_id,
        service=service,
        error=error[:4000],
        error_kind=error_kind,
        delivery_count=delivery_count,
        article_id=article_id,
        trace_id=trace_id,
        payload=body[:DLQ_PAYLOAD_LIMIT].decode("utf-8", errors="replace"),
        payload_truncated=len(body) > DLQ_PAYLOAD_LIMIT,
    )
    headers = trace_headers(article_id or "-", trace_id or "-")
    await broker.publish(letter.model_dump_json().encode(), stream=DLQ, headers=headers)


def attach_stage(
    broker: RedisBroker, redis: Redis, spec: StageSpec[Any, Any], settings: Settings
) -> None:
    """Subscribe ``spec`` to its input stream: one reader of new entries, one reclaimer."""

    async def handle(body: bytes, message: RedisStreamMessage) -> None:
        headers = message.headers or {}
        raw_id = message.raw_message["message_ids"][0]
        entry_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
        article_id = headers.get(H_ARTICLE_ID)
        trace_id = headers.get(H_TRACE_ID)
        with bound_contextvars(
            article_id=article_id, trace_id=trace_id, stage=spec.service, entry_id=entry_id
        ):
            await _handle(body, message, entry_id, article_id, trace_id)

    async def _handle(
        body: bytes, message: Any, entry_id: str, article_id: str | None, trace_id: str | None
    ) -> None:
        deliveries = await message.get_delivery_count()
        error_key = _last_error_key(spec.service, entry_id)

        async def give_up(error: str, kind: Literal["permanent", "exhausted"]) -> None:
            await dead_letter(
                broker, origin_stream=spec.input_stream, origin_id=entry_id,
                service=spec.service, error=error, error_kind=kind,
                delivery_count=deliveries, body=body, article_id=article_id,
                trace_id=trace_id,
            )  # fmt: skip
            if article_id:
                await status.fail(redis, article_id, f"{spec.service}: {error}")
            await redis.delete(error_key)
            log.warning("dead-lettered", error=error, error_kind=kind, deliveries=deliveries)

        if deliveries > settings.max_deliveries:
            last = await redis.get(error_key)
            reason = last.decode() if isinstance(last, bytes) else (last or "unknown error")
            await give_up(f"gave up after {deliveries - 1} attempts: {reason}", "exhausted")
            return

        started = time.perf_counter()
        try:
            item = spec.input_model.model_validate_json(body)
        except ValidationError as exc:
            await give_up(f"invalid {spec.input_model.__name__}: {_short(exc)}", "permanent")
            return
        try:
            result = await spec.process(item)
        except PermanentError as exc:
            await give_up(str(exc), "permanent")
            return
        except Exception as exc:
            # Transient (database down, Redis reconnect, a bug): leave the entry pending
            # so the reclaimer retries it; remember why, for the dead letter.
            await redis.set(error_key, f"{type(exc).__name__}: {exc}"[:4000], ex=LAST_ERROR_TTL_S)
            log.exception("stage failed, will retry", deliveries=deliveries)
            raise

        if result is not None and spec.output_stream:
            await broker.publish(
                result.model_dump_json().encode(),
                stream=spec.output_stream,
                headers=trace_headers(item.article_id, item.trace_id),
            )
        await status.advance(redis, item.article_id, spec.done_stage)
        if deliveries > 1:
            await redis.delete(error_key)
        log.info(
            "stage done",
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            deliveries=deliveries,
        )

    consumer = settings.consumer(spec.service)
    common: dict[str, Any] = {
        "ack_policy": AckPolicy.NACK_ON_ERROR,  # Redis: a nack leaves the entry pending
        "decoder": _raw_body,
    }
    if spec.concurrency > 1:
        common["max_workers"] = spec.concurrency
    new_entries = StreamSub(
        spec.input_stream,
        group=spec.service,
        consumer=consumer,
        polling_interval=settings.poll_interval_ms,
        # Read a few at a time (as many as run at once): without a COUNT, XREADGROUP hands one
        # replica the whole backlog and leaves its siblings idle.
        max_records=spec.concurrency,
    )
    # FastStream's min_idle_time subscriber only claims, never reads new entries, so it
    # runs beside the normal one.
    reclaimed = StreamSub(
        spec.input_stream,
        group=spec.service,
        consumer=consumer,
        polling_interval=max(settings.claim_idle_ms // 4, 100),
        min_idle_time=settings.claim_idle_ms,
    )
    broker.subscriber(stream=new_entries, **common)(handle)
    broker.subscriber(stream=reclaimed, **common)(handle)


async def _raw_body(message: Any) -> bytes:
    """Hand the handler the raw body: validation is ours, so bad JSON is dead-lettered."""
    body = message.body
    return body if isinstance(body, bytes) else bytes(body)


def _short(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
