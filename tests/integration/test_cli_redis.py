"""The ``newswire`` command against a real redis-server and a running fetcher API."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator

import pytest
import redis as redis_sync
import uvicorn
from typer.testing import CliRunner

from newswire_cli.main import app
from newswire_fetcher.service import build_app
from newswire_shared import status, streams
from newswire_shared.app import ServiceRuntime
from newswire_shared.devredis import free_port
from newswire_shared.messages import (
    CleanArticle,
    DeadLetter,
    EntityRef,
    Event,
    Evidence,
    ExtractedArticle,
    Extraction,
    FetchRequest,
)
from newswire_shared.settings import Settings

runner = CliRunner()


def _xadd(redis_url: str, stream: str, body: bytes, article_id: str = "a1") -> str:
    fields = asyncio.run(streams.encode_entry(body, streams.trace_headers(article_id, "t1")))
    client = redis_sync.Redis.from_url(redis_url)
    try:
        return client.xadd(stream, fields).decode()  # type: ignore[arg-type, union-attr]
    finally:
        client.close()


def _fetch_request() -> FetchRequest:
    return FetchRequest(article_id="a1", trace_id="t1", url="https://example.com/x",
                        canonical_url="https://example.com/x")  # fmt: skip


def test_dlq_list_and_replay(redis_url: str) -> None:
    env = {"NEWSWIRE_REDIS_URL": redis_url}
    payload = _fetch_request().model_dump_json()
    letter = DeadLetter(
        origin_stream=streams.FETCH, origin_id="1-0", service="fetcher",
        error="TransientFetchError: HTTP 503", error_kind="exhausted", delivery_count=6,
        article_id="a1", trace_id="t1", payload=payload,
    )  # fmt: skip
    entry_id = _xadd(redis_url, streams.DLQ, letter.model_dump_json().encode())
    asyncio.run(_mark_failed(redis_url))

    listed = runner.invoke(app, ["dlq", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert entry_id in listed.output
    assert "newswire.fetch (fetcher)" in listed.output and "deliveries=6" in listed.output
    assert "HTTP 503" in listed.output

    replayed = runner.invoke(app, ["dlq", "replay", entry_id], env=env)
    assert replayed.exit_code == 0, replayed.output
    client = redis_sync.Redis.from_url(redis_url)
    try:
        assert client.xlen(streams.DLQ) == 0
        [(_, fields)] = client.xrange(streams.FETCH)  # type: ignore[misc]
        body, headers = streams.decode_entry(fields)
        assert body.decode() == payload
        assert headers["article_id"] == "a1" and headers["trace_id"] == "t1"
        assert client.hget(status.status_key("a1"), "stage") == b"queued"
    finally:
        client.close()

    again = runner.invoke(app, ["dlq", "replay", entry_id], env=env)
    assert again.exit_code == 1 and "no dead letter" in again.output


async def _mark_failed(redis_url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    await status.create(client, "a1", url="https://example.com/x")
    await status.fail(client, "a1", "fetcher: HTTP 503")
    await client.aclose()


def test_tail_prints_new_events(redis_url: str) -> None:
    _xadd(redis_url, streams.EXTRACTED, b"{}")  # from before tail started: not shown
    ref = {"entity_id": "e", "type": "GPE"}
    sentence = "Russia struck Kharkiv, killing at least 4 people."
    article = ExtractedArticle(
        article_id="a1", trace_id="t1",
        article=CleanArticle(article_id="a1", trace_id="t1", url="u", canonical_url="u",
                             source_kind="text", text=sentence, content_hash="h"),
        extraction=Extraction(extractor_version="test", events=[Event(
            event_id="ev", type="ASSAULT", trigger="struck",
            actors=[EntityRef(name="Russia", **ref)], recipients=[EntityRef(name="Ukraine", **ref)],
            evidence=Evidence(sentence=sentence, start=0, end=len(sentence)), confidence=0.9,
        )]),
    )  # fmt: skip

    def publish_later() -> None:
        time.sleep(0.7)
        _xadd(redis_url, streams.EXTRACTED, article.model_dump_json().encode())

    threading.Thread(target=publish_later, daemon=True).start()
    result = runner.invoke(app, ["tail", "--count", "1"], env={"NEWSWIRE_REDIS_URL": redis_url})
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert line.startswith("ASSAULT") and "Russia -> Ukraine" in line and "[a1]" in line


@pytest.fixture
def fetcher_url(redis_url: str) -> Iterator[str]:
    """The fetcher API (no worker) under uvicorn on 127.0.0.1."""
    port = free_port()
    runtime = ServiceRuntime("fetcher", settings=Settings(redis_url=redis_url))
    config = uvicorn.Config(build_app(runtime, worker=False), host="127.0.0.1", port=port,
                            log_config=None, lifespan="on")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the fetcher did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_submit_and_status(fetcher_url: str) -> None:
    env = {"NEWSWIRE_FETCHER_URL": fetcher_url}
    urls = "https://example.com/a\n# a comment\n\nhttps://example.com/b?utm_source=x\n"
    result = runner.invoke(app, ["submit", "https://example.com/a#top", "--file", "-", "--json"],
                           input=urls, env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    # The server runs in this process: its log lines share the captured stdout.
    articles = [json.loads(ln) for ln in result.stdout.splitlines() if ln.startswith("{")]
    assert [a["duplicate"] for a in articles] == [False, True, False]
    assert articles[2]["canonical_url"] == "https://example.com/b"

    shown = runner.invoke(app, ["status", articles[0]["article_id"]], env=env)
    assert shown.exit_code == 0, shown.output
    assert "queued" in shown.output and "https://example.com/a" in shown.output

    bad = runner.invoke(app, ["submit", "ftp://example.com/x"], env=env)
    assert bad.exit_code == 1
    assert "HTTP 422" in bad.output and "url: Value error, scheme 'ftp'" in bad.output

    unknown = runner.invoke(app, ["status", "0123456789abcdef"], env=env)
    assert unknown.exit_code == 1 and "unknown article_id" in unknown.output
