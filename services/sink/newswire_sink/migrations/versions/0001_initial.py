"""Initial schema: articles and what the extractor found in them.

Written by hand, and frozen: later changes go in new revisions, never here.

Revision ID: 0001
Revises:
Create Date: 2024-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy, not an import of the models: a migration must not change when the models do.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TZ = sa.DateTime(timezone=True)


def _article_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["article_id"], ["articles.article_id"],
        name=f"fk_{table}_article_id_articles", ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("article_id", sa.String(64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("authors", JSON, nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("updated", sa.Date(), nullable=True),
        sa.Column("site_name", sa.Text(), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("lead_image", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("removed", JSON, nullable=False),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("simhash", sa.String(64), nullable=True),
        sa.Column("duplicate_of", sa.String(64), nullable=True),
        sa.Column("extractor_version", sa.String(64), nullable=False),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        sa.Column("trace_id", sa.String(64), nullable=False),
        sa.Column("cleaned_at", TZ, nullable=True),
        sa.Column("extracted_at", TZ, nullable=True),
        sa.Column("stored_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_articles"),
    )
    op.create_index("ix_articles_canonical_url", "articles", ["canonical_url"])
    op.create_index("ix_articles_published", "articles", ["published"])
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
    op.create_index("ix_articles_stored_at", "articles", ["stored_at"])

    op.create_table(
        "entities",
        sa.Column("article_id", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("aliases", JSON, nullable=False),
        sa.Column("country", sa.String(64), nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("weapon_class", sa.Text(), nullable=True),
        _article_fk("entities"),
        sa.PrimaryKeyConstraint("article_id", "entity_id", name="pk_entities"),
    )
    op.create_index("ix_entities_entity_id", "entities", ["entity_id"])
    op.create_index("ix_entities_type", "entities", ["type"])

    op.create_table(
        "mentions",
        sa.Column("article_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start_char", sa.Integer(), nullable=False),
        sa.Column("end_char", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(128), nullable=True),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("unit", sa.String(32), nullable=True),
        _article_fk("mentions"),
        sa.PrimaryKeyConstraint("article_id", "seq", name="pk_mentions"),
    )
    op.create_index("ix_mentions_entity_id", "mentions", ["entity_id"])

    op.create_table(
        "quotes",
        sa.Column("article_id", sa.String(64), nullable=False),
        sa.Column("quote_id", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start_char", sa.Integer(), nullable=False),
        sa.Column("end_char", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("speaker_entity_id", sa.String(128), nullable=True),
        sa.Column("speaker_name", sa.Text(), nullable=True),
        sa.Column("speaker_type", sa.String(16), nullable=True),
        sa.Column("speaker_text", sa.Text(), nullable=True),
        sa.Column("cue", sa.Text(), nullable=True),
        _article_fk("quotes"),
        sa.PrimaryKeyConstraint("article_id", "quote_id", name="pk_quotes"),
    )
    op.create_index("ix_quotes_speaker_entity_id", "quotes", ["speaker_entity_id"])

    op.create_table(
        "events",
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("article_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("acled_event_type", sa.Text(), nullable=True),
        sa.Column("acled_sub_event_type", sa.Text(), nullable=True),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("actors", JSON, nullable=False),
        sa.Column("recipients", JSON, nullable=False),
        sa.Column("weapons", JSON, nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("money", JSON, nullable=False),
        sa.Column("location_name", sa.Text(), nullable=True),
        sa.Column("location_entity_id", sa.String(128), nullable=True),
        sa.Column("location_country", sa.String(64), nullable=True),
        sa.Column("location_lat", sa.Double(), nullable=True),
        sa.Column("location_lon", sa.Double(), nullable=True),
        sa.Column("location_precision", sa.String(16), nullable=True),
        sa.Column("time_text", sa.Text(), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("time_precision", sa.String(16), nullable=True),
        sa.Column("negated", sa.Boolean(), nullable=False),
        sa.Column("hypothetical", sa.Boolean(), nullable=False),
        sa.Column("future", sa.Boolean(), nullable=False),
        sa.Column("claim_source", sa.Text(), nullable=True),
        sa.Column("evidence_sentence", sa.Text(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        _article_fk("events"),
        sa.PrimaryKeyConstraint("event_id", name="pk_events"),
    )
    op.create_index("ix_events_article_id", "events", ["article_id"])
    op.create_index("ix_events_type", "events", ["type"])
    op.create_index("ix_events_event_date", "events", ["event_date"])

    op.create_table(
        "event_entities",
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(16), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.event_id"],
            name="fk_event_entities_event_id_events", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "role", "entity_id", name="pk_event_entities"),
    )
    op.create_index("ix_event_entities_entity_id", "event_entities", ["entity_id"])


def downgrade() -> None:
    for table in ("event_entities", "events", "quotes", "mentions", "entities", "articles"):
        op.drop_table(table)
