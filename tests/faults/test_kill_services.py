"""Fault 1: SIGKILL the cleaner, then the extractors, then the sink in the middle of a
run of 500 articles; each restarted process takes over the entries its dead
predecessor held, and every article is stored exactly once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from newswire_shared.streams import CLEAN, EXTRACTED, RAW
from tests.support.faults import FaultEnv, article_text, report

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

ARTICLES = 500
STREAMS = {"cleaner": RAW, "extractor": CLEAN, "sink": EXTRACTED}
PACE_S = 0.08  # between submissions: the run lasts ~40 s, so every kill lands mid-stream


def test_sigkill_each_consumer_mid_run_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    env = FaultEnv(tmp_path, replicas={"extractor": 2})
    with env:
        accepted: list[str] = []

        def client() -> None:
            for i in range(ARTICLES):
                accepted.append(env.submit({"text": article_text(i)})["article_id"])
                time.sleep(PACE_S)

        submitter = threading.Thread(target=client, daemon=True)
        submitter.start()
        recover: dict[str, float] = {}
        held: dict[str, int] = {}
        for step, name in enumerate(("cleaner", "extractor", "sink"), start=1):
            while len(accepted) < step * ARTICLES // 4:
                time.sleep(0.05)
            # Killed while it holds entries, so they must be taken over.
            held[name] = env.wait_pending(STREAMS[name], name)
            env.kill(name)
            time.sleep(1)
            offset = env.log_offset(name)
            started = time.monotonic()
            env.restart(name)
            # Submissions go on meanwhile, so the restarted stage has new and taken-over
            # entries to finish.
            recover[name] = env.wait_stage_done(name, offset, since=started)
        submitter.join(timeout=120)
        assert not submitter.is_alive()
        assert len(set(accepted)) == ARTICLES
        outcome = env.outcome("kill-services", accepted, timeout_s=180)
        outcome.recover_s = recover
        outcome.note = "held_at_kill=" + ",".join(f"{k}:{v}" for k, v in held.items())
        outcome.note += " redelivered=" + ",".join(
            f"{k}:{v}" for k, v in env.redelivered(["cleaner", "extractor", "sink"]).items()
        )
        report(outcome)
        assert outcome.lost == 0, env.tails()
        assert outcome.duplicates == 0
        assert outcome.dead == 0, env.dead_letters()[:3]
        assert outcome.stored == ARTICLES
