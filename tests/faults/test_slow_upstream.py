"""Fault 6: a silent site and a trickling site with many queued URLs do not hold up the
others: pages of a healthy site submitted after them are stored while every slow URL is
still being fetched."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from newswire_shared.status import STAGE_RANK
from tests.conftest import FIXTURES, SEEDS
from tests.support.faults import FaultEnv, report
from tests.support.newssite import NewsSite, distinct_seed_pages
from tests.support.slowsite import SlowSite

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

TITLES: dict[str, str] = json.loads((FIXTURES / "seeds" / "golden" / "titles.json").read_text())
SLOW_PER_SITE = 25
HEALTHY = 10
FETCH_TIMEOUT_S = 120  # the slow fetches outlast the test's healthy part


def test_slow_and_silent_sites_do_not_hold_up_healthy_ones(tmp_path: Path) -> None:
    with (
        NewsSite(distinct_seed_pages(HEALTHY, SEEDS, TITLES)) as site,
        SlowSite("silent") as silent,
        SlowSite("trickle") as trickle,
    ):
        overrides = "news.example=127.0.0.1,silent.example=127.0.0.1,trickle.example=127.0.0.1"
        env = FaultEnv(
            tmp_path,
            extra_env={
                "NEWSWIRE_FETCH_RESOLVE_OVERRIDES": overrides,
                "NEWSWIRE_FETCH_TIMEOUT_S": str(FETCH_TIMEOUT_S),
            },
        )
        news_port = int(site.server.server_address[1])
        with env:
            slow_urls = [
                f"http://{host}:{port}/story/{i}"
                for host, port in (
                    ("silent.example", silent.port),
                    ("trickle.example", trickle.port),
                )
                for i in range(SLOW_PER_SITE)
            ]
            slow = [a["article_id"] for a in env.submit({"urls": slow_urls})["articles"]]
            time.sleep(1)  # the slow ones are taken first
            healthy_urls = [
                f"http://news.example:{news_port}/{p.slug}" for p in site.pages.values()
            ]
            started = time.monotonic()
            healthy = [a["article_id"] for a in env.submit({"urls": healthy_urls})["articles"]]
            outcome = env.outcome("slow-upstream", healthy, timeout_s=150)
            healthy_s = time.monotonic() - started
            slow_stages = [env.stage(a) for a in slow]
            outcome.recover_s = {"healthy_stored_in": healthy_s}
            outcome.note = (
                f"slow_urls={len(slow)} slow_still_fetching="
                f"{sum(1 for s in slow_stages if s == 'queued')} "
                f"slow_requests_seen={silent.requests + trickle.requests}"
            )
            report(outcome)
            assert outcome.lost == 0 and outcome.stored == HEALTHY, env.tails(["fetcher"])
            assert outcome.duplicates == 0
            # Every slow URL was still in the fetcher when the healthy ones were all stored:
            # the healthy site did not wait for any slow fetch to end.
            assert all(STAGE_RANK[s] == 0 for s in slow_stages), slow_stages
