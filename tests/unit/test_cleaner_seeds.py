"""The five seed pages against hand-written goldens (tests/fixtures/seeds/golden).

Each golden is the article body as a person would keep it: every sentence of reporting,
no debris. Debris is then every seed line that is neither in the golden nor the title.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswire_cleaner.clean import clean_article, clean_text
from newswire_cleaner.dedup import content_hash
from newswire_shared.messages import RawArticle

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
GOLDEN = SEEDS / "golden"
TITLES: dict[str, str] = json.loads((GOLDEN / "titles.json").read_text(encoding="utf-8"))
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def _paragraphs(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def test_every_seed_has_a_golden_and_a_title() -> None:
    assert len(SEED_FILES) == 5
    for seed in SEED_FILES:
        assert (GOLDEN / seed.name).is_file()
        assert seed.name in TITLES


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem)
def test_seed_matches_golden(seed: Path) -> None:
    source = seed.read_text(encoding="utf-8")
    golden = _paragraphs((GOLDEN / seed.name).read_text(encoding="utf-8"))
    title = TITLES[seed.name]
    result = clean_text(source)
    kept = _paragraphs(result.text)

    assert result.metadata.title == title
    missing = [p for p in golden if p not in kept]
    assert not missing, f"reporting lost: {missing}"
    debris = {p for p in _paragraphs(source) if p not in golden and p != title}
    survived = [p for p in kept if p in debris or p == title]
    assert not survived, f"debris kept: {survived}"
    assert kept == golden  # same paragraphs, same order, nothing invented
    # Every dropped line is accounted for, with a reason.
    assert all(r.reason for r in result.removed)
    assert {r.text for r in result.removed} >= debris - {title}


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem)
def test_clean_article_from_pushed_text(seed: Path) -> None:
    raw = RawArticle(
        article_id="a1", trace_id="t1", url="text:seed", canonical_url="text:seed",
        text=seed.read_text(encoding="utf-8"),
    )  # fmt: skip
    clean = clean_article(raw)
    assert clean.source_kind == "text"
    assert (clean.article_id, clean.trace_id, clean.url) == ("a1", "t1", "text:seed")
    assert clean.metadata.title == TITLES[seed.name]
    assert clean.content_hash == content_hash(clean.text)
    assert len(clean.content_hash) == 64


def test_content_hash_ignores_whitespace() -> None:
    assert content_hash("a  b\n\nc") == content_hash("a b c")
    assert content_hash("a b c") != content_hash("a b d")


def test_hard_wrapped_text_is_unwrapped_before_filtering() -> None:
    text = (
        "Ceasefire talks resume in Doha after two-week pause\n\n"
        "Negotiators from both sides returned to the table on Sunday, officials\n"
        "said, after a pause caused by a dispute over the release of prisoners\n"
        "held since the spring.\n\n"
        "Photo: Reuters\n"
    )
    result = clean_text(text)
    assert result.metadata.title == "Ceasefire talks resume in Doha after two-week pause"
    assert result.text == (
        "Negotiators from both sides returned to the table on Sunday, officials said, after a "
        "pause caused by a dispute over the release of prisoners held since the spring."
    )
