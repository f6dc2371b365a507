"""Gathering concurrent calls into batches: ``MicroBatcher``.

A stage that works faster on many items at once (spaCy's ``nlp.pipe``, one database
transaction for many articles) takes several entries at once (``StageSpec.concurrency``)
and passes ``batcher.submit`` as its ``process``: the entries in flight are gathered into
one call of ``run`` in a worker thread, and each entry still gets its own result or
error back, so acknowledgement and dead-lettering stay per message. An async ``run`` (one
round trip for many commands, ``commits.py``) is awaited in the event loop instead.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import structlog

from .logging import get_logger

__all__ = ["MicroBatcher"]

T = TypeVar("T")
R = TypeVar("R")

log = get_logger()


class MicroBatcher(Generic[T, R]):
    """Turns concurrent ``submit(item)`` calls into calls of ``run(items)``: in a thread,
    or awaited when ``run`` is a coroutine function.

    The first item waits up to ``max_wait_s`` for others (or until ``max_size`` are
    queued); items arriving while a batch runs form the next one. ``run`` returns one
    result or exception per item, in order; each caller gets its own back.
    """

    def __init__(
        self,
        run: Callable[[list[T]], list[R | Exception]]
        | Callable[[list[T]], Awaitable[list[R | Exception]]],
        max_size: int,
        max_wait_s: float,
    ) -> None:
        self.run = run
        self.max_size = max_size
        self.max_wait_s = max_wait_s
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def aclose(self) -> None:
        """Stop the drainer (at shutdown); items it had not run stay unrun."""
        if self._drainer is not None:
            self._drainer.cancel()
            await asyncio.gather(self._drainer, return_exceptions=True)

    async def _run(self, items: list[T]) -> list[R | Exception]:
        if inspect.iscoroutinefunction(self.run):
            return await self.run(items)
        # CPU-bound or blocking: keep the event loop free for health checks and acks.
        return await asyncio.to_thread(self.run, items)  # type: ignore[arg-type]

    async def _drain(self) -> None:
        # The task inherited the first caller's log context: a batch is no one article.
        structlog.contextvars.unbind_contextvars("article_id", "trace_id", "entry_id")
        while self._pending:
            if len(self._pending) < self.max_size:
                await asyncio.sleep(self.max_wait_s)
            batch = self._pending[: self.max_size]
            del self._pending[: self.max_size]
            live = [(item, future) for item, future in batch if not future.done()]
            if not live:
                continue
            started = time.perf_counter()
            try:
                results = await self._run([item for item, _ in live])
            except Exception as exc:  # run raised (a bug, a lost connection): all get it
                for _, future in live:
                    if not future.done():
                        future.set_exception(exc)
                continue
            except BaseException:  # shutdown cancelled us: so are the callers' waits
                for _, future in live:
                    future.cancel()
                raise
            for (_, future), result in zip(live, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)
            log.debug("batch done", size=len(live),
                      duration_ms=round((time.perf_counter() - started) * 1000, 1))  # fmt: skip
