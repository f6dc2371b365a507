"""Fetch one page: bounded in time and size, HTML only, decoded to text.

Errors are sorted by whether a retry can help. ``PermanentError`` (4xx, not HTML, too
big, too many redirects, a bad redirect target) dead-letters the message at once;
``TransientFetchError`` (5xx, 429, timeouts, refused connections) propagates so the
stage runner leaves the entry pending and it is retried. An address the SSRF guard
refuses (see guard.py) is permanent: asking again gets the same answer.
"""

from __future__ import annotations

import asyncio
import re
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from newswire_shared.settings import Settings
from newswire_shared.worker import PermanentError

from .decode import decode_html
from .guard import (
    AddressPolicy,
    GuardedBackend,
    GuardedTransport,
    RefusedAddress,
    Resolve,
    Resolver,
    parse_networks,
    parse_overrides,
)
from .trim import strip_unread
from .urls import redact_userinfo, validate_submitted_url

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Retrying later can help with these client errors; every other 4xx is final.
RETRYABLE_4XX = frozenset({408, 425, 429})
READ_TIMEOUT_S = 10.0  # one silent gap; the total deadline bounds a trickling server
_SNIFF_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)", re.I | re.S)


class TransientFetchError(Exception):
    """A failure a later attempt may not see: server errors, timeouts, network trouble."""


@dataclass(frozen=True)
class FetchedPage:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str
    charset: str  # the encoding the body was decoded with
    html: str  # without what no stage reads (scripts, styles, SVG, comments: trim.py)
    page_chars: int = 0  # the decoded page's length before that trimming


# Called before each request (the first and every redirect hop) with its URL: robots.txt
# and the per-host rate limit live behind it (politeness.py).
Gate = Callable[[str], Awaitable[None]]


def make_client(settings: Settings, resolve: Resolve | None = None) -> httpx.AsyncClient:
    """One client per process (connection reuse); redirects are followed by hand.

    Every connection goes through the SSRF guard; ``resolve`` replaces name resolution
    (tests), else the settings' overrides and then DNS answer. A bad allow-list or
    override entry raises ValueError here, so the fetcher refuses to start.
    """
    policy = AddressPolicy(parse_networks(settings.fetch_allowed_networks))
    resolve = resolve or Resolver(parse_overrides(settings.fetch_resolve_overrides))
    timeout = httpx.Timeout(
        connect=settings.fetch_connect_timeout_s,
        read=min(READ_TIMEOUT_S, settings.fetch_timeout_s),
        write=settings.fetch_connect_timeout_s,
        pool=settings.fetch_timeout_s,
    )
    return httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=False,  # each hop is validated here (robots.txt follows its own)
        max_redirects=settings.fetch_max_redirects,
        trust_env=False,  # no proxy or netrc picked up from the environment
        transport=GuardedTransport(GuardedBackend(policy, resolve)),
        headers={
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
            # Only encodings BoundedDecoder can inflate with a size cap.
            "Accept-Encoding": "gzip, deflate",
        },
    )


async def fetch_page(
    client: httpx.AsyncClient, url: str, settings: Settings, gate: Gate | None = None
) -> FetchedPage:
    """GET ``url`` within ``settings.fetch_timeout_s`` in total, redirects included.

    The deadline covers the work, not the wait ``gate`` imposes (a polite pause is not a
    slow server), so each hop's gate runs outside it.
    """
    try:
        return await _fetch(client, url, settings, gate)
    except RefusedAddress as exc:
        raise PermanentError(str(exc)) from None
    except TimeoutError:
        raise TransientFetchError(
            f"no complete response within {settings.fetch_timeout_s:g}s from {url}"
        ) from None
    except httpx.TimeoutException as exc:
        raise TransientFetchError(f"{type(exc).__name__} fetching {url}") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise PermanentError(f"cannot fetch {url}: {exc}") from None
    except httpx.TransportError as exc:  # refused, reset, DNS failure, broken framing
        raise TransientFetchError(f"{type(exc).__name__} fetching {url}: {exc}") from None


async def _fetch(
    client: httpx.AsyncClient, url: str, settings: Settings, gate: Gate | None
) -> FetchedPage:
    current = _checked(url, url)
    deadline = asyncio.get_running_loop().time() + settings.fetch_timeout_s
    for hop in range(settings.fetch_max_redirects + 1):
        if gate is not None:
            started = asyncio.get_running_loop().time()
            await gate(current)
            deadline += asyncio.get_running_loop().time() - started
        async with asyncio.timeout_at(deadline), client.stream("GET", current) as response:
            if response.is_redirect:
                if hop == settings.fetch_max_redirects:
                    raise PermanentError(
                        f"more than {settings.fetch_max_redirects} redirects, last to "
                        f"{redact_userinfo(response.headers['location'])[:200]}"
                    )
                current = _checked(_redirect_target(response), url)
                continue
            _check_status(response)
            content_type, declared = _check_content_type(response)
            body = await _read_capped(response, settings.fetch_max_bytes)
            if not content_type:
                if not _SNIFF_HTML.match(body[:1024]):
                    raise PermanentError("no Content-Type and the body does not look like HTML")
                content_type = "text/html"
            html, charset = decode_html(body, declared)
            if not html.strip():
                raise PermanentError(f"empty page (HTTP {response.status_code}, no content)")
            return FetchedPage(
                url=url, final_url=str(response.url), status=response.status_code,
                content_type=content_type, charset=charset, html=strip_unread(html),
                page_chars=len(html),
            )  # fmt: skip
    raise AssertionError("unreachable: the loop returns or raises")


def _redirect_target(response: httpx.Response) -> str:
    location = response.headers["location"]
    try:
        return urljoin(str(response.url), location)
    except ValueError:  # e.g. "http://[broken"
        raise PermanentError(f"bad redirect target {redact_userinfo(location)[:200]!r}") from None


def _checked(target: str, origin: str) -> str:
    """Validate a URL about to be requested (the submitted one, or a redirect target)."""
    try:
        return validate_submitted_url(target)
    except ValueError as exc:
        # The target may carry credentials (user:secret@): never repeat them.
        shown = redact_userinfo(target)[:200]
        where = "URL" if target == origin else f"redirect target {shown!r}"
        raise PermanentError(f"bad {where}: {exc}") from None


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    reason = f"HTTP {status} {response.reason_phrase}".rstrip()
    if 200 <= status < 300:
        return
    if status >= 500 or status in RETRYABLE_4XX:
        raise TransientFetchError(f"{reason} from {response.url}")
    raise PermanentError(f"{reason} from {response.url}")


def _check_content_type(response: httpx.Response) -> tuple[str, str | None]:
    """The media type ('' when absent) and the declared charset; non-HTML is permanent."""
    header = response.headers.get("content-type", "")
    media_type, _, params = header.partition(";")
    media_type = media_type.strip().lower()
    if media_type and media_type not in HTML_TYPES:
        raise PermanentError(
            f"not an HTML page: Content-Type is {media_type!r} (accepted: text/html, "
            "application/xhtml+xml)"
        )
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.I)
    return media_type, match.group(1) if match else None


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """The decoded body, refusing anything past ``limit`` bytes before it is held."""
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "identity")
    if declared.isdigit() and int(declared) > limit and encoding.strip().lower() == "identity":
        raise PermanentError(f"page too large: Content-Length {declared} > {limit} bytes")
    decoder = BoundedDecoder(encoding, limit)
    chunks = [decoder.feed(raw) async for raw in response.aiter_raw()]
    return b"".join(chunks)


class BoundedDecoder:
    """Undo Content-Encoding a chunk at a time with a cap on the output.

    httpx inflates a whole network chunk at once: a 64 KiB chunk of a deflate bomb is
    64 MiB of memory before any size check. zlib's ``max_length`` stops at the cap.
    """

    def __init__(self, content_encoding: str, limit: int) -> None:
        encoding = content_encoding.strip().lower()
        self.limit = limit
        self.total = 0
        self.raw_deflate_tried = False
        self.zlib: zlib._Decompress | None
        if encoding in ("", "identity"):
            self.zlib = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self.zlib = zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib or gzip header
        else:
            raise PermanentError(f"unsupported Content-Encoding {content_encoding!r}")

    def feed(self, chunk: bytes) -> bytes:
        out = chunk if self.zlib is None else self._inflate(chunk)
        self.total += len(out)
        if self.total > self.limit:
            raise PermanentError(f"page too large: more than {self.limit} bytes decoded")
        return out

    def _inflate(self, chunk: bytes) -> bytes:
        assert self.zlib is not None
        room = self.limit - self.total + 1  # one byte past the cap proves it is too big
        try:
            return self.zlib.decompress(chunk, room)
        except zlib.error as exc:
            # Some servers send "deflate" without the zlib header: retry once as raw.
            if self.total == 0 and not self.raw_deflate_tried:
                self.raw_deflate_tried = True
                self.zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self._inflate(chunk)
            raise PermanentError(f"corrupt compressed body: {exc}") from None
