"""The extractor's stage function and app wiring (no broker needed)."""

from __future__ import annotations

import datetime as dt

import pytest

from newswire_extractor.service import build_app, extract_article
from newswire_shared.app import ServiceRuntime
from newswire_shared.messages import ArticleMetadata, CleanArticle
from newswire_shared.settings import Settings
from newswire_shared.worker import PermanentError


def _clean(text: str) -> CleanArticle:
    return CleanArticle(
        article_id="a1",
        trace_id="t1",
        url="https://example.org/a",
        canonical_url="https://example.org/a",
        source_kind="text",
        text=text,
        content_hash="h",
        metadata=ArticleMetadata(published=dt.date(2024, 5, 28)),
    )


def test_extract_article() -> None:
    out = extract_article(
        _clean("Zelensky urged allies on Monday to send more Patriot systems."),
        "en_core_web_sm",
        10_000,
    )
    assert out.article_id == "a1" and out.trace_id == "t1"
    assert out.article.text.startswith("Zelensky")
    assert any(e.type == "REQUEST" for e in out.extraction.events)
    request = next(e for e in out.extraction.events if e.type == "REQUEST")
    assert request.time is not None and request.time.date == dt.date(2024, 5, 27)


def test_text_past_the_limit_is_a_permanent_error() -> None:
    with pytest.raises(PermanentError):
        extract_article(_clean("x" * 101), "en_core_web_sm", 100)


async def test_app_has_model_readiness_check() -> None:
    runtime = ServiceRuntime("extractor", Settings(redis_url="redis://127.0.0.1:1/0"))
    app = build_app(runtime)
    assert app.title == "newswire extractor"
    names = [name for name, _ in runtime.readiness_checks]
    assert "model" in names
    check = dict(runtime.readiness_checks)["model"]
    with pytest.raises(RuntimeError):
        await check()  # not loaded before startup
    await runtime.redis.aclose()
