"""Fault 2: SIGKILL redis-server under load and start it again from its AOF (everysec).

While Redis is down the API answers 503 and the client resends; the services reconnect
by themselves. Nothing acknowledged with a 202 is lost: the intake writes the record and
the job in one step, and Redis writes each command to the AOF before it replies (only
the fsync is once a second, which matters for a machine crash, not a process kill)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.support.faults import FaultEnv, article_text, report

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

ARTICLES = 300
DOWN_S = 3.0


def test_redis_killed_under_load_and_restarted_from_aof_loses_nothing_acknowledged(
    tmp_path: Path,
) -> None:
    with FaultEnv(tmp_path, replicas={"extractor": 2}) as env:
        accepted: list[str] = []

        def client() -> None:
            for i in range(ARTICLES):
                accepted.append(env.submit({"text": article_text(i)})["article_id"])

        submitter = threading.Thread(target=client, daemon=True)
        submitter.start()
        env.wait_stored_count(40, timeout_s=120)
        while len(accepted) < ARTICLES // 2:
            time.sleep(0.05)
        env.redis_server.kill()
        killed_at_accepted = len(accepted)
        time.sleep(DOWN_S)
        refused_while_down = env.refused.get("503", 0)
        stages = ("cleaner", "extractor", "sink")  # pushed texts skip the fetcher
        offsets = {name: env.log_offset(name) for name in stages}
        restarted = time.monotonic()
        env.redis_server.restart()
        # Flowing again: every stage has finished an entry since Redis came back (the
        # client keeps submitting, so there is work for each).
        recover = {n: env.wait_stage_done(n, offsets[n], since=restarted) for n in stages}
        submitter.join(timeout=180)
        assert not submitter.is_alive()

        outcome = env.outcome("redis-restart", accepted, timeout_s=180)
        outcome.recover_s = recover
        redelivered = env.redelivered()
        outcome.note = (
            f"accepted_before_kill={killed_at_accepted} resent_503={refused_while_down} "
            "redelivered=" + ",".join(f"{k}:{v}" for k, v in redelivered.items())
        )
        report(outcome)
        assert refused_while_down > 0  # the API said 503 while Redis was down
        assert outcome.lost == 0, env.tails()
        assert outcome.duplicates == 0
        assert outcome.dead == 0, env.dead_letters()[:3]
        assert outcome.stored == ARTICLES
