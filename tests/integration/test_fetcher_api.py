"""The fetcher API against a real redis-server: what each submission puts on which stream."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import redis as redis_sync
from fastapi.testclient import TestClient

from newswire_fetcher.service import build_app
from newswire_shared import streams
from newswire_shared.app import ServiceRuntime
from newswire_shared.ids import article_id_for_content, article_id_for_url
from newswire_shared.messages import DeadLetter, FetchRequest, RawArticle
from newswire_shared.settings import Settings

URL = "https://example.com/news/story?id=7"


def entries(redis_url: str, stream: str) -> list[tuple[bytes, dict[str, Any]]]:
    client = redis_sync.Redis.from_url(redis_url)
    try:
        return [streams.decode_entry(fields) for _, fields in client.xrange(stream)]
    finally:
        client.close()


@pytest.fixture
def api(redis_url: str) -> Iterator[TestClient]:
    """The API alone: no worker, so nothing tries to fetch the example URLs."""
    runtime = ServiceRuntime("fetcher", settings=Settings(redis_url=redis_url, max_batch_urls=3))
    with TestClient(build_app(runtime, worker=False)) as client:
        yield client


def test_submit_one_url_queues_a_fetch(api: TestClient, redis_url: str) -> None:
    response = api.post("/articles", json={"url": URL})
    assert response.status_code == 202
    data = response.json()
    article_id = article_id_for_url(URL)
    assert data["article_id"] == article_id
    assert data["status_url"] == f"/articles/{article_id}"
    assert data["articles"] == [
        {"article_id": article_id, "url": URL, "canonical_url": URL, "stage": "queued",
         "status_url": f"/articles/{article_id}", "duplicate": False}
    ]  # fmt: skip

    [(body, headers)] = entries(redis_url, streams.FETCH)
    request = FetchRequest.model_validate_json(body)
    assert request.article_id == article_id
    assert request.canonical_url == URL
    assert headers["article_id"] == article_id
    assert headers["trace_id"] == request.trace_id

    status = api.get(f"/articles/{article_id}").json()
    assert status["stage"] == "queued"
    assert status["url"] == URL
    assert status["trace_id"] == request.trace_id
    assert status["queued_at"]
    assert status["error"] is None


def test_same_page_again_is_a_duplicate_unless_forced(api: TestClient, redis_url: str) -> None:
    assert api.post("/articles", json={"url": URL}).status_code == 202
    variant = "https://EXAMPLE.com/news/story?utm_source=x&id=7#top"
    again = api.post("/articles", json={"url": variant})
    assert again.status_code == 202
    assert again.json()["articles"][0]["duplicate"] is True
    assert again.json()["article_id"] == article_id_for_url(URL)
    assert len(entries(redis_url, streams.FETCH)) == 1

    forced = api.post("/articles", json={"url": URL, "force": True})
    assert forced.json()["articles"][0]["duplicate"] is False
    fetches = entries(redis_url, streams.FETCH)
    assert len(fetches) == 2
    first, second = (FetchRequest.model_validate_json(body) for body, _ in fetches)
    assert first.trace_id != second.trace_id  # each attempt is its own trace


def test_batch(api: TestClient, redis_url: str) -> None:
    urls = ["https://example.com/a", "https://example.com/b", "https://example.com/a#x"]
    response = api.post("/articles", json={"urls": urls})
    assert response.status_code == 202
    data = response.json()
    assert "article_id" not in data  # only for a single article
    assert [a["duplicate"] for a in data["articles"]] == [False, False, True]
    assert len(entries(redis_url, streams.FETCH)) == 2


def test_pushed_text_goes_straight_to_raw(api: TestClient, redis_url: str) -> None:
    text = "KYIV (AP) - Officials said on Monday that at least 4 people were killed."
    response = api.post("/articles", json={"text": text})
    assert response.status_code == 202
    article_id = article_id_for_content(text)
    assert response.json()["article_id"] == article_id
    assert entries(redis_url, streams.FETCH) == []
    [(body, headers)] = entries(redis_url, streams.RAW)
    raw = RawArticle.model_validate_json(body)
    assert (raw.article_id, raw.text, raw.html) == (article_id, text, None)
    assert headers["article_id"] == article_id
    assert api.get(f"/articles/{article_id}").json()["stage"] == "fetched"
    # The same text again is the same article.
    assert api.post("/articles", json={"text": text}).json()["articles"][0]["duplicate"]


def test_pushed_html_with_url(api: TestClient, redis_url: str) -> None:
    html = "<html><body><p>Story</p></body></html>"
    response = api.post("/articles", json={"url": URL, "html": html})
    assert response.status_code == 202
    [(body, _)] = entries(redis_url, streams.RAW)
    raw = RawArticle.model_validate_json(body)
    assert (raw.article_id, raw.url, raw.html) == (article_id_for_url(URL), URL, html)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"url": "ftp://example.com/x"}, "url", "scheme 'ftp' is not supported"),
        ({"url": "https://u:p@example.com/"}, "url", "credentials"),
        ({"url": 42}, "url", "string"),
        ({"urls": ["https://example.com/", "nope"]}, "urls", "no scheme"),
        ({"urls": []}, "urls", "at least 1"),
        ({"urls": [f"https://example.com/{i}" for i in range(4)]}, "urls", "at most 3"),
        ({"urls": ["https://example.com/"], "text": "x"}, "urls", "cannot be combined"),
        ({"html": "<p>x</p>"}, "url", "required with html"),
        ({"url": URL, "html": "<p>x</p>", "text": "x"}, "html", "not both"),
        ({"text": "   "}, "text", "empty"),
        ({}, "url", "give url"),
        ({"ulr": URL}, "ulr", "Extra inputs"),
        ({"url": URL, "force": "maybe"}, "force", "boolean"),
    ],
)
def test_invalid_bodies_are_422_naming_the_field(
    api: TestClient, redis_url: str, body: dict[str, Any], field: str, message: str
) -> None:
    response = api.post("/articles", json=body)
    assert response.status_code == 422, response.text
    [error, *_] = response.json()["detail"]
    assert field in error["loc"]
    assert message in error["msg"]
    assert entries(redis_url, streams.FETCH) == []


def test_malformed_json_is_422(api: TestClient) -> None:
    response = api.post(
        "/articles", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_unknown_article_is_404(api: TestClient) -> None:
    response = api.get("/articles/0123456789abcdef")
    assert response.status_code == 404
    assert "unknown article_id" in response.json()["detail"]


def test_openapi_docs(api: TestClient) -> None:
    assert api.get("/docs").status_code == 200
    assert "/articles" in api.get("/openapi.json").json()["paths"]


# --- the worker: newswire.fetch -> newswire.raw, against a page on 127.0.0.1 ------------


class _Site(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        found = self.path == "/story"
        body = b"<html><body><p>Story text</p></body></html>" if found else b"gone"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _wait_for(check: Any, timeout_s: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_worker_fetches_and_publishes(redis_url: str, site: str) -> None:
    settings = Settings(
        redis_url=redis_url, poll_interval_ms=20, fetch_timeout_s=5,
        fetch_allowed_networks="127.0.0.0/8",  # the fixture site is on loopback
    )  # fmt: skip
    with TestClient(build_app(ServiceRuntime("fetcher", settings=settings))) as client:
        ok = client.post("/articles", json={"url": f"{site}/story"}).json()
        gone = client.post("/articles", json={"url": f"{site}/old"}).json()

        [(body, headers)] = _wait_for(lambda: entries(redis_url, streams.RAW))
        raw = RawArticle.model_validate_json(body)
        assert raw.article_id == ok["article_id"] == headers["article_id"]
        assert raw.http_status == 200
        assert raw.html is not None and "Story text" in raw.html
        _wait_for(lambda: client.get(ok["status_url"]).json()["stage"] == "fetched")

        [(letter_body, _)] = _wait_for(lambda: entries(redis_url, streams.DLQ))
        letter = DeadLetter.model_validate_json(letter_body)
        assert letter.article_id == gone["article_id"]
        assert "HTTP 404" in letter.error
        status = _wait_for(lambda: client.get(gone["status_url"]).json())
        assert status["stage"] == "failed"
        assert "HTTP 404" in status["error"]


async def test_concurrent_submissions_of_url_variants_queue_one_fetch(redis_url: str) -> None:
    """Variants of one URL submitted at once: one article, one fetch request."""
    import asyncio

    from newswire_fetcher.intake import submit_url

    runtime = ServiceRuntime("fetcher", settings=Settings(redis_url=redis_url))
    variants = [
        "https://Example.com/news/story?id=7",
        "https://example.com/news/story?id=7#comments",
        "https://example.com/news/story?id=7&utm_source=x",
        "HTTPS://EXAMPLE.COM:443/news/story?utm_medium=y&id=7",
    ] * 10
    try:
        results = await asyncio.gather(*(submit_url(runtime, url) for url in variants))
    finally:
        await runtime.redis.aclose()
    assert len({r.article_id for r in results}) == 1
    assert sum(not r.duplicate for r in results) == 1
    assert len(entries(redis_url, streams.FETCH)) == 1


def test_submissions_count_as_broker_work_in_metrics(api: TestClient) -> None:
    before = api.get("/metrics").json()
    assert api.post("/articles", json={"urls": [URL, URL + "8"]}).status_code == 202
    assert api.post("/articles", json={"url": URL + "9"}).status_code == 202
    after = api.get("/metrics").json()
    assert after["calls"]["intake"] - before["calls"]["intake"] == 2  # one per request
    assert after["cpu_s"]["intake"] > before["cpu_s"]["intake"]
    assert after["entries"] == 0  # no worker in this app: nothing consumed
