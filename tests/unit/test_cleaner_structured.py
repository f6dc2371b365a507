"""The declared article body (JSON-LD / microdata) recovers what trafilatura cut."""

from __future__ import annotations

import json

from newswire_cleaner.clean import clean_html
from newswire_cleaner.structured import recover_paragraphs, sentences

PARAS = [
    "The river authority opened the last sluice gate at noon on Friday, ending three days "
    "of flooding in the lower town.",
    "Engineers said the barrier had held better than expected despite the highest water "
    "levels recorded since 1998.",
    "Residents were allowed back into their homes on Saturday morning after inspectors "
    "checked the foundations.",
    "The mayor said repairs to the promenade would take most of the summer and cost about "
    "two million euros.",
]


def _page(declared: str, microdata: bool = False) -> str:
    ld = json.dumps(
        {"@type": "NewsArticle", "headline": "Sluice gates open", "articleBody": declared}
    )
    head = "" if microdata else f'<script type="application/ld+json">{ld}</script>'
    body = "".join(f"<p>{p}</p>" for p in PARAS[:2])
    # A share widget wraps the third paragraph: trafilatura drops it with the widget.
    body += f'<div class="share"><p>{PARAS[2]}</p></div><p>{PARAS[3]}</p>'
    if microdata:
        body += f'<div itemprop="articleBody" hidden>{declared}</div>'
    article = f"<article><h1>Sluice gates open</h1>{body}</article>"
    return f"<html><head>{head}</head><body>{article}</body></html>"


def test_json_ld_article_body_puts_back_a_cut_paragraph_in_place() -> None:
    text = clean_html(_page(" ".join(PARAS))).text
    assert text.split("\n\n") == PARAS


def test_microdata_article_body_is_used_too() -> None:
    assert PARAS[2] in clean_html(_page(" ".join(PARAS), microdata=True)).text


def test_inconsistent_article_body_is_ignored() -> None:
    other = (
        "Ticket prices for the summer festival will rise by ten percent, organisers said. "
        "The festival expects forty thousand visitors over three days in July this year. "
        "Residents were allowed back into their homes on Saturday morning after inspectors "
        "checked the foundations."
    )
    text = clean_html(_page(other)).text
    assert "Ticket prices" not in text and PARAS[2] not in text


def test_recover_paragraphs_rules() -> None:
    kept = [PARAS[0], PARAS[1], PARAS[3]]
    assert recover_paragraphs(kept, " ".join(PARAS)) == (PARAS, 1)
    # Nothing missing, or nothing declared: unchanged.
    assert recover_paragraphs(PARAS, "\n\n".join(PARAS)) == (PARAS, 0)
    assert recover_paragraphs(kept, "Short. Labels.") == (kept, 0)
    # A sentence missing before the first kept one goes first.
    assert recover_paragraphs(PARAS[1:], " ".join(PARAS))[0] == PARAS


def test_sentences_split_on_ends_and_breaks() -> None:
    got = sentences(
        'He said "the gate is open now, at last." Then the whole crowd cheered loudly.\nA'
    )
    assert got == [
        'He said "the gate is open now, at last."',
        "Then the whole crowd cheered loudly.",
    ]
