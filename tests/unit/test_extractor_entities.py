"""Entity types and canonical ids (the gazetteer layer over en_core_web_sm)."""

from __future__ import annotations

from pathlib import Path

from spacy.tokens import Span

from newswire_extractor.entity_fix import fix_entities
from newswire_extractor.extract import extract
from newswire_extractor.nlp import get_nlp
from newswire_shared.messages import Extraction

SEEDS = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "seeds").glob("*.txt"))


def _types(ex: Extraction, text: str) -> set[str]:
    return {m.type for m in ex.mentions if m.text == text}


def _entity(ex: Extraction, name: str):  # type: ignore[no-untyped-def]
    return next(e for e in ex.entities if e.name == name)


def test_places_the_small_model_mislabels_are_gpe() -> None:
    ex = extract(
        "Kyiv’s Western allies met in Kyiv. Ukrainian forces entered the Kursk region "
        "and shelled Kursk."
    )
    assert _types(ex, "Kyiv") == {"GPE"}
    assert _types(ex, "Kursk") == {"GPE"}
    assert _types(ex, "Kursk region") == {"GPE"}
    kyiv = _entity(ex, "Kyiv")
    assert kyiv.country == "UA" and kyiv.latitude is not None and kyiv.longitude is not None


def test_weapons() -> None:
    ex = extract(
        "Ukraine wants to use US Atacms missiles, British Storm Shadow and French Scalp "
        "missiles, and more Patriot systems against Russia."
    )
    for text in ("Atacms", "Storm Shadow", "Scalp", "Patriot"):
        assert _types(ex, text) == {"WEAPON"}, text
    storm = _entity(ex, "Storm Shadow")
    scalp_ids = {m.entity_id for m in ex.mentions if m.text == "Scalp"}
    assert scalp_ids == {storm.entity_id}
    assert storm.weapon_class == "cruise missile"


def test_money_mentions_have_values() -> None:
    text = "Spain pledged $1.085 billion [1 billion euros] in military aid for Kyiv."
    ex = extract(text)
    money = {m.text: (m.value, m.unit) for m in ex.mentions if m.type == "MONEY"}
    assert money == {"$1.085 billion": (1.085e9, "USD"), "1 billion euros": (1e9, "EUR")}


def test_titles_and_surnames_link_to_the_full_name() -> None:
    text = (
        "NATO Secretary General Jens Stoltenberg spoke in Washington. Mr. Stoltenberg "
        "said allies agreed. Stoltenberg left."
    )
    ex = extract(text)
    ids = {m.entity_id for m in ex.mentions if "Stoltenberg" in m.text}
    assert len(ids) == 1
    assert _entity(ex, "Jens Stoltenberg").type == "PERSON"


def test_surname_is_not_a_place_when_it_is_a_persons_name() -> None:
    ex = extract("US Defense Secretary Lloyd Austin visited Kyiv. Austin said more aid is coming.")
    assert _types(ex, "Austin") == {"PERSON"}
    ids = {m.entity_id for m in ex.mentions if "Austin" in m.text}
    assert len(ids) == 1


def test_the_kremlin_is_the_russian_government() -> None:
    ex = extract("The Kremlin rebuked Stoltenberg on Monday for his comments.")
    [kremlin] = [m for m in ex.mentions if m.text == "Kremlin"]
    ent = next(e for e in ex.entities if e.entity_id == kremlin.entity_id)
    assert ent.type == "ORG" and ent.name == "Russian government" and ent.country == "RU"


def test_all_zelensky_spellings_in_the_seeds_are_one_entity() -> None:
    ids, spellings = set(), set()
    for path in SEEDS:
        ex = extract(path.read_text(encoding="utf-8"))
        for m in ex.mentions:
            if m.type == "PERSON" and "elensk" in m.text.lower():
                ids.add(m.entity_id)
                spellings.add(m.text.split()[-1])
    assert {"Zelensky", "Zelenskyy", "Zelenskyj", "Selenskyj", "Zelenski", "Zelenskiy"} <= spellings
    assert len(ids) == 1


def test_entity_ids_are_stable_across_texts() -> None:
    a = extract("Volodymyr Zelenskyy spoke in Kyiv.")
    b = extract("Selenskyj sprach in Kiev.")
    assert {e.entity_id for e in a.entities} == {e.entity_id for e in b.entities}


def test_nationalities_beyond_europe_are_norp_with_their_country() -> None:
    text = "Kenyan police and Sudanese officials met Bangladeshi peacekeepers in Juba."
    ex = extract(text)
    norp = {m.text: m.entity_id for m in ex.mentions if m.type == "NORP"}
    assert {"Kenyan", "Sudanese", "Bangladeshi"} <= set(norp)
    countries = {e.name: e.country for e in ex.entities if e.type == "NORP"}
    assert countries["Kenyan"] == "KE" and countries["Sudanese"] == "SD"


def test_a_count_is_not_money_and_an_acronym_is_not_a_nationality() -> None:
    # The labels the small model gives on such text, set by hand so the repair is tested.
    nlp = get_nlp()
    doc = nlp.make_doc("Officials said more than 3 million people fled as JNIM fighters advanced.")
    doc.ents = [
        Span(doc, 2, 6, label="MONEY"),  # "more than 3 million"
        Span(doc, 9, 10, label="NORP"),  # "JNIM" (unknown to the ruler here)
    ]
    fixed = fix_entities(doc)
    assert [(e.text, e.label_) for e in fixed.ents] == [("JNIM", "ORG")]


def test_a_name_after_the_village_of_is_a_place() -> None:
    text = "Troops entered the village of Urozhaine at dawn."
    assert _types(extract(text), "Urozhaine") == {"GPE"}


def test_a_surname_the_model_misses_is_the_full_name_person() -> None:
    text = (
        "Opposition leader Ousmane Sonko was cleared by the court.\n\n"
        "Sonko, who spent months in custody, thanked his supporters."
    )
    ex = extract(text)
    at = text.rindex("Sonko")
    [second] = [m for m in ex.mentions if m.start == at]
    [first] = [m for m in ex.mentions if m.text == "Ousmane Sonko"]
    assert second.type == "PERSON" and second.entity_id == first.entity_id


def test_conflict_regions_are_known_with_country() -> None:
    text = "Fighting spread across North Kivu and Rakhine State this week."
    ex = extract(text)
    places = {e.name: e.country for e in ex.entities}
    assert places.get("North Kivu") == "CD" and places.get("Rakhine State") == "MM"


def test_organisation_head_words_and_name_particles() -> None:
    text = (
        "Gen. Khalid al-Nour of the Darfur Bar Association spoke on Monday.\n\n"
        "Al-Nour said the Sudanese Observatory for Civilians had counted the dead."
    )
    ex = extract(text)
    assert _types(ex, "Sudanese Observatory for Civilians") == {"ORG"}
    ids = {m.entity_id for m in ex.mentions if m.text in ("Khalid al-Nour", "Al-Nour")}
    assert len(ids) == 1


def test_descriptors_are_no_part_of_names_and_de_facto_states_are_states() -> None:
    text = (
        "Kurdish Peshmerga fighters and Houthi forces used Lancet drones. Ethiopia signed a "
        "deal with Somaliland, and Moldova spoke of Transnistria and Palestine."
    )
    ex = extract(text)
    spans = {(m.text, m.type) for m in ex.mentions}
    assert {("Kurdish", "NORP"), ("Peshmerga", "ORG"), ("Houthi", "ORG")} <= spans
    assert ("Lancet", "WEAPON") in spans
    for name in ("Somaliland", "Transnistria"):
        assert (name, "GPE") in spans
        assert _entity(ex, name).type == "GPE"
    assert _entity(ex, "Palestinian Territory").country == "PS"


def test_liveblog_times_and_datelines_are_no_part_of_what_is_said() -> None:
    text = (
        "08:30 BST: UN Secretary-General Antonio Guterres says he is alarmed by the fighting."
        "\n\nKenya President William Ruto spoke."
    )
    ex = extract(text)
    assert "BST" not in {m.text for m in ex.mentions}
    assert ("Kenya", "GPE") in {(m.text, m.type) for m in ex.mentions}
    [quote] = ex.quotes
    assert quote.speaker is not None and quote.speaker.name == "Antonio Guterres"
    text = "BAMAKO, July 3 (Reuters) - Gunmen killed 20 civilians in Mali, an official said."
    [quote] = extract(text).quotes
    assert quote.text.startswith("Gunmen") and text[quote.start : quote.end] == quote.text


def test_a_region_written_with_its_kind_is_one_name() -> None:
    ex = extract("Fighting killed nine soldiers in the Kidal region of northern Mali.")
    assert ("Kidal region", "GPE") in {(m.text, m.type) for m in ex.mentions}
    [event] = ex.events
    assert event.location is not None and event.location.name == "Kidal region"


def test_a_place_with_an_article_the_model_calls_a_person_does_not_break_linking() -> None:
    # Once a KeyError: "Al Fasher" (PERSON) was its own surname's full name, looked up
    # before it was registered.
    text = "RSF forces looted the market in Al Fasher town (Al Fasher, North Darfur)."
    ex = extract(text)
    assert [m.type for m in ex.mentions if m.text == "Al Fasher"] == ["GPE", "GPE"]
    assert _entity(ex, "El Fasher").country == "SD"


def test_two_amounts_in_one_token_make_one_money_span() -> None:
    # Once a spaCy E1010 error: both amounts of "$15/£13.49" expanded to the same token.
    text = "Expect to pay $15/£13.49 for the game."
    ex = extract(text)
    assert [m.type for m in ex.mentions] == ["MONEY"]


def test_a_name_after_a_title_is_a_person_and_air_defence_systems_are_weapons() -> None:
    text = (
        "Regional governor Volodymyr Artiukh said five missiles were shot down by S-400 and "
        "Pantsir air defence systems."
    )
    types = {m.text: m.type for m in extract(text).mentions}
    assert types["Volodymyr Artiukh"] == "PERSON"
    assert types["Pantsir"] == "WEAPON" and types["S-400"] == "WEAPON"
