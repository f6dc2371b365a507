"""Persistence and queries over SQLite or PostgreSQL.

``save`` is idempotent: the article is upserted on ``article_id`` and everything
extracted from it is replaced in the same transaction. The upsert only touches the row
when the message's content differs from what is stored (see ``rows.payload_hash``), so a
redelivered message changes nothing, not even ``updated_at``. On PostgreSQL the upsert
also locks the article row, which serialises two workers saving the same article.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session

from newswire_shared.messages import ExtractedArticle, utcnow

from . import views, write
from .db import make_engine, migrate_engine, writer
from .models import Article, EntityRow, EventEntityRow, EventRow, MentionRow, QuoteRow

Doc = dict[str, Any]


def _equals_ignoring_case(column: Any, key: str) -> Any:
    return sa.func.lower(column) == key


def _aliases_contain(key: str) -> Any:
    # Aliases are a JSON array; its text holds each alias as a quoted JSON string.
    quoted = json.dumps(key, ensure_ascii=False)
    return sa.func.lower(sa.cast(EntityRow.aliases, sa.Text)).contains(quoted, autoescape=True)


def entity_filter(entity: str) -> Any:
    """Events where ``entity`` (an entity id, a name or an alias, any case) takes part."""
    key = entity.strip().lower()
    canonical = sa.select(EntityRow.entity_id).where(
        sa.or_(_equals_ignoring_case(EntityRow.name, key), _aliases_contain(key))
    )
    participating = sa.select(EventEntityRow.event_id).where(
        sa.or_(
            EventEntityRow.entity_id == entity.strip(),
            _equals_ignoring_case(EventEntityRow.name, key),
            EventEntityRow.entity_id.in_(canonical),
        )
    )
    return sa.or_(
        EventRow.event_id.in_(participating), _equals_ignoring_case(EventRow.location_name, key)
    )


class Store:
    def __init__(self, url: str | URL, engine: Engine | None = None) -> None:
        self.engine = engine or make_engine(url)
        self._writer = writer(self.engine)

    def migrate(self) -> None:
        migrate_engine(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(sa.select(1))

    def save(self, extracted: ExtractedArticle) -> bool:
        """Store the article and its extraction; True when anything changed."""
        with self._writer.begin() as conn:
            return write.save(conn, extracted, utcnow())

    def save_many(self, batch: Sequence[ExtractedArticle]) -> list[bool]:
        """Store several articles in one transaction; per article, whether it changed
        anything (as if each had been saved in turn)."""
        if not batch:
            return []
        with self._writer.begin() as conn:
            return write.save_many(conn, batch, utcnow())

    def get_article(self, article_id: str) -> Doc | None:
        with Session(self.engine) as session:
            article = session.get(Article, article_id)
            if article is None:
                return None
            doc = views.article_detail(article)
            doc["entities"] = [
                views.entity_doc(e)
                for e in session.scalars(
                    sa.select(EntityRow)
                    .where(EntityRow.article_id == article_id)
                    .order_by(EntityRow.entity_id)
                )
            ]
            doc["mentions"] = [
                views.mention_doc(m)
                for m in session.scalars(
                    sa.select(MentionRow)
                    .where(MentionRow.article_id == article_id)
                    .order_by(MentionRow.seq)
                )
            ]
            doc["quotes"] = [
                views.quote_doc(q)
                for q in session.scalars(
                    sa.select(QuoteRow)
                    .where(QuoteRow.article_id == article_id)
                    .order_by(QuoteRow.start_char, QuoteRow.quote_id)
                )
            ]
            doc["events"] = self._events(session, article_id=article_id, limit=None)
            return doc

    def list_articles(self, limit: int = 50, offset: int = 0) -> list[Doc]:
        def count(model: Any) -> Any:
            return (
                sa.select(sa.func.count())
                .where(model.article_id == Article.article_id)
                .scalar_subquery()
            )

        stmt = (
            sa.select(Article, count(EventRow), count(EntityRow), count(QuoteRow))
            .order_by(Article.stored_at.desc(), Article.article_id)
            .limit(limit)
            .offset(offset)
        )
        with Session(self.engine) as session:
            found = session.execute(stmt).all()
            counts = ("event_count", "entity_count", "quote_count")
            return [
                {**views.article_summary(a), **dict(zip(counts, n, strict=True))} for a, *n in found
            ]

    def list_events(
        self,
        type: str | None = None,
        entity: str | None = None,
        since: date | None = None,
        until: date | None = None,
        article_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Doc]:
        """Events, newest first; since/until (inclusive) apply to the event's date, or to
        its article's publication date when the text gave no date."""
        with Session(self.engine) as session:
            return self._events(
                session, type=type, entity=entity, since=since, until=until,
                article_id=article_id, limit=limit, offset=offset,
            )  # fmt: skip

    def _events(
        self,
        session: Session,
        *,
        type: str | None = None,
        entity: str | None = None,
        since: date | None = None,
        until: date | None = None,
        article_id: str | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[Doc]:
        effective = sa.func.coalesce(EventRow.event_date, Article.published)
        stmt = sa.select(EventRow, effective.label("effective"), Article.extractor_version).join(
            Article, Article.article_id == EventRow.article_id
        )
        if type:
            stmt = stmt.where(EventRow.type == type.upper())
        if entity and entity.strip():
            stmt = stmt.where(entity_filter(entity))
        if since is not None:
            stmt = stmt.where(effective >= since)
        if until is not None:
            stmt = stmt.where(effective <= until)
        if article_id is not None:
            stmt = stmt.where(EventRow.article_id == article_id)
        stmt = stmt.order_by(
            effective.desc().nulls_last(),
            EventRow.article_id,
            EventRow.evidence_start,
            EventRow.event_id,
        )
        stmt = stmt.limit(limit).offset(offset)
        return [views.event_doc(e, day, version) for e, day, version in session.execute(stmt)]

    def list_entities(
        self, type: str | None = None, q: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Doc]:
        """Entities across all articles (grouped on entity_id), most widely reported first.

        ``q`` matches a substring of the name or of an alias, in any case.
        """
        articles = sa.func.count(EntityRow.article_id).label("articles")
        stmt = sa.select(EntityRow.entity_id, articles).group_by(EntityRow.entity_id)
        if type:
            stmt = stmt.where(EntityRow.type == type.upper())
        if q and q.strip():
            key = q.strip().lower()
            stmt = stmt.where(
                sa.or_(
                    sa.func.lower(EntityRow.name).contains(key, autoescape=True),
                    sa.func.lower(sa.cast(EntityRow.aliases, sa.Text)).contains(
                        key, autoescape=True
                    ),
                )
            )
        stmt = stmt.order_by(articles.desc(), EntityRow.entity_id).limit(limit).offset(offset)
        with Session(self.engine) as session:
            ranked = [(entity_id, n) for entity_id, n in session.execute(stmt)]
            if not ranked:
                return []
            found = session.scalars(
                sa.select(EntityRow)
                .where(EntityRow.entity_id.in_([entity_id for entity_id, _ in ranked]))
                .order_by(EntityRow.entity_id, EntityRow.article_id)
            ).all()
            by_id: dict[str, list[EntityRow]] = {}
            for row in found:
                by_id.setdefault(row.entity_id, []).append(row)
            return [views.merge_entity(by_id[entity_id], n) for entity_id, n in ranked]
