"""Fault 1: SIGKILL the cleaner, then the extractor, then the sink in the middle of a
run of 500 articles; each restarted process takes over the entries its dead
predecessor held, and every article is stored exactly once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.faults import FaultEnv, article_text, report

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

ARTICLES = 500


def test_sigkill_each_consumer_mid_run_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    env = FaultEnv(tmp_path, replicas={"extractor": 2})
    with env:
        ids = env.submit_texts(article_text(i) for i in range(ARTICLES))
        assert len(set(ids)) == ARTICLES
        recover: dict[str, float] = {}
        for step, name in enumerate(("cleaner", "extractor", "sink"), start=1):
            # Each kill lands while entries are flowing through every stage.
            env.wait_stored_count(step * ARTICLES // 5, timeout_s=180)
            env.kill(name)
            time.sleep(1)
            offset = env.log_offset(name)
            started = time.monotonic()
            env.restart(name)
            env.wait_stage_done(name, offset)
            recover[name] = time.monotonic() - started
        outcome = env.outcome("kill-services", ids, timeout_s=180)
        outcome.recover_s = recover
        outcome.note = "redelivered=" + ",".join(
            f"{k}:{v}" for k, v in env.redelivered(["cleaner", "extractor", "sink"]).items()
        )
        report(outcome)
        assert outcome.lost == 0, env.tails()
        assert outcome.duplicates == 0
        assert outcome.dead == 0, env.dead_letters()[:3]
        assert outcome.stored == ARTICLES
