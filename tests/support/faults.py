"""The fault harness: the real services as processes against a real redis-server and a
database, ways to break them, and the one line each fault test prints.

Lost and duplicated are counted from the places a user would look: the database (an
article is stored when its row is there) and the dead-letter stream (an article failed
visibly when a dead letter names it). An article accepted with a 202 that is in neither
is lost.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis
import sqlalchemy as sa

from newswire_shared.devredis import RedisServer
from newswire_shared.status import status_key
from newswire_shared.streams import DLQ, decode_entry
from tests.support.processes import SERVICES, Pipeline

# Delivery settings that keep a fault test short: a killed consumer's entries are taken
# over after a few seconds, not the production minute.
FAST_DELIVERY = {
    "NEWSWIRE_CLAIM_IDLE_MS": "3000",
    "NEWSWIRE_POLL_INTERVAL_MS": "100",
    "NEWSWIRE_SHUTDOWN_GRACE_S": "3",
}


@dataclass
class Outcome:
    """What one fault test measured; ``line()`` is what it prints."""

    name: str
    submitted: int
    stored: int
    lost: int
    duplicates: int
    dead: int
    recover_s: dict[str, float] = field(default_factory=dict)
    note: str = ""

    def line(self) -> str:
        recover = ",".join(f"{k}:{v:.1f}s" for k, v in self.recover_s.items()) or "-"
        text = (
            f"FAULT {self.name}: submitted={self.submitted} stored={self.stored} "
            f"lost={self.lost} duplicate_rows={self.duplicates} dead_lettered={self.dead} "
            f"recover={recover}"
        )
        return f"{text} {self.note}".rstrip()


def report(outcome: Outcome) -> Outcome:
    print("\n" + outcome.line(), flush=True)
    return outcome


def article_text(i: int, tag: str = "") -> str:
    """A short, distinct news text with people, places and an event to extract."""
    return (
        f"KYIV, Ukraine {tag}(dispatch {i}) - Russian forces struck a power station in "
        f"Kharkiv on Monday, killing {i % 7 + 2} people, the regional governor said. "
        f"President Volodymyr Zelensky asked allies for more air defence systems. "
        f'"We need help now," Zelensky said in his address number {i}.'
    )


# --- the system under test -------------------------------------------------------------


class FaultEnv:
    """A redis-server, the four services and a database, each of which a test can break."""

    def __init__(
        self,
        tmp: Path,
        database_url: str | None = None,
        *,
        replicas: dict[str, int] | None = None,
        extra_env: dict[str, str] | None = None,
        sink_database_url: str | None = None,
    ) -> None:
        self.redis_server = RedisServer(data_dir=tmp / "redis")
        self.database_url = database_url or f"sqlite:///{tmp / 'newswire.db'}"
        self.pipe = Pipeline(
            redis_url=self.redis_server.url,
            database_url=sink_database_url or self.database_url,
            log_dir=tmp / "logs",
            replicas=replicas or {},
            extra_env={**FAST_DELIVERY, **(extra_env or {})},
        )
        self._engine: sa.Engine | None = None
        self.refused: dict[str, int] = {}  # why a submission was resent: "503", "429", "no answer"

    @property
    def fetcher(self) -> str:
        return self.pipe.services["fetcher"].url

    @property
    def redis_url(self) -> str:
        return self.redis_server.url

    def start(self, timeout_s: float = 240) -> FaultEnv:
        self.redis_server.start()
        self.pipe.start()
        self.pipe.wait_ready(timeout_s=timeout_s)
        return self

    def stop(self) -> None:
        try:
            self.pipe.stop(timeout_s=10)
        finally:
            self.redis_server.stop()
            if self._engine is not None:
                self._engine.dispose()

    def __enter__(self) -> FaultEnv:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- breaking and mending ----------------------------------------------------------

    def kill(self, name: str) -> None:
        self.pipe.kill(name)

    def wait_pending(self, stream: str, group: str, timeout_s: float = 30) -> int:
        """Wait until ``group`` holds entries of ``stream`` in flight; how many (0 if
        none showed up in time: the stage is idle)."""
        client = redis.Redis.from_url(self.redis_url)
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline:
                pending = int(client.xpending(stream, group)["pending"])
                if pending:
                    return pending
                time.sleep(0.005)
            return 0
        finally:
            client.close()

    def restart(self, name: str, timeout_s: float = 120) -> float:
        """Start ``name`` again after a kill; seconds until it answers ready."""
        started = time.monotonic()
        self.pipe.start([name])
        self.pipe.wait_ready([name], timeout_s=timeout_s)
        return time.monotonic() - started

    def log_offset(self, name: str) -> dict[Path, int]:
        """Where each process of ``name`` has got to in its log."""
        return {
            svc.log_path: svc.log_path.stat().st_size if svc.log_path.exists() else 0
            for svc in self.pipe.processes(name)
        }

    def wait_stage_done(
        self, name: str, offset: dict[Path, int], timeout_s: float = 120,
        since: float | None = None,
    ) -> float:  # fmt: skip
        """Seconds (from ``since``, else now) until a process of ``name`` logs a finished
        entry past ``offset`` (from ``log_offset``) in its log."""
        started = time.monotonic() if since is None else since
        while time.monotonic() - started < timeout_s:
            for path, start in offset.items():
                with path.open("rb") as handle:
                    handle.seek(start)
                    if b'"stage done"' in handle.read():
                        return time.monotonic() - started
            time.sleep(0.1)
        raise AssertionError(f"{name} did not finish an entry in {timeout_s}s:\n"
                             f"{self.pipe.tail(name)}")  # fmt: skip

    # --- submitting --------------------------------------------------------------------

    def submit(self, body: dict, *, resend_for_s: float = 120) -> dict:
        """POST one submission; a 503 or a refused connection is resent, as a client
        would, until a 202 (whose body is returned)."""
        deadline = time.monotonic() + resend_for_s
        while True:
            try:
                response = httpx.post(f"{self.fetcher}/articles", json=body, timeout=10)
                if response.status_code == 202:
                    return dict(response.json())
                if response.status_code not in (429, 503):
                    raise AssertionError(f"{response.status_code}: {response.text[:500]}")
                why = str(response.status_code)
            except httpx.TransportError:
                why = "no answer"
            self.refused[why] = self.refused.get(why, 0) + 1
            if time.monotonic() > deadline:
                raise AssertionError(f"no 202 in {resend_for_s}s for {str(body)[:200]}")
            time.sleep(0.2)

    def submit_texts(self, texts: Iterable[str]) -> list[str]:
        return [self.submit({"text": text})["article_id"] for text in texts]

    # --- counting ----------------------------------------------------------------------

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.database_url)
        return self._engine

    def stored_ids(self) -> set[str]:
        try:
            with self.engine.connect() as conn:
                return {row[0] for row in conn.execute(sa.text("SELECT article_id FROM articles"))}
        except sa.exc.OperationalError:
            return set()  # the schema is not there yet, or the database is unreachable

    def duplicate_rows(self) -> int:
        """Rows beyond the first per article id, and extracted rows stored twice."""
        queries = [
            "SELECT count(*) - count(DISTINCT article_id) FROM articles",
            *(
                f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {table} "
                f"GROUP BY {key} HAVING count(*) > 1) AS d"
                for table, key in (
                    ("mentions", "article_id, start_char, end_char, type"),
                    ("quotes", "article_id, start_char, end_char"),
                    ("events", "article_id, type, trigger, evidence_start, evidence_end"),
                )
            ),
        ]
        with self.engine.connect() as conn:
            return sum(int(conn.execute(sa.text(q)).scalar() or 0) for q in queries)

    def dead_letters(self) -> list[dict]:
        """Every dead letter as a dict, with its headers under ``headers``."""
        client = redis.Redis.from_url(self.redis_url)
        try:
            entries: Any = client.xrange(DLQ) or []
        finally:
            client.close()
        letters = []
        for _, fields in entries:
            body, headers = decode_entry(fields or {})
            try:
                letter = json.loads(body)
            except ValueError:
                letter = {"raw": body[:200]}
            letter["headers"] = headers
            letters.append(letter)
        return letters

    def dead_article_ids(self) -> set[str]:
        return {str(d.get("article_id")) for d in self.dead_letters() if d.get("article_id")}

    def wait_settled(self, ids: Iterable[str], timeout_s: float = 120) -> set[str]:
        """Wait until every id is stored or dead-lettered; the ids still in neither."""
        wanted = set(ids)
        deadline = time.monotonic() + timeout_s
        while True:
            missing = wanted - self.stored_ids() - self.dead_article_ids()
            if not missing or time.monotonic() > deadline:
                return missing
            time.sleep(0.5)

    def wait_stored_count(self, n: int, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.stored_ids()) < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"fewer than {n} stored in {timeout_s}s")
            time.sleep(0.2)

    def outcome(self, name: str, ids: Iterable[str], timeout_s: float = 120) -> Outcome:
        """Wait for ``ids`` to settle and count what happened to them."""
        wanted = set(ids)
        missing = self.wait_settled(wanted, timeout_s)
        stored = wanted & self.stored_ids()
        dead = wanted & self.dead_article_ids()
        return Outcome(
            name=name,
            submitted=len(wanted),
            stored=len(stored),
            lost=len(missing),
            duplicates=self.duplicate_rows(),
            dead=len(dead),
        )

    def stage(self, article_id: str) -> str:
        """The article's stage in its status record ("" when there is none)."""
        client = redis.Redis.from_url(self.redis_url, decode_responses=True)
        try:
            return str(client.hget(status_key(article_id), "stage") or "")
        finally:
            client.close()

    def stage_records(self, name: str) -> list[dict]:
        """The "stage done" log records of every process of service ``name``."""
        records = []
        for svc in self.pipe.processes(name):
            if not svc.log_path.exists():
                continue
            for line in svc.log_path.read_text(errors="replace").splitlines():
                if '"stage done"' in line and line.startswith("{"):
                    records.append(json.loads(line))
        return records

    def redelivered(self, names: Iterable[str] = SERVICES) -> dict[str, int]:
        """Per service, entries handled more than once (a redelivery, or a replay of work
        whose ack was lost): the cost of at-least-once, which idempotence absorbs."""
        counts = {}
        for name in names:
            records = self.stage_records(name)
            seen: set[str] = set()
            again: set[str] = set()
            for record in records:
                article_id = str(record.get("article_id"))
                if article_id in seen or int(record.get("deliveries") or 1) > 1:
                    again.add(article_id)
                seen.add(article_id)
            counts[name] = len(again)
        return counts

    def tails(self, names: Iterable[str] = SERVICES, lines: int = 15) -> str:
        return "\n".join(f"--- {n}\n{self.pipe.tail(n, lines)}" for n in names)
