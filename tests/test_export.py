"""Exports: each format parsed back and checked for specific facts."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from eventcoder.export import GDELT_COLUMNS, export
from eventcoder.model import Place, Rejected
from eventcoder.store import Store, open_store
from eventcoder.testing import make_article, make_coded


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    art = make_article(
        "China asked North Korea on Tuesday to halt its missile tests, officials in Beijing said.",
        url="https://news.example/cn-prk",
        published=dt.date(2018, 6, 13),
    )
    beijing = Place(name="Beijing", text="Beijing", start_char=75, end_char=82, country="CHN", lat=39.9, lon=116.4)
    other = make_article("Russia rejected the proposal, its envoy said.", published=dt.date(2019, 1, 5))
    rej = Rejected(source="feed.jsonl", line=7, stage="ingest", code="E102", reason="empty text")
    with open_store(tmp_path / "x.duckdb") as s:
        s.save(make_coded(art, events=[{
            "event_type": "REQUEST", "mode": "verbal", "quad_class": 1, "intensity": 3.5,
            "cameo_root": "02", "place": beijing, "start_char": 0, "end_char": 60,
        }], rejections=[rej]))  # fmt: skip
        s.save(make_coded(other, events=[{
            "event_type": "REJECT", "actors": ("RUS",), "recipients": ("USA", "GBR"), "quad_class": 3,
            "cameo_root": "12", "date": None,
        }]))  # fmt: skip
        yield s


def test_plover_jsonl(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out" / "events.jsonl"
    assert export(store, "plover-jsonl", out) == 2
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["event"] for r in records] == [["REQUEST"], ["REJECT"]]
    req, rej = records
    assert req["date"] == "2018-06-12" and req["mode"] == "verbal" and req["quad_code"] == 1
    assert req["source"] == [{"code": "CHN", "sector": "GOV", "actor_text": "CHN", "identifier_text": None}]
    assert req["recipient"][0]["code"] == "PRK"
    assert req["event_text"] == ["China asked North Korea on Tuesday to halt its missile tests"]
    assert req["event_loc"] == {"name": "Beijing", "latitude": 39.9, "longitude": 116.4, "cc3": "CHN"}
    assert req["cite_info"]["url"] == "https://news.example/cn-prk" and req["cite_info"]["citation"] == req["article_id"]
    assert req["text_info"] == {"start": 0, "end": 60} and req["event_scale"] == 3.5
    # Undated event: the published date stands in; two recipients survive.
    assert rej["date"] == "2019-01-05" and rej["event_loc"] is None
    assert [r["code"] for r in rej["recipient"]] == ["USA", "GBR"]


def test_plover_jsonl_with_filters(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "rus.jsonl"
    assert export(store, "plover-jsonl", out, actor="RUS") == 1
    assert json.loads(out.read_text())["event"] == ["REJECT"]


def test_gdelt_tsv(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "events.tsv"
    assert export(store, "gdelt-tsv", out, since="2018-01-01") == 2
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    header, body = rows[0], rows[1:]
    assert tuple(header) == GDELT_COLUMNS
    # GDELT 2.0's 61 event columns come first, in GDELT's order.
    assert len(header) == 61 + 5 and header[:5] == ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
    assert header[25:35] == ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
                             "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone"]  # fmt: skip
    assert header[59:61] == ["DATEADDED", "SOURCEURL"]
    assert len(body) == 2 and all(len(r) == len(header) for r in body)
    req = dict(zip(header, body[0]))
    assert (req["SQLDATE"], req["MonthYear"], req["Year"]) == ("20180612", "201806", "2018")
    assert (req["Actor1Code"], req["Actor1CountryCode"], req["Actor1Type1Code"]) == ("CHNGOV", "CHN", "GOV")
    assert (req["Actor2Code"], req["Actor2CountryCode"]) == ("PRKGOV", "PRK")
    # REQUEST with a mode the CAMEO table does not know: the type's own code, 100 (never the bare root "10").
    assert (req["EventCode"], req["EventBaseCode"], req["EventRootCode"]) == ("100", "100", "10")
    assert (req["QuadClass"], req["GoldsteinScale"]) == ("1", "3.5")
    assert (req["Actor1Name"], req["Actor2Name"]) == ("CHINA", "NORTH KOREA")  # normalised names, not the mention
    assert (req["ActionGeo_CountryCode"], req["ActionGeo_ISO3"]) == ("CH", "CHN")  # FIPS 10-4, as GDELT writes it
    assert (req["NumMentions"], req["NumSources"], req["NumArticles"]) == ("1", "1", "1")  # no clusters yet: per event
    assert (req["ActionGeo_FullName"], req["ActionGeo_Lat"], req["ActionGeo_Long"]) == ("Beijing", "39.9", "116.4")
    assert req["SOURCEURL"] == "https://news.example/cn-prk" and req["PloverEventType"] == "REQUEST"
    assert len(req["DATEADDED"]) == 14 and req["DATEADDED"].isdigit()
    rej = dict(zip(header, body[1]))
    assert rej["SQLDATE"] == "20190105" and rej["Actor2CountryCode"] == "USA" and rej["ActionGeo_Lat"] == ""


def test_csv(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    assert export(store, "csv", out) == 2
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["event_type"] for r in rows] == ["REQUEST", "REJECT"]
    assert rows[0]["date"] == "2018-06-12" and rows[0]["actor_countries"] == "CHN" and rows[0]["lat"] == "39.9"
    assert rows[1]["recipient_countries"] == "USA;GBR" and rows[1]["event_date"] == "" and rows[1]["date"] == "2019-01-05"
    assert rows[1]["sentence"] == "Russia rejected the proposal, its envoy said."


def test_parquet_tables(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    assert export(store, "parquet", out) == 2
    assert sorted(p.name for p in out.iterdir()) == [
        "articles.parquet", "cluster_events.parquet", "corrections.parquet", "event_actors.parquet", "event_clusters.parquet",
        "events.parquet", "failures.parquet", "stories.parquet",
    ]  # fmt: skip
    counts = {name: pq.read_table(out / f"{name}.parquet").num_rows for name in ("articles", "events", "event_actors", "failures")}
    assert counts == {"articles": 2, "events": 2, "event_actors": 5, "failures": 1}
    events = pq.read_table(out / "events.parquet").to_pylist()
    assert {e["event_type"] for e in events} == {"REQUEST", "REJECT"}
    assert pq.read_table(out / "failures.parquet").to_pylist()[0]["code"] == "E102"


def test_bad_format_and_parquet_filters(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export(store, "xml", tmp_path / "x.xml")
    with pytest.raises(ValueError, match="no filters"):
        export(store, "parquet", tmp_path / "p", actor="CHN")
