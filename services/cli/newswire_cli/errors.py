"""One exception type for everything the user should read as a message, not a traceback."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


class CliError(Exception):
    """Printed as ``error: <message>``; the command exits with status 1."""


def redacted(url: str) -> str:
    """``url`` without a password, for error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))
