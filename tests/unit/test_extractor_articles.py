"""Whole articles: the seeds (with their debris), empty text, long text (chunking)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from newswire_extractor.extract import EXTRACTOR_VERSION, extract, extract_batch
from newswire_extractor.nlp import get_nlp
from newswire_shared.messages import Extraction

SEEDS = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "seeds").glob("*.txt"))


def _assert_offsets(text: str, ex: Extraction) -> None:
    for m in ex.mentions:
        assert text[m.start : m.end] == m.text
    for q in ex.quotes:
        assert text[q.start : q.end] == q.text
    for e in ex.events:
        assert text[e.evidence.start : e.evidence.end] == e.evidence.sentence
    ids = {e.entity_id for e in ex.entities}
    assert all(m.entity_id in ids for m in ex.mentions if m.entity_id)


@pytest.fixture(scope="module")
def seeds() -> list[tuple[str, Extraction]]:
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    return list(zip(texts, extract_batch([(t, dt.date(2024, 5, 28)) for t in texts]), strict=True))


def test_each_seed_has_requests_and_statements(seeds: list[tuple[str, Extraction]]) -> None:
    assert len(seeds) == 5
    for text, ex in seeds:
        _assert_offsets(text, ex)
        types = {e.type for e in ex.events}
        assert {"REQUEST", "STATEMENT"} <= types
        assert ex.quotes and ex.extractor_version == EXTRACTOR_VERSION
        for e in ex.events:
            assert e.evidence.sentence in text
            assert 0.0 <= e.confidence <= 1.0


def test_batch_equals_single(seeds: list[tuple[str, Extraction]]) -> None:
    text, batched = seeds[2]
    assert extract(text, dt.date(2024, 5, 28)) == batched


def test_empty_and_blank_text() -> None:
    for text in ("", "   \n\n  "):
        ex = extract(text)
        assert ex.entities == [] and ex.mentions == [] and ex.quotes == [] and ex.events == []


def test_debris_does_not_crash() -> None:
    text = '5960 views 41 reactions 24 comment(s)\nPhoto: Reuters\n\u201c\n"\n‘\n$\n0:00\n'
    _assert_offsets(text, extract(text))


@pytest.fixture
def small_max_length() -> Iterator[int]:
    nlp = get_nlp()
    saved = nlp.max_length
    nlp.max_length = 2000
    try:
        yield nlp.max_length
    finally:
        nlp.max_length = saved


def test_long_text_is_chunked_with_true_offsets(small_max_length: int) -> None:
    # Different counts make each paragraph its own happening (identical ones would merge).
    text = "".join(
        f"“We need decisions number {n},” Zelensky said on Monday in Kyiv. A Russian missile "
        f"strike on Kharkiv killed at least {n + 2} people, the governor said.\n\n"
        for n in range(60)
    )
    assert len(text) > 3 * small_max_length
    ex = extract(text, dt.date(2024, 5, 28))
    _assert_offsets(text, ex)
    assert sum(q.kind == "direct" for q in ex.quotes) == 60
    assert sum(q.kind == "indirect" for q in ex.quotes) == 60  # "..., the governor said"
    assert sum(e.type == "ASSAULT" for e in ex.events) == 60
    assert max(q.start for q in ex.quotes) > 2 * small_max_length
    assert len({m.entity_id for m in ex.mentions if m.text == "Zelensky"}) == 1
