"""Build ``src/eventcoder/web/country_shapes.tsv``: one SVG path per country for the map.

Run: ``python scripts/build_country_shapes.py COUNTRIES_110M_JSON``, where the file is
``countries-110m.json`` from the npm package ``world-atlas`` 2.0.2 (Natural Earth 1:110m
admin-0 countries, public domain, as TopoJSON; get it with ``npm pack world-atlas@2.0.2``).

The TopoJSON arcs are decoded (quantized, delta-encoded), projected with the page's own
equirectangular projection (``web.svg.project``: 2 pixels a degree) and written as SVG path
data with one decimal, keyed by ISO 3166-1 alpha-3 (world-atlas ids are ISO numeric codes;
pycountry maps them). Features without an ISO code are kept under the codes the actor
dictionary uses (Kosovo: XKX) or dropped (disputed areas with no code of their own).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pycountry

from eventcoder.web.svg import project

OUT = Path(__file__).resolve().parents[1] / "src" / "eventcoder" / "web" / "country_shapes.tsv"
NO_ISO_ID = {"Kosovo": "XKX"}  # world-atlas gives these no numeric id


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc as a list of (lon, lat), undoing quantization and delta encoding."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    """One polygon ring from its arc indexes (a negative index is the reversed arc ~i)."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])  # consecutive arcs share an end point
    return points


def unwrapped(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring that crosses the antimeridian (Russia's Chukotka, Fiji) made continuous in
    longitude, plus a copy shifted by 360 degrees for the part beyond the map's edge (the
    SVG clips both at the frame); without it the ring is drawn as a band across the map."""
    if not points:
        return []
    out = [points[0]]
    for lon, lat in points[1:]:
        previous = out[-1][0]
        while lon - previous > 180:
            lon -= 360
        while lon - previous < -180:
            lon += 360
        out.append((lon, lat))
    lons = [lon for lon, _ in out]
    rings = [out]
    if max(lons) > 180:
        rings.append([(lon - 360, lat) for lon, lat in out])
    if min(lons) < -180:
        rings.append([(lon + 360, lat) for lon, lat in out])
    return rings


def path_data(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for points in (r for ring_points in rings for r in unwrapped(ring_points)):
        projected = []
        for lon, lat in points:
            x, y = project(lat, lon)
            cell = f"{x:.1f} {y:.1f}"
            if not projected or projected[-1] != cell:  # drop points that round to the last one
                projected.append(cell)
        if len(projected) >= 3:
            parts.append("M" + "L".join(projected) + "Z")
    return "".join(parts)


def iso3(feature: dict) -> str | None:
    name = feature.get("properties", {}).get("name", "")
    if "id" not in feature:
        return NO_ISO_ID.get(name)
    found = pycountry.countries.get(numeric=str(feature["id"]).zfill(3))
    return found.alpha_3 if found else None


def main(source: str) -> int:
    topology = json.loads(Path(source).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    rows = []
    for feature in topology["objects"]["countries"]["geometries"]:
        code = iso3(feature)
        if code is None:
            continue
        polygons = feature["arcs"] if feature["type"] == "MultiPolygon" else [feature["arcs"]]
        rings = [ring(arcs, r) for polygon in polygons for r in polygon]
        rows.append((code, feature["properties"]["name"], path_data(rings)))
    rows.sort()
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(("code", "name", "path"))
        writer.writerows(rows)
    print(f"wrote {len(rows)} countries to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
