"""Group commit: the commits of entries that finish together go to Redis in one MULTI/EXEC.

An entry's commit is a handful of commands (its output XADD, its status, its XACK). Sent
on its own, the round trip and the client's per-call work cost more than the commands
themselves (about 0.1 ms of client CPU per call with redis-py's asyncio client). A stage
that finishes several entries at once (a batch of the extractor or the sink, fetches that
complete together) queues their commits here, and a ``MicroBatcher`` sends those queued
in the same turn of the event loop in one transaction; commits queued while it runs form
the next one.

Each caller still learns its own outcome: the commands of each commit are mapped back to
it, so a command that fails fails only its own commit. A connection error fails them all
(each caller retries its own), as it would one by one.
"""

from __future__ import annotations

from collections.abc import Callable

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from .batching import MicroBatcher
from .metrics import BrokerMeter

__all__ = ["Commit", "CommitGroup"]

# Queues one entry's commands on the pipeline.
Commit = Callable[[Pipeline], None]


class CommitGroup:
    """``commit(queue_commands)`` returns once those commands are executed in Redis."""

    def __init__(self, redis: Redis, meter: BrokerMeter, max_size: int = 64) -> None:
        self.redis = redis
        self.meter = meter
        # No wait beyond the current turn of the loop: a commit is never held back.
        self._batcher: MicroBatcher[Commit, None] = MicroBatcher(self._execute, max_size, 0.0)

    async def commit(self, queue_commands: Commit) -> None:
        await self._batcher.submit(queue_commands)

    async def aclose(self) -> None:
        """Stop sending (at shutdown); commits not sent yet stay unsent."""
        await self._batcher.aclose()

    async def _execute(self, commits: list[Commit]) -> list[Exception | None]:
        # Its CPU is the commits' (each caller counts its own call).
        return await self.meter.metered("commit", self._transaction(commits), calls=0)

    async def _transaction(self, commits: list[Commit]) -> list[Exception | None]:
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
