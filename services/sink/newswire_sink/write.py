"""The sink's write path in SQLAlchemy Core: statements built once per dialect, rows
inserted with executemany (COPY on PostgreSQL), one transaction per call.

The ORM session and per-call statement building cost more CPU per article than the
database itself; these statements are built once per dialect and SQLAlchemy caches their
compiled form, so a save is a handful of executes. A fresh article (the usual case) has
no old rows, so its save skips the deletes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from newswire_shared.messages import ExtractedArticle, utcnow

from . import rows
from .db import json_dumps
from .models import Article, Base, EntityRow, EventEntityRow, EventRow, MentionRow, QuoteRow

_TABLES = Base.metadata.tables
ARTICLES = _TABLES[Article.__tablename__]
ENTITIES = _TABLES[EntityRow.__tablename__]
MENTIONS = _TABLES[MentionRow.__tablename__]
QUOTES = _TABLES[QuoteRow.__tablename__]
EVENTS = _TABLES[EventRow.__tablename__]
EVENT_ENTITIES = _TABLES[EventEntityRow.__tablename__]
# A stored article keeps when it was first stored; everything else follows the message.
_KEEP_ON_UPDATE = ("article_id", "stored_at")


@dataclass(frozen=True)
class Statements:
    upsert_article: Any
    upsert_events: Any
    delete_extracted: tuple[Any, ...]  # by article_id, children first
    delete_participants: Any  # by event_ids: events another article stored under these ids
    inserts: tuple[tuple[Any, str], ...]  # (statement, key of Extracted rows), in FK order


def _dialect_insert(dialect: str) -> Any:
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"the sink supports SQLite and PostgreSQL, not {dialect}")


@cache
def statements(dialect: str) -> Statements:
    insert = _dialect_insert(dialect)
    article = insert(ARTICLES)
    upsert_article = article.on_conflict_do_update(
        index_elements=[ARTICLES.c.article_id],
        set_={
            c.name: article.excluded[c.name] for c in ARTICLES.c if c.name not in _KEEP_ON_UPDATE
        },
        where=ARTICLES.c.payload_hash != article.excluded.payload_hash,
    ).returning(ARTICLES.c.stored_at, ARTICLES.c.updated_at)
    event = insert(EVENTS)
    # event_id is global: an id another article already stored moves to this article
    # (last writer wins) instead of failing the whole message.
    upsert_events = event.on_conflict_do_update(
        index_elements=[EVENTS.c.event_id],
        set_={c.name: event.excluded[c.name] for c in EVENTS.c if c.name != "event_id"},
    )
    article_ids: sa.BindParameter[Any] = sa.bindparam("article_ids", expanding=True)
    old_events = sa.select(EVENTS.c.event_id).where(EVENTS.c.article_id.in_(article_ids))
    delete_extracted = (
        sa.delete(EVENT_ENTITIES).where(EVENT_ENTITIES.c.event_id.in_(old_events)),
        *(
            sa.delete(table).where(table.c.article_id.in_(article_ids))
            for table in (EVENTS, QUOTES, MENTIONS, ENTITIES)
        ),
    )
    delete_participants = sa.delete(EVENT_ENTITIES).where(
        EVENT_ENTITIES.c.event_id.in_(sa.bindparam("event_ids", expanding=True))
    )
    inserts = (
        (sa.insert(ENTITIES), "entities"),
        (sa.insert(MENTIONS), "mentions"),
        (sa.insert(QUOTES), "quotes"),
        (upsert_events, "events"),
        (sa.insert(EVENT_ENTITIES), "participants"),
    )
    return Statements(upsert_article, upsert_events, delete_extracted, delete_participants, inserts)


# Rows without conflicts to resolve (their article's old rows are deleted first) go to
# PostgreSQL by COPY: psycopg's executemany spends more CPU per row than the server does.
_COPIED = {
    "entities": ENTITIES,
    "mentions": MENTIONS,
    "quotes": QUOTES,
    "participants": EVENT_ENTITIES,
}


def copy_rows(conn: Connection, table: sa.Table, batch: list[rows.Row]) -> None:
    """``INSERT`` ``batch`` into ``table`` with ``COPY ... FROM STDIN`` (PostgreSQL)."""
    columns = [c.name for c in table.c]
    as_json = {c.name for c in table.c if isinstance(c.type, sa.JSON)}
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    try:
        driver: Any = conn.connection.driver_connection  # a psycopg.Connection
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in batch:
                copy.write_row([json_dumps(row[c]) if c in as_json else row[c] for c in columns])
    except psycopg.DataError as exc:  # as SQLAlchemy reports it for the other statements
        raise sa.exc.DataError(sql, None, exc) from exc


@dataclass
class Extracted:
    """The rows of one or more articles' extractions, ready for executemany."""

    entities: list[rows.Row]
    mentions: list[rows.Row]
    quotes: list[rows.Row]
    events: list[rows.Row]
    participants: list[rows.Row]

    @classmethod
    def of(cls, message: ExtractedArticle) -> Extracted:
        return cls(
            rows.entity_rows(message),
            rows.mention_rows(message),
            rows.quote_rows(message),
            rows.event_rows(message),
            rows.event_entity_rows(message),
        )

    def extend(self, other: Extracted) -> None:
        for key in ("entities", "mentions", "quotes", "events", "participants"):
            getattr(self, key).extend(getattr(other, key))


def _upsert_article(conn: Connection, message: ExtractedArticle, now: datetime) -> str | None:
    """Insert or update the article row: None when the stored one has the same content,
    "new" when there was none, "updated" otherwise."""
    stmt = statements(conn.dialect.name).upsert_article
    found = conn.execute(stmt, rows.article_row(message, now)).first()
    if found is None:
        return None
    # stored_at is kept on update, so it equals updated_at only for a fresh insert (an
    # earlier save stored an earlier clock reading). A fresh article has no rows to delete.
    return "new" if found.stored_at == found.updated_at else "updated"


def _write(conn: Connection, replaced: list[str], extracted: Extracted) -> None:
    """Delete what the ``replaced`` articles had, then insert ``extracted``."""
    stmts = statements(conn.dialect.name)
    if replaced:
        for stmt in stmts.delete_extracted:
            conn.execute(stmt, {"article_ids": replaced})
    event_ids = [e["event_id"] for e in extracted.events]
    if event_ids:  # participants of an event another article stored under this id
        conn.execute(stmts.delete_participants, {"event_ids": event_ids})
    for stmt, key in stmts.inserts:
        batch = getattr(extracted, key)
        if not batch:
            continue
        if conn.dialect.name == "postgresql" and key in _COPIED:
            copy_rows(conn, _COPIED[key], batch)
        else:
            conn.execute(stmt, batch)


def save(conn: Connection, message: ExtractedArticle, now: datetime) -> bool:
    """Store one article and its extraction in the caller's transaction."""
    outcome = _upsert_article(conn, message, now)
    if outcome is None:
        return False
    _write(conn, [message.article_id] if outcome == "updated" else [], Extracted.of(message))
    return True


def _independent(messages: Sequence[ExtractedArticle]) -> bool:
    """No article and no event id twice: their rows can be written in one executemany
    each without one article's rows overwriting another's within the batch."""
    articles = {m.article_id for m in messages}
    events = [e.event_id for m in messages for e in rows.unique_events(m)]
    return len(articles) == len(messages) and len(set(events)) == len(events)


def save_many(conn: Connection, messages: Sequence[ExtractedArticle], now: datetime) -> list[bool]:
    """Store several articles in the caller's transaction; per message, whether it
    changed anything. The same outcome as saving them one by one, in order."""
    if not _independent(messages):
        # Each its own clock reading: a save tells an insert from an update by its
        # stored_at, and an article saved twice here must see the second as an update.
        return [save(conn, m, utcnow()) for m in messages]
    replaced: list[str] = []
    extracted = Extracted([], [], [], [], [])
    changed = []
    for message in messages:
        outcome = _upsert_article(conn, message, now)
        changed.append(outcome is not None)
        if outcome == "updated":
            replaced.append(message.article_id)
        if outcome is not None:
            extracted.extend(Extracted.of(message))
    _write(conn, replaced, extracted)
    return changed
