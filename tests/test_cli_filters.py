"""The analyst's filters, orders, settings and metadata on the command line, end to end:
a real DuckDB file of hand-built events, the CLI run over it, and the rows it names read
back from the file with a fresh connection.

The store (built once per module) holds five events in three articles from two outlets:

    e1  PAK GOV -> IND GOV  ACCUSE(disapprove)   2020-01-05  quad 3  conf 0.9   alpha  place Lahore (PAK)
    e2  PAK MIL -> IND MIL  ASSAULT(aerial)      2020-02-10  quad 4  conf 0.5   alpha  place Kashmir (IND)
    e3  IND GOV -> PAK GOV  CONSULT(phone)       2020-03-01  quad 1  conf 0.8   beta
    e4  USA GOV -> PAK GOV  AID                  2019-12-01  quad 2  conf 0.95  beta   background
    e5  CHN GOV -> PAK GOV  REQUEST(meet)        2020-03-15  quad 3  conf 0.4   beta
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner, Result

from eventcoder.cli import app
from eventcoder.model import Actor, Place
from eventcoder.store import open_store
from eventcoder.testing import make_article, make_coded

GOOD_TEXT = (
    "China urged the United States on Tuesday to ease sanctions on North Korea, "
    "the foreign ministry in Beijing said in a statement."
)


def invoke(*args: object, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], prog_name="eventcoder", env=env)
    exc = result.exception
    while exc is not None:  # drop frames holding DuckDB objects (see test_cli.invoke)
        exc.__traceback__ = None
        exc = exc.__context__
    result.exc_info = None
    return result


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def party(code: str, sector: str, name: str | None = None) -> Actor:
    return Actor(text=name or code, start_char=0, end_char=3, country=code, sector=sector, name=name)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("filters") / "f.duckdb"
    lahore = Place(name="Lahore", text="Lahore", start_char=0, end_char=6, country="PAK", lat=31.55, lon=74.34, precision="city")
    kashmir = Place(name="Kashmir", text="Kashmir", start_char=0, end_char=7, country="IND", lat=34.1, lon=74.8, precision="admin")
    a1 = make_article("Pakistan's government criticised India, then jets struck targets in Kashmir.", outlet="alpha.example",
                      published=dt.date(2020, 2, 11))
    a2 = make_article("India's foreign minister called his Pakistani counterpart; aid talks recalled.", outlet="beta.example",
                      published=dt.date(2020, 3, 2))
    a3 = make_article("China asked Pakistan to meet for talks on the dispute, officials said.", outlet="beta.example",
                      published=dt.date(2020, 3, 16))
    with open_store(path) as store:
        store.save(make_coded(a1, events=[
            {"event_type": "ACCUSE", "mode": "disapprove", "actors": [party("PAK", "GOV")], "recipients": [party("IND", "GOV")],
             "date": dt.date(2020, 1, 5), "quad_class": 3, "confidence": 0.9, "place": lahore, "intensity": -2.0},
            {"event_type": "ASSAULT", "mode": "aerial", "actors": [party("PAK", "MIL")], "recipients": [party("IND", "MIL")],
             "date": dt.date(2020, 2, 10), "quad_class": 4, "confidence": 0.5, "place": kashmir, "intensity": -9.0},
        ]))  # fmt: skip
        store.save(make_coded(a2, events=[
            {"event_type": "CONSULT", "mode": "phone", "actors": [party("IND", "GOV", "Subrahmanyam Jaishankar")],
             "recipients": [party("PAK", "GOV")], "date": dt.date(2020, 3, 1), "quad_class": 1, "confidence": 0.8},
            {"event_type": "AID", "actors": [party("USA", "GOV")], "recipients": [party("PAK", "GOV")],
             "date": dt.date(2019, 12, 1), "quad_class": 2, "confidence": 0.95, "background": True},
        ]))  # fmt: skip
        store.save(make_coded(a3, events=[
            {"event_type": "REQUEST", "mode": "meet", "actors": [party("CHN", "GOV")], "recipients": [party("PAK", "GOV")],
             "date": dt.date(2020, 3, 15), "quad_class": 3, "confidence": 0.4},
        ]))  # fmt: skip
        store.refresh_clusters()
    return path


def listed(db: Path, *filters: object, command: str = "events") -> list[dict[str, Any]]:
    result = invoke(command, "--db", db, "--format", "jsonl", *filters)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def types_in_file(db: Path, where: str, params: list[Any] | None = None) -> set[str]:
    """The event types the DuckDB file itself holds for a condition (the expected answer)."""
    sql = f"SELECT e.event_type FROM events e JOIN articles a ON a.id = e.article_id WHERE {where}"
    return {row[0] for row in query(db, sql, params)}


@pytest.mark.parametrize(
    ("options", "where", "params"),
    [
        (["--country", "IND"], "e.actor_countries LIKE '%IND%' OR e.recipient_countries LIKE '%IND%'", []),
        (["--quad", "4"], "e.quad_class = 4", []),
        (["--mode", "phone"], "e.mode = 'phone'", []),
        (["--min-confidence", "0.8"], "e.confidence >= 0.8", []),
        (["--no-background"], "NOT e.background", []),
        (["--outlet", "alpha.example"], "a.outlet = 'alpha.example'", []),
        (["--place-country", "IND"], "e.place_country = 'IND'", []),
        (["--country", "PAK", "--quad", "3", "--min-confidence", "0.5"],
         "(e.actor_countries LIKE '%PAK%' OR e.recipient_countries LIKE '%PAK%') AND e.quad_class = 3 AND e.confidence >= 0.5", []),
    ],
)
def test_events_filters_match_the_store(db: Path, options: list[str], where: str, params: list[Any]) -> None:
    rows = listed(db, *options)
    assert {r["event_type"] for r in rows} == types_in_file(db, where, params) != set()


def test_the_same_filters_on_stories_export_and_dyad(db: Path, tmp_path: Path) -> None:
    # stories: a cluster matches when one of its events does
    clusters = listed(db, "--country", "IND", "--no-background", command="clusters")
    assert {r["event_type"] for r in clusters} == {"ACCUSE", "ASSAULT", "CONSULT"}
    # export: the filtered events only, in each row format
    out = tmp_path / "quad4.csv"
    result = invoke("export", "csv", out, "--db", db, "--quad", "4", "--place-country", "IND")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert [(r["event_type"], r["mode"], r["place_country"]) for r in rows] == [("ASSAULT", "aerial", "IND")]
    # dyad: its own actor and recipient, narrowed by the rest
    dyad = listed(db, "PAK", "IND", "--by", "year", "--quad", "3", command="dyad")
    assert dyad == [{"period": "2020", "event_type": "ACCUSE", "n": 1}]


def test_sectors_stay_apart_in_the_csv_schema(db: Path, tmp_path: Path) -> None:
    # One CSV schema whether it comes from `events --format csv` or `export csv`.
    listed_csv = invoke("events", "--db", db, "--outlet", "alpha.example", "--format", "csv", "--oldest-first")
    assert listed_csv.exit_code == 0, listed_csv.output
    out = tmp_path / "alpha.csv"
    assert invoke("export", "csv", out, "--db", db, "--outlet", "alpha.example").exit_code == 0
    exported = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    from_events = list(csv.DictReader(listed_csv.stdout.splitlines()))
    assert list(from_events[0]) == list(exported[0])
    assert [r["id"] for r in from_events] == [r["id"] for r in exported]
    by_type = {r["event_type"]: r for r in exported}
    assert (by_type["ACCUSE"]["actor_countries"], by_type["ACCUSE"]["actor_sectors"]) == ("PAK", "GOV")
    assert (by_type["ASSAULT"]["actor_countries"], by_type["ASSAULT"]["actor_sectors"]) == ("PAK", "MIL")
    for row in exported:
        assert row["date_precision"] == "day" and row["confidence"] and row["cluster_id"]
        assert row["place_name"] in ("Lahore", "Kashmir")
    stored = {r[0]: r[1] for r in query(db, "SELECT e.id, c.cluster_id FROM events e JOIN cluster_events c ON c.event_id = e.id")}
    assert all(stored[r["id"]] == r["cluster_id"] for r in exported)


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--type", "ATTACK"], ["'ATTACK'", "ASSAULT", "REQUEST", "'--type'"]),
        (["--actor", "China"], ["'China'", "did you mean CHN?", "'--actor'"]),
        (["--country", "Narnia"], ["'Narnia'", "ISO 3166-1 alpha-3", "'--country'"]),
        (["--mode", "airstrike"], ["'airstrike'", "aerial", "'--mode'"]),
        (["--type", "CONSULT", "--mode", "aerial"], ["CONSULT has the modes", "phone", "'--mode'"]),
        (["--since", "2020-13-01"], ["2020-13-01", "%Y-%m-%d", "'--since'"]),
        (["--since", "2020-03-01", "--until", "2020-01-01"], ["after until"]),
        (["--quad", "5"], ["5", "not a quad class", "material conflict", "'--quad'"]),
        (["--min-confidence", "1.5"], ["1.5", "between 0 and 1", "'--min-confidence'"]),
    ],
)
def test_a_filter_that_names_nothing_is_a_usage_error(db: Path, options: list[str], says: list[str]) -> None:
    for command in ("events", "clusters"):
        result = invoke(command, "--db", db, *options)
        assert result.exit_code == 2, (command, result.output)
        text = " ".join(result.output.split())
        for words in says:
            assert words in text, (command, words, text)
        assert "Nothing to show" not in text


def test_dyad_codes_are_checked(db: Path) -> None:
    result = invoke("dyad", "Pakistan", "IND", "--db", db)
    assert result.exit_code == 2 and "did you mean PAK?" in " ".join(result.output.split())


def test_events_newest_first_unless_asked(db: Path) -> None:
    newest = [r["date"] for r in listed(db)]
    assert newest == sorted(newest, reverse=True) and newest[0] == "2020-03-15"
    oldest = [r["date"] for r in listed(db, "--oldest-first")]
    assert oldest == sorted(oldest) == sorted(newest)
    stored = sorted(str(d) for (d,) in query(db, "SELECT event_date FROM events"))
    assert oldest == stored


def test_settings_show_effective_value_and_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "eventcoder.toml").write_text("[settings]\nmin_confidence = 0.6\nstory_window_days = 5\n", encoding="utf-8")
    result = invoke("settings", "--format", "jsonl", env={"EVENTCODER_STORY_WINDOW_DAYS": "2", "EVENTCODER_MAX_CHARS": "5000"})
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in (json.loads(line) for line in result.stdout.splitlines())}
    assert (rows["min_confidence"]["value"], rows["min_confidence"]["source"]) == (0.6, "eventcoder.toml")
    assert (rows["story_window_days"]["value"], rows["story_window_days"]["source"]) == (2, "environment (EVENTCODER_STORY_WINDOW_DAYS)")
    assert (rows["max_chars"]["value"], rows["max_chars"]["default"]) == (5000, 100_000)
    assert (rows["batch_size"]["value"], rows["batch_size"]["source"]) == (32, "default")


def test_bad_settings_name_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bad_env = invoke("settings", env={"EVENTCODER_MAX_CHARS": "lots"})
    assert bad_env.exit_code == 1
    assert "max_chars" in bad_env.stderr and "EVENTCODER_MAX_CHARS" in bad_env.stderr and "'lots'" in bad_env.stderr
    bad_bool = invoke("settings", env={"EVENTCODER_VERIFY_MODEL": "maybe"})
    assert bad_bool.exit_code == 1 and "verify_model" in bad_bool.stderr
    (tmp_path / "eventcoder.toml").write_text("[settings]\nmin_confidance = 0.5\n", encoding="utf-8")
    unknown = invoke("settings")
    assert unknown.exit_code == 1
    assert "min_confidance" in unknown.stderr and "eventcoder.toml" in unknown.stderr and "min_confidence" in unknown.stderr
    # The same error stops a command that reads the settings, before it does anything.
    coded = invoke("code", tmp_path / "nothing.txt", "--db", tmp_path / "x.duckdb")
    assert coded.exit_code == 1 and "min_confidance" in coded.stderr


def test_published_on_stored_inputs_says_it_was_not_applied(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    db = tmp_path / "p.duckdb"
    first = invoke("code", folder, "--db", db, "--workers", "1")
    assert first.exit_code == 0, first.output
    again = invoke("code", folder, "--db", db, "--workers", "1", "--published", "2018-06-12")
    assert again.exit_code == 0, again.output
    text = " ".join(again.stderr.split())
    assert "--published 2018-06-12 was not applied" in text and "--recode" in text
    assert query(db, "SELECT published FROM articles") == [(None,)]
    recoded = invoke("code", folder, "--db", db, "--workers", "1", "--published", "2018-06-12", "--recode")
    assert recoded.exit_code == 0 and "not applied" not in recoded.stderr
    assert query(db, "SELECT published FROM articles") == [(dt.date(2018, 6, 12),)]


def test_text_files_take_metadata_from_a_sidecar(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cn.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "cn.meta.json").write_text(json.dumps({
        "published": "2018-06-12", "outlet": "mfa.example", "url": "https://mfa.example/cn", "title": "China urges the US",
    }), encoding="utf-8")  # fmt: skip
    (folder / "bad.txt").write_text(GOOD_TEXT.replace("China", "Russia"), encoding="utf-8")
    (folder / "bad.meta.json").write_text('{"published": "last Tuesday or so", "outlet": "x"}', encoding="utf-8")
    db = tmp_path / "m.duckdb"
    result = invoke("code", folder, "--db", db, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "Coded 2 article(s)" in result.stdout  # the sidecars are not inputs of their own
    rows = query(db, "SELECT source, published, outlet, url, title FROM articles ORDER BY source")
    by_name = {Path(r[0]).name: r[1:] for r in rows}
    assert by_name["cn.txt"] == (dt.date(2018, 6, 12), "mfa.example", "https://mfa.example/cn", "China urges the US")
    assert by_name["bad.txt"] == (None, None, None, None)  # coded without its unusable sidecar ...
    failures = query(db, "SELECT code, source, reason FROM failures WHERE source LIKE '%bad.meta.json'")
    assert len(failures) == 1 and failures[0][0] == "E106" and "not a date" in failures[0][2]  # ... which is recorded
