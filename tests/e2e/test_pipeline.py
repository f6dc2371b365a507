"""End to end: the four services as separate processes, a real redis-server, SQLite, and a
fixture news site on 127.0.0.1 serving pages made from the five seed articles."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from newswire_shared.devredis import RedisServer
from newswire_shared.streams import DLQ, decode_entry
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
        extra_env={"NEWSWIRE_CLAIM_IDLE_MS": "5000"},
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


@pytest.fixture(scope="module")
def stored(pipeline: tuple[Pipeline, NewsSite]) -> list[str]:
    """Posts the five seed URLs in one batch and waits until each is stored (or failed)."""
    pipe, site = pipeline
    fetcher = pipe.services["fetcher"].url
    urls = [site.url(p) for p in site.pages.values()]
    response = httpx.post(f"{fetcher}/articles", json={"urls": urls})
    assert response.status_code == 202, response.text
    submitted = response.json()["articles"]
    assert len(submitted) == 5
    ids = [a["article_id"] for a in submitted]
    states = _wait_stored(fetcher, ids)
    assert all(s["stage"] == "stored" for s in states.values()), states
    return ids


def test_five_seed_pages_become_clean_stored_articles_with_events(
    pipeline: tuple[Pipeline, NewsSite], stored: list[str]
) -> None:
    pipe, site = pipeline
    sink = pipe.services["sink"].url
    pages: list[SeedPage] = list(site.pages.values())

    for page, seed, article_id in zip(pages, SEEDS, stored, strict=True):
        article = httpx.get(f"{sink}/articles/{article_id}", timeout=10).json()
        text = _norm(article["text"])
        for line in _debris_lines(seed):
            assert line not in text, f"{seed.name}: debris survived: {line!r}"
        for snippet in CHROME_SNIPPETS:
            assert snippet not in text, f"{seed.name}: page chrome survived: {snippet!r}"
        golden = (GOLDEN / seed.name).read_text(encoding="utf-8")
        kept = [p for p in golden.split("\n") if p.strip()]
        missing = [p for p in kept if _norm(p) not in text]
        assert not missing, f"{seed.name}: reporting lost: {missing[:3]}"
        assert _norm(article["title"] or "") == _norm(page.title)

        events = article["events"]
        assert events, f"{seed.name}: no events"
        for event in events:
            ev = event["evidence"]
            assert article["text"][ev["start"] : ev["end"]] == ev["sentence"]
        assert {"REQUEST", "STATEMENT"} & {e["type"] for e in events}


def test_resubmitting_a_url_is_the_same_article_and_no_second_fetch(
    pipeline: tuple[Pipeline, NewsSite], stored: list[str]
) -> None:
    pipe, site = pipeline
    fetcher = pipe.services["fetcher"].url
    first = next(iter(site.pages.values()))
    hits_before = dict(site.hits)
    variant = site.url(first).replace("http://", "HTTP://") + "?utm_source=feed#top"
    again = httpx.post(f"{fetcher}/articles", json={"url": variant}).json()
    assert again["article_id"] == stored[0]
    assert again["articles"][0]["duplicate"] is True
    time.sleep(1)
    assert site.hits == hits_before


def test_events_are_queryable_by_type_entity_and_time(
    pipeline: tuple[Pipeline, NewsSite], stored: list[str]
) -> None:
    sink = pipeline[0].services["sink"].url
    requests = httpx.get(f"{sink}/events", params={"type": "REQUEST", "limit": 1000}).json()
    assert requests and all(e["type"] == "REQUEST" for e in requests)
    by_entity = httpx.get(f"{sink}/events", params={"entity": "Zelenskyy", "limit": 1000}).json()
    assert by_entity and {e["article_id"] for e in by_entity} <= set(stored)
    assert len({e["article_id"] for e in by_entity}) >= 4  # one person, five spellings
    none_before = httpx.get(f"{sink}/events", params={"until": "2000-01-01"}).json()
    assert none_before == []


def test_logs_are_json_lines_with_service_article_and_trace(
    pipeline: tuple[Pipeline, NewsSite], stored: list[str]
) -> None:
    pipe, _ = pipeline
    for name, svc in pipe.services.items():
        lines = [ln for ln in svc.log_path.read_text().splitlines() if ln.strip()]
        records = [json.loads(line) for line in lines]  # every line is one JSON object
        steps = [r for r in records if r.get("event") == "stage done"]
        assert len({r["article_id"] for r in steps}) >= 5, f"{name}: a step per article"
        for record in steps:
            assert record["service"] == name
            assert record["article_id"] in stored and record["trace_id"]
            assert record["stage"] == name and record["duration_ms"] >= 0


def test_a_missing_page_fails_with_its_reason_and_is_dead_lettered(
    pipeline: tuple[Pipeline, NewsSite], stored: list[str]
) -> None:
    pipe, site = pipeline
    fetcher = pipe.services["fetcher"].url
    response = httpx.post(f"{fetcher}/articles", json={"url": f"{site.base_url}/no/such/page"})
    assert response.status_code == 202
    article_id = response.json()["article_id"]
    state = _wait_stored(fetcher, [article_id], timeout_s=60)[article_id]
    assert state["stage"] == "failed"
    assert "404" in state["error"]

    client = redis.Redis.from_url(pipe.redis_url)
    letters = [decode_entry(fields) for _, fields in client.xrange(DLQ)]
    client.close()
    assert any(headers.get("article_id") == article_id for _, headers in letters)
