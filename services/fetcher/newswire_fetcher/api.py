"""The fetcher's HTTP API: submit pages, ask where an article is.

Bad input is answered 422 with the offending field in ``loc`` (FastAPI's validation
format), never 500; Redis being down is a 503; a pipeline backlog past ``max_backlog``
is a 429 with Retry-After, so a flood of submissions cannot queue without limit.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from redis.exceptions import RedisError

from newswire_shared import status as article_status
from newswire_shared.app import ServiceRuntime
from newswire_shared.maintenance import Backlog

from . import intake
from .access import require_api_key
from .trim import strip_unread
from .urls import validate_submitted_url

router = APIRouter(tags=["articles"])

CheckedUrl = Annotated[str, AfterValidator(validate_submitted_url)]


class SubmitRequest(BaseModel):
    """One of: ``url``; ``urls``; ``url`` + ``html``; ``url`` + ``text``; ``text``."""

    model_config = ConfigDict(
        extra="forbid",  # a misspelt field ("ulr") is an error, not silently ignored
        json_schema_extra={
            "examples": [
                {"url": "https://example.com/news/story"},
                {"urls": ["https://example.com/a", "https://example.com/b"], "force": False},
                {"url": "https://example.com/a", "html": "<html>...</html>"},
                {"text": "KYIV, Ukraine (AP) - ..."},
            ]
        },
    )

    url: CheckedUrl | None = Field(default=None, description="an http(s) URL to fetch")
    urls: list[CheckedUrl] | None = Field(
        default=None, min_length=1, description="several URLs (at most max_batch_urls)"
    )
    html: str | None = Field(default=None, description="the page's HTML, already fetched")
    text: str | None = Field(default=None, description="plain text of an article")
    force: bool = Field(default=False, description="refetch even if the article is known")


class ArticleRef(BaseModel):
    article_id: str
    url: str
    canonical_url: str
    status_url: str
    stage: str
    duplicate: bool


class SubmitResponse(BaseModel):
    articles: list[ArticleRef]
    article_id: str | None = Field(default=None, description="set when one article")
    status_url: str | None = Field(default=None, description="set when one article")


class ArticleStatus(BaseModel):
    article_id: str
    stage: str
    url: str | None = None
    canonical_url: str | None = None
    trace_id: str | None = None
    source: str | None = None
    error: str | None = None
    queued_at: str | None = None
    fetched_at: str | None = None
    cleaned_at: str | None = None
    extracted_at: str | None = None
    stored_at: str | None = None
    failed_at: str | None = None
    updated_at: str | None = None


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def _invalid(field: str, message: str, value: Any = None) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "value_error", "loc": ("body", field), "msg": message, "input": value}]
    )


def _check_combination(body: SubmitRequest, runtime: ServiceRuntime) -> None:
    """Rules between fields, each reported against the field that breaks it."""
    settings = runtime.settings
    if body.urls is not None:
        if body.url is not None or body.html is not None or body.text is not None:
            raise _invalid("urls", "urls cannot be combined with url, html or text")
        if len(body.urls) > settings.max_batch_urls:
            raise _invalid(
                "urls", f"{len(body.urls)} URLs; at most {settings.max_batch_urls} per request"
            )
        return
    if body.html is not None and body.text is not None:
        raise _invalid("html", "give html or text, not both")
    if body.html is not None and body.url is None:
        raise _invalid("url", "url is required with html (use text for content without one)")
    if body.url is None and body.text is None:
        raise _invalid("url", "give url, urls, url with html or text, or text")
    if body.html is not None:
        if not body.html.strip():
            raise _invalid("html", "html is empty")
        if len(body.html.encode()) > settings.fetch_max_bytes:
            raise _invalid("html", f"html is larger than {settings.fetch_max_bytes} bytes")
    if body.text is not None:
        if not body.text.strip():
            raise _invalid("text", "text is empty")
        if len(body.text) > settings.max_text_chars:
            limit = settings.max_text_chars
            raise _invalid("text", f"text is {len(body.text)} characters; the limit is {limit}")


async def _check_backlog(request: Request, runtime: ServiceRuntime) -> None:
    backlog: Backlog = request.app.state.backlog
    try:
        waiting = await backlog.current()
    except RedisError as exc:
        raise HTTPException(503, f"queue unavailable: {type(exc).__name__}: {exc}") from None
    limit = runtime.settings.max_backlog
    if waiting > limit:
        raise HTTPException(
            429,
            f"pipeline backlog is {waiting} entries (limit {limit}); retry later",
            headers={"Retry-After": str(runtime.settings.backlog_retry_after_s)},
        )


async def _accept(
    body: SubmitRequest, runtime: ServiceRuntime, html: str | None
) -> list[intake.Submission]:
    if body.urls is not None:
        return await intake.submit_urls(runtime, body.urls, force=body.force)
    if body.html is not None or body.text is not None:
        return [await intake.submit_content(
            runtime, url=body.url, html=html, text=body.text, force=body.force
        )]  # fmt: skip
    assert body.url is not None  # _check_combination guarantees it
    return [await intake.submit_url(runtime, body.url, force=body.force)]


def _ref(sub: intake.Submission) -> ArticleRef:
    return ArticleRef(
        article_id=sub.article_id, url=sub.url, canonical_url=sub.canonical_url,
        status_url=f"/articles/{sub.article_id}", stage=sub.stage, duplicate=sub.duplicate,
    )  # fmt: skip


@router.post(
    "/articles",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmitResponse,
    response_model_exclude_none=True,
    summary="Submit a URL, a batch of URLs, or pre-fetched HTML or text",
    responses={401: {"description": "NEWSWIRE_API_KEY is set and the request lacks it"},
               413: {"description": "request body larger than api_max_body_bytes"},
               422: {"description": "invalid input; loc names the field"},
               429: {"description": "the pipeline's backlog is past max_backlog; retry later"},
               503: {"description": "the queue (Redis) is unavailable"}},
    dependencies=[Depends(require_api_key)],
)  # fmt: skip
async def submit(body: SubmitRequest, request: Request) -> SubmitResponse:
    runtime = _runtime(request)
    _check_combination(body, runtime)
    await _check_backlog(request, runtime)
    # Pushed HTML loses what no stage reads, as fetched pages do (trim.py); stage work,
    # so before the broker meter starts.
    html = strip_unread(body.html) if body.html is not None else None
    try:
        # Counted as broker work: the status records and queued jobs (with the canonical
        # URL and the log line of each, which the meter cannot tell apart).
        subs = await runtime.meter.metered("intake", _accept(body, runtime, html))
    except RedisError as exc:
        raise HTTPException(503, f"queue unavailable: {type(exc).__name__}: {exc}") from None
    refs = [_ref(sub) for sub in subs]
    if len(refs) == 1:
        return SubmitResponse(
            articles=refs, article_id=refs[0].article_id, status_url=refs[0].status_url
        )
    return SubmitResponse(articles=refs)


@router.get(
    "/articles/{article_id}",
    response_model=ArticleStatus,
    summary="Where an article is in the pipeline",
    responses={404: {"description": "no such article"}},
)
async def get_article(article_id: str, request: Request) -> ArticleStatus:
    try:
        record = await article_status.get(_runtime(request).redis, article_id)
    except RedisError as exc:
        raise HTTPException(503, f"status unavailable: {type(exc).__name__}: {exc}") from None
    if record is None:
        raise HTTPException(404, f"unknown article_id {article_id!r}")
    return ArticleStatus.model_validate({**record, "article_id": article_id})
