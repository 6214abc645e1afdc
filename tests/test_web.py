"""The browsing app in process (FastAPI's TestClient over httpx) against a real DuckDB file:
every route, its JSON twin, the 4xx answers, and 503 while another process writes the store."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eventcoder.model import Place
from eventcoder.store import open_store
from eventcoder.testing import make_article, make_coded
from eventcoder.web import create_app
from eventcoder.web.app import highlight
from eventcoder.web.svg import fill_periods, map_svg, project, timeline_svg

LEAD = "Officials met in Beijing on Monday. "
EVIDENCE = "China asked North Korea to halt missile tests."


def place(name: str, country: str, lat: float, lon: float) -> Place:
    return Place(name=name, text=name, start_char=0, end_char=len(name), country=country, lat=lat, lon=lon, precision="city")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five events in three articles from two outlets, as a closed DuckDB file.

    CHN→PRK REQUEST 2018-06-12 (quad 3, Beijing) and CONSULT 2018-06-20 (quad 1) in alpha;
    USA→PRK THREATEN 2018-07-01 (quad 3, Washington) and USA→CHN REQUEST in beta;
    CHN,RUS→PRK REQUEST undated (so 2018-08-20, the published date) in alpha.
    """
    path = tmp_path_factory.mktemp("web") / "web.duckdb"
    a1 = make_article(LEAD + EVIDENCE + " More talks are planned.", outlet="alpha.example", published=dt.date(2018, 6, 13))
    a2 = make_article("The United States threatened sanctions on North Korea.", outlet="beta.example", published=dt.date(2018, 7, 2))
    a3 = make_article("China & Russia urged <talks> with North Korea.", outlet="alpha.example", published=dt.date(2018, 8, 20))
    start = len(LEAD)
    with open_store(path) as store:
        store.save(make_coded(a1, events=[
            {"event_type": "REQUEST", "date": dt.date(2018, 6, 12), "quad_class": 3, "start_char": start,
             "end_char": start + len(EVIDENCE), "place": place("Beijing", "CHN", 39.9075, 116.3972)},
            {"event_type": "CONSULT", "date": dt.date(2018, 6, 20), "quad_class": 1, "trigger": "met"},
        ]))  # fmt: skip
        store.save(make_coded(a2, events=[
            {"event_type": "THREATEN", "actors": ("USA",), "date": dt.date(2018, 7, 1), "quad_class": 3,
             "place": place("Washington", "USA", 38.895, -77.0364)},
            {"event_type": "REQUEST", "actors": ("USA",), "recipients": ("CHN",), "date": dt.date(2018, 7, 1), "quad_class": 3},
        ]))  # fmt: skip
        store.save(make_coded(a3, events=[{"event_type": "REQUEST", "actors": ("CHN", "RUS"), "date": None, "quad_class": 3}]))
    return path


@pytest.fixture(scope="module")
def client(db_path: Path) -> Iterator[TestClient]:
    # A short wait: the 503 test below holds the store in another process on purpose.
    with TestClient(create_app(db_path, lock_wait=0.5)) as test_client:
        yield test_client


def events(client: TestClient, **params: object) -> list[dict]:
    response = client.get("/api/events", params=params)
    assert response.status_code == 200, response.text
    return response.json()["events"]


def first_request(client: TestClient) -> str:
    """The id of the CHN→PRK REQUEST of 2018-06-12 (the one with evidence mid-article)."""
    [row] = events(client, type="REQUEST", until="2018-06-12")
    return row["id"]


# -- /api/events -----------------------------------------------------------------------------------


def test_all_events_newest_first_with_total(client: TestClient) -> None:
    body = client.get("/api/events").json()
    assert body["total"] == 5 and body["limit"] == 50 and body["offset"] == 0
    assert [e["date"] for e in body["events"]] == ["2018-08-20", "2018-07-01", "2018-07-01", "2018-06-20", "2018-06-12"]
    assert body["events"][0]["outlet"] == "alpha.example" and body["events"][0]["actors"][1]["country"] == "RUS"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor": "CHN"}, ["REQUEST", "CONSULT", "REQUEST"]),
        ({"actor": "usa"}, ["THREATEN", "REQUEST"]),
        ({"recipient": "CHN"}, ["REQUEST"]),
        ({"type": "threaten"}, ["THREATEN"]),
        ({"since": "2018-06-15", "until": "2018-07-01"}, ["THREATEN", "REQUEST", "CONSULT"]),
        ({"outlet": "beta.example"}, ["THREATEN", "REQUEST"]),
        ({"outlet": "alpha.example", "actor": "CHN", "type": "REQUEST"}, ["REQUEST", "REQUEST"]),
        ({"actor": "", "type": "", "since": ""}, ["REQUEST", "THREATEN", "REQUEST", "CONSULT", "REQUEST"]),
        ({"outlet": "nowhere.example"}, []),
    ],
)
def test_filters(client: TestClient, params: dict, expected: list[str]) -> None:
    # Sorting by (date, id) makes same-day events order-stable; compare the types in that order.
    rows = sorted(events(client, **params), key=lambda e: (e["date"], e["id"]), reverse=True)
    assert [e["event_type"] for e in rows] == expected


def test_pages_do_not_overlap(client: TestClient) -> None:
    pages = [client.get("/api/events", params={"limit": 2, "offset": offset}).json() for offset in (0, 2, 4, 6)]
    assert [p["total"] for p in pages] == [5, 5, 5, 5]
    ids = [e["id"] for p in pages for e in p["events"]]
    assert len(ids) == len(set(ids)) == 5 and pages[3]["events"] == []


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/api/events?actor=C", "actor"),
        ("/api/events?actor=1AB", "actor"),
        ("/api/events?recipient=PR%20K", "recipient"),
        ("/api/events?type=FOO", "'FOO' is not a PLOVER event type"),
        ("/api/events?actor=Chinaa", "'CHINAA' is not a known code"),
        ("/api/events?quad=5", "quad"),
        ("/api/events?mode=airstrike", "'airstrike' is not a PLOVER mode"),
        ("/api/events?since=2018-13-01", "since"),
        ("/api/events?since=2018-07-01&until=2018-06-01", "since (2018-07-01) is after until (2018-06-01)"),
        ("/api/events?limit=0", "limit"),
        ("/api/events?limit=501", "limit"),
        ("/api/events?offset=-1", "offset"),
        ("/api/events/NOT-AN-ID", "event_id"),
        ("/api/dyad/C/PRK", "actor"),
        ("/api/dyad/CHN/PRK?by=week", "by"),
        ("/api/map?until=yesterday", "until"),
    ],
)
def test_malformed_parameters_are_422_with_a_reason(client: TestClient, url: str, says: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert says in response.text


def test_malformed_parameters_on_a_page_get_an_html_error(client: TestClient) -> None:
    response = client.get("/?since=2018-02-30")
    assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")
    assert 'id="errors"' in response.text and "since" in response.text


# -- one event -------------------------------------------------------------------------------------


def test_api_event_has_article_evidence_and_sources(client: TestClient) -> None:
    event_id = first_request(client)
    body = client.get(f"/api/events/{event_id}").json()
    event, article = body["event"], body["article"]
    assert event["evidence"] == EVIDENCE
    assert article["text"][event["start_char"] : event["end_char"]] == EVIDENCE
    assert event["place_name"] == "Beijing" and event["event"]["place"]["country"] == "CHN"
    [source] = body["sources"]
    assert source["outlet"] == "alpha.example" and source["article_id"] == article["id"] and source["event_id"] == event_id


def test_event_page_highlights_the_evidence(client: TestClient) -> None:
    response = client.get(f"/events/{first_request(client)}")
    assert response.status_code == 200
    # The evidence is marked in the article; inside it, the trigger and the parties' words.
    text = response.text.split('<div class="text">', 1)[1].split("</div>", 1)[0]
    assert text.endswith(" More talks are planned.") and '<mark id="evidence">' in text
    inside = text.split('<mark id="evidence">', 1)[1].split("</mark>", 1)[0]
    assert re.sub("<[^>]+>", "", inside) == EVIDENCE and '<span class="span-trigger " title="trigger: asked">asked</span>' in inside
    assert 'href="/dyad/CHN/PRK"' in response.text and "alpha.example" in response.text


def test_article_text_is_escaped(client: TestClient) -> None:
    [russian] = events(client, actor="RUS")
    page = client.get(f"/events/{russian['id']}").text
    assert "&lt;talks&gt;" in page and "<talks>" not in page


def test_unknown_event_is_404(client: TestClient) -> None:
    api = client.get("/api/events/ffffffffffffffff")
    assert api.status_code == 404 and "no event with id 'ffffffffffffffff'" in api.json()["detail"]
    page = client.get("/events/ffffffffffffffff")
    assert page.status_code == 404 and "no event with id" in page.text and "<html" in page.text


# -- dyad, map, index, docs ------------------------------------------------------------------------


def test_api_dyad_counts_by_quad_and_type(client: TestClient) -> None:
    body = client.get("/api/dyad/chn/prk").json()
    assert (body["actor"], body["recipient"], body["by"]) == ("CHN", "PRK", "month")
    assert body["by_quad"] == [
        {"period": "2018-06", "quad_class": 1, "n": 1},
        {"period": "2018-06", "quad_class": 3, "n": 1},
        {"period": "2018-08", "quad_class": 3, "n": 1},
    ]
    assert {(r["period"], r["event_type"], r["n"]) for r in body["by_type"]} == {
        ("2018-06", "CONSULT", 1), ("2018-06", "REQUEST", 1), ("2018-08", "REQUEST", 1),
    }  # fmt: skip
    assert client.get("/api/dyad/CHN/PRK", params={"by": "year"}).json()["by_quad"] == [
        {"period": "2018", "quad_class": 1, "n": 1}, {"period": "2018", "quad_class": 3, "n": 2},
    ]  # fmt: skip


def test_dyad_page_draws_the_timeline(client: TestClient) -> None:
    page = client.get("/dyad/CHN/PRK").text
    assert page.count('class="bar q') == 3
    assert 'class="bar q3" data-period="2018-08" data-n="1"' in page
    # The quiet month between is an axis label with no bar.
    assert ">2018-07</text>" in page and 'data-period="2018-07"' not in page
    assert '<table id="events"' in page and page.count('<tr class="event"') == 3


def test_api_map_lists_located_places(client: TestClient) -> None:
    places = client.get("/api/map").json()["places"]
    assert {(p["place_name"], p["place_country"], p["n"]) for p in places} == {("Beijing", "CHN", 1), ("Washington", "USA", 1)}
    [washington] = client.get("/api/map", params={"actor": "USA"}).json()["places"]
    assert (washington["lat"], washington["lon"]) == (38.9, -77.0)


def test_index_page_filters_the_table_and_the_map(client: TestClient) -> None:
    everything = client.get("/").text
    assert everything.count('<tr class="event"') == 5 and everything.count('<circle class="place"') == 2
    assert '<option value="alpha.example">alpha.example (2)</option>' in everything
    only_usa = client.get("/", params={"actor": "USA", "recipient": "PRK"}).text
    assert only_usa.count('<tr class="event"') == 1 and only_usa.count('<circle class="place"') == 1
    assert 'href="/dyad/USA/PRK"' in only_usa


def test_index_page_links_to_the_next_page(client: TestClient) -> None:
    page = client.get("/", params={"limit": 2, "offset": 2}).text
    assert page.count('<tr class="event"') == 2
    assert 'rel="next" href="/?limit=2&amp;offset=4"' in page and 'rel="prev" href="/?limit=2&amp;offset=0"' in page


def test_openapi_describes_the_api_and_docs_work_offline(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/events", "/api/events/{event_id}", "/api/dyad/{actor}/{recipient}", "/api/map"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/events"]["get"]["parameters"]}
    assert names == {"actor", "recipient", "country", "type", "mode", "quad", "since", "until", "min_confidence",
                     "no_background", "outlet", "place_country", "limit", "offset"}  # the CLI's filter set, and paging
    docs = client.get("/docs").text
    assert "/static-docs/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static-docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/style.css").status_code == 200 and client.get("/static/app.js").status_code == 200


# -- the store from a server's side ----------------------------------------------------------------


def test_missing_store_is_503(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "absent.duckdb")) as absent:
        response = absent.get("/api/events")
        assert response.status_code == 503
        assert response.json()["code"] == "E301" and "absent.duckdb" in response.json()["detail"]


def test_store_is_free_for_a_writer_between_requests(client: TestClient, db_path: Path) -> None:
    assert client.get("/api/events").status_code == 200
    # Opening it for writing in this very process would fail if a read-only handle were still open.
    with open_store(db_path) as writer:
        assert writer.counts()["events"] == 5


def test_store_held_by_a_writer_gives_503(client: TestClient, db_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from eventcoder.store import open_store\n"
         "s = open_store(sys.argv[1]); print('holding', flush=True); sys.stdin.read(); s.close()",
         str(db_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        api = client.get("/api/events")
        assert api.status_code == 503 and api.json()["code"] == "E304" and api.headers["retry-after"] == "5"
        assert "writing to this store" in api.json()["detail"]
        page = client.get("/")
        assert page.status_code == 503 and "writing to this store" in page.text
    finally:
        holder.communicate("", timeout=30)
    assert client.get("/api/events").status_code == 200


# -- drawing -------------------------------------------------------------------------------------


def test_fill_periods_fills_gaps_across_years() -> None:
    assert fill_periods(["2018-11", "2019-02"]) == ["2018-11", "2018-12", "2019-01", "2019-02"]
    assert fill_periods(["2020-02-28", "2020-03-01"]) == ["2020-02-28", "2020-02-29", "2020-03-01"]
    assert fill_periods(["2016", "2018"]) == ["2016", "2017", "2018"]
    # Too many to draw one by one: left as they are.
    assert fill_periods(["1990-01-01", "2020-01-01"]) == ["1990-01-01", "2020-01-01"]


def test_timeline_escapes_and_handles_no_rows() -> None:
    assert "no dated events" in timeline_svg([])
    svg = timeline_svg([{"period": "2018-06", "quad_class": None, "n": 2}], label='<a&"b>')
    assert 'aria-label="&lt;a&amp;&quot;b&gt;"' in svg and 'class="bar q0"' in svg


def test_map_projection_and_links() -> None:
    assert project(90, -180) == (0.0, 0.0) and project(0, 0) == (360.0, 180.0)
    svg = map_svg([{"lat": 0.0, "lon": 0.0, "place_name": "<x>", "place_country": None, "n": 3, "event_id": "abc123"}])
    assert '<a href="/events/abc123"><circle class="place" data-n="3" cx="360.0" cy="180.0"' in svg and "&lt;x&gt;" in svg
    # Country outlines in the same projection: Japan's lie around Tokyo (35.7N 139.7E: x 639.4, y 108.6).
    japan = svg.split('data-code="JPN"', 1)[1].split('"', 2)[1]
    xs = [float(p.split()[0]) for p in japan.replace("M", "L").replace("Z", "").split("L") if p.strip()]
    assert 'class="country" data-code="JPN"' in svg and 610 < min(xs) < 639.4 < max(xs) < 660


def test_highlight_splits_around_valid_offsets_only() -> None:
    assert highlight("abcdef", 2, 4) == ("ab", "cd", "ef")
    assert highlight("abcdef", 4, 2) == ("abcdef", "", "")
    assert highlight("abcdef", 2, 99) == ("abcdef", "", "")


def test_dyad_twin_agrees_with_the_cli_query(client: TestClient, db_path: Path) -> None:
    from eventcoder.store import queries

    with open_store(db_path, read_only=True) as store:
        expected = queries.dyad_timeline(store, "CHN", "PRK", "month")
    assert client.get("/api/dyad/CHN/PRK").json()["by_type"] == expected


def test_serve_command_runs_a_real_server(db_path: Path) -> None:
    import socket
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "eventcoder", "serve", "--db", str(db_path), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/events", params={"actor": "USA"}, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "eventcoder serve did not answer within 60 s"
                time.sleep(0.2)
        assert response.status_code == 200 and response.json()["total"] == 2
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_refuses_a_missing_store(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "eventcoder", "serve", "--db", str(tmp_path / "none.duckdb")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1 and "no store at" in done.stderr


def test_inferred_party_is_marked_on_the_page(tmp_path: Path) -> None:
    from eventcoder import code_text

    coded = code_text("A local radio presenter was killed in a grenade blast in Karachi on Thursday.", published=dt.date(2005, 6, 2))
    path = tmp_path / "inferred.duckdb"
    with open_store(path) as store:
        store.save(coded)
    with TestClient(create_app(path)) as app:
        page = app.get("/").text
        [event] = app.get("/api/events").json()["events"]
    assert [(a["country"], a["inferred"]) for a in event["actors"]] == [("PAK", True)]
    assert 'class="code inferred" title="inferred from where it happened: Karachi"' in page
