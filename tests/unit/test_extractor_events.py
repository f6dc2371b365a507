"""Events on single sentences written for the test."""

from __future__ import annotations

import datetime as dt

from newswire_extractor.extract import extract
from newswire_shared.messages import Event

PUBLISHED = dt.date(2024, 5, 28)  # a Tuesday


def _events(text: str, etype: str) -> list[Event]:
    ex = extract(text, PUBLISHED)
    for e in ex.events:
        assert text[e.evidence.start : e.evidence.end] == e.evidence.sentence
    return [e for e in ex.events if e.type == etype]


def test_missile_strike_with_casualties() -> None:
    text = (
        "A Russian missile strike on Kharkiv on Monday killed at least four people and "
        "injured 16, the governor said on Telegram."
    )
    [event] = _events(text, "ASSAULT")
    assert event.location is not None and event.location.name == "Kharkiv"
    assert event.location.precision == "city" and event.location.country == "UA"
    assert event.time is not None and event.time.date == dt.date(2024, 5, 27)
    counts = {c.kind: c for c in event.counts}
    assert counts["killed"].value == 4 and counts["killed"].at_least
    assert counts["injured"].value == 16 and not counts["injured"].at_least
    assert [a.name for a in event.actors] == ["Russia"]
    assert event.claim_source is not None and "Telegram" in event.claim_source
    assert event.acled_event_type == "Explosions/Remote violence"
    assert event.acled_sub_event_type == "Shelling/artillery/missile attack"
    assert not _events(text, "STATEMENT")  # the governor is the source, not an event


def test_drone_strike_is_an_air_strike() -> None:
    text = "Ukrainian drones hit a fuel station in Livny on Sunday, killing at least one person."
    [event] = _events(text, "ASSAULT")
    assert event.acled_sub_event_type == "Air/drone strike"
    assert [a.name for a in event.actors] == ["Ukraine"]
    assert event.time is not None and event.time.date == dt.date(2024, 5, 26)


def test_request() -> None:
    text = "Zelensky urged Western allies on Monday to allow Kyiv to strike targets in Russia."
    [event] = _events(text, "REQUEST")
    assert [a.name for a in event.actors] == ["Volodymyr Zelenskyy"]
    assert event.trigger == "urged"
    assert not _events(text, "ASSAULT")  # a wished-for strike did not happen


def test_call_on_is_a_request_with_recipient() -> None:
    text = "Volodymyr Zelensky called on NATO to lift restrictions on Ukrainian weapons."
    [event] = _events(text, "REQUEST")
    assert [r.name for r in event.recipients] == ["NATO"]


def test_aid_with_money_and_future() -> None:
    text = (
        "Austin announced that the Biden administration would give Ukraine another "
        "$250 million worth of weapons."
    )
    [event] = _events(text, "AID")
    assert [(m.amount, m.currency) for m in event.money] == [(250e6, "USD")]
    assert [r.name for r in event.recipients] == ["Ukraine"]
    assert event.modality.future


def test_statement_with_speaker() -> None:
    text = "Stoltenberg said on Monday that NATO is not a party to the conflict."
    [event] = _events(text, "STATEMENT")
    assert [a.name for a in event.actors] == ["Jens Stoltenberg"]
    assert event.time is not None and event.time.date == dt.date(2024, 5, 27)


def test_negated_and_hypothetical() -> None:
    [neg] = _events("Russia did not attack Kyiv on Monday.", "ASSAULT")
    assert neg.modality.negated
    [hyp] = _events("Russia could attack NATO, Peskov warned.", "ASSAULT")
    assert hyp.modality.hypothetical


def test_other_plover_types() -> None:
    assert (
        _events("Russia said it had captured two more villages in eastern Ukraine.", "TERRITORY")[0]
        .counts[0]
        .value
        == 2
    )
    assert _events("The Kremlin rebuked Stoltenberg for his comments.", "ACCUSE")
    assert _events("Meloni opposed giving Ukraine more weapons.", "REJECT")
    assert _events("Russia threatened to retaliate against Britain.", "THREATEN")


def test_claim_source_according_to() -> None:
    text = "At least five people were killed in the attack on Kyiv, according to the mayor."
    [event] = _events(text, "ASSAULT")
    assert event.claim_source == "mayor"


def test_crowd_control_is_coercion_and_protesters_acting_protest() -> None:
    text = "Riot police fired rubber bullets at students in Dhaka on Monday."
    [event] = _events(text, "COERCE")
    assert event.location is not None and event.location.name == "Dhaka"
    assert not _events(text, "ASSAULT")
    text = "Hundreds of demonstrators blocked a highway outside Lima on Sunday."
    [event] = _events(text, "PROTEST")
    assert event.location is not None and event.location.name == "Lima"


def test_dateline_is_not_the_actor() -> None:
    text = "BEIRUT, May 27 (Reuters) - Israel struck a village in southern Lebanon, killing two."
    [event] = _events(text, "ASSAULT")
    assert [a.name for a in event.actors] == ["Israel"]


def test_passive_killing_takes_the_actor_of_its_time_clause() -> None:
    text = "Nine villagers were killed when gunmen of the Islamic State opened fire on a market."
    [event] = _events(text, "ASSAULT")
    assert [a.name for a in event.actors] == ["Islamic State"]
    assert [(c.kind, c.value) for c in event.counts] == [("killed", 9)]


def test_withdrawal_from_a_place_is_located_there() -> None:
    text = "Government troops withdrew from Kidal on Thursday."
    [event] = _events(text, "RETREAT")
    assert event.location is not None and event.location.name == "Kidal"


def test_congratulating_is_support() -> None:
    text = "The German chancellor congratulated Keir Starmer on Friday."
    [event] = _events(text, "SUPPORT")
    assert [r.name for r in event.recipients] == ["Keir Starmer"]


def test_two_happenings_of_one_type_in_a_sentence() -> None:
    text = (
        "Hamas fired rockets at Ashkelon after an Israeli airstrike killed two fighters "
        "in Khan Younis."
    )
    events = _events(text, "ASSAULT")
    assert sorted(a.name for e in events for a in e.actors) == ["Hamas", "Israel"]


def test_disasters_and_accidents_are_not_attacks() -> None:
    assert not _events("Floods in Bangladesh have killed 40 people since Monday.", "ASSAULT")
    assert not _events("Twelve miners were killed in a landslide in Myanmar.", "ASSAULT")


def test_explosives_held_talks_and_condemnation() -> None:
    [event] = _events("A roadside bomb exploded near Gao, killing three soldiers.", "ASSAULT")
    assert [(c.kind, c.value) for c in event.counts] == [("killed", 3)]
    [talks] = _events("Kenya and Somalia held talks in Nairobi on Monday.", "CONSULT")
    assert talks.location is not None and talks.location.name == "Nairobi"
    [accuse] = _events("Beijing called the sanctions illegal and unjustified.", "ACCUSE")
    assert [a.name for a in accuse.actors] == ["China"]


def test_a_saying_nobody_made_is_no_statement() -> None:
    assert not _events("No group claimed responsibility for the blast.", "STATEMENT")
    assert not _events("The ministry did not comment on the report.", "STATEMENT")
    [threat] = _events("The prime minister said Israel would retaliate.", "THREATEN")
    assert threat.trigger == "said"


def test_a_threat_in_a_direct_quote_is_the_quote() -> None:
    text = "“We will respond,” said Nasser Kanaani."
    assert not _events(text, "THREATEN")
    [statement] = _events(text, "STATEMENT")
    assert [a.name for a in statement.actors] == ["Nasser Kanaani"]


def test_curfews_releases_recalls_and_riots() -> None:
    assert _events("The army imposed a curfew in Freetown on Sunday.", "COERCE")
    [freed] = _events("The rebels freed 20 hostages near Kidal on Friday.", "CONCEDE")
    assert freed.trigger == "freed"
    [recall] = _events("Algeria recalled its ambassador to France on Tuesday.", "SANCTION")
    assert [a.name for a in recall.actors] == ["Algeria"]
    [riot] = _events("Clashes between students and police in Dhaka left six dead.", "PROTEST")
    assert [(c.kind, c.value) for c in riot.counts] == [("killed", 6)]
    assert not _events("Clashes between students and police in Dhaka left six dead.", "ASSAULT")


def test_shot_dead_counts_the_killed_and_a_town_before_its_country_is_a_place() -> None:
    text = "On 2 May, gunmen shot dead seven farmers near Tillia, Niger."
    [event] = _events(text, "ASSAULT")
    assert [(c.kind, c.value) for c in event.counts] == [("killed", 7)]
    assert event.location is not None and event.location.name == "Tillia"
    assert not _events("Ten drones were shot down over Kursk.", "ASSAULT")


def test_where_it_was_said_is_not_where_it_happened() -> None:
    text = "France will send Ukraine 40 missiles, the minister said in Paris."
    [event] = _events(text, "AID")
    assert event.location is None
    text = "In eastern Chad, officials said on Monday that gunmen attacked a camp."
    [event] = _events(text, "ASSAULT")
    assert event.location is not None and event.location.name == "Chad"


def test_money_approved_refusals_and_the_agent_of_a_weapon() -> None:
    assert _events("The World Bank approved $500 million for Kenya on Friday.", "AID")
    [refusal] = _events("The rebels said they would not attend the talks in Doha.", "REJECT")
    assert refusal.trigger == "said"
    text = "A drone operated by the Sudanese army struck a market in Nyala on Monday."
    [event] = _events(text, "ASSAULT")
    assert [a.name for a in event.actors] == ["Sudan"]


def test_a_refusal_or_threat_quoted_whole_is_a_statement_and_forceful_answers_threaten() -> None:
    text = "“We will not accept any deal,” the official said."
    assert not _events(text, "REJECT") and _events(text, "STATEMENT")
    text = "The minister warned that Iran would “respond forcefully” to any attack."
    assert _events(text, "THREATEN")
    assert not _events("The ministry said it would respond to the proposal.", "THREATEN")


def test_two_speakers_in_one_sentence_make_two_statements() -> None:
    text = "Putin said Russia was open to talks, but Zelensky said Moscow only wanted a pause."
    speakers = [[a.name for a in e.actors] for e in _events(text, "STATEMENT")]
    assert speakers == [["Vladimir Putin"], ["Volodymyr Zelenskyy"]]
    text = "Erdogan said the talks had gone well, while Putin said there was no agreement."
    assert len(_events(text, "STATEMENT")) == 2  # a contrast clause is not reported speech
    # One saying reported inside another is one statement.
    assert len(_events("Biden said Putin said he would invade.", "STATEMENT")) == 1


def test_it_they_after_a_group_named_as_modifier() -> None:
    [event] = _events("Houthi forces said they fired missiles at a ship.", "ASSAULT")
    assert [a.name for a in event.actors] == ["Houthis"]


def test_dateline_places_the_leads_events_that_name_no_place() -> None:
    text = (
        "MOGADISHU, Feb 10 (Reuters) - A car bomb exploded near a checkpoint on Saturday, "
        "killing at least 10 people, police said.\n\nLater, gunmen attacked a hotel in Baidoa."
        "\n\nIn another attack, gunmen killed two soldiers."
    )
    located = [e.location and e.location.name for e in _events(text, "ASSAULT")]
    assert located == ["Mogadishu", "Baidoa", None]
    # An event that names its place keeps it.
    text = "KYIV, Ukraine (AP) — Russian forces shelled a market in Kherson on Sunday."
    [event] = _events(text, "ASSAULT")
    assert event.location is not None and event.location.name == "Kherson"


def test_recipients_people_of_a_nationality_pronoun_objects_and_talks_partners() -> None:
    [event] = _events("Gang members kidnapped two American missionaries in Haiti.", "COERCE")
    assert event.recipients == []  # the missionaries, not the United States
    text = "Antony Blinken met Foreign Minister Wang Yi in Beijing. He urged him to stop."
    [event] = _events(text, "REQUEST")
    assert [a.name for a in event.actors] == ["Antony Blinken"]
    assert [r.name for r in event.recipients] == ["Wang Yi"]
    text = "Abbas Araqchi arrived in Muscat on Saturday for talks with envoy Steve Witkoff."
    [event] = _events(text, "CONSULT")
    assert [a.name for a in event.actors] == ["Abbas Araqchi"]
    assert [r.name for r in event.recipients] == ["Steve Witkoff"]
    text = "Viktor Orban travelled to Beijing on Monday for talks with Xi Jinping."
    [event] = _events(text, "CONSULT")
    assert event.location is not None and event.location.name == "Beijing"


def test_the_place_of_the_occasion_or_of_the_actor_locates_the_act() -> None:
    text = "Zelensky told reporters at the NATO summit in Washington on Wednesday."
    [event] = _events(text, "STATEMENT")
    assert event.location is not None and event.location.name == "Washington"
    text = "Stoltenberg, speaking during a visit in Sofia on Monday, urged allies to send arms."
    [event] = _events(text, "REQUEST")
    assert event.location is not None and event.location.name == "Sofia"
    # Where something was said is not where the reported attack happened.
    text = "The minister said at a briefing in Kyiv that Russia shelled Kherson overnight."
    [event] = _events(text, "ASSAULT")
    assert event.location is not None and event.location.name == "Kherson"
    # "the government in Kabul" says which government, not where it acted.
    text = "The Taliban government in Kabul called the expulsions inhumane."
    assert all(e.location is None for e in extract(text, PUBLISHED).events)


def test_a_place_of_another_happening_inside_the_phrase_is_not_the_events() -> None:
    text = "Britain imposed sanctions on Houthi leaders over attacks on ships in the Red Sea."
    [event] = _events(text, "SANCTION")
    assert event.location is None
    text = "Russia launched a missile attack on a hospital in Kharkiv on Monday."
    [event] = _events(text, "ASSAULT")
    assert event.location is not None and event.location.name == "Kharkiv"


def test_a_saying_is_the_act_it_reports() -> None:
    text = "Kremlin spokesman Dmitry Peskov said the West was risking a direct confrontation."
    [event] = _events(text, "THREATEN")
    assert [a.name for a in event.actors] == ["Dmitry Peskov"]
    text = "German Defense Minister Boris Pistorius said the systems must be delivered."
    assert len(_events(text, "REQUEST")) == 1
    # An obligation the speaker puts on his own side is a case made, not a demand.
    text = "British Prime Minister Keir Starmer said Britain must rebuild its armed forces."
    assert len(_events(text, "STATEMENT")) == 1 and not _events(text, "REQUEST")


def test_one_attack_told_with_its_toll_and_agreed_aid() -> None:
    text = (
        "Two people were killed and 12 wounded when a Russian glide bomb hit an apartment "
        "block in Zaporizhzhia, Governor Ivan Fedorov said."
    )
    [event] = _events(text, "ASSAULT")
    assert [a.name for a in event.actors] == ["Russia"]
    text = "At least 45 people died after an Israeli strike in Rafah, the ministry said."
    assert len(_events(text, "ASSAULT")) == 1 and not _events(text, "STATEMENT")
    text = "Sudan's army said on Saturday it had retaken the city of Wad Madani from the RSF."
    [event] = _events(text, "TERRITORY")
    assert [a.name for a in event.actors] == ["Sudan"]
    text = "The EU agreed a 50 billion euro aid package for Ukraine on Thursday."
    [event] = _events(text, "AID")
    assert [a.name for a in event.actors] == ["European Union"] and not _events(text, "AGREE")


def test_a_retaliation_told_is_a_threat_against_its_target() -> None:
    text = "Prime Minister Benjamin Netanyahu told his cabinet that Israel would respond to Iran."
    [event] = _events(text, "THREATEN")
    assert [r.name for r in event.recipients] == ["Iran"]
    # The that-clause is the one thing reported: no quote of the sentence before it.
    assert [q.text for q in extract(text, PUBLISHED).quotes] == ["Israel would respond to Iran"]


def test_aid_goes_to_its_object_which_is_no_place() -> None:
    text = (
        "The European Union will provide Ukraine with an additional 3.5 billion euros in "
        "military aid this year, EU foreign policy chief Kaja Kallas announced in Brussels."
    )
    [event] = _events(text, "AID")
    assert [r.name for r in event.recipients] == ["Ukraine"]
    assert event.location is None  # Brussels is where it was announced
    assert [(m.amount, m.currency) for m in event.money] == [(3.5e9, "EUR")]


def test_a_ground_operation_is_an_assault_and_a_rescue_operation_is_not() -> None:
    text = "Israeli troops launched a ground operation in southern Lebanon on Monday."
    [event] = _events(text, "ASSAULT")
    assert [a.name for a in event.actors] == ["Israel"]
    assert event.location is not None and event.location.name == "Lebanon"
    assert event.acled_sub_event_type == "Armed clash"
    assert not _events("Volunteers launched a rescue operation in the flooded town.", "ASSAULT")


def test_a_suicide_bombing_is_no_air_strike() -> None:
    text = "A suicide bomber killed at least 15 people at a market in Mogadishu on Sunday."
    [event] = _events(text, "ASSAULT")
    assert event.acled_sub_event_type == "Suicide bomb"
    assert event.location is not None and event.location.name == "Mogadishu"


def test_places_marched_through_and_talks_held_in() -> None:
    [protest] = _events("Thousands of people marched through Belgrade on Saturday.", "PROTEST")
    assert protest.location is not None and protest.location.name == "Belgrade"
    text = "Turkey will host direct talks between Russian and Ukrainian delegations in Istanbul."
    [talks] = _events(text, "CONSULT")
    assert talks.location is not None and talks.location.name == "Istanbul"


def test_the_accused_of_a_reduced_passive_is_no_actor() -> None:
    text = "The United States imposed sanctions on three Chinese companies accused of fraud."
    [accusation] = _events(text, "ACCUSE")
    assert [r.name for r in accusation.recipients] == ["China"]
    assert "China" not in [a.name for a in accusation.actors]


def test_the_target_inside_an_attack_noun_is_not_its_author() -> None:
    text = "The strike on the Okhmatdyt children's hospital killed two adults, the mayor said."
    [event] = _events(text, "ASSAULT")
    assert event.actors == []
    [event] = _events("A Russian missile strike on Dnipro killed four people.", "ASSAULT")
    assert [a.name for a in event.actors] == ["Russia"]


def test_captives_released_in_the_passive_are_a_concession() -> None:
    text = "Three Israeli hostages were released in exchange for 90 Palestinian prisoners."
    assert len(_events(text, "CONCEDE")) == 1


def test_a_warning_of_a_provoked_response_is_a_threat_and_firefighters_are_no_fight() -> None:
    text = "The Kremlin warned that Western weapons used against Russia would provoke a response."
    assert len(_events(text, "THREATEN")) == 1
    [event] = _events("Two firefighters were killed in the strike on the depot.", "ASSAULT")
    assert event.acled_sub_event_type != "Armed clash"


def test_people_clashing_in_a_meeting_is_no_armed_clash() -> None:
    text = "Donald Trump and Volodymyr Zelenskyy clashed in a heated Oval Office meeting."
    assert not _events(text, "ASSAULT")
    [fight] = _events("Rebels and government troops clashed near the town of Kidal.", "ASSAULT")
    assert fight.acled_sub_event_type == "Armed clash"


def test_a_sanctions_package_is_a_sanction_not_aid_and_its_targets_are_not_attacked() -> None:
    text = (
        "The EU adopted its 17th sanctions package against Russia on Tuesday, targeting "
        "nearly 200 vessels of the shadow fleet."
    )
    ex = extract(text, PUBLISHED)
    assert [e.type for e in ex.events] == ["SANCTION"]
    assert [a.name for a in ex.events[0].actors] == ["European Union"]
    assert [
        e.type for e in extract("Japan approved a $4.5 billion aid package for Ukraine.").events
    ] == ["AID"]


def test_a_phone_call_is_talks_and_a_call_on_someone_is_a_request() -> None:
    text = "Putin agreed to a halt on strikes during a phone call with Trump on Tuesday."
    assert not _events(text, "REQUEST")
    assert len(_events(text, "CONSULT")) == 1
    [request] = _events("Zelensky called on NATO on Monday to lift restrictions.", "REQUEST")
    assert [r.name for r in request.recipients] == ["NATO"]
