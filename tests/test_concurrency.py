"""Reading while a run writes, a reader that must not lock a writer out, and a run killed during
its cluster refresh (issue 15 "Reads while a run writes"; issue 16 items 5 and 16).

Everything is real: ``eventcoder code`` and ``eventcoder serve`` as child processes, the CLI
reading the same DuckDB file, the web app on a localhost port read with httpx and Debian's
headless Chromium, SIGKILL. DuckDB lets one process hold a file at a time; the coding run gives
it back between batches and readers wait for a writer's batch (store/opening.py).
"""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest
import uvicorn

from eventcoder.errors import StoreError
from eventcoder.store import open_store
from eventcoder.testing import make_article, make_coded
from eventcoder.web import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from reliability import generate_batch  # noqa: E402

CHROMIUM = Path(os.environ.get("EVENTCODER_CHROMIUM", "/usr/bin/chromium"))
SMALL_BATCHES = {"EVENTCODER_STORE_BATCH": "4", "EVENTCODER_BATCH_SIZE": "4"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventcoder(*args: object, env: dict[str, str] | None = None, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "eventcoder", *map(str, args)], text=True,
                            env={**os.environ, **(env or {})}, **kwargs)  # type: ignore[call-overload]


def stored(db: Path, table: str = "articles") -> int:
    try:
        with open_store(db, read_only=True, wait=30) as store:
            return store.counts()[table]
    except StoreError:
        return -1  # not created yet


@pytest.fixture
def server_for() -> Iterator[object]:
    """Start the web app over a store file on a free port, in a thread; stopped after the test."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(db: Path) -> str:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        running.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)


def test_events_the_api_and_the_page_read_while_a_run_writes(tmp_path: Path, server_for: object) -> None:
    if os.environ.get("EVENTCODER_SKIP_BROWSER") != "1" and not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/test, or set EVENTCODER_SKIP_BROWSER=1", pytrace=False)
    generate_batch(tmp_path / "in", 500, good_share=1.0, seed=5, oversized=False)
    db = tmp_path / "s.duckdb"
    base = server_for(db)  # type: ignore[operator]
    reads: list[dict[str, object]] = []
    browser_context = page = None
    if os.environ.get("EVENTCODER_SKIP_BROWSER") != "1":
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        browser_context = (playwright, browser)
        page = browser.new_page()
    writer = eventcoder("code", tmp_path / "in", "--db", db, env=SMALL_BATCHES, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while stored(db) <= 0 and writer.poll() is None:
            time.sleep(0.1)
        while writer.poll() is None:
            listing = subprocess.run([sys.executable, "-m", "eventcoder", "events", "--db", str(db), "--format", "jsonl"],
                                     capture_output=True, text=True, timeout=120)
            api = httpx.get(f"{base}/api/events", params={"limit": 1}, timeout=60)
            shown = None
            if page is not None:
                response = page.goto(f"{base}/")
                shown = (response.status if response else None, page.inner_text("#total"))
            reads.append({"running": writer.poll() is None, "cli": listing.returncode, "cli_events": len(listing.stdout.splitlines()),
                          "cli_error": listing.stderr[-300:], "api": api.status_code,
                          "total": api.json().get("total") if api.status_code == 200 else api.text[:300], "page": shown})
    finally:
        _, err = writer.communicate(timeout=900)
        if browser_context is not None:
            browser_context[1].close()
            browser_context[0].stop()
    assert writer.returncode == 0, err
    during = [r for r in reads if r["running"]]
    assert len(during) >= 2, f"too few reads while the run was coding: {reads}"
    assert all(r["cli"] == 0 and r["api"] == 200 for r in reads), reads
    assert all(r["page"] is None or r["page"][0] == 200 for r in reads), reads
    totals = [r["total"] for r in reads]
    assert totals == sorted(totals) and totals[0] > 0  # events appear batch by batch, none vanish
    with open_store(db, read_only=True) as store:
        final = store.counts()["events"]
    assert totals[-1] <= final and 0 < during[0]["total"] < final  # the first reads saw a run in progress


def test_a_serving_page_does_not_lock_out_a_writer(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with open_store(db) as store:
        store.save_many([make_coded(make_article(f"Report {n}. China asked North Korea to halt tests.")) for n in range(50)])
    story = tmp_path / "new.txt"
    story.write_text("Russia threatened Ukraine with new sanctions on Tuesday, the Kremlin said in a statement.")
    port = free_port()
    serve = eventcoder("serve", "--db", db, "--port", port, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    statuses: list[int] = []
    stop = threading.Event()

    def hammer() -> None:  # request after request, no pause: the page is never idle
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            while not stop.is_set():
                statuses.append(client.get("/api/events", params={"limit": 200}).status_code)

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/outlets", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert serve.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        worker = threading.Thread(target=hammer)
        worker.start()
        while len(statuses) < 20:
            time.sleep(0.05)
        coding = subprocess.run([sys.executable, "-m", "eventcoder", "code", str(story), "--db", str(db)],
                                capture_output=True, text=True, timeout=300, env={**os.environ, "EVENTCODER_LOCK_WAIT": "20"})
        served_during = len(statuses)
        stop.set()
        worker.join(timeout=60)
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
    assert coding.returncode == 0, coding.stderr
    assert "Coded 1 article(s)" in coding.stdout
    assert served_during > 20 and set(statuses) == {200}  # readers waited for the writer's batch, none refused
    assert stored(db) == 51


def test_what_a_kill_inside_the_cluster_refresh_leaves_is_repaired_by_export_and_by_the_next_run(tmp_path: Path) -> None:
    generate_batch(tmp_path / "first", 12, good_share=1.0, seed=21, oversized=False)
    generate_batch(tmp_path / "second", 24, good_share=1.0, seed=22, oversized=False)
    db = tmp_path / "s.duckdb"
    first = eventcoder("code", tmp_path / "first", "--db", db, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert first.wait(timeout=600) == 0
    # What the refresh's one transaction leaves when a kill lands in it: the story tables as
    # they were before it began. Kept after the first run, put back after the second.
    story_tables = ("stories", "event_clusters", "cluster_events", "story_profiles", "story_keys", "story_state")
    snapshot = tmp_path / "before_refresh.duckdb"
    con = duckdb.connect(str(snapshot))
    con.execute(f"ATTACH '{db}' AS store (READ_ONLY)")
    for table in story_tables:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM store.{table}")
    con.close()
    second = eventcoder("code", tmp_path / "second", "--db", db, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert second.wait(timeout=600) == 0
    # The incremental refresh takes a fraction of a second, too short to aim a SIGKILL at; its
    # single transaction means a kill inside it leaves exactly the tables from before it.
    con = duckdb.connect(str(db))
    con.execute(f"ATTACH '{snapshot}' AS snap (READ_ONLY)")
    for table in story_tables:
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} SELECT * FROM snap.{table}")
    con.close()
    with open_store(db, read_only=True) as store:
        events = store.counts()["events"]
        assert store.clusters_stale(), "the store is not what an interrupted refresh leaves"
    stale_copy = tmp_path / "stale.duckdb"
    stale_copy.write_bytes(db.read_bytes())

    out = tmp_path / "out.tsv"
    exported = subprocess.run([sys.executable, "-m", "eventcoder", "export", "gdelt-tsv", str(out), "--db", str(db)],
                              capture_output=True, text=True, timeout=300)
    assert exported.returncode == 0, exported.stderr
    assert "rebuilt them" in " ".join(exported.stderr.split())
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert sum(int(r["NumMentions"]) for r in rows) == events  # every event in one exported cluster
    with open_store(db, read_only=True) as store:
        assert not store.clusters_stale()

    resumed = subprocess.run([sys.executable, "-m", "eventcoder", "code", str(tmp_path / "second"), "--db", str(stale_copy)],
                             capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert "Coded 0 article(s)" in resumed.stdout  # nothing left to code, and still the clusters are rebuilt
    with open_store(stale_copy, read_only=True) as store:
        assert not store.clusters_stale() and store.story_counts()["cluster_events"] == events
