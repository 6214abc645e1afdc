"""Export stored events: PLOVER JSONL, GDELT-style TSV, flat CSV, or Parquet tables.

Reads go through ``store.queries``, so the same filters (actor, recipient, event_type,
since, until, limit) work here as in the CLI and web app. Parquet is a whole-store dump
written by the store itself (only ``store/`` speaks SQL).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from eventcoder.store import queries
from eventcoder.store.duckdb import Store

FORMATS = ("plover-jsonl", "gdelt-tsv", "csv", "parquet")

GDELT_COLUMNS = (
    "GLOBALEVENTID", "SQLDATE",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1Type1Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2Type1Code",
    "EventCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_Lat", "ActionGeo_Long",
    "SOURCEURL",
    # Not GDELT: the PLOVER type, so nothing is lost when the CAMEO root is empty.
    "PloverEventType",
)  # fmt: skip

CSV_COLUMNS = (
    "id", "date", "event_type", "mode", "quad_class", "intensity", "cameo_root",
    "actor_countries", "actor_names", "recipient_countries", "recipient_names",
    "trigger", "event_date", "date_precision", "background", "negated",
    "place_name", "place_country", "lat", "lon", "quote_speaker", "quote_text",
    "confidence", "extractor", "article_id", "start_char", "end_char",
    "url", "title", "outlet", "published", "sentence",
)  # fmt: skip


# Characters Python's str.splitlines (and some JSON Lines readers) take as line breaks but
# json.dumps(ensure_ascii=False) leaves raw; escaped, every record stays on one line.
_JSON_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
# GDELT-style TSV is read by splitting on tabs and newlines, without quoting rules: fields
# keep to one line and hold no tab.
_TSV_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _one_line(value: Any) -> Any:
    return _TSV_BREAKS.sub(" ", value) if isinstance(value, str) else value


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _blank(value: Any) -> Any:
    return "" if value is None else value


def plover_record(row: dict[str, Any]) -> dict[str, Any]:
    """One ``queries.events`` row as a PLOVER-style event object."""

    def people(actors: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {"code": a.get("country"), "sector": a.get("sector"), "name": a.get("name"), "text": a.get("text")}
            for a in actors
        ]

    location = None
    if row.get("place_name"):
        location = {"name": row["place_name"], "country": row["place_country"], "lat": row["lat"], "lon": row["lon"]}
    return {
        "id": row["id"],
        "date": _iso(row["date"]),
        "date_precision": row["date_precision"],
        "event_type": row["event_type"],
        "mode": row["mode"],
        "actor": people(row["actors"]),
        "recipient": people(row["recipients"]),
        "text": row["sentence"],
        "trigger": row["trigger"],
        "quad_class": row["quad_class"],
        "intensity": row["intensity"],
        "cameo_root": row["cameo_root"],
        "negated": row["negated"],
        "background": row["background"],
        "location": location,
        "source": {
            "article_id": row["article_id"],
            "url": row["url"],
            "outlet": row["outlet"],
            "published": _iso(row["published"]),
            "start_char": row["start_char"],
            "end_char": row["end_char"],
        },
        "confidence": row["confidence"],
        "extractor": row["extractor"],
    }


def gdelt_row(row: dict[str, Any]) -> list[Any]:
    """One ``queries.events`` row as GDELT-style columns (first actor and recipient only).

    Actor codes are ISO3 country + PLOVER sector (``CHNGOV``); GoldsteinScale carries our
    intensity; ActionGeo_CountryCode is ISO3, not GDELT's FIPS.
    """

    def actor(actors: list[dict[str, Any]]) -> list[Any]:
        if not actors:
            return ["", "", "", ""]
        a = actors[0]
        code = (a.get("country") or "") + (a.get("sector") or "")
        return [code, _one_line(a.get("name") or a.get("text") or ""), a.get("country") or "", a.get("sector") or ""]

    date = row["date"]
    root = row["cameo_root"] or ""
    return [
        row["id"],
        date.strftime("%Y%m%d") if date else "",
        *actor(row["actors"]),
        *actor(row["recipients"]),
        root,
        root[:2],
        _blank(row["quad_class"]),
        _blank(row["intensity"]),
        _one_line(_blank(row["place_name"])),
        _blank(row["place_country"]),
        _blank(row["lat"]),
        _blank(row["lon"]),
        _one_line(_blank(row["url"])),
        row["event_type"],
    ]


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """One ``queries.events`` row flattened to :data:`CSV_COLUMNS`."""
    flat = {k: _blank(_iso(row.get(k))) for k in CSV_COLUMNS}
    flat["actor_names"] = ";".join(a.get("name") or a.get("text") or "" for a in row["actors"])
    flat["recipient_names"] = ";".join(a.get("name") or a.get("text") or "" for a in row["recipients"])
    return flat


def _write_jsonl(rows: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    n = 0
    for row in rows:
        line = json.dumps(plover_record(row), ensure_ascii=False)
        for char, escape in _JSON_LINE_BREAKS.items():
            line = line.replace(char, escape)
        fh.write(line + "\n")
        n += 1
    return n


def _write_tsv(rows: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    writer = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(GDELT_COLUMNS)
    n = 0
    for row in rows:
        writer.writerow(gdelt_row(row))
        n += 1
    return n


def _write_csv(rows: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow(csv_row(row))
        n += 1
    return n


_WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], IO[str]], int]] = {
    "plover-jsonl": _write_jsonl,
    "gdelt-tsv": _write_tsv,
    "csv": _write_csv,
}


def export(store: Store, fmt: str, out_path: str | Path, **filters: Any) -> int:
    """Write the store's events to ``out_path`` in format ``fmt``; return the rows written.

    ``fmt`` is one of :data:`FORMATS`. For ``plover-jsonl``, ``gdelt-tsv`` and ``csv``,
    ``filters`` are those of :func:`eventcoder.store.queries.events` and the count is of
    events. ``parquet`` writes ``out_path`` as a directory holding ``articles``, ``events``,
    ``event_actors`` and ``failures`` ``.parquet`` files, takes no filters, and returns
    the number of events.
    """
    if fmt == "parquet":
        given = {k: v for k, v in filters.items() if v is not None}
        if given:
            raise ValueError(f"parquet export writes whole tables and takes no filters (got {sorted(given)})")
        store.export_parquet(out_path)
        return store.counts()["events"]
    if fmt not in _WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rows = queries.events(store, **filters)
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # newline="" so the csv module controls line endings on every platform.
    with path.open("w", encoding="utf-8", newline="") as fh:
        return _WRITERS[fmt](rows, fh)
