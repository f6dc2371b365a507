"""Benchmark: N articles through the running services against the same work done by one
process, on the same pages, in the same run.

What it starts: a real redis-server, a fixture news site on 127.0.0.1 serving N different
pages of ``--page-kb`` KB (see ``bench/stages.py``), and the four services as processes,
``--extractors`` / ``--cleaners`` replicas of those two. What it prints:

- baseline: one process calling fetch -> clean -> extract -> store on each page in turn
  (the same functions the services call), its articles/s and CPU ms per stage;
- pipeline: all N URLs submitted at once (the API takes 100 per request), articles/s from
  the first ``queued_at`` to the last ``stored_at`` (the status hash every stage writes),
  submit-to-stored latency p50/p95/p99, and for each service (replicas summed, and
  redis-server) CPU ms per article and peak RSS (VmHWM; the largest replica's);
- the ratio pipeline / baseline articles/s;
- what the broker path costs, measured: each service's broker meter (``GET /metrics``,
  see ``newswire_shared.metrics``: the event-loop thread's CPU in stream reads, entry
  decoding, input validation, output encoding, the publish + status + XACK transaction,
  reclaiming and trimming, and the API's submissions), read from every replica before and
  after the run, per service and kind, plus all of redis-server's CPU; their sum as a share
  of the pipeline's CPU per article, with and without the reads that found nothing (idle
  polling, a cost per second). The bench's own status polling is kept light (HGET of the
  last article submitted, then the others once it is done) so that little of redis-server's
  CPU is the bench's. redis-server also keeps the cleaner's own state (its dedup index and
  site lines), which is stage work: a last figure splits redis-server's CPU by command
  time (INFO commandstats) and counts only the broker's part;
- two older figures: (a) JSON encode + validate of every message an article
  causes, timed directly; (b) everything the services spend outside the stage functions:
  the CPU of each service's main thread, which runs the event loop (broker reads and
  writes, JSON, status updates, logs, polling, HTTP) while the stage functions run in
  worker threads, plus all of redis-server, less the fetch itself (the one stage function
  that is async, so it runs in the loop; its CPU is taken from the baseline). (b) bounds
  the broker's share from above; both are given as a share of the pipeline's CPU per
  article. The services' CPU while idle (polling), measured for ``--idle-s`` before the
  run, is a cost per second, not per article: (b) is also given without it;
- with ``--rate F``: another N fresh pages submitted one by one at F times the measured
  throughput, and their latency (the target is p95 < 2 s at F = 0.5).

    .venv/bin/python bench/pipeline.py [--n 300] [--extractors 2] [--cleaners 1] [--rate 0.5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # tests.support and bench/stages.py

from stages import baseline, bench_pages, open_store, round_trip, serve_pages  # noqa: E402

from newswire_extractor.nlp import get_nlp  # noqa: E402
from newswire_shared.devredis import RedisServer, find_redis_server  # noqa: E402
from newswire_shared.messages import Message  # noqa: E402
from newswire_shared.settings import Settings  # noqa: E402
from newswire_shared.status import status_key  # noqa: E402
from tests.support.processes import SERVICES, Pipeline  # noqa: E402

SUBMIT_CHUNK = 100  # URLs per POST: the API's default max_batch_urls


# --- measuring the processes ------------------------------------------------------------


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (Linux VmHWM), else its current RSS."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float(psutil.Process(pid).memory_info().rss) / 2**20


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(whole process, main thread) CPU seconds. A service's main thread runs the event
    loop (broker reads and writes, JSON, status updates, logs, HTTP); the stage function
    runs in worker threads (``asyncio.to_thread``), except the fetcher's, which is async."""
    process = psutil.Process(pid)
    times = process.cpu_times()
    main = next((t for t in process.threads() if t.id == pid), None)
    loop = main.user_time + main.system_time if main else float("nan")
    return float(times.user + times.system), float(loop)


def service_pids(pipe: Pipeline, redis_server: RedisServer) -> dict[str, list[int]]:
    pids = {
        name: [svc.process.pid for svc in pipe.processes(name) if svc.process] for name in SERVICES
    }
    assert redis_server.process is not None
    pids["redis-server"] = [redis_server.process.pid]
    return pids


def cpu_snapshot(pids: dict[str, list[int]]) -> dict[str, tuple[float, float]]:
    """Per service, (process, main thread) CPU seconds summed over its replicas."""
    snapshot = {}
    for name, group in pids.items():
        times = [cpu_seconds(p) for p in group]
        snapshot[name] = (sum(t[0] for t in times), sum(t[1] for t in times))
    return snapshot


# --- driving the pipeline ---------------------------------------------------------------


def submit(fetcher_url: str, urls: list[str]) -> list[str]:
    ids: list[str] = []
    with httpx.Client(timeout=60) as client:
        for start in range(0, len(urls), SUBMIT_CHUNK):
            response = client.post(
                f"{fetcher_url}/articles", json={"urls": urls[start : start + SUBMIT_CHUNK]}
            )
            response.raise_for_status()
            ids += [a["article_id"] for a in response.json()["articles"]]
    return ids


def submit_at_rate(fetcher_url: str, urls: list[str], per_second: float) -> list[str]:
    """One URL per request, evenly spaced at ``per_second``."""
    ids: list[str] = []
    started = time.monotonic()
    with httpx.Client(timeout=60) as client:
        for n, url in enumerate(urls):
            time.sleep(max(0.0, started + n / per_second - time.monotonic()))
            response = client.post(f"{fetcher_url}/articles", json={"url": url})
            response.raise_for_status()
            ids.append(response.json()["article_id"])
    return ids


def wait_done(client: redis.Redis, ids: list[str], timeout_s: float) -> list[dict[str, str]]:
    """Poll the status hashes until every article is stored or failed."""
    deadline = time.monotonic() + timeout_s
    waiting = list(ids)
    # redis-server's CPU is measured, so the polling stays light: the last article
    # submitted first (they finish roughly in order), all of those left only once it is.
    while waiting:
        if client.hget(status_key(waiting[-1]), "stage") in DONE:
            pipe = client.pipeline(transaction=False)
            for article_id in waiting:
                pipe.hget(status_key(article_id), "stage")
            stages = pipe.execute()
            waiting = [a for a, s in zip(waiting, stages, strict=True) if s not in DONE]
        if waiting and time.monotonic() > deadline:
            raise SystemExit(f"timed out: {len(ids) - len(waiting)} of {len(ids)} articles done")
        if waiting:
            time.sleep(0.25)
    pipe = client.pipeline(transaction=False)
    for article_id in ids:
        pipe.hgetall(status_key(article_id))
    return [{k.decode(): v.decode() for k, v in r.items()} for r in pipe.execute()]


DONE = (b"stored", b"failed")


def broker_meters(pipe: Pipeline) -> dict[str, dict[str, float]]:
    """Per service, its replicas' broker meters summed: CPU seconds per kind, entries
    and the loop thread's CPU seconds."""
    meters: dict[str, dict[str, float]] = {}
    for name in SERVICES:
        total: dict[str, float] = {}
        for svc in pipe.processes(name):
            doc = httpx.get(f"{svc.url}/metrics", timeout=10).json()
            for kind, cpu in doc["cpu_s"].items():
                total[kind] = total.get(kind, 0.0) + cpu
            total["entries"] = total.get("entries", 0.0) + doc["entries"]
        meters[name] = total
    return meters


def command_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Per Redis command, (calls, µs) during the run, from INFO commandstats."""
    delta = {}
    for key, stats in after.items():
        old = before.get(key, {"calls": 0, "usec": 0})
        calls, usec = stats["calls"] - old["calls"], stats["usec"] - old["usec"]
        if calls:
            delta[key.removeprefix("cmdstat_")] = (calls, usec)
    return delta


def meter_delta(
    before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    return {
        name: {k: v - before[name].get(k, 0.0) for k, v in kinds.items()}
        for name, kinds in after.items()
    }


@dataclass
class Run:
    stored: int
    failed: int
    wall_s: float  # first queued_at -> last stored_at
    latencies: list[float]  # submit -> stored, seconds, per stored article

    @classmethod
    def from_records(cls, records: list[dict[str, str]]) -> Run:
        stored = [r for r in records if r.get("stage") == "stored"]
        queued = [datetime.fromisoformat(r["queued_at"]) for r in stored]
        done = [datetime.fromisoformat(r["stored_at"]) for r in stored]
        latencies = [(d - q).total_seconds() for q, d in zip(queued, done, strict=True)]
        wall = (max(done) - min(queued)).total_seconds() if stored else float("nan")
        return cls(len(stored), len(records) - len(stored), wall, latencies)

    @property
    def per_second(self) -> float:
        return self.stored / self.wall_s

    def percentiles(self) -> str:
        if len(self.latencies) < 2:
            return "n/a"
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return f"p50 {cuts[49]:.2f} s  p95 {cuts[94]:.2f} s  p99 {cuts[98]:.2f} s"


# --- the run ----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="articles (default 300)")
    parser.add_argument("--extractors", type=int, default=2, help="extractor processes")
    parser.add_argument("--cleaners", type=int, default=1, help="cleaner processes")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="also submit N pages at this fraction of max throughput")  # fmt: skip
    parser.add_argument("--page-kb", type=int, default=60, help="HTML size of each page")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per phase")
    parser.add_argument("--keep", action="store_true", help="keep the logs and databases")
    parser.add_argument("--idle-s", type=float, default=10, help="idle CPU measured this long")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="newswire-bench-"))
    pages = bench_pages(args.n)
    rate_pages = bench_pages(args.n if args.rate else 0, offset=args.n)
    warm = bench_pages(1, offset=2 * args.n)
    settings = Settings()
    server = RedisServer(data_dir=tmp / "redis")
    with serve_pages([*pages, *rate_pages, *warm], args.page_kb) as site:
        urls = [site.url(p) for p in pages]

        # Baseline first, alone on the machine: the services are not started yet.
        get_nlp(settings.spacy_model)
        store = open_store(f"sqlite:///{tmp / 'baseline.db'}")
        kept: list[Message] = []
        baseline([site.url(warm[0])], settings, store)  # warm-up
        base = baseline(urls, settings, store, keep=kept)
        store.dispose()
        json_started = time.thread_time()
        round_trip(kept)
        json_ms = 1000 * (time.thread_time() - json_started) / args.n

        server.start()
        pipe = Pipeline(
            redis_url=server.url,
            database_url=f"sqlite:///{tmp / 'pipeline.db'}",
            log_dir=tmp / "logs",
            replicas={"extractor": args.extractors, "cleaner": args.cleaners},
        )
        client = redis.Redis.from_url(server.url)
        try:
            pipe.start()
            pipe.wait_ready(timeout_s=300)
            pids = service_pids(pipe, server)
            fetcher = pipe.services["fetcher"].url
            idle_before = cpu_snapshot(pids)
            time.sleep(args.idle_s)  # what the services cost doing nothing (polling)
            cpu_before = cpu_snapshot(pids)
            idle = {k: (cpu_before[k][1] - idle_before[k][1]) / args.idle_s for k in pids}
            meters_before = broker_meters(pipe)
            commands_before = client.info("commandstats")
            info = client.info("server")
            allocator = client.info("memory").get("mem_allocator", "?")
            print(f"redis-server {info['redis_version']} ({allocator}): {find_redis_server()}")
            run = Run.from_records(wait_done(client, submit(fetcher, urls), args.timeout))
            meters = meter_delta(meters_before, broker_meters(pipe))
            commands = command_delta(commands_before, client.info("commandstats"))
            cpu_after = cpu_snapshot(pids)
            peaks = {name: max(peak_rss_mb(p) for p in group) for name, group in pids.items()}
            half: Run | None = None
            if args.rate:
                rate_urls = [site.url(p) for p in rate_pages]
                ids = submit_at_rate(fetcher, rate_urls, args.rate * run.per_second)
                half = Run.from_records(wait_done(client, ids, args.timeout))
        finally:
            pipe.stop()
            client.close()
            server.stop()

    report(args, base, json_ms, run, cpu_before, cpu_after, peaks, pids, idle, half)
    report_broker(args.n, run, meters, cpu_before, cpu_after, commands)
    report_commands(args.n, commands)
    if args.keep:
        print(f"\nlogs and databases kept in {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def report(
    args: argparse.Namespace,
    base: dict[str, float],
    json_ms: float,
    run: Run,
    cpu_before: dict[str, tuple[float, float]],
    cpu_after: dict[str, tuple[float, float]],
    peaks: dict[str, float],
    pids: dict[str, list[int]],
    idle: dict[str, float],
    half: Run | None,
) -> None:
    n = args.n
    base_per_s = n / base["wall"]
    base_cpu = {k: 1000 * v / n for k, v in base.items() if k != "wall"}
    print(f"\n{n} articles, pages of {args.page_kb} KB, {psutil.cpu_count()} CPUs, "
          f"{args.extractors} extractor(s), {args.cleaners} cleaner(s)")  # fmt: skip
    print("\nbaseline (one process: fetch -> clean -> extract -> store, one by one)")
    print(f"  {base_per_s:.2f} articles/s   cpu ms/article: "
          + "  ".join(f"{k} {v:.1f}" for k, v in base_cpu.items()))  # fmt: skip

    print(f"\npipeline: {run.stored} stored, {run.failed} failed in {run.wall_s:.1f} s")
    print(f"  {run.per_second:.2f} articles/s   submit->stored {run.percentiles()}")
    print(f"\n  {'service':<13} {'procs':>5} {'cpu s':>8} {'cpu ms/art':>11} "
          f"{'loop ms/art':>11} {'peak MB':>8} {'idle ms/s':>9}")  # fmt: skip
    spent = {name: cpu_after[name][0] - cpu_before[name][0] for name in cpu_after}
    loop = {name: cpu_after[name][1] - cpu_before[name][1] for name in cpu_after}
    for name, cpu in spent.items():
        print(f"  {name:<13} {len(pids[name]):>5} {cpu:>8.1f} {1000 * cpu / n:>11.1f} "
              f"{1000 * loop[name] / n:>11.1f} {peaks[name]:>8.0f} "
              f"{1000 * idle[name]:>9.1f}")  # fmt: skip
    total_ms = 1000 * sum(spent.values()) / n
    print(f"  {'total':<13} {'':>5} {sum(spent.values()):>8.1f} {total_ms:>11.1f}")

    print(f"\nratio pipeline / baseline: {run.per_second / base_per_s:.2f}")
    print("older broker figures, share of the pipeline's cpu per article:")
    # Outside the stage functions: every service's event-loop thread (redis-server's is
    # all of it), less the fetch itself, which runs in the fetcher's loop.
    outside = 1000 * sum(loop.values()) / n - base_cpu["fetch"]
    print(f"  JSON encode + validate of its messages: {json_ms:.2f} ms "
          f"= {100 * json_ms / total_ms:.1f} %")  # fmt: skip
    print(f"  event loops + redis-server, less the fetch (upper bound): {outside:.1f} ms "
          f"= {100 * outside / total_ms:.1f} %")  # fmt: skip
    # Idle polling costs CPU per second, not per article: measured before the run, it
    # is the share of the above that the wall time, not the articles, caused.
    polling = 1000 * sum(idle.values()) * run.wall_s / n
    per_message = outside - polling
    print(f"    of which idle polling ({1000 * sum(idle.values()):.0f} ms/s over the run): "
          f"{polling:.1f} ms; per message: {per_message:.1f} ms "
          f"= {100 * per_message / total_ms:.1f} %")  # fmt: skip
    if half is not None:
        print(f"\nat {args.rate:.2f} of max ({args.rate * run.per_second:.2f} articles/s): "
              f"{half.stored} stored, {half.failed} failed, {half.percentiles()}")  # fmt: skip


BROKER_KINDS = ("read", "decode", "validate", "encode", "commit", "upkeep", "intake")


def report_broker(
    n: int,
    run: Run,
    meters: dict[str, dict[str, float]],
    cpu_before: dict[str, tuple[float, float]],
    cpu_after: dict[str, tuple[float, float]],
    commands: dict[str, tuple[int, int]],
) -> None:
    """The broker path as the services measured it, plus all of redis-server, and plus
    redis-server's share for the broker's commands alone."""
    spent = {name: cpu_after[name][0] - cpu_before[name][0] for name in cpu_after}
    loop = {name: cpu_after[name][1] - cpu_before[name][1] for name in cpu_after}
    total_ms = 1000 * sum(spent.values()) / n
    print("\nbroker path, measured (GET /metrics of every replica: loop-thread cpu ms/article)")
    print(f"  {'service':<13} {'entries':>7} " + " ".join(f"{k:>8}" for k in BROKER_KINDS)
          + f" {'= broker':>9} {'idle rd':>8} {'loop rest':>9}")  # fmt: skip
    broker = idle = 0.0
    for name, kinds in meters.items():
        per = {k: 1000 * kinds.get(k, 0.0) / n for k in BROKER_KINDS}
        own, idle_ms = sum(per.values()), 1000 * kinds.get("idle_read", 0.0) / n
        broker, idle = broker + own, idle + idle_ms
        # The rest of the loop thread: logs, HTTP, task scheduling, socket reads done in
        # transport callbacks, and the fetch itself in the fetcher.
        rest = 1000 * loop[name] / n - own - idle_ms
        print(f"  {name:<13} {kinds.get('entries', 0):>7.0f} "
              + " ".join(f"{per[k]:>8.2f}" for k in BROKER_KINDS)
              + f" {own:>9.2f} {idle_ms:>8.2f} {rest:>9.2f}")  # fmt: skip
    redis_ms = 1000 * spent["redis-server"] / n
    print(f"  redis-server: {redis_ms:.2f} ms/article (all of its cpu)")
    whole = broker + idle + redis_ms
    share = 100 * whole / total_ms
    print(f"  broker total: services {broker + idle:.2f} + redis-server {redis_ms:.2f} "
          f"= {whole:.2f} ms = {share:.2f} % of the pipeline's "
          f"{total_ms:.1f} ms/article")  # fmt: skip
    # Reads that found nothing cost per second of wall time, not per article.
    print(f"  of which idle reads over the {run.wall_s:.1f} s: {idle:.2f} ms; without them "
          f"{whole - idle:.2f} ms = {100 * (whole - idle) / total_ms:.2f} %")  # fmt: skip
    # redis-server also holds the cleaner's own state (dedup index, site lines): that is
    # stage work. Its CPU is split by command time, I/O included in the same proportion.
    all_us = sum(usec for _, usec in commands.values())
    stage_us = sum(usec for name, (_, usec) in commands.items() if name in STAGE_COMMANDS)
    if all_us:
        redis_broker_ms = redis_ms * (all_us - stage_us) / all_us
        net = broker + redis_broker_ms
        print(f"  without the cleaner's own Redis state (redis-server cpu split by command "
              f"time: {redis_broker_ms:.2f} ms broker): {net:.2f} ms = "
              f"{100 * net / total_ms:.2f} % (idle reads left out)")  # fmt: skip


# Commands only the cleaner's stage function sends (its dedup index and site lines): its
# own state in Redis, not the broker's work, though their CPU is in redis-server's above.
# EVALSHA is the dedup's registration script: the GET, INCR, SET, ZADD and EXPIRE it runs
# are inside its time and counted again under their own names, so those names are left
# out (the site lines' own EXPIREs thereby count as the broker's: the safe side).
STAGE_COMMANDS = ("evalsha", "zrangebyscore", "mget", "sadd", "scard")


def report_commands(n: int, commands: dict[str, tuple[int, int]]) -> None:
    """Where redis-server's time goes: its commands (the rest is I/O, AOF, its cron)."""
    ranked = sorted(commands.items(), key=lambda kv: -kv[1][1])
    print("  redis-server commands (INFO commandstats), per article: "
          + ", ".join(f"{name} {calls / n:.1f}x {usec / n / 1000:.3f} ms"
                      for name, (calls, usec) in ranked[:8]))  # fmt: skip
    total = sum(usec for _, usec in commands.values()) / n / 1000
    stage = sum(usec for name, (_, usec) in commands.items() if name in STAGE_COMMANDS) / n / 1000
    print(f"  of all commands' {total:.3f} ms/article, {stage:.3f} ms are commands the cleaner's "
          "dedup and site lines send (EXEC's time includes the commands inside it)")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
