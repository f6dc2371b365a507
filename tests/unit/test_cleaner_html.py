"""clean_html on the project's HTML fixtures, and on broken input."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from newswire_cleaner import clean
from newswire_cleaner.clean import CleanResult, clean_article, clean_html
from newswire_shared.messages import RawArticle
from newswire_shared.worker import PermanentError

HTML = Path(__file__).resolve().parent.parent / "fixtures" / "html"
# What a PermanentError from the cleaner may say: a reason a user can act on.
REASONS = ("empty article:", "unparseable html:", "page too large:")


def _fixture(name: str) -> str:
    return (HTML / name).read_text(encoding="utf-8")


def _clean_or_permanent(html: str) -> CleanResult | PermanentError:
    """The contract for any input: a clean result, or PermanentError with a clear reason."""
    try:
        return clean_html(html)
    except PermanentError as exc:
        assert str(exc).startswith(REASONS), str(exc)
        return exc


def test_news_article_keeps_reporting_and_drops_page_furniture() -> None:
    result = clean_html(_fixture("article_basic.html"), "https://news.example.org/x?utm=1")
    text = result.text
    for kept in [
        "Dock workers returned to the port of Valmera on Tuesday",
        "The harbour authority said the first three container ships had docked by noon",
        "adding that a photo of the empty quays had circulated widely online",
        "Reuters reported last week that insurers had raised premiums",
        "a local newsletter for shipping agents warned of further delays",
        '"We are patient, but we are not naive," she said.',
    ]:
        assert kept in text
    for dropped in [
        "We use cookies", "Accept all", "Business", "Sign up for our free newsletter",
        "Morning Briefing", "Related", "Fishing quotas cut by a third", "3 Comments",
        "Finally! My cousin", "Leave a Reply", "Your email address", "All rights reserved",
        "Privacy policy", "Photo: Reuters/Ana Perez",
    ]:  # fmt: skip
        assert dropped not in text
    # The headline moves to the metadata rather than staying in the body.
    assert not text.startswith("Port city reopens")
    assert {r.reason for r in result.removed} >= {"title", "related"}


def test_news_article_metadata() -> None:
    meta = clean_html(_fixture("article_basic.html")).metadata
    assert meta.title == "Port city reopens after week-long blockade"
    assert meta.authors == ["Maria Lopez"]
    assert meta.published == date(2024, 5, 21)
    assert meta.site_name == "Harbour Herald"
    assert meta.language == "en"
    assert meta.canonical_url == "https://news.example.org/world/port-city-reopens"
    assert meta.lead_image == "https://news.example.org/img/port-lead.jpg"
    assert (
        meta.description
        == "Dock workers returned on Tuesday after a blockade that stranded 40 ships."
    )


def test_json_ld_news_article() -> None:
    result = clean_html(_fixture("article_jsonld.html"))
    meta = result.metadata
    assert meta.title == "Drought forces rationing in three northern provinces"
    assert meta.authors == ["Samuel Okafor", "Ingrid Halvorsen"]
    assert meta.published == date(2024, 8, 14)
    assert meta.updated == date(2024, 8, 14)
    assert meta.site_name == "The Daily Ledger"
    assert meta.language == "en"
    assert meta.canonical_url == "https://ledger.example.com/2024/08/14/drought-rationing"
    assert meta.lead_image == "https://ledger.example.com/media/reservoir.jpg"
    assert meta.description is not None and meta.description.startswith("Water use is capped")
    assert "Farmers hit hardest" in result.text  # a subheading is part of the article
    assert "The soil is like concrete." in result.text
    for dropped in ["Dear reader", "Quality journalism costs money", "Climate Weekly", "Most read"]:
        assert dropped not in result.text
    assert [r.reason for r in result.removed if r.reason == "donation"] == ["donation"] * 2


def test_blog_post_debris_and_suspect_authors() -> None:
    result = clean_html(_fixture("blog_post.html"))
    assert result.text.startswith("When the river burst its banks in October")
    assert result.text.endswith("shares its methods in a free online course.")
    reasons = {r.text: r.reason for r in result.removed}
    assert reasons["Video of the day"] == "video_promo"
    assert reasons["Photo: Priya Raman"] == "photo_credit"
    assert reasons["5960 views 41 reactions 24 comment(s)"] == "counter"
    assert reasons["Leave a Reply"] == "comment_form"
    # trafilatura read the bio sentence as an author: no authors beats a wrong one.
    assert all(" is a " not in a for a in result.metadata.authors)
    assert result.metadata.published == date(2023, 11, 2)


def test_navigation_only_page_is_permanent_error() -> None:
    with pytest.raises(PermanentError, match=r"^empty article: no prose left"):
        clean_html(_fixture("nav_only.html"))


@pytest.mark.parametrize("html", ["", "   \n\t ", "<html></html>", "<html><body></body></html>"])
def test_empty_pages(html: str) -> None:
    with pytest.raises(PermanentError, match=r"^empty article:"):
        clean_html(html)


@pytest.mark.timeout(60)
def test_five_megabyte_page() -> None:
    article = "".join(
        f"<p>Paragraph {i}: the council voted on the new budget, which raises spending on "
        f"schools and roads, officials said on Thursday.</p>"
        for i in range(30)
    )
    nav = "".join(f'<li><a href="/s/{i}">Section {i}</a></li>' for i in range(20_000))
    script = "<script>var data = [" + "1," * 2_100_000 + "];</script>"
    html = (
        f"<html><head>{script}</head><body><ul>{nav}</ul><article>{article}</article></body></html>"
    )
    assert len(html) > 5_000_000
    result = _clean_or_permanent(html)
    assert isinstance(result, CleanResult)
    assert "Paragraph 29: the council voted" in result.text
    assert "Section 1" not in result.text


def test_page_past_the_size_limit() -> None:
    with pytest.raises(PermanentError, match=r"^page too large:"):
        clean_html("<p>" + "x" * (clean.MAX_HTML_CHARS + 1))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("levels", [5_000, 100_000])
def test_very_deeply_nested_markup_gives_a_clear_result(levels: int) -> None:
    """lxml stops descending past its depth limit; what it dropped cannot be the article,
    and the answer comes at once: a reason, never a crash or a hang."""
    text = "<p>The flood barrier held overnight, the river authority said on Friday morning.</p>"
    html = "<html><body>" + "<div>" * levels + text + "</div>" * levels + "</body></html>"
    result = _clean_or_permanent(html)
    if isinstance(result, CleanResult):
        assert "flood barrier held overnight" in result.text


@pytest.mark.timeout(60)
def test_wrong_declared_charset_gives_clean_text() -> None:
    """cp1252 bytes declared as UTF-8, decoded either way a fetcher might: clean text."""
    paragraph = (
        "<p>Café owners in Zürich said the naïve plan would cost 5 € per guest, the council "
        "reported on Monday.</p>"
    )
    page = f'<html><head><meta charset="utf-8"></head><body><article>{paragraph * 4}</article>'
    raw = page.encode("cp1252")
    for decoded in (raw.decode("utf-8", errors="replace"), raw.decode("latin-1")):
        result = clean_html(decoded)
        assert "owners in Z" in result.text and "the council reported on Monday." in result.text
        assert "<p>" not in result.text


@pytest.mark.timeout(60)
def test_deeply_nested_markup() -> None:
    text = "<p>The flood barrier held overnight, the river authority said on Friday morning.</p>"
    html = "<html><body>" + "<div>" * 5000 + text + "</div>" * 5000 + "</body></html>"
    _clean_or_permanent(html)
    unclosed = "<html><body>" + "<div><span><b>" * 3000 + text
    _clean_or_permanent(unclosed)


@pytest.mark.timeout(60)
def test_bytes_decoded_garbage() -> None:
    rng = random.Random(7)
    for size in (10, 1000, 200_000):
        raw = bytes(rng.randrange(256) for _ in range(size))
        _clean_or_permanent(raw.decode("utf-8", errors="replace"))
    _clean_or_permanent("<html><body><p>\x00\x01\x02 \ufffd\ufffd broken \x00</p></body></html>")
    _clean_or_permanent('{"not": "html", "but": "json"}')
    _clean_or_permanent("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj")


def test_non_utf8_text_with_replacement_characters_still_cleans() -> None:
    body = "".join(
        f"<p>Caf\ufffd owners in the old town said sales fell by a third in week {i}, the "
        f"chamber of commerce reported on Monday.</p>"
        for i in range(5)
    )
    result = clean_html(f"<html><body><article>{body}</article></body></html>")
    assert "Caf\ufffd owners" in result.text


def test_broken_json_ld_is_ignored() -> None:
    article = "".join(
        f"<p>Sentence {i} of a report on the harbour strike, the union said on Friday.</p>"
        for i in range(4)
    )
    for block in ['{"@type": {"x": 1}, "headline": 3', '[{"@type": [{}], "headline": "H"}]', "{"]:
        html = (
            f'<html><head><script type="application/ld+json">{block}</script></head>'
            f"<body><article>{article}</article></body></html>"
        )
        assert "harbour strike" in clean_html(html).text


def test_parser_failures_become_permanent_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(clean.trafilatura, "bare_extraction", explode)
    with pytest.raises(PermanentError, match=r"^unparseable html: RecursionError"):
        clean_html("<html><body><p>text</p></body></html>")


def test_clean_article_from_html() -> None:
    raw = RawArticle(
        article_id="a2", trace_id="t2", url="https://news.example.org/x?utm=1",
        canonical_url="https://news.example.org/x", final_url="https://news.example.org/x",
        html=_fixture("article_basic.html"),
    )  # fmt: skip
    article = clean_article(raw)
    assert article.source_kind == "html"
    assert (article.article_id, article.trace_id) == ("a2", "t2")
    assert article.url == raw.url and article.canonical_url == raw.canonical_url
    assert article.metadata.title == "Port city reopens after week-long blockade"
    assert article.text.startswith("Dock workers returned")
    assert len(article.content_hash) == 64
    assert article.removed


def test_clean_article_empty_html_is_permanent() -> None:
    raw = RawArticle(article_id="a3", trace_id="t3", url="u", canonical_url="u", html="")
    with pytest.raises(PermanentError, match=r"^empty article: empty page"):
        clean_article(raw)


def test_full_trafilatura_pass_only_when_the_fast_pass_found_little(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The decision in extract_main_text; trafilatura's two passes are stubbed to record
    which ran."""
    from trafilatura.utils import load_html

    calls: list[bool] = []

    def bare_text(tree: object, url: object, *, fast: bool) -> str:
        calls.append(fast)
        return fast_text if fast else "full pass text"

    monkeypatch.setattr(clean, "_bare_text", bare_text)
    sentence = "The harbour strike entered its third week on Monday, the union said. "
    busy_page = load_html(
        "<html><body><article><p>" + sentence * 5 + "</p></article>"
        + "<ul>" + "".join(f"<li>Menu entry number {i} of many</li>" for i in range(400))
        + "</ul></body></html>"
    )  # fmt: skip
    brief_page = load_html(f"<html><body><article><p>{sentence * 5}</p></article></body></html>")

    fast_text = sentence * 5  # 60 words out of more than 2000 on the page
    assert clean.extract_main_text(busy_page, None, big=False) == "full pass text"
    assert calls == [True, False]
    calls.clear()
    # A short brief that is most of its page: the fast pass is trusted.
    assert clean.extract_main_text(brief_page, None, big=False) == fast_text
    # Enough words, or a big page: no second pass either.
    fast_text = sentence * 30
    assert clean.extract_main_text(busy_page, None, big=False) == fast_text
    fast_text = sentence
    assert clean.extract_main_text(busy_page, None, big=True) == fast_text
    assert calls == [True, True, True]
