"""Named read queries over a :class:`~eventcoder.store.duckdb.Store`, shared by the CLI,
the web app and the exporters. Every value reaches SQL as a bound parameter.

An event's *date* is its resolved ``event_date`` or, when the text gave none, the
article's ``published`` date: that is the date filters and timelines use. Every query that
lists or counts events takes one :class:`~eventcoder.store.filters.EventFilter` (or its
fields as keywords), so a filter means the same in every command, page and export.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, Literal

from eventcoder.store.duckdb import Store
from eventcoder.store.filters import EventFilter

Period = Literal["day", "month", "year"]
_PERIOD_FORMATS: dict[str, str] = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
_EVENT_DATE = "COALESCE(e.event_date, a.published)"

_EVENT_SELECT = """
SELECT e.* EXCLUDE (event_json),
       COALESCE(e.event_date, a.published) AS date,
       a.url, a.title, a.outlet, a.published, a.coded_at,
       ce.cluster_id, c.num_mentions, c.num_sources, c.num_articles
FROM events e
LEFT JOIN articles a ON a.id = e.article_id
LEFT JOIN cluster_events ce ON ce.event_id = e.id
LEFT JOIN event_clusters c ON c.cluster_id = ce.cluster_id
"""
_OLDEST_FIRST = " ORDER BY date NULLS LAST, e.article_id, e.start_char, e.id"
_NEWEST_FIRST = " ORDER BY date DESC NULLS LAST, e.article_id, e.start_char, e.id"


def _filter(filters: EventFilter | None, criteria: dict[str, Any]) -> EventFilter:
    """The filter given, or one built (and checked) from keyword criteria (``actor="CHN"``)."""
    if filters is not None and criteria:
        raise TypeError("pass either an EventFilter or keyword criteria, not both")
    return filters if filters is not None else EventFilter(**criteria)


def _where(filters: EventFilter, *extra: str) -> tuple[str, list[Any]]:
    conditions, params = filters.conditions()
    conditions = [*conditions, *extra]
    return (" WHERE " + " AND ".join(conditions)) if conditions else "", params


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    # Callers want actor lists, not JSON text.
    row["actors"] = json.loads(row.pop("actors_json") or "[]")
    row["recipients"] = json.loads(row.pop("recipients_json") or "[]")
    return row


def _check_period(by: str) -> str:
    if by not in _PERIOD_FORMATS:
        raise ValueError(f"by must be one of {sorted(_PERIOD_FORMATS)}, not {by!r}")
    return _PERIOD_FORMATS[by]


# -- events ---------------------------------------------------------------------------------


def events(store: Store, filters: EventFilter | None = None, *, newest_first: bool = False,
           **criteria: Any) -> list[dict[str, Any]]:
    """Events matching every given filter, oldest first (``newest_first`` flips it).

    Pass an :class:`~eventcoder.store.filters.EventFilter`, or its fields as keywords
    (``actor="CHN", recipient="PRK", event_type="REQUEST", since="2018-01-01"``), checked as
    EventFilter checks them. Each row has the ``events`` columns plus ``date``, article
    ``url``/``title``/``outlet``/``published``/``coded_at``, ``actors``/``recipients`` as
    lists of dicts, and the event's cluster: ``cluster_id``, ``num_mentions``,
    ``num_sources``, ``num_articles`` (None until the store's clusters are refreshed).
    """
    return list(iter_events(store, _filter(filters, criteria), newest_first=newest_first))


def iter_events(store: Store, filters: EventFilter | None = None, *, newest_first: bool = False,
                **criteria: Any) -> Iterator[dict[str, Any]]:
    """:func:`events` as a stream: rows are read from DuckDB in batches, so an export of the
    whole store holds one batch in memory, not every event."""
    chosen = _filter(filters, criteria)
    where, params = _where(chosen)
    sql = _EVENT_SELECT + where + (_NEWEST_FIRST if newest_first else _OLDEST_FIRST)
    if chosen.limit is not None:
        sql += " LIMIT ?"
        params.append(int(chosen.limit))
    for row in store._stream(sql, params):
        yield _decode(row)


def dyad_timeline(store: Store, actor: str, recipient: str, by: Period = "month",
                  filters: EventFilter | None = None) -> list[dict[str, Any]]:
    """Events from ``actor`` to ``recipient`` counted per period and PLOVER type.

    Rows are ``{"period": "2018-06", "event_type": "REQUEST", "n": 3}`` in period order;
    ``by`` is ``"day"``, ``"month"`` or ``"year"``. Events with no date at all are left out.
    ``filters`` narrows the events further (its own actor and recipient are replaced).
    """
    rows = dyad_counts(store, actor, recipient, by, filters)
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["period"], row["event_type"])
        counts[key] = counts.get(key, 0) + row["n"]
    return [{"period": p, "event_type": t, "n": n} for (p, t), n in sorted(counts.items())]


def dyad_counts(store: Store, actor: str, recipient: str, by: Period = "month",
                filters: EventFilter | None = None) -> list[dict[str, Any]]:
    """Events from ``actor`` to ``recipient`` counted per period, PLOVER type and quad class,
    with the sum of their intensities (the net of cooperation, positive, and conflict).

    Rows are ``{"period": "2018-06", "event_type": "REQUEST", "quad_class": 3, "n": 2,
    "intensity": -4.0}`` in period order (quad classes 1 verbal cooperation, 2 material
    cooperation, 3 verbal conflict, 4 material conflict). Undated events are left out.
    """
    period = _check_period(by)
    chosen = (filters or EventFilter()).without("actor", "recipient")
    chosen = EventFilter(**{**chosen.given(), "actor": actor, "recipient": recipient, "limit": None})
    where, params = _where(chosen, f"{_EVENT_DATE} IS NOT NULL")
    sql = f"""
    SELECT strftime({_EVENT_DATE}, ?) AS period, e.event_type, e.quad_class,
           count(*) AS n, COALESCE(sum(e.intensity), 0) AS intensity
    FROM events e
    LEFT JOIN articles a ON a.id = e.article_id{where}
    GROUP BY period, e.event_type, e.quad_class
    ORDER BY period, e.event_type, e.quad_class NULLS LAST
    """
    return [{**r, "n": int(r["n"]), "intensity": float(r["intensity"])} for r in store._rows(sql, [period, *params])]


def event_evidence(store: Store, event_id: str) -> dict[str, Any] | None:
    """One event with what backs it: the article's title, url and published date, the
    sentence, and ``evidence``, the exact span ``start_char:end_char`` of the article text.

    Returns None if no event has that id.
    """
    sql = """
    SELECT e.*, COALESCE(e.event_date, a.published) AS date,
           a.url, a.title, a.outlet, a.published,
           substr(a.text, e.start_char + 1, e.end_char - e.start_char) AS evidence
    FROM events e
    LEFT JOIN articles a ON a.id = e.article_id
    WHERE e.id = ?
    """
    rows = store._rows(sql, [event_id])
    if not rows:
        return None
    row = _decode(rows[0])
    row["event"] = json.loads(row.pop("event_json") or "{}")
    return row


# -- stories and deduplicated event clusters ---------------------------------------------------

_CLUSTER_SELECT = """
SELECT e.* EXCLUDE (event_json),
       COALESCE(e.event_date, a.published) AS date,
       a.url, a.title, a.outlet, a.published, a.coded_at,
       c.cluster_id, c.first_date, c.last_date, c.num_mentions, c.num_sources, c.num_articles,
       c.sources, c.actor_countries AS cluster_actor_countries,
       c.recipient_countries AS cluster_recipient_countries
FROM event_clusters c
JOIN events e ON e.id = c.canonical_event_id
LEFT JOIN articles a ON a.id = e.article_id
"""


def clusters(store: Store, filters: EventFilter | None = None, **criteria: Any) -> list[dict[str, Any]]:
    """Deduplicated event clusters matching the filter, oldest first.

    A cluster matches when one of its member events matches every filter (as
    :func:`events` reads them), so ``actor``/``recipient`` match any member's actors and
    ``since``/``until`` keep clusters whose dates reach into the period. Each row is the
    canonical event (as :func:`events` gives it: ``id`` is the canonical event's id) plus
    ``cluster_id``, ``first_date``, ``last_date``, ``num_mentions``, ``num_sources``,
    ``num_articles``, ``sources`` (list of outlets) and
    ``cluster_actor_countries``/``cluster_recipient_countries`` (unions over the members).
    """
    return list(iter_clusters(store, _filter(filters, criteria)))


def iter_clusters(store: Store, filters: EventFilter | None = None, **criteria: Any) -> Iterator[dict[str, Any]]:
    """:func:`clusters` as a stream, read from DuckDB in batches."""
    chosen = _filter(filters, criteria)
    conditions, params = chosen.conditions()
    sql = _CLUSTER_SELECT
    if conditions:
        member = " AND ".join(conditions)
        sql += f"""
        WHERE EXISTS (
            SELECT 1 FROM cluster_events m JOIN events e ON e.id = m.event_id
            LEFT JOIN articles a ON a.id = e.article_id
            WHERE m.cluster_id = c.cluster_id AND {member})"""
    sql += " ORDER BY c.first_date NULLS LAST, c.cluster_id"
    if chosen.limit is not None:
        sql += " LIMIT ?"
        params.append(int(chosen.limit))
    for row in store._stream(sql, params):
        row = _decode(row)
        row["sources"] = [s for s in (row["sources"] or "").split(";") if s]
        yield row


def event_sources(store: Store, event_id: str) -> list[dict[str, Any]]:
    """Every report of the event ``event_id``: one dict per member event of its cluster
    (just the event itself while clusters are not built), with ``article_id``, ``outlet``,
    ``url``, ``title``, ``published``, ``sentence``, ``start_char``, ``end_char`` and
    ``event_id``; earliest published first. Empty if no event has that id."""
    sql = """
    WITH members AS (
        SELECT ce.event_id FROM cluster_events ce
        WHERE ce.cluster_id = (SELECT cluster_id FROM cluster_events WHERE event_id = ?)
        UNION
        SELECT id FROM events WHERE id = ?
    )
    SELECT e.article_id, a.outlet, a.url, a.title, a.published,
           e.sentence, e.start_char, e.end_char, e.id AS event_id
    FROM members m
    JOIN events e ON e.id = m.event_id
    LEFT JOIN articles a ON a.id = e.article_id
    ORDER BY a.published NULLS LAST, a.outlet NULLS LAST, e.article_id, e.start_char, e.id
    """
    return store._rows(sql, [event_id, event_id])


def stories(
    store: Store,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    min_articles: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Stories (articles that report one event, from any outlet), oldest first.

    Each row: ``story_id``, ``num_articles``, ``num_outlets``, ``outlets`` (sorted list),
    ``first_published``/``last_published`` (undated articles aside), ``title`` (of its
    earliest article), ``num_events`` and ``articles`` (``article_id``, ``outlet``,
    ``url``, ``title``, ``published`` of each, earliest first). ``since``/``until`` keep
    stories whose publication range reaches into the period; ``min_articles`` drops smaller
    ones (2: only what more than one article reported).
    """
    where: list[str] = []
    params: list[Any] = []
    for sql, value in (("last_published >= ?", since), ("first_published <= ?", until)):
        if value is not None and value != "":
            where.append(sql)
            params.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10]))
    if min_articles is not None:
        where.append("num_articles >= ?")
        params.append(int(min_articles))
    sql = """
    WITH members AS (
        SELECT s.story_id, s.article_id, a.outlet, a.url, a.title, a.published, COALESCE(n.n, 0) AS n_events
        FROM stories s JOIN articles a ON a.id = s.article_id
        LEFT JOIN (SELECT article_id, count(*) AS n FROM events GROUP BY article_id) n ON n.article_id = s.article_id
    ), grouped AS (
        SELECT story_id, count(*) AS num_articles, count(DISTINCT outlet) AS num_outlets,
               list_sort(list_distinct(list(outlet) FILTER (WHERE outlet IS NOT NULL))) AS outlets,
               min(published) AS first_published, max(published) AS last_published,
               arg_min(title, (published IS NULL, published, article_id)) AS title,
               sum(n_events)::INTEGER AS num_events,
               list({'article_id': article_id, 'outlet': outlet, 'url': url, 'title': title, 'published': published}
                    ORDER BY published NULLS LAST, article_id) AS articles
        FROM members GROUP BY story_id
    )
    SELECT * FROM grouped
    """
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY first_published NULLS LAST, story_id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return store._rows(sql, params)


def story_articles(store: Store, article_id: str) -> list[dict[str, Any]]:
    """The articles in the same story as ``article_id`` (itself included): ``article_id``,
    ``story_id``, ``outlet``, ``url``, ``title``, ``published``; earliest first."""
    sql = """
    SELECT s.article_id, s.story_id, a.outlet, a.url, a.title, a.published
    FROM stories s JOIN articles a ON a.id = s.article_id
    WHERE s.story_id = (SELECT story_id FROM stories WHERE article_id = ?)
    ORDER BY a.published NULLS LAST, s.article_id
    """
    return store._rows(sql, [article_id])


# -- browsing (web page and its /api twin) ------------------------------------------------------


def _article_join(filters: EventFilter) -> str:
    # Counting and grouping need the articles only for filters on their columns: skipping
    # that join saves most of a count's time on a big store.
    return " LEFT JOIN articles a ON a.id = e.article_id" if filters.needs_article() else ""


def events_page(store: Store, filters: EventFilter | None = None, *, limit: int = 50, offset: int = 0,
                **criteria: Any) -> dict[str, Any]:
    """One page of events matching the filter, newest first, with the total count.

    Returns ``{"total": n, "limit": limit, "offset": offset, "events": [...]}``; each event
    row is as in :func:`events`.
    """
    chosen = _filter(filters, criteria)
    where, params = _where(chosen)
    total = int(store._rows(f"SELECT count(*) AS n FROM events e{_article_join(chosen)}{where}", params)[0]["n"])
    # Newest first is what a reader browsing news wants; the id makes the order total, so
    # pages never repeat or skip a row. The page is picked on (id, date) alone and only its
    # rows are read in full: sorting a million full rows to keep fifty is most of the cost.
    sql = f"""
    WITH page AS (
        SELECT e.id, {_EVENT_DATE} AS date FROM events e
        LEFT JOIN articles a ON a.id = e.article_id{where}
        ORDER BY date DESC NULLS LAST, e.id LIMIT ? OFFSET ?
    )
    {_EVENT_SELECT} JOIN page ON page.id = e.id
    ORDER BY date DESC NULLS LAST, e.id
    """
    # DuckDB turns the page's ids into a filter on the events scan only for up to
    # dynamic_or_filter_threshold (50) of them; past that it reads every event in full
    # (3x slower at 100 a page on 1M events). A connection setting, harmless to other queries.
    store._rows(f"SET dynamic_or_filter_threshold = {max(int(limit), 50)}")
    rows = [_decode(r) for r in store._rows(sql, [*params, int(limit), int(offset)])]
    return {"total": total, "limit": int(limit), "offset": int(offset), "events": rows}


def located_events(store: Store, filters: EventFilter | None = None, *, limit: int = 2000,
                   **criteria: Any) -> list[dict[str, Any]]:
    """Places of the matching events that have coordinates, most events first.

    Events at the same place (same coordinates rounded to 0.1 degree, named after one of them)
    are one row:
    ``{"lat", "lon", "place_name", "place_country", "n", "event_id"}``, where ``event_id``
    is one of them and ``n`` how many there are. At most ``limit`` places.
    """
    chosen = _filter(filters, criteria)
    where, params = _where(chosen, "e.lat IS NOT NULL", "e.lon IS NOT NULL")
    sql = f"""
    SELECT round(e.lat, 1) AS lat, round(e.lon, 1) AS lon,
           any_value(e.place_name) AS place_name, any_value(e.place_country) AS place_country,
           count(*) AS n, max(e.id) AS event_id
    FROM events e{_article_join(chosen)}{where}
    GROUP BY 1, 2
    ORDER BY n DESC, lat, lon
    LIMIT ?
    """
    return [{**r, "n": int(r["n"])} for r in store._rows(sql, [*params, int(limit)])]


def country_counts(store: Store, filters: EventFilter | None = None, **criteria: Any) -> list[dict[str, Any]]:
    """Per country: how many matching events involve it (as actor or recipient, as the
    ``country`` filter reads it) and their mean intensity; most events first.

    Rows are ``{"country": "CHN", "n": 12, "intensity": -1.5}``.
    """
    chosen = _filter(filters, criteria)
    where, params = _where(chosen)
    sql = f"""
    WITH matching AS (
        SELECT e.id, e.intensity,
               list_distinct(list_concat(string_split(COALESCE(e.actor_countries, ''), ';'),
                                         string_split(COALESCE(e.recipient_countries, ''), ';'))) AS codes
        FROM events e{_article_join(chosen)}{where}
    )
    SELECT code AS country, count(*) AS n, avg(intensity) AS intensity
    FROM (SELECT unnest(codes) AS code, intensity FROM matching)
    WHERE code <> ''
    GROUP BY code ORDER BY n DESC, code
    """
    return [{"country": r["country"], "n": int(r["n"]),
             "intensity": None if r["intensity"] is None else round(float(r["intensity"]), 2)}
            for r in store._rows(sql, params)]  # fmt: skip


def trend(store: Store, filters: EventFilter | None = None, *, by: Period = "month",
          **criteria: Any) -> list[dict[str, Any]]:
    """Matching dated events counted per period (``day``, ``month`` or ``year``) and quad
    class: ``{"period": "2018-06", "quad_class": 3, "n": 4}`` in period order."""
    period = _check_period(by)
    chosen = _filter(filters, criteria)
    where, params = _where(chosen, f"{_EVENT_DATE} IS NOT NULL")
    sql = f"""
    SELECT strftime({_EVENT_DATE}, ?) AS period, e.quad_class, count(*) AS n
    FROM events e LEFT JOIN articles a ON a.id = e.article_id{where}
    GROUP BY period, e.quad_class ORDER BY period, e.quad_class NULLS LAST
    """
    return [{**r, "n": int(r["n"])} for r in store._rows(sql, [period, *params])]


def article(store: Store, article_id: str) -> dict[str, Any] | None:
    """One stored article (all its columns, text included), or None if no article has that id."""
    rows = store._rows("SELECT * FROM articles WHERE id = ?", [article_id])
    return rows[0] if rows else None


def outlets(store: Store, limit: int = 500) -> list[dict[str, Any]]:
    """Outlets with how many articles each has, most first: ``{"outlet", "articles"}``."""
    sql = """
    SELECT outlet, count(*) AS articles FROM articles WHERE outlet IS NOT NULL
    GROUP BY outlet ORDER BY articles DESC, outlet LIMIT ?
    """
    return [{**r, "articles": int(r["articles"])} for r in store._rows(sql, [int(limit)])]


def dyads(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    """The commonest actor→recipient country pairs, for the dyad picker:
    ``{"actor": "CHN", "recipient": "PRK", "n": 9}``, most events first."""
    sql = """
    WITH pairs AS (
        SELECT x.country AS actor, y.country AS recipient, e.id
        FROM events e
        JOIN event_actors x ON x.event_id = e.id AND x.role = 'actor' AND x.country IS NOT NULL
        JOIN event_actors y ON y.event_id = e.id AND y.role = 'recipient' AND y.country IS NOT NULL
        WHERE x.country <> y.country
    )
    SELECT actor, recipient, count(DISTINCT id) AS n FROM pairs
    GROUP BY actor, recipient ORDER BY n DESC, actor, recipient LIMIT ?
    """
    return [{**r, "n": int(r["n"])} for r in store._rows(sql, [int(limit)])]


def corrections(store: Store, event_id: str | None = None) -> list[dict[str, Any]]:
    """Reported coding errors (all, or those of one event), oldest first: the ``corrections``
    table's columns (``id``, ``event_id``, ``field``, ``coded``, ``correct``, ``note``,
    ``reported_at``)."""
    if event_id is None:
        return store._rows("SELECT * FROM corrections ORDER BY reported_at, id")
    return store._rows("SELECT * FROM corrections WHERE event_id = ? ORDER BY reported_at, id", [event_id])
