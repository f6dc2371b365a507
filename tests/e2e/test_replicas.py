"""Two extractor processes on one consumer group: a batch of articles is stored
completely, each replica takes part of the work, and no article is extracted twice."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
import redis

from newswire_shared.devredis import RedisServer
from newswire_shared.status import status_key
from tests.conftest import FIXTURES, SEEDS
from tests.support.newssite import NewsSite, distinct_seed_pages
from tests.support.processes import Pipeline

pytestmark = pytest.mark.e2e

TITLES: dict[str, str] = json.loads((FIXTURES / "seeds" / "golden" / "titles.json").read_text())
ARTICLES = 12


def _extracted_ids(log: Path) -> list[str]:
    """Article ids of the entries this extractor process finished (its "stage done" lines)."""
    ids = []
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if record.get("event") == "stage done" and record.get("stage") == "extractor":
            ids.append(record["article_id"])
    return ids


def test_two_extractors_share_a_batch_and_store_it_all(tmp_path: Path) -> None:
    server = RedisServer(data_dir=tmp_path / "redis")
    server.start()
    pipe = Pipeline(
        redis_url=server.url,
        database_url=f"sqlite:///{tmp_path / 'newswire.db'}",
        log_dir=tmp_path / "logs",
        replicas={"extractor": 2},
        # Small batches: each replica holds at most two entries, so the other one must
        # take the rest of the backlog.
        extra_env={"NEWSWIRE_EXTRACTOR_BATCH_SIZE": "2"},
    )
    client = redis.Redis.from_url(server.url, decode_responses=True)
    with NewsSite(distinct_seed_pages(ARTICLES, SEEDS, TITLES)) as site:
        try:
            pipe.start()
            pipe.wait_ready(timeout_s=240)
            replicas = pipe.processes("extractor")
            assert len(replicas) == 2 and replicas[0].port != replicas[1].port
            urls = [site.url(p) for p in site.pages.values()]
            fetcher = pipe.services["fetcher"].url
            response = httpx.post(f"{fetcher}/articles", json={"urls": urls}, timeout=30)
            assert response.status_code == 202, response.text
            ids = [a["article_id"] for a in response.json()["articles"]]
            assert len(set(ids)) == ARTICLES

            deadline = time.monotonic() + 300
            stages: list[str | None] = []
            while time.monotonic() < deadline:
                stages = [client.hget(status_key(a), "stage") for a in ids]  # type: ignore[misc]
                if all(s in ("stored", "failed") for s in stages):
                    break
                time.sleep(0.5)
            assert stages == ["stored"] * ARTICLES, stages

            sink = pipe.services["sink"].url
            for article_id in ids:
                article = httpx.get(f"{sink}/articles/{article_id}", timeout=10).json()
                assert article["events"], f"{article_id}: no events stored"
        finally:
            pipe.stop()
            client.close()
            server.stop()

    per_replica = [_extracted_ids(r.log_path) for r in replicas]
    assert all(per_replica), f"a replica took no work: {[len(p) for p in per_replica]}"
    done = per_replica[0] + per_replica[1]
    assert sorted(done) == sorted(ids), "every article extracted exactly once"
