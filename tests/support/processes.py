"""Run newswire's services as real processes for end-to-end and fault tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from newswire_shared.devredis import free_port

SERVICES = ("fetcher", "cleaner", "extractor", "sink")


@dataclass
class ServiceProcess:
    name: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Pipeline:
    """The four services as child processes, each logging JSON to its own file."""

    redis_url: str
    database_url: str
    log_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in SERVICES:
            self.services[name] = ServiceProcess(name, free_port(), self.log_dir / f"{name}.log")

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
        env.update(
            NEWSWIRE_REDIS_URL=self.redis_url,
            NEWSWIRE_DATABASE_URL=self.database_url,
            NEWSWIRE_LOG_FORMAT="json",
            NEWSWIRE_LOG_LEVEL="INFO",
            # The fixture sites live on loopback, which the fetcher refuses by default,
            # and serve many pages from one host, which its politeness limit would slow.
            NEWSWIRE_FETCH_ALLOWED_NETWORKS="127.0.0.0/8,::1/128",
            NEWSWIRE_FETCH_HOST_RATE="0",
            **{f"NEWSWIRE_{s.name.upper()}_PORT": str(s.port) for s in self.services.values()},
        )
        env.update(self.extra_env)
        return env

    def start(self, names: Iterable[str] = SERVICES) -> None:
        for name in names:
            svc = self.services[name]
            log = svc.log_path.open("ab")
            svc.process = subprocess.Popen(
                [sys.executable, "-m", f"newswire_{name}"],
                env=self.env(), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def wait_ready(self, names: Iterable[str] = SERVICES, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        for name in names:
            svc = self.services[name]
            while True:
                assert svc.process is not None
                if svc.process.poll() is not None:
                    raise RuntimeError(f"{name} exited early:\n{self.tail(name)}")
                try:
                    if httpx.get(f"{svc.url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} not ready in {timeout_s}s:\n{self.tail(name)}")
                time.sleep(0.2)

    def kill(self, name: str) -> None:
        proc = self.services[name].process
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)

    def stop(self, timeout_s: float = 20.0) -> None:
        for svc in self.services.values():
            if svc.process and svc.process.poll() is None:
                svc.process.send_signal(signal.SIGTERM)
        for svc in self.services.values():
            if svc.process:
                try:
                    svc.process.wait(timeout_s)
                except subprocess.TimeoutExpired:
                    svc.process.kill()
                    svc.process.wait(10)

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.services[name].log_path
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
