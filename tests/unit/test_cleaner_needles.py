"""The literal guards in front of the boilerplate patterns skip a regex only where it
cannot match, including with the letters case-insensitive matching folds oddly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from newswire_cleaner.boilerplate import classify, default_rules, normalise
from newswire_cleaner.needles import floats, fold, required_needles

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ODD = {"İ": "i", "ı": "i", "ſ": "s", "\u212a": "k"}  # the Kelvin sign


def fixture_lines() -> list[str]:
    lines: set[str] = set()
    for seed in (FIXTURES / "seeds").glob("*.txt"):
        lines.update(seed.read_text(encoding="utf-8").splitlines())
    snippets = json.loads((FIXTURES / "cleaner" / "snippets.json").read_text(encoding="utf-8"))
    for spec in snippets.values():
        lines.update(spec.get("with", []) + spec.get("without", []))
    plain = {normalise(line) for line in lines if line.strip()}
    odd = {line.replace("s", "ſ").replace("i", "ı").replace("k", "\u212a") for line in plain}
    return sorted(plain | odd | {line.upper().replace("I", "İ") for line in plain})


@pytest.mark.parametrize(("odd", "ascii"), ODD.items())
def test_fold_maps_what_ignorecase_pairs_with_an_ascii_letter(odd: str, ascii: str) -> None:
    assert re.fullmatch(ascii, odd, re.I)
    assert fold(odd) == ascii
    assert fold(f"A{odd}B") == f"a{ascii}b"


def test_required_needles() -> None:
    assert required_needles(r".{0,150}all rights reserved\.?.{0,100}") == [
        frozenset({"all rights reserved"})
    ]
    assert required_needles(r"\d{1,2}:\d{2}") == [frozenset({":"})]
    # Each alternative must give one: an alternative without literals gives no guard.
    assert required_needles(r".{0,9}(cookie|\d+)") == []
    assert required_needles(r"(Watch|See) (it)?") == [frozenset({"watch", "see"}), frozenset({" "})]
    assert required_needles(r"x{0,3}y*") == []
    assert sorted(required_needles(r"[Kk]m"), key=sorted) == [frozenset("k"), frozenset("m")]
    assert floats(r".{0,400}©.{0,200}") and not floats(r"copyright\s+\d{4}")


def test_every_guard_lets_through_each_line_its_pattern_matches() -> None:
    guarded = [g for rule in default_rules() for g in rule.guarded]
    assert len(guarded) >= 10
    matched = 0
    for line in fixture_lines():
        folded = fold(line)
        for g in guarded:
            if g.pattern.fullmatch(line):
                matched += 1
                assert g.fullmatch(line, folded), (g.pattern.pattern, line)
    assert matched >= 10


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Example Media Group. All rİghts reserved.", "copyright"),
        ("EXAMPLE MEDIA GROUP. ALL RIGHTS RESERVED.", "copyright"),
        ("Thiſ ſite uſes cookies to improve your experience, see our policy.", "cookie"),
        ("To keep reading this article, please ſubſcribe for full acceſs.", "paywall"),
        ("Our free \u212aYIV BRIEFING newsletter: sign up here.", "newsletter"),
    ],
)
def test_odd_letters_are_still_caught(line: str, reason: str) -> None:
    assert classify(line) == reason
