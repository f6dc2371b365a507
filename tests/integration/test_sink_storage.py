"""The sink against real databases (SQLite, and PostgreSQL when configured): migrations,
idempotent saves, queries, the read API, and the stage consuming a real stream."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import redis as redis_sync
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from fastapi.testclient import TestClient

from newswire_shared import status, streams
from newswire_shared.app import ServiceRuntime
from newswire_shared.messages import (
    ArticleMetadata,
    CleanArticle,
    Count,
    Entity,
    EntityRef,
    Event,
    EventTime,
    Evidence,
    ExtractedArticle,
    Extraction,
    Location,
    Mention,
    Modality,
    Money,
    Quote,
    Removal,
)
from newswire_shared.settings import Settings
from newswire_shared.worker import PermanentError, TransientError
from newswire_sink.api import router
from newswire_sink.db import alembic_config, make_engine, migrate
from newswire_sink.models import Base
from newswire_sink.service import build_app, make_stage
from newswire_sink.store import Store

TABLES = ("articles", "entities", "mentions", "quotes", "events", "event_entities")

# --- test messages --------------------------------------------------------------------

TEXT = (
    "Russian forces struck Kharkiv on Monday, killing at least 4 people. "
    "Zelensky said: “We will respond.” "
    "The EU pledged €50 million in aid to Ukraine."
)
RUSSIA = Entity(entity_id="gpe-russia", name="Russia", type="GPE", aliases=["Russian Federation"])
KHARKIV = Entity(
    entity_id="gpe-kharkiv", name="Kharkiv", type="GPE", country="UA", latitude=50.0, longitude=36.2
)
ZELENSKY = Entity(
    entity_id="per-zelensky",
    name="Volodymyr Zelenskyy",
    type="PERSON",
    aliases=["Zelensky", "Selenskyj", "Зеленський"],
    country="UA",
)
EU = Entity(entity_id="org-eu", name="European Union", type="ORG", aliases=["EU"])
UKRAINE = Entity(entity_id="gpe-ukraine", name="Ukraine", type="GPE", country="UA")


def ref(entity: Entity) -> EntityRef:
    return EntityRef(entity_id=entity.entity_id, name=entity.name, type=entity.type)


def evidence(sentence: str) -> Evidence:
    start = TEXT.index(sentence)
    return Evidence(sentence=sentence, start=start, end=start + len(sentence))


def assault(article_id: str, day: date | None = date(2024, 3, 4)) -> Event:
    return Event(
        event_id=f"{article_id}-assault",
        type="ASSAULT",
        acled_event_type="Explosions/Remote violence",
        acled_sub_event_type="Shelling/artillery/missile attack",
        trigger="struck",
        actors=[ref(RUSSIA)],
        location=Location(
            name="Kharkiv",
            entity_id=KHARKIV.entity_id,
            country="UA",
            latitude=50.0,
            longitude=36.2,
            precision="city",
        ),
        time=EventTime(text="on Monday", date=day, precision="day") if day else None,
        counts=[Count(kind="killed", value=4, at_least=True, text="at least 4")],
        evidence=evidence("Russian forces struck Kharkiv on Monday, killing at least 4 people."),
        confidence=0.9,
    )


def statement(article_id: str) -> Event:
    return Event(
        event_id=f"{article_id}-statement",
        type="STATEMENT",
        trigger="said",
        actors=[ref(ZELENSKY)],
        modality=Modality(future=True),
        claim_source="said",
        evidence=evidence("Zelensky said: “We will respond.”"),
        confidence=0.7,
    )


def aid(article_id: str) -> Event:
    return Event(
        event_id=f"{article_id}-aid",
        type="AID",
        trigger="pledged",
        actors=[ref(EU)],
        recipients=[ref(UKRAINE)],
        money=[Money(amount=50_000_000, currency="EUR", text="€50 million")],
        evidence=evidence("The EU pledged €50 million in aid to Ukraine."),
        confidence=0.8,
    )


def make_message(
    article_id: str = "art-1",
    *,
    events: list[Event] | None = None,
    published: date | None = date(2024, 3, 5),
    trace_id: str = "trace-1",
    extractor_version: str = "extractor-1",
) -> ExtractedArticle:
    """An ExtractedArticle as the extractor would publish it; events default to all three."""
    if events is None:
        events = [assault(article_id), statement(article_id), aid(article_id)]
    article = CleanArticle(
        article_id=article_id,
        trace_id=trace_id,
        url=f"https://news.example/{article_id}?utm_source=x",
        canonical_url=f"https://news.example/{article_id}",
        source_kind="html",
        metadata=ArticleMetadata(
            title=f"Strikes on Kharkiv ({article_id})",
            authors=["A. Writer"],
            published=published,
            site_name="Example News",
            language="en",
        ),
        text=TEXT,
        removed=[Removal(text="Donate now!", reason="donation appeal")],
        content_hash=f"hash-{article_id}",
    )
    zelensky_at = TEXT.index("Zelensky")
    quote_at = TEXT.index("We will respond.")
    extraction = Extraction(
        extractor_version=extractor_version,
        entities=[RUSSIA, KHARKIV, ZELENSKY, EU, UKRAINE],
        mentions=[
            Mention(
                text="Zelensky",
                start=zelensky_at,
                end=zelensky_at + 8,
                type="PERSON",
                entity_id=ZELENSKY.entity_id,
            ),
            Mention(
                text="€50 million",
                start=TEXT.index("€"),
                end=TEXT.index("€") + 11,
                type="MONEY",
                value=50_000_000,
                unit="EUR",
            ),
        ],
        quotes=[
            Quote(
                quote_id=f"{article_id}-q1",
                text="We will respond.",
                start=quote_at,
                end=quote_at + 16,
                speaker=ref(ZELENSKY),
                speaker_text="Zelensky",
                cue="said",
            ),
        ],
        events=events,
    )
    return ExtractedArticle(
        article_id=article_id, trace_id=trace_id, article=article, extraction=extraction
    )


# --- fixtures and helpers -------------------------------------------------------------


def row_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            t: conn.execute(sa.select(sa.func.count()).select_from(sa.table(t))).scalar_one()
            for t in TABLES
        }


def table_rows(store: Store, table: str) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return sorted(
            (tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {table}"))),
            key=repr,
        )


def event_ids(events: list[dict]) -> set[str]:
    return {e["event_id"] for e in events}


# --- migrations -----------------------------------------------------------------------


def test_migrate_twice_and_schema_matches_models(database_url: str) -> None:
    migrate(database_url)
    migrate(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert context.get_current_revision() == head
            # The hand-written migration and the models describe the same schema.
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_concurrent_migrations_all_succeed(database_url: str) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            migrate(database_url)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = Store(database_url)
    try:
        assert store.list_articles() == []
    finally:
        store.dispose()


# --- saving ---------------------------------------------------------------------------


def test_save_and_get_article_round_trip(store: Store) -> None:
    msg = make_message()
    assert store.save(msg) is True

    doc = store.get_article("art-1")
    assert doc is not None
    assert doc["text"] == TEXT
    assert doc["title"] == "Strikes on Kharkiv (art-1)"
    assert doc["authors"] == ["A. Writer"]
    assert doc["published"] == date(2024, 3, 5)
    assert doc["canonical_url"] == "https://news.example/art-1"
    assert doc["removed"] == [{"text": "Donate now!", "reason": "donation appeal"}]
    assert doc["extractor_version"] == "extractor-1"
    assert doc["trace_id"] == "trace-1"
    assert doc["stored_at"].tzinfo is not None

    assert {e["entity_id"]: Entity.model_validate(e) for e in doc["entities"]} == {
        e.entity_id: e for e in msg.extraction.entities
    }
    assert [Mention.model_validate(m) for m in doc["mentions"]] == msg.extraction.mentions
    assert [Quote.model_validate(q) for q in doc["quotes"]] == msg.extraction.quotes
    stored = {e["event_id"]: Event.model_validate(e) for e in doc["events"]}
    assert stored == {e.event_id: e for e in msg.extraction.events}
    for e in doc["events"]:
        assert TEXT[e["evidence"]["start"] : e["evidence"]["end"]] == e["evidence"]["sentence"]
        assert e["article_id"] == "art-1"


def test_get_missing_article_is_none(store: Store) -> None:
    assert store.get_article("nope") is None


def test_saving_the_same_message_twice_changes_nothing(store: Store) -> None:
    msg = make_message()
    assert store.save(msg) is True
    counts = row_counts(store)
    snapshot = {t: table_rows(store, t) for t in TABLES}

    assert store.save(msg) is False
    # A re-run of the pipeline with the same content: new trace id, new timestamps.
    rerun = make_message(trace_id="trace-2")
    assert store.save(rerun) is False

    assert (
        row_counts(store)
        == counts
        == {
            "articles": 1,
            "entities": 5,
            "mentions": 2,
            "quotes": 1,
            "events": 3,
            "event_entities": 5,
        }
    )
    assert {t: table_rows(store, t) for t in TABLES} == snapshot


def test_reprocessing_with_fewer_events_replaces_rows(store: Store) -> None:
    store.save(make_message())
    before = store.get_article("art-1")
    assert before is not None

    fewer = make_message(events=[statement("art-1")], extractor_version="extractor-2")
    fewer.extraction.quotes = []
    assert store.save(fewer) is True

    after = store.get_article("art-1")
    assert after is not None
    assert event_ids(after["events"]) == {"art-1-statement"}
    assert after["quotes"] == []
    assert after["extractor_version"] == "extractor-2"
    assert after["stored_at"] == before["stored_at"]
    assert after["updated_at"] >= before["updated_at"]
    counts = row_counts(store)
    assert counts["events"] == 1 and counts["quotes"] == 0
    assert counts["event_entities"] == 1  # only Zelensky, as the statement's actor


def test_other_articles_rows_are_untouched(store: Store) -> None:
    store.save(make_message("art-1"))
    store.save(make_message("art-2"))
    store.save(make_message("art-1", events=[]))
    assert event_ids(store.list_events(article_id="art-2")) == {
        "art-2-assault",
        "art-2-statement",
        "art-2-aid",
    }
    assert store.list_events(article_id="art-1") == []


def test_an_event_id_reused_by_another_article_moves_there(store: Store) -> None:
    store.save(make_message("art-1"))
    borrowed = assault("art-1")  # same natural key, now reported by art-2
    store.save(make_message("art-2", events=[borrowed]))
    assert event_ids(store.list_events(article_id="art-2")) == {"art-1-assault"}
    assert event_ids(store.list_events(article_id="art-1")) == {"art-1-statement", "art-1-aid"}
    assert row_counts(store)["events"] == 3


def test_concurrent_saves_of_one_article(store: Store) -> None:
    versions = [make_message(trace_id=f"t{i}", extractor_version=f"v{i % 3}") for i in range(8)]
    errors: list[BaseException] = []

    def save(msg: ExtractedArticle) -> None:
        try:
            store.save(msg)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(m,)) for m in versions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    counts = row_counts(store)
    assert counts["articles"] == 1 and counts["events"] == 3 and counts["entities"] == 5


# --- queries --------------------------------------------------------------------------


@pytest.fixture
def two_articles(store: Store) -> Store:
    store.save(make_message("art-1"))  # assault dated 2024-03-04; others fall back to 03-05
    store.save(
        make_message(
            "art-2",
            events=[assault("art-2", day=None), aid("art-2")],
            published=date(2024, 4, 1),
        )
    )
    return store


def test_list_events_by_type(two_articles: Store) -> None:
    assert event_ids(two_articles.list_events(type="ASSAULT")) == {"art-1-assault", "art-2-assault"}
    assert event_ids(two_articles.list_events(type="aid")) == {"art-1-aid", "art-2-aid"}
    assert two_articles.list_events(type="PROTEST") == []


@pytest.mark.parametrize(
    "entity",
    ["per-zelensky", "Volodymyr Zelenskyy", "volodymyr zelenskyy", "Selenskyj", "ЗЕЛЕНСЬКИЙ"],
)
def test_list_events_by_entity_id_name_or_alias(two_articles: Store, entity: str) -> None:
    assert event_ids(two_articles.list_events(entity=entity)) == {"art-1-statement"}


def test_list_events_by_recipient_and_location(two_articles: Store) -> None:
    assert event_ids(two_articles.list_events(entity="Ukraine")) == {"art-1-aid", "art-2-aid"}
    kharkiv = {"art-1-assault", "art-2-assault"}
    assert event_ids(two_articles.list_events(entity="gpe-kharkiv")) == kharkiv
    assert event_ids(two_articles.list_events(entity="kharkiv")) == kharkiv
    assert two_articles.list_events(entity="Atlantis") == []


def test_list_events_by_date_falls_back_to_published(two_articles: Store) -> None:
    march_4 = two_articles.list_events(since=date(2024, 3, 4), until=date(2024, 3, 4))
    assert event_ids(march_4) == {"art-1-assault"}
    march_5 = two_articles.list_events(since=date(2024, 3, 5), until=date(2024, 3, 5))
    assert event_ids(march_5) == {"art-1-statement", "art-1-aid"}
    april = two_articles.list_events(since=date(2024, 4, 1))
    assert event_ids(april) == {"art-2-assault", "art-2-aid"}
    assert {e["date"] for e in april} == {date(2024, 4, 1)}
    assert event_ids(two_articles.list_events(until=date(2024, 3, 4))) == {"art-1-assault"}


def test_list_events_combined_filters_order_and_paging(two_articles: Store) -> None:
    found = two_articles.list_events(type="ASSAULT", entity="Russia", since=date(2024, 3, 1))
    assert [e["event_id"] for e in found] == ["art-2-assault", "art-1-assault"]  # newest first
    everything = two_articles.list_events()
    assert len(everything) == 5
    dates = [e["date"] for e in everything]
    assert dates == sorted(dates, reverse=True)
    page = two_articles.list_events(limit=2, offset=2)
    assert [e["event_id"] for e in page] == [e["event_id"] for e in everything[2:4]]


def test_list_entities_groups_across_articles(two_articles: Store) -> None:
    entities = {e["entity_id"]: e for e in two_articles.list_entities()}
    assert entities["gpe-russia"]["article_count"] == 2
    people = two_articles.list_entities(type="PERSON")
    assert [e["entity_id"] for e in people] == ["per-zelensky"]
    assert people[0]["aliases"] == sorted(ZELENSKY.aliases)
    assert [e["entity_id"] for e in two_articles.list_entities(q="selensk")] == ["per-zelensky"]
    assert [e["entity_id"] for e in two_articles.list_entities(q="KHARK")] == ["gpe-kharkiv"]
    assert len(two_articles.list_entities(limit=2)) == 2


def test_list_articles(two_articles: Store) -> None:
    listed = two_articles.list_articles()
    assert [a["article_id"] for a in listed] == ["art-2", "art-1"]  # most recently stored first
    assert (listed[1]["event_count"], listed[1]["entity_count"], listed[1]["quote_count"]) == (
        3,
        5,
        1,
    )
    assert "text" not in listed[0]
    assert [a["article_id"] for a in two_articles.list_articles(limit=1, offset=1)] == ["art-1"]


def test_ping(store: Store) -> None:
    store.ping()


# --- HTTP API -------------------------------------------------------------------------


@pytest.fixture
def client(two_articles: Store) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router)
    app.state.store = two_articles
    with TestClient(app) as c:
        yield c


def test_api_events(client: TestClient) -> None:
    response = client.get("/events", params={"type": "assault", "entity": "Russia"})
    assert response.status_code == 200
    body = response.json()
    assert [e["event_id"] for e in body] == ["art-2-assault", "art-1-assault"]
    assert body[1]["counts"][0] == {
        "kind": "killed",
        "value": 4,
        "at_least": True,
        "at_most": False,
        "approximate": False,
        "text": "at least 4",
    }
    assert body[1]["date"] == "2024-03-04" and body[0]["date"] == "2024-04-01"

    dated = client.get("/events", params={"since": "2024-03-05", "until": "2024-03-05"}).json()
    assert {e["event_id"] for e in dated} == {"art-1-statement", "art-1-aid"}
    by_article = client.get("/events", params={"article_id": "art-2", "limit": 1}).json()
    assert len(by_article) == 1 and by_article[0]["article_id"] == "art-2"


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"type": "BOMBING"}, "unknown event type"),
        ({"since": "2024-05-01", "until": "2024-04-01"}, "since must not be after until"),
        ({"limit": 1001}, "less than or equal to 1000"),
        ({"since": "yesterday"}, "date"),
    ],
)
def test_api_events_rejects_bad_parameters(
    client: TestClient, params: dict[str, object], needle: str
) -> None:
    response = client.get("/events", params=params)
    assert response.status_code == 422
    assert needle in response.text


def test_api_articles(client: TestClient) -> None:
    listed = client.get("/articles").json()
    assert [a["article_id"] for a in listed] == ["art-2", "art-1"]

    article = client.get("/articles/art-1").json()
    assert article["text"] == TEXT
    assert article["title"] == "Strikes on Kharkiv (art-1)"
    assert article["published"] == "2024-03-05"
    assert {e["event_id"] for e in article["events"]} == {
        "art-1-assault",
        "art-1-statement",
        "art-1-aid",
    }
    assert article["quotes"][0]["speaker"]["entity_id"] == "per-zelensky"
    assert len(article["entities"]) == 5 and len(article["mentions"]) == 2


def test_api_missing_article_is_404(client: TestClient) -> None:
    response = client.get("/articles/does-not-exist")
    assert response.status_code == 404
    assert "does-not-exist" in response.json()["detail"]
    assert "not found" in response.json()["detail"]


def test_api_entities(client: TestClient) -> None:
    found = client.get("/entities", params={"q": "zelensk", "type": "person"}).json()
    assert [e["entity_id"] for e in found] == ["per-zelensky"]
    assert found[0]["article_count"] == 2
    assert client.get("/entities", params={"type": "MONSTER"}).status_code == 422


# --- the service: consumes newswire.extracted from a real redis-server ---------------


def test_service_stores_messages_from_the_stream(database_url: str, redis_url: str) -> None:
    settings = Settings(
        redis_url=redis_url,
        database_url=database_url,
        poll_interval_ms=20,
        claim_idle_ms=1_000,
        consumer_name="sink-test",
    )
    app = build_app(ServiceRuntime("sink", settings))
    spec = app.state.runtime.stages[0]
    assert (spec.service, spec.input_stream, spec.output_stream, spec.done_stage) == (
        "sink",
        streams.EXTRACTED,
        None,
        "stored",
    )

    msg = make_message("art-stream")
    redis = redis_sync.Redis.from_url(redis_url)
    try:
        with TestClient(app) as client:  # runs the migrations and starts the runner
            assert client.get("/readyz").json()["status"] == "ready"
            fields = _encode(msg)
            redis.xadd(streams.EXTRACTED, fields)  # type: ignore[arg-type]
            # The same message again, as after a redelivery: nothing is stored twice.
            last = redis.xadd(streams.EXTRACTED, fields)  # type: ignore[arg-type]
            _wait_consumed(redis, last)
            assert redis.hget(status.status_key("art-stream"), "stage") == b"stored"
            response = client.get("/articles/art-stream")
            assert response.status_code == 200, response.text
            assert len(response.json()["events"]) == 3
        assert row_counts(app.state.store)["articles"] == 1
    finally:
        redis.close()


def _encode(msg: ExtractedArticle) -> dict[str, bytes]:
    headers = streams.trace_headers(msg.article_id, msg.trace_id)
    return asyncio.run(streams.encode_entry(msg.model_dump_json().encode(), headers))


def _wait_consumed(redis: redis_sync.Redis, last_id: bytes | str, timeout_s: float = 20) -> None:
    """Until the sink's group has read up to ``last_id`` and acknowledged everything."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        (group,) = [g for g in redis.xinfo_groups(streams.EXTRACTED) if g["name"] == b"sink"]
        if group["last-delivered-id"] == last_id and group["pending"] == 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"the sink did not consume {last_id!r} in {timeout_s}s")


def test_stage_turns_values_the_database_rejects_into_a_permanent_error(
    store: Store, database_url: str
) -> None:
    process = make_stage(store).process
    msg = make_message("art-nul")
    msg.article.text = "a NUL \x00 byte"
    if database_url.startswith("sqlite"):
        asyncio.run(process(msg))  # SQLite stores it as is
        assert store.get_article("art-nul") is not None
    else:
        # PostgreSQL text cannot hold NUL: no retry can help, so it is dead-lettered at once.
        with pytest.raises(PermanentError, match="database rejected"):
            asyncio.run(process(msg))
        assert store.get_article("art-nul") is None


@pytest.mark.parametrize(
    "url",
    ["sqlite:///{tmp}/no-such-dir/newswire.db", "postgresql://postgres@127.0.0.1:{port}/newswire"],
)
def test_stage_turns_a_database_that_is_down_into_a_transient_error(
    tmp_path: Path, url: str
) -> None:
    """Database down: retried in place by the runner, not dead-lettered."""
    from newswire_shared.devredis import free_port

    store = Store(url.format(tmp=tmp_path, port=free_port()))  # nothing listens there
    try:
        with pytest.raises(TransientError, match="database unavailable"):
            asyncio.run(make_stage(store).process(make_message("art-down")))
    finally:
        store.dispose()
