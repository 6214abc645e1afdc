"""What each page shows, as plain data: the functions an HTML page and its JSON twin share.

No SQL (they call ``store.queries``) and no HTML (the templates and ``svg.py`` draw): the
index dashboard (map shaded by country, places, trend, dyad picker, a page of events), a
dyad in both directions with its net intensity, and an event with its spans marked in the
article text and its type and mode explained.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlencode

from eventcoder.ontology.plover import cameo_code, load_ontology
from eventcoder.store import Store, queries
from eventcoder.store.filters import EventFilter
from eventcoder.web.svg import QUAD_NAMES, map_svg, period_bounds, shade_legend, timeline_svg

Period = Literal["day", "month", "year"]
Shade = Literal["count", "intensity"]
MAP_PLACES = 2000


def filter_query(filters: EventFilter, **changes: Any) -> dict[str, Any]:
    """The URL query of ``filters`` (as the web API names its fields), with ``changes``;
    a change to None leaves that field out."""
    names = {"event_type": "type"}
    query = {names.get(k, k): v for k, v in filters.given().items() if k != "limit"}
    for key, value in changes.items():
        key = names.get(key, key)
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return {k: ("true" if v is True else v) for k, v in query.items()}


def href(path: str, query: Mapping[str, Any]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def dashboard(store: Store, filters: EventFilter, *, shade: Shade, trend_by: Period, limit: int, offset: int) -> dict[str, Any]:
    """The index page: the map, the trend, the dyad picker's choices and one page of events."""
    found = queries.events_page(store, filters, limit=limit, offset=offset)
    places = queries.located_events(store, filters, limit=MAP_PLACES)
    countries = queries.country_counts(store, filters)
    trend = queries.trend(store, filters, by=trend_by)

    def country_link(code: str) -> str:
        return href("/", filter_query(filters, country=code))

    def place_link(place: Mapping[str, Any]) -> str:
        return href("/", filter_query(filters, place_country=place.get("place_country"))) if place.get("place_country") \
            else f"/events/{place['event_id']}"

    def period_link(period: str, _side: str) -> str:
        since, until = period_bounds(period)
        return href("/", filter_query(filters, since=since, until=until))

    return {
        "found": found,
        "places": len(places),
        "countries": countries,
        "map": map_svg(places, countries, shade=shade, country_href=country_link, place_href=place_link),
        "legend": shade_legend(countries, shade),
        "trend": timeline_svg(trend, f"events by {trend_by}", href=period_link),
        "dyads": queries.dyads(store, limit=100),
        "csv_href": href("/api/events.csv", filter_query(filters)),
    }


def dyad(store: Store, actor: str, recipient: str, by: Period, filters: EventFilter | None = None) -> dict[str, Any]:
    """Counts per period by quad class and by type for ``actor`` → ``recipient``, the same
    for the other direction, and the net intensity (summed) per period of each."""
    actor, recipient = actor.upper(), recipient.upper()

    def one_way(a: str, b: str) -> dict[str, Any]:
        by_quad: dict[tuple[str, int | None], int] = {}
        by_type: dict[tuple[str, str], int] = {}
        net: dict[str, float] = {}
        for row in queries.dyad_counts(store, a, b, by, filters):
            quad_key, type_key = (row["period"], row["quad_class"]), (row["period"], row["event_type"])
            by_quad[quad_key] = by_quad.get(quad_key, 0) + row["n"]
            by_type[type_key] = by_type.get(type_key, 0) + row["n"]
            net[row["period"]] = net.get(row["period"], 0.0) + row["intensity"]
        quad_order = sorted(by_quad, key=lambda k: (k[0], k[1] is None, k[1] or 0))
        return {
            "by_quad": [{"period": p, "quad_class": q, "n": by_quad[(p, q)]} for p, q in quad_order],
            "by_type": [{"period": p, "event_type": t, "n": by_type[(p, t)]} for p, t in sorted(by_type)],
            "net": [{"period": p, "intensity": round(v, 2)} for p, v in sorted(net.items())],
        }

    forward, backward = one_way(actor, recipient), one_way(recipient, actor)
    return {"actor": actor, "recipient": recipient, "by": by, **forward, "reverse": backward}


def dyad_page(store: Store, actor: str, recipient: str, by: Period, filters: EventFilter) -> dict[str, Any]:
    """The dyad page: both directions on one time axis (A→B above, B→A below), the net
    intensity lines, bars linking to their period's events, the latest events."""
    data = dyad(store, actor, recipient, by, filters)
    a, b = data["actor"], data["recipient"]

    def drill(period: str, side: str) -> str:
        since, until = period_bounds(period)
        who = (a, b) if side == "above" else (b, a)
        return href("/", filter_query(filters, actor=who[0], recipient=who[1], since=since, until=until))

    net = {"forward": {r["period"]: r["intensity"] for r in data["net"]},
           "reverse": {r["period"]: r["intensity"] for r in data["reverse"]["net"]}}  # fmt: skip
    label = f"{a} to {b} (above) and {b} to {a} (below) events by {by}"
    svg = timeline_svg(data["by_quad"], label, below=data["reverse"]["by_quad"], net=net, href=drill)
    recent = queries.events_page(store, EventFilter(**{**filters.given(), "actor": a, "recipient": b}), limit=20)
    total = sum(r["n"] for r in data["by_quad"])
    total_back = sum(r["n"] for r in data["reverse"]["by_quad"])
    return {**data, "svg": svg, "total": total, "total_back": total_back, "recent": recent}


def explain(event: Mapping[str, Any]) -> dict[str, Any]:
    """What the event's PLOVER type and mode mean, and the CAMEO code they map to."""
    kind = load_ontology().get(event["event_type"])
    code = cameo_code(event["event_type"], event.get("mode"))
    mode_row = cameo_code(event["event_type"], event["mode"]) if event.get("mode") else None
    return {
        "type": kind.description if kind else "",
        "quad": QUAD_NAMES.get(kind.quad_class if kind else None, ""),
        "mode": mode_row.meaning if mode_row and mode_row.mode == event.get("mode") else None,
        "cameo": f"{code.code} {code.name}" if code else None,
        "modes": list(kind.modes) if kind else [],
    }


def marked_text(text: str, event: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The article text cut into pieces for marking: each ``{"text", "kinds", "title",
    "evidence"}``, where ``kinds`` holds ``actor``, ``recipient`` and/or ``trigger`` for the
    words that name them and ``evidence`` says whether the piece is inside the evidence span.

    Offsets that do not fit the text are ignored; the trigger is found (case-insensitively)
    inside the evidence, where the coder read it.
    """
    n = len(text)
    start, end = event.get("start_char"), event.get("end_char")
    evidence = (start, end) if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= n else None
    spans: list[tuple[int, int, str, str]] = []
    for role, key in (("actor", "actors"), ("recipient", "recipients")):
        for party in event.get(key) or []:
            a, b = party.get("start_char"), party.get("end_char")
            if party.get("inferred") or not (isinstance(a, int) and isinstance(b, int) and 0 <= a < b <= n):
                continue
            code = " ".join(p for p in (party.get("country"), party.get("sector")) if p)
            spans.append((a, b, role, f"{role}: {code or party.get('text')}"))
    trigger = (event.get("trigger") or "").strip()
    if trigger and evidence:
        at = text.lower().find(trigger.lower(), evidence[0], evidence[1])
        if at >= 0:
            spans.append((at, at + len(trigger), "trigger", f"trigger: {trigger}"))
    cuts = {0, n, *(evidence or ())}
    for a, b, _, _ in spans:
        cuts.update((a, b))
    points = sorted(cuts)
    pieces = []
    for a, b in zip(points, points[1:]):
        covering = [s for s in spans if s[0] <= a and b <= s[1]]
        pieces.append({
            "text": text[a:b],
            "kinds": sorted({s[2] for s in covering}),
            "title": "; ".join(dict.fromkeys(s[3] for s in covering)),
            "evidence": bool(evidence and evidence[0] <= a and b <= evidence[1]),
        })  # fmt: skip
    return pieces
