"""News outlets and their home countries, from ``data/outlets.tsv``.

An article's outlet says where a local report comes from ("police arrested two men" in the
Times of India is most likely in India), so the lead engineer's article context can fall back
on it when a sentence names no country. International wires (Reuters, AP, AFP) have no home
country: their ``country`` column is empty and they map to None.

Public API: :func:`load_outlets` (``{normalized name, alias or domain: ISO3 code or None}``)
and :func:`outlet_country` (one name looked up, None when unknown or international).
"""

from __future__ import annotations

import csv
import functools
from importlib import resources

from eventcoder.extract.actors import normalize_term

__all__ = ["load_outlets", "news_agency_names", "normalize_outlet", "outlet_country"]


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


def outlet_country(name: str | None) -> str | None:
    """The home country of the outlet called ``name`` (a name, alias or domain), or None when
    the outlet is international or not in the table."""
    if not name:
        return None
    return load_outlets().get(normalize_outlet(name))
