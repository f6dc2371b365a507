"""CPU the event-loop thread spends on broker work, per kind, always on.

Broker work runs in the loop thread interleaved with everything else (other entries,
HTTP requests, logging), so timing an ``await`` from start to end would also count what
other tasks did meanwhile. ``BrokerMeter.measure`` therefore drives a coroutine step by
step and counts only the thread CPU between each resumption and the next suspension:
the coroutine's own work (building commands, parsing replies, decoding entries).
Synchronous parts are timed with ``timed``. Left out: the event loop's dispatch and the
socket reads it does in transport callbacks before a reply resumes the coroutine
(``bench/runner.py`` prints how much of a no-op stage's CPU that leaves uncounted).

Kinds:

- ``read``: XREADGROUP calls that returned entries, and handing the entries to tasks;
- ``idle_read``: XREADGROUP calls that returned nothing (a cost per second, not per entry);
- ``decode``: the entry's binary format to body and headers;
- ``validate``: the input model parsed from JSON;
- ``encode``: the output model to JSON and the entry's binary format;
- ``commit``: the MULTI/EXEC of output, status and XACK (and dead letters, last errors);
- ``upkeep``: XAUTOCLAIM, heartbeats, trimming, dead consumers;
- ``intake``: the fetcher API's submissions (status record and queued job).

Each service serves its meter as JSON on ``GET /metrics`` (``snapshot``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Generator, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["KINDS", "BrokerMeter"]

T = TypeVar("T")

KINDS = ("read", "idle_read", "decode", "validate", "encode", "commit", "upkeep", "intake")


class _Stepped:
    """Awaits ``awaitable``, adding the thread CPU of each of its steps to ``cpu``."""

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self.awaitable = awaitable
        self.cpu = 0.0

    def __await__(self) -> Generator[Any, Any, Any]:
        coro: Any = self.awaitable.__await__()
        value: Any = None
        error: BaseException | None = None
        while True:
            started = time.thread_time()
            try:
                yielded = coro.throw(error) if error is not None else coro.send(value)
            except StopIteration as stop:
                return stop.value
            finally:
                self.cpu += time.thread_time() - started
            value, error = None, None
            try:
                value = yield yielded
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # cancellation and the like go into the coroutine
                error = exc


class BrokerMeter:
    """Counters of one process: CPU seconds and calls per kind, entries handled."""

    def __init__(self) -> None:
        self.cpu_s: dict[str, float] = dict.fromkeys(KINDS, 0.0)
        self.calls: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.entries = 0  # entries finished: output committed or dead-lettered

    def add(self, kind: str, seconds: float, calls: int = 1) -> None:
        self.cpu_s[kind] += seconds
        self.calls[kind] += calls

    @contextmanager
    def timed(self, kind: str) -> Iterator[None]:
        started = time.thread_time()
        try:
            yield
        finally:
            self.add(kind, time.thread_time() - started)

    async def measure(self, coro: Awaitable[T]) -> tuple[T, float]:
        """``coro``'s result and the loop-thread CPU its own steps took (not counted yet)."""
        stepped = _Stepped(coro)
        result: T = await stepped
        return result, stepped.cpu

    async def metered(self, kind: str, coro: Awaitable[T], calls: int = 1) -> T:
        """Await ``coro``, counting its own CPU under ``kind`` (also when it raises), as
        ``calls`` calls (0 for work done on behalf of calls counted by their callers)."""
        stepped = _Stepped(coro)
        try:
            result: T = await stepped
        finally:
            self.add(kind, stepped.cpu, calls)
        return result

    def snapshot(self) -> dict[str, Any]:
        """The counters, plus this thread's and this process's CPU so far (call it from
        the loop thread, as the HTTP handler does, for the loop's share)."""
        return {
            "entries": self.entries,
            "broker_cpu_s": sum(self.cpu_s.values()),
            "cpu_s": dict(self.cpu_s),
            "calls": dict(self.calls),
            "loop_thread_cpu_s": time.thread_time(),
            "process_cpu_s": time.process_time(),
        }
