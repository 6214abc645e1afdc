"""Country and actor codes as tables: which codes exist, their names, and GDELT's FIPS codes.

Actors are coded with ISO 3166-1 alpha-3 countries (``data/countries.tsv``) or the CAMEO-style
codes of international and non-state bodies (``data/igos.tsv``: UNO, NATO, IGO, NGO ...).
GDELT 2.0 writes a place's country in FIPS 10-4 instead (China is CH, Germany GM, the United
Kingdom UK), so ``fips.tsv`` beside this module maps the two (one row per FIPS code; ISO's
PSE has two, WE for the West Bank first, then GZ for Gaza).
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

FIPS_PATH = Path(__file__).with_name("fips.tsv")
CODE_SHAPE = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")


def _data_rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("eventcoder").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t"))


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """{ISO3 code: English short name} for every country the actor dictionary knows."""
    return {row["code"]: row["name"] for row in _data_rows("countries.tsv")}


@lru_cache(maxsize=1)
def body_names() -> dict[str, str]:
    """{code: name} of international and non-state bodies (UNO: United Nations, ...): the
    first name the dictionary gives each code; the generic codes IGO and NGO, which the
    dictionary gives to many bodies (the Red Cross is an NGO), are named as kinds."""
    names: dict[str, str] = {}
    for row in _data_rows("igos.tsv"):
        names.setdefault(row["code"], row["name"])
    names.update({"IGO": "International organisation", "NGO": "Non-governmental organisation"})
    return names


def actor_codes() -> set[str]:
    """Every code an actor or recipient can carry: ISO3 countries and body codes."""
    return set(country_names()) | set(body_names())


def code_name(code: str | None) -> str | None:
    """The name of a country or body code (``CHN``: China, ``UNO``: United Nations)."""
    if not code:
        return None
    return country_names().get(code) or body_names().get(code)


@lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in _data_rows("countries.tsv"):
        for name in [row["name"], *row["aliases"].split("|"), *row["demonyms"].split("|")]:
            if name.strip():
                index.setdefault(name.strip().lower(), row["code"])
    for row in _data_rows("igos.tsv"):
        for name in [row["name"], *row["aliases"].split("|"), row["acronym"]]:
            if name.strip():
                index.setdefault(name.strip().lower(), row["code"])
    return index


def code_for_name(name: str) -> str | None:
    """The code of a country or body named in words ("China": CHN, "Russian": RUS), or None."""
    return _name_index().get(name.strip().lower())


@lru_cache(maxsize=1)
def _fips_rows() -> list[tuple[str, str]]:
    with open(FIPS_PATH, newline="", encoding="utf-8") as handle:
        return [(row["fips"], row["iso3"]) for row in csv.DictReader(handle, delimiter="\t")]


@lru_cache(maxsize=1)
def _fips_by_iso3() -> dict[str, str]:
    by_iso: dict[str, str] = {}
    for fips, iso in _fips_rows():
        by_iso.setdefault(iso, fips)  # the first row of an ISO code is its FIPS code (PSE: WE)
    return by_iso


def iso3_to_fips(iso3: str | None) -> str | None:
    """GDELT's FIPS 10-4 country code for an ISO3 code (CHN: CH, DEU: GM), or None."""
    return _fips_by_iso3().get(iso3) if iso3 else None


def fips_to_iso3(fips: str | None) -> str | None:
    """The ISO3 code of a FIPS 10-4 country code (CH: CHN, GZ: PSE), or None."""
    return dict(_fips_rows()).get(fips) if fips else None
