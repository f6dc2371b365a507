"""fetch_page against a real HTTP server on 127.0.0.1: each kind of page, each outcome."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from newswire_fetcher.fetch import TransientFetchError, fetch_page, make_client
from newswire_shared.devredis import free_port
from newswire_shared.settings import Settings
from newswire_shared.worker import PermanentError

PAGE = "<!doctype html><html><head><title>Story</title></head><body><p>Kyiv news</p></body></html>"
CAP = 50_000
JSON_LD = '<script type="application/ld+json">{"headline": "Story"}</script>'
SCRIPTED = (
    f"<html><head>{JSON_LD}<script>track('{'z' * 5000}')</script><style>p{{}}</style>"
    "</head><body><!-- ad slot --><p>Kyiv news</p><svg><path d='M0'/></svg></body></html>"
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # keep pytest output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str | None, **headers: str) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if "Content_Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.partition("?")[0]
        try:
            if path == "/page":
                self._send(200, PAGE.encode(), "text/html; charset=utf-8")
            elif path == "/scripted":
                self._send(200, SCRIPTED.encode(), "text/html; charset=utf-8")
            elif path == "/xhtml":
                self._send(200, PAGE.encode(), "application/xhtml+xml")
            elif path.startswith("/hop/"):
                left = int(path.rsplit("/", 1)[1])
                target = "/page" if left == 0 else f"/hop/{left - 1}"
                self._send(302, b"", None, Location=target)
            elif path == "/to-ftp":
                self._send(301, b"", None, Location="ftp://127.0.0.1/file")
            elif path == "/pdf":
                self._send(200, b"%PDF-1.7 ...", "application/pdf")
            elif path == "/missing":
                self._send(404, b"<h1>Not Found</h1>", "text/html")
            elif path == "/busy":
                self._send(503, b"busy", "text/plain")
            elif path == "/big":
                self._send(200, b"<html>" + b"x" * (CAP * 2), "text/html")
            elif path == "/big-chunked":
                self._chunked(b"<html>" + b"y" * (CAP * 2))
            elif path == "/bomb":
                body = gzip.compress(b"<html>" + b"\0" * (CAP * 200))
                self._send(200, body, "text/html", Content_Encoding="gzip")
            elif path == "/gzip":
                self._send(200, gzip.compress(PAGE.encode()), "text/html", Content_Encoding="gzip")
            elif path == "/latin1":
                body = "<html><body>Café in Zürich</body></html>".encode("latin-1")
                self._send(200, body, "text/html; charset=ISO-8859-1")
            elif path == "/meta-charset":
                body = '<html><head><meta charset="windows-1251"></head><body>Київ</body></html>'
                self._send(200, body.encode("cp1251"), "text/html")
            elif path == "/broken-utf8":
                self._send(
                    200, b"<html><body>ok \xff\xfe bad</body></html>", "text/html; charset=utf-8"
                )
            elif path == "/untyped":
                self._send(200, PAGE.encode(), None)
            elif path == "/empty":
                self._send(200, b"  \n ", "text/html")
            elif path == "/echo-ua":
                body = f"<html><p>{self.headers['User-Agent']}</p></html>"
                self._send(200, body.encode(), "text/html")
            elif path == "/slow":
                self._trickle()
            elif path == "/trickle-1s":
                self._trickle(pause_s=1.0)
            elif path == "/lying-length-huge":  # says 5 GB: refused before a byte is read
                self._send(200, PAGE.encode(), "text/html", Content_Length="5000000000")
            elif path == "/lying-length-short":  # promises more than it sends, then hangs up
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "40000")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(PAGE.encode())
                self.close_connection = True
            elif path == "/endless":
                self._endless_chunks()
            else:
                self._send(404, b"", "text/plain")
        except OSError:  # the client gave up (the size cap, the deadline): fine
            pass

    def _chunked(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for start in range(0, len(body), 8192):
            chunk = body[start : start + 8192]
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def _endless_chunks(self) -> None:
        """Chunk after chunk, never the last one: only the size cap stops it."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<p>" + b"z" * 4093
        while True:
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")

    def _trickle(self, pause_s: float = 0.1) -> None:
        """A byte every ``pause_s``: never silent long enough for the read timeout."""
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for byte in body:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(pause_s)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def settings() -> Settings:
    # The fixture site is on loopback: only the allow-list lets the guard connect to it.
    return Settings(
        fetch_max_bytes=CAP, fetch_max_redirects=3, fetch_timeout_s=1.5,
        fetch_allowed_networks="127.0.0.0/8",
    )  # fmt: skip


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(settings) as http:
        yield http


async def test_html_page(site: str, client: httpx.AsyncClient, settings: Settings) -> None:
    page = await fetch_page(client, f"{site}/page", settings)
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.final_url == f"{site}/page"
    assert "Kyiv news" in page.html


async def test_what_no_stage_reads_is_not_passed_on(
    site: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    page = await fetch_page(client, f"{site}/scripted", settings)
    assert page.html == f"<html><head>{JSON_LD}</head><body><p>Kyiv news</p></body></html>"
    assert page.page_chars == len(SCRIPTED)


async def test_xhtml_and_gzip_are_accepted(
    site: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    assert (await fetch_page(client, f"{site}/xhtml", settings)).content_type == (
        "application/xhtml+xml"
    )
    assert "Kyiv news" in (await fetch_page(client, f"{site}/gzip", settings)).html


async def test_redirect_chain_is_followed(
    site: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    page = await fetch_page(client, f"{site}/hop/2", settings)  # 3 redirects: the limit
    assert page.final_url == f"{site}/page"
    assert "Kyiv news" in page.html


async def test_too_many_redirects(site: str, client: httpx.AsyncClient, settings: Settings) -> None:
    with pytest.raises(PermanentError, match="more than 3 redirects"):
        await fetch_page(client, f"{site}/hop/3", settings)


async def test_redirect_to_another_scheme(
    site: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    with pytest.raises(PermanentError, match=r"redirect target.*scheme 'ftp'"):
        await fetch_page(client, f"{site}/to-ftp", settings)


async def test_pdf_is_refused(site: str, client: httpx.AsyncClient, settings: Settings) -> None:
    with pytest.raises(PermanentError, match=r"not an HTML page.*application/pdf"):
        await fetch_page(client, f"{site}/pdf", settings)


async def test_404_is_permanent(site: str, client: httpx.AsyncClient, settings: Settings) -> None:
    with pytest.raises(PermanentError, match="HTTP 404 Not Found"):
        await fetch_page(client, f"{site}/missing", settings)


async def test_503_is_transient(site: str, client: httpx.AsyncClient, settings: Settings) -> None:
    with pytest.raises(TransientFetchError, match="HTTP 503"):
        await fetch_page(client, f"{site}/busy", settings)


@pytest.mark.parametrize("path", ["/big", "/big-chunked", "/bomb", "/endless"])
async def test_pages_past_the_cap(
    site: str, client: httpx.AsyncClient, settings: Settings, path: str
) -> None:
    with pytest.raises(PermanentError, match="page too large"):
        await fetch_page(client, f"{site}{path}", settings)


async def test_slow_page_hits_the_deadline(
    site: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    started = time.monotonic()
    with pytest.raises(TransientFetchError, match=r"no complete response within 1.5s"):
        await fetch_page(client, f"{site}/slow", settings)
    assert time.monotonic() - started < 10  # generous: only proves the deadline cut it


async def test_connection_refused_is_transient(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    with pytest.raises(TransientFetchError, match="ConnectError"):
        await fetch_page(client, f"http://127.0.0.1:{free_port()}/", settings)


@pytest.mark.parametrize(
    ("path", "expected", "charset"),
    [
        ("/latin1", "Café in Zürich", "cp1252"),
        ("/meta-charset", "Київ", "cp1251"),
        ("/broken-utf8", "ok \ufffd\ufffd bad", "utf-8"),
    ],
)
async def test_charsets(
    site: str, client: httpx.AsyncClient, settings: Settings, path: str, expected: str,
    charset: str,
) -> None:  # fmt: skip
    page = await fetch_page(client, f"{site}{path}", settings)
    assert expected in page.html
    assert page.charset == charset


async def test_missing_content_type_is_sniffed(
    site: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    page = await fetch_page(client, f"{site}/untyped", settings)
    assert page.content_type == "text/html"


async def test_empty_page_is_permanent(
    site: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    with pytest.raises(PermanentError, match="empty page"):
        await fetch_page(client, f"{site}/empty", settings)


async def test_bad_url_is_permanent(client: httpx.AsyncClient, settings: Settings) -> None:
    with pytest.raises(PermanentError, match=r"bad URL.*credentials"):
        await fetch_page(client, "http://user:pw@127.0.0.1/", settings)


async def test_user_agent_is_sent(site: str, client: httpx.AsyncClient, settings: Settings) -> None:
    page = await fetch_page(client, f"{site}/echo-ua", settings)
    assert f"<p>{settings.user_agent}</p>" in page.html


async def test_lying_content_length_too_big_is_refused_unread(
    site: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    with pytest.raises(PermanentError, match=r"page too large: Content-Length 5000000000 > 50000"):
        await fetch_page(client, f"{site}/lying-length-huge", settings)


async def test_lying_content_length_cut_short_is_a_transient_error(
    site: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    with pytest.raises(TransientFetchError, match="without sending complete message body"):
        await fetch_page(client, f"{site}/lying-length-short", settings)


async def test_one_byte_a_second_hits_the_total_deadline(
    site: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    with pytest.raises(TransientFetchError, match=r"no complete response within 1.5s"):
        await fetch_page(client, f"{site}/trickle-1s", settings)


async def test_bad_bodies_do_not_hold_up_other_urls(
    site: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    """While each bad body runs into its limit, ordinary pages keep being fetched."""
    good_done: list[str] = []
    outcomes: dict[str, tuple[str, int]] = {}  # bad path -> (error, good pages done by then)

    async def good(n: int) -> None:
        page = await fetch_page(client, f"{site}/page?n={n}", settings)
        assert "Kyiv news" in page.html
        good_done.append(page.url)

    async def bad(path: str) -> None:
        try:
            await fetch_page(client, f"{site}{path}", settings)
        except (PermanentError, TransientFetchError) as exc:
            outcomes[path] = (str(exc), len(good_done))

    bad_paths = ["/trickle-1s", "/endless", "/bomb", "/lying-length-huge", "/pdf"]
    await asyncio.gather(*(bad(p) for p in bad_paths), *(good(n) for n in range(10)))
    assert len(good_done) == 10
    assert "no complete response" in outcomes["/trickle-1s"][0]
    assert outcomes["/trickle-1s"][1] == 10  # every good page was done before it gave up
    assert "page too large" in outcomes["/endless"][0]
    assert "page too large" in outcomes["/bomb"][0]
    assert "Content-Length 5000000000" in outcomes["/lying-length-huge"][0]
    assert "application/pdf" in outcomes["/pdf"][0]
