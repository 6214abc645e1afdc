"""Reliability: bad input at scale (scaled down), resume, crash and resume with SIGKILL, and
the single-writer rule, all against real DuckDB files and real child processes.

The full-size runs (10,000 inputs, more kills) are in bench/reliability_batch.py; their
figures are in docs/RELIABILITY.md.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eventcoder import Options
from eventcoder.errors import E301_OPEN, E304_LOCKED, StoreError

# The generator and reconciler are the bench's harness (bench/reliability.py), shared with
# bench/reliability_batch.py; they are not part of the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from reliability import (  # noqa: E402
    BAD_KINDS,
    HOSTILE_KINDS,
    ONCE_KINDS,
    compare_stores,
    crash_and_resume,
    generate_batch,
    reconcile,
    start_coder,
    stores_equal,
)
from eventcoder.run import code_files
from eventcoder.store import open_store
from eventcoder.store.duckdb import SCHEMA_VERSION
from eventcoder.testing import make_coded

# Small transactions so that kills land between, and inside, many commits.
CRASH_ENV = {"EVENTCODER_STORE_BATCH": "3", "EVENTCODER_BATCH_SIZE": "4"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list, Path]:
    """200 inputs of every kind (one a real 50 MB file) coded into a real DuckDB file."""
    root = tmp_path_factory.mktemp("batch")
    expected = generate_batch(root / "inputs", 200, good_share=0.15, seed=7)
    db = root / "batch.duckdb"
    with open_store(db) as store:
        code_files([root / "inputs"], store, Options())
    return root, expected, db


def test_every_bad_kind_is_in_the_batch(batch: tuple[Path, list, Path]) -> None:
    _, expected, _ = batch
    kinds = {e.kind for e in expected}
    assert set(BAD_KINDS) | set(HOSTILE_KINDS) | set(ONCE_KINDS) | {"oversized"} <= kinds
    assert sum(1 for e in expected if e.outcome == "coded") >= 30


def test_batch_counts_reconcile_input_by_input(batch: tuple[Path, list, Path]) -> None:
    _, expected, db = batch
    with open_store(db, read_only=True) as store:
        result = reconcile(store, expected)
        orphans = store.orphans()
    assert (result.lost, result.unexpected, result.duplicates) == ([], [], [])
    assert result.articles == result.good and result.input_failures == result.bad
    assert result.good + result.bad == result.inputs == len(expected)
    assert orphans == {"events": 0, "event_actors": 0, "failures": 0}


def test_oversized_file_is_refused_unread(batch: tuple[Path, list, Path]) -> None:
    _, expected, db = batch
    (big,) = [e for e in expected if e.kind == "oversized"]
    assert Path(big.file).stat().st_size >= 50 * 1024 * 1024
    with open_store(db, read_only=True) as store:
        (row,) = [f for f in store.failures() if f["source"] == big.file]
    assert row["code"] == "E109" and "max_input_bytes=20,000,000" in row["reason"]


def test_misencoded_text_is_stored_decoded(batch: tuple[Path, list, Path]) -> None:
    _, expected, db = batch
    with open_store(db, read_only=True) as store:
        texts = {a["source"]: a["text"] for a in store.articles()}
    cp1252 = [texts[e.file] for e in expected if e.kind == "cp1252"]
    utf16 = [texts[e.file] for e in expected if e.kind == "utf16le"]
    assert cp1252 and all("Café Zürich" in t for t in cp1252)
    assert utf16 and all(t.startswith("Report ") and "\x00" not in t for t in utf16)
    assert not [s for s, t in texts.items() if "Ã" in t or "\ufffd" in t]  # no mojibake stored


def test_rerun_skips_what_is_stored_and_adds_nothing(batch: tuple[Path, list, Path]) -> None:
    root, expected, db = batch
    with open_store(db) as store:
        before = store.keys()
        summary = code_files([root / "inputs"], store, Options())
        after = store.keys()
    good = sum(1 for e in expected if e.outcome == "coded")
    assert (summary.articles, summary.skipped) == (0, good)
    assert after == before


def test_recode_codes_again_without_duplicates(tmp_path: Path) -> None:
    generate_batch(tmp_path / "inputs", 6, good_share=1.0, seed=3, oversized=False)
    db = tmp_path / "s.duckdb"
    with open_store(db) as store:
        first = code_files([tmp_path / "inputs"], store, Options())
        keys = store.keys()
        again = code_files([tmp_path / "inputs"], store, Options(), resume=False)
        assert again.articles == first.articles > 0 and again.skipped == 0 and again.new_events == 0
        assert store.keys() == keys


# -- crash and resume ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def crash_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float]:
    """A small corpus, and the store of an uninterrupted run over it (with how long it took)."""
    root = tmp_path_factory.mktemp("crash")
    generate_batch(root / "inputs", 40, good_share=0.8, seed=11, oversized=False)
    reference = root / "reference.duckdb"
    started = time.perf_counter()
    child = start_coder([root / "inputs"], reference, CRASH_ENV)
    _, err = child.communicate()
    assert child.returncode == 0, err.decode()
    return root / "inputs", reference, time.perf_counter() - started


@pytest.mark.parametrize("seed", [1, 2])
def test_killed_runs_resume_to_the_uninterrupted_store(
    crash_corpus: tuple[Path, Path, float], tmp_path: Path, seed: int
) -> None:
    inputs, reference, seconds = crash_corpus
    db = tmp_path / "crashed.duckdb"
    report = crash_and_resume([inputs], db, kills=2, rng=random.Random(seed), max_delay=seconds, env=CRASH_ENV)
    assert report.kills, "no run was killed: every one ended before its kill"
    comparison = compare_stores(reference, db)
    assert stores_equal(comparison), comparison
    assert comparison["articles"]["candidate"] > 0 and comparison["events"]["candidate"] > 0


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from Linux /proc")
def test_workers_of_a_killed_run_exit_with_it(crash_corpus: tuple[Path, Path, float], tmp_path: Path) -> None:
    # A SIGKILLed coordinator cannot shut its pool down; each worker (~350 MB with spaCy) must
    # notice on its own and exit, or every kill leaves them behind for good.
    inputs, _, _ = crash_corpus
    child = subprocess.Popen(
        [sys.executable, "-m", "eventcoder", "code", str(inputs), "--db", str(tmp_path / "killed.duckdb"), "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **CRASH_ENV},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and child.poll() is None:
        workers = [p for p in _children(child.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
        time.sleep(0.1)
    assert len(workers) == 2, "the run did not start its two workers"
    child.kill()
    child.wait()
    deadline = time.monotonic() + 30
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in workers if _alive(p)], "workers outlived their killed coordinator"


# -- single writer ------------------------------------------------------------------------

HOLD = """
import sys, time
from eventcoder.store import open_store
store = open_store(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


@pytest.fixture
def held_store(tmp_path: Path):
    """A store file held open for writing by another real process."""
    db = tmp_path / "held.duckdb"
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout and child.stdout.readline().strip() == "holding"
        yield db, child.pid
    finally:
        child.kill()
        child.wait()


@pytest.mark.parametrize("read_only", [False, True])
def test_second_process_gets_a_clear_locked_error(held_store: tuple[Path, int], read_only: bool) -> None:
    db, pid = held_store
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        open_store(db, read_only=read_only, wait=1.0)
    waited = time.monotonic() - started
    assert caught.value.code == E304_LOCKED
    message = str(caught.value)
    assert str(db) in message and f"another eventcoder process (PID {pid}) is writing to this store" in message
    assert re.search(r"after waiting 1\.\d s", message) and 1.0 <= waited < 10  # a bounded wait, then the error


def test_cli_code_reports_the_lock(held_store: tuple[Path, int], tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("China urged North Korea on Tuesday to halt its missile tests, the ministry said.")
    db, _ = held_store
    done = subprocess.run([sys.executable, "-m", "eventcoder", "code", str(text), "--db", str(db)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "EVENTCODER_LOCK_WAIT": "1"})
    assert done.returncode == 1
    said = " ".join(done.stderr.split())  # rich may wrap the line
    assert "[E304]" in said and "is writing to this store" in said


def test_lock_is_released_when_the_writer_exits(held_store: tuple[Path, int]) -> None:
    db, pid = held_store
    subprocess.run(["kill", "-9", str(pid)], check=True)
    time.sleep(0.5)
    with open_store(db, read_only=True) as store:
        assert store.schema_version() == SCHEMA_VERSION


def test_read_only_store(tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    with pytest.raises(StoreError) as missing:
        open_store(db, read_only=True)
    assert missing.value.code == E301_OPEN and not db.exists()
    with open_store(db) as store:
        store.save(make_coded())
    with open_store(db, read_only=True) as one, open_store(db, read_only=True) as two:
        assert one.counts() == two.counts() and one.counts()["events"] == 1
        with pytest.raises(StoreError) as refused:
            one.save(make_coded(text="Russia threatened Ukraine with sanctions on Monday, officials said."))
        assert refused.value.code == "E303" and "read-only" in str(refused.value)


# -- input limits and decoding ------------------------------------------------------------

STORY = "China urged North Korea on Tuesday to halt its missile tests, the foreign ministry said."


def test_an_oversized_jsonl_line_is_skipped_and_the_file_goes_on(tmp_path: Path) -> None:
    from eventcoder.ingest import read_paths

    feed = tmp_path / "feed.jsonl"
    huge = '{"text": "' + "x" * 3_000_000 + '"}'
    feed.write_text("\n".join([f'{{"text": "{STORY}"}}', huge, f'{{"text": "{STORY} Again."}}']) + "\n")
    items = list(read_paths([feed], max_bytes=1_000_000))
    assert [getattr(i, "code", "article") for i in items] == ["article", "E109", "article"]
    assert items[1].line == 2 and "3,000,0" in items[1].reason and "max_input_bytes=1,000,000" in items[1].reason


def test_an_oversized_warc_record_is_refused_and_the_next_is_read(tmp_path: Path) -> None:
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from eventcoder.ingest import read_paths

    archive = tmp_path / "crawl.warc.gz"
    with archive.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for n, body in enumerate([b"<html><body><article><p>" + b"y " * 600_000 + b"</p></article></body></html>",
                                  f"<html><body><article><p>{STORY}</p></article></body></html>".encode()]):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://news.example/{n}", "response",
                                                          payload=io.BytesIO(body), http_headers=headers))
    items = list(read_paths([archive], max_bytes=1_000_000))
    assert [getattr(i, "code", "article") for i in items] == ["E109", "article"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_decoded(tmp_path: Path, encoding: str) -> None:
    from eventcoder.ingest import read_paths

    path = tmp_path / "story.txt"
    path.write_bytes(f"{STORY} Talks in Zürich resumed.".encode(encoding))
    (article,) = read_paths([path])
    assert article.text == f"{STORY} Talks in Zürich resumed."


def test_truncated_utf8_is_refused_not_misread(tmp_path: Path) -> None:
    from eventcoder.ingest import read_paths

    path = tmp_path / "cut.txt"
    path.write_bytes(f"{STORY} Talks in São Paulo é".encode()[:-1])
    (rejected,) = read_paths([path])
    assert rejected.code == "E104" and "truncated UTF-8" in rejected.reason
