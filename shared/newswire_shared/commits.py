"""Group commit: the commits of entries that finish together go to Redis in one MULTI/EXEC.

An entry's commit is a handful of commands (its output XADD, its status, its XACK). Sent
on its own, the round trip and the client's per-call work cost more than the commands
themselves (about 0.1 ms of client CPU per call with redis-py's asyncio client). A stage
that finishes several entries at once (a batch of the extractor or the sink, fetches that
complete together) queues their commits here: the first one starts a drainer, which lets
the entries finishing in the same turn of the event loop join, then sends all of them in
one transaction; commits queued while it runs form the next one.

Each caller still learns its own outcome: the commands of each commit are mapped back to
it, so a command that fails fails only its own commit. A connection error fails them all
(each caller retries its own), as it would one by one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from .metrics import BrokerMeter

__all__ = ["Commit", "CommitGroup"]

# Queues one entry's commands on the pipeline.
Commit = Callable[[Pipeline], None]


class CommitGroup:
    """``commit(queue_commands)`` returns once those commands are executed in Redis."""

    def __init__(self, redis: Redis, meter: BrokerMeter, max_size: int = 64) -> None:
        self.redis = redis
        self.meter = meter
        self.max_size = max_size
        self._pending: list[tuple[Commit, asyncio.Future[None]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def commit(self, queue_commands: Commit) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((queue_commands, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        await future

    async def aclose(self) -> None:
        """Stop the drainer (at shutdown); commits it had not sent stay unsent."""
        if self._drainer is not None:
            self._drainer.cancel()
            await asyncio.gather(self._drainer, return_exceptions=True)

    async def _drain(self) -> None:
        # The task inherited the first caller's log context: a group is no one article.
        structlog.contextvars.unbind_contextvars("article_id", "trace_id", "entry_id")
        await asyncio.sleep(0)  # the entries finishing in this turn of the loop join
        while self._pending:
            batch = [(q, f) for q, f in self._pending[: self.max_size] if not f.done()]
            del self._pending[: self.max_size]
            if not batch:
                continue
            try:
                # Its CPU is the commits' (each caller counts its own call).
                commits = [q for q, _ in batch]
                outcomes = await self.meter.metered("commit", self._execute(commits), calls=0)
            except Exception as exc:
                outcomes = [exc] * len(batch)
            except BaseException:  # cancelled at shutdown: so are the callers' waits
                for _, future in batch:
                    future.cancel()
                raise
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if outcome is None:
                    future.set_result(None)
                else:
                    future.set_exception(outcome)

    async def _execute(self, commits: list[Commit]) -> list[Exception | None]:
        """One MULTI/EXEC for all ``commits``; the first error of each, or None."""
        async with self.redis.pipeline(transaction=True) as pipe:
            spans = []
            for queue_commands in commits:
                start = len(pipe.command_stack)
                queue_commands(pipe)
                spans.append((start, len(pipe.command_stack)))
            results = await pipe.execute(raise_on_error=False)
        return [
            next((r for r in results[start:end] if isinstance(r, Exception)), None)
            for start, end in spans
        ]
