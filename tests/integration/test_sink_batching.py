"""The sink stores entries in batches (one transaction), yet each entry keeps its own
outcome: real SQLite and PostgreSQL, and a real redis-server for the runner."""

from __future__ import annotations

import time

import redis as redis_sync
import sqlalchemy as sa
from fastapi.testclient import TestClient

from newswire_shared import status, streams
from newswire_shared.app import ServiceRuntime
from newswire_shared.messages import DeadLetter, ExtractedArticle
from newswire_shared.settings import Settings
from newswire_sink.service import build_app, save_batch
from newswire_sink.store import Store
from tests.integration.test_sink_storage import _encode, make_message


def _bad(article_id: str) -> ExtractedArticle:
    """A message every database refuses: an offset past any INTEGER column."""
    msg = make_message(article_id)
    msg.extraction.mentions[0].start = 2**70
    return msg


def _commits(store: Store) -> list[int]:
    count = [0]

    @sa.event.listens_for(store.engine, "commit")
    def _(_conn: object) -> None:
        count[0] += 1

    return count


def test_a_batch_is_one_transaction(store: Store) -> None:
    commits = _commits(store)
    batch = [make_message(f"art-{n}") for n in (3, 1, 2)]
    assert save_batch(store, batch) == [True, True, True]
    assert commits[0] == 1
    assert {a["article_id"] for a in store.list_articles()} == {"art-1", "art-2", "art-3"}
    # The same batch again (a redelivery) changes nothing.
    assert save_batch(store, batch) == [False, False, False]


def test_a_bad_article_fails_alone(store: Store) -> None:
    batch = [make_message("art-1"), _bad("art-bad"), make_message("art-2")]
    results = save_batch(store, batch)
    assert results[0] is True and results[2] is True
    assert isinstance(results[1], Exception)
    assert store.get_article("art-1") is not None
    assert store.get_article("art-2") is not None
    assert store.get_article("art-bad") is None


def test_the_same_article_twice_in_a_batch_keeps_the_later_one(store: Store) -> None:
    first, second = make_message("art-1"), make_message("art-1")
    second.article.metadata.title = "Updated title"
    assert save_batch(store, [first, second]) == [True, True]
    doc = store.get_article("art-1")
    assert doc is not None
    assert doc["title"] == "Updated title"


def _wait(check: object, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_service_batches_entries_and_dead_letters_only_the_bad_one(
    database_url: str, redis_url: str
) -> None:
    settings = Settings(
        redis_url=redis_url,
        database_url=database_url,
        poll_interval_ms=20,
        claim_idle_ms=300,
        max_deliveries=2,
        consumer_name="sink-batch",
    )
    app = build_app(ServiceRuntime("sink", settings))
    store: Store = app.state.store
    good = [make_message(f"art-{n}") for n in range(12)]
    redis = redis_sync.Redis.from_url(redis_url)

    def consumed() -> bool:
        return int(redis.xpending(streams.EXTRACTED, "sink")["pending"]) == 0

    try:
        with TestClient(app):  # runs the migrations and starts the runner
            commits = _commits(store)
            with redis.pipeline(transaction=True) as pipe:  # all ten readable at once
                for msg in good[:10]:
                    pipe.xadd(streams.EXTRACTED, _encode(msg))  # type: ignore[arg-type]
                pipe.execute()
            _wait(lambda: len(store.list_articles(limit=100)) == 10)
            _wait(consumed)
            assert commits[0] < 10  # stored in batches, not one transaction per entry
            with redis.pipeline(transaction=True) as pipe:
                for msg in [good[10], _bad("art-bad"), good[11]]:
                    pipe.xadd(streams.EXTRACTED, _encode(msg))  # type: ignore[arg-type]
                pipe.execute()
            _wait(lambda: redis.xlen(streams.DLQ) == 1)
            _wait(consumed)
        stages = {m.article_id: redis.hget(status.status_key(m.article_id), "stage") for m in good}
        assert set(stages.values()) == {b"stored"}
        [(_, fields)] = redis.xrange(streams.DLQ)
        letter = DeadLetter.model_validate_json(streams.decode_entry(fields)[0])
        assert letter.article_id == "art-bad"
        # Refused at once, on either database, not retried up to the delivery limit.
        assert (letter.error_kind, letter.delivery_count) == ("permanent", 1)
        assert "database rejected the article" in letter.error
        assert redis.hget(status.status_key("art-bad"), "stage") == b"failed"
    finally:
        redis.close()
    assert len(store.list_articles(limit=100)) == 12
