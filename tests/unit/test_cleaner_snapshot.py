"""The cleaner's outputs on every fixture page, recorded once, must not change.

Speed work on the cleaner (literal guards in front of the patterns, fewer passes) has to
leave its output byte for byte as it was. ``snapshot.json`` holds the outputs recorded
before that work: the clean text, every removal with its reason and the metadata of each
fixture HTML page, of each seed rendered as a news page and pushed as plain text, and the
pattern classification of every seed and snippet line, also with the letters that
case-insensitive matching folds oddly (``ſ`` is ``s``, the Kelvin sign is ``k``, dotless
and dotted ``i``). Regenerate it only for an intended change of output:

    .venv/bin/python tests/unit/test_cleaner_snapshot.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from newswire_cleaner.boilerplate import classify
from newswire_cleaner.clean import clean_html, clean_text
from newswire_shared.worker import PermanentError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SNAPSHOT = FIXTURES / "cleaner" / "snapshot.json"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
TITLES: dict[str, str] = json.loads(
    (FIXTURES / "seeds" / "golden" / "titles.json").read_text(encoding="utf-8")
)
SNIPPETS: dict[str, Any] = json.loads(
    (FIXTURES / "cleaner" / "snippets.json").read_text(encoding="utf-8")
)
# Letters whose case-insensitive match is not what a plain lower() suggests.
ODD_FOLDS = ({"s": "ſ"}, {"k": "\u212a"}, {"i": "ı"}, {"i": "İ", "I": "İ"}, {"K": "k", "S": "ſ"})


def _outcome(make: Any) -> dict[str, Any]:
    try:
        result = make()
    except PermanentError as exc:
        return {"error": str(exc)}
    return {
        "text": result.text,
        "removed": [[r.text, r.reason] for r in result.removed],
        "metadata": result.metadata.model_dump(mode="json"),
    }


def _html_pages() -> dict[str, tuple[str, str | None]]:
    pages = {}
    for path in sorted(FIXTURES.glob("**/*.html")):
        spec = SNIPPETS.get(path.name, {})
        pages[str(path.relative_to(FIXTURES))] = (path.read_text(encoding="utf-8"), spec.get("url"))
    sys.path.insert(0, str(FIXTURES.parent.parent))
    from tests.support.newssite import render, seed_page

    for index, seed in enumerate(SEEDS * 2):  # twice: with and without JSON-LD
        page = seed_page(seed, index, TITLES[seed.name])
        pages[f"rendered/{index}/{seed.name}"] = (render(page), f"https://news.test/{page.slug}")
    return pages


def _lines() -> list[str]:
    lines: set[str] = set()
    for seed in SEEDS:
        lines.update(line.strip() for line in seed.read_text(encoding="utf-8").splitlines())
    for spec in SNIPPETS.values():
        lines.update(spec.get("with", []))
        lines.update(spec.get("without", []))
    plain = sorted(line for line in lines if line)
    odd = {"".join(fold.get(c, c) for c in line) for fold in ODD_FOLDS for line in plain}
    return sorted({*plain, *(line.upper() for line in plain), *odd})


def outputs() -> dict[str, Any]:
    pages = {
        name: _outcome(lambda h=h, u=u: clean_html(h, u)) for name, (h, u) in _html_pages().items()
    }
    texts = {
        seed.name: _outcome(lambda s=seed: clean_text(s.read_text(encoding="utf-8")))
        for seed in SEEDS
    }
    lines = {
        line: [classify(line, at_edge=True), classify(line, at_edge=False)] for line in _lines()
    }
    return {"html": pages, "text": texts, "classify": lines}


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def current() -> dict[str, Any]:
    return outputs()


@pytest.mark.parametrize("part", ["html", "text", "classify"])
def test_outputs_match_the_snapshot(part: str, recorded: dict, current: dict) -> None:
    assert set(current[part]) == set(recorded[part])
    changed = [k for k in recorded[part] if current[part][k] != recorded[part][k]]
    assert not changed, f"{len(changed)} outputs changed, e.g. {changed[:5]}"


def test_snapshot_covers_pages_removals_and_odd_letters(recorded: dict) -> None:
    assert len(recorded["html"]) >= 15
    assert sum(len(o.get("removed", [])) for o in recorded["html"].values()) >= 50
    assert any("ſ" in line for line in recorded["classify"])
    assert sum(1 for r in recorded["classify"].values() if r[0] is not None) >= 30


if __name__ == "__main__":
    SNAPSHOT.write_text(
        json.dumps(outputs(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {SNAPSHOT}")
