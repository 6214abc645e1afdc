"""Stories and deduplicated event clusters: the pure stage, the store tables, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import eventcoder
from eventcoder.cli import app
from eventcoder.settings import Options
from eventcoder.store import SCHEMA_VERSION, Store, open_store, queries
from eventcoder.stories import ClusterEvent, StoryArticle, cluster_events, shingles, story_groups
from eventcoder.testing import make_article, make_coded, story_feed_records, write_story_feed

WIRE = (
    "Chinese Foreign Ministry spokesman Geng Shuang said on Tuesday that sanctions on North Korea "
    "could be adjusted if Pyongyang complies with United Nations resolutions, after the summit "
    "between Donald Trump and Kim Jong Un in Singapore ended with a joint statement on denuclearization."
)


def event(eid: str, article: str, day: int | None, **kw: object) -> ClusterEvent:
    """A ClusterEvent for CHN -> PRK REQUEST in June 2018 unless told otherwise."""
    fields: dict[str, object] = {
        "event_type": "REQUEST", "actor_countries": frozenset({"CHN"}), "recipient_countries": frozenset({"PRK"}),
        "date": dt.date(2018, 6, day) if day else None, "outlet": f"outlet-{article}",
    }  # fmt: skip
    fields.update(kw)
    return ClusterEvent(id=eid, article_id=article, **fields)  # type: ignore[arg-type]


# -- the pure stage ----------------------------------------------------------------------------


def test_shingles_are_normalized_content_words() -> None:
    assert shingles("The Minister SAID: sanctions, sanctions!") == {"minister", "sanctions"}
    assert shingles("China urged North Korea to talk", size=2) == {"china urged", "urged north", "north korea", "korea talk"}


def test_near_duplicates_are_one_story_and_other_texts_are_not() -> None:
    reprint = "SINGAPORE (Wire) — " + WIRE + " All rights reserved."
    other = "Floods in Bangladesh displaced thousands of families as the monsoon rains hit the delta region hard."
    articles = [StoryArticle("a", WIRE), StoryArticle("b", reprint), StoryArticle("c", other), StoryArticle("d", "")]
    assert story_groups(articles) == [["a", "b"], ["c"], ["d"]]


def test_same_key_within_window_merges_and_outside_does_not() -> None:
    events = [event("e1", "a1", 12), event("e2", "a2", 14), event("e3", "a3", 20)]
    clusters = cluster_events(events, window_days=3)
    assert [c.event_ids for c in clusters] == [("e1", "e2"), ("e3",)]
    first = clusters[0]
    assert (first.num_mentions, first.num_sources, first.num_articles) == (2, 2, 2)
    assert (first.first_date, first.last_date) == (dt.date(2018, 6, 12), dt.date(2018, 6, 14))


def test_background_and_other_recipients_stay_apart() -> None:
    events = [
        event("e1", "a1", 12),
        event("e2", "a2", 12, background=True),
        event("e3", "a3", 12, recipient_countries=frozenset({"USA"})),
        event("e4", "a4", None),  # undated, not in a story: alone
    ]
    assert sorted(c.event_ids for c in cluster_events(events)) == [("e1",), ("e2",), ("e3",), ("e4",)]


def test_story_links_merge_the_same_sentence_across_outlets_whatever_the_dates() -> None:
    copy = "SINGAPORE (Wire) — " + WIRE
    events = [
        event("e1", "a1", 12, sentence=WIRE),
        event("e2", "a2", None, recipient_countries=frozenset(), sentence=copy),  # no date, no recipient
        event("e3", "a2", 28, sentence="China also asked Seoul to keep talking."),
    ]
    clusters = cluster_events(events, stories={"a1": "s1", "a2": "s1"})
    assert sorted(c.event_ids for c in clusters) == [("e1", "e2"), ("e3",)]


def test_canonical_event_and_ids_do_not_depend_on_input_order() -> None:
    events = [
        event("e1", "a1", 12, confidence=0.6, outlet="Reuters"),
        event("e2", "a2", 13, confidence=0.9, outlet="AP"),
        event("e3", "a3", 13, confidence=0.9, completeness=3, outlet="reuters"),
    ]
    forward, backward = cluster_events(events), cluster_events(events[::-1])
    assert forward == backward and len(forward) == 1
    cluster = forward[0]
    assert cluster.canonical_event_id == "e3"  # ties on confidence go to the more complete record
    assert cluster.sources == ("ap", "reuters") and cluster.num_sources == 2 and cluster.num_articles == 3


# -- the store: a real DuckDB file coded from a real feed ------------------------------------------


@pytest.fixture(scope="module")
def coded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file made by ``code_files`` from the story feed: one wire story filed by two
    outlets (different texts, one story) and one unrelated article."""
    folder = tmp_path_factory.mktemp("stories")
    feed = write_story_feed(folder)
    db = folder / "stories.duckdb"
    with open_store(db) as store:
        summary = eventcoder.code_files([feed], store, Options())
    assert summary.articles == 3 and summary.clusters > 0
    return db


@pytest.fixture
def store(coded_db: Path) -> Iterator[Store]:
    with open_store(coded_db) as s:
        yield s


def _article_ids(store: Store) -> dict[str, str]:
    return {a["outlet"]: a["id"] for a in store.articles()}


def test_the_two_outlets_are_one_story(store: Store) -> None:
    ids = _article_ids(store)
    stories = {r["article_id"]: r["story_id"] for r in store._rows("SELECT * FROM stories")}
    assert stories[ids["arabnews.com"]] == stories[ids["gulfdaily.example"]] != stories[ids["epochtimes.com"]]
    story = queries.story_articles(store, ids["arabnews.com"])
    assert {r["outlet"] for r in story} == {"arabnews.com", "gulfdaily.example"}


def test_one_cluster_keeps_both_sources(store: Store) -> None:
    rows = queries.clusters(store, actor="CHN", recipient="PRK", event_type="REQUEST", until="2018-12-31")
    assert rows, "the wire story's CHN -> PRK request was not clustered"
    top = max(rows, key=lambda r: r["num_mentions"])
    assert (top["num_sources"], top["num_articles"]) == (2, 2)
    assert top["sources"] == ["arabnews.com", "gulfdaily.example"]
    assert top["num_mentions"] >= 2 and top["first_date"] == dt.date(2018, 6, 12)
    # The canonical event is a member with the highest confidence.
    members = store._rows(
        "SELECT e.id, e.confidence FROM cluster_events ce JOIN events e ON e.id = ce.event_id WHERE ce.cluster_id = ?",
        [top["cluster_id"]],
    )
    assert top["id"] in {m["id"] for m in members}
    assert top["confidence"] == max(m["confidence"] for m in members)
    # The unrelated 2019 article has no event in a cluster with the 2018 outlets.
    later = queries.clusters(store, since="2019-01-01")
    assert later and all(r["sources"] == ["epochtimes.com"] for r in later)


def test_event_sources_lists_every_report(store: Store) -> None:
    top = max(queries.clusters(store, event_type="REQUEST", until="2018-12-31"), key=lambda r: r["num_mentions"])
    sources = queries.event_sources(store, top["id"])
    assert len(sources) == top["num_mentions"]
    assert set(sources[0]) == {"article_id", "outlet", "url", "title", "published", "sentence", "start_char", "end_char", "event_id"}
    urls = {s["url"] for s in sources}
    records = {r["outlet"]: r for r in story_feed_records()}
    assert urls == {records["arabnews.com"]["url"], records["gulfdaily.example"]["url"]}
    texts = {a["id"]: a["text"] for a in store.articles()}
    for s in sources:  # every sentence is where its offsets say, in its own article
        assert s["sentence"] and s["sentence"] in texts[s["article_id"]]
    assert queries.event_sources(store, "no-such-event") == []


def test_every_event_is_in_exactly_one_cluster_and_counts_add_up(store: Store) -> None:
    n_events = store.counts()["events"]
    counts = store.story_counts()
    assert counts["cluster_events"] == n_events and counts["stories"] == 3
    total = store._rows("SELECT sum(num_mentions) AS n FROM event_clusters")[0]["n"]
    assert total == n_events


def test_recoding_keeps_the_same_ids(coded_db: Path, tmp_path: Path) -> None:
    with open_store(coded_db) as store:
        before = sorted(r["cluster_id"] for r in queries.clusters(store))
        feed = write_story_feed(tmp_path)
        eventcoder.code_files([feed], store, Options())
        assert sorted(r["cluster_id"] for r in queries.clusters(store)) == before


def test_version_1_store_is_migrated_and_clustered(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with open_store(db) as store:
        store.save(make_coded(make_article(outlet="Reuters")))
        store.save(make_coded(make_article("China asked North Korea to halt missile tests, Xinhua said.", outlet="Xinhua")))
    con = duckdb.connect(str(db))  # make it what eventcoder 0.1 wrote: no story tables, version 1
    for table in ("stories", "event_clusters", "cluster_events", "corrections"):
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE schema_version SET version = 1")
    con.close()
    with open_store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        rows = queries.clusters(store)
        assert len(rows) == 1 and (rows[0]["num_sources"], rows[0]["num_articles"]) == (2, 2)


def test_stories_command(coded_db: Path) -> None:
    result = CliRunner().invoke(app, ["stories", "--db", str(coded_db), "--type", "REQUEST", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and {r["event_type"] for r in rows} == {"REQUEST"}
    assert max(r["num_sources"] for r in rows) == 2
    table = CliRunner().invoke(app, ["stories", "--db", str(coded_db)], terminal_width=200)
    assert table.exit_code == 0 and "mentions" in table.stdout and "REQUEST" in table.stdout
    missing = CliRunner().invoke(app, ["stories", "--db", str(coded_db.parent / "none.duckdb")])
    assert missing.exit_code == 1


def test_events_without_a_recipient_merge_only_within_a_story() -> None:
    lone = frozenset[str]()
    events = [
        event("e1", "a1", 12, recipient_countries=lone, sentence="Australia agreed to the plan."),
        event("e2", "a2", 12, recipient_countries=lone, sentence="Australia agreed to the plan, officials said."),
    ]
    assert sorted(c.event_ids for c in cluster_events(events)) == [("e1",), ("e2",)]
    assert [c.event_ids for c in cluster_events(events, stories={"a1": "s", "a2": "s"})] == [("e1", "e2")]


def test_signatures_are_cached_and_recomputed_when_settings_change(coded_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(coded_db.read_bytes())
    with open_store(copy) as store:
        rows = store._rows("SELECT article_id, params FROM story_signatures")
        assert len(rows) == store.counts()["articles"] == 3
        before = store._rows("SELECT * FROM stories ORDER BY article_id")
        # Word trigrams: new signatures (new params), and the copies are still one story.
        store.refresh_clusters(Options(story_shingle=3))
        params = {r["params"] for r in store._rows("SELECT params FROM story_signatures")}
        assert len(params) == 1 and "shingle3" in params.pop()
        assert store._rows("SELECT * FROM stories ORDER BY article_id") == before
