"""End to end: the four services as separate processes, a real redis-server, SQLite, and a
fixture news site on 127.0.0.1 serving pages made from the five seed articles."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from newswire_shared.devredis import RedisServer
from tests.conftest import FIXTURES, SEEDS
from tests.support.newssite import CHROME_SNIPPETS, NewsSite, SeedPage, seed_page
from tests.support.processes import Pipeline

pytestmark = pytest.mark.e2e

GOLDEN = FIXTURES / "seeds" / "golden"


def _norm(text: str) -> str:
    return " ".join(text.split())


TITLES: dict[str, str] = json.loads((GOLDEN / "titles.json").read_text(encoding="utf-8"))


def _debris_lines(seed: Path) -> list[str]:
    """Lines of the seed that the hand-written golden body does not keep (nor the title)."""
    golden = _norm((GOLDEN / seed.name).read_text(encoding="utf-8"))
    title = _norm(TITLES[seed.name])
    lines = [_norm(ln) for ln in seed.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return [ln for ln in lines if ln not in golden and ln != title]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Pipeline, NewsSite]]:
    tmp = tmp_path_factory.mktemp("e2e")
    redis = RedisServer(data_dir=tmp / "redis")
    redis.start()
    pages = [seed_page(path, i, TITLES[path.name]) for i, path in enumerate(SEEDS)]
    pipe = Pipeline(
        redis_url=redis.url,
        database_url=f"sqlite:///{tmp / 'newswire.db'}",
        log_dir=tmp / "logs",
        # The fixture site lives on loopback, which the fetcher refuses by default.
        extra_env={"NEWSWIRE_FETCH_ALLOW_PRIVATE": "true", "NEWSWIRE_CLAIM_IDLE_MS": "5000"},
    )
    with NewsSite(pages) as site:
        pipe.start()
        try:
            pipe.wait_ready()
            yield pipe, site
        finally:
            pipe.stop()
            redis.stop()


def _wait_stored(fetcher: str, article_ids: list[str], timeout_s: float = 240) -> dict:
    deadline = time.monotonic() + timeout_s
    states: dict[str, dict] = {}
    while time.monotonic() < deadline:
        states = {a: httpx.get(f"{fetcher}/articles/{a}", timeout=5).json() for a in article_ids}
        if all(s.get("stage") in ("stored", "failed") for s in states.values()):
            return states
        time.sleep(0.5)
    raise AssertionError(f"not all stored in {timeout_s}s: {states}")


def test_five_seed_pages_become_clean_stored_articles_with_events(
    pipeline: tuple[Pipeline, NewsSite],
) -> None:
    pipe, site = pipeline
    fetcher = pipe.services["fetcher"].url
    sink = pipe.services["sink"].url
    pages: list[SeedPage] = list(site.pages.values())

    response = httpx.post(f"{fetcher}/articles", json={"urls": [site.url(p) for p in pages]})
    assert response.status_code == 202, response.text
    submitted = response.json()["articles"]
    assert len(submitted) == 5
    ids = [a["article_id"] for a in submitted]

    states = _wait_stored(fetcher, ids)
    assert all(s["stage"] == "stored" for s in states.values()), states

    for page, seed, article_id in zip(pages, SEEDS, ids, strict=True):
        article = httpx.get(f"{sink}/articles/{article_id}", timeout=10).json()
        text = _norm(article["text"])
        for line in _debris_lines(seed):
            assert _norm(line) not in text, f"{seed.name}: debris survived: {line!r}"
        for snippet in CHROME_SNIPPETS:
            assert snippet not in text, f"{seed.name}: page chrome survived: {snippet!r}"
        golden = (GOLDEN / seed.name).read_text(encoding="utf-8")
        kept = [p for p in golden.split("\n") if p.strip()]
        missing = [p for p in kept if _norm(p) not in text]
        assert not missing, f"{seed.name}: reporting lost: {missing[:3]}"
        assert _norm(article["title"] or "") == _norm(page.title)

        events = article["events"]
        assert events, f"{seed.name}: no events"
        raw_text = article["text"]
        for event in events:
            ev = event["evidence"]
            assert raw_text[ev["start"] : ev["end"]] == ev["sentence"]
        assert {"REQUEST", "STATEMENT"} & {e["type"] for e in events}

    # The same URL again is the same article and is not fetched a second time.
    hits_before = dict(site.hits)
    again = httpx.post(f"{fetcher}/articles", json={"url": site.url(pages[0])}).json()
    assert again["article_id"] == ids[0] and again["articles"][0]["duplicate"] is True
    time.sleep(1)
    assert site.hits == hits_before

    # Events are queryable by type and entity.
    events = httpx.get(f"{sink}/events", params={"type": "REQUEST", "limit": 1000}).json()
    assert events and all(e["type"] == "REQUEST" for e in events)


def test_logs_are_json_lines_with_service_article_and_trace(
    pipeline: tuple[Pipeline, NewsSite],
) -> None:
    pipe, _ = pipeline
    for name, svc in pipe.services.items():
        lines = svc.log_path.read_text().splitlines()
        records = [json.loads(line) for line in lines if line.startswith("{")]
        assert len(records) == len([ln for ln in lines if ln.strip()]), f"{name}: non-JSON lines"
        steps = [r for r in records if r.get("event") == "stage done"]
        assert steps, f"{name}: no stage log lines"
        for record in steps:
            assert record["service"] == name
            assert record["article_id"] and record["trace_id"]
            assert record["stage"] == name and "duration_ms" in record
