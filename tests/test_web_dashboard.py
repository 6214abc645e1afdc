"""The dashboard's data in process (FastAPI's TestClient over a real DuckDB file): the filter
set on the API, country shading, the trend, both directions of a dyad, the CSV download,
and corrections written to the store and read back from the file; plus the store's
migration of a version-2 file (no corrections table) on open."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from eventcoder.export import CSV_COLUMNS
from eventcoder.model import Place
from eventcoder.store import SCHEMA_VERSION, open_store
from eventcoder.testing import make_article, make_coded
from eventcoder.web import create_app


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CHN→PRK REQUEST(meet) 2018-06-12 at Beijing, quad 3, intensity -2, conf 0.9;
    PRK→CHN THREATEN 2018-07-02, quad 3, intensity -6, conf 0.5, background;
    CHN→PRK AID 2018-07-20, quad 2, intensity 7, conf 0.8; USA→CHN ACCUSE 2018-07-21."""
    path = tmp_path_factory.mktemp("dash") / "dash.duckdb"
    beijing = Place(name="Beijing", text="Beijing", start_char=0, end_char=7, country="CHN", lat=39.9, lon=116.4, precision="city")
    a1 = make_article("China asked North Korea to meet; Pyongyang threatened Beijing.", outlet="alpha.example")
    a2 = make_article("China sent food aid to North Korea; the US accused China of evasion.", outlet="beta.example")
    with open_store(path) as store:
        store.save(make_coded(a1, events=[
            {"event_type": "REQUEST", "mode": "meet", "date": dt.date(2018, 6, 12), "quad_class": 3, "intensity": -2.0,
             "confidence": 0.9, "place": beijing},
            {"event_type": "THREATEN", "actors": ("PRK",), "recipients": ("CHN",), "date": dt.date(2018, 7, 2),
             "quad_class": 3, "intensity": -6.0, "confidence": 0.5, "background": True},
        ]))  # fmt: skip
        store.save(make_coded(a2, events=[
            {"event_type": "AID", "date": dt.date(2018, 7, 20), "quad_class": 2, "intensity": 7.0, "confidence": 0.8},
            {"event_type": "ACCUSE", "actors": ("USA",), "recipients": ("CHN",), "date": dt.date(2018, 7, 21),
             "quad_class": 3, "intensity": -2.0, "confidence": 0.7},
        ]))  # fmt: skip
    return path


@pytest.fixture(scope="module")
def client(db_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db_path)) as test_client:
        yield test_client


def types(client: TestClient, **params: object) -> set[str]:
    response = client.get("/api/events", params=params)
    assert response.status_code == 200, response.text
    return {e["event_type"] for e in response.json()["events"]}


def test_the_filter_set_on_the_api(client: TestClient) -> None:
    assert types(client, country="PRK") == {"REQUEST", "THREATEN", "AID"}
    assert types(client, quad=2) == {"AID"}
    assert types(client, mode="meet") == {"REQUEST"}
    assert types(client, min_confidence=0.75) == {"REQUEST", "AID"}
    assert types(client, no_background="true") == {"REQUEST", "AID", "ACCUSE"}
    assert types(client, place_country="CHN") == {"REQUEST"}
    assert types(client, outlet="beta.example", country="USA") == {"ACCUSE"}
    bad = client.get("/api/events", params={"type": "ATTACK"})
    assert bad.status_code == 422 and "'ATTACK' is not a PLOVER event type" in bad.text and "ASSAULT" in bad.text


def test_country_shading_and_trend(client: TestClient) -> None:
    countries = {c["country"]: c for c in client.get("/api/countries").json()}
    assert (countries["CHN"]["n"], countries["PRK"]["n"], countries["USA"]["n"]) == (4, 3, 1)
    assert countries["PRK"]["intensity"] == pytest.approx((-2 - 6 + 7) / 3, abs=0.01)
    assert client.get("/api/trend", params={"by": "month"}).json() == [
        {"period": "2018-06", "quad_class": 3, "n": 1},
        {"period": "2018-07", "quad_class": 2, "n": 1}, {"period": "2018-07", "quad_class": 3, "n": 2},
    ]  # fmt: skip
    page = client.get("/", params={"shade": "intensity"}).text
    assert 'data-shade="intensity"' in page and 'class="country tone-3" data-code="PRK"' in page  # mean -0.33: the -2 to 2 class
    # The map comes before the table, and a country links to the list filtered by it.
    assert page.index('class="map"') < page.index('<table id="events"')
    assert 'href="/?country=PRK"' in client.get("/").text


def test_dyad_both_directions_and_net_intensity(client: TestClient) -> None:
    body = client.get("/api/dyad/CHN/PRK").json()
    assert body["net"] == [{"period": "2018-06", "intensity": -2.0}, {"period": "2018-07", "intensity": 7.0}]
    assert body["reverse"]["by_type"] == [{"period": "2018-07", "event_type": "THREATEN", "n": 1}]
    assert body["reverse"]["net"] == [{"period": "2018-07", "intensity": -6.0}]
    assert client.get("/api/dyad/CHN/PRK", params={"quad": 2}).json()["by_type"] == [
        {"period": "2018-07", "event_type": "AID", "n": 1}]
    page = client.get("/dyad/CHN/PRK", params={"by": "day"}).text
    assert 'data-side="below"' in page and 'class="net forward"' in page and 'class="net reverse"' in page
    # A bar links to its period's events, in its own direction.
    assert 'href="/?actor=PRK&amp;recipient=CHN&amp;since=2018-07-02&amp;until=2018-07-02"' in page
    # True time axis: bars stand as far apart as their days (June 12 to July 2: 20 days; to July 20: 38).
    xs = {}
    for chunk in page.split('<rect class="bar ')[1:]:
        period = chunk.split('data-period="', 1)[1].split('"', 1)[0]
        xs[period] = float(chunk.split(' x="', 1)[1].split('"', 1)[0])
    ratio = (xs["2018-07-20"] - xs["2018-06-12"]) / (xs["2018-07-02"] - xs["2018-06-12"])
    assert ratio == pytest.approx(38 / 20, rel=0.02)
    assert client.get("/dyad/China/PRK").status_code == 422
    assert client.get("/dyad", params={"pair": "CHN/PRK"}, follow_redirects=False).headers["location"] == "/dyad/CHN/PRK"


def test_csv_download_is_the_export_schema(client: TestClient, db_path: Path) -> None:
    response = client.get("/api/events.csv", params={"country": "CHN", "no_background": "true"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(response.text.splitlines()))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["event_type"] for r in rows] == ["ACCUSE", "AID", "REQUEST"]  # newest first
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        ids = {r[0] for r in con.execute("SELECT id FROM events WHERE NOT background AND "
                                         "(actor_countries LIKE '%CHN%' OR recipient_countries LIKE '%CHN%')").fetchall()}
    finally:
        con.close()
    assert {r["id"] for r in rows} == ids
    empty = client.get("/api/events.csv", params={"outlet": "nowhere.example"})
    assert empty.status_code == 200 and empty.text.strip().split(",")[:2] == ["id", "date"]


def test_corrections_are_stored_and_shown(client: TestClient, db_path: Path) -> None:
    [aid] = client.get("/api/events", params={"type": "AID"}).json()["events"]
    made = client.post(f"/api/events/{aid['id']}/corrections", json={"field": "recipient", "correct": "prk;kor", "note": "both Koreas"})
    assert made.status_code == 201 and (made.json()["coded"], made.json()["correct"]) == ("PRK", "PRK;KOR")
    form = client.post(f"/events/{aid['id']}/corrections", data={"field": "not_an_event", "note": "a plan, not a delivery"},
                       follow_redirects=False)  # fmt: skip
    assert form.status_code == 303 and form.headers["location"].endswith("?reported=1#corrections")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        stored = con.execute("SELECT field, coded, correct, note FROM corrections WHERE event_id = ? ORDER BY field",
                             [aid["id"]]).fetchall()  # fmt: skip
    finally:
        con.close()
    assert stored == [("not_an_event", "AID", None, "a plan, not a delivery"), ("recipient", "PRK", "PRK;KOR", "both Koreas")]
    detail = client.get(f"/api/events/{aid['id']}").json()
    assert [c["field"] for c in detail["corrections"]] == ["recipient", "not_an_event"]
    page = client.get(f"/events/{aid['id']}", params={"reported": 1}).text
    assert 'id="reported"' in page and "a plan, not a delivery" in page
    bad = client.post(f"/api/events/{aid['id']}/corrections", json={"field": "actor", "correct": "Narnia"})
    assert bad.status_code == 422 and "'Narnia' is not a known code" in bad.text
    wrong_form = client.post(f"/events/{aid['id']}/corrections", data={"field": "event_type", "correct": "ATTACK"})
    assert wrong_form.status_code == 422 and "ATTACK" in wrong_form.text
    assert client.post("/api/events/ffffffffffffffff/corrections", json={"field": "not_an_event"}).status_code == 404


def test_event_page_explains_the_type_and_mode(client: TestClient) -> None:
    [request] = client.get("/api/events", params={"type": "REQUEST"}).json()["events"]
    page = client.get(f"/events/{request['id']}").text
    explained = page.split('id="explain">', 1)[1].split("</dd>", 1)[0]
    assert "Ask, appeal, urge or demand" in explained and "asked to meet or negotiate" in explained
    assert "CAMEO 106 Demand meeting, negotiation" in explained


def test_a_version_2_store_gets_its_corrections_table_on_open(tmp_path: Path) -> None:
    db = tmp_path / "v2.duckdb"
    with open_store(db) as store:
        store.save(make_coded(make_article()))
    con = duckdb.connect(str(db))  # make it what the previous eventcoder wrote: version 2, no corrections
    con.execute("DROP TABLE corrections")
    con.execute("UPDATE schema_version SET version = 2")
    con.close()
    with open_store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION >= 3
        assert store.counts()["events"] == 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM corrections").fetchone() == (0,)
        assert con.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    finally:
        con.close()
