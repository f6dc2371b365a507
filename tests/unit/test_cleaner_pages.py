"""The benchmark's own scored pages: every reporting snippet kept, every debris one gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswire_cleaner.clean import clean_html

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "cleaner"
SPECS = json.loads((FOLDER / "snippets.json").read_text(encoding="utf-8"))


def _collapse(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("page", sorted(SPECS))
def test_scored_page(page: str) -> None:
    spec = SPECS[page]
    result = clean_html((FOLDER / "pages" / page).read_text(encoding="utf-8"), spec["url"])
    out = _collapse(f"{result.metadata.title}\n{result.text}")
    assert [s for s in spec["with"] if _collapse(s) not in out] == []
    assert [s for s in spec["without"] if _collapse(s) in out] == []
    assert all(r.reason for r in result.removed)
