"""Round trips: what each export writes re-imports (json, csv, pyarrow), validates against
its schema (the shipped PLOVER JSON Schema; GDELT column names and types), and equals what
the store holds. The store is coded for real from a feed with one story filed twice."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pytest

import eventcoder
from eventcoder.export import CSV_COLUMNS, GDELT_COLUMNS, GDELT_TYPES, export, gdelt_event_id, plover_schema
from eventcoder.settings import Options
from eventcoder.store import Store, open_store, queries
from eventcoder.testing import write_story_feed


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("roundtrip")
    with open_store(folder / "rt.duckdb") as s:
        eventcoder.code_files([write_story_feed(folder)], s, Options())
        yield s


def _read_typed_tsv(path: Path) -> list[dict[str, object]]:
    """Parse a gdelt-tsv file by GDELT's column types; fail on a value of the wrong type."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    assert tuple(rows[0]) == GDELT_COLUMNS
    typed = []
    for raw in rows[1:]:
        assert len(raw) == len(GDELT_COLUMNS)
        typed.append({c: (GDELT_TYPES[c](v) if v != "" else None) for c, v in zip(GDELT_COLUMNS, raw)})
    return typed


def test_plover_jsonl_validates_and_matches_the_store(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    n = export(store, "plover-jsonl", out)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert n == len(records) == store.counts()["events"] > 0
    validator = jsonschema.Draft202012Validator(plover_schema(), format_checker=jsonschema.FormatChecker())
    for record in records:
        validator.validate(record)
    stored = {row["id"]: row for row in queries.events(store)}
    for record in records:
        row = stored[record["id"]]
        assert record["event"] == [row["event_type"]] and record["mode"] == row["mode"]
        assert record["date"] == row["date"].isoformat()
        assert [a["code"] for a in record["source"]] == [a["country"] for a in row["actors"]]
        assert [a["actor_text"] for a in record["recipient"]] == [a["text"] for a in row["recipients"]]
        assert record["quad_code"] == row["quad_class"] and record["event_scale"] == row["intensity"]
        assert record["text_info"] == {"start": row["start_char"], "end": row["end_char"]}
        assert record["event_text"] == [row["sentence"]]
        assert record["link"] == row["cluster_id"] and record["num_sources"] == row["num_sources"]
        assert record["cite_info"]["url"] == row["url"] and record["cite_info"]["publication"] == row["outlet"]


def test_schema_refuses_a_broken_record(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "one.jsonl"
    export(store, "plover-jsonl", out, limit=1)
    record = json.loads(out.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(plover_schema())
    for broken in ({**record, "event": ["NOT_A_TYPE"]}, {**record, "quad_code": 7}, {k: v for k, v in record.items() if k != "source"}):
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(broken)


def test_gdelt_tsv_per_cluster_round_trip(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "clusters.tsv"
    n = export(store, "gdelt-tsv", out)
    rows = _read_typed_tsv(out)
    clusters = {c["cluster_id"]: c for c in queries.clusters(store)}
    assert n == len(rows) == len(clusters) == store.story_counts()["event_clusters"]
    for row in rows:
        cluster = clusters[str(row["ClusterID"])]
        assert row["GLOBALEVENTID"] == gdelt_event_id(cluster["cluster_id"])
        assert row["EventcoderEventID"] == cluster["id"]  # the canonical event
        assert (row["NumMentions"], row["NumSources"], row["NumArticles"]) == (
            cluster["num_mentions"], cluster["num_sources"], cluster["num_articles"],
        )  # fmt: skip
        assert row["SQLDATE"] == int(cluster["date"].strftime("%Y%m%d")) and row["Year"] == cluster["date"].year
        assert row["PloverEventType"] == cluster["event_type"] and row["QuadClass"] == cluster["quad_class"]
        assert row["SOURCEURL"] == cluster["url"]
    # The wire story filed by two outlets is one row counting both.
    assert max(r["NumSources"] for r in rows) == 2  # type: ignore[type-var]
    assert len({r["GLOBALEVENTID"] for r in rows}) == len(rows)


def test_gdelt_tsv_per_event_round_trip(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "events.tsv"
    n = export(store, "gdelt-tsv", out, per_event=True)
    rows = _read_typed_tsv(out)
    events = {e["id"]: e for e in queries.events(store)}
    assert n == len(rows) == len(events)
    for row in rows:
        ev = events[str(row["EventcoderEventID"])]
        assert row["GLOBALEVENTID"] == gdelt_event_id(ev["id"]) and row["ClusterID"] == ev["cluster_id"]
        assert (row["NumMentions"], row["NumSources"], row["NumArticles"]) == (1, 1, 1)
        first = ev["actors"][0] if ev["actors"] else None
        assert row["Actor1CountryCode"] == (first["country"] if first else None)
        assert row["DATEADDED"] == int(ev["coded_at"].strftime("%Y%m%d%H%M%S"))


def test_csv_round_trip(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    n = export(store, "csv", out)
    with out.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        rows = list(reader)
    events = {e["id"]: e for e in queries.events(store)}
    assert n == len(rows) == len(events)
    for row in rows:
        ev = events[row["id"]]
        assert dt.date.fromisoformat(row["date"]) == ev["date"]
        assert float(row["confidence"]) == ev["confidence"] and int(row["start_char"]) == ev["start_char"]
        assert row["actor_countries"] == (ev["actor_countries"] or "")
        assert row["cluster_id"] == ev["cluster_id"] and int(row["num_articles"]) == ev["num_articles"]
        assert row["sentence"] == ev["sentence"]


def test_parquet_round_trip(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    export(store, "parquet", out)
    clusters = pq.read_table(out / "event_clusters.parquet").to_pylist()
    stored = store._rows("SELECT * FROM event_clusters ORDER BY cluster_id")
    assert clusters == stored
    members = pq.read_table(out / "cluster_events.parquet").to_pylist()
    assert len(members) == store.counts()["events"]
    assert {r["story_id"] for r in pq.read_table(out / "stories.parquet").to_pylist()} == {
        r["story_id"] for r in store._rows("SELECT story_id FROM stories")
    }
