"""The SSRF guard's plain functions: how hosts are read, which addresses are refused, why."""

from __future__ import annotations

import ipaddress

import pytest

from newswire_fetcher.guard import (
    AddressPolicy,
    Resolver,
    embedded_ipv4,
    literal_address,
    parse_networks,
    parse_overrides,
)

ip = ipaddress.ip_address


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:7f00:1", "::ffff:127.0.0.1"),
        ("10.0.0.1.", "10.0.0.1"),
    ],
)
def test_literal_forms_read_like_inet_aton(host: str, expected: str) -> None:
    assert literal_address(host) == ip(expected)


@pytest.mark.parametrize(
    "host", ["example.com", "1.2.3.4.5", "256.1.1.1", "08", "0x", "1e3", "127.0.0.256", ""]
)
def test_names_are_not_literals(host: str) -> None:
    assert literal_address(host) is None


@pytest.mark.parametrize(
    ("address", "inner", "form"),
    [
        ("::ffff:127.0.0.1", "127.0.0.1", "IPv4-mapped"),
        ("64:ff9b::a9fe:a9fe", "169.254.169.254", "NAT64"),
        ("64:ff9b:1::a00:1", "10.0.0.1", "NAT64"),
        ("2002:a9fe:a9fe::1", "169.254.169.254", "6to4"),
        ("::10.0.0.1", "10.0.0.1", "IPv4-compatible"),
    ],
)
def test_embedded_ipv4(address: str, inner: str, form: str) -> None:
    assert embedded_ipv4(ip(address)) == (ip(inner), form)


def test_plain_ipv6_embeds_nothing() -> None:
    assert embedded_ipv4(ip("2606:4700::1111")) is None
    assert embedded_ipv4(ip("::1")) is None


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback (127.0.0.0/8)"),
        ("0.0.0.0", "'this network' (unspecified) (0.0.0.0/8)"),
        ("10.9.8.7", "private (10.0.0.0/8)"),
        ("172.31.255.255", "private (172.16.0.0/12)"),
        ("192.168.0.1", "private (192.168.0.0/16)"),
        ("100.64.0.1", "carrier-grade NAT (shared address space) (100.64.0.0/10)"),
        ("169.254.169.254", "a cloud metadata address (169.254.169.254/32)"),
        ("100.100.100.200", "a cloud metadata address (100.100.100.200/32)"),
        ("169.254.1.1", "link-local (169.254.0.0/16)"),
        ("224.0.0.1", "multicast (224.0.0.0/4)"),
        ("255.255.255.255", "reserved (240.0.0.0/4)"),
        ("::1", "loopback (::1/128)"),
        ("::", "unspecified (::/128)"),
        ("fe80::1", "link-local (fe80::/10)"),
        ("fd12:3456::1", "unique-local (fc00::/7)"),
        ("fd00:ec2::254", "a cloud metadata address (fd00:ec2::254/128)"),
        (
            "::ffff:127.0.0.1",
            "the IPv4-mapped form of 127.0.0.1, which is loopback (127.0.0.0/8)",
        ),
        (
            "64:ff9b::a9fe:a9fe",
            "the NAT64 form of 169.254.169.254, which is a cloud metadata address "
            "(169.254.169.254/32)",
        ),
        (
            "2002:0a00:0001::1",
            "the 6to4 form of 10.0.0.1, which is private (10.0.0.0/8)",
        ),
    ],
)
def test_every_forbidden_kind_has_its_reason(address: str, reason: str) -> None:
    assert AddressPolicy().refusal(ip(address)) == reason


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "1.1.1.1", "2606:4700::1111", "::ffff:1.1.1.1", "2002:0101:0101::1"],
)
def test_public_addresses_pass(address: str) -> None:
    assert AddressPolicy().refusal(ip(address)) is None


def test_allow_list_lets_exactly_its_networks_through() -> None:
    policy = AddressPolicy(parse_networks("127.0.0.2/32, ::1/128"))
    assert policy.refusal(ip("127.0.0.2")) is None
    assert policy.refusal(ip("::1")) is None
    assert policy.refusal(ip("::ffff:127.0.0.2")) is None  # the same address, mapped
    assert policy.refusal(ip("127.0.0.1")) == "loopback (127.0.0.0/8)"
    assert policy.refusal(ip("10.0.0.1")) == "private (10.0.0.0/8)"


def test_parse_networks_names_the_bad_entry() -> None:
    assert parse_networks("") == ()
    assert parse_networks("10.0.0.0/8,") == (ipaddress.ip_network("10.0.0.0/8"),)
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33' is not a network"):
        parse_networks("127.0.0.0/8,10.0.0.0/33")


def test_parse_overrides() -> None:
    assert parse_overrides("News.Example.=127.0.0.2, b.example=::1|10.0.0.1") == {
        "news.example": (ip("127.0.0.2"),),
        "b.example": (ip("::1"), ip("10.0.0.1")),
    }
    with pytest.raises(ValueError, match="not host=address"):
        parse_overrides("news.example")
    with pytest.raises(ValueError, match=r"'a\.example=nope'"):
        parse_overrides("a.example=nope")


async def test_resolver_answers_without_dns_for_literals_localhost_and_overrides() -> None:
    resolve = Resolver(parse_overrides("news.example=203.0.113.9"))
    assert await resolve("0x7f000001") == [ip("127.0.0.1")]
    assert await resolve("LOCALHOST.") == [ip("127.0.0.1"), ip("::1")]
    assert await resolve("api.localhost") == [ip("127.0.0.1"), ip("::1")]
    assert await resolve("NEWS.example.") == [ip("203.0.113.9")]
