"""Store: schema, idempotent saves, replacement, failures, rollback, open errors.

Every test writes a real DuckDB file and reads it back with duckdb directly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from eventcoder.errors import StoreError
from eventcoder.model import Place, Rejected
from eventcoder.store import SCHEMA_VERSION, open_store
from eventcoder.store.duckdb import failure_id
from eventcoder.testing import make_article, make_coded, make_event


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "events.duckdb"


def read(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_open_creates_file_schema_and_version(db_path: Path) -> None:
    with open_store(db_path) as store:
        assert store.counts() == {"articles": 0, "events": 0, "event_actors": 0, "failures": 0}
        assert store.schema_version() == SCHEMA_VERSION == 4
    assert db_path.is_file()
    tables = {r[0] for r in read(db_path, "SELECT table_name FROM information_schema.tables")}
    assert {"schema_version", "articles", "events", "event_actors", "failures"} <= tables
    assert read(db_path, "SELECT version FROM schema_version") == [(4,)]
    indexes = {r[0] for r in read(db_path, "SELECT index_name FROM duckdb_indexes()")}
    assert {"events_event_date", "events_event_type", "event_actors_country"} <= indexes


def test_reopen_keeps_one_version_row(db_path: Path) -> None:
    open_store(db_path).close()
    open_store(db_path).close()
    assert read(db_path, "SELECT count(*) FROM schema_version") == [(1,)]


def test_save_writes_article_events_actors(db_path: Path) -> None:
    article = make_article(published=dt.date(2018, 6, 13), outlet="xinhua")
    place = Place(name="Beijing", text="Beijing", start_char=94, end_char=101, country="CHN", lat=39.9, lon=116.4)
    coded = make_coded(
        article,
        events=[
            {"actors": ("CHN", "RUS"), "recipients": ("PRK",), "quad_class": 1, "intensity": 3.0, "place": place},
            {"event_type": "THREATEN", "actors": ("USA",), "recipients": ("PRK",), "date": None},
        ],
    )
    with open_store(db_path) as store:
        assert store.save(coded) == 2
    assert read(db_path, "SELECT id, outlet, published FROM articles") == [(article.id, "xinhua", dt.date(2018, 6, 13))]
    request = coded.events[0]
    row = read(
        db_path,
        f"SELECT event_type, quad_class, intensity, event_date, actor_countries, recipient_countries, "
        f"place_name, lat, extractor FROM events WHERE id = '{request.id}'",
    )
    assert row == [("REQUEST", 1, 3.0, dt.date(2018, 6, 12), "CHN;RUS", "PRK", "Beijing", 39.9, "testing.v1")]
    actors = read(
        db_path,
        f"SELECT role, position, country, sector FROM event_actors WHERE event_id = '{request.id}' ORDER BY role, position",
    )
    assert actors == [("actor", 0, "CHN", "GOV"), ("actor", 1, "RUS", "GOV"), ("recipient", 0, "PRK", "GOV")]
    assert read(db_path, f"SELECT event_date FROM events WHERE id = '{coded.events[1].id}'") == [(None,)]


def test_resave_adds_nothing_twice(db_path: Path) -> None:
    rej = Rejected(source="feed.jsonl", line=3, stage="events", code="E203", reason="no event pattern matched")
    coded = make_coded(events=[{}, {"event_type": "CONSULT"}], rejections=[rej])
    with open_store(db_path) as store:
        assert store.save(coded) == 2
        assert store.save(coded) == 0
        assert store.counts() == {"articles": 1, "events": 2, "event_actors": 4, "failures": 1}
    # Reopening the file and saving again is just as idempotent.
    with open_store(db_path) as store:
        assert store.save(coded) == 0
    assert read(db_path, "SELECT count(*) FROM events") == [(2,)]


def test_same_event_id_replaces_old_row(db_path: Path) -> None:
    article = make_article()
    old = make_event(article, actors=("CHN", "RUS"), confidence=0.4)
    # Same id (same identity fields), new content: fewer actors would change the id, so
    # rebuild the record directly with the old id.
    new = old.model_copy(update={"confidence": 0.9, "mode": "verbal", "actors": old.actors[:1]})
    with open_store(db_path) as store:
        assert store.save(make_coded(article, events=[]).model_copy(update={"events": [old]})) == 1
        assert store.save(make_coded(article, events=[]).model_copy(update={"events": [new]})) == 0
    assert read(db_path, "SELECT id, confidence, mode, actor_countries FROM events") == [(old.id, 0.9, "verbal", "CHN")]
    assert read(db_path, "SELECT role, country FROM event_actors ORDER BY role") == [("actor", "CHN"), ("recipient", "PRK")]


def test_record_failure_is_idempotent(db_path: Path) -> None:
    rej = Rejected(source="bad.html", stage="ingest", code="E105", reason="no main text")
    other = Rejected(source="bad.html", line=2, stage="ingest", code="E105", reason="no main text")
    with open_store(db_path) as store:
        store.record_failure(rej)
        store.record_failure(rej)
        store.record_failure(other)
        rows = store.failures()
    assert len(rows) == 2
    assert {r["id"] for r in rows} == {failure_id(rej), failure_id(other)}
    assert read(db_path, f"SELECT source, line, code FROM failures WHERE id = '{failure_id(rej)}'") == [
        ("bad.html", None, "E105")
    ]


def test_failed_write_rolls_back_and_keeps_earlier_data(db_path: Path) -> None:
    good = make_coded()
    second = make_article("Russia condemned the strikes on Monday, its foreign ministry said.")
    # quad_class 9 violates the CHECK constraint, after the article row was already written
    # inside the transaction.
    bad = make_coded(second, events=[{"actors": ("RUS",), "quad_class": 1}, {"event_type": "DISAPPROVE", "quad_class": 9}])
    with open_store(db_path) as store:
        store.save(good)
        with pytest.raises(StoreError) as info:
            store.save(bad)
        assert info.value.code == "E303"
        assert "rolled back" in str(info.value)
        # The connection stays usable after the rollback.
        assert store.counts() == {"articles": 1, "events": 1, "event_actors": 2, "failures": 0}
    assert read(db_path, "SELECT id FROM articles") == [(good.article.id,)]
    assert read(db_path, "SELECT id FROM events") == [(good.events[0].id,)]


def test_newer_schema_version_is_refused(db_path: Path) -> None:
    open_store(db_path).close()
    con = duckdb.connect(str(db_path))
    con.execute("UPDATE schema_version SET version = ?", [SCHEMA_VERSION + 1])
    con.close()
    with pytest.raises(StoreError) as info:
        open_store(db_path)
    assert info.value.code == "E302"
    assert str(db_path) in str(info.value)


def test_unwritable_path_is_e301(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a directory should be")
    target = blocker / "events.duckdb"
    with pytest.raises(StoreError) as info:
        open_store(target)
    assert info.value.code == "E301"
    assert str(target) in str(info.value)


def test_garbage_file_is_e301(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a duckdb database" * 100)
    with pytest.raises(StoreError) as info:
        open_store(junk)
    assert info.value.code == "E301"


def test_memory_store_and_save_many() -> None:
    batch = [make_coded(make_article(f"Article number {i} says China met Russia.")) for i in range(50)]
    with open_store(":memory:") as store:
        assert store.save_many(batch) == 50
        assert store.save_many(batch) == 0
        assert store.counts()["articles"] == 50
        assert len(store.articles(limit=10)) == 10
