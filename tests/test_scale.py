"""Coding at scale: the local process pool (order, equivalence, bounded reading, the store
it writes, ``code --workers``) and the Ray Data runner in local mode, read back with DuckDB.

Worker processes are real (spawned, each loading spaCy), and so is the local Ray instance;
batch_size is kept tiny so a handful of articles spans several chunks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from eventcoder import Article, Options, open_store
from eventcoder.cli import app
from eventcoder.ingest import read_parquet
from eventcoder.model import Rejected
from eventcoder.run import code_articles, code_files
from eventcoder.scale.local import IN_FLIGHT_PER_WORKER, code_parallel

REQUEST = "China asked North Korea on Tuesday to halt its missile tests, the foreign ministry in Beijing said."
ATTACK = "Russian troops attacked the Ukrainian city of Kharkiv on Monday, killing five civilians, officials said."
NOT_ENGLISH = ("Die Regierung hat am Dienstag beschlossen, die Steuern zu senken, und der Minister "
               "sagte, dass die Wirtschaft wachsen werde, wenn die Reform gelingt und alle mitmachen.")
OPTIONS = Options(batch_size=2)


def texts(n: int) -> list[str]:
    """N distinct short articles: the REQUEST and ATTACK sentences, numbered apart."""
    return [f"{(REQUEST, ATTACK)[i % 2]} Report {i}." for i in range(n)]


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def record(text: str, day: int = 1) -> str:
    return json.dumps({"id": day, "url": f"https://example.org/{day}", "outlet": "example.org",
                       "published": f"2024-03-{day:02d}", "title": text[:30], "text": text})


def test_pool_gives_the_in_process_output_in_input_order(seed_articles: list[Article]) -> None:
    articles = [Article.from_text(t, source=f"t{i}") for i, t in enumerate(texts(5))]
    articles[3:3] = [*seed_articles, Article.from_text(NOT_ENGLISH, source="de")]
    parallel = list(code_parallel(articles, OPTIONS, workers=2))
    assert [c.article.id for c in parallel] == [a.id for a in articles]
    single = list(code_articles(articles, OPTIONS))
    assert [[e.id for e in c.events] for c in parallel] == [[e.id for e in c.events] for c in single]
    # Decisive facts, not just equality: the REQUEST and ATTACK sentences and the seed event.
    assert "REQUEST" in {e.event_type for e in parallel[0].events}
    assert ("ASSAULT", ["RUS"], ["UKR"]) in [(e.event_type, [a.country for a in e.actors], [a.country for a in e.recipients])
                                              for e in parallel[1].events]
    german = next(c for c in parallel if c.article.source == "de")
    assert [r.code for r in german.rejections] == ["E202"]
    seed = next(c for c in parallel if c.article.source.endswith("001_c76b20e5116ed450.txt"))
    assert any(e.event_type == "AGREE" and {"USA", "PRK"} <= {a.country for a in e.actors} for e in seed.events)


def test_pool_reads_its_input_lazily() -> None:
    """Memory stays flat because the pool never pulls more than a few chunks ahead."""
    pulled = 0

    def stream() -> Iterator[Article]:
        nonlocal pulled
        for i, text in enumerate(texts(40)):
            pulled += 1
            yield Article.from_text(text, source=f"t{i}")

    workers = 2
    coded = code_parallel(stream(), OPTIONS, workers=workers)
    first = next(coded)
    assert first.article.source == "t0"
    # In flight: workers * IN_FLIGHT_PER_WORKER chunks, plus the chunk being read.
    assert pulled <= (workers * IN_FLIGHT_PER_WORKER + 1) * OPTIONS.batch_size < 40
    assert len([first, *coded]) == 40 and pulled == 40


def test_replaced_workers_keep_order() -> None:
    """Workers restarted after every chunk (to bound spaCy's vocabulary growth) change nothing."""
    articles = [Article.from_text(t, source=f"t{i}") for i, t in enumerate(texts(6))]
    coded = list(code_parallel(articles, OPTIONS, workers=2, restart_after=1))
    assert [c.article.source for c in coded] == [f"t{i}" for i in range(6)]
    assert [{e.event_type for e in c.events} & {"REQUEST", "ASSAULT"} for c in coded] == [{"REQUEST"}, {"ASSAULT"}] * 3


def test_code_files_with_workers_stores_everything(tmp_path: Path) -> None:
    feed = write_jsonl(tmp_path / "feed.jsonl", [record(t, i + 1) for i, t in enumerate(texts(6))] + ["{not json"])
    with open_store(tmp_path / "pool.duckdb") as store:
        summary = code_files([feed], store, OPTIONS, workers=2)
    assert summary.articles == 6
    con = duckdb.connect(str(tmp_path / "pool.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone() == (6,)
    assert con.execute("SELECT code, line FROM failures WHERE stage = 'ingest'").fetchall() == [("E106", 7)]
    types = {row[0] for row in con.execute("SELECT DISTINCT event_type FROM events").fetchall()}
    assert "REQUEST" in types
    published = con.execute("SELECT min(published), max(published) FROM articles").fetchone()
    assert published is not None and [d.isoformat() for d in published] == ["2024-03-01", "2024-03-06"]
    con.close()


def test_cli_code_with_workers(tmp_path: Path) -> None:
    feed = write_jsonl(tmp_path / "feed.jsonl", [record(t, i + 1) for i, t in enumerate(texts(70))])
    db = tmp_path / "cli.duckdb"
    # 70 articles are more than one default batch (32), so the pool really starts.
    result = CliRunner().invoke(app, ["code", str(feed), "--db", str(db), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "Coded 70 article(s)" in result.stdout
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone() == (70,)
    con.close()


def test_parquet_reader(tmp_path: Path) -> None:
    path = tmp_path / "shard.parquet"
    table = pa.table({"id": [1, 2], "title": ["A", "B"], "published": ["2024-03-05", None],
                      "outlet": ["example.org", None], "text": [REQUEST, None]})
    pq.write_table(table, path)
    items = list(read_parquet(path))
    assert isinstance(items[0], Article)
    assert (items[0].published.isoformat(), items[0].outlet, items[0].source) == ("2024-03-05", "example.org", f"{path}:1")
    assert isinstance(items[1], Rejected) and (items[1].code, items[1].line) == ("E102", 2)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    assert [r.code for r in read_parquet(broken)] == ["E106"]  # type: ignore[union-attr]


def test_ray_local_mode_writes_partitioned_parquet(tmp_path: Path) -> None:
    from eventcoder.scale.ray import code_shards_on_ray

    shards = tmp_path / "shards"
    shards.mkdir()
    write_jsonl(shards / "day-01.jsonl", [record(REQUEST, 1), "{not json", record(NOT_ENGLISH, 1)])
    write_jsonl(shards / "day-02.jsonl", [record(ATTACK, 2)])
    pq.write_table(pa.table({"text": [f"{REQUEST} Again.", "  "], "published": ["2024-03-03", "2024-03-03"]}),
                   shards / "day-03.parquet")
    out = tmp_path / "out"
    rows = code_shards_on_ray([str(shards / "*")], out, workers=2, options=replace(Options(), batch_size=4))
    assert [(r["shard"], r["articles"]) for r in rows] == [("day-01.jsonl", 2), ("day-02.jsonl", 1), ("day-03.parquet", 1)]

    def read(table: str, select: str) -> list[tuple[object, ...]]:
        glob = str(out / table / "**" / "*.parquet")
        return duckdb.sql(f"SELECT {select} FROM read_parquet('{glob}', hive_partitioning = true) "
                          f"GROUP BY ALL ORDER BY ALL").fetchall()

    assert read("articles", "shard, count(*)") == [("day-01.jsonl", 2), ("day-02.jsonl", 1), ("day-03.parquet", 1)]
    assert read("failures", "shard, code, line") == [("day-01.jsonl", "E106", 2), ("day-01.jsonl", "E202", None),
                                                      ("day-03.parquet", "E102", 2)]
    events = read("events", "shard, event_type")
    assert ("day-01.jsonl", "REQUEST") in events and ("day-03.parquet", "REQUEST") in events
    assert any(shard == "day-02.jsonl" for shard, _ in events)
    actors = read("event_actors", "shard, country")
    assert ("day-01.jsonl", "CHN") in actors and ("day-01.jsonl", "PRK") in actors


def test_ray_refuses_missing_shards(tmp_path: Path) -> None:
    from eventcoder.errors import InputError
    from eventcoder.scale.ray import code_shards_on_ray

    with pytest.raises(InputError, match="E101.*matched no files"):
        code_shards_on_ray([str(tmp_path / "none-*.jsonl")], tmp_path / "out")
