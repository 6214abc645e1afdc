"""The browsing page in a real headless Chromium (Debian's, driven by Playwright) against a
real uvicorn server on a free localhost port, over a DuckDB file coded from the seeds:
load, filter, click, read the evidence, open a dyad plot, take screenshots.

Chromium must be at /usr/bin/chromium (``scripts/test`` installs it). Without it these
tests fail, saying so, rather than skip: set EVENTCODER_SKIP_BROWSER=1 to skip them on
purpose on a machine without it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from eventcoder import CodedArticle, open_store
from eventcoder.web import create_app

CHROMIUM = Path(os.environ.get("EVENTCODER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

if os.environ.get("EVENTCODER_SKIP_BROWSER") == "1":
    pytest.skip("EVENTCODER_SKIP_BROWSER=1: browser tests skipped on purpose", allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def seed_db(coded_seeds: dict[str, CodedArticle], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The coded seeds in a DuckDB file, closed (the server opens it read-only)."""
    path = tmp_path_factory.mktemp("browser") / "seeds.duckdb"
    with open_store(path) as store:
        store.save_many(coded_seeds.values())
    return path


@pytest.fixture(scope="module")
def server(seed_db: Path) -> Iterator[str]:
    """A uvicorn server on a free localhost port in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(seed_db), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run the tests with scripts/test (it installs Debian's chromium), "
            "or `apt-get install -y chromium`; EVENTCODER_SKIP_BROWSER=1 skips these tests on purpose",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    """A fresh page that records every URL it asks for (all must stay on our server)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    asked: list[str] = []
    opened.on("request", lambda request: asked.append(request.url))
    yield opened
    context.close()
    strays = [url for url in asked if not url.startswith((server, "data:", "about:"))]
    assert strays == [], f"the page asked for outside resources: {strays}"


def test_load_filter_and_click_through_to_the_evidence(
    page: Page, server: str, tmp_path: Path, coded_seeds: dict[str, CodedArticle]
) -> None:
    stored = [event for coded in coded_seeds.values() for event in coded.events]
    by_usa = [event for event in stored if any(actor.country == "USA" for actor in event.actors)]
    assert len(by_usa) >= 1  # the seeds report US acts; the filter below needs some
    page.goto(server + "/")
    rows = page.locator("tr.event")
    assert rows.count() == len(stored)  # every stored event is listed (one page holds the seeds)
    assert page.locator("svg.map circle.place").count() == 3  # Chengdu, Singapore, Beijing
    page.screenshot(path=tmp_path / "index.png", full_page=True)

    page.fill("input[name=actor]", "usa")
    page.click("button[type=submit]")
    page.wait_for_url("**/?actor=usa*")
    assert "recipient=" not in page.url  # blank filters are left out of the URL
    assert page.inner_text("#total") == str(len(by_usa))
    assert rows.count() == len(by_usa)
    assert all("USA" in text for text in rows.locator("td.actor").all_inner_texts())
    assert page.input_value("input[name=actor]") == "USA"
    page.screenshot(path=tmp_path / "filtered.png", full_page=True)

    event_id = rows.first.get_attribute("data-id")
    rows.first.locator("td.sentence").click()  # anywhere on the row opens the event
    page.wait_for_url(f"**/events/{event_id}")
    evidence = page.locator("mark#evidence")
    assert evidence.is_visible()
    detail = page.request.get(f"{server}/api/events/{event_id}").json()
    text, start, end = detail["article"]["text"], detail["event"]["start_char"], detail["event"]["end_char"]
    assert evidence.inner_text().strip() == text[start:end].strip() != ""
    assert page.locator("#sources li").count() == len(detail["sources"]) >= 1
    page.screenshot(path=tmp_path / "event.png", full_page=True)


def test_dyad_page_plots_the_timeline(page: Page, server: str, tmp_path: Path) -> None:
    page.goto(server + "/dyad/CHN/PRK")
    plot = page.locator("svg.timeline")
    assert plot.is_visible()
    bars = plot.locator("rect.bar")
    periods = set(bars.evaluate_all("els => els.map(e => e.dataset.period)"))
    assert {"2018-06", "2019-12"} <= periods
    box = bars.first.bounding_box()
    assert box is not None and box["height"] > 5 and box["width"] > 1
    assert page.locator("#by-type tbody tr").count() >= 2
    page.screenshot(path=tmp_path / "dyad.png", full_page=True)
    page.locator("tr.event").first.click()
    page.wait_for_url("**/events/*")
    assert page.locator("mark#evidence").is_visible()


def test_api_docs_render_offline(page: Page, server: str) -> None:
    page.goto(server + "/docs")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=15_000)
    assert page.locator(".swagger-ui .opblock").count() >= 5


def test_dashboard_map_trend_list_event_report_dyad_and_csv(page: Page, server: str, seed_db: Path, tmp_path: Path) -> None:
    import csv

    import duckdb

    from eventcoder.export import CSV_COLUMNS

    page.goto(server + "/")
    # The map comes first, above the table, with its legends.
    map_box, table_box = page.locator("svg.map").bounding_box(), page.locator("table#events").bounding_box()
    assert map_box and table_box and map_box["y"] < table_box["y"]
    assert page.locator("svg.map path.country").count() > 150  # real outlines, shaded where events are
    assert page.locator("svg.map a path[data-code='CHN']").get_attribute("class") == "country shade-5"
    assert page.locator("#map-legend .key").count() >= 2 and "inferred" in page.inner_text("main")
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)

    # Zoom: the + button halves the map's view; reset brings the whole world back.
    page.click("#map-zoom button[data-zoom=in]")
    assert page.locator("svg.map").get_attribute("viewBox").split()[2] == "360.00"
    page.locator("svg.map").screenshot(path=tmp_path / "map-zoomed.png")
    page.click("#map-zoom button[data-zoom=reset]")
    assert page.locator("svg.map").get_attribute("viewBox").split()[2] == "720.00"

    # Shading by mean intensity instead of counts.
    page.select_option("select[name=shade]", "intensity")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**shade=intensity**")
    assert page.locator("svg.map path[class*='tone-']").count() >= 1

    # Map -> list: clicking a country filters the list to the events involving it.
    page.goto(server + "/")
    page.locator("svg.map a path[data-code='USA']").click(force=True)
    page.wait_for_url("**country=USA**")
    rows = page.locator("tr.event")
    total = int(page.inner_text("#total"))
    assert 0 < total < 16 and rows.count() == total
    assert all("USA" in row for row in rows.evaluate_all("els => els.map(e => e.innerText)"))
    page.screenshot(path=tmp_path / "country-filtered.png", full_page=True)

    # A place dot filters by the country it lies in.
    page.goto(server + "/")
    page.locator("svg.map a circle.place").first.click(force=True)
    page.wait_for_url("**place_country=**")
    assert int(page.inner_text("#total")) >= 1

    # The trend chart: a bar drills down to its month's events.
    page.goto(server + "/")
    bar = page.locator("#trend svg a rect.bar").first
    period = bar.get_attribute("data-period")
    bar.click(force=True)
    page.wait_for_url(f"**since={period}-01**")
    assert all(d.startswith(period) for d in page.locator("tr.event td.date").all_inner_texts())

    # CSV download of the current filter: the export's CSV, one row per listed event.
    page.goto(server + "/?actor=CHN&type=REQUEST")
    listed = int(page.inner_text("#total"))
    with page.expect_download() as download_info:
        page.click("#csv-download")
    saved = tmp_path / "events.csv"
    download_info.value.save_as(saved)
    with saved.open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    assert len(records) == listed > 0 and tuple(records[0]) == CSV_COLUMNS
    assert {r["event_type"] for r in records} == {"REQUEST"} and all("CHN" in r["actor_countries"] for r in records)

    # List -> event: the parties' words and the trigger are marked, the type and mode explained.
    page.goto(server + "/?actor=CHN&recipient=USA")
    page.locator("tr.event td.sentence").first.click()
    page.wait_for_url("**/events/*")
    event_id = page.url.rsplit("/", 1)[1]
    assert page.locator("mark#evidence .span-trigger").count() == 1
    assert page.locator("#article .span-recipient").count() >= 1
    assert "Ask, appeal, urge or demand" in page.inner_text("#explain") and "CAMEO 10" in page.inner_text("#explain")
    page.screenshot(path=tmp_path / "event-marked.png", full_page=True)

    # Report wrong coding: stored in the store's corrections table.
    page.select_option("#report select[name=field]", "event_type")
    page.fill("#report input[name=correct]", "accuse")
    page.fill("#report input[name=note]", "a complaint, not a request")
    page.click("#report button[type=submit]")
    page.wait_for_url("**reported=1**")
    assert page.locator("#reported").is_visible() and page.locator("#correction-list tbody tr").count() == 1
    con = duckdb.connect(str(seed_db), read_only=True)
    try:
        stored = con.execute("SELECT field, coded, correct, note FROM corrections WHERE event_id = ?", [event_id]).fetchall()
    finally:
        con.close()
    assert stored == [("event_type", "REQUEST", "ACCUSE", "a complaint, not a request")]
    page.screenshot(path=tmp_path / "event-reported.png", full_page=True)

    # Event -> dyad: both directions on a true time axis; a bar drills down to its events.
    page.click("#dyad-link")
    page.wait_for_url("**/dyad/CHN/USA")
    plot = page.locator("svg.timeline")
    assert plot.locator("polyline.net.forward").count() == 1
    bar = plot.locator("a rect.bar").first
    period, n = bar.get_attribute("data-period"), int(bar.get_attribute("data-n"))
    page.screenshot(path=tmp_path / "dyad-both-ways.png", full_page=True)
    bar.click(force=True)
    page.wait_for_url("**actor=CHN**")
    assert "recipient=USA" in page.url and f"since={period}-01" in page.url
    assert int(page.inner_text("#total")) >= n

    # The dyad picker opens another pair.
    page.goto(server + "/")
    choice = page.locator("#dyad-pair option").nth(1).get_attribute("value")
    page.select_option("#dyad-pair", choice)
    page.wait_for_url(f"**/dyad/{choice}")
    assert page.locator("svg.timeline rect.bar").count() >= 1
