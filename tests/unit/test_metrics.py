"""BrokerMeter: a coroutine's own CPU, not what other tasks do while it waits."""

from __future__ import annotations

import asyncio
import time

import pytest

from newswire_shared.metrics import KINDS, BrokerMeter


def _burn(cpu_s: float) -> None:
    started = time.thread_time()
    while time.thread_time() - started < cpu_s:
        pass


async def test_metered_counts_only_the_coroutines_own_steps() -> None:
    meter = BrokerMeter()
    waiting = asyncio.Event()

    async def broker_call() -> str:
        _burn(0.02)
        await waiting.wait()  # another task burns CPU in this thread meanwhile
        _burn(0.02)
        return "reply"

    async def other_work() -> None:
        await asyncio.sleep(0)
        _burn(0.3)
        waiting.set()

    result, _ = await asyncio.gather(meter.metered("commit", broker_call()), other_work())
    assert result == "reply"
    assert meter.calls["commit"] == 1
    assert 0.04 <= meter.cpu_s["commit"] < 0.2  # the other task's 0.3 s is not in it


async def test_measure_returns_the_cpu_without_counting_it() -> None:
    meter = BrokerMeter()

    async def work() -> int:
        _burn(0.01)
        await asyncio.sleep(0)
        return 7

    value, cpu = await meter.measure(work())
    assert value == 7
    assert cpu >= 0.01
    assert sum(meter.calls.values()) == 0


async def test_an_error_propagates_and_its_cpu_still_counts() -> None:
    meter = BrokerMeter()

    async def fails() -> None:
        _burn(0.01)
        await asyncio.sleep(0)
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await meter.metered("read", fails())
    assert meter.calls["read"] == 1
    assert meter.cpu_s["read"] >= 0.01


async def test_cancellation_reaches_the_metered_coroutine() -> None:
    meter = BrokerMeter()
    cleaned_up = asyncio.Event()

    async def blocks() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            cleaned_up.set()

    task = asyncio.create_task(meter.metered("upkeep", blocks()))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned_up.is_set()
    assert meter.calls["upkeep"] == 1


def test_timed_and_snapshot() -> None:
    meter = BrokerMeter()
    with meter.timed("decode"):
        _burn(0.01)
    snap = meter.snapshot()
    assert set(snap["cpu_s"]) == set(KINDS)
    assert snap["cpu_s"]["decode"] >= 0.01
    assert snap["broker_cpu_s"] == pytest.approx(sum(snap["cpu_s"].values()))
    assert snap["loop_thread_cpu_s"] >= snap["cpu_s"]["decode"]
    assert snap["process_cpu_s"] >= snap["loop_thread_cpu_s"] - 0.01
