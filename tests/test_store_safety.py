"""Store files that are not what they seem, and stores that cannot be written (issue 16 items
3, 7, 13 and 15): a --db that is a JSONL, CSV, Parquet or SQLite file; a store cut short; a store
whose tables are views reading the machine's files; a full disk; read commands on a file that is
not eventcoder's. Real DuckDB files, the real CLI in child processes, the real web app.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from eventcoder import Options, code_files
from eventcoder.errors import StoreError
from eventcoder.store import open_store
from eventcoder.testing import make_article, make_coded
from eventcoder.web import create_app

STORY = "China urged North Korea on Tuesday to halt its missile tests, the foreign ministry said."
OTHER = "Russia threatened Ukraine with new sanctions on Tuesday, the Kremlin said in a statement."


def cli(*args: object, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eventcoder", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def said(done: subprocess.CompletedProcess[str]) -> str:
    return " ".join(done.stderr.split())  # rich may wrap a long line


@pytest.fixture(scope="module")
def article_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("in") / "story.txt"
    path.write_text(STORY)
    return path


def store_with(path: Path, n: int = 1) -> Path:
    with open_store(path) as store:
        store.save_many([make_coded(make_article(f"Report {i}. {STORY} " * 30)) for i in range(n)])
    return path


# -- 3: --db that is not a DuckDB file -----------------------------------------------------------


def _write_foreign(path: Path) -> None:
    if path.suffix == ".parquet":
        pq.write_table(pa.table({"text": [STORY]}), path)
    elif path.suffix == ".sqlite":
        with sqlite3.connect(path) as con:
            con.execute("CREATE TABLE articles (text TEXT)")
    else:
        path.write_text('{"text": "' + STORY + '"}\n' if path.suffix == ".jsonl" else f"text\n{STORY}\n")


@pytest.mark.parametrize("name", ["feed.jsonl", "feed.csv", "feed.parquet", "old.sqlite"])
def test_a_db_that_is_not_a_duckdb_file_is_refused_and_left_alone(tmp_path: Path, article_file: Path, name: str) -> None:
    db = tmp_path / name
    _write_foreign(db)
    before = db.read_bytes()
    done = cli("code", article_file, "--db", db)
    assert done.returncode == 1 and "[E301]" in said(done) and "not a DuckDB database file" in said(done)
    assert "Traceback" not in done.stderr and "Extension" not in done.stderr  # nothing tried to fetch one
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(f"{name}.wal"))


def test_a_new_path_becomes_a_store(tmp_path: Path, article_file: Path) -> None:
    db = tmp_path / "new" / "events.duckdb"
    assert cli("code", article_file, "--db", db).returncode == 0
    with open_store(db, read_only=True) as store:
        assert store.counts()["articles"] == 1


def test_a_folder_or_an_empty_file_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "empty.duckdb").touch()
    for path, why in ((tmp_path, "folder"), (tmp_path / "empty.duckdb", "is empty")):
        with pytest.raises(StoreError) as caught:
            open_store(path)
        assert caught.value.code == "E301" and why in str(caught.value)


# -- 7: a truncated store, a full disk -----------------------------------------------------------


def test_a_truncated_store_is_a_clear_error_everywhere(tmp_path: Path, article_file: Path) -> None:
    db = store_with(tmp_path / "cut.duckdb", 3000)
    with open(db, "r+b") as handle:
        handle.truncate(db.stat().st_size // 10)
    for args in (("code", article_file), ("events",), ("export", "csv", tmp_path / "out.csv"), ("stories",)):
        done = cli(*args, "--db", db)
        assert done.returncode == 1, (args, done.stdout)
        assert "[E301]" in said(done) and "truncated" in said(done) and "Traceback" not in done.stderr, args
    assert not (tmp_path / "out.csv").exists()
    with TestClient(create_app(db, lock_wait=0.2)) as client:
        for url in ("/", "/api/events"):
            response = client.get(url)
            assert response.status_code == 503 and "truncated" in response.text


UNSHARE = shutil.which("unshare")


def _can_mount_tmpfs() -> bool:
    if not UNSHARE:
        return False
    root = [] if os.geteuid() == 0 else ["--map-root-user"]
    probe = subprocess.run([UNSHARE, *root, "--mount", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs unshare and a private tmpfs mount to fill a disk")
def test_a_full_disk_is_a_coded_error_and_leaves_whole_batches(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for n in range(60):
        # Long texts, so the 1.5 MB disk fills after a few batches.
        (inputs / f"{n:03d}.txt").write_text(f"Report {n}. {STORY}\n\n" + "\n\n".join(f"{OTHER} Note {n}.{k}." for k in range(60)))
    disk, keep = tmp_path / "disk", tmp_path / "kept"
    disk.mkdir()
    keep.mkdir()
    # In a private mount namespace: the small disk disappears with the shell, whatever happens.
    script = (f'mount -t tmpfs -o size=1500k tmpfs "{disk}" && '
              f'EVENTCODER_STORE_BATCH=5 "{sys.executable}" -m eventcoder code "{inputs}" --db "{disk}/s.duckdb" '
              f'> "{keep}/stdout" 2> "{keep}/stderr"; echo $? > "{keep}/rc"; cp "{disk}"/s.duckdb* "{keep}/"')
    root = [] if os.geteuid() == 0 else ["--map-root-user"]
    subprocess.run([UNSHARE, *root, "--mount", "sh", "-c", script], check=True, timeout=600)
    stderr = " ".join((keep / "stderr").read_text().split())
    assert (keep / "rc").read_text().strip() == "1"
    assert "[E303]" in stderr and "No space left on device" in stderr
    assert "Traceback" not in stderr and "cannot rollback" not in stderr
    with open_store(keep / "s.duckdb", read_only=True) as store:  # the log replays what was committed
        counts, orphans = store.counts(), store.orphans()
    assert 0 < counts["articles"] < 60 and counts["articles"] % 5 == 0  # whole batches of 5, nothing half-written
    assert orphans == {"events": 0, "event_actors": 0, "failures": 0}


# -- 13: untrusted store files -------------------------------------------------------------------


def test_a_store_whose_events_are_a_view_reading_files_is_refused(tmp_path: Path) -> None:
    db = store_with(tmp_path / "trap.duckdb")
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE event_actors")
    con.execute("CREATE VIEW event_actors AS SELECT content AS event_id FROM read_text('/etc/os-release')")
    con.close()
    for read_only in (True, False):
        with pytest.raises(StoreError) as caught:
            open_store(db, read_only=read_only)
        assert caught.value.code == "E301" and "event_actors is a VIEW" in str(caught.value)
    done = cli("events", "--db", db)
    assert done.returncode == 1 and "event_actors is a VIEW" in said(done)
    with TestClient(create_app(db, lock_wait=0.2)) as client:
        response = client.get("/api/events")
    assert response.status_code == 503 and "NAME=" not in response.text


def test_a_store_connection_cannot_reach_the_file_system(tmp_path: Path) -> None:
    with open_store(store_with(tmp_path / "s.duckdb"), read_only=True) as store:
        for sql in ("SELECT * FROM read_text('/etc/os-release')", f"COPY articles TO '{tmp_path / 'x.csv'}'",
                    f"ATTACH '{tmp_path / 'other.duckdb'}'", "INSTALL sqlite"):
            with pytest.raises(StoreError) as caught:
                store._read(sql)
            assert caught.value.code == "E301", sql
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "other.duckdb").exists()


# -- 15: reads that wrote ------------------------------------------------------------------------


def test_read_commands_never_write(tmp_path: Path) -> None:
    plain = tmp_path / "plain.duckdb"
    con = duckdb.connect(str(plain))
    con.execute("CREATE TABLE notes (x INTEGER)")
    con.close()
    before = plain.read_bytes()
    for args in (("events",), ("dyad", "CHN", "PRK"), ("failures",), ("stories",), ("export", "csv", tmp_path / "o.csv")):
        done = cli(*args, "--db", plain)
        assert done.returncode == 1 and "not an eventcoder store" in said(done), args
    assert plain.read_bytes() == before
    con = duckdb.connect(str(plain), read_only=True)
    assert [r[0] for r in con.execute("SHOW TABLES").fetchall()] == ["notes"]  # no eventcoder tables added
    con.close()


def test_read_commands_share_a_store_with_another_reader(tmp_path: Path) -> None:
    db = store_with(tmp_path / "s.duckdb")
    hold = ("import sys; from eventcoder.store import open_store\n"
            "s = open_store(sys.argv[1], read_only=True); print('reading', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "reading"
        for args in (("events", "--format", "jsonl"), ("failures",), ("stories",), ("dyad", "CHN", "PRK")):
            done = cli(*args, "--db", db, env={"EVENTCODER_LOCK_WAIT": "2"})
            assert done.returncode == 0, (args, done.stderr)
    finally:
        holder.communicate("", timeout=30)


@pytest.mark.skipif(not UNSHARE, reason="needs unshare to drop root's power to write anything")
def test_read_commands_work_on_a_read_only_file(tmp_path: Path) -> None:
    db = store_with(tmp_path / "s.duckdb")
    db.chmod(0o444)
    tmp_path.chmod(0o555)  # nor a WAL beside it
    try:
        command = [sys.executable, "-m", "eventcoder", "events", "--db", str(db), "--format", "jsonl"]
        if os.geteuid() == 0:
            command = [UNSHARE, "--user", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert len(done.stdout.splitlines()) == 1
    finally:
        tmp_path.chmod(0o755)
        db.chmod(0o644)


def test_a_failed_write_rolls_back_with_its_reason(tmp_path: Path) -> None:
    db = store_with(tmp_path / "s.duckdb")
    with open_store(db, read_only=True) as store:
        with pytest.raises(StoreError) as caught:
            store.save(make_coded(make_article("Russia threatened Ukraine with sanctions on Monday, officials said.")))
    assert caught.value.code == "E303" and "read-only" in str(caught.value) and "rollback" not in str(caught.value)


def test_code_files_releases_the_store_between_batches(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for n in range(4):
        (inputs / f"{n}.txt").write_text(f"Report {n}. {OTHER}")
    db = tmp_path / "s.duckdb"
    with open_store(db) as store:
        code_files([inputs], store, Options(store_batch=2))
        # Released: another process may open the file now, though this Store is still open.
        probe = subprocess.run([sys.executable, "-c", "import sys; from eventcoder.store import open_store; "
                                "print(open_store(sys.argv[1], read_only=True, wait=0).counts()['articles'])", str(db)],
                               capture_output=True, text=True, timeout=120)
        assert probe.stdout.strip() == "4", probe.stderr
        assert store.counts()["articles"] == 4  # and this Store connects again when used


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts descriptors in Linux /proc")
def test_opening_many_stores_keeps_no_descriptors(tmp_path: Path) -> None:
    # Each store file gets a descriptor of its own while it is open (DuckDB's lock depends on it);
    # a process coding one temporary store per shard must not keep one per shard for good.
    before = len(list(Path("/proc/self/fd").iterdir()))
    for n in range(40):
        with open_store(tmp_path / f"{n}.duckdb") as store:
            store.save(make_coded())
        with open_store(tmp_path / f"{n}.duckdb", read_only=True) as store:
            store.counts()
    assert len(list(Path("/proc/self/fd").iterdir())) <= before + 2


def test_many_threads_open_one_store_at_once(tmp_path: Path) -> None:
    # The web app opens the store read-only in every request thread: one thread's close must
    # never take away the descriptor another is about to use.
    import threading

    db = store_with(tmp_path / "s.duckdb", 5)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(40):
                with open_store(db, read_only=True, wait=30) as store:
                    assert store.counts()["articles"] == 5
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to meet the interleavings
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
