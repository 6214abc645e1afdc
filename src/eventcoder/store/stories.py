"""The store's story and event-cluster tables, kept up to date by ``refresh_clusters``.

A refresh rewrites only what the articles coded since the last one can change, and gives the
same rows as a rebuild from scratch (tests/test_stories.py compares the two on one store):

1. *New articles*: those with no ``stories`` row, or coded (``articles.coded_at``) after the
   newest article the last refresh covered (``story_state.coded_upto``): a re-coded article
   may have new events or a new date. Their profiles are computed and stored.
2. *What they reach*: the stored articles that share a key term with a new one, within the
   window (``story_keys``), and are linked to it (``stories.links_between``). Their
   components, the new articles and the components new articles were in before make up the
   set to regroup. No other component can change: links are a function of the two articles
   alone, so two untouched components stay unlinked.
3. *Regroup*: ``stories.group_stories`` over that set gives its components and stories;
   ``clusters.cluster_events`` over the events of those stories gives their clusters. Their
   old rows are replaced in one transaction.

A change of any story setting, or of how profiles are made, regroups everything once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from eventcoder import clusters as cl
from eventcoder import stories as st
from eventcoder.settings import Options, load_options

if TYPE_CHECKING:
    from eventcoder.store.duckdb import Store

STORY_TABLES = ("stories", "event_clusters", "cluster_events")
CLUSTER_COLUMNS = (
    "cluster_id", "canonical_event_id", "event_type", "actor_countries", "recipient_countries", "background",
    "first_date", "last_date", "num_mentions", "num_sources", "num_articles", "sources",
)  # fmt: skip
PROFILE_COLUMNS = ("article_id", "params", "published", "terms", "weights", "vector")
# How complete an event record is (place, exact day, mode, recipients, named actor): the
# tie-break after confidence when a cluster picks its canonical event.
_COMPLETENESS_SQL = (
    "(e.place_name IS NOT NULL)::INT + (e.date_precision = 'day')::INT + (e.mode IS NOT NULL)::INT"
    " + (e.recipient_countries IS NOT NULL)::INT + (e.actors_json LIKE '%\"name\": \"%')::INT"
)
_EVENT_SQL = f"""
SELECT e.id, e.article_id, e.event_type, e.actor_countries, e.recipient_countries,
       COALESCE(e.event_date, a.published), COALESCE(e.background, false), e.confidence,
       {_COMPLETENESS_SQL}, a.outlet, a.url, e.sentence, e.trigger, COALESCE(e.negated, false),
       CASE WHEN e.date_precision = 'day' THEN e.event_date END, e.place_name, e.place_country
FROM events e JOIN articles a ON a.id = e.article_id
"""


def _codes(value: str | None) -> frozenset[str]:
    return frozenset(c for c in (value or "").split(";") if c)


def _cluster_event(r: Sequence[Any]) -> cl.ClusterEvent:
    return cl.ClusterEvent(
        id=r[0], article_id=r[1], event_type=r[2], actor_countries=_codes(r[3]), recipient_countries=_codes(r[4]),
        date=r[5], background=bool(r[6]), confidence=float(r[7] if r[7] is not None else 0.0),
        completeness=int(r[8] or 0), outlet=r[9], url=r[10], sentence=r[11] or "", trigger=r[12] or "",
        negated=bool(r[13]), exact_date=r[14], place_name=r[15], place_country=r[16],
    )  # fmt: skip


def _profile_params(options: st.StoryOptions) -> str:
    embedded = "embedded" if "embeddings" in st.story_methods(options.method) else "terms"
    return f"profile-v{st.PROFILE_VERSION}-{embedded}-p{st.PROFILE_TERMS}-k{st.KEY_TERMS}"


class StoryTables:
    """``Store`` methods for the story and cluster tables (mixed into ``Store``)."""

    def story_counts(self: Store) -> dict[str, int]:
        """Row count of the stories, event_clusters and cluster_events tables."""
        counts: dict[str, int] = {}
        for table in STORY_TABLES:
            row = self._con.execute(f"SELECT count(*) FROM {table}").fetchone()
            counts[table] = int(row[0]) if row else 0
        return counts

    def refresh_clusters(self: Store, options: Options | None = None, *, full: bool = False) -> dict[str, int]:
        """Bring stories and event clusters up to date with the stored articles and events,
        touching only what new articles change (module docstring); ``full`` regroups the
        whole store. Returns :meth:`story_counts`.

        Settings used: ``story_method``, ``story_threshold``, ``story_embedding_threshold``,
        ``story_window_days``, ``story_undated_margin`` and ``cluster_window_days``. The same
        store always gives the same ids. Raises E208 when ``story_method`` asks for
        embeddings and the extra is not installed.
        """
        options = options or load_options()
        story_options = st.StoryOptions.from_options(options)
        st.story_methods(story_options.method)  # ValueError for an unknown method, before any work
        params = f"{story_options.params()}-c{options.cluster_window_days}-{_profile_params(story_options)}"
        state = self._con.execute("SELECT params, coded_upto FROM story_state").fetchone()
        full = full or state is None or state[0] != params
        newest = self._con.execute("SELECT max(coded_at) FROM articles").fetchone()
        coded_upto = newest[0] if newest else None
        if full:
            new_ids = [r[0] for r in self._con.execute("SELECT id FROM articles ORDER BY id").fetchall()]
        else:
            new_ids = [
                r[0]
                for r in self._con.execute(
                    "SELECT a.id FROM articles a LEFT JOIN stories s ON s.article_id = a.id "
                    "WHERE s.article_id IS NULL OR a.coded_at > ? ORDER BY a.id",
                    [state[1] if state else None],
                ).fetchall()
            ]
        if not new_ids and not full:
            return self.story_counts()
        fresh = self._fresh_profiles(new_ids, story_options)
        if full:
            regroup = list(fresh.values())
        else:
            regroup = self._reached(fresh, story_options)
        grouping = st.group_stories(regroup, story_options)
        story_of, component_of = grouping.story_of(), grouping.component_of()
        article_ids = sorted(story_of)
        # Only rows that change are rewritten, and only stories whose members changed (or
        # hold a new article) are clustered again: a story's clusters depend on its events alone.
        rewrite, recluster = article_ids, article_ids
        if not full:
            with self._staged("regroup", pa.table({"id": article_ids})) as staged:
                old = {
                    r[0]: (r[1], r[2])
                    for r in self._con.execute(
                        f"SELECT article_id, story_id, component_id FROM stories WHERE article_id IN (SELECT id FROM {staged})"
                    ).fetchall()
                }
            rewrite = [a for a in article_ids if old.get(a) != (story_of[a], component_of[a])]
            changed = {story_of[a] for a in article_ids if a in fresh or old.get(a, ("",))[0] != story_of[a]}
            recluster = [a for a in article_ids if story_of[a] in changed]
        with self._staged("recluster", pa.table({"id": recluster})) as staged:
            events = [_cluster_event(r) for r in self._con.execute(f"{_EVENT_SQL} WHERE e.article_id IN (SELECT id FROM {staged})").fetchall()]
        built = cl.cluster_events(events, story_of, options.cluster_window_days)
        story_rows = [(a, story_of[a], component_of[a]) for a in rewrite]
        cluster_rows = [
            (c.id, c.canonical_event_id, c.event_type, ";".join(c.actor_countries) or None,
             ";".join(c.recipient_countries) or None, c.background, c.first_date, c.last_date,
             c.num_mentions, c.num_sources, c.num_articles, ";".join(c.sources))
            for c in built
        ]  # fmt: skip
        member_rows = [(event_id, c.id) for c in built for event_id in c.event_ids]
        profile_params = _profile_params(story_options)
        profile_rows = [
            (p.article_id, profile_params, p.published, p.term_ids.astype("<i8").tobytes(),
             p.weights.astype("<i2").tobytes(), p.vector.astype("<i2").tobytes() if p.vector is not None else None)
            for p in fresh.values()
        ]  # fmt: skip
        key_rows = [(int(t), p.article_id, p.published) for p in fresh.values() for t in p.keys]

        def write() -> None:
            if full:
                for table in (*STORY_TABLES, "story_profiles", "story_keys"):
                    self._con.execute(f"DELETE FROM {table}")
            else:
                self._delete_in("story_profiles", "article_id", list(fresh))
                self._delete_in("story_keys", "article_id", list(fresh))
                with self._staged("reclustered", pa.table({"id": recluster})) as staged:
                    self._con.execute(
                        "DELETE FROM event_clusters WHERE cluster_id IN (SELECT ce.cluster_id FROM cluster_events ce "
                        f"JOIN events e ON e.id = ce.event_id WHERE e.article_id IN (SELECT id FROM {staged}))"
                    )
                    self._con.execute(
                        f"DELETE FROM cluster_events WHERE event_id IN (SELECT id FROM events WHERE article_id IN (SELECT id FROM {staged}))"
                    )
                self._delete_in("stories", "article_id", rewrite)
            self._insert("story_profiles", PROFILE_COLUMNS, profile_rows)
            self._insert("story_keys", ("term", "article_id", "published"), key_rows)
            self._insert("stories", ("article_id", "story_id", "component_id"), story_rows)
            self._insert("event_clusters", CLUSTER_COLUMNS, cluster_rows)
            self._insert("cluster_events", ("event_id", "cluster_id"), member_rows)
            self._con.execute("DELETE FROM story_state")
            self._con.execute("INSERT INTO story_state VALUES (?, ?)", [params, coded_upto])

        self._transaction(write, what="refreshing stories and event clusters")
        return self.story_counts()

    # -- the steps of a refresh ------------------------------------------------------------

    def _fresh_profiles(self: Store, article_ids: Sequence[str], options: st.StoryOptions) -> dict[str, st.Profile]:
        """Profiles of ``article_ids``, from their text, title, date and coded events."""
        if not article_ids:
            return {}
        with self._staged("profiled", pa.table({"id": list(article_ids)})) as staged:
            rows = self._con.execute(
                f"SELECT id, text, title, published, outlet, url FROM articles WHERE id IN (SELECT id FROM {staged})"
            ).fetchall()
            event_rows = self._con.execute(
                "SELECT article_id, event_type, actor_countries, recipient_countries, place_name FROM events "
                f"WHERE article_id IN (SELECT id FROM {staged}) ORDER BY article_id, id"
            ).fetchall()
        terms: dict[str, list[str]] = {}
        for article_id, event_type, actors, recipients, place in event_rows:
            terms.setdefault(article_id, []).extend(st.event_terms(event_type, _codes(actors), _codes(recipients), place))
        articles = [
            st.StoryArticle(id=r[0], text=r[1] or "", title=r[2], published=r[3], outlet=r[4], url=r[5],
                            event_terms=tuple(terms.get(r[0], ())))
            for r in rows
        ]  # fmt: skip
        vectors = self._story_vectors(articles) if "embeddings" in st.story_methods(options.method) else None
        return {p.article_id: p for p in st.profiles_of(articles, options, vectors)}

    def _reached(self: Store, fresh: dict[str, st.Profile], options: st.StoryOptions) -> list[st.Profile]:
        """The new articles' profiles plus those of every stored article in a component
        they reach or were in (module docstring, step 2)."""
        new = list(fresh.values())
        keys = pa.table({
            "term": [int(t) for p in new for t in p.keys],
            "published": [p.published for p in new for _ in p.keys],
        })  # fmt: skip
        with self._staged("new_keys", keys) as staged, self._staged("new_ids", pa.table({"id": list(fresh)})) as ids:
            candidate_ids = [
                r[0]
                for r in self._con.execute(
                    f"SELECT DISTINCT k.article_id FROM story_keys k JOIN {staged} n ON n.term = k.term "
                    f"WHERE k.article_id NOT IN (SELECT id FROM {ids}) AND (k.published IS NULL OR n.published IS NULL "
                    "OR abs(date_diff('day', k.published, n.published)) <= ?) ORDER BY 1",
                    [options.window_days],
                ).fetchall()
            ]
        candidates = self._stored_profiles(candidate_ids)
        reached = {old for _, old in st.links_between(new, candidates, options)}
        with self._staged("touched", pa.table({"id": sorted(reached | set(fresh))})) as staged:
            members = [
                r[0]
                for r in self._con.execute(
                    "SELECT article_id FROM stories WHERE component_id IN "
                    f"(SELECT component_id FROM stories WHERE article_id IN (SELECT id FROM {staged})) ORDER BY 1"
                ).fetchall()
            ]
        old = self._stored_profiles([a for a in members if a not in fresh])
        return new + old

    def _stored_profiles(self: Store, article_ids: Sequence[str]) -> list[st.Profile]:
        if not article_ids:
            return []
        with self._staged("wanted", pa.table({"id": list(article_ids)})) as staged:
            rows = self._con.execute(
                f"SELECT article_id, published, terms, weights, vector FROM story_profiles WHERE article_id IN (SELECT id FROM {staged})"
            ).fetchall()
        return [
            st.Profile(
                article_id=r[0], published=r[1], term_ids=np.frombuffer(r[2], dtype="<i8").astype(np.int64),
                weights=np.frombuffer(r[3], dtype="<i2").astype(np.int16),
                vector=np.frombuffer(r[4], dtype="<i2").astype(np.int16) if r[4] else None,
            )  # fmt: skip
            for r in rows
        ]

    def _story_vectors(self: Store, articles: Iterable[st.StoryArticle]) -> dict[str, Any]:
        """Embeddings of ``articles`` for ``story_method`` embeddings or both: from the cache
        (``story_embeddings``) where it has them, else computed and cached."""
        from eventcoder import embeddings as em

        em.check_available()  # E208 before any work
        params = em.embedding_params()
        articles = list(articles)
        with self._staged("embedded", pa.table({"id": [a.id for a in articles]})) as staged:
            cached = {
                r[0]: em.vector_from_bytes(r[1])
                for r in self._con.execute(
                    f"SELECT article_id, vector FROM story_embeddings WHERE params = ? AND article_id IN (SELECT id FROM {staged})",
                    [params],
                ).fetchall()
            }
        fresh = st.article_vectors([a for a in articles if a.id not in cached])
        rows = [(k, params, em.vector_to_bytes(v)) for k, v in sorted(fresh.items())]

        def write() -> None:
            self._delete_in("story_embeddings", "article_id", [r[0] for r in rows])
            self._insert("story_embeddings", ("article_id", "params", "vector"), rows)

        if rows:
            self._transaction(write, what="caching sentence embeddings")
        return {**cached, **fresh}


def migrate(con: Any, version: int) -> None:
    """Before the schema script runs on a store of ``version`` < 3: drop the derived story
    tables whose shape changed (they are rebuilt by the full refresh that follows the open)."""
    if version < 3:
        for statement in ("DROP TABLE IF EXISTS story_signatures", "DROP INDEX IF EXISTS stories_story", "DROP TABLE IF EXISTS stories"):
            con.execute(statement)


__all__ = ["CLUSTER_COLUMNS", "STORY_TABLES", "StoryTables", "migrate"]
