"""Engines and schema migrations for SQLite and PostgreSQL.

``make_engine`` gives both backends the same behaviour where it matters to the sink:
psycopg 3 for PostgreSQL URLs, and for SQLite WAL (readers never block the writer),
enforced foreign keys, a busy timeout, and transactions that SQLAlchemy controls
(pysqlite's own BEGIN handling would defeat ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL, Connection, Engine

SQLITE_BUSY_TIMEOUT_MS = 30_000
# SQLite answers "database is locked" at once, without waiting on the busy timeout, in a
# few cases (switching a new file to WAL while another connection opens it is one), so
# concurrent first starts retry the whole migration, which is one transaction.
SQLITE_MIGRATION_ATTEMPTS = 8
# Any constant works, as long as every sink process uses the same one.
MIGRATION_LOCK_KEY = 0x6E657773  # "news"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Execution option read by the SQLite "begin" hook: writers ask for "BEGIN IMMEDIATE" so
# they queue on the busy timeout instead of failing when a read lock must be upgraded.
SQLITE_BEGIN = "newswire_sqlite_begin"


def normalize_url(url: str | URL) -> URL:
    """The URL with PostgreSQL pointed at psycopg 3 (the only driver installed)."""
    parsed = sa.make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite(url: str | URL) -> bool:
    return normalize_url(url).get_backend_name() == "sqlite"


def json_dumps(value: Any) -> str:
    # Non-ASCII stays as is, so a LIKE on the JSON text (entity aliases) matches
    # "Зеленський". orjson: the stdlib encoder was a fifth of a save's CPU.
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson refuses (integers past 64 bits) the stdlib writes
        return json.dumps(value, ensure_ascii=False)


def make_engine(url: str | URL) -> Engine:
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True, json_serializer=json_dumps)

    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        parsed,
        pool_pre_ping=True,
        json_serializer=json_dumps,
        # The API answers from a thread pool and the worker saves from another thread.
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )
    _configure_sqlite(engine, wal=not in_memory)
    return engine


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        # SQLite's lower() folds ASCII only; Python's folds every script, like PostgreSQL.
        dbapi_conn.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_conn.cursor()
        try:
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough under WAL
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get(SQLITE_BEGIN, "BEGIN"))


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def writer(engine: Engine) -> Engine:
    """The engine, with SQLite transactions that take the write lock up front."""
    return engine.execution_options(**{SQLITE_BEGIN: "BEGIN IMMEDIATE"})


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate_engine(engine: Engine) -> None:
    """``alembic upgrade head`` in one transaction, serialised across processes.

    PostgreSQL: a transaction-scoped advisory lock (DDL is transactional, so a waiter
    sees the finished schema and has nothing left to do). SQLite: BEGIN IMMEDIATE holds
    the database's write lock for the whole upgrade, which serialises the same way.
    """
    attempts = SQLITE_MIGRATION_ATTEMPTS if engine.dialect.name == "sqlite" else 1
    for attempt in range(1, attempts + 1):
        try:
            _upgrade(engine)
            return
        except sa.exc.OperationalError as exc:
            if attempt == attempts or "locked" not in str(exc.orig):
                raise
            time.sleep(0.05 * 2**attempt)


def _upgrade(engine: Engine) -> None:
    with writer(engine).connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def migrate(url: str | URL) -> None:
    """Bring the database at ``url`` to the latest schema; safe to call at every start."""
    engine = make_engine(url)
    try:
        migrate_engine(engine)
    finally:
        engine.dispose()
