"""The sink's pure helpers: message -> rows, rows -> documents, URL handling."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from newswire_shared.messages import (
    ArticleMetadata,
    CleanArticle,
    Entity,
    EntityRef,
    Event,
    EventTime,
    Evidence,
    ExtractedArticle,
    Extraction,
    Location,
    Modality,
    Quote,
)
from newswire_sink import db, rows, views
from newswire_sink.api import EventOut
from newswire_sink.models import EntityRow, EventRow, QuoteRow

TEXT = "Russia struck Kharkiv on Monday. Zelensky said: “We will respond.”"
RUSSIA = EntityRef(entity_id="gpe-russia", name="Russia", type="GPE")
ZELENSKY = EntityRef(entity_id="per-zelensky", name="Volodymyr Zelenskyy", type="PERSON")


def event(event_id: str = "ev-1", **changes: object) -> Event:
    base = Event(
        event_id=event_id,
        type="ASSAULT",
        acled_event_type="Explosions/Remote violence",
        acled_sub_event_type="Air/drone strike",
        trigger="struck",
        actors=[RUSSIA, RUSSIA],  # listed twice: one participant row
        location=Location(name="Kharkiv", entity_id="gpe-kharkiv", latitude=50.0, longitude=36.2),
        time=EventTime(text="on Monday", date=date(2024, 3, 4), precision="day"),
        modality=Modality(negated=False, hypothetical=True),
        evidence=Evidence(sentence="Russia struck Kharkiv on Monday.", start=0, end=32),
        confidence=0.8,
    )
    return base.model_copy(update=changes)


def message(trace_id: str = "t-1", events: list[Event] | None = None) -> ExtractedArticle:
    article = CleanArticle(
        article_id="a-1",
        trace_id=trace_id,
        url="https://example.com/a",
        canonical_url="https://example.com/a",
        source_kind="html",
        metadata=ArticleMetadata(title="Strike", published=date(2024, 3, 5)),
        text=TEXT,
        content_hash="c1",
    )
    extraction = Extraction(
        extractor_version="x-1",
        entities=[
            Entity(entity_id="gpe-kharkiv", name="Kharkiv", type="GPE"),
            Entity(entity_id="gpe-russia", name="Russia", type="GPE"),
            Entity(entity_id="gpe-russia", name="Russia again", type="GPE"),
        ],
        quotes=[Quote(quote_id="q-1", text="We will respond.", start=48, end=64, speaker=ZELENSKY)],
        events=[event()] if events is None else events,
    )
    return ExtractedArticle(
        article_id="a-1", trace_id=trace_id, article=article, extraction=extraction
    )


def test_payload_hash_ignores_trace_and_timestamps_but_not_content() -> None:
    first = message("t-1")
    later = message("t-2")
    later.extracted_at = first.extracted_at + timedelta(hours=1)
    later.article.cleaned_at = first.article.cleaned_at + timedelta(hours=1)
    assert rows.payload_hash(first) == rows.payload_hash(later)

    changed = message("t-1", events=[event(confidence=0.5)])
    assert rows.payload_hash(first) != rows.payload_hash(changed)


def test_repeated_natural_keys_are_dropped_first_wins() -> None:
    msg = message(events=[event("ev-1"), event("ev-1", trigger="hit"), event("ev-2")])
    assert [r["event_id"] for r in rows.event_rows(msg)] == ["ev-1", "ev-2"]
    assert rows.event_rows(msg)[0]["trigger"] == "struck"
    entities = rows.entity_rows(msg)
    assert [(e["entity_id"], e["name"]) for e in entities] == [
        ("gpe-kharkiv", "Kharkiv"),
        ("gpe-russia", "Russia"),
    ]


def test_event_participants_have_roles_and_location_type() -> None:
    msg = message(events=[event(recipients=[ZELENSKY])])
    parts = {(r["role"], r["entity_id"], r["type"]) for r in rows.event_entity_rows(msg)}
    assert parts == {
        ("actor", "gpe-russia", "GPE"),
        ("recipient", "per-zelensky", "PERSON"),
        ("location", "gpe-kharkiv", "GPE"),
    }


def test_unresolved_location_has_no_participant_row() -> None:
    msg = message(events=[event(location=Location(name="a village"))])
    assert {r["role"] for r in rows.event_entity_rows(msg)} == {"actor"}
    assert rows.event_rows(msg)[0]["location_name"] == "a village"


@pytest.mark.parametrize(
    "original",
    [event(), event(location=None, time=None, counts=[], claim_source="said on Telegram")],
)
def test_event_row_and_back_is_the_same_event(original: Event) -> None:
    msg = message(events=[original])
    row = EventRow(**rows.event_rows(msg)[0])
    doc = views.event_doc(row, date(2024, 3, 4), "x-1")
    assert Event.model_validate(doc) == original
    out = EventOut.model_validate(doc)
    assert out.article_id == "a-1" and out.date == date(2024, 3, 4)


def test_quote_row_and_back() -> None:
    msg = message()
    doc = views.quote_doc(QuoteRow(**rows.quote_rows(msg)[0]))
    assert Quote.model_validate(doc) == msg.extraction.quotes[0]


def test_merge_entity_picks_the_common_name_and_collects_spellings() -> None:
    def row(article_id: str, name: str, aliases: list[str], lat: float | None) -> EntityRow:
        return EntityRow(
            article_id=article_id,
            entity_id="per-z",
            name=name,
            type="PERSON",
            aliases=aliases,
            country=None,
            latitude=lat,
            longitude=lat,
            weapon_class=None,
        )

    merged = views.merge_entity(
        [
            row("a", "Zelenskyy", ["Zelensky"], None),
            row("b", "Zelensky", [], 1.0),
            row("c", "Zelenskyy", ["Selenskyj"], None),
        ],
        article_count=3,
    )
    assert merged["name"] == "Zelenskyy"
    assert merged["aliases"] == ["Selenskyj", "Zelensky"]
    assert (merged["latitude"], merged["longitude"]) == (1.0, 1.0)
    assert merged["article_count"] == 3


def test_aware_returns_utc() -> None:
    naive = datetime(2024, 1, 1, 12, 0)
    assert views.aware(naive) == datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    plus2 = datetime(2024, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert views.aware(plus2) is not None and views.aware(plus2).tzinfo == UTC  # type: ignore[union-attr]
    assert views.aware(None) is None


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u:p@db:5432/news", "postgresql+psycopg"),
        ("postgres://u@db/news", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db/news", "postgresql+psycopg"),
        ("sqlite:///data/news.db", "sqlite"),
    ],
)
def test_normalize_url(url: str, driver: str) -> None:
    normalized = db.normalize_url(url)
    assert normalized.drivername == driver
    assert normalized.password == sa.make_url(url).password


def test_sqlite_engine_creates_directory_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "news.db"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.SQLITE_BUSY_TIMEOUT_MS
            # lower() folds every script, as PostgreSQL's does.
            assert conn.exec_driver_sql("SELECT lower('ЗЕЛЕНСЬКИЙ')").scalar() == "зеленський"
        assert path.parent.is_dir()
    finally:
        engine.dispose()


def test_in_memory_sqlite_works() -> None:
    engine = db.make_engine("sqlite://")
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.select(1)).scalar() == 1
    finally:
        engine.dispose()


def _locked() -> sa.exc.OperationalError:
    return sa.exc.OperationalError(
        "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")
    )


def test_sqlite_migration_retries_a_transient_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    real_upgrade = db._upgrade
    failures = iter([_locked(), _locked()])

    def flaky_upgrade(target: sa.Engine) -> None:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        real_upgrade(target)

    monkeypatch.setattr(db, "_upgrade", flaky_upgrade)
    db.migrate_engine(engine)
    assert "articles" in sa.inspect(engine).get_table_names()
    engine.dispose()


def test_sqlite_migration_gives_up_on_other_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    calls: list[int] = []

    def broken_upgrade(target: sa.Engine) -> None:
        calls.append(1)
        raise sa.exc.OperationalError("CREATE", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(db, "_upgrade", broken_upgrade)
    with pytest.raises(sa.exc.OperationalError):
        db.migrate_engine(engine)
    assert calls == [1]
    engine.dispose()
