"""The SSRF guard through the real client: every forbidden form is refused, with its reason.

Everything stays on loopback. A "public" news site is simulated on 127.0.0.2: the
resolver override makes ``news.example`` answer 127.0.0.2 and the allow-list lets only
127.0.0.2/32 through, so 127.0.0.1 (where an "internal" server counts its visitors) is
exactly as forbidden as it is in production.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from newswire_fetcher.fetch import fetch_page, make_client
from newswire_shared.settings import Settings
from newswire_shared.worker import PermanentError

PAGE = b"<!doctype html><html><body><p>Public story</p></body></html>"


class Internal(BaseHTTPRequestHandler):
    """Stands for Redis, a database, an admin page: it must never see a request."""

    hits = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "24")
        self.end_headers()
        self.wfile.write(b"<html>secret data</html>")


def serve(handler: type[BaseHTTPRequestHandler], host: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def internal() -> Iterator[str]:
    server = serve(Internal, "127.0.0.1")
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def public(internal: str) -> Iterator[int]:
    """The simulated public site; its redirects point where an attacker would point them."""
    redirects = {
        "/to-loopback": f"{internal}/admin",
        "/to-localhost": internal.replace("127.0.0.1", "localhost") + "/admin",
        "/to-metadata": "http://metadata.test/latest/meta-data/",
        "/to-file": "file:///etc/passwd",
        "/to-gopher": "gopher://127.0.0.1:6379/_FLUSHALL",
        "/to-userinfo": "http://user:hunter2@news.example/",
    }

    class Public(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path in redirects:
                self.send_response(302)
                self.send_header("Location", redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

    server = serve(Public, "127.0.0.2")
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def settings() -> Settings:
    return Settings(
        fetch_timeout_s=5,
        fetch_allowed_networks="127.0.0.2/32",
        fetch_resolve_overrides=(
            "news.example=127.0.0.2,metadata.test=169.254.169.254,mixed.example=127.0.0.2|10.1.1.1"
        ),
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(settings) as http:
        yield http


LOOPBACK = r"127\.0\.0\.1 is loopback \(127\.0\.0\.0/8\)"
MAPPED = (
    r"^refused: ::ffff:(7f00:1|127\.0\.0\.1) is the IPv4-mapped form of 127\.0\.0\.1, "
    r"which is loopback"
)
METADATA = r"169\.254\.169\.254, which is a cloud metadata address \(169\.254\.169\.254/32\)"

FORBIDDEN = [
    ("http://127.1/", rf"^refused: {LOOPBACK}$"),
    ("http://0/", r"^refused: 0\.0\.0\.0 is 'this network' \(unspecified\) \(0\.0\.0\.0/8\)$"),
    ("http://0.0.0.0/", r"^refused: 0\.0\.0\.0 is 'this network'"),
    ("http://2130706433/", rf"^refused: {LOOPBACK}$"),
    ("http://0x7f000001/", rf"^refused: {LOOPBACK}$"),
    ("http://017700000001/", rf"^refused: {LOOPBACK}$"),
    ("http://localhost/", r"^refused: localhost resolves to 127\.0\.0\.1, which is loopback"),
    ("http://LOCALHOST./", r"^refused: localhost resolves to 127\.0\.0\.1, which is loopback"),
    ("http://[::1]/", r"^refused: ::1 is loopback \(::1/128\)$"),
    ("http://[::ffff:127.0.0.1]/", MAPPED),
    ("http://[::ffff:7f00:1]/", MAPPED),
    ("http://[64:ff9b::a9fe:a9fe]/",
     rf"^refused: 64:ff9b::a9fe:a9fe is the NAT64 form of {METADATA}"),
    ("http://[2002:a9fe:a9fe::1]/", rf"^refused: 2002:a9fe:a9fe::1 is the 6to4 form of {METADATA}"),
    ("http://169.254.169.254/latest/", r"^refused: 169\.254\.169\.254 is a cloud metadata"),
    ("http://100.100.100.200/", r"^refused: 100\.100\.100\.200 is a cloud metadata address"),
    ("http://10.20.30.40/", r"^refused: 10\.20\.30\.40 is private \(10\.0\.0\.0/8\)$"),
    ("http://172.16.5.4/", r"^refused: 172\.16\.5\.4 is private \(172\.16\.0\.0/12\)$"),
    ("http://192.168.0.10/", r"^refused: 192\.168\.0\.10 is private \(192\.168\.0\.0/16\)$"),
    ("http://100.64.1.1/", r"^refused: 100\.64\.1\.1 is carrier-grade NAT"),
    ("http://[fd00::1]/", r"^refused: fd00::1 is unique-local \(fc00::/7\)$"),
    ("http://127.0.0.1:80@example.com/", r"^bad URL: URL must not contain credentials"),
    ("file:///etc/passwd", r"^bad URL: scheme 'file' is not supported; only http and https$"),
    ("gopher://127.0.0.1:6379/_INFO", r"^bad URL: scheme 'gopher' is not supported"),
    ("data:text/html,<p>hi</p>", r"^bad URL: scheme 'data' is not supported"),
    ("javascript:alert(1)", r"^bad URL: scheme 'javascript' is not supported"),
    ("http://news.example/" + "a" * 2100,
     r"^bad URL: URL is 2120 characters long; the limit is 2083$"),
    ("http://mixed.example/",
     r"^refused: mixed\.example resolves to 10\.1\.1\.1, which is private"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "reason"), FORBIDDEN, ids=[url[:40] for url, _ in FORBIDDEN])
async def test_forbidden_address_is_refused_with_its_reason(
    client: httpx.AsyncClient, settings: Settings, internal: str, url: str, reason: str
) -> None:
    before = Internal.hits
    with pytest.raises(PermanentError, match=reason):
        await fetch_page(client, url, settings)
    assert Internal.hits == before


async def test_allowed_site_is_fetched_from_the_checked_address(
    client: httpx.AsyncClient, settings: Settings, public: int
) -> None:
    # news.example has no DNS record: success proves the connection went to the address
    # the guard resolved and checked (127.0.0.2), not to a second lookup.
    page = await fetch_page(client, f"http://news.example:{public}/story", settings)
    assert "Public story" in page.html


REDIRECTS = [
    ("/to-loopback", rf"^refused: {LOOPBACK}$"),
    ("/to-localhost", r"^refused: localhost resolves to 127\.0\.0\.1, which is loopback"),
    ("/to-metadata", rf"^refused: metadata\.test resolves to {METADATA.split(', which')[0]}"),
    ("/to-file", r"^bad redirect target 'file:///etc/passwd': scheme 'file' is not supported"),
    ("/to-gopher", r"^bad redirect target 'gopher://.*scheme 'gopher' is not supported"),
    ("/to-userinfo", r"^bad redirect target 'http://\*\*\*@news\.example/': .*credentials"),
]


@pytest.mark.parametrize(("path", "reason"), REDIRECTS, ids=[p for p, _ in REDIRECTS])
async def test_public_page_redirecting_inside_is_refused(
    client: httpx.AsyncClient, settings: Settings, public: int, path: str, reason: str
) -> None:
    before = Internal.hits
    with pytest.raises(PermanentError, match=reason) as raised:
        await fetch_page(client, f"http://news.example:{public}{path}", settings)
    assert Internal.hits == before  # the internal server never saw the request
    assert "hunter2" not in str(raised.value)


async def test_without_the_allow_list_even_the_test_site_is_refused(public: int) -> None:
    settings = Settings(fetch_resolve_overrides="news.example=127.0.0.2")
    async with make_client(settings) as client:
        with pytest.raises(PermanentError, match=r"news\.example resolves to 127\.0\.0\.2"):
            await fetch_page(client, f"http://news.example:{public}/story", settings)
