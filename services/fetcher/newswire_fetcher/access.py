"""Who may write, and how much: the optional API key and the request body limit.

With ``NEWSWIRE_API_KEY`` set, every write needs it, as ``X-API-Key: <key>`` or
``Authorization: Bearer <key>``; reads (status, health) stay open. The key is compared
in constant time and never logged or echoed.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# auto_error=False: the schemes document the API (OpenAPI) while require_api_key decides,
# since without a configured key no header is needed at all.
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
_bearer = HTTPBearer(auto_error=False)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def key_matches(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


async def require_api_key(
    request: Request,
    api_key: Annotated[str | None, Depends(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    secret = request.app.state.runtime.settings.api_key
    if secret is None:
        return
    given = api_key if api_key is not None else (bearer.credentials if bearer else None)
    if not key_matches(secret.get_secret_value(), given):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or wrong API key: send it as X-API-Key or Authorization: Bearer",
            headers={"WWW-Authenticate": "Bearer"},
        )


class BodyLimit:
    """ASGI middleware: a write whose body passes ``limit`` bytes is answered 413.

    A declared Content-Length is checked before anything is read; a chunked body is
    counted as it arrives, so an endless one is cut at the limit, never held whole.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def _too_large(self) -> HTTPException:
        return HTTPException(
            413,
            f"request body larger than {self.limit} bytes",
            headers={"Connection": "close"},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            error = self._too_large()
            response = JSONResponse(
                {"detail": error.detail}, status_code=error.status_code, headers=error.headers
            )
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Raised inside the route's body parsing: FastAPI answers it as is.
                    raise self._too_large()
            return message

        await self.app(scope, counting_receive, send)
