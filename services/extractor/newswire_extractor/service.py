"""Wires the extractor into the pipeline: newswire.clean -> newswire.extracted."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime, create_service_app
from newswire_shared.ids import stable_id
from newswire_shared.messages import CleanArticle, ExtractedArticle, Extraction
from newswire_shared.worker import PermanentError, StageSpec

from .extract import extract_batch
from .nlp import get_nlp


def scope_ids(extraction: Extraction, article_id: str) -> Extraction:
    """Make event and quote ids unique across articles (they are the sink's natural keys).

    ``extract`` sees only a text, so its ids are unique within that text; two articles
    carrying the same wire copy must still keep their own events. Entity ids stay
    global: the same person is the same entity in every article.
    """
    for event in extraction.events:
        event.event_id = stable_id(article_id, event.event_id)
    for quote in extraction.quotes:
        quote.quote_id = stable_id(article_id, quote.quote_id)
    return extraction


def extract_article(clean: CleanArticle, model: str, max_chars: int) -> ExtractedArticle:
    if len(clean.text) > max_chars:
        # Chunking handles texts past spaCy's limit; this bounds the work per message.
        raise PermanentError(f"text has {len(clean.text)} chars, limit is {max_chars}")
    items = [(clean.text, clean.metadata.published)]
    extraction = scope_ids(extract_batch(items, nlp=get_nlp(model))[0], clean.article_id)
    return ExtractedArticle(
        article_id=clean.article_id,
        trace_id=clean.trace_id,
        article=clean,
        extraction=extraction,
    )


def build_app(runtime: ServiceRuntime | None = None) -> FastAPI:
    runtime = runtime or ServiceRuntime("extractor")
    settings = runtime.settings
    loaded: dict[str, bool] = {"model": False}

    async def _process(clean: CleanArticle) -> ExtractedArticle:
        # spaCy is CPU-bound: keep the event loop free for health checks and acks.
        return await asyncio.to_thread(
            extract_article, clean, settings.spacy_model, settings.max_text_chars
        )

    async def load_model() -> None:
        # Load at startup (a few seconds), not on the first message.
        await asyncio.to_thread(get_nlp, settings.spacy_model)
        loaded["model"] = True

    async def model_ready() -> None:
        if not loaded["model"]:
            raise RuntimeError(f"spaCy model {settings.spacy_model!r} not loaded yet")

    runtime.readiness_checks.append(("model", model_ready))
    runtime.add_stage(
        StageSpec(
            service="extractor",
            input_stream=streams.CLEAN,
            input_model=CleanArticle,
            output_stream=streams.EXTRACTED,
            done_stage="extracted",
            process=_process,
        )
    )
    return create_service_app(runtime, title="newswire extractor", on_startup=[load_model])
