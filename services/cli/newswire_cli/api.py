"""Calls to the fetcher and sink APIs, turning network and HTTP failures into CliErrors."""

from __future__ import annotations

from typing import Any

import httpx

from newswire_shared.settings import Settings

from .errors import CliError

TIMEOUT_S = 30.0


def request(
    method: str,
    base_url: str,
    path: str,
    *,
    service: str,
    params: dict[str, Any] | None = None,
    json: Any = None,
) -> Any:
    """The decoded JSON answer of ``method base_url+path``; CliError for anything else."""
    url = base_url.rstrip("/") + path
    try:
        with httpx.Client(timeout=TIMEOUT_S, trust_env=False, headers=_auth()) as client:
            response = client.request(method, url, params=params, json=json)
    except httpx.TransportError as exc:
        raise CliError(
            f"cannot reach the {service} at {base_url} ({type(exc).__name__}); is it running? "
            f"(set NEWSWIRE_{service.upper()}_URL to point elsewhere)"
        ) from None
    if response.status_code == 401:
        raise CliError(f"{service} refused the request: {_detail(response)} (set NEWSWIRE_API_KEY)")
    if response.status_code == 404:
        raise CliError(f"not found: {_detail(response) or path}")
    if response.status_code >= 400:
        raise CliError(f"{service} answered HTTP {response.status_code}: {_detail(response)}")
    try:
        return response.json()
    except ValueError:
        raise CliError(f"{service} answered with something that is not JSON") from None


def _auth() -> dict[str, str]:
    """The API key header when NEWSWIRE_API_KEY is set (read now: this call's environment)."""
    key = Settings().api_key
    return {"X-API-Key": key.get_secret_value()} if key is not None else {}


def _detail(response: httpx.Response) -> str:
    """FastAPI's error detail, readable: ``url: Value error, ...`` for validation errors."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return response.text[:500]
    if isinstance(detail, list):
        parts = []
        for error in detail:
            loc = [str(p) for p in error.get("loc", []) if p != "body"]
            parts.append(f"{'.'.join(loc) or 'body'}: {error.get('msg', '')}")
        return "; ".join(parts)
    return str(detail)
