"""The word-overlap score of bench/cleaner.py on tiny inputs: it must be able to fail."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from cleaner import Overlap, main_text_pages, words  # noqa: E402


def test_words_are_a_lowercase_bag() -> None:
    assert words("The cat, the CAT and a dog.") == {"the": 2, "cat": 2, "and": 1, "a": 1, "dog": 1}


def test_a_repeated_word_counts_only_as_often_as_the_main_text_has_it() -> None:
    overlap = Overlap()
    overlap.add("kyiv kyiv kyiv struck", "kyiv was struck")
    assert (overlap.tp, overlap.fp, overlap.fn) == (2, 2, 1)
    assert overlap.precision == pytest.approx(0.5)
    assert overlap.recall == pytest.approx(2 / 3)


def test_debris_lowers_precision_and_a_lost_paragraph_lowers_recall() -> None:
    main_text = "Four ships left the port. Officials said six more would follow."
    with_debris, cut = Overlap(), Overlap()
    with_debris.add(main_text + " Sign up for our newsletter today.", main_text)
    cut.add("Four ships left the port.", main_text)
    assert with_debris.recall == 1.0 and with_debris.precision < 0.7
    assert cut.precision == 1.0 and cut.recall < 0.5
    assert Overlap().f1 == 0.0


def test_every_fixture_page_with_a_main_text_is_found() -> None:
    sets = [name for name, *_ in main_text_pages()]
    assert sets.count("fixture pages") == 4 and sets.count("seed pages") == 5
