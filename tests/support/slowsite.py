"""An upstream that holds connections: it accepts and then says nothing (``silent``) or
sends its page a byte at a time (``trickle``). robots.txt is answered at once, so what is
slow is the pages themselves."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress
from typing import Literal

Mode = Literal["silent", "trickle"]


class SlowSite:
    def __init__(self, mode: Mode, byte_every_s: float = 1.0) -> None:
        self.mode = mode
        self.byte_every_s = byte_every_s
        self.requests = 0
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def __enter__(self) -> SlowSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, suppress(OSError):
            request = conn.recv(65536)
            if b" /robots.txt " in request.split(b"\r\n", 1)[0]:
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                return
            self.requests += 1
            if self.mode == "trickle":
                body = b"<html><body><p>" + b"slow " * 2000 + b"</p></body></html>"
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                )
                for byte in body:
                    if self._stop.wait(self.byte_every_s):
                        return
                    conn.sendall(bytes([byte]))
            else:
                while not self._stop.wait(0.5):
                    pass
