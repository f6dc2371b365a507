"""The message contract: every message that crosses a Redis stream is defined here.

Services import these models and nowhere else defines a message. Each message carries
``schema_version`` (a message of another version fails validation and goes to the
dead-letter stream instead of being half-understood), ``article_id`` and ``trace_id``.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION: Literal[1] = 1

Stage = Literal["queued", "fetched", "cleaned", "extracted", "stored", "failed"]

# PLOVER's 16 event types plus the two newswire adds for reporting and control of ground.
EventType = Literal[
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
    "STATEMENT", "TERRITORY",
]  # fmt: skip
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]

EntityType = Literal[
    "PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "WEAPON", "DATE", "MONEY", "QUANTITY",
]  # fmt: skip


def utcnow() -> datetime:
    return datetime.now(UTC)


class Message(BaseModel):
    """Fields every message carries."""

    model_config = ConfigDict(extra="ignore", frozen=False)

    schema_version: Literal[1] = SCHEMA_VERSION
    article_id: str = Field(min_length=1, max_length=64)
    trace_id: str = Field(min_length=1, max_length=64)


# --- fetcher -> newswire.fetch (internal job queue of the fetcher) ---------------------


class FetchRequest(Message):
    url: str
    canonical_url: str
    submitted_at: datetime = Field(default_factory=utcnow)


# --- fetcher -> newswire.raw ----------------------------------------------------------


class RawArticle(Message):
    url: str
    canonical_url: str
    final_url: str | None = None
    submitted_at: datetime = Field(default_factory=utcnow)
    fetched_at: datetime | None = None
    http_status: int | None = None
    content_type: str | None = None
    html: str | None = None
    text: str | None = None

    @model_validator(mode="after")
    def _one_body(self) -> RawArticle:
        if (self.html is None) == (self.text is None):
            raise ValueError("exactly one of html or text must be given")
        return self


# --- cleaner -> newswire.clean --------------------------------------------------------


class Removal(BaseModel):
    """A line the cleaner dropped, and why: users can audit every removal."""

    text: str
    reason: str


class ArticleMetadata(BaseModel):
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    published: date | None = None
    updated: date | None = None
    site_name: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    lead_image: str | None = None
    description: str | None = None


class CleanArticle(Message):
    url: str
    canonical_url: str
    source_kind: Literal["html", "text"]
    metadata: ArticleMetadata = Field(default_factory=ArticleMetadata)
    text: str
    removed: list[Removal] = Field(default_factory=list)
    content_hash: str
    simhash: str | None = None
    duplicate_of: str | None = None
    cleaned_at: datetime = Field(default_factory=utcnow)


# --- extractor -> newswire.extracted --------------------------------------------------


class Entity(BaseModel):
    """A canonical entity: every mention of it, however spelled, points at ``entity_id``."""

    entity_id: str
    name: str
    type: EntityType
    aliases: list[str] = Field(default_factory=list)
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    weapon_class: str | None = None


class Mention(BaseModel):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    type: EntityType
    entity_id: str | None = None
    value: float | None = None  # numeric value of a MONEY / QUANTITY mention
    unit: str | None = None  # currency code or unit of a MONEY / QUANTITY mention


class EntityRef(BaseModel):
    entity_id: str
    name: str
    type: EntityType


class Quote(BaseModel):
    quote_id: str
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    kind: Literal["direct", "partial", "indirect"] = "direct"
    speaker: EntityRef | None = None
    speaker_text: str | None = None
    cue: str | None = None


class Location(BaseModel):
    name: str
    entity_id: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    precision: Literal["city", "region", "country", "unknown"] = "unknown"


class EventTime(BaseModel):
    text: str
    date: dt.date | None = None
    precision: Literal["day", "week", "month", "year", "unknown"] = "unknown"


class Count(BaseModel):
    kind: str  # killed, injured, missiles, drones, ...
    value: int
    at_least: bool = False
    at_most: bool = False
    approximate: bool = False
    text: str = ""


class Money(BaseModel):
    amount: float
    currency: str
    text: str


class Modality(BaseModel):
    negated: bool = False
    hypothetical: bool = False
    future: bool = False


class Evidence(BaseModel):
    sentence: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Event(BaseModel):
    event_id: str
    type: EventType
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    trigger: str
    actors: list[EntityRef] = Field(default_factory=list)
    recipients: list[EntityRef] = Field(default_factory=list)
    location: Location | None = None
    time: EventTime | None = None
    counts: list[Count] = Field(default_factory=list)
    weapons: list[EntityRef] = Field(default_factory=list)
    money: list[Money] = Field(default_factory=list)
    modality: Modality = Field(default_factory=Modality)
    claim_source: str | None = None
    evidence: Evidence
    confidence: float = Field(ge=0.0, le=1.0)


class Extraction(BaseModel):
    """What the extractor finds in one text; offsets are character offsets into that text."""

    entities: list[Entity] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    extractor_version: str


class ExtractedArticle(Message):
    article: CleanArticle
    extraction: Extraction
    extracted_at: datetime = Field(default_factory=utcnow)


# --- any service -> newswire.dlq ------------------------------------------------------


class DeadLetter(BaseModel):
    """An entry that could not be processed, with enough to inspect and replay it."""

    schema_version: Literal[1] = SCHEMA_VERSION
    origin_stream: str
    origin_id: str
    service: str
    error: str
    error_kind: Literal["permanent", "exhausted"]
    delivery_count: int = 1
    article_id: str | None = None
    trace_id: str | None = None
    payload: str  # the original body, possibly truncated (see payload_truncated)
    payload_truncated: bool = False
    failed_at: datetime = Field(default_factory=utcnow)
