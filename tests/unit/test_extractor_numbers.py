"""Numbers, names, times and speech acts: pure functions, no spaCy model needed."""

from __future__ import annotations

import datetime as dt

import pytest

from newswire_extractor.extract import chunk_text
from newswire_extractor.names import name_key
from newswire_extractor.numbers import find_counts, find_money
from newswire_extractor.speech_acts import speech_act
from newswire_extractor.timex import find_time


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("pledged $1.085 billion in aid", 1.085e9, "USD"),
        ("[1 billion euros] in military aid", 1e9, "EUR"),
        ("another $250 million worth of weapons", 250e6, "USD"),
        ("to spend minimally “40 billion Euros” next year", 40e9, "EUR"),
        ("a €5bn package", 5e9, "EUR"),
        ("£300m for drones", 300e6, "GBP"),
    ],
)
def test_money(text: str, amount: float, currency: str) -> None:
    [money] = find_money(text)
    assert money.amount == pytest.approx(amount)
    assert money.currency == currency
    assert text[money.start : money.end] == money.text


def _counts(text: str) -> list[tuple[str, int, bool, bool, bool]]:
    return [(c.kind, c.value, c.at_least, c.at_most, c.approximate) for c in find_counts(text)]


def test_casualty_counts_with_qualifiers() -> None:
    text = "At least four people were killed and 16 others wounded in the latest attacks."
    assert _counts(text) == [
        ("killed", 4, True, False, False),
        ("injured", 16, False, False, False),
    ]
    text = "a bomb killed one civilian and injured at least 10 more"
    assert _counts(text) == [
        ("killed", 1, False, False, False),
        ("injured", 10, True, False, False),
    ]
    assert _counts("up to 30 people were injured")[0][:2] == ("injured", 30)
    assert _counts("up to 30 people were injured")[0][3] is True
    assert _counts("nearly 50 were killed")[0][4] is True


def test_counts_of_things() -> None:
    text = "five cruise missiles and 60 combat drones were shot down"
    assert [(k, v) for k, v, *_ in _counts(text)] == [("missiles", 5), ("drones", 60)]
    assert _counts("Russia took two more villages")[0][:2] == ("villages", 2)


def test_money_is_not_a_count() -> None:
    text = "$250 million worth of weapons and 60 drones"
    skip = [(m.start, m.end) for m in find_money(text)]
    assert [c.kind for c in find_counts(text, skip)] == ["drones"]


def test_transliterations_share_one_key() -> None:
    spellings = ["Zelensky", "Zelenskyy", "Zelenskyj", "Selenskyj", "Zelenski", "Zelenskiy"]
    assert len({name_key(s) for s in spellings}) == 1
    assert name_key("Volodymyr Zelenskyy") == name_key("Wolodymyr Selenskyj")
    assert name_key("Mr. Zelenskyy") == name_key("Zelensky")
    assert name_key("Sanchez") != name_key("Zelensky")


def test_times_resolve_against_published_date() -> None:
    published = dt.date(2024, 5, 28)  # a Tuesday
    assert find_time("on Monday", published).date == dt.date(2024, 5, 27)  # type: ignore[union-attr]
    assert find_time("on Tuesday", published).date == published  # type: ignore[union-attr]
    assert find_time("on July 11", published).date == dt.date(2023, 7, 11)  # type: ignore[union-attr]
    assert find_time("on July 11, 2024", None).date == dt.date(2024, 7, 11)  # type: ignore[union-attr]
    undated = find_time("on Monday", None)
    assert undated is not None and undated.date is None
    assert find_time("no time here", published) is None


def test_chunks_cover_text_and_cut_at_paragraphs() -> None:
    text = "\n\n".join(f"Paragraph {i} says something." for i in range(50))
    chunks = chunk_text(text, 200)
    assert "".join(c for _, c in chunks) == text
    assert all(len(c) <= 200 for _, c in chunks)
    assert all(text[o : o + len(c)] == c for o, c in chunks)
    assert all(c.endswith("\n\n") for _, c in chunks[:-1])


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Russia launched 158 drones and missiles overnight", [("drones and missiles", 158)]),
        ("fired hundreds of rockets and drones", [("rockets and drones", 100)]),
        ("launched 88 missiles and 63 drones", [("missiles", 88), ("drones", 63)]),
        ("fired 40 rockets and three drones", [("rockets", 40), ("drones", 3)]),
        ("shot down 30 drones, and missiles hit a depot", [("drones", 30)]),
    ],
)
def test_one_number_over_two_kinds_counts_them_together(
    text: str, kinds: list[tuple[str, int]]
) -> None:
    assert [(c.kind, c.value) for c in find_counts(text)] == kinds


@pytest.mark.parametrize(
    ("reported", "etype"),
    [
        ("the West is risking a direct confrontation with Russia", "THREATEN"),
        ("any attack would lead to a full-scale war", "THREATEN"),
        ("Ukraine had every right to defend itself", "SUPPORT"),
        ("Ukraine is on an irreversible path to membership", "SUPPORT"),
        ("the invasion is a violation of international law", "ACCUSE"),
        ("troops committed war crimes in Bucha", "ACCUSE"),
        ("Israel would respond to Iran", "THREATEN"),
        ("Hamas would respond to the proposal soon", None),
        ("the talks had been constructive", None),
        ("the right time to talk would come", None),
    ],
)
def test_what_a_saying_reports_makes_its_act(reported: str, etype: str | None) -> None:
    assert speech_act(reported) == etype


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ukraine fired six U.S.-made ATACMS missiles at an airfield.", [("missiles", 6)]),
        ("Russia launched 40 Iranian-designed Shahed drones overnight.", [("drones", 40)]),
        ("In 2023 drones hit the city twice.", []),
        ("Since 2022 missiles have struck Kyiv.", []),
        ("Russia fired 2000 drones in May.", [("drones", 2000)]),
    ],
)
def test_modifiers_between_number_and_thing_and_years_that_are_no_count(
    text: str, expected: list[tuple[str, int]]
) -> None:
    assert [(c.kind, c.value) for c in find_counts(text, [])] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18 people, including nine children, were killed.", [("killed", 18), ("children", 9)]),
        ("Five people, among them a child, were wounded.", [("injured", 5)]),
    ],
)
def test_a_toll_with_its_including_clause(text: str, expected: list[tuple[str, int]]) -> None:
    assert [(c.kind, c.value) for c in find_counts(text, [])] == expected
