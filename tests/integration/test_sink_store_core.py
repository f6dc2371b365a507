"""The sink's Core write path on real SQLite and PostgreSQL: ``save_many`` stores a batch
exactly as saving its articles one by one would, and re-saving changes nothing."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from newswire_shared.messages import Entity, ExtractedArticle, Mention, Quote
from newswire_shared.worker import PermanentError
from newswire_sink.service import make_stage
from newswire_sink.store import Store
from tests.integration.test_sink_storage import (
    TABLES,
    aid,
    assault,
    make_message,
    row_counts,
    statement,
    table_rows,
)

# Set by the clock of each save: they differ between two runs of the same messages.
TIMESTAMPS = {"stored_at", "updated_at"}


def content(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, without the save timestamps, in a stable order."""
    out = {}
    with store.engine.connect() as conn:
        for name in TABLES:
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            columns = [c for c in table.c if c.name not in TIMESTAMPS]
            out[name] = sorted((tuple(r) for r in conn.execute(sa.select(*columns))), key=repr)
    return out


def clear(store: Store) -> None:
    with store.engine.begin() as conn:
        for name in reversed(TABLES):
            conn.execute(sa.text(f"DELETE FROM {name}"))


def one_by_one_then_batch(store: Store, batch: list[ExtractedArticle]) -> None:
    expected_changed = [store.save(m) for m in batch]
    expected = content(store)
    clear(store)
    assert row_counts(store) == dict.fromkeys(TABLES, 0)

    assert store.save_many(batch) == expected_changed
    assert content(store) == expected


def test_a_batch_of_different_articles_is_stored_as_one_by_one(store: Store) -> None:
    batch = [make_message(f"art-{i}") for i in range(4)]
    one_by_one_then_batch(store, batch)
    assert row_counts(store) == {
        "articles": 4,
        "entities": 20,
        "mentions": 8,
        "quotes": 4,
        "events": 12,
        "event_entities": 20,
    }


def test_a_batch_repeating_an_article_or_an_event_is_stored_as_one_by_one(
    store: Store,
) -> None:
    batch = [
        make_message("art-1"),
        make_message("art-2"),
        make_message("art-1", events=[statement("art-1")], extractor_version="extractor-2"),
        make_message("art-3", events=[assault("art-2"), aid("art-3")]),  # art-2's assault
        make_message("art-2", trace_id="trace-2"),  # a redelivery: unchanged
    ]
    one_by_one_then_batch(store, batch)
    assert store.list_events(article_id="art-3")[0]["article_id"] == "art-3"
    assert {e["event_id"] for e in store.list_events(article_id="art-2")} == {
        "art-2-statement",
        "art-2-aid",
    }


def test_a_batch_mixing_new_unchanged_and_changed_articles(store: Store) -> None:
    store.save(make_message("art-1"))
    store.save(make_message("art-2"))
    fewer = make_message("art-2", events=[aid("art-2")], extractor_version="extractor-2")
    fewer.extraction.quotes = []
    changed = store.save_many([make_message("art-1", trace_id="t9"), fewer, make_message("art-3")])

    assert changed == [False, True, True]
    art2 = store.get_article("art-2")
    assert art2 is not None
    assert [e["event_id"] for e in art2["events"]] == ["art-2-aid"]
    assert art2["quotes"] == [] and art2["extractor_version"] == "extractor-2"
    assert row_counts(store) == {
        "articles": 3,
        "entities": 15,
        "mentions": 6,
        "quotes": 2,
        "events": 7,
        "event_entities": 12,
    }


def test_saving_a_batch_again_changes_nothing(store: Store) -> None:
    batch = [make_message(f"art-{i}") for i in range(3)]
    assert store.save_many(batch) == [True, True, True]
    before = {t: table_rows(store, t) for t in TABLES}

    rerun = [make_message(f"art-{i}", trace_id="trace-2") for i in range(3)]
    assert store.save_many(rerun) == [False, False, False]
    assert [store.save(m) for m in batch] == [False, False, False]
    assert {t: table_rows(store, t) for t in TABLES} == before  # timestamps too


def test_an_empty_batch_is_a_no_op(store: Store) -> None:
    assert store.save_many([]) == []
    assert row_counts(store) == dict.fromkeys(TABLES, 0)


AWKWARD = ["tab\there", "new\nline", "back\\slash", "\\N", '"quoted"', "Зеленський", "", "\\."]


def test_awkward_values_round_trip(store: Store) -> None:
    """Rows go to PostgreSQL by COPY: its text format's escapes must not leak."""
    msg = make_message("art-odd")
    first = msg.extraction.entities[0]
    first.aliases = AWKWARD
    first.latitude, first.longitude = 1e-300, -123456789.123456789
    msg.extraction.mentions[0].text = "\\N"
    msg.extraction.mentions[1].value = 1.7976931348623157e308
    msg.extraction.quotes[0].text = "a\tb\\c\r\nd"
    msg.extraction.quotes[0].cue = None
    assert store.save(msg) is True

    doc = store.get_article("art-odd")
    assert doc is not None
    assert {e["entity_id"]: Entity.model_validate(e) for e in doc["entities"]} == {
        e.entity_id: e for e in msg.extraction.entities
    }
    assert [Mention.model_validate(m) for m in doc["mentions"]] == msg.extraction.mentions
    assert [Quote.model_validate(q) for q in doc["quotes"]] == msg.extraction.quotes


def test_a_value_the_database_rejects_in_a_copied_row_is_a_permanent_error(
    store: Store, database_url: str
) -> None:
    msg = make_message("art-nul")
    msg.extraction.mentions[0].text = "NUL \x00 here"
    process = make_stage(store).process
    if database_url.startswith("sqlite"):
        asyncio.run(process(msg))
        assert store.get_article("art-nul") is not None
    else:
        with pytest.raises(PermanentError, match="database rejected"):
            asyncio.run(process(msg))
        assert store.get_article("art-nul") is None
