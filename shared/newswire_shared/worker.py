"""The consuming side of a stage: read a stream in a consumer group, run the stage's
function, publish its output, then acknowledge.

Public API:

- ``StageSpec``: what a service consumes (input stream and model), what it produces
  (output stream, the article's status once done) and its function ``process``.
- ``StageRunner(spec, settings, redis)``: ``await runner.run()`` consumes until
  ``runner.stop()`` is called; then it stops reading, lets in-flight entries finish for up
  to ``shutdown_grace_s`` and leaves the rest pending (another consumer reclaims them).
- ``PermanentError``: raised by ``process`` for input no retry can fix (not HTML, empty
  page): the entry goes to ``newswire.dlq`` at once and the article fails with the reason.
- ``TransientError``: raised by ``process`` for a failure that passes (database down):
  the entry is retried in place with exponential backoff for ``transient_retry_s``, then
  left pending.

What happens to an entry:

- success: output XADD, status advance and XACK in one MULTI/EXEC, so output never exists
  without the ack except as a redelivery (the sink commits to its database first, and its
  upsert on natural keys makes a redelivery change nothing);
- invalid JSON, another schema_version, a ValidationError or PermanentError: dead letter;
- any other exception: the entry stays pending and its error is remembered; the reclaimer
  (XAUTOCLAIM past ``claim_idle_ms``, in every replica) runs it again, and after
  ``max_deliveries`` deliveries dead-letters it with that error.

Entries in flight are re-claimed (XCLAIM JUSTID) periodically, so a slow entry is not
taken over by another replica's reclaimer. The group is created at id 0 and recreated
when it disappears (NOGROUP); Redis connection errors are retried with backoff, never
fatal. A janitor trims the input stream below the oldest entry still needed and deletes
idle consumers of dead replicas (``maintenance``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from . import maintenance, status
from .commits import CommitGroup
from .logging import bound_contextvars, get_logger
from .messages import DeadLetter, Message
from .metrics import BrokerMeter
from .settings import Settings
from .streams import (
    DLQ,
    H_ARTICLE_ID,
    H_TRACE_ID,
    decode_entry,
    encode_entry,
    ensure_group,
    trace_headers,
)

__all__ = ["DLQ_PAYLOAD_LIMIT", "PermanentError", "StageRunner", "StageSpec", "TransientError"]

In = TypeVar("In", bound=Message)
Out = TypeVar("Out", bound=BaseModel)

DLQ_PAYLOAD_LIMIT = 64_000  # bytes of the original body kept in a dead letter
LAST_ERROR_TTL_S = 7 * 24 * 3600
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)

log = get_logger()


class PermanentError(Exception):
    """Input that no retry can fix (not HTML, empty page, ...): fail at once, with a reason."""


class TransientError(Exception):
    """A failure that passes (database down, Redis reconnecting): retry in place."""


@dataclass(frozen=True)
class StageSpec(Generic[In, Out]):
    service: str  # also the consumer group's name
    input_stream: str
    input_model: type[In]
    output_stream: str | None  # None for the sink, whose output is the database
    done_stage: str  # the article's status once this stage succeeded
    process: Callable[[In], Awaitable[Out | None]]
    concurrency: int = 1  # entries handled at once by this process (I/O-bound stages)


def last_error_key(group: str, entry_id: str) -> str:
    return f"newswire:lasterror:{group}:{entry_id}"


def _is_nogroup(exc: ResponseError) -> bool:
    return str(exc).startswith("NOGROUP")


class _Backoff:
    """Exponential delays from ``first`` up to ``cap``; ``reset`` after a success."""

    def __init__(self, cap: float, first: float = 0.05) -> None:
        self.first = min(first, cap)
        self.cap = cap
        self.delay = self.first

    def next(self) -> float:
        delay = self.delay
        self.delay = min(self.delay * 2, self.cap)
        return delay

    def reset(self) -> None:
        self.delay = self.first


class StageRunner:
    """Consumes ``spec.input_stream`` in group ``spec.service`` as one unique consumer."""

    def __init__(
        self,
        spec: StageSpec[Any, Any],
        settings: Settings,
        redis: Redis,
        meter: BrokerMeter | None = None,
    ) -> None:
        self.spec = spec
        self.meter = meter or BrokerMeter()  # the loop thread's CPU on broker work
        self.settings = settings
        self.redis = redis
        self.stream = spec.input_stream
        self.group = spec.service
        self.consumer = settings.consumer(spec.service)
        self._stopping = asyncio.Event()
        self._inflight: dict[str, asyncio.Task[None]] = {}
        self._slot_freed = asyncio.Event()
        # The reader and the reclaimer each take at most the free slots, so together they
        # may briefly hold more entries than that; only this many run at once.
        self._running = asyncio.Semaphore(spec.concurrency)
        self._commits = CommitGroup(redis, self.meter)
        self._stop_asked_at: float | None = None

    # --- lifecycle -------------------------------------------------------------------

    def stop(self) -> None:
        """Stop reading; ``run`` returns once in-flight work is done or the grace is over.

        The grace counts from the first call, so a service exits within it however long
        its HTTP server took to close first.
        """
        if self._stop_asked_at is None:
            self._stop_asked_at = time.monotonic()
        self._stopping.set()

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    async def run(self) -> None:
        with bound_contextvars(stage=self.spec.service):
            await self._run()

    async def _run(self) -> None:
        if not await self._retrying("create group", self._create_group):
            return
        reader = asyncio.create_task(self._read_loop())
        helpers = [
            asyncio.create_task(loop())
            for loop in (self._reclaim_loop, self._heartbeat_loop, self._janitor_loop)
        ]
        log.info("runner started", stream=self.stream, consumer=self.consumer,
                 concurrency=self.spec.concurrency)  # fmt: skip
        try:
            await self._stopping.wait()
            # The reader notices the stop after its current blocking read; entries that
            # read hands over are handled below like the others.
            await asyncio.wait([reader], timeout=self.settings.poll_interval_ms / 1000 + 1)
        finally:
            for task in (reader, *helpers):
                task.cancel()
            await asyncio.gather(reader, *helpers, return_exceptions=True)
            await self._drain()
            await self._commits.aclose()

    async def _drain(self) -> None:
        tasks = list(self._inflight.values())
        if tasks:
            log.info("waiting for in-flight entries", count=len(tasks))
            asked = self._stop_asked_at or time.monotonic()
            left = self.settings.shutdown_grace_s - (time.monotonic() - asked)
            _, late = await asyncio.wait(tasks, timeout=max(left, 0.0))
            for task in late:  # left pending: another consumer reclaims them
                task.cancel()
            if late:
                await asyncio.gather(*late, return_exceptions=True)
                log.warning("shutdown left entries pending", count=len(late))
        log.info("runner stopped", consumer=self.consumer)

    async def _create_group(self) -> None:
        if await ensure_group(self.redis, self.stream, self.group):
            log.info("consumer group created", stream=self.stream, group=self.group)

    async def _recreate_group(self) -> None:
        log.warning("consumer group missing (NOGROUP), recreating at id 0", stream=self.stream)
        await self._create_group()

    async def _retrying(self, what: str, step: Callable[[], Coroutine[Any, Any, None]]) -> bool:
        """``step`` until it succeeds (True), backing off while Redis is unreachable;
        False if the runner is stopped meanwhile."""
        backoff = _Backoff(self.settings.retry_backoff_max_s)
        while True:
            try:
                await step()
                return True
            except REDIS_DOWN as exc:
                delay = backoff.next()
                log.warning("redis unavailable", during=what, error=str(exc), retry_in_s=delay)
                if await self._pause(delay):
                    return False

    async def _recover(self, during: str, exc: Exception, backoff: _Backoff) -> None:
        """After a failed read or reclaim: recreate a lost group, or back off; never exit."""
        if isinstance(exc, ResponseError) and _is_nogroup(exc):
            await self._retrying("recreate group", self._recreate_group)
            return
        delay = backoff.next()
        if isinstance(exc, REDIS_DOWN):
            log.warning("redis unavailable", during=during, error=str(exc), retry_in_s=delay)
        else:
            log.error("unexpected error", during=during, error=f"{type(exc).__name__}: {exc}",
                      retry_in_s=delay)  # fmt: skip
        await self._pause(delay)

    async def _pause(self, seconds: float) -> bool:
        """Sleep unless stopping; True when the runner is stopping."""
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True

    # --- reading -----------------------------------------------------------------------

    def _free_slots(self) -> int:
        return self.spec.concurrency - len(self._inflight)

    async def _wait_for_slot(self) -> None:
        while self._free_slots() <= 0 and not self._stopping.is_set():
            self._slot_freed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._slot_freed.wait(), timeout=0.5)

    def _spawn(self, entry_id: Any, fields: Any, deliveries: int) -> None:
        eid = maintenance.text(entry_id)
        if eid in self._inflight:  # already being handled here
            return
        task = asyncio.create_task(self._handle(eid, fields or {}, deliveries))
        self._inflight[eid] = task

        def done(_: asyncio.Task[None]) -> None:
            self._inflight.pop(eid, None)
            self._slot_freed.set()

        task.add_done_callback(done)

    async def _read_loop(self) -> None:
        backoff = _Backoff(self.settings.retry_backoff_max_s)
        while not self._stopping.is_set():
            await self._wait_for_slot()
            free = self._free_slots()
            if free <= 0:
                continue
            try:
                reply, cpu = await self.meter.measure(self._read(free))
            except Exception as exc:
                await self._recover("read", exc, backoff)
                continue
            backoff.reset()
            streams: Any = reply or []
            started = time.thread_time()
            for _stream, entries in streams:
                for entry_id, fields in entries:
                    self._spawn(entry_id, fields, deliveries=1)
            self.meter.add("read" if streams else "idle_read", cpu + time.thread_time() - started)

    async def _read(self, count: int) -> Any:
        return await self.redis.xreadgroup(
            self.group, self.consumer, {self.stream: ">"},
            count=count, block=self.settings.poll_interval_ms,
        )  # fmt: skip

    async def _reclaim_loop(self) -> None:
        interval = min(max(self.settings.claim_idle_ms / 4000, 0.05), 5.0)
        backoff = _Backoff(self.settings.retry_backoff_max_s)
        cursor = "0-0"
        while not self._stopping.is_set():
            free = self._free_slots()
            if free <= 0:
                await self._pause(interval)
                continue
            try:
                cursor = await self.meter.metered("upkeep", self._reclaim(cursor, free))
            except Exception as exc:
                await self._recover("reclaim", exc, backoff)
                cursor = "0-0"
                continue
            backoff.reset()
            if cursor == "0-0":  # a full pass done: wait before the next
                await self._pause(interval)

    async def _reclaim(self, cursor: str, count: int) -> str:
        """One XAUTOCLAIM step: take over idle entries, handle them; the next cursor."""
        reply = await self.redis.xautoclaim(
            self.stream, self.group, self.consumer,
            min_idle_time=self.settings.claim_idle_ms, start_id=cursor, count=count,
        )  # fmt: skip
        next_cursor = maintenance.text(reply[0])
        claimed = [(maintenance.text(eid), f) for eid, f in reply[1] if eid is not None]
        if len(claimed) < len(reply[1]):
            # Redis before 7 hands back entries deleted while pending as nil, without
            # their ids; Redis 7 drops them from the pending list itself.
            await self._ack_deleted()
        live = [(eid, fields) for eid, fields in claimed if eid not in self._inflight]
        if live:
            counts = await self._delivery_counts([eid for eid, _ in live])
            log.info("reclaimed idle entries", count=len(live))
            for eid, fields in live:
                self._spawn(eid, fields, deliveries=counts.get(eid, 2))
        return next_cursor

    async def _ack_deleted(self) -> None:
        rows = await self.redis.xpending_range(
            self.stream, self.group, "-", "+", 1000, consumername=self.consumer
        )
        for row in rows:
            eid = maintenance.text(row["message_id"])
            if eid not in self._inflight and not await self.redis.xrange(self.stream, eid, eid):
                await self.redis.xack(self.stream, self.group, eid)
                log.warning("pending entry was deleted from the stream", deleted_id=eid)

    async def _delivery_counts(self, ids: list[str]) -> dict[str, int]:
        ordered = sorted(ids, key=maintenance.id_key)
        rows = await self.redis.xpending_range(
            self.stream, self.group, min=ordered[0], max=ordered[-1],
            count=len(ordered) + 100, consumername=self.consumer,
        )  # fmt: skip
        return {maintenance.text(r["message_id"]): int(r["times_delivered"]) for r in rows}

    async def _heartbeat_loop(self) -> None:
        """Keep in-flight entries ours: XCLAIM JUSTID resets their idle time."""
        interval = max(self.settings.claim_idle_ms / 3000, 0.05)
        while not await self._pause(interval):
            try:
                await self.meter.metered("upkeep", self._heartbeat())
            except (ResponseError, *REDIS_DOWN) as exc:
                log.warning("heartbeat failed", error=str(exc))

    async def _heartbeat(self) -> None:
        if not self._inflight:
            return
        ordered = sorted(self._inflight, key=maintenance.id_key)
        rows = await self.redis.xpending_range(
            self.stream, self.group, min=ordered[0], max=ordered[-1],
            count=len(ordered) + 1000, consumername=self.consumer,
        )  # fmt: skip
        # Only entries still ours: one another replica took over (after a long outage)
        # is left to it rather than taken back.
        ours = [
            eid for row in rows if (eid := maintenance.text(row["message_id"])) in self._inflight
        ]
        if ours:
            await self.redis.xclaim(
                self.stream, self.group, self.consumer, min_idle_time=0,
                message_ids=list[Any](ours), justid=True,
            )  # fmt: skip

    async def _janitor_loop(self) -> None:
        while not await self._pause(self.settings.maintenance_interval_s):
            try:
                await self.meter.metered("upkeep", self.maintain())
            except Exception as exc:  # maintenance must never stop the consumer
                log.warning("maintenance failed", error=f"{type(exc).__name__}: {exc}")

    async def maintain(self) -> None:
        """Trim the input stream below what is still needed; forget dead consumers."""
        trimmed = await maintenance.trim_stream(self.redis, self.stream)
        if trimmed:
            log.info("stream trimmed", stream=self.stream, deleted=trimmed)
        await maintenance.delete_dead_consumers(
            self.redis, self.stream, self.group,
            idle_ms=self.settings.dead_consumer_idle_ms, keep=self.consumer,
        )  # fmt: skip

    # --- one entry ---------------------------------------------------------------------

    async def _handle(self, entry_id: str, fields: Any, deliveries: int) -> None:
        with self.meter.timed("decode"):
            body, headers = decode_entry(fields)
        article_id = headers.get(H_ARTICLE_ID)
        trace_id = headers.get(H_TRACE_ID)
        with bound_contextvars(
            article_id=article_id, trace_id=trace_id, stage=self.spec.service, entry_id=entry_id
        ):
            try:
                async with self._running:
                    if self._stopping.is_set():
                        return  # not started before the stop: left pending
                    await self._handle_entry(entry_id, body, article_id, trace_id, deliveries)
            except asyncio.CancelledError:
                log.info("entry left pending at shutdown")
                raise
            except Exception as exc:  # e.g. Redis gone while finishing: stays pending
                log.warning("entry left pending", error=f"{type(exc).__name__}: {exc}",
                            deliveries=deliveries)  # fmt: skip

    async def _handle_entry(
        self,
        entry_id: str,
        body: bytes,
        article_id: str | None,
        trace_id: str | None,
        deliveries: int,
    ) -> None:
        spec = self.spec

        async def give_up(error: str, kind: Literal["permanent", "exhausted"]) -> None:
            letter = DeadLetter(
                origin_stream=self.stream, origin_id=entry_id, service=spec.service,
                error=error[:4000], error_kind=kind, delivery_count=deliveries,
                article_id=article_id, trace_id=trace_id,
                payload=body[:DLQ_PAYLOAD_LIMIT].decode("utf-8", errors="replace"),
                payload_truncated=len(body) > DLQ_PAYLOAD_LIMIT,
            )  # fmt: skip
            reason = f"{spec.service}: {error}"[:2000]
            await self._commit(entry_id, DLQ, letter, article_id or "-", trace_id or "-",
                               article_id, "failed", error=reason)  # fmt: skip
            log.warning("dead-lettered", error=error, error_kind=kind, deliveries=deliveries)

        if deliveries > self.settings.max_deliveries:
            last = await self.meter.metered(
                "upkeep", self.redis.get(last_error_key(self.group, entry_id))
            )
            reason = maintenance.text(last) if last is not None else "unknown error"
            await give_up(f"gave up after {deliveries - 1} attempts: {reason}", "exhausted")
            return
        started = time.perf_counter()
        try:
            with self.meter.timed("validate"):
                item = spec.input_model.model_validate_json(body)
        except ValidationError as exc:
            await give_up(f"invalid {spec.input_model.__name__}: {_short(exc)}", "permanent")
            return

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.transient_retry_s
        backoff = _Backoff(self.settings.retry_backoff_max_s, first=0.1)
        while True:
            try:
                result = await spec.process(item)
                break
            except PermanentError as exc:
                await give_up(str(exc), "permanent")
                return
            except (TransientError, RedisConnectionError, RedisTimeoutError) as exc:
                delay = backoff.next()
                if loop.time() + delay > deadline:
                    await self._remember(entry_id, exc)
                    log.warning("transient error persists, left pending", error=str(exc))
                    return
                log.warning("transient error, retrying", error=str(exc), retry_in_s=delay)
                if await self._pause(delay):
                    return  # shutting down: leave it pending
            except Exception as exc:
                # A bug, or a failure we cannot classify: the reclaimer retries it later,
                # counting deliveries; remember why, for the dead letter.
                await self._remember(entry_id, exc)
                log.exception("stage failed, left pending", deliveries=deliveries)
                return

        output = result if result is not None and spec.output_stream else None
        await self._commit(entry_id, spec.output_stream, output, item.article_id,
                           item.trace_id, item.article_id, spec.done_stage)  # fmt: skip
        log.info("stage done", duration_ms=round((time.perf_counter() - started) * 1000, 1),
                 deliveries=deliveries)  # fmt: skip

    async def _remember(self, entry_id: str, exc: BaseException) -> None:
        # Redis down: the dead letter will then say "unknown error".
        with contextlib.suppress(*REDIS_DOWN):
            await self.meter.metered(
                "commit",
                self.redis.set(
                    last_error_key(self.group, entry_id),
                    f"{type(exc).__name__}: {exc}"[:4000],
                    ex=LAST_ERROR_TTL_S,
                ),
            )

    async def _commit(
        self,
        entry_id: str,
        out_stream: str | None,
        out: BaseModel | None,
        header_article_id: str,
        header_trace_id: str,
        article_id: str | None,
        stage: str,
        **status_fields: str,
    ) -> None:
        """Output, status and ack in one MULTI/EXEC; retried while Redis reconnects."""
        fields = None
        if out is not None and out_stream:
            with self.meter.timed("encode"):  # encode_entry never suspends: all of it counts
                fields = await encode_entry(
                    out.model_dump_json().encode(),
                    trace_headers(header_article_id, header_trace_id),
                )

        def queue_commands(pipe: Pipeline) -> None:
            if fields is not None:
                pipe.xadd(out_stream, fields)  # type: ignore[arg-type]
            if article_id:
                status.queue_advance(pipe, article_id, stage, **status_fields)
            pipe.xack(self.stream, self.group, entry_id)
            pipe.delete(last_error_key(self.group, entry_id))

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.transient_retry_s
        backoff = _Backoff(self.settings.retry_backoff_max_s, first=0.1)
        while True:
            try:
                # With the commits of the entries finishing alongside (commits.py).
                await self.meter.metered("commit", self._commits.commit(queue_commands))
                self.meter.entries += 1
                return
            except REDIS_DOWN as exc:
                delay = backoff.next()
                if loop.time() + delay > deadline:
                    raise
                log.warning("redis unavailable", during="commit", error=str(exc),
                            retry_in_s=delay)  # fmt: skip
                if await self._pause(delay):
                    raise


def _short(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
