"""Accepting submissions: give each an article id, record its status, queue the work.

A URL becomes a FetchRequest on ``newswire.fetch`` (the fetch worker picks it up);
pushed HTML or text needs no fetch and goes straight to ``newswire.raw`` as a RawArticle.
The caller has validated the input; these functions only decide and publish.
"""

from __future__ import annotations

from dataclasses import dataclass

from newswire_shared import status, streams
from newswire_shared.app import ServiceRuntime
from newswire_shared.ids import article_id_for_content, article_id_for_url, new_trace_id
from newswire_shared.logging import get_logger
from newswire_shared.messages import FetchRequest, Message, RawArticle, utcnow

from .urls import canonicalize

log = get_logger()

TEXT_URL_PREFIX = "urn:newswire:text:"  # the "URL" of pushed text that has none


@dataclass(frozen=True)
class Submission:
    article_id: str
    url: str
    canonical_url: str
    stage: str
    duplicate: bool


async def submit_url(runtime: ServiceRuntime, url: str, *, force: bool = False) -> Submission:
    """Queue ``url`` for fetching, unless the same page is already known."""
    return (await submit_urls(runtime, [url], force=force))[0]


async def submit_urls(
    runtime: ServiceRuntime, urls: list[str], *, force: bool = False
) -> list[Submission]:
    """``submit_url`` for each of ``urls``, in order, in one round trip to Redis."""
    queued: list[FetchRequest] = []
    async with runtime.redis.pipeline(transaction=False) as pipe:
        for url in urls:
            canonical = canonicalize(url)
            request = FetchRequest(
                article_id=article_id_for_url(canonical), trace_id=new_trace_id(), url=url,
                canonical_url=canonical,
            )  # fmt: skip
            status.queue_create_and_queue(
                pipe, request.article_id, streams.FETCH, await _entry_data(request),
                force=force, url=url, canonical_url=canonical, trace_id=request.trace_id,
                source="url",
            )  # fmt: skip
            queued.append(request)
        started = await pipe.execute()
    submissions = []
    for request, fresh in zip(queued, started, strict=True):
        if not fresh:
            submissions.append(await _duplicate(runtime, request.article_id))
            continue
        log.info("queued for fetching", article_id=request.article_id,
                 trace_id=request.trace_id, url=request.url)  # fmt: skip
        submissions.append(Submission(request.article_id, request.url, request.canonical_url,
                                      "queued", duplicate=False))  # fmt: skip
    return submissions


async def submit_content(
    runtime: ServiceRuntime,
    *,
    url: str | None = None,
    html: str | None = None,
    text: str | None = None,
    force: bool = False,
) -> Submission:
    """Send pushed HTML or text straight to the cleaner: there is nothing to fetch."""
    if url is not None:
        canonical = canonicalize(url)
        article_id = article_id_for_url(canonical)
    else:
        # No URL: the content is the identity, so the same text pushed twice is one article.
        article_id = article_id_for_content(text or html or "")
        url = canonical = f"{TEXT_URL_PREFIX}{article_id}"
    trace_id = new_trace_id()
    raw = RawArticle(
        article_id=article_id, trace_id=trace_id, url=url, canonical_url=canonical,
        fetched_at=utcnow(), html=html, text=text,
    )  # fmt: skip
    if not await status.create_and_queue(
        runtime.redis, article_id, streams.RAW, await _entry_data(raw), stage="fetched",
        force=force, url=url, canonical_url=canonical, trace_id=trace_id,
        source="html" if html is not None else "text",
    ):  # fmt: skip
        return await _duplicate(runtime, article_id)
    log.info("pushed content queued", article_id=article_id, trace_id=trace_id, url=url)
    return Submission(article_id, url, canonical, "fetched", duplicate=False)


async def _duplicate(runtime: ServiceRuntime, article_id: str) -> Submission:
    """The live record of an article already submitted: reported, not queued again."""
    record = await status.get(runtime.redis, article_id) or {}
    return Submission(
        article_id=article_id,
        url=record.get("url", ""),
        canonical_url=record.get("canonical_url", ""),
        stage=record.get("stage", ""),
        duplicate=True,
    )


async def _entry_data(message: Message) -> bytes:
    fields = await streams.encode_entry(
        message.model_dump_json().encode(),
        streams.trace_headers(message.article_id, message.trace_id),
    )
    return fields["__data__"]
