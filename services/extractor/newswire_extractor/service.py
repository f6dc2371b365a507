"""Wires the extractor into the pipeline: newswire.clean -> newswire.extracted.

spaCy runs faster on a batch (``nlp.pipe``) than one text at a time, so the service takes
several entries at once (``StageSpec.concurrency``) and a ``MicroBatcher`` gathers the
texts of the entries in flight into one ``nlp.pipe`` call. Each entry still gets its own
result or error back, so acknowledgement and dead-lettering stay per message.
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from newswire_shared import streams
from newswire_shared.app import ServiceRuntime, create_service_app
from newswire_shared.batching import MicroBatcher
from newswire_shared.ids import stable_id
from newswire_shared.logging import get_logger
from newswire_shared.messages import CleanArticle, ExtractedArticle, Extraction
from newswire_shared.worker import PermanentError, StageSpec

from .extract import extract_batch
from .nlp import get_nlp

log = get_logger()


class BatchSettings(BaseSettings):
    """How the extractor batches: ``NEWSWIRE_EXTRACTOR_BATCH_SIZE`` / ``_BATCH_WAIT_MS``."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSWIRE_EXTRACTOR_", env_file=".env", extra="ignore"
    )

    # Entries in flight per process, and texts per nlp.pipe call. Eight texts of ~150 ms
    # keep a batch near one second, so latency stays low while spaCy gets whole batches.
    batch_size: int = Field(default=8, ge=1)
    # How long the first entry of a batch waits for company when the stream is quiet.
    batch_wait_ms: float = Field(default=10.0, ge=0)


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


def extract_articles(
    cleans: list[CleanArticle], model: str, max_chars: int
) -> list[ExtractedArticle | Exception]:
    """``extract_article`` for many articles with one ``nlp.pipe`` call; each article gets
    its result or its own error (one bad text must not fail the others)."""
    # Every article starts as "too long" (extract_article's check); those that fit are
    # overwritten with their extraction below.
    results: list[ExtractedArticle | Exception] = [
        PermanentError(f"text has {len(c.text)} chars, limit is {max_chars}") for c in cleans
    ]
    fits = [n for n, clean in enumerate(cleans) if len(clean.text) <= max_chars]
    items = [(cleans[n].text, cleans[n].metadata.published) for n in fits]
    try:
        extractions = extract_batch(items, batch_size=max(len(items), 1), nlp=get_nlp(model))
    except Exception:
        # Something in the batch broke spaCy or our code: redo them one by one so the
        # error lands on the article that caused it.
        for n in fits:
            try:
                results[n] = extract_article(cleans[n], model, max_chars)
            except Exception as exc:
                results[n] = exc
        return results
    for n, extraction in zip(fits, extractions, strict=True):
        clean = cleans[n]
        results[n] = ExtractedArticle(
            article_id=clean.article_id,
            trace_id=clean.trace_id,
            article=clean,
            extraction=scope_ids(extraction, clean.article_id),
        )
    return results


def build_app(runtime: ServiceRuntime | None = None) -> FastAPI:
    runtime = runtime or ServiceRuntime("extractor")
    settings = runtime.settings
    batching = BatchSettings()
    loaded: dict[str, bool] = {"model": False}

    def _run(cleans: list[CleanArticle]) -> list[ExtractedArticle | Exception]:
        return extract_articles(cleans, settings.spacy_model, settings.max_text_chars)

    batcher: MicroBatcher[CleanArticle, ExtractedArticle] = MicroBatcher(
        _run, batching.batch_size, batching.batch_wait_ms / 1000
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
            process=batcher.submit,
            # Entries in flight at once: the batcher gathers them into one nlp.pipe call.
            concurrency=batching.batch_size,
        )
    )
    return create_service_app(runtime, title="newswire extractor", on_startup=[load_model])
