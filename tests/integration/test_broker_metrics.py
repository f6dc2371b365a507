"""The broker meter of a real stage runner, and GET /metrics, against a real redis-server."""

from __future__ import annotations

import time

import pytest
import redis as redis_sync
from fastapi.testclient import TestClient

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime, create_service_app
from newswire_shared.messages import FetchRequest, RawArticle
from newswire_shared.settings import Settings
from newswire_shared.worker import StageSpec

IN, OUT = "test.in", "test.out"
N = 20


async def _to_raw(req: FetchRequest) -> RawArticle:
    return RawArticle(article_id=req.article_id, trace_id=req.trace_id, url=req.url,
                      canonical_url=req.canonical_url, html="<p>hi</p>")  # fmt: skip


def _fill(client: redis_sync.Redis, bodies: list[bytes]) -> None:
    import asyncio

    for n, body in enumerate(bodies):
        fields = asyncio.run(streams.encode_entry(body, streams.trace_headers(f"a{n}", "t")))
        client.xadd(IN, fields)  # type: ignore[arg-type]


def _runtime(redis_url: str) -> ServiceRuntime:
    settings = Settings(redis_url=redis_url, consumer_name="meter-1", poll_interval_ms=50,
                        claim_idle_ms=300)  # fmt: skip
    runtime = ServiceRuntime("tester", settings)
    runtime.add_stage(StageSpec(service="tester", input_stream=IN, input_model=FetchRequest,
                                output_stream=OUT, done_stage="fetched", process=_to_raw,
                                concurrency=4))  # fmt: skip
    return runtime


def _wait(check: object, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_metrics_count_every_entry_and_each_kind_of_broker_work(redis_url: str) -> None:
    client = redis_sync.Redis.from_url(redis_url)
    bodies = []
    for n in range(N):
        url = f"http://example.org/{n}"
        req = FetchRequest(article_id=f"a{n}", trace_id=f"t{n}", url=url, canonical_url=url)
        bodies.append(req.model_dump_json().encode())
    bodies.append(b"{not json")  # dead-lettered: validated, then committed to the DLQ
    _fill(client, bodies)
    runtime = _runtime(redis_url)
    try:
        with TestClient(create_service_app(runtime, title="t")) as http:
            _wait(lambda: client.xlen(OUT) == N and client.xlen(streams.DLQ) == 1)
            _wait(lambda: int(client.xpending(IN, "tester")["pending"]) == 0)
            time.sleep(0.3)  # a few empty reads, counted apart
            doc = http.get("/metrics").json()
    finally:
        client.close()
    assert doc["service"] == "tester"
    assert doc["consumer"] == "meter-1"
    assert doc["entries"] == N + 1
    calls, cpu = doc["calls"], doc["cpu_s"]
    assert calls["decode"] == N + 1
    assert calls["validate"] == N + 1
    assert calls["encode"] == N + 1  # N outputs and one dead letter
    assert calls["commit"] == N + 1
    assert calls["read"] >= 1
    assert calls["idle_read"] >= 1
    for kind in ("read", "decode", "validate", "encode", "commit"):
        assert cpu[kind] > 0, kind
    assert doc["broker_cpu_s"] == pytest.approx(sum(cpu.values()))
    assert doc["process_cpu_s"] >= doc["broker_cpu_s"]
