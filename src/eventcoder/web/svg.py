"""SVG drawings for the browsing page, drawn here so the page needs no plotting library
and no network: timelines on a true time axis (stacked bars of quad classes per period,
optionally mirrored for the other direction of a dyad, with net-intensity lines) and the
world map (countries shaded by their events, one dot per located place).

All are pure functions from query rows to SVG markup; every text they embed is escaped.
Country outlines come from ``country_shapes.tsv`` beside this module (Natural Earth
1:110m, public domain, projected by ``scripts/build_country_shapes.py`` with
:func:`project`).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from html import escape
from pathlib import Path
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
_PAD_LEFT, _PAD_RIGHT, _PAD_TOP, _PAD_BOTTOM = 48, 48, 16, 56
MAP_WIDTH, MAP_HEIGHT = 720, 360  # 2 pixels a degree
SHAPES_PATH = Path(__file__).with_name("country_shapes.tsv")
SHADES = 5  # classes of country shading, 1 (fewest events / most conflictual) to 5
# Mean intensity classes (Goldstein-style, -10 conflict .. +10 cooperation): upper bounds.
INTENSITY_BOUNDS = (-6.0, -2.0, 2.0, 6.0)
INTENSITY_LABELS = ("below -6", "-6 to -2", "-2 to 2", "2 to 6", "above 6")


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


def period_span(period: str) -> tuple[dt.date, dt.date]:
    """The first day of ``period`` ('2018', '2018-06', '2018-06-12') and the first day after it."""
    parts = [int(p) for p in period.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0] + 1, 1, 1)
    if len(parts) == 2:
        year, month = parts
        return dt.date(year, month, 1), dt.date(year + month // 12, month % 12 + 1, 1)
    day = dt.date(*parts)
    return day, day + dt.timedelta(days=1)


def period_bounds(period: str) -> tuple[str, str]:
    """``period`` as inclusive ``since``/``until`` dates (ISO), for drilling down to its events."""
    first, after = period_span(period)
    return first.isoformat(), (after - dt.timedelta(days=1)).isoformat()


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 times a power of ten)."""
    if value <= 1:
        return 1
    power = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _ticks(first: dt.date, after: dt.date) -> list[tuple[dt.date, str]]:
    """Dates (and labels) for the time axis between ``first`` and ``after``: years, months or
    days as the span calls for, at most ~14 of them."""
    days = (after - first).days
    if days > 3 * 366:
        step = max(1, math.ceil((after.year - first.year + 1) / 14))
        years = range(first.year + (first.month > 1 or first.day > 1), after.year + 1, step)
        return [(dt.date(y, 1, 1), str(y)) for y in years if dt.date(y, 1, 1) < after]
    if days > 62:
        months = (after.year - first.year) * 12 + after.month - first.month
        step = max(1, math.ceil(months / 14))
        ticks = []
        year, month = first.year, first.month
        if first.day > 1:
            year, month = year + month // 12, month % 12 + 1
        index = 0
        while dt.date(year, month, 1) < after:
            if index % step == 0:
                ticks.append((dt.date(year, month, 1), f"{year:04d}-{month:02d}"))
            year, month, index = year + month // 12, month % 12 + 1, index + 1
        return ticks
    step = max(1, math.ceil(days / 14))
    return [(first + dt.timedelta(days=d), (first + dt.timedelta(days=d)).isoformat()) for d in range(0, days, step)]


def _stacks(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[int | None, int]]:
    counts: dict[str, dict[int | None, int]] = {}
    for row in rows:
        by_quad = counts.setdefault(row["period"], {})
        by_quad[row["quad_class"]] = by_quad.get(row["quad_class"], 0) + int(row["n"])
    return counts


def timeline_svg(
    rows: Sequence[Mapping[str, Any]],
    label: str = "",
    *,
    below: Sequence[Mapping[str, Any]] = (),
    net: Mapping[str, Mapping[str, float]] | None = None,
    href: Callable[[str, str], str] | None = None,
) -> str:
    """Stacked bars of event counts per period on a true time axis, one colour per quad class.

    ``rows`` are ``(period, quad_class, n)`` rows (periods '2018', '2018-06' or '2018-06-12';
    one granularity): each bar spans its period's days, so 2007-05-14 and 2018-04-15 lie
    eleven years apart, not side by side. ``below`` are drawn the same way under the axis
    (a dyad's other direction). ``net`` maps a line name ("above", "below") to {period:
    summed intensity} and draws each as a line on the right-hand scale. Each bar segment
    carries ``class="bar q<quad>"``, ``data-period``, ``data-n`` (and ``data-side`` when
    mirrored) and a tooltip; with ``href(period, side)`` each is a link (drill down to the
    period's events). An empty ``rows`` and ``below`` draw a frame saying so.
    """
    above, under = _stacks(rows), _stacks(below)
    plot_w = TIMELINE_WIDTH - _PAD_LEFT - _PAD_RIGHT
    plot_h = TIMELINE_HEIGHT - _PAD_TOP - _PAD_BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {TIMELINE_WIDTH} {TIMELINE_HEIGHT}" '
        f'role="img" aria-label="{escape(label or "event timeline")}">',
        f'<rect class="frame" x="{_PAD_LEFT}" y="{_PAD_TOP}" width="{plot_w}" height="{plot_h}"/>',
    ]
    periods = sorted(set(above) | set(under))
    if not periods:
        out.append(f'<text class="empty" x="{TIMELINE_WIDTH / 2}" y="{TIMELINE_HEIGHT / 2}">no dated events</text></svg>')
        return "".join(out)
    first, after = period_span(periods[0])[0], period_span(periods[-1])[1]
    span_days = max((after - first).days, 1)

    def x_of(day: dt.date) -> float:
        return _PAD_LEFT + plot_w * (day - first).days / span_days

    # With a mirrored direction the zero line sits mid-plot; bars grow up and down from it.
    top_n = max((sum(v.values()) for v in above.values()), default=0)
    low_n = max((sum(v.values()) for v in under.values()), default=0)
    scale = _nice_max(max(top_n, low_n, 1))
    half = plot_h / 2 if under else plot_h
    zero = _PAD_TOP + half
    ticks_y = [(scale, zero - half), (0, zero)] + ([(scale, zero + half)] if under else [])
    for value, y in ticks_y:
        out.append(f'<line class="grid" x1="{_PAD_LEFT}" x2="{_PAD_LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="tick y" x="{_PAD_LEFT - 6}" y="{y + 4:.1f}">{int(value)}</text>')
    for day, text in _ticks(first, after):
        x, ly = x_of(day), _PAD_TOP + plot_h + 12
        out.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{_PAD_TOP}" y2="{_PAD_TOP + plot_h}"/>')
        out.append(f'<text class="tick x" x="{x:.1f}" y="{ly:.1f}" transform="rotate(45 {x:.1f} {ly:.1f})">{escape(text)}</text>')
    for side, stacks, sign in (("above", above, -1), ("below", under, 1)):
        for period, by_quad in sorted(stacks.items()):
            start, end = period_span(period)
            x0, x1 = x_of(start), x_of(end)
            width = max((x1 - x0) * 0.9, 3.0)  # a day in a decade is still a visible bar
            y = zero
            for quad in (1, 2, 3, 4, None):
                n = by_quad.get(quad, 0)
                if not n:
                    continue
                h = half * n / scale
                top = y - h if sign < 0 else y
                y = y - h if sign < 0 else y + h
                mirrored = f' data-side="{side}"' if under else ""
                bar = (f'<rect class="bar q{quad or 0}" data-period="{escape(period)}" data-n="{n}"{mirrored} '
                       f'x="{x0:.1f}" y="{top:.1f}" width="{width:.1f}" height="{h:.1f}">'
                       f"<title>{escape(period)}: {n} {QUAD_NAMES[quad]}</title></rect>")  # fmt: skip
                out.append(f'<a href="{escape(href(period, side))}">{bar}</a>' if href else bar)
    if net:
        # Net intensity (cooperation positive, conflict negative) on its own right-hand scale.
        biggest = _nice_max(max((abs(v) for line in net.values() for v in line.values()), default=1.0))
        mid = _PAD_TOP + plot_h / 2
        out.append(f'<line class="net-zero" x1="{_PAD_LEFT}" x2="{_PAD_LEFT + plot_w}" y1="{mid:.1f}" y2="{mid:.1f}"/>')
        for value, y in ((f"+{biggest:g}", _PAD_TOP + 10), ("0", mid + 4), (f"-{biggest:g}", _PAD_TOP + plot_h)):
            out.append(f'<text class="tick netscale" x="{_PAD_LEFT + plot_w + 6}" y="{y:.1f}">{value}</text>')
        for name, values in net.items():
            if not values:
                continue
            points = []
            for period in sorted(values):
                start, end = period_span(period)
                mid = x_of(start) + (x_of(end) - x_of(start)) / 2
                y = _PAD_TOP + plot_h / 2 - (plot_h / 2) * values[period] / biggest
                points.append(f"{mid:.1f},{y:.1f}")
            out.append(f'<polyline class="net {escape(name)}" points="{" ".join(points)}">'
                       f"<title>net intensity ({escape(name)})</title></polyline>")  # fmt: skip
            for point, period in zip(points, sorted(values)):
                x, y = point.split(",")
                out.append(f'<circle class="net {escape(name)}" cx="{x}" cy="{y}" r="2.5">'
                           f"<title>{escape(period)}: net intensity {values[period]:+g}</title></circle>")
    out.append("</svg>")
    return "".join(out)


def project(lat: float, lon: float) -> tuple[float, float]:
    """Equirectangular map position (x, y) of a point, in SVG pixels."""
    return (lon + 180.0) * MAP_WIDTH / 360.0, (90.0 - lat) * MAP_HEIGHT / 180.0


@lru_cache(maxsize=1)
def country_shapes() -> dict[str, tuple[str, str]]:
    """{ISO3: (name, SVG path data)} for every country outline shipped."""
    with open(SHAPES_PATH, newline="", encoding="utf-8") as handle:
        return {row["code"]: (row["name"], row["path"]) for row in csv.DictReader(handle, delimiter="\t")}


def shade_class(value: float | None, biggest: float, shade: str) -> int:
    """The shading class (1..SHADES) of a country: by event count on a log scale up to
    ``biggest``, or by mean intensity in :data:`INTENSITY_BOUNDS`."""
    if value is None:
        return 0
    if shade == "intensity":
        return 1 + sum(value > bound for bound in INTENSITY_BOUNDS)
    if biggest <= 1:
        return SHADES
    return 1 + min(SHADES - 1, int((SHADES - 1) * math.log(max(value, 1)) / math.log(biggest) + 1e-9))


def shade_legend(countries: Sequence[Mapping[str, Any]], shade: str) -> list[tuple[int, str]]:
    """(class, label) for each shading class the map uses, for the legend under it."""
    if shade == "intensity":
        return list(enumerate(INTENSITY_LABELS, 1))
    biggest = max((int(c["n"]) for c in countries), default=1)
    labels = []
    for k in range(1, SHADES + 1):
        low = 1 if k == 1 else math.ceil(biggest ** ((k - 1) / (SHADES - 1)))
        high = biggest if k == SHADES else math.ceil(biggest ** (k / (SHADES - 1))) - 1
        if biggest <= 1:
            low = high = 1
        if low <= high:
            labels.append((k, f"{low:,}" if low == high else f"{low:,}–{high:,}"))
    return labels if biggest > 1 else [(SHADES, "1")]


def map_svg(
    places: Sequence[Mapping[str, Any]],
    countries: Sequence[Mapping[str, Any]] = (),
    *,
    shade: str = "count",
    country_href: Callable[[str], str] | None = None,
    place_href: Callable[[Mapping[str, Any]], str] | None = None,
) -> str:
    """A world map: country outlines shaded by their events, a 30-degree graticule, and one
    dot per place sized by its events.

    ``places`` are ``queries.located_events`` rows, ``countries`` ``queries.country_counts``
    rows; ``shade`` is ``count`` or ``intensity`` (mean). A country with events links to
    ``country_href(code)``, a dot to ``place_href(place)`` (default: one of its events,
    ``/events/<id>``); each has a tooltip.
    """
    by_code = {c["country"]: c for c in countries}
    biggest = max((int(c["n"]) for c in countries), default=1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" '
        f'role="img" aria-label="map of located events" data-shade="{escape(shade)}">',
        f'<rect class="sea" width="{MAP_WIDTH}" height="{MAP_HEIGHT}"/>',
    ]
    for lon in range(-180, 181, 30):
        x, _ = project(0, lon)
        out.append(f'<line class="graticule" x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{MAP_HEIGHT}"/>')
    for lat in range(-90, 91, 30):
        _, y = project(lat, 0)
        cls = "graticule equator" if lat == 0 else "graticule"
        out.append(f'<line class="{cls}" x1="0" x2="{MAP_WIDTH}" y1="{y:.1f}" y2="{y:.1f}"/>')
    for code, (name, path) in sorted(country_shapes().items()):
        row = by_code.get(code)
        if row is None:
            out.append(f'<path class="country" data-code="{code}" d="{path}"><title>{escape(name)}: no events</title></path>')
            continue
        value = row["intensity"] if shade == "intensity" else row["n"]
        k = shade_class(value, biggest, shade)
        mean = "" if row["intensity"] is None else f", mean intensity {row['intensity']:+.1f}"
        shape = (f'<path class="country {"tone" if shade == "intensity" else "shade"}-{k}" data-code="{code}" '
                 f'data-n="{int(row["n"])}" d="{path}"><title>{escape(name)}: {int(row["n"])} event(s){mean}</title></path>')  # fmt: skip
        out.append(f'<a href="{escape(country_href(code))}">{shape}</a>' if country_href else shape)
    most = max((int(p["n"]) for p in places), default=1)
    # Draw big dots first so small ones on top stay clickable.
    for place in sorted(places, key=lambda p: -int(p["n"])):
        if place["lat"] is None or place["lon"] is None:
            continue
        x, y = project(float(place["lat"]), float(place["lon"]))
        n = int(place["n"])
        radius = 2.5 + 9.5 * math.sqrt(n / most)
        name = place.get("place_name") or f"{place['lat']}, {place['lon']}"
        country = f" ({place['place_country']})" if place.get("place_country") else ""
        link = place_href(place) if place_href else f"/events/{place['event_id']}"
        out.append(
            f'<a href="{escape(link)}"><circle class="place" data-n="{n}" '
            f'cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"><title>{escape(name + country)}: {n} event(s)</title>'
            "</circle></a>"
        )
    out.append("</svg>")
    return "".join(out)
