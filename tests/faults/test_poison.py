"""Fault 4: poison entries (invalid JSON, another schema_version, a 10 MB text, a text
past the extractor's limit, an entry without the data field) each go to newswire.dlq
with a clear reason, and the healthy articles around them are stored."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
import redis

from newswire_shared.messages import CleanArticle, RawArticle, utcnow
from newswire_shared.settings import Settings
from newswire_shared.streams import CLEAN, RAW, encode_entry, trace_headers
from tests.support.faults import FaultEnv, article_text, report

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

HEALTHY = 30


def _entry(body: bytes, article_id: str) -> dict[str, bytes]:
    return asyncio.run(encode_entry(body, trace_headers(article_id, f"trace-{article_id}")))


def _raw(article_id: str, text: str) -> RawArticle:
    url = f"urn:newswire:text:{article_id}"
    return RawArticle(article_id=article_id, trace_id=f"trace-{article_id}", url=url,
                      canonical_url=url, fetched_at=utcnow(), text=text)  # fmt: skip


def _poison() -> list[tuple[str, str, dict[str, bytes], str]]:
    """(name, stream, entry fields, a word the dead letter's reason must contain)."""
    past_limit = Settings().max_text_chars + 1
    wrong_version = _raw("p-version", article_text(1)).model_dump(mode="json")
    wrong_version["schema_version"] = 2
    too_long = CleanArticle(
        article_id="p-nlp", trace_id="trace-p-nlp", url="urn:x", canonical_url="urn:x",
        source_kind="text", text="Kyiv was shelled. " * (past_limit // 18 + 1),
        content_hash="h",
    )  # fmt: skip
    return [
        ("invalid-json", RAW, _entry(b'{"article_id": "p-json", ', "p-json"), "invalid"),
        ("schema-version", RAW, _entry(json.dumps(wrong_version).encode(), "p-version"),
         "schema_version"),
        ("10MB-text", RAW, _entry(_raw("p-10mb", "Kharkiv. " * 1_200_000)
                                  .model_dump_json().encode(), "p-10mb"), "too large"),
        ("nlp-limit", CLEAN, _entry(too_long.model_dump_json().encode(), "p-nlp"), "chars"),
        ("no-data-field", RAW, {"payload": b"not a newswire entry"}, ""),
    ]  # fmt: skip


def test_poison_entries_are_dead_lettered_with_a_reason_and_the_rest_flows(
    tmp_path: Path,
) -> None:
    with FaultEnv(tmp_path, replicas={"extractor": 2}) as env:
        client = redis.Redis.from_url(env.redis_url)
        before = env.submit_texts(article_text(i, "before ") for i in range(HEALTHY // 2))
        origins = {}
        for name, stream, fields, _ in _poison():
            origins[name] = client.xadd(stream, fields).decode()  # type: ignore[arg-type,union-attr]
        after = env.submit_texts(article_text(i, "after ") for i in range(HEALTHY // 2))
        outcome = env.outcome("poison", before + after, timeout_s=150)

        deadline_letters = 60
        letters: dict[str, dict] = {}
        for _ in range(deadline_letters * 2):
            letters = {d.get("origin_id", ""): d for d in env.dead_letters()}
            if all(origin in letters for origin in origins.values()):
                break
            time.sleep(0.5)
        client.close()
        outcome.dead = len([o for o in origins.values() if o in letters])
        outcome.note = "poison=" + ",".join(
            f"{name}->{letters[o]['service']}" if o in letters else f"{name}->MISSING"
            for name, o in origins.items()
        )
        report(outcome)
        assert outcome.lost == 0 and outcome.stored == HEALTHY, env.tails()
        assert outcome.duplicates == 0
        for name, _, _, word in _poison():
            letter = letters.get(origins[name])
            assert letter is not None, f"{name} was not dead-lettered:\n{env.tails()}"
            assert letter["error"] and word.lower() in letter["error"].lower(), letter["error"]
            assert letter["error_kind"] == "permanent", letter
