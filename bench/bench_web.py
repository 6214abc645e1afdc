"""Speed of the browsing page over a big store: 1,000,000 events.

    python bench/bench_web.py [--events 1000000] [--requests 20] [--db PATH] [--no-write]

The store is SYNTHETIC LOAD DATA, not coded text: articles and events are generated at
random (numpy, fixed seed) with skewed, news-like distributions (a Zipf law over ~60
country codes for actors and recipients, PLOVER types weighted towards talk over force,
40 outlets of very unequal size, ten years of dates, about 40% of events located at one of
30 capitals), then bulk-inserted through DuckDB from Arrow tables into a store made by
``open_store`` (so the schema and indexes are the real ones). Each article is ~700
characters of filler text with five events pointing into it. The file is reused by later
runs when ``--db`` names one that already holds as many events.

Then it times the app's pages and API calls in process (``fastapi.testclient``, so the
figures include routing, validation, the read-only open of the store per request, the
queries and the HTML/JSON rendering, but no network), ``--requests`` times each after
one warm-up, and writes p50/p95 into ``docs/PERFORMANCE.md`` between the ``bench_web``
markers, leaving the rest of that file alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

import eventcoder
from eventcoder.ontology.plover import load_ontology
from eventcoder.store import open_store
from doc_sections import write_section  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parents[1]
SECTION = "bench_web"  # its marked block in docs/PERFORMANCE.md
EVENTS_PER_ARTICLE = 5
COUNTRIES = (
    "USA CHN RUS GBR FRA DEU IND JPN ISR IRN PRK KOR UKR TUR SAU PAK AFG SYR IRQ EGY NGA BRA MEX CAN AUS "
    "ZAF ITA ESP POL VNM PHL IDN MYS THA ETH KEN SDN LBY YEM QAT ARE VEN COL ARG CHL PER CUB TWN MMR BGD "
    "NPL LKA UNO NATO EUR AFR ARB PSE LBN"
).split()
TYPE_WEIGHTS = {
    "REQUEST": 14, "CONSULT": 14, "SUPPORT": 10, "AGREE": 8, "ACCUSE": 9, "REJECT": 5, "THREATEN": 4,
    "COOPERATE": 6, "AID": 4, "CONCEDE": 2, "RETREAT": 1, "PROTEST": 6, "SANCTION": 3, "MOBILIZE": 3,
    "COERCE": 5, "ASSAULT": 6,
}  # fmt: skip
CAPITALS = [
    ("Washington", "USA", 38.90, -77.04), ("Beijing", "CHN", 39.91, 116.40), ("Moscow", "RUS", 55.75, 37.62),
    ("London", "GBR", 51.51, -0.13), ("Paris", "FRA", 48.85, 2.35), ("Berlin", "DEU", 52.52, 13.40),
    ("New Delhi", "IND", 28.61, 77.21), ("Tokyo", "JPN", 35.69, 139.69), ("Jerusalem", "ISR", 31.77, 35.22),
    ("Tehran", "IRN", 35.69, 51.42), ("Pyongyang", "PRK", 39.03, 125.75), ("Seoul", "KOR", 37.57, 126.98),
    ("Kyiv", "UKR", 50.45, 30.52), ("Ankara", "TUR", 39.93, 32.86), ("Riyadh", "SAU", 24.69, 46.72),
    ("Islamabad", "PAK", 33.72, 73.04), ("Kabul", "AFG", 34.53, 69.17), ("Damascus", "SYR", 33.51, 36.29),
    ("Baghdad", "IRQ", 33.34, 44.40), ("Cairo", "EGY", 30.04, 31.24), ("Abuja", "NGA", 9.06, 7.49),
    ("Brasilia", "BRA", -15.79, -47.88), ("Mexico City", "MEX", 19.43, -99.13), ("Ottawa", "CAN", 45.42, -75.70),
    ("Canberra", "AUS", -35.28, 149.13), ("Pretoria", "ZAF", -25.75, 28.19), ("Caracas", "VEN", 10.49, -66.88),
    ("Nairobi", "KEN", -1.29, 36.82), ("Singapore", "SGP", 1.29, 103.85), ("Geneva", "CHE", 46.20, 6.14),
]  # fmt: skip
FILLER = (
    "Officials said talks would continue next week. The ministry gave no further details. "
    "Analysts expect the dispute to dominate the coming summit. Markets were calm. "
)


def zipf_choice(rng: np.random.Generator, items: list[str], n: int, exponent: float = 1.1) -> np.ndarray:
    """``n`` draws from ``items`` with probability falling as 1/rank**exponent."""
    weights = 1.0 / np.arange(1, len(items) + 1) ** exponent
    return np.asarray(items, dtype=object)[rng.choice(len(items), size=n, p=weights / weights.sum())]


def synthetic_tables(n_events: int, seed: int = 0) -> dict[str, pa.Table]:
    """Articles, events and event_actors rows of SYNTHETIC load data (see the module doc)."""
    rng = np.random.default_rng(seed)
    n_articles = n_events // EVENTS_PER_ARTICLE
    article_ids = np.char.add("a", np.char.zfill(np.arange(n_articles).astype(str), 9)).astype(object)
    outlets = [f"outlet{i:02d}.example" for i in range(40)]
    first_day = dt.date(2015, 1, 1)
    days = (dt.date(2024, 12, 31) - first_day).days
    # More news in later years: dates drawn with density rising linearly over the decade.
    published = np.datetime64(first_day) + (np.sqrt(rng.random(n_articles)) * days).astype("timedelta64[D]")
    articles = pa.table({
        "id": article_ids,
        "url": np.char.add("https://synthetic.example/", article_ids.astype(str)).astype(object),
        "outlet": zipf_choice(rng, outlets, n_articles, 0.9),
        "published": published,
        "title": np.char.add("Synthetic load article ", article_ids.astype(str)).astype(object),
        "text": np.char.add(np.char.add("Synthetic article ", article_ids.astype(str)), ". " + FILLER * 4).astype(object),
        "language": np.full(n_articles, "en", dtype=object),
        "source": np.full(n_articles, "bench_web synthetic", dtype=object),
    })  # fmt: skip

    ontology = load_ontology()
    types = list(TYPE_WEIGHTS)
    weights = np.array([TYPE_WEIGHTS[t] for t in types], dtype=float)
    event_type = np.asarray(types, dtype=object)[rng.choice(len(types), size=n_events, p=weights / weights.sum())]
    article_of = np.repeat(np.arange(n_articles), EVENTS_PER_ARTICLE)[:n_events]
    actor = zipf_choice(rng, COUNTRIES, n_events)
    recipient = zipf_choice(rng, COUNTRIES, n_events)
    recipient = np.where(recipient == actor, np.roll(recipient, 1), recipient)
    has_recipient = rng.random(n_events) < 0.7
    dated = rng.random(n_events) < 0.8
    event_date = published[article_of] - rng.integers(0, 4, n_events).astype("timedelta64[D]")
    place = rng.integers(0, len(CAPITALS), n_events)
    located = rng.random(n_events) < 0.4
    start = (np.arange(n_events) % EVENTS_PER_ARTICLE) * 80
    event_ids = np.char.add("e", np.char.zfill(np.arange(n_events).astype(str), 15)).astype(object)

    def actor_json(codes: np.ndarray, present: np.ndarray) -> np.ndarray:
        one = np.char.add(np.char.add('[{"text": "', codes.astype(str)), '", "country": "')
        one = np.char.add(np.char.add(one, codes.astype(str)), '", "sector": "GOV", "start_char": 0, "end_char": 3}]')
        return np.where(present, one, "[]").astype(object)

    def masked(values: np.ndarray, mask: np.ndarray) -> pa.Array:
        return pa.array(values, mask=~mask)

    names = np.array([c[0] for c in CAPITALS], dtype=object)
    place_countries = np.array([c[1] for c in CAPITALS], dtype=object)
    lats = np.array([c[2] for c in CAPITALS])
    lons = np.array([c[3] for c in CAPITALS])

    events = pa.table({
        "id": event_ids,
        "article_id": article_ids[article_of],
        "event_type": event_type,
        "quad_class": np.array([ontology[t].quad_class for t in event_type], dtype=np.int32),
        "intensity": np.array([ontology[t].intensity for t in event_type]),
        "trigger": np.full(n_events, "said", dtype=object),
        "event_date": masked(event_date, dated),
        "date_precision": np.where(dated, "day", "unknown").astype(object),
        "place_name": masked(names[place], located),
        "place_country": masked(place_countries[place], located),
        "lat": masked(lats[place] + rng.normal(0, 0.05, n_events), located),
        "lon": masked(lons[place] + rng.normal(0, 0.05, n_events), located),
        "sentence": np.full(n_events, "Officials said talks would continue next week.", dtype=object),
        "start_char": start.astype(np.int32),
        "end_char": (start + 47).astype(np.int32),
        "confidence": rng.uniform(0.3, 1.0, n_events),
        "extractor": np.full(n_events, "bench_web.synthetic", dtype=object),
        "actor_countries": actor,
        "recipient_countries": masked(recipient, has_recipient),
        "actors_json": actor_json(actor, np.ones(n_events, dtype=bool)),
        "recipients_json": actor_json(recipient, has_recipient),
    })  # fmt: skip
    n_rec = int(has_recipient.sum())
    event_actors = pa.table({
        "event_id": np.concatenate([event_ids, event_ids[has_recipient]]),
        "role": np.array(["actor"] * n_events + ["recipient"] * n_rec, dtype=object),
        "position": np.zeros(n_events + n_rec, dtype=np.int32),
        "text": np.concatenate([actor, recipient[has_recipient]]),
        "country": np.concatenate([actor, recipient[has_recipient]]),
        "sector": np.full(n_events + n_rec, "GOV", dtype=object),
    })  # fmt: skip
    return {"articles": articles, "events": events, "event_actors": event_actors}


def build_store(path: Path, n_events: int) -> float:
    """Create (or reuse) the synthetic store at ``path``; returns the seconds building took."""
    if path.exists():
        with open_store(path, read_only=True) as store:
            if store.counts()["events"] == n_events:
                return 0.0
        path.unlink()
    began = time.perf_counter()
    open_store(path).close()  # the real schema, version row and indexes
    tables = synthetic_tables(n_events)
    # A bench may bulk-load straight through DuckDB: these rows are not records from the coder.
    con = duckdb.connect(str(path))
    try:
        for name in ("articles", "events", "event_actors"):
            con.register(f"staged_{name}", tables[name])
            columns = ", ".join(tables[name].column_names)
            con.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM staged_{name}")
            con.unregister(f"staged_{name}")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return time.perf_counter() - began


def timed(client: object, url: str, n: int) -> list[float]:
    """Milliseconds of ``n`` GETs of ``url`` (after one warm-up); fails on a non-200."""
    durations = []
    for i in range(n + 1):
        began = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}: {response.text[:300]}")
        if i:
            durations.append(elapsed)
    return durations


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of ``values``, by linear interpolation."""
    return float(np.percentile(values, q * 100))


def main(argv: list[str] | None = None) -> int:
    """Build the store, time the routes, print and (unless --no-write) record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per route (after one warm-up)")
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "eventcoder-bench-web.duckdb")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/PERFORMANCE.md alone")
    args = parser.parse_args(argv)

    build_s = build_store(args.db, args.events)
    size_mib = args.db.stat().st_size / 2**20
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # starlette's note about httpx's future
        from fastapi.testclient import TestClient

    from eventcoder.web import create_app

    began = time.perf_counter()
    for _ in range(args.requests):
        open_store(args.db, read_only=True).close()
    open_ms = (time.perf_counter() - began) * 1000 / args.requests

    client = TestClient(create_app(args.db))
    some_event = client.get("/api/events", params={"actor": "CHN", "recipient": "PRK", "limit": 1}).json()["events"][0]["id"]
    top_outlet = client.get("/api/outlets").json()[0]["outlet"]
    routes = [
        ("/", "index: first 50 of all events, outlet list, map"),
        ("/?actor=CHN", "index filtered by actor"),
        ("/?actor=CHN&recipient=PRK&since=2018-01-01&until=2019-12-31", "index: dyad + date range"),
        (f"/?outlet={top_outlet}&type=PROTEST", "index: outlet + type"),
        ("/?offset=500000", "index: page 10,001 (deep offset)"),
        (f"/events/{some_event}", "event page (article, evidence, sources)"),
        ("/dyad/CHN/PRK", "dyad page: monthly timeline SVG + latest 20"),
        ("/api/events?actor=USA&limit=100", "API: 100 events by actor"),
        ("/api/events?type=ASSAULT&since=2024-01-01", "API: type + since"),
        ("/api/dyad/USA/RUS", "API: dyad monthly counts"),
        ("/api/map", "API: located places, all events"),
        ("/api/map?actor=IRN", "API: located places by actor"),
    ]
    load_before = os.getloadavg()[0]
    results = []
    for url, what in routes:
        ms = timed(client, url, args.requests)
        results.append((url, what, percentile(ms, 0.5), percentile(ms, 0.95), max(ms)))
        print(f"{url:70s} p50 {results[-1][2]:7.1f} ms  p95 {results[-1][3]:7.1f} ms", flush=True)

    load_after = os.getloadavg()[0]
    with open_store(args.db, read_only=True) as store:
        counts = store.counts()
    command = "python bench/bench_web.py" + (f" --events {args.events}" if args.events != 1_000_000 else "")
    lines = [
        "## Browsing page over a big store (`bench/bench_web.py`)",
        "",
        f"Machine: {os.cpu_count()} CPU ({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, eventcoder {eventcoder.__version__}. Date: {dt.date.today().isoformat()}.",
        "",
        f"Store: **synthetic load data, not coded text**: {counts['events']:,} events, {counts['event_actors']:,} "
        f"actor rows, {counts['articles']:,} articles from 40 outlets over 2015-2024, generated at random with skewed "
        f"distributions (see the module docstring), {size_mib:,.0f} MiB on disk"
        + (f", built in {build_s:.0f} s" if build_s else "") + ".",
        "",
        f"Requests in process (`fastapi.testclient`: routing, validation, a read-only open of the store per request, "
        f"queries, rendering; no network), {args.requests} timed after one warm-up each. Opening and closing the "
        f"store read-only alone takes {open_ms:.1f} ms. The machine's load average was {load_before:.1f} before "
        f"and {load_after:.1f} after the timed requests (other processes share its CPUs; above {os.cpu_count()} "
        "the figures are slower than on an idle machine).",
        "",
        "| request | what | p50 ms | p95 ms | max ms |",
        "|---|---|---:|---:|---:|",
        *[f"| `{url}` | {what} | {p50:.0f} | {p95:.0f} | {worst:.0f} |" for url, what, p50, p95, worst in results],
        "",
        "Where the time goes: every event list sorts on the event's date, which is the event's own date or "
        "else its article's published date, so it joins the million events to their articles (about half of "
        "an index page); the map groups every located event; a deep `offset` sorts that many rows. "
        "Actor and recipient filters test `events.actor_countries`/`recipient_countries` in the scan rather "
        "than joining `event_actors` (20x faster), and a page's full rows are read after its ids are picked. "
        "One client at a time; concurrent requests share the same CPUs.",
        "",
        "Reproduce with:",
        "",
        "```",
        command,
        "```",
    ]
    text = "\n".join(lines)
    print("\n" + text)
    if not args.no_write:
        target = ROOT / "docs" / "PERFORMANCE.md"
        write_section(target, SECTION, text, title="# Performance")
        print(f"\nwrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
