"""strip_unread: what no stage reads leaves the page before it crosses the broker."""

from __future__ import annotations

import json

import pytest

from newswire_cleaner.clean import clean_html
from newswire_fetcher.trim import strip_unread

JSON_LD = json.dumps({"@type": "NewsArticle", "headline": "Drones hit Kharkiv"})


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>T</title>{head}</head><body>{body}</body></html>"


def test_scripts_styles_svg_and_comments_go() -> None:
    html = page(
        "<p>Kept one.</p><script>var ads = '<p>not text</p>';</script>"
        "<style>.x{color:red}</style><svg viewBox='0 0 1 1'><path d='M0 0'/></svg>"
        "<!-- <p>commented out</p> --><p>Kept two.</p>",
        head="<script async src='https://cdn.example/tag.js'></script><style>p{}</style>",
    )
    assert strip_unread(html) == page("<p>Kept one.</p><p>Kept two.</p>")


def test_json_ld_stays_whole_whatever_the_case_of_its_type() -> None:
    for kind in ("application/ld+json", "APPLICATION/LD+JSON"):
        block = f'<script type="{kind}">{JSON_LD}</script>'
        html = page("<p>Body.</p>", head=block + "<script>track()</script>")
        assert strip_unread(html) == page("<p>Body.</p>", head=block)


def test_end_tags_are_found_as_the_html_parser_finds_them() -> None:
    html = page("<SCRIPT type=text/javascript>x='</scripts>'</SCRIPT ><p>After.</p>")
    assert strip_unread(html) == page("<p>After.</p>")


def test_a_self_closing_svg_takes_only_itself() -> None:
    html = page("<svg class='icon'/><p>Between two icons.</p><svg><use href='#i'/></svg>")
    assert strip_unread(html) == page("<p>Between two icons.</p>")


def test_other_elements_with_similar_names_stay() -> None:
    html = page("<svg-icon name='x'>Menu</svg-icon><scripture>Verse.</scripture>")
    assert strip_unread(html) == html


@pytest.mark.parametrize(
    "tail", ["<script>never closed <p>Text.</p>", "<!-- never closed <p>Text.</p>", "<style"]
)
def test_something_never_closed_ends_the_trimming_and_loses_nothing_after_it(tail: str) -> None:
    html = page("<p>Before.</p><script>gone()</script>" + tail)
    assert strip_unread(html) == page("<p>Before.</p>" + tail)


def test_text_whose_lowercase_is_longer_does_not_shift_anything() -> None:
    html = page("<p>İstanbul, İzmir.</p><script>x()</script><p>Ankara.</p>")
    assert strip_unread(html) == page("<p>İstanbul, İzmir.</p><p>Ankara.</p>")


@pytest.mark.timeout(20)
def test_many_unclosed_tags_do_not_make_it_quadratic() -> None:
    html = "<p>x</p>" + "<script>" * 500_000  # 4 MB of openings, none closed
    assert strip_unread(html) == html


def test_the_cleaner_reads_the_same_article_from_the_trimmed_page() -> None:
    body = "".join(
        f"<p>Paragraph {i} of the report on the strike near Kharkiv, with enough words to "
        f"count as text for the extractor.</p><script>ad({i})</script>"
        for i in range(6)
    )
    html = page(
        f"<article><h1>Drones hit Kharkiv</h1>{body}</article>",
        head=f'<script type="application/ld+json">{JSON_LD}</script><style>body{{}}</style>',
    )
    before, after = clean_html(html), clean_html(strip_unread(html))
    assert after.text == before.text and "Paragraph 5" in after.text
    assert after.metadata.title == before.metadata.title == "Drones hit Kharkiv"
