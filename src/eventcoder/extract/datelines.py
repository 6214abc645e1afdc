"""Datelines: the "ISTANBUL, May 14 (Reuters) -" that opens wire copy.

A dateline says where the story was filed, not who did anything, so it must not be parsed as
part of the first sentence (where the parser makes it the subject: "ISTANBUL ... fired tear
gas"). :func:`find_dateline` recognises it; the coder blanks it out before parsing (offsets
stay those of the stored text) and keeps its place as the article's place, the first guess
for where an event happened and for the country of parties named only by role.

Shapes recognised, at the very start of the text (after a headline line, if any):

* ``CITY, Month D (Agency) -`` / ``CITY, Region (Agency) -`` / ``CITY (Agency) -`` /
  ``CITY, Month D -`` / ``CITY -`` / ``CITY:``, the city in capitals ("NEW DELHI:");
* ``CITY, Month D AGENCY -`` with the credit unbracketed, as Australian Associated Press
  writes it ("SYDNEY, Nov 18 AAP -"), only when the credit is a wire or news agency of
  ``data/outlets.tsv``: otherwise it would be read as a party of the first sentence;
* ``City - `` and ``City, Country (Agency) —`` in title case, only with a dash and a capital
  letter after it ("Luanda - Angola's president ..."), or with an agency in brackets;
* ``City, Month D, YYYY—`` in title case, as press releases open ("Geneva, 12 March 2020 -"):
  a date before the dash says it is a dateline. Dates may be written day first anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eventcoder.extract.outlets import news_agency_names

__all__ = ["Dateline", "find_dateline"]

_MONTH_NAME = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# "May 14", "Sept. 30, 2009", and day first as press releases write it: "12 March 2020".
_MONTH = rf"(?:{_MONTH_NAME}\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+{_MONTH_NAME}(?:\s+\d{{4}})?)"
_CAPS = r"[A-Z][A-Z'’.\-]+(?:\s+[A-Z][A-Z'’.\-]+){0,3}"
_TITLE = r"[A-Z][a-zà-ÿ'’.\-]+(?:\s+[A-Z][a-zà-ÿ'’.\-]+){0,2}"
_REGION = r"[A-Z][A-Za-zà-ÿ'’.\-]+(?:\s+[A-Z][A-Za-zà-ÿ'’.\-]+){0,2}"
_AGENCY = r"\((?P<agency>[^()\n]{1,40})\)"
_DASH = r"(?:-{1,2}|–|—)"

_PATTERNS = (
    # SYDNEY, Nov 18 AAP - / CANBERRA AAP - (the credit checked against the agency table)
    re.compile(rf"^(?P<place>{_CAPS}?)(?:,\s*(?P<region>{_REGION}))?(?:,?\s*(?P<date>{_MONTH}))?\s+(?P<bare_agency>[A-Z][A-Za-z\-]{{1,20}})\s*{_DASH}\s+(?=\S)"),
    # NEW DELHI: / MUMBAI: / SEOUL, March 17 - / KARACHI, Pakistan (AA) - / WASHINGTON (Reuters) -
    re.compile(rf"^(?P<place>{_CAPS})(?:,\s*(?P<region>{_REGION}))?(?:,?\s*(?P<date>{_MONTH}))?\s*(?:{_AGENCY})?\s*(?:{_DASH}|:)\s+(?=\S)"),
    # Mesetas, Colombia (AP) - / Luanda - Angola's ...
    re.compile(rf"^(?P<place>{_TITLE})(?:,\s*(?P<region>{_REGION}))?(?:,?\s*(?P<date>{_MONTH}))?\s*{_AGENCY}\s*(?:{_DASH}|:)\s+(?=\S)"),
    re.compile(rf"^(?P<place>{_TITLE})\s+{_DASH}\s+(?=[A-Z“\"])"),
    # New York, September 30, 2009—The committee ... / Geneva, 12 March 2020 - (press releases)
    re.compile(rf"^(?P<place>{_TITLE})(?:,\s*(?P<region>{_REGION}))?,\s*(?P<date>{_MONTH})\s*{_DASH}\s*(?=[A-Z“\"])"),
)
# Capitalised words that open sentences, not datelines ("UPDATE -", "BREAKING:").
_NOT_PLACES = frozenset({"UPDATE", "BREAKING", "EXCLUSIVE", "ANALYSIS", "OPINION", "EDITORIAL", "WATCH", "VIDEO",
                         "PHOTOS", "LIVE", "FACTBOX", "TIMELINE", "Q", "A", "NOTE", "UPDATED", "CORRECTED", "URGENT"})


@dataclass(frozen=True)
class Dateline:
    """A dateline's place ("Istanbul"), its region or country when given ("Pakistan"), its
    agency, and where it lies in the text (``start``, ``end``: the whole prefix)."""

    place: str
    region: str | None
    agency: str | None
    start: int
    end: int


def _title_case(word: str) -> str:
    return " ".join(part.capitalize() if part.isupper() else part for part in word.split())


def find_dateline(text: str) -> Dateline | None:
    """The dateline at the start of the article's first paragraph, or None."""
    start = 0
    first_break = text.find("\n")
    # A short first line is a headline; the dateline opens the paragraph after it.
    candidates = [0]
    if 0 < first_break < 200:
        candidates.append(len(text) - len(text[first_break:].lstrip()))
    for start in candidates:
        head = text[start:start + 160]
        for pattern in _PATTERNS:
            match = pattern.match(head)
            if match is None:
                continue
            place = match.group("place").strip(" .")
            if place.upper() in _NOT_PLACES or len(place) < 3:
                continue
            bare_agency = match.groupdict().get("bare_agency")
            if bare_agency and bare_agency not in news_agency_names():
                continue  # "NEW DELHI -": the second word is part of the place
            region = match.groupdict().get("region")
            return Dateline(
                place=_title_case(place),
                region=region.strip() if region else None,
                agency=match.groupdict().get("agency") or bare_agency,
                start=start,
                end=start + match.end(),
            )
    return None
