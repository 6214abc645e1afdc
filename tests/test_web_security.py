"""The page over an untrusted store (issue 16 item 12 and the lower-severity findings): stored
``javascript:`` URLs, security headers, the Host header, and what the terminal is sent.

A real uvicorn server on a free localhost port and Debian's headless Chromium (as
tests/test_browser.py; EVENTCODER_SKIP_BROWSER=1 skips the browser tests on purpose), and the
CLI in child processes for the terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from eventcoder.store import open_store
from eventcoder.testing import make_article, make_coded
from eventcoder.web import create_app
from eventcoder.web.app import link_url

CHROMIUM = Path(os.environ.get("EVENTCODER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE_URLS = ["javascript:alert(document.domain)", "java\tscript:alert(document.domain)",
                " JaVaScRiPt:alert(document.domain)", "data:text/html,<script>alert(1)</script>"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A store whose articles carry script URLs, and one ordinary https article."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    ids = []
    with open_store(path) as store:
        for n, url in enumerate([*HOSTILE_URLS, "https://news.example/ok"]):
            article = make_article(f"Report {n}. China asked North Korea to halt its missile tests.", url=url,
                                   title=f"Headline {n}", published=dt.date(2018, 6, 13))
            coded = make_coded(article)
            store.save(coded)
            ids.append(coded.events[0].id)
    return path, ids


@pytest.fixture(scope="module")
def server(hostile_db: tuple[Path, list[str]]) -> Iterator[str]:
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(create_app(hostile_db[0]), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_only_http_urls_become_links(url: str) -> None:
    assert link_url(url) is None
    assert link_url("https://news.example/a") == "https://news.example/a" and link_url("HTTP://x.example") == "HTTP://x.example"


def test_no_stored_script_url_runs_in_the_browser(server: str, hostile_db: tuple[Path, list[str]], tmp_path: Path) -> None:
    if os.environ.get("EVENTCODER_SKIP_BROWSER") == "1":
        pytest.skip("EVENTCODER_SKIP_BROWSER=1: browser tests skipped on purpose")
    if not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/test, or set EVENTCODER_SKIP_BROWSER=1", pytrace=False)
    from playwright.sync_api import sync_playwright

    _, ids = hostile_db
    dialogs: list[str] = []
    refused: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        for event_id, url in zip(ids, HOSTILE_URLS):
            page.goto(f"{server}/events/{event_id}")
            assert page.locator("#sources li").count() == 1
            assert page.locator("a[href*='script:'], a[href^='data:'], a[href*='script']").count() == 0
            assert "alert(" in page.inner_text("p.meta")  # shown as text
            # Click whatever shows the URL, as a reader would.
            page.locator("#sources li").first.click()
            page.locator("p.meta").click()
            page.wait_for_timeout(200)
        page.goto(f"{server}/events/{ids[-1]}")
        assert page.locator("#sources a[href='https://news.example/ok']").count() == 1  # ordinary links still work
        for path in ("/", f"/events/{ids[-1]}", "/dyad/CHN/PRK", "/docs"):
            page.goto(server + path)
            page.wait_for_load_state("networkidle")
        page.screenshot(path=tmp_path / "hostile-event.png", full_page=True)
        browser.close()
    assert dialogs == []
    assert refused == []  # the policy blocks nothing the pages themselves need


def test_security_headers(server: str, hostile_db: tuple[Path, list[str]]) -> None:
    _, ids = hostile_db
    for path in ("/", f"/events/{ids[0]}", "/api/events", "/static/app.js", "/docs", "/nowhere"):
        headers = httpx.get(server + path).headers
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY", path
        policy = headers["content-security-policy"]
        assert policy.startswith("default-src 'self'") and "frame-ancestors 'none'" in policy, path
        assert ("'unsafe-inline'" in policy) == (path == "/docs"), path  # only Swagger UI's starter script


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example"])
def test_a_foreign_host_header_is_refused(server: str, host: str) -> None:
    # DNS rebinding: a page on evil.example, its name re-pointed at 127.0.0.1, asks this server.
    response = httpx.get(f"{server}/api/events", headers={"Host": host})
    assert response.status_code == 400 and "events" not in response.text


def test_this_machines_names_are_answered(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert httpx.get(f"{server}/api/events", headers={"Host": host}).status_code == 200


def test_serve_says_serving_only_for_a_store_it_can_read(tmp_path: Path) -> None:
    db = tmp_path / "newer.duckdb"
    with open_store(db) as store:
        store.save(make_coded())
    import duckdb

    con = duckdb.connect(str(db))
    con.execute("UPDATE schema_version SET version = 99")
    con.close()
    done = subprocess.run([sys.executable, "-m", "eventcoder", "serve", "--db", str(db), "--port", str(free_port())],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "[E302]" in done.stderr and "Serving" not in done.stdout + done.stderr


# -- what reaches the terminal -------------------------------------------------------------------

ESC_TITLE = "Talks [/] \x1b]0;pwned\x07 \x1b[2J\x9b31m resumed"  # with Rich markup that would raise


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "feed.jsonl").write_text(json.dumps({
        "title": ESC_TITLE, "outlet": "wire\x1b[31m", "date": "2018-06-13",
        "text": "China urged North Korea on Tuesday to halt its missile tests, the foreign ministry said."}) + "\n")
    (inputs / "\x1b[31mred\x1b[0m.txt").write_text("")  # a failure whose source holds escapes
    db = tmp_path / "s.duckdb"
    outputs = []
    for args in (("code", inputs), ("events",), ("events", "--format", "jsonl"), ("failures",), ("stories",)):
        done = subprocess.run([sys.executable, "-m", "eventcoder", *map(str, args), "--db", str(db)],
                              capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})
        assert done.returncode == 0, (args, done.stderr)
        outputs.append(done.stdout + done.stderr)
    for text in outputs:
        assert not [c for c in text if c in "\x1b\x07\x9b"], text
    code_out, table, jsonl, failures, stories = outputs
    assert "red" in code_out and "[E102]" in code_out
    assert "wire\ufffd[31m" in table  # the outlet, its escape made visible
    assert "Talks [/]" in stories and "resumed" in stories  # the title, its markup shown as text
    assert json.loads(jsonl.splitlines()[0])["title"] == ESC_TITLE  # JSON escapes keep the value exact
    assert "red" in failures
