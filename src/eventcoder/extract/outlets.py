"""News outlets and their home countries, from ``data/outlets.tsv``.

An article's outlet says where a local report comes from ("police arrested two men" in the
Times of India is most likely in India), so the lead engineer's article context can fall back
on it when a sentence names no country. International wires (Reuters, AP, AFP) have no home
country: their ``country`` column is empty and they map to None.

An outlet the table lacks often says where it is from in its own name, as feeds and event
datasets write them: "Nigerian Tribune", "Tanzania Daily News", "The Herald (Harare)", a
source list "Daily Post (Nigeria); Twitter", or a country-code domain "thestar.co.ke". Those are
read too (:func:`country_in_outlet_name`).

Public API: :func:`load_outlets` (``{normalized name, alias or domain: ISO3 code or None}``)
and :func:`outlet_country` (one name looked up, None when unknown or international).
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from importlib import resources

import pycountry

from eventcoder.extract.actors import NON_STATE_CODES, load_actor_dictionary, normalize_term

__all__ = ["country_in_outlet_name", "is_credited_copy", "load_outlets", "news_agency_names", "normalize_outlet", "outlet_country"]


def normalize_outlet(name: str) -> str:
    """The lookup key of an outlet name or domain: case-, accent- and "the"-insensitive;
    a domain loses its scheme and "www." ("https://www.dawn.com/" -> "dawn.com")."""
    text = name.strip()
    for prefix in ("https://", "http://"):
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
    text = text.rstrip("/")
    if text.lower().startswith("www."):
        text = text[4:]
    return normalize_term(text)


@functools.lru_cache(maxsize=1)
def _outlet_rows() -> tuple[tuple[dict[str, str], tuple[str, ...]], ...]:
    """Each row of ``data/outlets.tsv`` with its terms: the name and every alias or domain."""
    text = resources.files("eventcoder.data").joinpath("outlets.tsv").read_text(encoding="utf-8")
    rows = []
    for row in csv.DictReader(text.splitlines(), delimiter="\t"):
        terms = [row["name"], *(row["aliases"] or "").split("|")]
        rows.append((row, tuple(t.strip() for t in terms if t.strip())))
    return tuple(rows)


@functools.lru_cache(maxsize=1)
def load_outlets() -> dict[str, str | None]:
    """Every outlet name, alias and domain, normalized, mapped to its home country's ISO3 code,
    or to None for an international outlet (Reuters, AP, AFP)."""
    table: dict[str, str | None] = {}
    for row, terms in _outlet_rows():
        country = row["country"].strip() or None
        for term in terms:
            table.setdefault(normalize_outlet(term), country)
    return table


@functools.lru_cache(maxsize=1)
def news_agency_names() -> frozenset[str]:
    """The names and aliases (not domains) of the wires and news agencies, as written: the
    credits that end a dateline without brackets ("SYDNEY, Nov 18 AAP -")."""
    return frozenset(t for row, terms in _outlet_rows() if row["kind"] in ("wire", "agency") for t in terms if "." not in t)


# Dictionary kinds whose mention in an outlet's name says where the outlet is ("The Kenya
# Times", "Nigerian Tribune", "Tehran Times", "Punjab Kesari"); a group or person does not.
_HOME_KINDS = frozenset({"country", "capital", "demonym", "province"})
# Languages spoken far beyond one state: "VOA Learning English", "Xinhua French" say nothing
# of where the outlet is.
_WORLD_LANGUAGES = frozenset({"English", "French", "Spanish", "Portuguese", "Arabic"})
# Country-code domains that are sold as generic names ("bit.ly", "news.io", "radio.fm"): their
# code says nothing of where the site is.
_GENERIC_CCTLDS = frozenset("ai cc co fm gg io ly me nu tk to tv ws".split())
_WIRE_NOTES = frozenset({"wire", "wires", "agency", "agencies", "wire services"})
_SOURCE_SEPARATOR = re.compile(r"\s*;\s*")
_TRAILING_NOTE = re.compile(r"^(?P<name>.*?)\s*\((?P<note>[^()]+)\)\s*$")
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_MAX_NAME_WORDS = 3


@functools.lru_cache(maxsize=4096)  # a feed repeats a few outlets over millions of articles
def outlet_country(name: str | None) -> str | None:
    """The home country of the outlet called ``name`` (a name, alias or domain), or None when
    the outlet is international or unknown. A list of sources ("A; B; C") is at home where
    its national sources agree; a name the table lacks is read by
    :func:`country_in_outlet_name`."""
    if not name or not name.strip():
        return None
    parts = [p for p in _SOURCE_SEPARATOR.split(name.strip()) if p]
    if len(parts) > 1:
        homes = Counter(c for p in parts if (c := _single_outlet_country(p)))
        ranked = homes.most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None  # no national source, or as many for one country as for another
        return ranked[0][0]
    return _single_outlet_country(parts[0])


def _single_outlet_country(name: str) -> str | None:
    table = load_outlets()
    key = normalize_outlet(name)
    if key in table:
        return table[key]  # None for an international wire: its name says nothing of a home
    return country_in_outlet_name(name)


def country_in_outlet_name(name: str) -> str | None:
    """The country an outlet's own name places it in: a note in brackets ("Vanguard (Lagos)",
    "The Star (Kenya)"), a country-code domain ("nation.co.ke"), or a country, demonym, capital
    or province in the name ("Nigerian Tribune", "Tehran Times"). None when the name names no
    state, or names two."""
    name = name.strip()
    table = load_outlets()
    if (bracketed := _TRAILING_NOTE.match(name)) is not None:
        base, note = bracketed["name"], bracketed["note"]
        if _is_credit(note):
            # Copy credited to an agency ("Dawn (AFP)", "The Star (wire)") is the agency's
            # reporting: at the outlet's home only when the agency is at home there too.
            home = _single_outlet_country(base)
            return home if home is not None and table.get(normalize_outlet(note)) == home else None
        # Any other note that is a place is the home ("The Guardian (Lagos)" is not London's).
        if (home := _home_named_in(note)) is not None:
            return home
        from eventcoder.extract.places import load_gazetteer  # places imports this module's users

        hit = load_gazetteer().lookup(note, ())
        if hit is not None and hit.country:
            return hit.country
        name = base
    # An edition: "Xinhua - French", "BBC - Arabic" is its outlet's, whatever the language.
    edition_of = name.rsplit(" - ", 1)[0] if " - " in name else None
    for key in (normalize_outlet(name), normalize_outlet(edition_of) if edition_of else None):
        if key and key in table:
            return table[key]
    if "." in name and " " not in name:
        return _country_of_domain(name)
    return _home_named_in(name)


def _is_credit(note: str) -> bool:
    """Whether a bracketed note credits the copy to someone else: a known outlet ("AFP"), an
    acronym (agencies go by theirs), or "wire"."""
    return normalize_outlet(note) in load_outlets() or note.isupper() or note.lower() in _WIRE_NOTES


def is_credited_copy(name: str | None) -> bool:
    """Whether an outlet name credits its copy to an agency ("The Nation (AFP)"): then its
    web address says no more of where the story is than its name does."""
    return bool(name) and any((m := _TRAILING_NOTE.match(p)) is not None and _is_credit(m["note"])
                              for p in _SOURCE_SEPARATOR.split(name.strip()))


def _home_named_in(text: str) -> str | None:
    """The one state a short text's words name (longest phrases first), or None."""
    words = _WORD.findall(text)
    dictionary = load_actor_dictionary()
    found: set[str] = set()
    i = 0
    while i < len(words):
        for size in range(min(_MAX_NAME_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + size])
            # A one-letter or lower-case word is not a name ("the", "e" of "e-news"), and a
            # "New" place the dictionary lacks is not the old one ("New Jersey" is not Jersey).
            if size == 1 and (len(phrase) < 3 or not phrase[0].isupper() or phrase in _WORLD_LANGUAGES
                              or (i and words[i - 1] == "New")):
                continue
            codes = {e.code for e in dictionary.lookup(phrase)
                     if e.kind in _HOME_KINDS and e.code and e.code not in NON_STATE_CODES}
            if codes:
                found |= codes
                i += size
                break
        else:
            i += 1
    return found.pop() if len(found) == 1 else None


def _country_of_domain(domain: str) -> str | None:
    """The state of a country-code domain ("dawn.com.pk", "thestar.co.ke"), or None."""
    suffix = domain.lower().rstrip(".").rsplit(".", 1)[-1]
    if len(suffix) != 2 or suffix in _GENERIC_CCTLDS:
        return None
    country = pycountry.countries.get(alpha_2="GB" if suffix == "uk" else suffix.upper())
    return country.alpha_3 if country is not None else None
