"""Gold files: sentence records (the PLOVER GSR shape) and article folders.

**Sentence files** are a JSON list of records: ``id``, ``event`` (a PLOVER type in current or
PLOVER 0.5 naming, or ``NONE``), ``mode``, ``text``, ``date`` (publication date), ``source``
and ``target`` (lists of ``{actorText, code, sector}``, a bare code, or missing), and
optionally ``outlet``, ``url``, ``implicit_source`` (a party the sentence leaves unnamed,
e.g. the police of a local crime report) and ``actors_coded: false`` (type-only sets).
Records without text and the GSR's DOCUMENT record are skipped and counted.

**Article folders** hold ``NAME.txt`` (the article; its first line is the headline) beside
``NAME.expected.json``: ``{"metadata": {date, outlet, ...}, "events": [{event, mode,
source_codes, target_codes, sentence_start, sentence_offset?, minor?, in_headline?, date,
date_precision?, date_basis?, place?}]}``. A folder lists either every event (``minor``
present: re-mentions marked) or only each article's main events.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventcoder.errors import E106_BAD_RECORD, InputError
from eventcoder.extract.actors import normalize_code
from eventcoder.ontology.plover import current_name, load_ontology

from .scoring import NONE

__all__ = ["GoldArticle", "GoldEvent", "GoldRecord", "is_article_folder", "load_articles", "load_sentences"]

KNOWN_TYPES = frozenset(load_ontology()) | {NONE}
# A bare-string actor counts only when it looks like a code ("USA"), not a note ("diplomatic").
_CODE = re.compile(r"^[A-Z]{2,5}$")


def _codes(value: Any) -> tuple[str, ...]:
    """Normalized, de-duplicated actor codes from a source/target field of any shape."""
    items = value if isinstance(value, list) else [value]
    codes: list[str] = []
    for item in items:
        if isinstance(item, dict):
            raw = item.get("code")
        elif isinstance(item, str) and _CODE.match(item.strip()):
            raw = item.strip()
        else:
            raw = None
        code = normalize_code(raw.strip()) if isinstance(raw, str) and raw.strip() else None
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read gold file: {exc}", code=E106_BAD_RECORD, source=str(path)) from None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class GoldRecord:
    """One usable sentence record, its type crosswalked and its codes normalized."""

    id: str
    event_type: str  # a PLOVER type, or NONE
    gold_name: str
    mode: str | None
    text: str
    published: dt.date | None
    source_codes: tuple[str, ...]
    target_codes: tuple[str, ...]
    implicit_source_codes: tuple[str, ...] = ()
    outlet: str | None = None
    url: str | None = None
    actors_coded: bool = True

    @property
    def reciprocal(self) -> bool:
        """Every participant listed as source, no target: a talk, a clash, a joint act."""
        return len(self.source_codes) > 1 and not self.target_codes


def load_sentences(path: Path) -> tuple[list[GoldRecord], int]:
    """Read a sentence file: (usable records, number skipped). Skipped: no text, DOCUMENT
    records, and types that are not PLOVER (or NONE) even after the PLOVER 0.5 crosswalk."""
    rows = _json(Path(path))
    if not isinstance(rows, list):
        raise InputError("a sentence gold file is a JSON list of records", code=E106_BAD_RECORD, source=str(path))
    records: list[GoldRecord] = []
    skipped = 0
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            skipped += 1
            continue
        text = (row.get("text") or "").strip()
        name = str(row.get("event") or "").strip().upper()
        event_type, mode = current_name(name) if name else ("", None)
        if not text or event_type not in KNOWN_TYPES:
            skipped += 1
            continue
        records.append(GoldRecord(
            id=str(row.get("id") or f"record-{i}"),
            event_type=event_type,
            gold_name=name,
            mode=mode or (row.get("mode") or None),
            text=text,
            published=_date(row.get("date")),
            source_codes=_codes(row.get("source")),
            target_codes=_codes(row.get("target")),
            implicit_source_codes=_codes(row.get("implicit_source")),
            outlet=row.get("outlet") or None,
            url=row.get("url") if str(row.get("url") or "").startswith(("http://", "https://")) else None,
            actors_coded=row.get("actors_coded", True) is not False,
        ))
    return records, skipped


@dataclass(frozen=True)
class GoldEvent:
    """One event of a gold article."""

    event_type: str
    mode: str | None
    source_codes: tuple[str, ...]
    target_codes: tuple[str, ...]
    sentence_start: str
    sentence_offset: int | None
    minor: bool
    in_headline: bool
    date: dt.date | None
    date_precision: str | None
    date_basis: str | None
    place_name: str | None
    place_country: str | None

    @property
    def reciprocal(self) -> bool:
        return len(self.source_codes) > 1 and not self.target_codes


@dataclass(frozen=True)
class GoldArticle:
    """A gold article: its raw text, publication metadata and gold events."""

    id: str
    path: Path
    raw_text: str
    published: dt.date | None
    outlet: str | None
    events: tuple[GoldEvent, ...]
    complete: bool  # every event listed (re-mentions marked minor), not only the main ones


def _gold_event(row: dict[str, Any]) -> GoldEvent:
    event_type, mode = current_name(str(row.get("event") or ""))
    place = row.get("place") if isinstance(row.get("place"), dict) else {}
    return GoldEvent(
        event_type=event_type,
        mode=mode or row.get("mode") or None,
        source_codes=_codes(row.get("source_codes") or []),
        target_codes=_codes(row.get("target_codes") or []),
        sentence_start=str(row.get("sentence_start") or ""),
        sentence_offset=row.get("sentence_offset") if isinstance(row.get("sentence_offset"), int) else None,
        minor=bool(row.get("minor", False)),
        in_headline=bool(row.get("in_headline", False)),
        date=_date(row.get("date")) if row.get("date") else None,
        date_precision=row.get("date_precision"),
        date_basis=row.get("date_basis"),
        place_name=place.get("name"),
        place_country=normalize_code(place.get("country")) if place.get("country") else None,
    )


def is_article_folder(path: Path) -> bool:
    """A folder with at least one ``*.expected.json`` beside its ``.txt``."""
    path = Path(path)
    return path.is_dir() and any(p.with_name(p.name[: -len(".expected.json")] + ".txt").exists()
                                 for p in path.glob("*.expected.json"))


def load_articles(folder: Path) -> list[GoldArticle]:
    """Every ``NAME.txt`` + ``NAME.expected.json`` pair of ``folder``, by name."""
    articles = []
    for expected in sorted(Path(folder).glob("*.expected.json")):
        name = expected.name[: -len(".expected.json")]
        text_path = expected.with_name(name + ".txt")
        if not text_path.exists():
            continue
        data = _json(expected)
        if not isinstance(data, dict):
            raise InputError("an expected-events file is a JSON object with metadata and events", code=E106_BAD_RECORD, source=str(expected))
        meta = data.get("metadata") or {}
        rows = [row for row in data.get("events") or [] if isinstance(row, dict)]
        articles.append(GoldArticle(
            id=str(meta.get("id") or name),
            path=text_path,
            raw_text=text_path.read_text(encoding="utf-8"),
            published=_date(meta.get("date")) if meta.get("date") else None,
            outlet=meta.get("outlet") or None,
            events=tuple(_gold_event(row) for row in rows),
            complete=any("minor" in row for row in rows),
        ))
    return articles
