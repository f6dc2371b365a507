"""robots.txt, the per-host rate and the SSRF guard through the fetch worker, on loopback.

One server on 127.0.0.1 plays several sites: the resolver override sends each test host
name to it and the handler answers by the Host header.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
import redis as redis_sync
from fastapi.testclient import TestClient

from newswire_fetcher.fetch import TransientFetchError
from newswire_fetcher.service import Fetcher, build_app
from newswire_shared import streams
from newswire_shared.app import ServiceRuntime
from newswire_shared.messages import DeadLetter, FetchRequest, RawArticle
from newswire_shared.settings import Settings
from newswire_shared.worker import PermanentError

ROBOTS = {
    "strict.test": b"User-agent: newswire\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n",
    "open.test": b"User-agent: *\nDisallow: /nobody\n",
}
HOSTS = ["strict.test", "open.test", "norobots.test", "down.test", "slow.test", "fast.test"]


class Sites(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    requests: ClassVar[list[tuple[str, str]]] = []  # (host, path) in arrival order

    def log_message(self, *args: object) -> None:
        pass

    def _send(
        self, status: int, body: bytes, content_type: str = "text/html", **extra: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        host = self.headers["Host"].split(":")[0]
        type(self).requests.append((host, self.path))
        if self.path == "/robots.txt":
            if host in ROBOTS:
                self._send(200, ROBOTS[host], "text/plain")
            elif host == "down.test":
                self._send(503, b"maintenance", "text/plain")
            else:
                self._send(404, b"no robots here", "text/plain")
        elif self.path == "/hop-to-private":
            self._send(302, b"", Location="/private/story")
        else:
            self._send(200, f"<html><p>{host}{self.path}</p></html>".encode())


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sites)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def settings_with(rate: float) -> Settings:
    return Settings(
        fetch_timeout_s=5,
        fetch_allowed_networks="127.0.0.0/8",
        fetch_resolve_overrides=",".join(f"{h}=127.0.0.1" for h in HOSTS),
        fetch_host_rate=rate,
        fetch_host_concurrency=4,
    )


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    Sites.requests.clear()
    worker = Fetcher(settings_with(rate=0))
    await worker.open()
    try:
        yield worker
    finally:
        await worker.close()


def request(url: str) -> FetchRequest:
    return FetchRequest(article_id="a" * 16, trace_id="t" * 16, url=url, canonical_url=url)


async def test_disallowed_url_fails_permanently(fetcher: Fetcher, port: int) -> None:
    url = f"http://strict.test:{port}/private/story"
    with pytest.raises(PermanentError, match=r"disallowed by http://strict\.test:\d+/robots\.txt"):
        await fetcher.process(request(url))
    assert ("strict.test", "/private/story") not in Sites.requests


async def test_allowed_urls_are_fetched_and_robots_txt_is_read_once(
    fetcher: Fetcher, port: int
) -> None:
    urls = [f"http://strict.test:{port}/news/{n}" for n in range(5)]
    pages = await asyncio.gather(*(fetcher.process(request(u)) for u in urls))
    assert all(p.html and "strict.test/news/" in p.html for p in pages)
    # The group for "newswire" applies, not the catch-all "*" one that disallows everything.
    assert Counter(Sites.requests)[("strict.test", "/robots.txt")] == 1


async def test_redirect_into_a_disallowed_path_is_refused(fetcher: Fetcher, port: int) -> None:
    with pytest.raises(PermanentError, match="disallowed by"):
        await fetcher.process(request(f"http://strict.test:{port}/hop-to-private"))
    assert ("strict.test", "/private/story") not in Sites.requests


async def test_missing_robots_txt_allows_everything(fetcher: Fetcher, port: int) -> None:
    page = await fetcher.process(request(f"http://norobots.test:{port}/anything"))
    assert page.html and "norobots.test/anything" in page.html


async def test_robots_txt_server_error_disallows_for_now(fetcher: Fetcher, port: int) -> None:
    with pytest.raises(TransientFetchError, match=r"robots\.txt answered HTTP 503"):
        await fetcher.process(request(f"http://down.test:{port}/story"))
    assert ("down.test", "/story") not in Sites.requests


async def test_a_rate_limited_host_does_not_hold_up_another(port: int) -> None:
    """Two requests a second per host: the slow host's URLs queue, the other host's do not."""
    Sites.requests.clear()
    worker = Fetcher(settings_with(rate=2))
    await worker.open()
    try:
        slow = [worker.process(request(f"http://slow.test:{port}/s/{n}")) for n in range(4)]
        fast = worker.process(request(f"http://fast.test:{port}/f/0"))
        await asyncio.gather(*slow, fast)
    finally:
        await worker.close()
    pages = [path for host, path in Sites.requests if path != "/robots.txt"]
    # Submitted last, the fast host's page arrives before the slow host's queue has drained.
    assert pages.index("/f/0") < pages.index("/s/3")
    assert sorted(p for p in pages if p.startswith("/s/")) == [f"/s/{n}" for n in range(4)]


def _settled(client: TestClient, ids: list[str]) -> dict[str, dict[str, Any]] | None:
    records = {i: client.get(f"/articles/{i}").json() for i in ids}
    done = all(r["stage"] in ("fetched", "failed") for r in records.values())
    return records if done else None


def _wait_for(check: Any, timeout_s: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_worker_dead_letters_each_refusal_with_its_reason(redis_url: str, port: int) -> None:
    """Through the real stage runner and redis-server: nothing is lost, each says why."""
    # The simulated sites are on 127.0.0.1; only that address is allowed, so 127.0.0.2
    # is as forbidden as any loopback address in production.
    settings = settings_with(rate=0).model_copy(
        update={
            "redis_url": redis_url,
            "poll_interval_ms": 20,
            "fetch_allowed_networks": "127.0.0.1/32",
        }
    )
    urls = {
        "ok": f"http://open.test:{port}/story",
        "robots": f"http://strict.test:{port}/private/x",
        "loopback": f"http://127.0.0.2:{port}/story",
        "metadata": "http://169.254.169.254/latest/meta-data/",
    }
    with TestClient(build_app(ServiceRuntime("fetcher", settings=settings))) as client:
        ids = {
            k: client.post("/articles", json={"url": u}).json()["article_id"]
            for k, u in urls.items()
        }
        records = _wait_for(lambda: _settled(client, list(ids.values())))
    assert records[ids["ok"]]["stage"] == "fetched"
    reasons = {k: records[ids[k]]["error"] for k in ("robots", "loopback", "metadata")}
    assert "disallowed by" in reasons["robots"]
    assert "refused: 127.0.0.2 is loopback (127.0.0.0/8)" in reasons["loopback"]
    assert "refused: 169.254.169.254 is a cloud metadata address" in reasons["metadata"]
    letters = [DeadLetter.model_validate_json(body) for body, _ in entries(redis_url, streams.DLQ)]
    assert sorted(letter.article_id for letter in letters) == sorted(
        ids[k] for k in ("robots", "loopback", "metadata")
    )
    [(raw, _)] = entries(redis_url, streams.RAW)
    assert RawArticle.model_validate_json(raw).article_id == ids["ok"]


def entries(redis_url: str, stream: str) -> list[tuple[bytes, dict[str, Any]]]:
    client = redis_sync.Redis.from_url(redis_url)
    try:
        return [streams.decode_entry(fields) for _, fields in client.xrange(stream)]
    finally:
        client.close()
