"""Run the cleaner or the extractor in this process, no broker: one file or JSON lines.

The stages are imported when a command runs, not at start-up: ``newswire status`` should
not pay for loading trafilatura or spaCy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from newswire_shared.worker import PermanentError

from .errors import CliError

# Names the extractor may give the article-date parameter of extract().
DATE_PARAMS = ("published", "published_on", "article_date", "reference_date", "pub_date")


def jsonable(value: Any) -> Any:
    """Stage results (pydantic models, dataclasses, dates) as plain JSON values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def looks_like_html(content: str) -> bool:
    return content.lstrip().startswith("<")


def clean_one(content: str, url: str | None = None, *, html: bool | None = None) -> Any:
    """Clean HTML (``html=True``) or text; ``None`` decides by the first character."""
    try:
        from newswire_cleaner.clean import clean_html, clean_text
    except ImportError as exc:
        raise CliError(f"the cleaner is not available: {exc}") from None
    if html is None:
        html = looks_like_html(content)
    return clean_html(content, url) if html else clean_text(content)


def extract_one(text: str, published: dt.date | None = None) -> Any:
    extract = _extractor("extract")
    return extract(text, **_date_kwargs(extract, published))


def extract_many(items: list[tuple[str, dt.date | None]]) -> list[Any]:
    """Several texts at once: ``extract_batch`` when it takes (text, date) pairs."""
    try:
        batch = _extractor("extract_batch")
    except CliError:
        batch = None
    if batch is not None:
        try:
            return list(batch(items))
        except TypeError:
            pass  # another calling convention: fall back to one at a time
    return [extract_one(text, published) for text, published in items]


def _extractor(name: str) -> Callable[..., Any]:
    try:
        module = __import__("newswire_extractor.extract", fromlist=[name])
    except ImportError as exc:
        raise CliError(f"the extractor is not available: {exc}") from None
    function = getattr(module, name, None)
    if function is None:
        raise CliError(f"newswire_extractor.extract has no {name}()")
    return function


def _date_kwargs(function: Callable[..., Any], published: dt.date | None) -> dict[str, Any]:
    if published is None:
        return {}
    parameters = inspect.signature(function).parameters
    for name in DATE_PARAMS:
        if name in parameters:
            return {name: published}
    raise CliError(f"{function.__name__}() takes no article date; drop --published")


def parse_date(value: Any, field: str = "published") -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CliError(f"{field}: {value!r} is not a date (YYYY-MM-DD)") from None


# --- JSON lines ------------------------------------------------------------------------


def read_jsonl(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, object or None, error or None) for each non-blank line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"line {number}: not JSON: {exc.msg}"
            continue
        if not isinstance(item, dict):
            yield number, None, f"line {number}: expected a JSON object"
            continue
        yield number, item, None


def with_id(item: dict[str, Any] | None, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with the input's ``id`` echoed first, when it had one."""
    if item is not None and "id" in item:
        return {"id": item["id"], **payload}
    return payload


def clean_item(item: dict[str, Any]) -> dict[str, Any]:
    html, text, url = item.get("html"), item.get("text"), item.get("url")
    if isinstance(html, str):
        return jsonable(clean_one(html, url if isinstance(url, str) else None, html=True))
    if isinstance(text, str):
        return jsonable(clean_one(text, html=False))
    raise CliError('each line needs "html" (with an optional "url") or "text"')


def run_jsonl(
    lines: Iterable[str], handle: Callable[[dict[str, Any]], dict[str, Any]]
) -> Iterator[tuple[dict[str, Any], bool]]:
    """(output object, ok) per input line; a bad line yields an error object, not a stop."""
    for _, item, error in read_jsonl(lines):
        if item is None:
            yield {"error": error}, False
            continue
        try:
            yield with_id(item, handle(item)), True
        except (PermanentError, CliError, ValueError) as exc:
            yield with_id(item, {"error": str(exc)}), False


def extract_items(
    lines: Iterable[str], batch_size: int = 32
) -> Iterator[tuple[dict[str, Any], bool]]:
    """JSON lines for ``extract --jsonl``, in batches so spaCy can pipe them."""
    pending: list[tuple[dict[str, Any], str, dt.date | None]] = []

    def flush() -> Iterator[tuple[dict[str, Any], bool]]:
        if not pending:
            return
        try:
            results = extract_many([(text, published) for _, text, published in pending])
            for (item, _, _), result in zip(pending, results, strict=True):
                yield with_id(item, jsonable(result)), True
        except (PermanentError, ValueError):
            # One bad text spoils a batch: redo it one by one to blame the right line.
            for item, text, published in pending:
                try:
                    yield with_id(item, jsonable(extract_one(text, published))), True
                except (PermanentError, CliError, ValueError) as exc:
                    yield with_id(item, {"error": str(exc)}), False
        pending.clear()

    for _, item, error in read_jsonl(lines):
        if item is None:
            yield from flush()  # keep the output in input order
            yield {"error": error}, False
            continue
        text = item.get("text")
        try:
            if not isinstance(text, str):
                raise CliError('each line needs "text" (and optionally "published")')
            published = parse_date(item.get("published"))
        except CliError as exc:
            yield from flush()
            yield with_id(item, {"error": str(exc)}), False
            continue
        pending.append((item, text, published))
        if len(pending) >= batch_size:
            yield from flush()
    yield from flush()
