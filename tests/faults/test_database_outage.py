"""Fault 3: PostgreSQL unreachable for 5 s and for 60 s in the middle of a run.

The sink reaches PostgreSQL through a TCP proxy that the test cuts: live connections are
reset and new ones refused, which is what the sink sees when the database goes away (the
machine's shared server itself cannot be stopped). The sink retries in place and no entry
is dead-lettered or lost."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.faults import FaultEnv, article_text, report
from tests.support.tcpproxy import TcpProxy

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.timeout(360)]

ARTICLES = 150


@pytest.mark.parametrize("outage_s", [5, 60])
def test_database_outage_mid_run_loses_and_duplicates_nothing(
    tmp_path: Path, postgres_url: str, outage_s: int
) -> None:
    direct = sa.engine.make_url(postgres_url)
    proxy = TcpProxy(direct.host or "127.0.0.1", direct.port or 5432).start()
    via_proxy = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    env = FaultEnv(tmp_path, postgres_url, sink_database_url=via_proxy)
    try:
        with env:
            ids = env.submit_texts(article_text(i, f"outage{outage_s} ") for i in range(ARTICLES))
            env.wait_stored_count(ARTICLES // 5, timeout_s=120)
            proxy.cut()
            time.sleep(outage_s)
            stored_during = len(env.stored_ids())
            assert stored_during < ARTICLES, "the outage held nothing up"
            proxy.restore()
            restored = time.monotonic()
            while len(env.stored_ids()) <= stored_during:
                assert time.monotonic() - restored < 120, env.tails(["sink"])
                time.sleep(0.1)
            recover = time.monotonic() - restored
            outcome = env.outcome(f"postgres-down-{outage_s}s", ids, timeout_s=180)
            outcome.recover_s = {"sink": recover}
            outcome.note = "redelivered=" + str(env.redelivered(["sink"])["sink"])
            report(outcome)
            assert outcome.lost == 0, env.tails(["sink"])
            assert outcome.duplicates == 0
            assert outcome.dead == 0, env.dead_letters()[:3]
            assert outcome.stored == ARTICLES
    finally:
        proxy.stop()
