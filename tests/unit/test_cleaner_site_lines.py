"""The pure side of site-repeat removal: which lines are candidates, what is dropped."""

from __future__ import annotations

from newswire_cleaner.repeats import drop_repeated, edge_lines, line_key, site_of

TEXT = [
    "Subscribe to the Evening Digest",
    "The council debated the harbour plan for three hours on Monday night.",
    "Supporters said the plan was overdue, while critics questioned the cost of it.",
    "The company did not respond to a request for comment.",
    "A final decision is expected when the council meets again in two weeks.",
    "Follow our city desk",
]


def test_edge_lines_are_the_short_paragraphs_at_both_ends() -> None:
    assert edge_lines(TEXT) == [TEXT[0], TEXT[1], TEXT[4], TEXT[5]]
    assert edge_lines(["x" * 400, "short"]) == ["short"]


def test_only_repeated_edge_lines_are_dropped_with_a_reason() -> None:
    kept, removed = drop_repeated(TEXT, {TEXT[0], TEXT[3], TEXT[5]})
    assert kept == TEXT[1:5]  # the middle sentence stays although it repeats
    assert [(r.text, r.reason) for r in removed] == [
        (TEXT[0], "site_repeat"), (TEXT[5], "site_repeat"),
    ]  # fmt: skip
    assert drop_repeated(TEXT, set()) == (TEXT, [])


def test_never_empties_an_article() -> None:
    short = ["Subscribe to the Evening Digest", "Read the full story on our site today"]
    assert drop_repeated(short, set(short)) == (short, [])


def test_site_and_line_keys() -> None:
    assert site_of("https://WWW.Gazette.example/news/1") == "gazette.example"
    assert site_of("not a url") is None
    assert line_key("Follow  our city desk") == line_key("follow our city desk")
