"""The fault tests' TCP proxy: forwards, refuses while cut, forwards again once restored."""

from __future__ import annotations

import socket
import socketserver
import threading

import pytest

from tests.support.tcpproxy import TcpProxy


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(1024):
            self.request.sendall(data)


def _echo_through(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"ping")
        return sock.recv(1024)


def test_cut_refuses_and_resets_connections_until_restored() -> None:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = TcpProxy("127.0.0.1", server.server_address[1]).start()
    try:
        assert _echo_through(proxy.port) == b"ping"
        live = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        live.sendall(b"a")
        assert live.recv(1024) == b"a"

        proxy.cut()
        with pytest.raises(ConnectionRefusedError):
            _echo_through(proxy.port)
        assert live.recv(1024) == b""  # the live connection was closed under it
        live.close()

        proxy.restore()
        assert _echo_through(proxy.port) == b"ping"
    finally:
        proxy.stop()
        server.shutdown()
        server.server_close()
