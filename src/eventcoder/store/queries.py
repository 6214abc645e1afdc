"""Named read queries over a :class:`~eventcoder.store.duckdb.Store`, shared by the CLI,
the web app and the exporters. Every value reaches SQL as a bound parameter.

An event's *date* is its resolved ``event_date`` or, when the text gave none, the
article's ``published`` date: that is the date filters and timelines use.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from eventcoder.store.duckdb import Store

Period = Literal["day", "month", "year"]
_PERIOD_FORMATS: dict[str, str] = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}

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

_HAS_COUNTRY = (
    "EXISTS (SELECT 1 FROM event_actors x WHERE x.event_id = e.id AND x.role = '{role}' AND x.country = ?)"
)


def _conditions(tests: dict[str, str], **values: Any) -> tuple[list[str], list[Any]]:
    """SQL conditions (one ``?`` each) and their parameters, for the filters that are set.

    ``tests`` maps a filter name to its condition; codes and types are upper-cased and
    ``since``/``until`` parsed as dates, the same way for every query here.
    """
    where: list[str] = []
    params: list[Any] = []
    for name, sql in tests.items():
        value = values.get(name)
        if value is None or value == "":
            continue
        if name in ("since", "until"):
            value = _as_date(value)
        elif name in ("actor", "recipient", "event_type"):
            value = str(value).upper()
        where.append(sql)
        params.append(value)
    return where, params


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    # Callers want actor lists, not JSON text.
    row["actors"] = json.loads(row.pop("actors_json") or "[]")
    row["recipients"] = json.loads(row.pop("recipients_json") or "[]")
    return row


def events(
    store: Store,
    actor: str | None = None,
    recipient: str | None = None,
    event_type: str | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Events matching every given filter, oldest first.

    ``actor``/``recipient`` are ISO3 (or IGO-style) codes matched against the actors of
    that role; ``event_type`` is a PLOVER type; ``since``/``until`` are inclusive dates.
    Each row has the ``events`` columns plus ``date``, article ``url``/``title``/``outlet``/
    ``published``/``coded_at``, ``actors``/``recipients`` as lists of dicts, and the
    event's cluster: ``cluster_id``, ``num_mentions``, ``num_sources``, ``num_articles``
    (None until the store's clusters are refreshed).
    """
    where, params = _conditions(
        {
            "actor": _HAS_COUNTRY.format(role="actor"),
            "recipient": _HAS_COUNTRY.format(role="recipient"),
            "event_type": "e.event_type = ?",
            "since": "COALESCE(e.event_date, a.published) >= ?",
            "until": "COALESCE(e.event_date, a.published) <= ?",
        },
        actor=actor, recipient=recipient, event_type=event_type, since=since, until=until,
    )
    sql = _EVENT_SELECT
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY date NULLS LAST, e.article_id, e.start_char, e.id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [_decode(r) for r in store._rows(sql, params)]


def dyad_timeline(store: Store, actor: str, recipient: str, by: Period = "month") -> list[dict[str, Any]]:
    """Events from ``actor`` to ``recipient`` counted per period and PLOVER type.

    Rows are ``{"period": "2018-06", "event_type": "REQUEST", "n": 3}`` in period order;
    ``by`` is ``"day"``, ``"month"`` or ``"year"``. Events with no date at all are left out.
    """
    if by not in _PERIOD_FORMATS:
        raise ValueError(f"by must be one of {sorted(_PERIOD_FORMATS)}, not {by!r}")
    sql = f"""
    SELECT strftime(COALESCE(e.event_date, a.published), ?) AS period,
           e.event_type, count(*) AS n
    FROM events e
    LEFT JOIN articles a ON a.id = e.article_id
    WHERE {_HAS_COUNTRY.format(role="actor")} AND {_HAS_COUNTRY.format(role="recipient")}
      AND COALESCE(e.event_date, a.published) IS NOT NULL
    GROUP BY period, e.event_type
    ORDER BY period, e.event_type
    """
    params = [_PERIOD_FORMATS[by], actor.upper(), recipient.upper()]
    return [{**r, "n": int(r["n"])} for r in store._rows(sql, params)]


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

_HAS_CLUSTER_COUNTRY = (
    "EXISTS (SELECT 1 FROM cluster_events y JOIN event_actors x ON x.event_id = y.event_id"
    " WHERE y.cluster_id = c.cluster_id AND x.role = '{role}' AND x.country = ?)"
)


def clusters(
    store: Store,
    actor: str | None = None,
    recipient: str | None = None,
    event_type: str | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Deduplicated event clusters matching every given filter, oldest first.

    Filters are those of :func:`events`: ``actor``/``recipient`` match any member event's
    actors/recipients; ``since``/``until`` keep clusters whose date range reaches into the
    period. Each row is the canonical event (as :func:`events` gives it: ``id`` is the
    canonical event's id) plus ``cluster_id``, ``first_date``, ``last_date``,
    ``num_mentions``, ``num_sources``, ``num_articles``, ``sources`` (list of outlets) and
    ``cluster_actor_countries``/``cluster_recipient_countries`` (unions over the members).
    """
    where, params = _conditions(
        {
            "actor": _HAS_CLUSTER_COUNTRY.format(role="actor"),
            "recipient": _HAS_CLUSTER_COUNTRY.format(role="recipient"),
            "event_type": "c.event_type = ?",
            "since": "c.last_date >= ?",
            "until": "c.first_date <= ?",
        },
        actor=actor, recipient=recipient, event_type=event_type, since=since, until=until,
    )
    sql = """
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
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY c.first_date NULLS LAST, c.cluster_id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    rows = [_decode(r) for r in store._rows(sql, params)]
    for row in rows:
        row["sources"] = [s for s in (row["sources"] or "").split(";") if s]
    return rows


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
    where, params = _conditions(
        {"since": "last_published >= ?", "until": "first_published <= ?"}, since=since, until=until,
    )  # fmt: skip
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

_EVENT_DATE = "COALESCE(e.event_date, a.published)"
# events.actor_countries / recipient_countries hold the same codes as the event's
# event_actors rows of that role ('CHN;RUS'). Testing them in the events scan is ~20x faster
# on a big store than joining event_actors, which the browsing page cannot afford per request.
_IN_CODES = "list_contains(string_split(e.{column}, ';'), ?)"


def _browse_filters(
    actor: str | None,
    recipient: str | None,
    event_type: str | None,
    since: dt.date | str | None,
    until: dt.date | str | None,
    outlet: str | None,
) -> tuple[str, list[Any]]:
    """The WHERE clause (or "") and its parameters for the browsing filters."""
    where, params = _conditions(
        {
            "actor": _IN_CODES.format(column="actor_countries"),
            "recipient": _IN_CODES.format(column="recipient_countries"),
            "event_type": "e.event_type = ?",
            "since": f"{_EVENT_DATE} >= ?",
            "until": f"{_EVENT_DATE} <= ?",
            "outlet": "a.outlet = ?",
        },
        actor=actor, recipient=recipient, event_type=event_type, since=since, until=until, outlet=outlet,
    )
    return (" WHERE " + " AND ".join(where)) if where else "", params


def _needs_article(*article_filters: object) -> bool:
    """Whether any filter on an article column (date fallback, outlet) is set."""
    return any(f is not None and f != "" for f in article_filters)


def events_page(
    store: Store,
    actor: str | None = None,
    recipient: str | None = None,
    event_type: str | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    outlet: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of events matching every given filter, newest first, with the total count.

    Filters are those of :func:`events` plus ``outlet`` (the article's outlet, exact).
    Returns ``{"total": n, "limit": limit, "offset": offset, "events": [...]}``; each event
    row is as in :func:`events`.
    """
    where, params = _browse_filters(actor, recipient, event_type, since, until, outlet)
    # Counting needs the articles only for filters on their columns: skipping that join
    # saves most of the count's time on a big store.
    join = " LEFT JOIN articles a ON a.id = e.article_id" if _needs_article(since, until, outlet) else ""
    count_sql = f"SELECT count(*) AS n FROM events e{join}{where}"
    total = int(store._rows(count_sql, params)[0]["n"])
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


def located_events(
    store: Store,
    actor: str | None = None,
    recipient: str | None = None,
    event_type: str | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    outlet: str | None = None,
    limit: int = 2000,
) -> list[dict[str, Any]]:
    """Places of the matching events that have coordinates, most events first.

    Events at the same place (same coordinates rounded to 0.1 degree, named after one of them)
    are one row:
    ``{"lat", "lon", "place_name", "place_country", "n", "event_id"}``, where ``event_id``
    is one of them and ``n`` how many there are. At most ``limit`` places.
    """
    where, params = _browse_filters(actor, recipient, event_type, since, until, outlet)
    located = "e.lat IS NOT NULL AND e.lon IS NOT NULL"
    where = f"{where} AND {located}" if where else f" WHERE {located}"
    join = " LEFT JOIN articles a ON a.id = e.article_id" if _needs_article(since, until, outlet) else ""
    sql = f"""
    SELECT round(e.lat, 1) AS lat, round(e.lon, 1) AS lon,
           any_value(e.place_name) AS place_name, any_value(e.place_country) AS place_country,
           count(*) AS n, max(e.id) AS event_id
    FROM events e{join}{where}
    GROUP BY 1, 2
    ORDER BY n DESC, lat, lon
    LIMIT ?
    """
    return [{**r, "n": int(r["n"])} for r in store._rows(sql, [*params, int(limit)])]


def dyad_counts(store: Store, actor: str, recipient: str, by: Period = "month") -> list[dict[str, Any]]:
    """Events from ``actor`` to ``recipient`` counted per period, PLOVER type and quad class.

    Rows are ``{"period": "2018-06", "event_type": "REQUEST", "quad_class": 3, "n": 2}`` in
    period order (quad classes 1 verbal cooperation, 2 material cooperation, 3 verbal
    conflict, 4 material conflict). Undated events are left out, as in :func:`dyad_timeline`.
    """
    if by not in _PERIOD_FORMATS:
        raise ValueError(f"by must be one of {sorted(_PERIOD_FORMATS)}, not {by!r}")
    # The dyad's events are picked in the events scan first (see _IN_CODES), so only they
    # are joined to their articles (for the date), not the whole events table.
    sql = f"""
    WITH dyad AS (
        SELECT e.id, e.article_id, e.event_date, e.event_type, e.quad_class FROM events e
        WHERE {_IN_CODES.format(column="actor_countries")} AND {_IN_CODES.format(column="recipient_countries")}
    )
    SELECT strftime({_EVENT_DATE}, ?) AS period, e.event_type, e.quad_class, count(*) AS n
    FROM dyad e
    LEFT JOIN articles a ON a.id = e.article_id
    WHERE {_EVENT_DATE} IS NOT NULL
    GROUP BY period, e.event_type, e.quad_class
    ORDER BY period, e.event_type, e.quad_class NULLS LAST
    """
    params = [actor.upper(), recipient.upper(), _PERIOD_FORMATS[by]]
    return [{**r, "n": int(r["n"])} for r in store._rows(sql, params)]


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
