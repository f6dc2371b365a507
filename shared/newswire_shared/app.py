"""The HTTP side every service shares: health, readiness, and the broker's lifecycle.

A service is a FastAPI app whose lifespan creates its consumer groups (at id 0), starts
the FastStream broker and stops it on shutdown (uvicorn turns SIGTERM into a graceful
shutdown: stop reading, let in-flight handlers finish within ``shutdown_grace_s``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from faststream.redis import RedisBroker
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from .logging import configure_logging, get_logger
from .settings import Settings, get_settings
from .streams import ensure_group
from .worker import StageSpec, attach_stage

ReadinessCheck = Callable[[], Awaitable[None]]  # raises when not ready

log = get_logger()


class ServiceRuntime:
    """The connections one service process holds: settings, a Redis client, the broker."""

    def __init__(self, service: str, settings: Settings | None = None) -> None:
        self.service = service
        self.settings = settings or get_settings()
        self.redis: Redis = Redis.from_url(self.settings.redis_url)
        self.broker = RedisBroker(
            self.settings.redis_url,
            graceful_timeout=self.settings.shutdown_grace_s,
            logger=None,  # type: ignore[arg-type]  # our own log lines say what happened
        )
        self.stages: list[StageSpec[Any, Any]] = []
        self.readiness_checks: list[tuple[str, ReadinessCheck]] = [("redis", self._ping)]

    async def _ping(self) -> None:
        await self.redis.ping()

    def add_stage(self, spec: StageSpec[Any, Any]) -> None:
        self.stages.append(spec)
        attach_stage(self.broker, self.redis, spec, self.settings)

    async def wait_for_redis(self, timeout_s: float = 60.0) -> None:
        """Redis may still be starting (compose, Procfile): retry with backoff, then fail."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        delay = 0.1
        while True:
            try:
                await self._ping()
                return
            except (RedisConnectionError, OSError) as exc:
                if loop.time() > deadline:
                    raise RuntimeError(f"Redis not reachable at {self.settings.redis_url}") from exc
                log.info("waiting for redis", retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def start(self) -> None:
        await self.wait_for_redis()
        for spec in self.stages:
            await ensure_group(self.redis, spec.input_stream, spec.service)
        await self.broker.start()
        log.info("service started", consumer=self.settings.consumer(self.service))

    async def stop(self) -> None:
        await self.broker.stop()
        await self.redis.aclose()
        log.info("service stopped")


def create_service_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str = "",
    routers: Sequence[Any] = (),
    on_startup: Sequence[Callable[[], Awaitable[None]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = (),
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for hook in on_startup:
            await hook()
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()
            for hook in on_shutdown:
                await hook()

    app = FastAPI(title=title, description=description, lifespan=lifespan)
    app.state.runtime = runtime

    @app.get("/healthz", tags=["health"], summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.service}

    @app.get("/readyz", tags=["health"], summary="Readiness: Redis and dependencies reachable")
    async def readyz() -> JSONResponse:
        failures = {}
        for name, check in runtime.readiness_checks:
            try:
                await check()
            except Exception as exc:
                failures[name] = f"{type(exc).__name__}: {exc}"
        if failures:
            return JSONResponse({"status": "unavailable", "failures": failures}, status_code=503)
        return JSONResponse({"status": "ready", "service": runtime.service})

    for router in routers:
        app.include_router(router)
    return app


def serve(app: FastAPI, service: str, port: int, settings: Settings | None = None) -> None:
    """Run ``app`` under uvicorn with newswire's logging (the thin ``__main__`` calls this)."""
    settings = settings or get_settings()
    configure_logging(service, settings.log_level, settings.log_format)
    uvicorn.run(
        app,
        host=settings.host,
        port=port,
        log_config=None,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s) or None,
    )
