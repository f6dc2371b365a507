"""Direct quotes: spans, speakers (names, pronouns, titles), cues."""

from __future__ import annotations

from newswire_extractor.extract import extract
from newswire_extractor.quotes import find_quote_spans


def _spans(text: str) -> list[str]:
    return [text[a:b] for a, b in find_quote_spans(text)]


def test_quote_marks() -> None:
    assert _spans('He said "we will win" today.') == ["we will win"]
    assert _spans("She said “we will win” today.") == ["we will win"]
    assert _spans("Nations ‘need to lift all the limitations’ on strikes.") == [
        "need to lift all the limitations"
    ]
    assert _spans("Kyiv’s allies and Ukraine’s army.") == []  # apostrophes
    assert _spans('Interview given to "Reuters".') == []  # a quoted name is not speech
    # An unclosed quote continues to the end of its paragraph.
    assert _spans("“We are doing everything.\nNext paragraph.") == ["We are doing everything."]


def test_speaker_is_the_subject_of_the_cue_verb() -> None:
    text = "“We need decisions,” Zelensky said on Monday."
    [q] = extract(text).quotes
    assert q.text == "We need decisions,"
    assert text[q.start : q.end] == q.text
    assert q.speaker is not None and q.speaker.name == "Volodymyr Zelenskyy"
    assert q.cue == "said"
    assert q.kind == "direct"


def test_inverted_and_split_quotes() -> None:
    text = (
        '"We need to have this possibility," said Bill Blair, "so that Russia is forced '
        'to seek peace."'
    )
    # One quote split around its speech verb is one quote, spanning both halves.
    [quote] = [q for q in extract(text).quotes if q.kind == "direct"]
    assert quote.text == (
        'We need to have this possibility," said Bill Blair, "so that Russia is forced '
        "to seek peace."
    )
    assert quote.speaker is not None and quote.speaker.name == "Bill Blair"


def test_pronoun_resolves_to_the_last_named_speaker() -> None:
    text = (
        "Canadian Defense Minister Bill Blair said Ukraine needs more help.\n\n"
        "“We support their request,” he added."
    )
    indirect, q = extract(text).quotes
    assert indirect.kind == "indirect" and indirect.text == "Ukraine needs more help"
    assert q.speaker is not None and q.speaker.name == "Bill Blair"
    assert q.speaker_text == "he" and q.cue == "added"


def test_title_resolves_to_the_person_introduced_with_it() -> None:
    text = (
        "NATO chief Jens Stoltenberg visited Sofia on Monday. Italy's Prime Minister "
        "Giorgia Meloni stayed in Rome.\n\n"
        "“Ukraine has the right to defend itself,” the NATO chief said."
    )
    [q] = extract(text).quotes
    assert q.speaker is not None and q.speaker.name == "Jens Stoltenberg"


def test_partial_quote_and_continuation() -> None:
    text = (
        "He said it is “crazy” that Ukraine cannot strike. Mr. Stoltenberg said the "
        "alliance would help.\n\n“There is no doubt that Ukraine has the right to "
        "use weapons.”"
    )
    ex = extract("Jens Stoltenberg arrived. " + text)
    partial, cont = [q for q in ex.quotes if q.kind != "indirect"]
    assert partial.kind == "partial" and partial.text == "crazy"
    assert cont.kind == "direct" and cont.speaker is not None
    assert cont.speaker.name == "Jens Stoltenberg"


def test_quote_over_several_paragraphs_is_one_quote() -> None:
    text = (
        "Mr. Zelenskyy spoke to reporters in Washington.\n\n"
        "“We are doing everything to be ready when Ukraine is invited. And I am confident.\n\n"
        "“I think the next step will be membership.”\n\n"
        "“The alliance has truly become stronger,” he said. “We strengthen NATO.”"
    )
    direct = [q for q in extract(text).quotes if q.kind == "direct"]
    assert [q.text for q in direct] == [
        "We are doing everything to be ready when Ukraine is invited. And I am confident.\n\n"
        "“I think the next step will be membership.",
        "The alliance has truly become stronger,” he said. “We strengthen NATO.",
    ]
    assert all(q.speaker is not None and q.speaker.name == "Volodymyr Zelenskyy" for q in direct)


def test_a_speaker_the_parser_hung_elsewhere_is_found_and_left_out_of_the_quote() -> None:
    text = (
        "North Korea has sent around 12,000 troops to Russia, South Korea's spy agency said "
        "on Friday."
    )
    [quote] = extract(text).quotes
    assert quote.text == "North Korea has sent around 12,000 troops to Russia"
    assert quote.speaker is not None and quote.speaker.name == "South Korea"


def test_it_said_is_the_last_organisation_or_country_that_spoke() -> None:
    text = (
        "Iran launched more than 300 drones and missiles at Israel overnight, the Israeli "
        "military said. Nearly all of them were intercepted, it said."
    )
    quotes = extract(text).quotes
    assert [q.speaker.name if q.speaker else None for q in quotes] == ["Israel", "Israel"]
