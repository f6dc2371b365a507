"""The cleaner's batch function: each page gets its own result or its own error."""

from __future__ import annotations

from newswire_cleaner.service import clean_pages
from newswire_shared.messages import RawArticle
from newswire_shared.worker import PermanentError

BODY = " ".join(["Officials said four ships left the port of Odessa on Saturday."] * 8)


def raw(article_id: str, html: str | None = None, text: str | None = None) -> RawArticle:
    url = f"https://example.com/{article_id}"
    return RawArticle(
        article_id=article_id, trace_id="t", url=url, canonical_url=url, html=html, text=text
    )


def test_a_bad_page_fails_alone_and_the_order_is_kept() -> None:
    results = clean_pages([
        raw("a", html=f"<html><body><article><p>{BODY}</p></article></body></html>"),
        raw("b", html="<html><body><nav><a href='/'>Home</a></nav></body></html>"),
        raw("c", text=BODY),
    ])  # fmt: skip
    first, second, third = results
    assert not isinstance(first, Exception) and first[0].article_id == "a"
    assert "four ships" in first[0].text
    assert isinstance(second, PermanentError) and "empty" in str(second)
    assert not isinstance(third, Exception) and third[0].article_id == "c"
    assert third[1].content_hash == third[0].content_hash
