"""One exception type for everything the user should read as a message, not a traceback."""

from __future__ import annotations


class CliError(Exception):
    """Printed as ``error: <message>``; the command exits with status 1."""
