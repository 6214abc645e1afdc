"""Export stored events: PLOVER JSONL, GDELT-style TSV, flat CSV, or Parquet tables.

Field names are the ones users know: PLOVER's JSON field names for ``plover-jsonl``
(validated by the JSON Schema shipped as ``ontology/plover_event.schema.json``) and GDELT
2.0's event columns for ``gdelt-tsv``; docs/EXPORTS.md maps every field.

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
from importlib import resources
from pathlib import Path
from typing import IO, Any

from eventcoder.store import queries
from eventcoder.store.duckdb import Store

FORMATS = ("plover-jsonl", "gdelt-tsv", "csv", "parquet")
PLOVER_SCHEMA = "plover_event.schema.json"  # shipped in eventcoder/ontology/

# The GDELT 2.0 event table's 61 columns, in GDELT's order, then ours (named apart, after
# them, so tools that read GDELT's columns by position still line up).
GDELT_EVENT_COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *(f"Actor{n}{f}" for n in (1, 2) for f in (
        "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
        "Religion2Code", "Type1Code", "Type2Code", "Type3Code",
    )),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *(f"{who}Geo_{f}" for who in ("Actor1", "Actor2", "Action") for f in (
        "Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID",
    )),
    "DATEADDED", "SOURCEURL",
)  # fmt: skip
EXTRA_GDELT_COLUMNS = ("PloverEventType", "PloverMode", "EventcoderEventID", "ClusterID")
GDELT_COLUMNS = GDELT_EVENT_COLUMNS + EXTRA_GDELT_COLUMNS
_GDELT_INTS = {
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "IsRootEvent", "QuadClass", "NumMentions",
    "NumSources", "NumArticles", "Actor1Geo_Type", "Actor2Geo_Type", "ActionGeo_Type", "DATEADDED",
}  # fmt: skip
_GDELT_FLOATS = {"FractionDate", "GoldsteinScale", "AvgTone", *(f"{w}Geo_{f}" for w in ("Actor1", "Actor2", "Action") for f in ("Lat", "Long"))}
GDELT_TYPES: dict[str, type] = {c: int if c in _GDELT_INTS else float if c in _GDELT_FLOATS else str for c in GDELT_COLUMNS}
# GDELT's geographic resolution codes: 1 country, 4 world city, 5 world state (ADM1).
_GEO_TYPE = {"country": 1, "city": 4, "admin": 5}

CSV_COLUMNS = (
    "id", "date", "event_type", "mode", "quad_class", "intensity", "cameo_root",
    "actor_countries", "actor_names", "recipient_countries", "recipient_names",
    "trigger", "event_date", "date_precision", "background", "negated",
    "place_name", "place_country", "lat", "lon", "quote_speaker", "quote_text",
    "confidence", "extractor", "article_id", "start_char", "end_char",
    "url", "title", "outlet", "published", "sentence",
    "cluster_id", "num_mentions", "num_sources", "num_articles",
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


def plover_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every ``plover-jsonl`` record satisfies."""
    text = resources.files("eventcoder.ontology").joinpath(PLOVER_SCHEMA).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def plover_record(row: dict[str, Any]) -> dict[str, Any]:
    """One ``queries.events`` row as a PLOVER JSON event record.

    Field names are those of the PLOVER specification's "JSON Data Fields" (draft 0.7b1):
    ``id``, ``date``, ``source``/``recipient`` (lists of actor objects with ``code``,
    ``sector``, ``actor_text``, ``identifier_text``), ``event`` (a list of categories),
    ``mode``, ``event_loc`` (geonames-style ``name``, ``latitude``, ``longitude``, ``cc3``),
    ``event_text``, ``quad_code``, ``event_scale``, ``link`` (the event's cluster),
    ``text_info`` (``start``/``end`` offsets), ``cite_info`` (``url``, ``title``,
    ``publication``, ``citation``, ``coder``, ``codebook``), ``coder`` and ``coded_date``.
    Fields the spec lacks follow, with their own names (docs/EXPORTS.md lists them all).
    """

    def actors(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            # An inferred party has no words of its own (``inferred_roles`` says which).
            {"code": a.get("country"), "sector": a.get("sector"), "actor_text": None if a.get("inferred") else a.get("text"),
             "identifier_text": a.get("name")}
            for a in people
        ]

    event_loc = None
    if row.get("place_name"):
        event_loc = {"name": row["place_name"], "latitude": row["lat"], "longitude": row["lon"], "cc3": row["place_country"]}
    coded_at = row.get("coded_at")
    coder = f"eventcoder {eventcoder_version()}"
    return {
        "id": row["id"],
        "date": _iso(row["date"]),
        "source": actors(row["actors"]),
        "recipient": actors(row["recipients"]),
        "event": [row["event_type"]],
        "mode": row["mode"],
        "event_loc": event_loc,
        "event_text": [row["sentence"]] if row.get("sentence") else [],
        "quad_code": row["quad_class"],
        "event_scale": row["intensity"],
        "link": row.get("cluster_id"),
        "text_info": {"start": row["start_char"], "end": row["end_char"]},
        "cite_info": {
            "url": row["url"], "title": row["title"], "publication": row["outlet"],
            "citation": row["article_id"], "coder": coder, "codebook": "plover",
        },  # fmt: skip
        "coder": f"{coder} ({row['extractor']})" if row.get("extractor") else coder,
        "coded_date": coded_at.date().isoformat() if isinstance(coded_at, dt.datetime) else None,
        # Not in the PLOVER spec: ours, named apart.
        "date_precision": row["date_precision"],
        "published": _iso(row["published"]),
        "article_id": row["article_id"],
        "trigger": row["trigger"],
        "cameo_root": row["cameo_root"],
        "negated": row["negated"],
        "background": row["background"],
        "confidence": row["confidence"],
        "num_mentions": row.get("num_mentions"),
        "num_sources": row.get("num_sources"),
        "num_articles": row.get("num_articles"),
        "inferred_roles": [role for role, key in (("source", "actors"), ("recipient", "recipients"))
                           if any(a.get("inferred") for a in row[key])],
    }


def eventcoder_version() -> str:
    """The installed eventcoder version (for ``coder`` fields)."""
    from eventcoder import __version__

    return __version__


def gdelt_event_id(hex_id: str) -> int:
    """A GDELT-style integer GLOBALEVENTID from a hex content-hash id (first 60 bits, so it
    fits a signed 64-bit column); the hex id itself goes in EventcoderEventID/ClusterID."""
    return int(hex_id.lstrip("c")[:15], 16)


def gdelt_row(row: dict[str, Any], *, per_cluster: bool = False) -> list[Any]:
    """One ``queries.events`` row (or ``queries.clusters`` row, with ``per_cluster``) as the
    values of :data:`GDELT_COLUMNS` (first actor and recipient only).

    Actor codes are ISO3 country + PLOVER sector (``CHNGOV``); GoldsteinScale carries our
    intensity; ActionGeo_CountryCode is ISO3, not GDELT's FIPS. A cluster row counts its
    mentions, outlets and articles; a per-event row is one mention of one article.
    """

    def actor(actors: list[dict[str, Any]]) -> list[Any]:
        if not actors:
            return [""] * 10
        a = actors[0]
        code = (a.get("country") or "") + (a.get("sector") or "")
        name = _one_line(_label(a))
        return [code, name, a.get("country") or "", "", "", "", "", a.get("sector") or "", "", ""]

    date: dt.date | None = row["date"]
    root = row["cameo_root"] or ""
    cluster = row.get("cluster_id")
    if per_cluster:
        counts = [row["num_mentions"], row["num_sources"], row["num_articles"]]
        global_id = gdelt_event_id(cluster)
    else:
        counts = [1, 1, 1]
        global_id = gdelt_event_id(row["id"])
    dated = [date.strftime("%Y%m%d"), date.strftime("%Y%m"), date.year,
             round(date.year + (date.timetuple().tm_yday - 1) / 365, 4)] if date else ["", "", "", ""]  # fmt: skip
    coded_at = row.get("coded_at")
    no_geo = [""] * 8
    action_geo = no_geo
    if row.get("place_name"):
        action_geo = [
            _GEO_TYPE.get(row.get("place_precision") or "", ""), _one_line(row["place_name"]), _blank(row["place_country"]),
            "", "", _blank(row["lat"]), _blank(row["lon"]), "",
        ]  # fmt: skip
    return [
        global_id, *dated,
        *actor(row["actors"]), *actor(row["recipients"]),
        "",  # IsRootEvent: not computed
        root, root, root[:2], _blank(row["quad_class"]), _blank(row["intensity"]),
        *counts, "",  # AvgTone: no tone model
        *no_geo, *no_geo, *action_geo,
        coded_at.strftime("%Y%m%d%H%M%S") if isinstance(coded_at, dt.datetime) else "",
        _one_line(_blank(row["url"])),
        row["event_type"], _one_line(_blank(row["mode"])), row["id"], _blank(cluster),
    ]  # fmt: skip


def _label(actor: dict[str, Any]) -> str:
    """A party's name, else its words; an inferred party has neither."""
    return actor.get("name") or ("" if actor.get("inferred") else actor.get("text") or "")


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """One ``queries.events`` row flattened to :data:`CSV_COLUMNS`."""
    flat = {k: _blank(_iso(row.get(k))) for k in CSV_COLUMNS}
    flat["actor_names"] = ";".join(_label(a) for a in row["actors"])
    flat["recipient_names"] = ";".join(_label(a) for a in row["recipients"])
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


def _write_tsv(rows: Iterable[dict[str, Any]], fh: IO[str], per_cluster: bool = False) -> int:
    writer = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(GDELT_COLUMNS)
    n = 0
    for row in rows:
        writer.writerow(gdelt_row(row, per_cluster=per_cluster))
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


def export(store: Store, fmt: str, out_path: str | Path, *, per_event: bool = False, **filters: Any) -> int:
    """Write the store's events to ``out_path`` in format ``fmt``; return the rows written.

    ``fmt`` is one of :data:`FORMATS`. For ``plover-jsonl``, ``gdelt-tsv`` and ``csv``,
    ``filters`` are those of :func:`eventcoder.store.queries.events`. ``plover-jsonl`` and
    ``csv`` write one row per event (with its cluster id and counts). ``gdelt-tsv`` writes
    one row per deduplicated event cluster when the store has clusters (GDELT's
    NumMentions/NumSources/NumArticles filled), or per event when it has none or
    ``per_event`` is set. ``parquet`` writes ``out_path`` as a directory holding one
    ``.parquet`` file per table (``articles``, ``events``, ``event_actors``, ``failures``,
    ``stories``, ``event_clusters``, ``cluster_events``), takes no filters, and returns
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
    per_cluster = fmt == "gdelt-tsv" and not per_event and store.story_counts()["event_clusters"] > 0
    rows = queries.clusters(store, **filters) if per_cluster else queries.events(store, **filters)
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # newline="" so the csv module controls line endings on every platform.
    with path.open("w", encoding="utf-8", newline="") as fh:
        if per_cluster:
            return _write_tsv(rows, fh, per_cluster=True)
        return _WRITERS[fmt](rows, fh)
