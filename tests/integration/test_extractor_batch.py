"""The extractor's batched path: one nlp.pipe call for many articles, each article keeping
its own result or error, and the same output as extracting the articles one by one."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from newswire_extractor.service import extract_article, extract_articles
from newswire_shared.batching import MicroBatcher
from newswire_shared.messages import ArticleMetadata, CleanArticle
from newswire_shared.worker import PermanentError
from tests.conftest import SEEDS

MODEL = "en_core_web_sm"


def _clean(n: int, text: str) -> CleanArticle:
    return CleanArticle(
        article_id=f"a{n}",
        trace_id=f"t{n}",
        url=f"https://example.org/{n}",
        canonical_url=f"https://example.org/{n}",
        source_kind="text",
        text=text,
        content_hash=f"h{n}",
        metadata=ArticleMetadata(published=dt.date(2024, 5, 28)),
    )


def test_batched_extraction_equals_one_by_one() -> None:
    cleans = [_clean(n, path.read_text(encoding="utf-8")) for n, path in enumerate(SEEDS)]
    batched = extract_articles(cleans, MODEL, 100_000)
    for clean, result in zip(cleans, batched, strict=True):
        assert not isinstance(result, Exception), result
        single = extract_article(clean, MODEL, 100_000)
        when = {"extracted_at"}  # the only field that differs: when each was made
        assert result.model_dump(exclude=when) == single.model_dump(exclude=when)
        assert result.extraction.events, f"{clean.article_id}: no events"


def test_a_text_past_the_limit_fails_alone() -> None:
    ok = "Zelensky urged allies on Monday to send more Patriot systems."
    results = extract_articles([_clean(1, ok), _clean(2, "x" * 500), _clean(3, ok)], MODEL, 200)
    assert isinstance(results[1], PermanentError)
    assert "limit is 200" in str(results[1])
    for result in (results[0], results[2]):
        assert not isinstance(result, Exception)
        assert any(e.type == "REQUEST" for e in result.extraction.events)
    assert [r.article_id for r in (results[0], results[2])] == ["a1", "a3"]  # type: ignore[union-attr]


async def test_micro_batcher_gathers_concurrent_items_into_one_call() -> None:
    calls: list[list[int]] = []

    def run(items: list[int]) -> list[int | Exception]:
        calls.append(items)
        return [ValueError(f"bad {i}") if i == 3 else i * 10 for i in items]

    batcher: MicroBatcher[int, int] = MicroBatcher(run, max_size=4, max_wait_s=0.05)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(6)), return_exceptions=True)
    assert results[:3] == [0, 10, 20] and results[4:] == [40, 50]
    assert isinstance(results[3], ValueError) and str(results[3]) == "bad 3"
    assert calls == [[0, 1, 2, 3], [4, 5]]  # at most max_size per call, in arrival order


async def test_micro_batcher_hands_a_crash_of_run_to_every_caller_and_goes_on() -> None:
    def run(items: list[int]) -> list[int | Exception]:
        if 0 in items:
            raise RuntimeError("run broke")
        return list(items)

    batcher: MicroBatcher[int, int] = MicroBatcher(run, max_size=8, max_wait_s=0.01)
    first = await asyncio.gather(batcher.submit(0), batcher.submit(1), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in first)
    assert await batcher.submit(7) == 7  # the batcher still serves later items
    with pytest.raises(RuntimeError):
        await batcher.submit(0)
