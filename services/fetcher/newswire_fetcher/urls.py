"""Submitted URLs: reject what can never be fetched, and give each page one canonical form.

The canonical form decides the article id, so two spellings of the same page (host case,
a default port, a tracking parameter, a fragment) must map to the same string, while
parameters that select different content (``?id=7``, ``?page=2``) must survive.

Where an SSRF guard plugs in: ``validate_submitted_url`` only checks the URL's shape.
Whether the *address* a host resolves to may be contacted is decided per connection
(also after every redirect) in the fetcher's transport, never here: a name that
resolves to a public address now may resolve to 127.0.0.1 on the next lookup.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

MAX_URL_LENGTH = 2083  # the de-facto limit browsers and many servers share
ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

# Tracking parameters: they identify the click, not the page. courlan's normalize_url is
# not used: its tracker pattern also drops content parameters (``game``, ``gallery`` and
# ``refresh`` match its ``ga``/``ref`` prefixes), and its scrub_url replaces a URL that
# embeds another (``/share?u=https://...``) with the embedded one.
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "itm_", "mc_", "oly_", "vero_", "hsa_", "_hs")
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "igsh", "mkt_tok", "_ga", "_gl",
        "ref_src", "ref_url", "s_cid", "cmpid", "ncid", "ocid", "xtor", "spm",
        "at_medium", "at_campaign", "__twitter_impression", "wt_mc", "wt.mc_id",
    }
)  # fmt: skip

_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")
_PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
# Characters left as they are in a path: RFC 3986 unreserved + sub-delims + ":@/" and
# "%" so existing escapes are kept (decoding %2F would change which resource is meant).
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def validate_submitted_url(url: str) -> str:
    """Return ``url`` stripped of surrounding whitespace, or raise ValueError saying why."""
    if not isinstance(url, str):
        raise ValueError("URL must be a string")
    url = url.strip()
    if not url:
        raise ValueError("URL is empty")
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"URL is {len(url)} characters long; the limit is {MAX_URL_LENGTH}")
    if _CONTROL_OR_SPACE.search(url):
        raise ValueError("URL contains whitespace or control characters")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unbalanced "[" in an IPv6 host
        raise ValueError(f"URL cannot be parsed: {exc}") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise ValueError("URL has no scheme; use an absolute http:// or https:// URL")
    if scheme not in ALLOWED_SCHEMES:
        raise ValueError(f"scheme {scheme!r} is not supported; only http and https")
    if parts.username is not None or parts.password is not None:
        raise ValueError("URL must not contain credentials (user:password@)")
    if not parts.hostname:
        raise ValueError("URL has no host")
    try:
        parts.port  # noqa: B018 - the property validates the port
    except ValueError:
        raise ValueError("URL has an invalid port") from None
    _ascii_host(parts.hostname)  # raises for hosts no DNS name can match
    return url


_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@]*@")


def redact_userinfo(url: str) -> str:
    """``http://user:secret@host/`` -> ``http://***@host/``: for messages and log lines."""
    return _USERINFO.sub(r"\1***@", url)


def canonicalize(url: str) -> str:
    """The canonical form of an http(s) URL (the article id is derived from it)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _ascii_host(parts.hostname or "")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = _canonical_path(parts.path)
    return urlunsplit((scheme, netloc, path, _canonical_query(parts.query), ""))


def _ascii_host(hostname: str) -> str:
    """Lower-case, without a trailing dot, internationalised names in their ASCII form."""
    host = hostname.lower().rstrip(".")
    if not host:
        raise ValueError("URL has no host")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"host {hostname!r} is not a valid domain name") from None


def _canonical_path(path: str) -> str:
    path = _remove_dot_segments(re.sub(r"/{2,}", "/", path)) or "/"
    # News sites serve /story and /story/ as one page and links use both spellings, so
    # they must be one article (the root keeps its slash: it is the empty path).
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    path = quote(path, safe=_PATH_SAFE)
    return _PERCENT_ESCAPE.sub(_normalise_escape, path)


def _normalise_escape(match: re.Match[str]) -> str:
    """``%7e`` -> ``~`` (an escaped unreserved character is the same URL); else upper-case."""
    char = chr(int(match.group(0)[1:], 16))
    return char if char in _UNRESERVED else match.group(0).upper()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so ``/a/./b/../c`` and ``/a/c`` are the same page."""
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    joined = "/".join(output)
    return joined if joined.startswith("/") or not joined else "/" + joined


def _canonical_query(query: str) -> str:
    pairs = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if not _is_tracking(key)
    ]
    # Sort by name only: the order of a repeated parameter's values can matter.
    pairs.sort(key=lambda pair: pair[0])
    return urlencode(pairs)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)
