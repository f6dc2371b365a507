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
    replica: int = 1  # 1 for the first process of a service, 2.. for the others

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Pipeline:
    """The four services as child processes, each logging JSON to its own file.

    ``replicas`` runs more than one process of a service (e.g. ``{"extractor": 2}``): each
    has its own port and log file (``extractor-2.log``); ``services[name]`` is the first.
    """

    redis_url: str
    database_url: str
    log_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    replicas: dict[str, int] = field(default_factory=dict)  # processes per service (1)
    more_replicas: dict[str, list[ServiceProcess]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in SERVICES:
            self.services[name] = ServiceProcess(name, free_port(), self.log_dir / f"{name}.log")
            self.more_replicas[name] = [
                ServiceProcess(name, free_port(), self.log_dir / f"{name}-{n}.log", replica=n)
                for n in range(2, self.replicas.get(name, 1) + 1)
            ]

    def processes(self, name: str) -> list[ServiceProcess]:
        """Every replica of service ``name``, the first one first."""
        return [self.services[name], *self.more_replicas.get(name, [])]

    def env(self, replica: ServiceProcess | None = None) -> dict[str, str]:
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
        if replica is not None:  # its own port, so replicas never clash
            env[f"NEWSWIRE_{replica.name.upper()}_PORT"] = str(replica.port)
        env.update(self.extra_env)
        return env

    def start(self, names: Iterable[str] = SERVICES) -> None:
        for name in names:
            for svc in self.processes(name):
                log = svc.log_path.open("ab")
                svc.process = subprocess.Popen(
                    [sys.executable, "-m", f"newswire_{name}"],
                    env=self.env(svc), stdout=log, stderr=subprocess.STDOUT,
                )  # fmt: skip

    def wait_ready(self, names: Iterable[str] = SERVICES, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        for svc in (svc for name in names for svc in self.processes(name)):
            name = svc.name if svc.replica == 1 else f"{svc.name}-{svc.replica}"
            while True:
                assert svc.process is not None
                if svc.process.poll() is not None:
                    raise RuntimeError(f"{name} exited early:\n{self._tail(svc.log_path)}")
                try:
                    if httpx.get(f"{svc.url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{name} not ready in {timeout_s}s:\n{self._tail(svc.log_path)}"
                    )
                time.sleep(0.2)

    def kill(self, name: str) -> None:
        """SIGKILL every replica of ``name``."""
        for svc in self.processes(name):
            proc = svc.process
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)

    def all_processes(self) -> list[ServiceProcess]:
        return [svc for name in self.services for svc in self.processes(name)]

    def stop(self, timeout_s: float = 20.0) -> None:
        for svc in self.all_processes():
            if svc.process and svc.process.poll() is None:
                svc.process.send_signal(signal.SIGTERM)
        for svc in self.all_processes():
            if svc.process:
                try:
                    svc.process.wait(timeout_s)
                except subprocess.TimeoutExpired:
                    svc.process.kill()
                    svc.process.wait(10)

    def tail(self, name: str, lines: int = 40) -> str:
        return self._tail(self.services[name].log_path, lines)

    @staticmethod
    def _tail(path: Path, lines: int = 40) -> str:
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
