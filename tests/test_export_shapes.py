"""Exports in the field's own shapes, read back the way the field reads them, and exports
that cannot leave a partial file: a killed export, a full disk, an OUT that is the store.

The strict GDELT file is loaded with a reader written here from GDELT 2.0's published Event
codebook (61 tab-separated columns, no header), not from eventcoder's own column list.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from eventcoder.errors import StoreError
from eventcoder.export import export
from eventcoder.model import Actor, Place
from eventcoder.ontology.countries import fips_to_iso3, iso3_to_fips
from eventcoder.ontology.plover import cameo_code, load_cameo_codes, load_ontology
from eventcoder.store import Store, open_store
from eventcoder.store.corrections import add_correction
from eventcoder.testing import make_article, make_coded

# GDELT 2.0 Event Database codebook (V2.0, 2015), "EVENT TABLE FORMAT", in file order.
GDELT2_EVENT_FIELDS = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
]  # fmt: skip
GDELT2_INTEGERS = {"GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "IsRootEvent", "QuadClass", "NumMentions",
                   "NumSources", "NumArticles", "Actor1Geo_Type", "Actor2Geo_Type", "ActionGeo_Type", "DATEADDED"}
GDELT2_FLOATS = {"FractionDate", "GoldsteinScale", "AvgTone", "Actor1Geo_Lat", "Actor1Geo_Long",
                 "Actor2Geo_Lat", "Actor2Geo_Long", "ActionGeo_Lat", "ActionGeo_Long"}


def read_gdelt2_events(path: Path) -> list[dict[str, Any]]:
    """A GDELT 2.0 export reader as GDELT users write one: no header, split on tabs, no
    quoting, 61 fields a line, typed by the codebook (blank is missing)."""
    records = []
    with path.open(encoding="utf-8", newline="") as fh:
        for number, line in enumerate(fh, 1):
            fields = line.rstrip("\n").split("\t")
            assert len(fields) == 61, f"line {number} has {len(fields)} fields, not 61"
            record: dict[str, Any] = {}
            for name, raw in zip(GDELT2_EVENT_FIELDS, fields):
                if raw == "":
                    record[name] = None
                elif name in GDELT2_INTEGERS:
                    record[name] = int(raw)
                elif name in GDELT2_FLOATS:
                    record[name] = float(raw)
                else:
                    record[name] = raw
            records.append(record)
    return records


def party(code: str, sector: str | None, name: str | None = None, text: str | None = None) -> Actor:
    return Actor(text=text or name or code, start_char=0, end_char=3, country=code, sector=sector, name=name)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    beijing = Place(name="Beijing", text="Beijing", start_char=0, end_char=7, country="CHN", lat=39.9, lon=116.4, precision="city")
    germany = Place(name="Germany", text="Germany", start_char=0, end_char=7, country="DEU", lat=51.0, lon=10.0, precision="country")
    long_span = "the group of activists from several human rights organisations based in Geneva and elsewhere"
    art = make_article('Officials said "talks" would go on.\tA second line\nfollows.', url='https://news.example/a?q="x"\tb',
                       title='Talks "resume"')  # fmt: skip
    other = make_article("Troops fired on protesters in Germany; aid groups were expelled.", outlet="beta.example")
    with open_store(tmp_path / "s.duckdb") as s:
        s.save(make_coded(art, events=[
            {"event_type": "REQUEST", "mode": "meet", "actors": [party("CHN", "GOV", "Wang Yi")],
             "recipients": [party("USA", "GOV")], "quad_class": 3, "intensity": -2.0, "place": beijing,
             "sentence": 'He said "talks"\twould go on.'},
            {"event_type": "ASSAULT", "mode": "aerial", "actors": [party("RUS", "MIL")], "recipients": [party("UKR", None)],
             "quad_class": 4, "intensity": -9.0},
        ]))  # fmt: skip
        s.save(make_coded(other, events=[
            {"event_type": "SANCTION", "mode": "expel", "actors": [party("NGO", "NGO", text=long_span)],
             "recipients": [party("UNO", "GOV", "United Nations")], "quad_class": 4, "intensity": -5.0, "place": germany},
            {"event_type": "ASSAULT", "mode": "firearms", "actors": [party("DEU", "COP")], "recipients": [party("DEU", "CVL")],
             "quad_class": 4, "intensity": -9.0, "place": germany},
        ]))  # fmt: skip
        yield s


def test_strict_gdelt_loads_with_a_61_column_gdelt2_reader(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "events.export.CSV"
    assert export(store, "gdelt-tsv", out, strict=True, per_event=True) == 4
    records = read_gdelt2_events(out)
    assert len(records) == 4
    by_code = {r["EventCode"]: r for r in records}
    # The most specific CAMEO codes the crosswalk supports, never a bare root.
    assert set(by_code) == {"106", "195", "166", "190"}
    meet = by_code["106"]
    assert (meet["EventBaseCode"], meet["EventRootCode"], meet["QuadClass"], meet["GoldsteinScale"]) == ("106", "10", 3, -2.0)
    assert (meet["Actor1Code"], meet["Actor1Name"], meet["Actor1CountryCode"], meet["Actor1Type1Code"]) == ("CHNGOV", "WANG YI", "CHN", "GOV")
    assert (meet["Actor2Code"], meet["Actor2Name"]) == ("USAGOV", "UNITED STATES")
    assert (meet["ActionGeo_Type"], meet["ActionGeo_FullName"], meet["ActionGeo_CountryCode"]) == (4, "Beijing", "CH")
    assert meet["SOURCEURL"] == 'https://news.example/a?q="x" b'  # the quote kept, the tab made a space
    assert isinstance(meet["SQLDATE"], int) and isinstance(meet["DATEADDED"], int) and meet["Year"] == 2018
    assert by_code["195"]["EventRootCode"] == "19" and by_code["190"]["EventBaseCode"] == "190"
    expel = by_code["166"]
    # An NGO is NGO, not NGONGO; its name is normalised, not the 15-word mention.
    assert (expel["Actor1Code"], expel["Actor1Name"], expel["Actor1CountryCode"]) == ("NGO", "NON-GOVERNMENTAL ORGANISATION", None)
    assert (expel["Actor1KnownGroupCode"], expel["Actor2KnownGroupCode"], expel["Actor2Code"]) == ("NGO", "UNO", "UNOGOV")
    assert (expel["ActionGeo_CountryCode"], expel["ActionGeo_ADM1Code"], expel["ActionGeo_Type"]) == ("GM", "GM", 1)
    # The same file through DuckDB's CSV reader set as GDELT users set it: tab, no quote, no header.
    columns = {name: "BIGINT" if name in GDELT2_INTEGERS else "DOUBLE" if name in GDELT2_FLOATS else "VARCHAR"
               for name in GDELT2_EVENT_FIELDS}  # fmt: skip
    con = duckdb.connect()
    loaded = con.execute(
        "SELECT EventCode, ActionGeo_CountryCode, SOURCEURL FROM read_csv(?, delim='\t', quote='', escape='', header=false, "
        "columns=?) ORDER BY EventCode", [str(out), columns],
    ).fetchall()  # fmt: skip
    con.close()
    assert [row[0] for row in loaded] == ["106", "166", "190", "195"]


def test_gdelt_tsv_is_never_quoted(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "events.tsv"
    export(store, "gdelt-tsv", out, per_event=True)
    lines = out.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    assert header[61:] == ["PloverEventType", "PloverMode", "EventcoderEventID", "ClusterID", "ActionGeo_ISO3"]
    rows = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    assert all(len(line.split("\t")) == len(header) for line in lines[1:])
    meet = next(r for r in rows if r["EventCode"] == "106")
    assert meet["SOURCEURL"] == 'https://news.example/a?q="x" b'  # no CSV quoting around a field with '"'
    assert (meet["ActionGeo_CountryCode"], meet["ActionGeo_ISO3"], meet["PloverMode"]) == ("CH", "CHN", "meet")


def test_cameo_table_covers_every_type_and_mode() -> None:
    codes = load_cameo_codes()
    for kind in load_ontology().values():
        for mode in (None, *kind.modes):
            found = codes[(kind.name, mode)]
            assert len(found.code) in (3, 4) and found.code.isdigit(), found
            assert found.root_code == kind.cameo_root or (kind.name, mode) in {
                ("ACCUSE", "investigate"), ("ASSAULT", "firearms"), ("ASSAULT", "heavy-weapons"),
                ("ASSAULT", "aerial"), ("ASSAULT", "cleansing"), ("ASSAULT", "unconventional"),
            }, found  # fmt: skip
    assert cameo_code("SANCTION", "expel").code == "166"  # type: ignore[union-attr]
    assert cameo_code("REQUEST", "no-such-mode").code == "100"  # type: ignore[union-attr]


def test_fips_table() -> None:
    assert [iso3_to_fips(c) for c in ("CHN", "DEU", "GBR", "USA", "PSE", "XKX")] == ["CH", "GM", "UK", "US", "WE", "KV"]
    assert [fips_to_iso3(c) for c in ("CH", "GM", "GZ", "RS", "SF")] == ["CHN", "DEU", "PSE", "RUS", "ZAF"]
    assert iso3_to_fips("UNO") is None


def test_acled_layout(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "acled.csv"
    assert export(store, "acled-csv", out) == 4
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    firing = next(r for r in rows if r["sub_event_type"] == "firearms")
    assert (firing["event_type"], firing["actor1"], firing["actor2"]) == ("ASSAULT", "Germany (police)", "Germany (civilians)")
    assert (firing["country"], firing["iso3"], firing["location"], firing["geo_precision"]) == ("Germany", "DEU", "Germany", "3")
    assert (firing["time_precision"], firing["event_date"], firing["source"]) == ("1", "2018-06-12", "beta.example")
    assert firing["notes"].startswith("Troops fired") and firing["fatalities"] == ""
    meet = next(r for r in rows if r["sub_event_type"] == "meet")
    assert (meet["actor1"], meet["location"], meet["geo_precision"]) == ("China (government): Wang Yi", "Beijing", "1")


def test_corrections_travel_with_the_exports(store: Store, tmp_path: Path) -> None:
    event_id = store._rows("SELECT id FROM events WHERE mode = 'aerial'")[0]["id"]
    add_correction(store, event_id, "event_type", "coerce", note="a blockade, not an air strike")
    add_correction(store, event_id, "event_type", "coerce", note="a blockade, not an air strike")  # once only
    jsonl = tmp_path / "e.jsonl"
    export(store, "plover-jsonl", jsonl)
    records = {r["id"]: r for r in (json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines())}
    assert [(c["field"], c["coded"], c["correct"]) for c in records[event_id]["corrections"]] == [("event_type", "ASSAULT", "COERCE")]
    assert sum(len(r["corrections"]) for r in records.values()) == 1
    flat = tmp_path / "e.csv"
    export(store, "csv", flat)
    by_id = {r["id"]: r for r in csv.DictReader(flat.open(encoding="utf-8", newline=""))}
    assert by_id[event_id]["corrections"] == "event_type: ASSAULT -> COERCE"
    with pytest.raises(ValueError, match="'ATTACK' is not a PLOVER event type"):
        add_correction(store, event_id, "event_type", "ATTACK")


# -- no partial file at OUT ---------------------------------------------------------------------


def test_export_onto_the_store_is_refused(store: Store, tmp_path: Path) -> None:
    db = Path(store.path)
    size = db.stat().st_size
    for fmt in ("csv", "gdelt-tsv", "plover-jsonl"):
        with pytest.raises(StoreError, match="E305.*onto the store"):
            export(store, fmt, db)
    with pytest.raises(StoreError, match="E305"):
        export(store, "parquet", db.parent)  # the folder holding the store
    assert db.stat().st_size == size and store.counts()["events"] == 4


def _big_store(path: Path, n: int) -> None:
    text = "China asked North Korea on Tuesday to halt its missile tests, officials in Beijing said. "
    with open_store(path) as s:
        batch = [make_coded(make_article(text + f"Report {i}.", published=dt.date(2018, 6, 13)),
                            events=[{"event_type": "REQUEST", "mode": "meet", "quad_class": 3}]) for i in range(n)]  # fmt: skip
        s.save_many(batch)


EXPORT_SCRIPT = """
import sys
from eventcoder.export import export
from eventcoder.store import open_store
with open_store(sys.argv[1], read_only=True) as store:
    export(store, sys.argv[2], sys.argv[3])
"""


def test_kill_9_during_export_leaves_no_file_at_out(tmp_path: Path) -> None:
    db, out = tmp_path / "big.duckdb", tmp_path / "out" / "events.jsonl"
    _big_store(db, 20_000)
    out.parent.mkdir()
    out.write_text("the previous export\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", EXPORT_SCRIPT, str(db), "plover-jsonl", str(out)])
    deadline = time.monotonic() + 120
    partial: list[Path] = []
    while time.monotonic() < deadline and proc.poll() is None:
        partial = [p for p in out.parent.glob(".events.jsonl.*.partial") if p.stat().st_size > 0]
        if partial:
            break
        time.sleep(0.01)
    assert partial and proc.poll() is None, "the export finished before it could be killed; make the store bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert out.read_text(encoding="utf-8") == "the previous export\n"  # OUT as it was, not a truncated export
    # The same export run to the end replaces OUT whole.
    done = subprocess.run([sys.executable, "-c", EXPORT_SCRIPT, str(db), "plover-jsonl", str(out)], timeout=300)
    assert done.returncode == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 20_000


FULL_DISK_SCRIPT = """
import resource, signal, sys
from eventcoder.errors import StoreError
from eventcoder.export import export
from eventcoder.store import open_store
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), int(sys.argv[3])))
with open_store(sys.argv[1], read_only=True) as store:
    try:
        export(store, "csv", sys.argv[2])
    except StoreError as exc:
        print(exc)
        sys.exit(1)
"""


def test_a_full_disk_leaves_no_partial_file_and_a_coded_error(tmp_path: Path) -> None:
    # The file system refuses the write part way through (here: the file-size limit, which
    # fails write() as a full disk does); the export must leave nothing behind.
    db, out = tmp_path / "big.duckdb", tmp_path / "out" / "events.csv"
    _big_store(db, 2_000)
    proc = subprocess.run([sys.executable, "-c", FULL_DISK_SCRIPT, str(db), str(out), "100000"],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "[E305]" in proc.stdout and "nothing was written" in proc.stdout and "Traceback" not in proc.stderr
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_a_full_tmpfs_leaves_no_partial_file(tmp_path: Path) -> None:
    # A real full file system where this machine lets us mount one (root, as CI runs).
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.decode().strip()}")
    try:
        db = tmp_path / "big.duckdb"
        _big_store(db, 2_000)
        with open_store(db, read_only=True) as store, pytest.raises(StoreError, match="E305.*No space left on device"):
            export(store, "plover-jsonl", mount / "events.jsonl")
        assert list(mount.iterdir()) == []
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_corrections_become_a_gold_file_that_eval_scores(tmp_path: Path) -> None:
    from eventcoder import code_text
    from eventcoder.evaluate import evaluate_path, load_sentences

    coded = [code_text(text, published=dt.date(2018, 6, 12)) for text in (
        "China urged the United States on Tuesday to ease sanctions on North Korea.",
        "Russia urged Japan on Monday to return the disputed islands.",
    )]  # fmt: skip
    first, second = coded[0].events[0], coded[1].events[0]
    with open_store(tmp_path / "c.duckdb") as s:
        s.save_many(coded)
        add_correction(s, first.id, "event_type", "ACCUSE", note="said as a complaint")
        add_correction(s, first.id, "recipient", "USA;PRK")
        add_correction(s, second.id, "not_an_event", note="an old demand, recalled")
        gold = tmp_path / "corrections.json"
        assert export(s, "corrections-gold", gold) == 2
    records = {r["coded_event"] + ":" + r["event"]: r for r in json.loads(gold.read_text(encoding="utf-8"))}
    accuse = records[f"{first.event_type}:ACCUSE"]
    assert [t["code"] for t in accuse["target"]] == ["USA", "PRK"] and accuse["text"] == first.sentence
    assert accuse["comment"] == "said as a complaint"
    none = records[f"{second.event_type}:NONE"]
    assert none["source"] == none["target"] == [] and none["text"] == second.sentence
    loaded, skipped = load_sentences(gold)
    assert (sorted(r.event_type for r in loaded), skipped) == (["ACCUSE", "NONE"], 0)
    report = evaluate_path(gold)  # the coder still codes both: each correction shows up as a miss
    assert sorted((m.gold, m.predicted) for m in report.misses()) == sorted(
        [("ACCUSE", first.event_type), ("NONE", second.event_type)])
