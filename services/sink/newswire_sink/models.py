"""The sink's tables. The schema itself is created by the hand-written Alembic migrations
(``migrations/versions``); a test checks that they and these models agree.

Every extracted row hangs off its article and is replaced as a whole when the article is
stored again, so rows are keyed by the article plus a natural key from the extractor.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# JSON text on SQLite, JSONB (indexable, compact) on PostgreSQL.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonList = list[Any]


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def _article_fk() -> sa.ForeignKey:
    return sa.ForeignKey("articles.article_id", ondelete="CASCADE")


class Article(Base):
    __tablename__ = "articles"

    article_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    url: Mapped[str] = mapped_column(sa.Text)
    canonical_url: Mapped[str] = mapped_column(sa.Text, index=True)
    source_kind: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str | None] = mapped_column(sa.Text)
    description: Mapped[str | None] = mapped_column(sa.Text)
    authors: Mapped[JsonList] = mapped_column(JSONType)
    published: Mapped[date | None] = mapped_column(sa.Date, index=True)
    updated: Mapped[date | None] = mapped_column(sa.Date)
    site_name: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str | None] = mapped_column(sa.String(16))
    lead_image: Mapped[str | None] = mapped_column(sa.Text)
    text: Mapped[str] = mapped_column(sa.Text)
    removed: Mapped[JsonList] = mapped_column(JSONType)
    content_hash: Mapped[str] = mapped_column(sa.String(128), index=True)
    simhash: Mapped[str | None] = mapped_column(sa.String(64))
    duplicate_of: Mapped[str | None] = mapped_column(sa.String(64))
    extractor_version: Mapped[str] = mapped_column(sa.String(64))
    # Hash of everything stored from the message except trace id and timestamps: a
    # redelivered (or re-run, unchanged) message is recognised and leaves the row alone.
    payload_hash: Mapped[str] = mapped_column(sa.String(64))
    trace_id: Mapped[str] = mapped_column(sa.String(64))
    cleaned_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    extracted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    stored_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class EntityRow(Base):
    """One canonical entity as seen in one article; the global view groups on entity_id."""

    __tablename__ = "entities"

    article_id: Mapped[str] = mapped_column(sa.String(64), _article_fk(), primary_key=True)
    entity_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(sa.Text)
    type: Mapped[str] = mapped_column(sa.String(16), index=True)
    aliases: Mapped[JsonList] = mapped_column(JSONType)
    country: Mapped[str | None] = mapped_column(sa.String(64))
    latitude: Mapped[float | None] = mapped_column(sa.Double)
    longitude: Mapped[float | None] = mapped_column(sa.Double)
    weapon_class: Mapped[str | None] = mapped_column(sa.Text)


class MentionRow(Base):
    __tablename__ = "mentions"

    article_id: Mapped[str] = mapped_column(sa.String(64), _article_fk(), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(sa.Text)
    start_char: Mapped[int] = mapped_column(sa.Integer)
    end_char: Mapped[int] = mapped_column(sa.Integer)
    type: Mapped[str] = mapped_column(sa.String(16))
    entity_id: Mapped[str | None] = mapped_column(sa.String(128), index=True)
    value: Mapped[float | None] = mapped_column(sa.Double)
    unit: Mapped[str | None] = mapped_column(sa.String(32))


class QuoteRow(Base):
    __tablename__ = "quotes"

    article_id: Mapped[str] = mapped_column(sa.String(64), _article_fk(), primary_key=True)
    quote_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    start_char: Mapped[int] = mapped_column(sa.Integer)
    end_char: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(sa.String(16))
    speaker_entity_id: Mapped[str | None] = mapped_column(sa.String(128), index=True)
    speaker_name: Mapped[str | None] = mapped_column(sa.Text)
    speaker_type: Mapped[str | None] = mapped_column(sa.String(16))
    speaker_text: Mapped[str | None] = mapped_column(sa.Text)
    cue: Mapped[str | None] = mapped_column(sa.Text)


class EventRow(Base):
    __tablename__ = "events"

    # The extractor's natural key: the same event found again upserts, never duplicates.
    event_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    article_id: Mapped[str] = mapped_column(sa.String(64), _article_fk(), index=True)
    type: Mapped[str] = mapped_column(sa.String(16), index=True)
    acled_event_type: Mapped[str | None] = mapped_column(sa.Text)
    acled_sub_event_type: Mapped[str | None] = mapped_column(sa.Text)
    trigger: Mapped[str] = mapped_column(sa.Text)
    actors: Mapped[JsonList] = mapped_column(JSONType)
    recipients: Mapped[JsonList] = mapped_column(JSONType)
    weapons: Mapped[JsonList] = mapped_column(JSONType)
    counts: Mapped[JsonList] = mapped_column(JSONType)
    money: Mapped[JsonList] = mapped_column(JSONType)
    location_name: Mapped[str | None] = mapped_column(sa.Text)
    location_entity_id: Mapped[str | None] = mapped_column(sa.String(128))
    location_country: Mapped[str | None] = mapped_column(sa.String(64))
    location_lat: Mapped[float | None] = mapped_column(sa.Double)
    location_lon: Mapped[float | None] = mapped_column(sa.Double)
    location_precision: Mapped[str | None] = mapped_column(sa.String(16))
    time_text: Mapped[str | None] = mapped_column(sa.Text)
    event_date: Mapped[date | None] = mapped_column(sa.Date, index=True)
    time_precision: Mapped[str | None] = mapped_column(sa.String(16))
    negated: Mapped[bool] = mapped_column(sa.Boolean)
    hypothetical: Mapped[bool] = mapped_column(sa.Boolean)
    future: Mapped[bool] = mapped_column(sa.Boolean)
    claim_source: Mapped[str | None] = mapped_column(sa.Text)
    evidence_sentence: Mapped[str] = mapped_column(sa.Text)
    evidence_start: Mapped[int] = mapped_column(sa.Integer)
    evidence_end: Mapped[int] = mapped_column(sa.Integer)
    confidence: Mapped[float] = mapped_column(sa.Double)


class EventEntityRow(Base):
    """Who or what takes part in an event, so events can be filtered by entity."""

    __tablename__ = "event_entities"

    event_id: Mapped[str] = mapped_column(
        sa.String(128),
        sa.ForeignKey("events.event_id", ondelete="CASCADE"),
        primary_key=True,
    )
    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # actor|recipient|...
    entity_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(sa.Text)
    type: Mapped[str | None] = mapped_column(sa.String(16))


ROLES = ("actor", "recipient", "weapon", "location")
