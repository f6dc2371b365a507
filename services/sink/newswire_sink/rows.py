"""From an ExtractedArticle to table rows: pure functions, no database.

Natural keys repeated inside one message (an extractor bug, or an entity listed twice
as an actor) are dropped here, first one wins, so an insert never conflicts with itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

import orjson

from newswire_shared.messages import EntityRef, Event, ExtractedArticle

Row = dict[str, Any]
T = TypeVar("T")

# Fields that change on every run of the pipeline but say nothing about the content.
_VOLATILE: dict[str, Any] = {
    "trace_id": True,
    "extracted_at": True,
    "article": {"trace_id": True, "cleaned_at": True},
}


def payload_hash(message: ExtractedArticle) -> str:
    """Fingerprint of what the sink stores; equal for a redelivery or an unchanged re-run."""
    data = message.model_dump(mode="json", exclude=_VOLATILE)
    try:
        encoded = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # integers past 64 bits
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        encoded = text.encode()
    return hashlib.sha256(encoded).hexdigest()


def unique_by(items: Iterable[T], key: Callable[[T], Hashable]) -> Iterator[T]:
    seen: set[Hashable] = set()
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            yield item


def article_row(message: ExtractedArticle, now: datetime) -> Row:
    article, meta = message.article, message.article.metadata
    return {
        "article_id": message.article_id,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "source_kind": article.source_kind,
        "title": meta.title,
        "description": meta.description,
        "authors": list(meta.authors),
        "published": meta.published,
        "updated": meta.updated,
        "site_name": meta.site_name,
        "language": meta.language,
        "lead_image": meta.lead_image,
        "text": article.text,
        "removed": [r.model_dump(mode="json") for r in article.removed],
        "content_hash": article.content_hash,
        "simhash": article.simhash,
        "duplicate_of": article.duplicate_of,
        "extractor_version": message.extraction.extractor_version,
        "payload_hash": payload_hash(message),
        "trace_id": message.trace_id,
        "cleaned_at": article.cleaned_at,
        "extracted_at": message.extracted_at,
        "stored_at": now,
        "updated_at": now,
    }


def entity_rows(message: ExtractedArticle) -> list[Row]:
    entities = unique_by(message.extraction.entities, lambda e: e.entity_id)
    return [
        {
            "article_id": message.article_id,
            "entity_id": e.entity_id,
            "name": e.name,
            "type": e.type,
            "aliases": list(e.aliases),
            "country": e.country,
            "latitude": e.latitude,
            "longitude": e.longitude,
            "weapon_class": e.weapon_class,
        }
        for e in entities
    ]


def mention_rows(message: ExtractedArticle) -> list[Row]:
    return [
        {
            "article_id": message.article_id,
            "seq": seq,
            "text": m.text,
            "start_char": m.start,
            "end_char": m.end,
            "type": m.type,
            "entity_id": m.entity_id,
            "value": m.value,
            "unit": m.unit,
        }
        for seq, m in enumerate(message.extraction.mentions)
    ]


def quote_rows(message: ExtractedArticle) -> list[Row]:
    quotes = unique_by(message.extraction.quotes, lambda q: q.quote_id)
    return [
        {
            "article_id": message.article_id,
            "quote_id": q.quote_id,
            "text": q.text,
            "start_char": q.start,
            "end_char": q.end,
            "kind": q.kind,
            "speaker_entity_id": q.speaker.entity_id if q.speaker else None,
            "speaker_name": q.speaker.name if q.speaker else None,
            "speaker_type": q.speaker.type if q.speaker else None,
            "speaker_text": q.speaker_text,
            "cue": q.cue,
        }
        for q in quotes
    ]


def _refs(refs: list[EntityRef]) -> list[Row]:
    return [r.model_dump(mode="json") for r in refs]


def _event_row(article_id: str, e: Event) -> Row:
    loc, time = e.location, e.time
    return {
        "event_id": e.event_id,
        "article_id": article_id,
        "type": e.type,
        "acled_event_type": e.acled_event_type,
        "acled_sub_event_type": e.acled_sub_event_type,
        "trigger": e.trigger,
        "actors": _refs(e.actors),
        "recipients": _refs(e.recipients),
        "weapons": _refs(e.weapons),
        "counts": [c.model_dump(mode="json") for c in e.counts],
        "money": [m.model_dump(mode="json") for m in e.money],
        "location_name": loc.name if loc else None,
        "location_entity_id": loc.entity_id if loc else None,
        "location_country": loc.country if loc else None,
        "location_lat": loc.latitude if loc else None,
        "location_lon": loc.longitude if loc else None,
        "location_precision": loc.precision if loc else None,
        "time_text": time.text if time else None,
        "event_date": time.date if time else None,
        "time_precision": time.precision if time else None,
        "negated": e.modality.negated,
        "hypothetical": e.modality.hypothetical,
        "future": e.modality.future,
        "claim_source": e.claim_source,
        "evidence_sentence": e.evidence.sentence,
        "evidence_start": e.evidence.start,
        "evidence_end": e.evidence.end,
        "confidence": e.confidence,
    }


def unique_events(message: ExtractedArticle) -> list[Event]:
    return list(unique_by(message.extraction.events, lambda e: e.event_id))


def event_rows(message: ExtractedArticle) -> list[Row]:
    return [_event_row(message.article_id, e) for e in unique_events(message)]


def _participants(event: Event, entity_types: Mapping[str, str]) -> Iterator[Row]:
    for role, refs in (("actor", event.actors), ("recipient", event.recipients),
                       ("weapon", event.weapons)):  # fmt: skip
        for ref in refs:
            yield {"role": role, "entity_id": ref.entity_id, "name": ref.name, "type": ref.type}
    loc = event.location
    # A place the gazetteer did not resolve has no entity id; it stays searchable by
    # name through events.location_name.
    if loc is not None and loc.entity_id:
        yield {"role": "location", "entity_id": loc.entity_id, "name": loc.name,
               "type": entity_types.get(loc.entity_id)}  # fmt: skip


def event_entity_rows(message: ExtractedArticle) -> list[Row]:
    types = {e.entity_id: e.type for e in message.extraction.entities}
    rows = (
        {"event_id": event.event_id, **part}
        for event in unique_events(message)
        for part in _participants(event, types)
    )
    return list(unique_by(rows, lambda r: (r["event_id"], r["role"], r["entity_id"])))
