"""Export stored events: PLOVER JSONL, GDELT-style TSV, flat CSV, ACLED-style CSV, or Parquet.

Field names are the ones users know: PLOVER's JSON field names for ``plover-jsonl``
(validated by the JSON Schema shipped as ``ontology/plover_event.schema.json``), GDELT
2.0's event columns for ``gdelt-tsv`` (with ``strict``: exactly GDELT 2.0's 61 columns, no
header) and ACLED's column names for ``acled-csv``; docs/EXPORTS.md maps every field.

Reads go through ``store.queries`` with one :class:`~eventcoder.store.filters.EventFilter`,
so the same filters work here as in the CLI and web app. Rows are streamed from the store
and written one at a time, so memory stays flat however many events there are.

Every export is written to a temporary file beside ``OUT`` and renamed onto it only when
complete: a killed export or a full disk leaves ``OUT`` as it was (no partial file), and a
target that is the store itself is refused (E305). Parquet is a whole-store dump written by
the store itself (only ``store/`` speaks SQL).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import IO, Any

from eventcoder.errors import E305_EXPORT, StoreError
from eventcoder.ontology.countries import body_names, code_name, country_names, iso3_to_fips
from eventcoder.ontology.plover import cameo_code
from eventcoder.store import queries
from eventcoder.store.corrections import corrections_by_event
from eventcoder.store.duckdb import Store
from eventcoder.store.filters import EventFilter

FORMATS = ("plover-jsonl", "gdelt-tsv", "csv", "acled-csv", "corrections-gold", "parquet")
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
EXTRA_GDELT_COLUMNS = ("PloverEventType", "PloverMode", "EventcoderEventID", "ClusterID", "ActionGeo_ISO3")
GDELT_COLUMNS = GDELT_EVENT_COLUMNS + EXTRA_GDELT_COLUMNS
_GDELT_INTS = {
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "IsRootEvent", "QuadClass", "NumMentions",
    "NumSources", "NumArticles", "Actor1Geo_Type", "Actor2Geo_Type", "ActionGeo_Type", "DATEADDED",
}  # fmt: skip
_GDELT_FLOATS = {"FractionDate", "GoldsteinScale", "AvgTone", *(f"{w}Geo_{f}" for w in ("Actor1", "Actor2", "Action") for f in ("Lat", "Long"))}
GDELT_TYPES: dict[str, type] = {c: int if c in _GDELT_INTS else float if c in _GDELT_FLOATS else str for c in GDELT_COLUMNS}
# GDELT's geographic resolution codes: 1 country, 4 world city, 5 world state (ADM1).
_GEO_TYPE = {"country": 1, "city": 4, "admin": 5}
# Sector codes as words, for an actor with no name and no country ("GOVERNMENT").
SECTOR_NAMES = {
    "GOV": "government", "MIL": "military", "COP": "police", "JUD": "judiciary", "LEG": "legislature",
    "PTY": "political party", "OPP": "opposition", "REB": "rebels", "UAF": "armed group",
    "CVL": "civilians", "BUS": "business", "MED": "media", "JRN": "journalists", "EDU": "education",
    "HLH": "health", "LAB": "labour", "REL": "religious", "REF": "refugees", "ELI": "elites",
    "CRM": "criminals", "SPY": "intelligence", "NGO": "non-governmental organisation",
}  # fmt: skip

# CSV files end their records with "\r\n" (RFC 4180, the csv module's default): the module
# then quotes every field holding "\r" or "\n", which it would not do for a bare "\r" with
# "\n" line ends, and a reader would cut the record there.
# One CSV schema for events, written by `export csv` and `events --format csv` alike. Actor
# columns hold one entry per actor, in order, joined with ';' (empty entries kept), so the
# n-th country, sector and name belong to the same party: "PAK;PAK", "GOV;MIL".
CSV_COLUMNS = (
    "id", "date", "event_type", "mode", "cameo_code", "quad_class", "intensity", "cameo_root",
    "actor_countries", "actor_sectors", "actor_names", "recipient_countries", "recipient_sectors", "recipient_names",
    "trigger", "event_date", "date_precision", "background", "negated",
    "place_name", "place_country", "place_precision", "lat", "lon", "quote_speaker", "quote_text",
    "confidence", "extractor", "article_id", "start_char", "end_char",
    "url", "title", "outlet", "published", "sentence",
    "cluster_id", "num_mentions", "num_sources", "num_articles", "corrections",
)  # fmt: skip
# ACLED's column names, one row per event, for analysts who work in ACLED's shape.
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "country", "iso3", "admin1", "location",
    "latitude", "longitude", "geo_precision", "source", "source_url", "notes", "fatalities", "timestamp",
)  # fmt: skip
_ACLED_TIME = {"day": 1, "month": 3, "year": 3}  # ACLED: 1 day, 2 week, 3 month (or coarser)
_ACLED_GEO = {"city": 1, "admin": 2, "country": 3, "region": 3}  # 1 town, 2 region part, 3 province/country


# Characters Python's str.splitlines (and some JSON Lines readers) take as line breaks but
# json.dumps(ensure_ascii=False) leaves raw; escaped, every record stays on one line.
_JSON_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
# GDELT-style TSV is read by splitting on tabs and newlines, without quoting rules: fields
# keep to one line and hold no tab, and nothing is quoted (a '"' is an ordinary character).
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


def _correction_list(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: c[k] for k in ("field", "coded", "correct", "note", "reported_at")} for c in row.get("corrections") or []]


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
    cameo = cameo_code(row["event_type"], row.get("mode"))
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
        "cameo_code": cameo.code if cameo else None,
        "negated": row["negated"],
        "background": row["background"],
        "confidence": row["confidence"],
        "num_mentions": row.get("num_mentions"),
        "num_sources": row.get("num_sources"),
        "num_articles": row.get("num_articles"),
        "inferred_roles": [role for role, key in (("source", "actors"), ("recipient", "recipients"))
                           if any(a.get("inferred") for a in row[key])],
        "corrections": _correction_list(row),
    }


def eventcoder_version() -> str:
    """The installed eventcoder version (for ``coder`` fields)."""
    from eventcoder import __version__

    return __version__


def gdelt_event_id(hex_id: str) -> int:
    """A GDELT-style integer GLOBALEVENTID from a hex content-hash id (first 60 bits, so it
    fits a signed 64-bit column); the hex id itself goes in EventcoderEventID/ClusterID."""
    return int(hex_id.lstrip("c")[:15], 16)


def actor_code(actor: dict[str, Any]) -> str:
    """GDELT-style actor code: country (or body) code + sector, the sector left out when it
    repeats the code (an NGO's sector is NGO: ``NGO``, never ``NGONGO``)."""
    country, sector = actor.get("country") or "", actor.get("sector") or ""
    return country if sector == country else country + sector


def actor_name(actor: dict[str, Any]) -> str:
    """A normalised name, upper-cased as GDELT writes them: the named person or body, else
    the country's (or body's) name, else the sector in words; never the raw mention text."""
    name = actor.get("name") or code_name(actor.get("country")) or SECTOR_NAMES.get(actor.get("sector") or "", "")
    return " ".join(str(name).split()).upper()


def gdelt_row(row: dict[str, Any], *, per_cluster: bool = False, strict: bool = False) -> list[Any]:
    """One ``queries.events`` row (or ``queries.clusters`` row, with ``per_cluster``) as the
    values of :data:`GDELT_COLUMNS` (first actor and recipient only), or of the 61
    :data:`GDELT_EVENT_COLUMNS` with ``strict``.

    Actor codes are ISO3 country + PLOVER sector (``CHNGOV``), names normalised
    (:func:`actor_name`); EventCode is the most specific CAMEO code the type and mode map to
    (``ontology/modes.tsv``: REQUEST + meet is 106, base 106, root 10); GoldsteinScale
    carries our intensity; ActionGeo_CountryCode is FIPS 10-4 as in GDELT (ISO3 in our
    ActionGeo_ISO3). A cluster row counts its mentions, outlets and articles; a per-event
    row is one mention of one article.
    """
    countries, bodies = country_names(), body_names()

    def actor(actors: list[dict[str, Any]]) -> list[Any]:
        if not actors:
            return [""] * 10
        a = actors[0]
        code = a.get("country") or ""
        country = code if code in countries else ""
        group = code if code in bodies else ""
        return [actor_code(a), actor_name(a), country, group, "", "", "", a.get("sector") or "", "", ""]

    date: dt.date | None = row["date"]
    cameo = cameo_code(row["event_type"], row.get("mode"))
    code = cameo.code if cameo else ((row["cameo_root"] or "") + "0" if row.get("cameo_root") else "")
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
    iso3 = row.get("place_country") or ""
    if row.get("place_name"):
        precision = row.get("place_precision") or ""
        fips = iso3_to_fips(iso3) or ""
        action_geo = [
            _GEO_TYPE.get(precision, ""), row["place_name"], fips, fips if precision == "country" else "",
            "", _blank(row["lat"]), _blank(row["lon"]), "",
        ]  # fmt: skip
    values = [
        global_id, *dated,
        *actor(row["actors"]), *actor(row["recipients"]),
        "",  # IsRootEvent: not computed
        code, code[:3], code[:2], _blank(row["quad_class"]), _blank(row["intensity"]),
        *counts, "",  # AvgTone: no tone model
        *no_geo, *no_geo, *action_geo,
        coded_at.strftime("%Y%m%d%H%M%S") if isinstance(coded_at, dt.datetime) else "",
        _blank(row["url"]),
    ]  # fmt: skip
    if not strict:
        values += [row["event_type"], _blank(row["mode"]), row["id"], _blank(cluster), iso3 if row.get("place_name") else ""]
    return [_one_line(v) for v in values]


def _label(actor: dict[str, Any]) -> str:
    """A party's name, else its words; an inferred party has neither."""
    return actor.get("name") or ("" if actor.get("inferred") else actor.get("text") or "")


def _corrections_text(row: dict[str, Any]) -> str:
    # "event_type: REQUEST -> ACCUSE; not_an_event: CONSULT": one summary a cell.
    parts = []
    for c in row.get("corrections") or []:
        change = f"{c['coded'] or ''} -> {c['correct']}" if c["correct"] is not None else (c["coded"] or "")
        parts.append(f"{c['field']}: {change}")
    return "; ".join(parts)


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """One ``queries.events`` row flattened to :data:`CSV_COLUMNS`."""
    flat = {k: _blank(_iso(row.get(k))) for k in CSV_COLUMNS}
    cameo = cameo_code(row["event_type"], row.get("mode"))
    flat["cameo_code"] = cameo.code if cameo else ""
    for role, key in (("actor", "actors"), ("recipient", "recipients")):
        parties = row[key]
        flat[f"{role}_countries"] = ";".join(a.get("country") or "" for a in parties)
        flat[f"{role}_sectors"] = ";".join(a.get("sector") or "" for a in parties)
        flat[f"{role}_names"] = ";".join(_label(a).replace(";", ",") for a in parties)
    flat["corrections"] = _corrections_text(row)
    return flat


def _party(actor: dict[str, Any]) -> str:
    # ACLED names a party in words: "China (government): Wang Yi".
    who = code_name(actor.get("country")) or actor.get("country") or ""
    sector = SECTOR_NAMES.get(actor.get("sector") or "")
    label = f"{who} ({sector})" if who and sector and sector.lower() != who.lower() else who or (sector or "").capitalize()
    return f"{label}: {actor['name']}" if actor.get("name") and label else actor.get("name") or label


def acled_row(row: dict[str, Any]) -> dict[str, Any]:
    """One ``queries.events`` row in :data:`ACLED_COLUMNS` (first actor and recipient as
    actor1/actor2, the others as associated actors)."""
    date: dt.date | None = row["date"]
    actors, recipients = row["actors"], row["recipients"]
    coded_at = row.get("coded_at")
    return {
        "event_id_cnty": row["id"], "event_date": _blank(_iso(date)), "year": date.year if date else "",
        # No date in the text: the published date stands in, so "within a few days" (ACLED's 2).
        "time_precision": _ACLED_TIME.get(row.get("date_precision") or "", "") if row.get("event_date") else 2 if date else "",
        "event_type": row["event_type"], "sub_event_type": _blank(row.get("mode")),
        "actor1": _party(actors[0]) if actors else "", "assoc_actor_1": "; ".join(_party(a) for a in actors[1:]),
        "actor2": _party(recipients[0]) if recipients else "", "assoc_actor_2": "; ".join(_party(a) for a in recipients[1:]),
        "country": _blank(code_name(row.get("place_country"))), "iso3": _blank(row.get("place_country")), "admin1": "",
        "location": _blank(row.get("place_name")), "latitude": _blank(row.get("lat")), "longitude": _blank(row.get("lon")),
        "geo_precision": _ACLED_GEO.get(row.get("place_precision") or "", "") if row.get("place_name") else "",
        "source": _blank(row.get("outlet")), "source_url": _blank(row.get("url")), "notes": _blank(row.get("sentence")),
        "fatalities": "", "timestamp": int(coded_at.replace(tzinfo=dt.timezone.utc).timestamp()) if isinstance(coded_at, dt.datetime) else "",
    }  # fmt: skip


def write_plover_jsonl(rows: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    """Write rows as PLOVER JSON lines; return how many."""
    n = 0
    for row in rows:
        line = json.dumps(plover_record(row), ensure_ascii=False)
        for char, escape in _JSON_LINE_BREAKS.items():
            line = line.replace(char, escape)
        fh.write(line + "\n")
        n += 1
    return n


def write_gdelt_tsv(rows: Iterable[dict[str, Any]], fh: IO[str], *, per_cluster: bool = False, strict: bool = False) -> int:
    """Write rows as GDELT-style TSV (a header unless ``strict``); return how many rows.

    Fields are joined with tabs, unquoted: every tab and line break inside a field was
    replaced by a space, so splitting each line on tabs gives the columns back."""
    if not strict:
        fh.write("\t".join(GDELT_COLUMNS) + "\n")
    n = 0
    for row in rows:
        fh.write("\t".join(str(v) for v in gdelt_row(row, per_cluster=per_cluster, strict=strict)) + "\n")
        n += 1
    return n


def write_csv(rows: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    """Write rows in the one events CSV schema (:data:`CSV_COLUMNS`); return how many."""
    writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow(csv_row(row))
        n += 1
    return n


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """:func:`write_csv` as a stream of text chunks (the header, then one record each), for
    a download that starts before the last row is read."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csv_row(row))
    yield buffer.getvalue()


def write_acled_csv(rows: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    """Write rows in :data:`ACLED_COLUMNS`; return how many."""
    writer = csv.DictWriter(fh, fieldnames=ACLED_COLUMNS)
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow(acled_row(row))
        n += 1
    return n


def corrected_record(row: dict[str, Any]) -> dict[str, Any] | None:
    """One event with its reported corrections applied, as a record of a PLOVER gold file
    (the GSR JSON that ``eventcoder eval`` reads: ``id``, ``date``, ``event``, ``mode``,
    ``source``/``target`` codes, ``text``); an event an analyst said is no event becomes a
    ``NONE`` record (nothing should be coded from its sentence). None when nothing is
    corrected."""
    corrections = row.get("corrections") or []
    if not corrections:
        return None
    latest = {c["field"]: c["correct"] for c in corrections}  # later reports win
    codes = {role: [a.get("country") for a in row[key] if a.get("country")] for role, key in (("actor", "actors"), ("recipient", "recipients"))}
    for role in ("actor", "recipient"):
        if role in latest:
            codes[role] = [c for c in (latest[role] or "").split(";") if c]
    if "not_an_event" in latest:
        event_type, mode, codes = "NONE", None, {"actor": [], "recipient": []}
    else:
        event_type = latest.get("event_type") or row["event_type"]
        mode = latest.get("mode") if "mode" in latest else (row.get("mode") if "event_type" not in latest else None)
    return {
        "id": f"correction-{row['id']}", "date": latest.get("date") or _iso(row["date"]),
        "event": event_type, "mode": mode,
        "source": [{"code": c} for c in codes["actor"]], "target": [{"code": c} for c in codes["recipient"]],
        "text": row.get("sentence") or "", "publication": row.get("outlet"),
        "comment": "; ".join(c["note"] for c in corrections if c.get("note")) or None,
        "coder": "eventcoder corrections", "coded_event": row["event_type"],
    }  # fmt: skip


def write_corrections_gold(rows: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    """Write the corrected events (see :func:`corrected_record`) as one JSON array, the gold
    file ``eventcoder eval`` scores the coder against; return how many records."""
    records = [r for r in (corrected_record(row) for row in rows) if r is not None]
    json.dump(records, fh, ensure_ascii=False, indent=1)
    fh.write("\n")
    return len(records)


_WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], IO[str]], int]] = {
    "corrections-gold": write_corrections_gold,
    "plover-jsonl": write_plover_jsonl,
    "csv": write_csv,
    "acled-csv": write_acled_csv,
}


def with_corrections(store: Store, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Rows with ``corrections``: the reports of wrong coding stored for each event."""
    reported = corrections_by_event(store)
    for row in rows:
        row["corrections"] = reported.get(row["id"], [])
        yield row


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _refuse_store_target(store: Store, target: Path) -> None:
    if store.path == ":memory:":
        return
    db = Path(store.path)
    store_files = [db, db.with_name(db.name + ".wal")]
    resolved = target.resolve()
    inside = [f for f in store_files if f.resolve() == resolved or _same_file(f, target)
              or (target.is_dir() and f.resolve().parent == resolved)]  # fmt: skip
    if inside:
        raise StoreError(f"refusing to export onto the store file {inside[0]}; choose another OUT",
                         code=E305_EXPORT, source=str(target))


def _export_failed(target: Path, exc: OSError) -> StoreError:
    reason = exc.strerror or str(exc)
    return StoreError(f"could not write the export ({reason}); nothing was written to {target}",
                      code=E305_EXPORT, source=str(target))


@contextmanager
def atomic_file(target: Path) -> Iterator[IO[str]]:
    """A text file that appears at ``target`` only once it is complete: written as a hidden
    temporary file in the same folder, flushed to disk, then renamed onto ``target`` (a
    rename within one file system is atomic). On any error the temporary file is removed and
    ``target`` is left as it was; an OSError (disk full, no permission) becomes E305."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as exc:
        raise _export_failed(target, exc) from exc
    tmp = Path(tmp_name)
    try:
        # newline="" so the writers control line endings on every platform.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _export_failed(target, exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _export_parquet(store: Store, target: Path) -> None:
    # A folder cannot be renamed over a non-empty one: write beside it, then swap.
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial"))
    except OSError as exc:
        raise _export_failed(target, exc) from exc
    try:
        store.export_parquet(staging)
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise _export_failed(target, exc) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def export(store: Store, fmt: str, out_path: str | Path, *, per_event: bool = False, strict: bool = False,
           filters: EventFilter | None = None, **criteria: Any) -> int:
    """Write the store's events to ``out_path`` in format ``fmt``; return the rows written.

    ``fmt`` is one of :data:`FORMATS`. For the row formats, ``filters`` (an EventFilter, or
    its fields as keywords) picks the events as :func:`eventcoder.store.queries.events`
    does. ``plover-jsonl``, ``csv`` and ``acled-csv`` write one row per event (with its
    cluster id and counts, and its reported corrections). ``gdelt-tsv`` writes one row per
    deduplicated event cluster when the store has clusters (GDELT's
    NumMentions/NumSources/NumArticles filled), or per event when it has none or
    ``per_event`` is set; ``strict`` writes GDELT 2.0's 61 columns only, with no header.
    ``corrections-gold`` writes the events analysts reported as miscoded, with their
    corrections applied, as a PLOVER gold file (GSR JSON) for ``eventcoder eval``.
    ``parquet`` writes ``out_path`` as a directory holding one ``.parquet`` file per table
    (``articles``, ``events``, ``event_actors``, ``failures``, ``stories``,
    ``event_clusters``, ``cluster_events``, ``corrections``), takes no filters, and
    returns the number of events.

    Raises ``StoreError`` E305 when ``out_path`` is the store itself, or when the file
    cannot be written (nothing is then left at ``out_path``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if strict and fmt != "gdelt-tsv":
        raise ValueError(f"strict is a gdelt-tsv layout; {fmt} has none")
    target = Path(out_path)
    _refuse_store_target(store, target)
    chosen = queries._filter(filters, criteria)
    if fmt == "parquet":
        given = chosen.given()
        if given:
            raise ValueError(f"parquet export writes whole tables and takes no filters (got {sorted(given)})")
        _export_parquet(store, target)
        return store.counts()["events"]
    per_cluster = fmt == "gdelt-tsv" and not per_event and store.story_counts()["event_clusters"] > 0
    with atomic_file(target) as fh:
        if fmt == "gdelt-tsv":
            rows = queries.iter_clusters(store, chosen) if per_cluster else queries.iter_events(store, chosen)
            return write_gdelt_tsv(rows, fh, per_cluster=per_cluster, strict=strict)
        return _WRITERS[fmt](with_corrections(store, queries.iter_events(store, chosen)), fh)
