"""The command line, end to end: real DuckDB files, reopened with ``duckdb.connect`` to check
rows (as sqlite-utils' CLI tests do), plus the installed entry point run in a subprocess.

The two coded stores (the demo seeds, and a small folder with one good and two bad inputs)
are built once per module; spaCy loads once per process.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.main import get_command
from typer.testing import CliRunner, Result

import eventcoder
from eventcoder.cli import actor_label, app

ROOT = Path(__file__).resolve().parents[1]
GOOD_TEXT = (
    "China urged the United States on Tuesday to ease sanctions on North Korea, "
    "the foreign ministry in Beijing said in a statement.\n\n"
    "Foreign ministry spokesman Geng Shuang told reporters that all parties should "
    "return to talks on the Korean peninsula."
)
COMMANDS = {
    "demo": "bundled seed articles",
    "code": "Code news articles",
    "events": "List stored events",
    "dyad": "ACTOR to RECIPIENT",
    "failures": "could not be coded",
    "export": "Export stored events",
    "eval": "gold events",
    "settings": "every setting",
    "stories": "List stories",
    "clusters": "List deduplicated events",
    "serve": "Browse stored events in a web page",
    "code-ray": "Code shards on a Ray cluster",
}


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], prog_name="eventcoder")
    # The exit's traceback holds the command's frames, and with them closed DuckDB
    # connections; dropped here, or duckdb's bindings report them as leaked at exit.
    exc = result.exception
    while exc is not None:
        exc.__traceback__ = None
        exc = exc.__context__
    result.exc_info = None
    return result


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows from the DuckDB file the CLI wrote, read through a fresh connection."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    return db, invoke("demo", "--db", db)


@pytest.fixture(scope="module")
def demo_db(demo_run: tuple[Path, Result]) -> Path:
    db, result = demo_run
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One good article, one empty file, one binary file."""
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "scan.bin").write_bytes(b"\x00\x01\x02binary\x00" * 64)
    return folder


@pytest.fixture(scope="module")
def coded(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    db = tmp_path_factory.mktemp("coded") / "events.duckdb"
    return db, invoke("code", inputs, "--db", db, "--published", "2018-06-12")


# -- demo -----------------------------------------------------------------------------------


def test_demo_codes_both_seeds(demo_db: Path) -> None:
    per_article = query(demo_db, """
        SELECT a.source, a.published, count(e.id)
        FROM articles a LEFT JOIN events e ON e.article_id = a.id
        GROUP BY a.source, a.published ORDER BY a.source""")  # fmt: skip
    assert [Path(src).name[:3] for src, _, _ in per_article] == ["000", "001"]
    assert all(n >= 1 for _, _, n in per_article), per_article
    assert "2019-12-24" in {str(published) for _, published, _ in per_article}


def test_demo_prints_events_grouped_by_article(demo_run: tuple[Path, Result]) -> None:
    db, result = demo_run
    assert result.exit_code == 0, result.output
    assert "CCP Regime Determined to Ease Sanctions on North Korea — 2019-12-24" in result.stdout
    assert "CHN GOV (Geng Shuang)" in result.stdout
    assert "REQUEST" in result.stdout
    assert str(db) in result.output


def test_demo_defaults_to_a_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # re-read TMPDIR
    result = invoke("demo")
    assert result.exit_code == 0, result.output
    (made,) = tmp_path.glob("eventcoder-demo-*/demo.duckdb")
    assert str(made) in result.output
    assert query(made, "SELECT count(*) FROM events")[0][0] > 0


def test_actor_label() -> None:
    assert actor_label({"country": "CHN", "sector": "GOV", "name": "Geng Shuang", "text": "Geng"}) == "CHN GOV (Geng Shuang)"
    assert actor_label({"country": "CHN", "sector": "GOV", "name": None, "text": "China"}) == "CHN GOV"
    assert actor_label({"country": None, "sector": "GOV", "name": None, "text": "the leaders"}) == "GOV (the leaders)"


# -- code -----------------------------------------------------------------------------------


def test_code_keeps_going_past_bad_inputs(coded: tuple[Path, Result], inputs: Path) -> None:
    db, result = coded
    assert result.exit_code == 0, result.output
    assert "Coded 1 article(s)" in result.stdout
    assert "2 failure(s)" in result.stdout
    failures = {(code, Path(source).name) for code, source in query(db, "SELECT code, source FROM failures")}
    assert ("E102", "empty.txt") in failures
    assert ("E103", "scan.bin") in failures
    assert "[E102]" in result.output and "empty.txt" in result.output  # reported as it happened
    events = query(db, "SELECT event_type, actor_countries FROM events")
    assert events and any("CHN" in (countries or "") for _, countries in events), events
    assert query(db, "SELECT published FROM articles")[0][0].isoformat() == "2018-06-12"


def test_code_again_adds_nothing(coded: tuple[Path, Result], inputs: Path) -> None:
    db, _ = coded
    tables = ("articles", "events", "event_actors", "failures")
    before = {t: query(db, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    result = invoke("code", inputs, "--db", db, "--published", "2018-06-12")
    assert result.exit_code == 0, result.output
    assert ", 0 new;" in result.stdout
    assert {t: query(db, f"SELECT count(*) FROM {t}")[0][0] for t in tables} == before


def test_code_with_nothing_readable_exits_1(inputs: Path, tmp_path: Path) -> None:
    db = tmp_path / "bad.duckdb"
    result = invoke("code", inputs / "empty.txt", inputs / "scan.bin", tmp_path / "missing.txt", "--db", db)
    assert result.exit_code == 1
    assert "Nothing could be coded" in result.stderr
    assert {row[0] for row in query(db, "SELECT code FROM failures")} == {"E101", "E102", "E103"}


def test_code_rejects_a_malformed_date(inputs: Path, tmp_path: Path) -> None:
    result = invoke("code", inputs, "--db", tmp_path / "x.duckdb", "--published", "12/06/2018")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output or "12/06/2018" in result.output


# -- reading --------------------------------------------------------------------------------


def test_events_jsonl_filters_by_actor(demo_db: Path) -> None:
    result = invoke("events", "--db", demo_db, "--actor", "CHN", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows
    for row in rows:
        assert "CHN" in {a["country"] for a in row["actors"]}
        assert row["sentence"] and row["date"]
    total = query(demo_db, "SELECT count(*) FROM events")[0][0]
    assert len(rows) < total


def test_events_filters_and_csv(demo_db: Path) -> None:
    result = invoke("events", "--db", demo_db, "--type", "request", "--since", "2019-01-01",
                    "--until", "2019-12-31", "--limit", "2", "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert 1 <= len(rows) <= 2
    assert {r["event_type"] for r in rows} == {"REQUEST"}
    assert all(r["date"].startswith("2019-") for r in rows)


def test_events_table(demo_db: Path) -> None:
    result = invoke("events", "--db", demo_db, "--recipient", "PRK")
    assert result.exit_code == 0, result.output
    assert "PRK" in result.stdout and "CCP Regime Determined" in result.stdout  # each event names its source
    assert " — 2019-12-24 — " not in result.stdout  # one list, not grouped under article headings


def test_reading_a_missing_store_is_a_clean_error(tmp_path: Path) -> None:
    for command in (["events"], ["dyad", "CHN", "PRK"], ["failures"], ["export", "csv", str(tmp_path / "o.csv")]):
        result = invoke(*command, "--db", tmp_path / "nope.duckdb")
        assert result.exit_code == 1, (command, result.output)
        assert "no store at" in result.stderr
        assert "Traceback" not in result.output
    assert not (tmp_path / "nope.duckdb").exists()


def test_dyad_timeline(demo_db: Path) -> None:
    result = invoke("dyad", "CHN", "PRK", "--db", demo_db, "--by", "year", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and {r["period"] for r in rows} <= {"2018", "2019"}
    assert all(r["n"] >= 1 for r in rows)


def test_failures_listing(coded: tuple[Path, Result]) -> None:
    db, _ = coded
    result = invoke("failures", "--db", db, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    codes = {json.loads(line)["code"] for line in result.stdout.splitlines()}
    assert {"E102", "E103"} <= codes
    table = invoke("failures", "--db", db)
    assert "E103" in table.stdout


def test_settings_lists_every_setting() -> None:
    result = invoke("settings", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    names = [json.loads(line)["name"] for line in result.stdout.splitlines()]
    assert names == [s.name for s in eventcoder.settings.SETTINGS]


# -- export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["plover-jsonl", "gdelt-tsv", "csv", "parquet"])
def test_export_writes_each_format(demo_db: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    result = invoke("export", fmt, target, "--db", demo_db)
    assert result.exit_code == 0, result.output
    n = query(demo_db, "SELECT count(*) FROM events")[0][0]
    if fmt == "gdelt-tsv":  # one row per deduplicated event (cluster), as GDELT counts events
        n = query(demo_db, "SELECT count(*) FROM event_clusters")[0][0]
        # The two seeds are different stories (2018 and 2019) and an article's own events are
        # distinct events, so here every event is its own cluster.
        assert 0 < n == query(demo_db, "SELECT count(*) FROM events")[0][0]
        assert f"Wrote {n} event cluster(s)" in result.stdout
    else:
        assert f"Wrote {n} event(s)" in result.stdout
    if fmt == "parquet":
        events = target / "events.parquet"
        assert events.stat().st_size > 0
        assert query(demo_db, "SELECT count(*) FROM read_parquet(?)", [str(events)])[0][0] == n
    else:
        assert target.stat().st_size > 0
        with target.open(encoding="utf-8", newline="") as fh:
            if fmt == "plover-jsonl":
                records = [json.loads(line) for line in fh]
            else:  # sentences may hold newlines, quoted: count records, not lines
                records = list(csv.DictReader(fh, delimiter="\t" if fmt == "gdelt-tsv" else ","))
        assert len(records) == n


def test_export_filters_and_refusals(demo_db: Path, tmp_path: Path) -> None:
    result = invoke("export", "plover-jsonl", tmp_path / "chn.jsonl", "--db", demo_db, "--actor", "CHN", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "chn.jsonl").read_text().splitlines()) == 3
    refused = invoke("export", "parquet", tmp_path / "pq", "--db", demo_db, "--actor", "CHN")
    assert refused.exit_code == 1 and "takes no filters" in refused.stderr
    unknown = invoke("export", "xml", tmp_path / "x.xml", "--db", demo_db)
    assert unknown.exit_code == 2


# -- eval -----------------------------------------------------------------------------------


def test_eval_of_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("eval", tmp_path / "gold.json")
    assert result.exit_code == 2
    assert "does not exist" in result.output


# -- help, version, entry point, docs -------------------------------------------------------


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert COMMANDS[command] in " ".join(result.stdout.split())


def test_every_command_has_a_help_check() -> None:
    assert set(get_command(app).commands) == set(COMMANDS)  # type: ignore[attr-defined]


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"eventcoder {eventcoder.__version__}"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_python_dash_m_exit_code_and_stderr(inputs: Path, tmp_path: Path) -> None:
    # A real process: exit status, stderr and no traceback as a shell would see them.
    bad = _run(sys.executable, "-m", "eventcoder", "code", str(inputs / "empty.txt"), str(inputs / "scan.bin"),
               "--db", str(tmp_path / "bad.duckdb"), cwd=tmp_path)  # fmt: skip
    assert bad.returncode == 1
    assert "Nothing could be coded" in bad.stderr
    assert "[E103]" in bad.stderr and "Traceback" not in bad.stderr


def test_installed_console_script() -> None:
    script = Path(sys.executable).with_name("eventcoder")
    if not script.exists():
        pytest.skip("the eventcoder console script is not installed beside this Python")
    proc = _run(str(script), "--version", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"eventcoder {eventcoder.__version__}"


def test_cli_docs_are_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("generate_cli_docs", ROOT / "docs" / "generate_cli_docs.py")
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    current = generator.TARGET.read_text(encoding="utf-8") if generator.TARGET.exists() else ""
    assert current == generator.render(), (
        "docs/CLI.md is out of date with the commands' --help; regenerate it with: python docs/generate_cli_docs.py"
    )
