"""Stories and deduplicated event clusters: the pure stages, the store tables, the CLI."""

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
from eventcoder.clusters import ClusterEvent, cluster_events
from eventcoder.model import CodedArticle
from eventcoder.settings import Options
from eventcoder.store import SCHEMA_VERSION, Store, open_store, queries
from eventcoder.stories import StoryArticle, StoryOptions, name_terms, profiles_of, story_groups, story_links, words
from eventcoder.testing import make_article, make_coded, story_feed_records, write_story_feed

# Two outlets' own write-ups of one earthquake, and of a look-alike one the same day: same
# country, same agency, a line on the first quake in one report of the second.
LOMBOK_A = (
    "A magnitude 6.4 earthquake struck the Indonesian island of Lombok on Sunday, killing at least 14 people "
    "and damaging hundreds of houses, the national disaster agency said. Agency spokesman Sutopo Purwo Nugroho said "
    "the quake was centred 47 kilometres northeast of Mataram, the provincial capital, and set off landslides on "
    "the slopes of Mount Rinjani, where hikers were stranded."
)
LOMBOK_B = (
    "At least 14 people died when a strong earthquake shook Lombok early on Sunday, Indonesian officials said. "
    "Sutopo Purwo Nugroho of the disaster agency told reporters the 6.4 quake flattened homes near "
    "Mataram and that rescuers were searching for climbers trapped on Mount Rinjani after landslides blocked the trails."
)
SUMBA_A = (
    "A magnitude 5.9 earthquake struck the Indonesian island of Sumba on Sunday, damaging dozens of houses "
    "and a church, the national disaster agency said. No deaths were reported, and residents of Waingapu "
    "spent the night outside for fear of aftershocks."
)
SUMBA_B = (
    "Residents of Waingapu fled their homes when a 5.9 earthquake shook Sumba on Sunday, officials said. "
    "The disaster agency said a church and dozens of houses were damaged on the island but no one was killed. "
    "It came a week after a 6.4 earthquake on Lombok killed 14 people near Mataram."
)
SUNDAY = dt.date(2018, 7, 29)


def quake(key: str, text: str, published: dt.date | None = SUNDAY) -> StoryArticle:
    return StoryArticle(key, text, published=published)


def event(eid: str, article: str, day: int | None = 12, **kw: object) -> ClusterEvent:
    """A ClusterEvent for CHN -> PRK REQUEST in June 2018 unless told otherwise."""
    fields: dict[str, object] = {
        "event_type": "REQUEST", "actor_countries": frozenset({"CHN"}), "recipient_countries": frozenset({"PRK"}),
        "date": dt.date(2018, 6, day) if day else None, "outlet": f"outlet-{article}",
    }  # fmt: skip
    fields.update(kw)
    return ClusterEvent(id=eid, article_id=article, **fields)  # type: ignore[arg-type]


# -- article stories -----------------------------------------------------------------------------


def test_words_and_names_are_normalized() -> None:
    assert words("The Minister SAID: sanctions, sanctions!") == ["minister", "sanctions", "sanctions"]
    # Capitalized inside a sentence is a name; at a sentence start, or a weekday, it is not.
    assert name_terms("Officials said Sutopo Nugroho spoke on Sunday. Rescuers reached Palu.") == [
        "n:sutopo", "n:nugroho", "n:palu",
    ]  # fmt: skip


def test_two_write_ups_of_one_event_are_one_story_and_a_look_alike_is_not() -> None:
    articles = [quake("la", LOMBOK_A), quake("lb", LOMBOK_B), quake("sa", SUMBA_A), quake("sb", SUMBA_B)]
    options = StoryOptions()
    profiles = sorted(profiles_of(articles, options), key=lambda p: p.article_id)
    links = {(profiles[i].article_id, profiles[j].article_id): s for i, j, s in story_links(profiles, options)}
    # The second Sumba report is linked to a Lombok report, as close as two write-ups of one
    # event can be: single linkage would chain the two quakes into one story.
    assert max(links[("la", "sb")], links[("lb", "sb")]) >= options.cutoff()
    # Mean linkage keeps them apart: most pairs across the two quakes are not alike at all.
    assert story_groups(articles) == [["la", "lb"], ["sa", "sb"]]


def test_articles_outside_the_time_window_are_never_one_story() -> None:
    # The same island, the same agency, the same kind of report, a week apart (Lombok was hit
    # on 29 July and again on 5 August 2018): two events.
    week_later = SUNDAY + dt.timedelta(days=7)
    assert story_groups([quake("a", LOMBOK_A), quake("b", LOMBOK_B, week_later)]) == [["a"], ["b"]]
    assert story_groups([quake("a", LOMBOK_A), quake("b", LOMBOK_B, SUNDAY + dt.timedelta(days=3))]) == [["a", "b"]]
    assert story_groups([quake("a", LOMBOK_A), quake("b", LOMBOK_B, week_later)], StoryOptions(window_days=7)) == [["a", "b"]]


def test_undated_articles_need_stronger_evidence() -> None:
    # The Lombok reports are alike enough to be linked without a date; the cross-quake pair
    # that is just over the threshold when dated is not, once one side has no date.
    dated = [quake("lb", LOMBOK_B), quake("sb", SUMBA_B)]
    undated = [quake("lb", LOMBOK_B), quake("sb", SUMBA_B, None)]
    strict = StoryOptions(threshold=0.33)
    assert story_groups(dated, strict) == [["lb", "sb"]]
    assert story_groups(undated, strict) == [["lb"], ["sb"]]
    assert story_groups([quake("la", LOMBOK_A, None), quake("lb", LOMBOK_B)]) == [["la", "lb"]]


def test_grouping_does_not_depend_on_input_order() -> None:
    articles = [quake("la", LOMBOK_A), quake("lb", LOMBOK_B), quake("sa", SUMBA_A), quake("sb", SUMBA_B)]
    assert story_groups(articles) == story_groups(articles[::-1]) == story_groups(articles[1:] + articles[:1])


# -- event clusters ------------------------------------------------------------------------------

STRIKE_A = "Saudi-led coalition warplanes struck a fish market in Hodeidah on Thursday, killing 12 people, residents said."
STRIKE_B = "An air raid on a crowded market in the port city of Hodeidah killed twelve civilians, medics told Reuters."
ACCUSE_A = "China accused the United States of stoking tension in the South China Sea with its naval patrols."
ACCUSE_B = "Beijing accused Washington of meddling in Hong Kong's affairs by meeting opposition leaders."


def strike(eid: str, article: str, sentence: str, **kw: object) -> ClusterEvent:
    fields: dict[str, object] = {
        "event_type": "ASSAULT", "actor_countries": frozenset({"SAU"}), "recipient_countries": frozenset({"YEM"}),
        "place_name": "Hodeidah", "place_country": "YEM", "trigger": "struck", "sentence": sentence,
    }  # fmt: skip
    fields.update(kw)
    return event(eid, article, 13, **fields)


def test_an_incompletely_coded_duplicate_is_merged() -> None:
    # The second outlet's sentence names no attacker, so its coding has no actor: the same
    # strike all the same (one story, same type, overlapping parties, same place).
    events = [
        strike("e1", "a1", STRIKE_A),
        strike("e2", "a2", STRIKE_B, actor_countries=frozenset(), trigger="killed"),
    ]
    clusters = cluster_events(events, stories={"a1": "s", "a2": "s"})
    assert [c.event_ids for c in clusters] == [("e1", "e2")]
    assert (clusters[0].num_mentions, clusters[0].num_sources, clusters[0].num_articles) == (2, 2, 2)
    assert clusters[0].actor_countries == ("SAU",) and clusters[0].recipient_countries == ("YEM",)
    # Without the story link they are two clusters: events merge only within a story.
    assert len(cluster_events(events)) == 2


def test_different_events_between_the_same_pair_stay_apart() -> None:
    accuse = {"event_type": "ACCUSE", "actor_countries": frozenset({"CHN"}), "recipient_countries": frozenset({"USA"}),
              "trigger": "accused"}  # fmt: skip
    stories = {"a1": "s", "a2": "s", "a3": "s"}
    two_accusations = [event("e1", "a1", sentence=ACCUSE_A, **accuse), event("e2", "a2", sentence=ACCUSE_B, **accuse)]
    assert len(cluster_events(two_accusations, stories)) == 2
    # One strike in Hodeidah, another in Sanaa; one on the 13th, another reported for the 20th.
    places = [strike("e1", "a1", STRIKE_A), strike("e2", "a2", STRIKE_A, place_name="Sanaa")]
    assert len(cluster_events(places, stories)) == 2
    dates = [strike("e1", "a1", STRIKE_A, exact_date=dt.date(2018, 6, 13)),
             strike("e2", "a2", STRIKE_A, exact_date=dt.date(2018, 6, 20))]  # fmt: skip
    assert len(cluster_events(dates, stories)) == 2
    # Two events of one article are never merged, even through a third article.
    same_article = [strike("e1", "a1", STRIKE_A), strike("e2", "a1", STRIKE_A + " Again."), strike("e3", "a3", STRIKE_A)]
    assert sorted(len(c.event_ids) for c in cluster_events(same_article, stories)) == [1, 2]


def test_canonical_event_and_ids_do_not_depend_on_input_order() -> None:
    stories = {"a1": "s", "a2": "s", "a3": "s"}
    events = [
        strike("e1", "a1", STRIKE_A, confidence=0.6, outlet="Reuters"),
        strike("e2", "a2", STRIKE_A, confidence=0.9, outlet="AP"),
        strike("e3", "a3", STRIKE_A, confidence=0.9, completeness=3, outlet="reuters"),
    ]
    forward, backward = cluster_events(events, stories), cluster_events(events[::-1], stories)
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


def test_stories_query_lists_articles_outlets_and_dates(store: Store) -> None:
    rows = queries.stories(store)
    assert [r["num_articles"] for r in rows] == [2, 1]  # oldest first
    wire = rows[0]
    assert wire["outlets"] == ["arabnews.com", "gulfdaily.example"]
    assert (wire["first_published"], wire["last_published"]) == (dt.date(2018, 6, 12), dt.date(2018, 6, 13))
    assert wire["title"] == "China suggests sanctions relief for North Korea"  # the earliest article's
    assert {a["outlet"] for a in wire["articles"]} == {"arabnews.com", "gulfdaily.example"}
    assert queries.stories(store, since="2019-01-01")[0]["outlets"] == ["epochtimes.com"]
    assert queries.stories(store, min_articles=2) == rows[:1]


def test_one_cluster_keeps_both_sources(store: Store) -> None:
    rows = queries.clusters(store, actor="CHN", recipient="PRK", event_type="REQUEST", until="2018-12-31")
    assert rows, "the wire story's CHN -> PRK request was not clustered"
    top = max(rows, key=lambda r: r["num_mentions"])
    assert (top["num_sources"], top["num_articles"]) == (2, 2)
    assert top["sources"] == ["arabnews.com", "gulfdaily.example"]
    assert top["num_mentions"] >= 2 and top["first_date"] == dt.date(2018, 6, 12)
    members = store._rows(
        "SELECT e.id, e.confidence FROM cluster_events ce JOIN events e ON e.id = ce.event_id WHERE ce.cluster_id = ?",
        [top["cluster_id"]],
    )
    assert top["id"] in {m["id"] for m in members}
    assert top["confidence"] == max(m["confidence"] for m in members)
    later = queries.clusters(store, since="2019-01-01")
    assert later and all(r["sources"] == ["epochtimes.com"] for r in later)


def test_event_sources_lists_every_report(store: Store) -> None:
    top = max(queries.clusters(store, event_type="REQUEST", until="2018-12-31"), key=lambda r: r["num_mentions"])
    sources = queries.event_sources(store, top["id"])
    assert len(sources) == top["num_mentions"]
    assert set(sources[0]) == {"article_id", "outlet", "url", "title", "published", "sentence", "start_char", "end_char", "event_id"}
    records = {r["outlet"]: r for r in story_feed_records()}
    assert {s["url"] for s in sources} == {records["arabnews.com"]["url"], records["gulfdaily.example"]["url"]}
    texts = {a["id"]: a["text"] for a in store.articles()}
    for s in sources:  # every sentence is where its offsets say, in its own article
        assert s["sentence"] and s["sentence"] in texts[s["article_id"]]
    assert queries.event_sources(store, "no-such-event") == []


def test_every_event_is_in_exactly_one_cluster_and_counts_add_up(store: Store) -> None:
    n_events = store.counts()["events"]
    counts = store.story_counts()
    assert counts["cluster_events"] == n_events and counts["stories"] == 3
    assert store._rows("SELECT sum(num_mentions) AS n FROM event_clusters")[0]["n"] == n_events


def test_recoding_keeps_the_same_ids(coded_db: Path, tmp_path: Path) -> None:
    with open_store(coded_db) as store:
        before = sorted(r["cluster_id"] for r in queries.clusters(store))
        eventcoder.code_files([write_story_feed(tmp_path)], store, Options())
        assert sorted(r["cluster_id"] for r in queries.clusters(store)) == before


# -- incremental refresh -------------------------------------------------------------------------


def _derived_rows(store: Store) -> dict[str, list[tuple[object, ...]]]:
    sql = {
        "stories": "SELECT * FROM stories ORDER BY article_id",
        "event_clusters": "SELECT * FROM event_clusters ORDER BY cluster_id",
        "cluster_events": "SELECT * FROM cluster_events ORDER BY event_id",
    }
    return {t: [tuple(r.values()) for r in store._rows(q)] for t, q in sql.items()}


def _coded(text: str, outlet: str, published: dt.date | None, events: list[dict[str, object]]) -> CodedArticle:
    article = make_article(text, outlet=outlet, published=published, title=None)
    return make_coded(article, events=events)


def test_incremental_refresh_gives_what_a_full_rebuild_gives(tmp_path: Path) -> None:
    quake_event = {"event_type": "ASSAULT", "actors": (), "recipients": ("IDN",), "date": SUNDAY, "trigger": "struck"}
    batches = [
        # 1: one Lombok report and the Sumba quake: two stories.
        [_coded(LOMBOK_A, "antara", SUNDAY, [quake_event]), _coded(SUMBA_A, "kompas", SUNDAY, [quake_event])],
        # 2: a second outlet joins each story, and an unrelated report comes in undated.
        [_coded(LOMBOK_B, "reuters", SUNDAY, [quake_event]), _coded(SUMBA_B, "afp", SUNDAY + dt.timedelta(days=1), [quake_event]),
         _coded(STRIKE_A, "xinhua", None, [{"actors": ("SAU",), "recipients": ("YEM",), "event_type": "ASSAULT"}])],
        # 3: the first Lombok report is filed again with a date a week later (re-coded:
        # its story must split) and a wire copy of it comes in.
        [_coded(LOMBOK_A, "antara", SUNDAY + dt.timedelta(days=7), [quake_event]),
         _coded("JAKARTA (AP) — " + LOMBOK_A, "ap", SUNDAY + dt.timedelta(days=7), [quake_event])],
    ]  # fmt: skip
    options = Options()
    sizes = []
    with open_store(tmp_path / "incremental.duckdb") as store:
        for batch in batches:
            store.save_many(batch)
            store.refresh_clusters(options)
            incremental = _derived_rows(store)
            store.refresh_clusters(options, full=True)
            assert _derived_rows(store) == incremental
            sizes.append(sorted(r["n"] for r in store._rows("SELECT count(*) AS n FROM stories GROUP BY story_id")))
    assert sizes == [[1, 1], [1, 2, 2], [1, 1, 2, 2]]


def test_a_refresh_with_nothing_new_changes_nothing_and_settings_changes_regroup(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        store.save_many([_coded(LOMBOK_A, "antara", SUNDAY, []), _coded(LOMBOK_B, "reuters", SUNDAY + dt.timedelta(days=2), [])])
        store.refresh_clusters(Options())
        before = _derived_rows(store)
        assert len({r[1] for r in before["stories"]}) == 1
        store.refresh_clusters(Options())
        assert _derived_rows(store) == before
        store.refresh_clusters(Options(story_window_days=1))  # new settings: regrouped from scratch
        assert len({r[1] for r in _derived_rows(store)["stories"]}) == 2


def test_older_stores_are_migrated_and_regrouped(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with open_store(db) as store:
        store.save(make_coded(make_article(LOMBOK_A, outlet="antara", published=SUNDAY)))
        store.save(make_coded(make_article(LOMBOK_B, outlet="reuters", published=SUNDAY)))
    con = duckdb.connect(str(db))  # make it what eventcoder wrote at schema version 2
    for table in ("stories", "story_profiles", "story_keys", "story_state"):
        con.execute(f"DROP TABLE {table}")
    con.execute("CREATE TABLE stories (article_id VARCHAR PRIMARY KEY, story_id VARCHAR NOT NULL)")
    con.execute("CREATE INDEX stories_story ON stories (story_id)")
    con.execute("CREATE TABLE story_signatures (article_id VARCHAR PRIMARY KEY, params VARCHAR, signature BLOB)")
    con.execute("UPDATE schema_version SET version = 2")
    con.close()
    with open_store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        rows = queries.clusters(store)
        assert len(rows) == 1 and (rows[0]["num_sources"], rows[0]["num_articles"]) == (2, 2)
        assert store.story_counts()["stories"] == 2
        tables = {r["table_name"] for r in store._rows("SELECT table_name FROM information_schema.tables")}
        assert "story_signatures" not in tables


# -- the CLI -------------------------------------------------------------------------------------


def test_stories_command_lists_articles_grouped(coded_db: Path) -> None:
    result = CliRunner().invoke(app, ["stories", "--db", str(coded_db), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["num_articles"] for r in rows] == [2, 1]
    assert rows[0]["outlets"] == ["arabnews.com", "gulfdaily.example"] and rows[0]["first_published"] == "2018-06-12"
    table = CliRunner().invoke(app, ["stories", "--db", str(coded_db)], terminal_width=200)
    assert table.exit_code == 0 and "2018-06-12…2018-06-13" in table.stdout and "arabnews.com" in table.stdout
    assert "China suggests" in table.stdout  # the earliest article's title
    missing = CliRunner().invoke(app, ["stories", "--db", str(coded_db.parent / "none.duckdb")])
    assert missing.exit_code == 1


def test_clusters_command_lists_deduplicated_events(coded_db: Path) -> None:
    result = CliRunner().invoke(app, ["clusters", "--db", str(coded_db), "--type", "REQUEST", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and {r["event_type"] for r in rows} == {"REQUEST"}
    assert max(r["num_sources"] for r in rows) == 2
    table = CliRunner().invoke(app, ["clusters", "--db", str(coded_db)], terminal_width=200)
    assert table.exit_code == 0 and "mentions" in table.stdout and "REQUEST" in table.stdout


def test_links_found_block_by_block_are_all_the_links() -> None:
    # The four reports, each filed on many days (and some undated): the links found a block of
    # days at a time are exactly those of comparing every pair.
    import numpy as np

    from eventcoder import stories as st

    texts = [LOMBOK_A, LOMBOK_B, SUMBA_A, SUMBA_B]
    articles = [
        StoryArticle(f"{k:03d}", texts[k % 4] + f" ({k})", published=None if k % 7 == 0 else SUNDAY + dt.timedelta(days=k % 23))
        for k in range(60)
    ]
    options = StoryOptions()
    profiles = profiles_of(articles, options)
    m = st._Matrices(profiles)
    shared = (m.keys @ m.keys.T).tocoo()
    every_pair = st._links(m, [st._day(p.published) for p in profiles], shared.row.astype(np.int64), shared.col.astype(np.int64), options)
    blocked = story_links(profiles, options)
    assert sorted(blocked) == sorted(every_pair) and len(blocked) > 100
