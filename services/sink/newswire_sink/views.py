"""From stored rows back to plain dicts shaped like the message contract (pure functions).

The API's response models validate these dicts, so an event read back looks like the
``Event`` the extractor sent, plus where it came from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from .models import Article, EntityRow, EventRow, MentionRow, QuoteRow

Doc = dict[str, Any]


def aware(value: datetime | None) -> datetime | None:
    """In UTC, whatever the backend gives: SQLite drops the zone (the sink writes UTC),
    PostgreSQL answers in the session's time zone."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def article_summary(a: Article) -> Doc:
    return {
        "article_id": a.article_id,
        "url": a.url,
        "canonical_url": a.canonical_url,
        "title": a.title,
        "authors": list(a.authors or []),
        "published": a.published,
        "updated": a.updated,
        "site_name": a.site_name,
        "language": a.language,
        "duplicate_of": a.duplicate_of,
        "extractor_version": a.extractor_version,
        "stored_at": aware(a.stored_at),
        "updated_at": aware(a.updated_at),
    }


def article_detail(a: Article) -> Doc:
    return {
        **article_summary(a),
        "source_kind": a.source_kind,
        "description": a.description,
        "lead_image": a.lead_image,
        "text": a.text,
        "removed": list(a.removed or []),
        "content_hash": a.content_hash,
        "simhash": a.simhash,
        "trace_id": a.trace_id,
        "cleaned_at": aware(a.cleaned_at),
        "extracted_at": aware(a.extracted_at),
    }


def entity_doc(e: EntityRow) -> Doc:
    return {
        "entity_id": e.entity_id,
        "name": e.name,
        "type": e.type,
        "aliases": list(e.aliases or []),
        "country": e.country,
        "latitude": e.latitude,
        "longitude": e.longitude,
        "weapon_class": e.weapon_class,
    }


def mention_doc(m: MentionRow) -> Doc:
    return {
        "text": m.text,
        "start": m.start_char,
        "end": m.end_char,
        "type": m.type,
        "entity_id": m.entity_id,
        "value": m.value,
        "unit": m.unit,
    }


def quote_doc(q: QuoteRow) -> Doc:
    speaker = None
    if q.speaker_entity_id is not None:
        speaker = {"entity_id": q.speaker_entity_id, "name": q.speaker_name,
                   "type": q.speaker_type}  # fmt: skip
    return {
        "quote_id": q.quote_id,
        "text": q.text,
        "start": q.start_char,
        "end": q.end_char,
        "kind": q.kind,
        "speaker": speaker,
        "speaker_text": q.speaker_text,
        "cue": q.cue,
    }


def event_doc(e: EventRow, effective_date: date | None, extractor_version: str | None) -> Doc:
    location = None
    if e.location_name is not None:
        location = {
            "name": e.location_name,
            "entity_id": e.location_entity_id,
            "country": e.location_country,
            "latitude": e.location_lat,
            "longitude": e.location_lon,
            "precision": e.location_precision or "unknown",
        }
    time = None
    if e.time_text is not None:
        time = {"text": e.time_text, "date": e.event_date,
                "precision": e.time_precision or "unknown"}  # fmt: skip
    return {
        "event_id": e.event_id,
        "article_id": e.article_id,
        "type": e.type,
        "acled_event_type": e.acled_event_type,
        "acled_sub_event_type": e.acled_sub_event_type,
        "trigger": e.trigger,
        "actors": list(e.actors or []),
        "recipients": list(e.recipients or []),
        "location": location,
        "time": time,
        "counts": list(e.counts or []),
        "weapons": list(e.weapons or []),
        "money": list(e.money or []),
        "modality": {"negated": e.negated, "hypothetical": e.hypothetical, "future": e.future},
        "claim_source": e.claim_source,
        "evidence": {
            "sentence": e.evidence_sentence,
            "start": e.evidence_start,
            "end": e.evidence_end,
        },
        "confidence": e.confidence,
        "date": effective_date,
        "extractor_version": extractor_version,
    }


def _most_common(values: Sequence[str]) -> str:
    counts = Counter(values)
    # Ties go to the alphabetically first value, so the answer does not depend on row order.
    return min(counts, key=lambda v: (-counts[v], v))


def _first(rows: Sequence[EntityRow], field: str) -> Any:
    return next((getattr(r, field) for r in rows if getattr(r, field) is not None), None)


def merge_entity(rows: Sequence[EntityRow], article_count: int) -> Doc:
    """One entity across the articles that mention it (rows share an entity_id)."""
    name = _most_common([r.name for r in rows])
    # Latitude and longitude come from the same row, never one from each.
    located = next((r for r in rows if r.latitude is not None and r.longitude is not None), None)
    spellings = {r.name for r in rows} | {a for r in rows for a in (r.aliases or [])}
    return {
        "entity_id": rows[0].entity_id,
        "name": name,
        "type": _most_common([r.type for r in rows]),
        "aliases": sorted(spellings - {name}),
        "country": _first(rows, "country"),
        "latitude": located.latitude if located else None,
        "longitude": located.longitude if located else None,
        "weapon_class": _first(rows, "weapon_class"),
        "article_count": article_count,
    }
