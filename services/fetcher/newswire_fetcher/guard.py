"""The SSRF guard: which addresses the fetcher may connect to, decided per connection.

A submitted URL is the user's, but the connection starts inside the deployment, next to
Redis, PostgreSQL and the cloud's metadata service. So every connection resolves its
host once, checks every address the name resolves to against ``DENIED`` (unless the
operator's allow-list, ``NEWSWIRE_FETCH_ALLOWED_NETWORKS``, covers it) and connects to
that very address: a DNS answer that changes between check and connect (rebinding)
cannot slip in, because nothing is looked up again. httpx still believes it talks to
the host name, so the Host header and TLS SNI/certificate checks stay correct.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
import typing
from collections.abc import Awaitable, Callable, Iterable, Sequence

import certifi
import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolve = Callable[[str], Awaitable[Sequence[IPAddress]]]


class RefusedAddress(Exception):
    """A connection the guard will not make; the message says which address and why."""


def _net(cidr: str) -> Network:
    return ipaddress.ip_network(cidr)


# Checked in order, so the specific names (metadata) come before the ranges holding them.
DENIED: tuple[tuple[Network, str], ...] = tuple(
    (_net(cidr), label)
    for cidr, label in (
        ("169.254.169.254/32", "a cloud metadata address"),
        ("100.100.100.200/32", "a cloud metadata address"),
        ("fd00:ec2::254/128", "a cloud metadata address"),
        ("0.0.0.0/8", "'this network' (unspecified)"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "carrier-grade NAT (shared address space)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("fc00::/7", "unique-local"),
        ("ff00::/8", "multicast"),
        ("2001:db8::/32", "documentation"),
        ("100::/64", "discard-only"),
    )
)

# IPv6 forms that carry an IPv4 address: judged by the IPv4 address inside.
_NAT64 = (_net("64:ff9b::/96"), _net("64:ff9b:1::/48"))
_SIXTOFOUR = _net("2002::/16")
_V4_COMPATIBLE = _net("::/96")  # deprecated ::a.b.c.d


def parse_networks(spec: str) -> tuple[Network, ...]:
    """``"127.0.0.0/8, ::1/128"`` -> networks; ValueError naming the entry that is wrong."""
    networks = []
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"{entry!r} is not a network in CIDR form: {exc}") from None
    return tuple(networks)


def parse_overrides(spec: str) -> dict[str, tuple[IPAddress, ...]]:
    """``"news.example=127.0.0.2,b.example=::1|10.0.0.1"`` -> host name -> addresses."""
    overrides: dict[str, tuple[IPAddress, ...]] = {}
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        host, sep, addresses = entry.partition("=")
        if not sep or not host.strip():
            raise ValueError(f"{entry!r} is not host=address")
        try:
            ips = tuple(ipaddress.ip_address(a.strip()) for a in addresses.split("|"))
        except ValueError as exc:
            raise ValueError(f"{entry!r}: {exc}") from None
        overrides[normalise_host(host)] = ips
    return overrides


def normalise_host(host: str) -> str:
    return host.strip().strip("[]").lower().rstrip(".")


_INET_ATON_PART = re.compile(r"^(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$")


def literal_address(host: str) -> IPAddress | None:
    """The address a host spells directly, in every form the C library accepts.

    ``127.1``, ``2130706433``, ``0x7f000001`` and ``017700000001`` all mean 127.0.0.1 to
    ``inet_aton`` (and so to many HTTP clients): they are read the same way here, so the
    reason names the real address instead of a DNS failure or, worse, a success.
    """
    host = normalise_host(host)
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_INET_ATON_PART.match(p) for p in parts):
        return None
    values = [int(p, 0) if not re.match(r"^0[0-7]+$", p) else int(p, 8) for p in parts]
    # The last part fills every byte the earlier parts left: a.b.c.d, a.b.cd, a.bcd, abcd.
    last_bits = 8 * (5 - len(parts))
    if any(v > 255 for v in values[:-1]) or values[-1] >= 1 << last_bits:
        return None
    number = values[-1]
    for index, value in enumerate(values[:-1]):
        number |= value << (24 - 8 * index)
    return ipaddress.IPv4Address(number)


def embedded_ipv4(ip: IPAddress) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address inside an IPv4-mapped, NAT64, 6to4 or IPv4-compatible address."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "IPv4-mapped"
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    if ip in _SIXTOFOUR:
        return ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF), "6to4"
    if ip in _V4_COMPATIBLE and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "IPv4-compatible"
    return None


class AddressPolicy:
    """Refuses every address that is not globally routable, minus an explicit allow-list."""

    def __init__(self, allowed: Iterable[Network] = ()) -> None:
        self.allowed = tuple(allowed)

    def refusal(self, ip: IPAddress) -> str | None:
        """What forbidden kind ``ip`` is (e.g. "loopback (127.0.0.0/8)"), or None if allowed."""
        if self._allowed(ip):
            return None
        inner = embedded_ipv4(ip)
        if inner is not None:
            v4, form = inner
            what = self.refusal(v4)
            return f"the {form} form of {v4}, which is {what}" if what else None
        for network, label in DENIED:
            if ip.version == network.version and ip in network:
                return f"{label} ({network})"
        if not ip.is_global:  # whatever the list above misses: never guess "public"
            return "not a globally routable address"
        return None

    def _allowed(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.allowed)


class Resolver:
    """Host name -> addresses: literals as the C library reads them, then overrides, then DNS.

    The overrides (``NEWSWIRE_FETCH_RESOLVE_OVERRIDES``) let tests pose as public sites on
    loopback without a DNS server; the addresses they give are checked like any other.
    """

    def __init__(self, overrides: dict[str, tuple[IPAddress, ...]] | None = None) -> None:
        self.overrides = overrides or {}

    async def __call__(self, host: str) -> Sequence[IPAddress]:
        literal = literal_address(host)
        if literal is not None:
            return [literal]
        name = normalise_host(host)
        if name in self.overrides:
            return list(self.overrides[name])
        if name == "localhost" or name.endswith(".localhost"):  # RFC 6761: always this machine
            return [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(name, None, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {name!r}: {exc}") from None
        # Scope ids ("fe80::1%eth0") are dropped: the address decides, not the interface.
        found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        return list(dict.fromkeys(found))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks, then connects to the checked address: the only way out."""

    def __init__(self, policy: AddressPolicy, resolve: Resolve) -> None:
        self.policy = policy
        self.resolve = resolve
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.resolve(host)
        if not addresses:
            raise httpcore.ConnectError(f"{host!r} resolves to no address")
        for ip in addresses:  # one bad answer spoils the name: no round-robin roulette
            what = self.policy.refusal(ip)
            if what is not None:
                if literal_address(host) == ip:
                    raise RefusedAddress(f"refused: {ip} is {what}")
                name = normalise_host(host)
                raise RefusedAddress(f"refused: {name} resolves to {ip}, which is {what}")
        last_error: Exception | None = None
        for ip in addresses:
            try:
                return await self.inner.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise RefusedAddress("refused: unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, with every connection made through ``GuardedBackend``; no proxy."""

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits | None = None) -> None:
        super().__init__(trust_env=False)
        limits = limits or httpx.Limits()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl.create_default_context(cafile=certifi.where()),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
