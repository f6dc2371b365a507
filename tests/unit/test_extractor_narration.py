"""One event per happening, no events from page debris, repeats merged, reported speech."""

from __future__ import annotations

import datetime as dt

from newswire_extractor.extract import extract, extract_batch
from newswire_shared.messages import Extraction


def _types(ex: Extraction) -> list[str]:
    return [e.type for e in ex.events]


def test_reported_happening_is_the_event_and_the_speaker_its_source() -> None:
    ex = extract(
        "Russian drones hit a fuel station in Livny, killing two people, the governor said."
    )
    assert _types(ex) == ["ASSAULT"]
    [event] = ex.events
    assert event.location is not None and event.location.name == "Livny"
    assert [(c.kind, c.value) for c in event.counts] == [("killed", 2)]


def test_reported_act_replaces_the_statement() -> None:
    text = "Austin announced that the United States would give Ukraine $250 million in aid."
    [event] = extract(text).events
    assert event.type == "AID" and event.modality.future
    assert [(m.amount, m.currency) for m in event.money] == [(250_000_000, "USD")]


def test_a_direct_quote_is_a_statement_beside_what_else_the_sentence_reports() -> None:
    text = (
        '"We will be at your side," Sanchez said, announcing that Spain pledged '
        "1 billion euros in military aid for Ukraine."
    )
    assert sorted(_types(extract(text))) == ["AID", "STATEMENT"]


def test_questions_and_impersonal_reports_state_nothing() -> None:
    assert _types(extract("Journalists asked whether Ukraine could use US weapons.")) == []
    assert _types(extract("No casualties were reported.")) == []


def test_caption_and_donation_appeal_give_no_events() -> None:
    text = (
        "A Ukrainian serviceman launches a reconnaissance drone near Pokrovsk, "
        "May 26, 2024. [Reuters]\n\n"
        "Therefore, in order to continue our work, we ask for the support of our readers.\n\n"
        "Russian forces shelled Kharkiv on Monday."
    )
    ex = extract(text, dt.date(2024, 5, 28))
    assert _types(ex) == ["ASSAULT"]
    assert ex.events[0].evidence.sentence == "Russian forces shelled Kharkiv on Monday."


def test_generic_and_purpose_clauses_are_not_happenings() -> None:
    assert _types(extract("Ukraine cannot strike Russian forces across the border.")) == []
    assert "ASSAULT" not in _types(extract("Kyiv wants weapons to attack airfields."))


def test_a_restated_event_is_merged() -> None:
    text = (
        "Moscow launched devastating air strikes on Ukraine on Monday.\n\n"
        "The Russian airstrikes come at a time when talks are stalled.\n\n"
        "At least four people were killed in the attacks, officials said."
    )
    ex = extract(text)
    assaults = [e for e in ex.events if e.type == "ASSAULT"]
    # The back-reference adds nothing and merges; the casualty report adds counts.
    assert len(assaults) == 2
    assert assaults[1].counts[0].value == 4 and assaults[1].counts[0].at_least


def test_the_same_quote_printed_twice_is_one_statement() -> None:
    line = '"We need decisions now, not in a year," Zelensky told reporters in Kyiv.'
    ex = extract(f"{line}\n\nHe spoke after a night of strikes.\n\n{line}")
    assert _types(ex).count("STATEMENT") == 1


def test_indirect_speech_is_a_quote_with_its_speaker() -> None:
    text = "Canadian Defense Minister Bill Blair said that Zelenskiy convinced him."
    [quote] = extract(text).quotes
    assert quote.kind == "indirect"
    assert quote.text == "Zelenskiy convinced him"
    assert quote.speaker is not None and quote.speaker.name == "Bill Blair"
    assert text[quote.start : quote.end] == quote.text


def test_single_sentence_and_batch_agree() -> None:
    texts = [
        "On 3 March, Russian forces shelled Kherson, killing two civilians.",
        "Germany pledged 500 million euros in military aid to Ukraine on Tuesday.",
        "",
    ]
    one = [extract(t, dt.date(2024, 3, 5)) for t in texts]
    many = extract_batch([(t, dt.date(2024, 3, 5)) for t in texts], batch_size=2)
    assert [x.model_dump() for x in one] == [x.model_dump() for x in many]
    assert _types(one[0]) == ["ASSAULT"] and _types(one[1]) == ["AID"]
    assert one[2].events == [] and one[2].mentions == []


def _actors(text: str, etype: str) -> list[str]:
    [event] = [e for e in extract(text).events if e.type == etype]
    return [a.name for a in event.actors]


def test_actors_named_indirectly() -> None:
    assert _actors(
        "Spain's Prime Minister Pedro Sanchez visited Kyiv. "
        "Sanchez said his country pledged $1 billion in military aid for Kyiv.",
        "AID",
    ) == ["Spain"]
    assert _actors(
        "NATO leaders met in Washington.\n\n"
        "The alliance has also announced that it will spend 40 billion euros on aid to Ukraine.",
        "STATEMENT",
    ) == ["NATO"]
    assert _actors("Russia also announced it had taken two more villages.", "TERRITORY") == [
        "Russia"
    ]
    assert _actors("Some nations, including the UK, approved the plan.", "AGREE") == [
        "United Kingdom"
    ]
    # A capital acting is its state.
    assert _actors("Moscow launched air strikes on Ukraine overnight.", "ASSAULT") == ["Russia"]


def test_recipients_below_the_thing_given_or_imposed() -> None:
    def recipients(text: str, etype: str) -> list[str]:
        [event] = [e for e in extract(text).events if e.type == etype]
        return [r.name for r in event.recipients]

    assert recipients("Germany pledged 500 million euros in military aid to Ukraine.", "AID") == [
        "Ukraine"
    ]
    assert recipients("The European Union imposed new sanctions on Russian banks.", "SANCTION") == [
        "Russia"
    ]
