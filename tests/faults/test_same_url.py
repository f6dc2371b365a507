"""Fault 5: one page submitted 100 times, at once and in many spellings (host case,
trailing slash, utm_* parameters, fragment): one article, one fetch."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import FIXTURES, SEEDS
from tests.support.faults import FaultEnv, report
from tests.support.newssite import NewsSite, seed_page

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

TITLES: dict[str, str] = json.loads((FIXTURES / "seeds" / "golden" / "titles.json").read_text())
SUBMISSIONS = 100
HOST = "news.example"  # resolved to the fixture site's address by the fetcher's override


def _variants(port: int, path: str, n: int) -> list[str]:
    hosts = [HOST, HOST.upper(), "News.Example", f"{HOST}."]
    tails = ["", "/", "?utm_source=feed", "/?utm_medium=social&utm_campaign=x", "#comments",
             "?utm_content=a#top", "/#x"]  # fmt: skip
    schemes = ["http", "HTTP"]
    return [
        f"{schemes[i % 2]}://{hosts[i % len(hosts)]}:{port}{path}{tails[i % len(tails)]}"
        for i in range(n)
    ]


def test_a_url_submitted_100_times_in_variants_is_one_article_and_one_fetch(
    tmp_path: Path,
) -> None:
    page = seed_page(SEEDS[0], 0, TITLES[SEEDS[0].name])
    with NewsSite([page]) as site:
        port = int(site.server.server_address[1])
        env = FaultEnv(
            tmp_path, extra_env={"NEWSWIRE_FETCH_RESOLVE_OVERRIDES": f"{HOST}=127.0.0.1"}
        )
        with env:
            urls = _variants(port, f"/{page.slug}", SUBMISSIONS)
            with ThreadPoolExecutor(max_workers=10) as pool:
                answers = list(pool.map(lambda u: env.submit({"url": u}), urls))
            ids = {a["article_id"] for a in answers}
            fresh = [a for a in answers if not a["articles"][0]["duplicate"]]
            outcome = env.outcome("same-url", ids, timeout_s=120)
            fetches = site.hits.get(f"/{page.slug}", 0)  # robots.txt is not the page
            with env.engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT count(*) FROM articles")).scalar()
            outcome.note = (
                f"articles={len(ids)} fresh_202={len(fresh)} fetches={fetches} rows={rows}"
            )
            report(outcome)
            assert len(ids) == 1 and len(fresh) == 1
            assert outcome.lost == 0 and outcome.stored == 1 and outcome.duplicates == 0
            assert fetches == 1, site.hits
            assert rows == 1
