"""The sink's read API: articles, events and entities as stored.

Handlers are plain ``def``: FastAPI runs them in its thread pool, so blocking database
calls never stall the event loop that also drives the stream consumer.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from newswire_shared.messages import (
    EVENT_TYPES,
    Entity,
    EntityType,
    Event,
    Mention,
    Quote,
    Removal,
)

from .store import Store

ENTITY_TYPES: tuple[str, ...] = EntityType.__args__  # type: ignore[attr-defined]
MAX_LIMIT = 1000

router = APIRouter(tags=["query"])


class EventOut(Event):
    article_id: str
    date: dt.date | None = None  # the event's date, else its article's publication date
    extractor_version: str | None = None


class ArticleBase(BaseModel):
    article_id: str
    url: str
    canonical_url: str
    title: str | None = None
    authors: list[str] = []
    published: dt.date | None = None
    updated: dt.date | None = None
    site_name: str | None = None
    language: str | None = None
    duplicate_of: str | None = None
    extractor_version: str
    stored_at: dt.datetime
    updated_at: dt.datetime


class ArticleSummary(ArticleBase):
    event_count: int
    entity_count: int
    quote_count: int


class ArticleDetail(ArticleBase):
    source_kind: str
    description: str | None = None
    lead_image: str | None = None
    text: str
    removed: list[Removal] = []
    content_hash: str
    simhash: str | None = None
    trace_id: str
    cleaned_at: dt.datetime | None = None
    extracted_at: dt.datetime | None = None
    entities: list[Entity] = []
    mentions: list[Mention] = []
    quotes: list[Quote] = []
    events: list[EventOut] = []


class EntitySummary(Entity):
    article_count: int  # articles that mention it


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0)]


def _one_of(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None or not value.strip():
        return None
    upper = value.strip().upper()
    if upper not in allowed:
        detail = f"unknown {name} {value!r}; expected one of: {', '.join(allowed)}"
        raise HTTPException(status_code=422, detail=detail)
    return upper


@router.get("/events", response_model=list[EventOut], summary="Events, newest first")
def list_events(
    store: StoreDep,
    type: Annotated[str | None, Query(description="event type, e.g. ASSAULT")] = None,
    entity: Annotated[str | None, Query(description="entity id, name or alias")] = None,
    since: Annotated[dt.date | None, Query(description="on or after (event date)")] = None,
    until: Annotated[dt.date | None, Query(description="on or before (event date)")] = None,
    article_id: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    if since is not None and until is not None and since > until:
        raise HTTPException(status_code=422, detail="since must not be after until")
    return store.list_events(
        type=_one_of("event type", type, EVENT_TYPES), entity=entity, since=since,
        until=until, article_id=article_id, limit=limit, offset=offset,
    )  # fmt: skip


@router.get("/articles", response_model=list[ArticleSummary], summary="Stored articles")
def list_articles(store: StoreDep, limit: Limit = 50, offset: Offset = 0) -> Any:
    return store.list_articles(limit=limit, offset=offset)


@router.get(
    "/articles/{article_id}",
    response_model=ArticleDetail,
    summary="One article: clean text, metadata, entities, quotes, events",
    responses={404: {"description": "No article with this id has been stored"}},
)
def get_article(article_id: str, store: StoreDep) -> Any:
    article = store.get_article(article_id)
    if article is None:
        detail = f"article {article_id!r} not found (never submitted, or not stored yet)"
        raise HTTPException(status_code=404, detail=detail)
    return article


@router.get("/entities", response_model=list[EntitySummary], summary="Entities across articles")
def list_entities(
    store: StoreDep,
    type: Annotated[str | None, Query(description="entity type, e.g. PERSON")] = None,
    q: Annotated[str | None, Query(description="part of a name or alias")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    return store.list_entities(
        type=_one_of("entity type", type, ENTITY_TYPES), q=q, limit=limit, offset=offset
    )
