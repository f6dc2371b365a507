"""Canonical URLs decide article ids: spellings of one page agree, different pages don't."""

from __future__ import annotations

import pytest

from newswire_fetcher.urls import MAX_URL_LENGTH, canonicalize, validate_submitted_url
from newswire_shared.ids import article_id_for_url

BASE = "https://example.com/news/story?id=7"


@pytest.mark.parametrize(
    "variant",
    [
        "https://example.com/news/story?id=7",
        "HTTPS://EXAMPLE.COM/news/story?id=7",
        "https://Example.com:443/news/story?id=7",
        "https://example.com/news/story?id=7#comments",
        "https://example.com/news/story?utm_source=twitter&id=7&utm_medium=social",
        "https://example.com/news/story?fbclid=abc&id=7&gclid=xyz",
        "https://example.com//news/./story?id=7",
        "https://example.com/news/x/../story?id=7",
        "  https://example.com/news/story?id=7\n",
        "https://example.com./news/story?id=7",
    ],
)
def test_spellings_of_one_page_share_an_id(variant: str) -> None:
    assert canonicalize(variant) == canonicalize(BASE) == BASE
    assert article_id_for_url(canonicalize(variant)) == article_id_for_url(BASE)


def test_a_trailing_slash_on_a_path_is_dropped() -> None:
    assert canonicalize("https://example.com/news/story/") == "https://example.com/news/story"
    assert canonicalize("https://example.com/news/story//?utm_source=x#top") == (
        "https://example.com/news/story"
    )
    assert canonicalize("https://example.com/news/story/?id=7") == (
        "https://example.com/news/story?id=7"
    )


def test_root_path_gets_a_trailing_slash() -> None:
    assert canonicalize("https://example.com") == "https://example.com/"
    assert canonicalize("https://example.com/") == "https://example.com/"
    assert canonicalize("http://example.com:80?utm_campaign=x") == "http://example.com/"


def test_meaningful_query_params_are_kept_and_sorted() -> None:
    url = "https://example.com/list?page=2&gallery=1&b=&a=x+y"
    assert canonicalize(url) == "https://example.com/list?a=x+y&b=&gallery=1&page=2"
    # Repeated values keep their order: it can matter to the server.
    assert canonicalize("https://e.com/?t=2&t=1") == "https://e.com/?t=2&t=1"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://example.com/a?id=1", "https://example.com/a?id=2"),
        ("https://example.com/Story", "https://example.com/story"),
        ("http://example.com/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com/a"),
        ("https://example.com/a%2Fb", "https://example.com/a/b"),
    ],
)
def test_different_pages_keep_different_ids(one: str, other: str) -> None:
    assert canonicalize(one) != canonicalize(other)


def test_non_default_port_ipv6_and_idn() -> None:
    assert canonicalize("http://Example.com:8080/x") == "http://example.com:8080/x"
    assert canonicalize("http://[::1]:80/a") == "http://[::1]/a"
    assert canonicalize("https://Bücher.de/ä") == "https://xn--bcher-kva.de/%C3%A4"
    assert canonicalize("https://xn--bcher-kva.de/%c3%a4") == "https://xn--bcher-kva.de/%C3%A4"
    assert canonicalize("https://e.com/%7euser") == "https://e.com/~user"


def test_valid_url_is_returned_stripped() -> None:
    assert validate_submitted_url("  https://example.com/a \t") == "https://example.com/a"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/file", "scheme 'ftp' is not supported"),
        ("javascript:alert(1)", "scheme 'javascript' is not supported"),
        ("file:///etc/passwd", "scheme 'file' is not supported"),
        ("example.com/news", "no scheme"),
        ("//example.com/news", "no scheme"),
        ("https://", "no host"),
        ("http:///path-only", "no host"),
        ("https://user:secret@example.com/", "credentials"),
        ("https://user@example.com/", "credentials"),
        ("https://example.com:99999/", "invalid port"),
        ("http://[::1/", "cannot be parsed"),
        ("https://exa mple.com/", "whitespace or control"),
        ("", "empty"),
        ("   ", "empty"),
        ("https://example.com/" + "a" * MAX_URL_LENGTH, "limit is 2083"),
    ],
)
def test_rejections_say_why(url: str, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        validate_submitted_url(url)
    assert reason in str(info.value)
