"""Structured logs: JSON one event per line (console rendering on a TTY).

Every line carries ``service``; per-message context (``article_id``, ``trace_id``,
``stage``) is bound with structlog's context variables so that everything logged while
a message is handled carries it without passing it around.
"""

from __future__ import annotations

import logging
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
import structlog
from structlog.contextvars import bind_contextvars, bound_contextvars, clear_contextvars

__all__ = [
    "bind_contextvars",
    "bound_contextvars",
    "clear_contextvars",
    "configure_logging",
    "get_logger",
    "redacted",
]


def _orjson_dumps(obj: Any, default: Any = None) -> str:
    return orjson.dumps(obj, default=default or str).decode()


def configure_logging(service: str, level: str = "INFO", fmt: str = "auto") -> None:
    """Set up structlog and route the standard library's logging through it."""
    use_console = fmt == "console" or (fmt == "auto" and sys.stdout.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.dev.ConsoleRenderer()
        if use_console
        else structlog.processors.JSONRenderer(serializer=_orjson_dumps)
    )
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)

    # Libraries (uvicorn, alembic) log through the standard library: render
    # their records the same way so the stream stays one JSON object per line.
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name, _add_service(service)],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _add_service(service: str) -> Any:
    def processor(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
        event_dict.setdefault("service", service)
        return event_dict

    return processor


def get_logger(**initial: Any) -> Any:
    return structlog.get_logger(**initial)


def redacted(url: str) -> str:
    """``url`` without its password, for log lines and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))
