"""Event extraction behaviours on short texts written for these tests (none taken or edited from a gold file):
negation, appeals, passive agents, pronouns, questions, rejections, stable ids, evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from eventcoder import CodedArticle, Event, Options, code_text

PUBLISHED = dt.date(2018, 6, 12)  # a Tuesday


def code(text: str, **options: object) -> CodedArticle:
    return code_text(text, options=Options(**options), published=PUBLISHED)  # type: ignore[arg-type]


def codes(actors) -> list[str | None]:
    return [a.country for a in actors]


def of_type(coded: CodedArticle, event_type: str) -> list[Event]:
    return [e for e in coded.events if e.event_type == event_type]


def test_negated_cooperation_is_reject() -> None:
    coded = code("Iran did not agree to the inspections demanded by the United Nations on Tuesday.")
    (reject,) = of_type(coded, "REJECT")
    assert reject.negated is True
    assert reject.trigger == "agree"
    assert codes(reject.actors) == ["IRN"]
    assert not of_type(coded, "AGREE")


def test_negated_conflict_is_no_event() -> None:
    coded = code("Russia did not attack Ukraine on Tuesday, officials in Kyiv said.")
    assert not of_type(coded, "ASSAULT")
    assert not [e for e in coded.events if e.trigger == "attack"]


def test_must_release_is_the_speakers_request() -> None:
    coded = code("Germany said that Russia must release the detained journalists.")
    (request,) = of_type(coded, "REQUEST")
    assert codes(request.actors) == ["DEU"]
    assert codes(request.recipients) == ["RUS"]
    assert request.trigger == "release"
    assert not of_type(coded, "RETREAT")  # nobody released anyone


def test_must_with_an_unlisted_verb_is_still_the_speakers_request() -> None:
    # "pay back" is in no trigger rule: the REQUEST comes from "must" alone.
    coded = code("A senior Japanese official repeated on Monday that Peru must pay back the disputed loans.")
    (request,) = of_type(coded, "REQUEST")
    assert codes(request.actors) == ["JPN"]
    assert codes(request.recipients) == ["PER"]


def test_stative_passive_subject_is_the_actor() -> None:
    coded = code("Chile is opposed to the new fishing quotas proposed by Peru, officials said on Monday.")
    (reject,) = of_type(coded, "REJECT")
    assert codes(reject.actors) == ["CHL"]


def test_that_clause_of_a_statement_noun_is_the_subjects_request() -> None:
    coded = code("Canada sent a sharp warning to Venezuela on Monday that it must release the detained activists.")
    (request,) = of_type(coded, "REQUEST")
    assert codes(request.actors) == ["CAN"]


def test_ethnic_group_is_coded_where_the_event_happens() -> None:
    coded = code("Police killed two ethnic Hungarians during clashes in Romania on Monday, officials said.")
    (assault,) = of_type(coded, "ASSAULT")
    assert codes(assault.recipients)[0] == "ROU"
    assert "HUN" not in codes(assault.recipients)


def test_passive_agent_is_the_actor() -> None:
    coded = code("The village was attacked by Serb forces on Monday, officials said.")
    (assault,) = of_type(coded, "ASSAULT")
    assert codes(assault.actors) == ["SRB"]
    assert assault.when.date == dt.date(2018, 6, 11)


def test_he_is_the_last_named_person() -> None:
    coded = code(
        "Russian President Vladimir Putin arrived in Beijing on Monday. "
        "Japanese Prime Minister Shinzo Abe spoke in Tokyo on Tuesday. "
        "He called on China to lift its tariffs."
    )
    (request,) = [e for e in of_type(coded, "REQUEST") if e.trigger == "called"]
    assert [(a.country, a.name) for a in request.actors] == [("JPN", "Shinzo Abe")]
    assert "CHN" in codes(request.recipients)


def test_agentless_violence_is_coded_to_an_unidentified_group_where_it_happened() -> None:
    coded = code("A local radio presenter was killed in a grenade blast in Karachi on Thursday.")
    (assault,) = of_type(coded, "ASSAULT")
    (actor,) = assault.actors
    assert (actor.country, actor.sector, actor.inferred) == ("PAK", "UAF", True)
    named = code("A local radio presenter was killed by Afghan agents in Karachi on Thursday.")
    (assault,) = of_type(named, "ASSAULT")
    assert [(a.country, a.inferred) for a in assault.actors] == [("AFG", False)]


def test_agentless_violence_with_no_place_has_no_actor() -> None:
    # Who attacked is unknown: the victims' own country is no guess at it.
    for text, victims in [("A blast killed three Somali fishermen on Friday.", ["SOM"]),
                          ("Two French soldiers were killed late on Friday during a patrol.", ["FRA"])]:
        (assault,) = of_type(code(text, min_confidence=0.0), "ASSAULT")
        assert assault.actors == [] and codes(assault.recipients) == victims


def test_agentless_arrests_are_the_police_of_the_place() -> None:
    (arrest,) = of_type(code("Eleven men were arrested on Sunday night in Lahore after a brawl."), "COERCE")
    assert [(a.country, a.sector, a.inferred) for a in arrest.actors] == [("PAK", "COP", True)]
    assert codes(arrest.recipients) == ["PAK"]


def test_a_thing_as_subject_is_no_agent() -> None:
    # The bombing did it, nobody named: the country where it happened, not the victims'.
    coded = code("A suicide blast near the city of Kandahar killed four Canadian soldiers on Friday, the army said.")
    (assault,) = of_type(coded, "ASSAULT")
    assert codes(assault.actors) == ["AFG"]
    assert codes(assault.recipients) == ["CAN"]


def test_relative_pronoun_acts_for_its_antecedent() -> None:
    coded = code("Colombian troops fought rebels who overran a village in northern Ecuador, Peruvian sources said.")
    (overran,) = [e for e in coded.events if e.trigger == "overran"]
    assert "PER" not in codes(overran.actors) + codes(overran.recipients)  # the reporters take no part
    assert codes(overran.actors) == ["ECU"]  # the unnamed rebels, coded where they fight


def test_quoted_as_saying_names_the_speaker() -> None:
    coded = code("President Macron of France was quoted on Monday as saying he would be ready to host a meeting between Serbia and Kosovo.")
    (agree,) = of_type(coded, "AGREE")
    assert codes(agree.actors) == ["FRA"]


def test_it_must_after_a_reminder_to_someone_is_the_one_reminded() -> None:
    coded = code("Britain issued a blunt reminder on Friday to Syria that it must cooperate fully with chemical weapons inspectors.")
    (request,) = of_type(coded, "REQUEST")
    assert codes(request.actors) == ["GBR"]
    assert codes(request.recipients) == ["SYR"]


def test_the_content_of_a_demand_is_requested_not_done() -> None:
    coded = code("Sweden renewed its demand on Friday that Turkey release the jailed journalists.")
    (request,) = of_type(coded, "REQUEST")
    assert (codes(request.actors), codes(request.recipients), request.mode) == (["SWE"], ["TUR"], "yield")
    assert not of_type(coded, "RETREAT")  # Turkey released no one


def test_acts_someone_must_do_are_not_reported_as_done() -> None:
    coded = code("Amnesty said Saudi and Emirati forces must guarantee safe passage to allow medicines to reach Hodeidah.")
    (request,) = of_type(coded, "REQUEST")
    assert set(codes(request.recipients)) == {"SAU", "ARE"}
    assert [e.event_type for e in coded.events] == ["REQUEST"]  # no CONCEDE for "allow"


def test_the_us_is_not_us() -> None:
    coded = code("Kenya's president said on Friday that the US must be ready to fund the peacekeeping mission.")
    (request,) = of_type(coded, "REQUEST")
    assert codes(request.actors) == ["KEN"] and codes(request.recipients) == ["USA"]


def test_one_country_on_both_sides() -> None:
    coded = code("Georgian opposition parties demanded on Friday that Georgian authorities release the jailed protesters.")
    (request,) = of_type(coded, "REQUEST")
    assert codes(request.actors) == ["GEO"] and codes(request.recipients) == ["GEO"]


def test_purpose_of_an_act_is_coded_with_it() -> None:
    coded = code("Azerbaijan withdrew its troops from the frontier on Friday to allow the negotiations to resume.")
    assert [e.event_type for e in coded.events] == ["RETREAT"]  # "to allow" is why, not a CONCEDE


def test_vowing_not_to_cooperate_is_a_rejection() -> None:
    refused = code("Britain has vowed not to return the Parthenon marbles to Greece.")
    assert [(e.event_type, codes(e.actors)) for e in refused.events] == [("REJECT", ["GBR"])]
    promised = code("Britain has vowed to return the Parthenon marbles to Greece.")
    assert [e.event_type for e in promised.events] == ["AGREE"]


def test_a_country_is_not_its_own_implied_target() -> None:
    coded = code("Poland had threatened on Friday to block the new budget rules.")
    (threat,) = of_type(coded, "THREATEN")
    assert codes(threat.actors) == ["POL"] and threat.recipients == []


def test_question_is_no_event() -> None:
    statement = code("Russia attacked Ukraine on Tuesday, as officials in Kyiv claimed in their statement.")
    assert of_type(statement, "ASSAULT")  # the control: the same words as a statement
    question = code("Did Russia attack Ukraine on Tuesday, as officials in Kyiv claimed in their statement?")
    assert question.events == []


FRENCH = (
    "Le ministre chinois des Affaires étrangères a appelé mardi les États-Unis à lever les sanctions contre la "
    "Corée du Nord. Selon lui, les deux pays doivent reprendre les négociations sur la dénucléarisation de la "
    "péninsule coréenne dans les plus brefs délais, car la situation reste tendue et la communauté "
    "internationale attend des progrès concrets."
)
GERMAN = (
    "Der Außenminister der Bundesrepublik hat am Dienstag in Berlin die Regierung in Moskau aufgefordert, die "
    "Sanktionen gegen die Ukraine nicht zu verschärfen. Nach Angaben seines Ministeriums sollen die Gespräche "
    "über einen Waffenstillstand in der kommenden Woche in Genf fortgesetzt werden, obwohl beide Seiten "
    "weiterhin schwere Vorwürfe gegeneinander erheben."
)
RUSSIAN = (
    "Министр иностранных дел России Сергей Лавров во вторник призвал Соединенные Штаты отменить санкции против "
    "Северной Кореи и начать переговоры. По его словам, обе страны должны как можно скорее вернуться к диалогу о "
    "денуклеаризации Корейского полуострова, поскольку ситуация остается напряженной."
)


@pytest.mark.parametrize("text", [
    pytest.param(FRENCH, id="french"),
    pytest.param(RUSSIAN, id="russian"),
    pytest.param(GERMAN, id="german"),
])  # fmt: skip
def test_non_english_text_is_e202(text: str) -> None:
    coded = code(text)
    assert coded.events == []
    assert [r.code for r in coded.rejections] == ["E202"]


def test_table_without_verbs_is_e201() -> None:
    coded = code("China | 12 | 2018\nJapan | 9 | 2018\nRussia | 7 | 2019\nIndia | 3 | 2019")
    assert coded.events == []
    assert "E201" in [r.code for r in coded.rejections]


def test_very_long_article_is_cut_with_e204() -> None:
    paragraph = "Russia attacked Ukraine on Tuesday, officials in Kyiv said. The United States called on Russia to withdraw its troops.\n"
    text = paragraph * (300_000 // len(paragraph) + 1)
    assert len(text) > 300_000
    coded = code(text)  # default max_chars (100,000)
    cut = [r for r in coded.rejections if r.code == "E204"]
    assert len(cut) == 1 and "max_chars=100,000" in cut[0].reason
    assert len(coded.article.text) <= 100_000
    assert coded.events and all(e.end_char <= len(coded.article.text) for e in coded.events)
    assert of_type(coded, "ASSAULT") and of_type(coded, "REQUEST")


STABLE = (
    "China urged the United States on Tuesday to ease sanctions on North Korea. "
    "Russia threatened to impose sanctions on Ukraine, officials in Moscow said."
)


def test_event_ids_are_stable_across_runs() -> None:
    first, second = code(STABLE), code(STABLE)
    assert first.events
    assert [e.id for e in first.events] == [e.id for e in second.events]
    assert len({e.id for e in first.events}) == len(first.events)


def _assert_evidence(coded: CodedArticle) -> None:
    for event in coded.events:
        assert event.article_id == coded.article.id
        assert coded.article.text[event.start_char : event.end_char].strip() == event.sentence, event.sentence


def test_evidence_offsets_slice_the_sentence() -> None:
    coded = code(STABLE + "\nThe village was attacked by Serb forces on Monday.")
    assert len(coded.events) >= 3
    _assert_evidence(coded)


def test_evidence_offsets_on_seeds(coded_seeds: dict[str, CodedArticle]) -> None:
    for coded in coded_seeds.values():
        assert coded.events
        _assert_evidence(coded)


def test_descriptions_and_pronouns_refer_back_to_a_named_party() -> None:
    coded = code(
        "ECOWAS leaders met in Abuja on Sunday. The bloc threatened to impose sanctions on the junta in Mali. "
        "Russia and Ukraine held talks in Istanbul on Monday. The two sides agreed to meet again next week. "
        "The Russian Foreign Ministry summoned the US ambassador on Monday. The ministry condemned the expulsion of its diplomats."
    )
    (threat,) = of_type(coded, "THREATEN")
    assert codes(threat.actors) == ["IGO"]  # the bloc is ECOWAS, not a country near it
    agreed = next(e for e in coded.events if e.trigger == "agreed")
    assert sorted(codes(agreed.actors)) == ["RUS", "UKR"]
    condemned = next(e for e in coded.events if e.trigger == "condemned")
    assert codes(condemned.actors) == ["RUS"]  # the ministry named before, not the ambassador's country


def test_it_is_the_body_named_before() -> None:
    coded = code("Human Rights Watch published a report on Monday. It accused the Egyptian police of torturing detainees.")
    accused = next(e for e in coded.events if e.trigger == "accused")
    assert codes(accused.actors) == ["NGO"] and codes(accused.recipients) == ["EGY"]


def test_a_local_outlet_gives_unplaced_parties_its_country() -> None:
    text = "the police arrested five men on sunday night after a brawl near the bus stand."
    coded = code_text(text, options=Options(min_confidence=0.0), published=PUBLISHED, outlet="The Times of India")
    (arrest,) = of_type(coded, "COERCE")
    assert [(a.country, a.sector) for a in arrest.actors] == [("IND", "COP")]
    elsewhere = code_text(text, options=Options(min_confidence=0.0), published=PUBLISHED, outlet="Reuters")
    assert all(a.country is None for e in elsewhere.events for a in e.actors)  # an international wire has no home


def test_an_outlet_the_table_lacks_is_placed_by_its_own_name() -> None:
    text = "Police arrested twelve traders on Monday."
    for outlet, home in [("The Kampala Chronicle", "UGA"), ("Daily Mirror (Colombo)", "LKA"),
                         ("Twitter; Nigerian Sentinel; Lagos Evening Star", "NGA")]:
        coded = code_text(text, options=Options(min_confidence=0.0), published=PUBLISHED, outlet=outlet)
        assert [a.country for e in of_type(coded, "COERCE") for a in e.actors] == [home], outlet
    # Wire copy in a national paper is the wire's reporting, wherever the paper is.
    copied = code_text(text, options=Options(min_confidence=0.0), published=PUBLISHED, outlet="The Kampala Chronicle (AFP)",
                       url="https://kampalachronicle.co.ug/news/1")
    assert all(a.country is None for e in copied.events for a in e.actors)


def test_the_outlets_home_yields_to_a_country_the_sentence_names() -> None:
    text = "Thousands of opposition supporters marched against the Venezuelan government on Thursday."
    coded = code_text(text, options=Options(min_confidence=0.0), published=PUBLISHED, outlet="The Times of India")
    (march,) = of_type(coded, "PROTEST")
    assert [a.country for a in march.actors] == ["VEN"]


def test_a_dateline_places_the_story() -> None:
    coded = code("KARACHI, Pakistan (AA) - Police arrested five suspects on Sunday, officials said.")
    (arrest,) = of_type(coded, "COERCE")
    assert arrest.place is not None and (arrest.place.name, arrest.place.country) == ("Karachi", "PAK")
    assert codes(arrest.actors) == ["PAK"]
    assert coded.article.text[arrest.start_char:arrest.end_char].startswith("Police arrested")  # the dateline is no part of it
    (police,) = arrest.actors
    assert coded.article.text[police.start_char:police.end_char] == police.text == "Police"


def test_an_unbracketed_agency_credit_ends_a_dateline() -> None:
    from eventcoder.extract.datelines import find_dateline

    dateline = find_dateline("PERTH, Nov 18 AAP - Police charged two men over the robbery.")
    assert dateline is not None and (dateline.place, dateline.agency) == ("Perth", "AAP")
    assert find_dateline("NEW DELHI - The cabinet met.").place == "New Delhi"  # the second word is no agency
    assert find_dateline("PERTH, Nov 18 Police - charged two men.") is None  # only a known agency is a credit
    coded = code("PERTH, Nov 18 AAP - Police arrested two men over the robbery on Sunday.")
    (arrest,) = of_type(coded, "COERCE")
    assert codes(arrest.actors) == ["AUS"]  # the credit is no party (AAP is also an Indian party's initials)
    assert arrest.place is not None and arrest.place.name == "Perth"


def test_a_press_release_dateline_is_no_subject() -> None:
    from eventcoder.extract.datelines import find_dateline

    assert find_dateline("Geneva, 12 March 2020 - The council met.").place == "Geneva"  # day first
    assert find_dateline("Smith, who left in May - the minister said.") is None  # no date, no dateline
    coded = code("London, May 4, 2019—Amnesty International condemns the closure of an independent newspaper by the Ugandan government.")
    (condemnation,) = of_type(coded, "ACCUSE")
    assert [(a.country, a.text) for a in condemnation.actors] == [("NGO", "Amnesty International")]
    assert codes(condemnation.recipients) == ["UGA"]


def test_a_country_the_sentence_names_beats_the_dateline() -> None:
    coded = code("WASHINGTON (Reuters) - Spanish lawmakers voted on Tuesday to ban the separatist party.")
    (ban,) = of_type(coded, "COERCE")
    assert codes(ban.actors) == ["ESP"] and codes(ban.recipients) == ["ESP"]  # a domestic act is Spain's, not filed from Washington's
    coded = code("KABUL (Reuters) - Gunmen killed two US soldiers on Tuesday.")
    (killing,) = of_type(coded, "ASSAULT")
    assert codes(killing.actors) == ["AFG"] and codes(killing.recipients) == ["USA"]  # the victims' country is not the attackers'


def test_a_town_the_model_tags_as_a_name_is_still_a_place() -> None:
    # The small model tags these towns ORG or PERSON; the gazetteer knows them.
    coded = code("Traders protested in Sfax on Monday against the new market fees.")
    (protest,) = of_type(coded, "PROTEST")
    assert protest.place is not None and (protest.place.name, protest.place.country) == ("Sfax", "TUN")
    assert codes(protest.actors) == ["TUN"]  # a role-only party is coded where it acts
    coded = code("Workers went on strike at Nokia on Monday.")
    assert all(e.place is None for e in coded.events)  # after "at", a firm named after a town


def test_the_lead_places_later_acts_that_name_no_place() -> None:
    coded = code("Thousands of opposition supporters marched in Dhaka on Sunday against the election result. "
                 "Riot police fired tear gas at the crowd. "
                 "The interior minister accused the opposition of planning violence. "
                 "Soldiers also arrested two organisers in Chittagong.")
    (tear_gas,) = [e for e in coded.events if e.trigger == "fired"]
    assert tear_gas.place is not None and (tear_gas.place.name, tear_gas.place.country) == ("Dhaka", "BGD")
    (accusation,) = of_type(coded, "ACCUSE")
    assert accusation.place is None  # a statement is made wherever its speaker was
    (arrest,) = [e for e in coded.events if e.trigger == "arrested"]
    assert arrest.place is not None and arrest.place.text == "Chittagong"  # a sentence's own place wins


def test_the_lead_place_is_its_most_precise() -> None:
    coded = code("Fighting spread across Syria on Friday, and a car bomb exploded in Aleppo. "
                 "Gunmen then opened fire on the wounded.")
    (shooting,) = [e for e in coded.events if e.trigger == "opened"]
    assert shooting.place is not None and (shooting.place.name, shooting.place.precision) == ("Aleppo", "city")


def test_a_headline_is_coded_with_offsets_into_the_title() -> None:
    coded = code("Russia expels two Estonian diplomats\n\nMOSCOW, May 3 (Reuters) - The foreign ministry said on Monday the decision was final.")
    headline = [e for e in coded.events if e.headline]
    assert headline and headline[0].event_type == "SANCTION"
    assert coded.article.title[headline[0].start_char:headline[0].end_char] == "Russia expels two Estonian diplomats"


def test_being_and_having_are_no_acts() -> None:
    coded = code("The province has vast copper reserves, and there is a long border with Zambia, officials said.")
    assert coded.events == []


def test_a_purpose_is_coded_with_its_act() -> None:
    coded = code("Serbia opened the border crossing on Friday to let the aid convoys through.")
    assert [e.trigger for e in coded.events] == ["opened"]  # "to let" is why the crossing opened, no act of its own


@pytest.mark.parametrize("sentence, attacker, sector", [
    ("Four people were killed in police firing on Tuesday.", "police", "COP"),
    ("Two soldiers were killed in a rebel ambush near the border.", "rebel", "REB"),
    ("Six villagers were wounded in army shelling overnight.", "army", "MIL"),
])
def test_a_passive_harm_names_its_attacker_in_the_means(sentence, attacker, sector) -> None:
    coded = code_text(sentence, options=Options(min_confidence=0.0), published=PUBLISHED, outlet="The Kampala Chronicle")
    (harm,) = of_type(coded, "ASSAULT")  # the participle "firing" is the same act, not a second one
    assert [(a.text, a.sector, a.country) for a in harm.actors] == [(attacker, sector, "UGA")]


def test_a_demonym_on_the_means_names_the_attacking_state() -> None:
    coded = code("Three farmers were killed in a Turkish drone strike on Sunday.")
    assert [a.country for e in of_type(coded, "ASSAULT") for a in e.actors] == ["TUR"]


def test_means_without_an_attacker_names_nobody() -> None:
    coded = code("Five people were injured in the firing, officials said.", min_confidence=0.0)
    assert all(not e.actors for e in of_type(coded, "ASSAULT"))


def test_a_participle_without_a_subject_is_its_clauses_event() -> None:
    coded = code("Troops attacked the village on Monday, killing five people.", min_confidence=0.0)
    assert [e.trigger for e in of_type(coded, "ASSAULT")] == ["attacked"]
