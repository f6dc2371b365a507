"""Per-host limits (concurrency, rate) and robots.txt rules: other hosts never wait."""

from __future__ import annotations

import asyncio

import pytest

from newswire_fetcher.politeness import HostLimiter, HostRate
from newswire_fetcher.robots import RobotsUnavailable, rules_from_response, site_of


async def test_per_host_limit() -> None:
    limiter = HostLimiter(per_host=1, total=4)
    running: dict[str, int] = {"a": 0, "b": 0}
    peak: dict[str, int] = {"a": 0, "b": 0}

    async def fetch(host: str) -> None:
        async with limiter.slot(f"https://{host}.example/x"):
            running[host] += 1
            peak[host] = max(peak[host], running[host])
            await asyncio.sleep(0.01)
            running[host] -= 1

    await asyncio.gather(*(fetch(h) for h in "aaab"), fetch("b"))
    assert peak == {"a": 1, "b": 1}
    assert limiter.in_use("a.example") == 0  # entries are dropped when unused
    assert limiter._hosts == {}


async def test_total_limit_spans_hosts() -> None:
    limiter = HostLimiter(per_host=2, total=2)
    running = 0
    peak = 0

    async def fetch(host: str) -> None:
        nonlocal running, peak
        async with limiter.slot(f"http://{host}/"):
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    await asyncio.gather(*(fetch(f"h{i}.example") for i in range(6)))
    assert peak == 2


def test_host_rate_spaces_each_hosts_requests() -> None:
    rate = HostRate(2.0)  # one request every 0.5 s per host
    assert rate.reserve("a", now=10.0) == 0.0
    assert rate.reserve("a", now=10.0) == 0.5
    assert rate.reserve("a", now=10.1) == pytest.approx(0.9)
    assert rate.reserve("b", now=10.1) == 0.0  # another host is not behind a's queue
    assert rate.reserve("a", now=20.0) == 0.0  # a quiet host starts afresh


def test_host_rate_zero_is_unlimited() -> None:
    rate = HostRate(0)
    assert [rate.reserve("a", now=1.0) for _ in range(5)] == [0.0] * 5


@pytest.mark.parametrize(
    ("status", "url", "allowed"),
    [
        (200, "https://site.example/news/1", True),
        (200, "https://site.example/private/x", False),
        (404, "https://site.example/private/x", True),  # no robots.txt: no rules
        (401, "https://site.example/private/x", True),
    ],
)
def test_rules_from_response(status: int, url: str, allowed: bool) -> None:
    body = b"User-agent: newswire\nDisallow: /private\n"
    assert rules_from_response(status, body, expires_at=0).allows(url) is allowed


def test_server_error_means_unavailable() -> None:
    with pytest.raises(RobotsUnavailable, match="HTTP 503"):
        rules_from_response(503, b"", expires_at=0)


def test_site_of() -> None:
    assert site_of("https://News.Example/a?b") == "https://news.example:443"
    assert site_of("http://news.example:8080/") == "http://news.example:8080"
