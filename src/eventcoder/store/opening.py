"""Opening a store file safely, and taking turns on it with other processes.

A store file may come from anywhere (a colleague's share, a download), so it is opened as an
untrusted file: DuckDB's external access and extension auto-loading are off (a VIEW calling
``read_text('/etc/passwd')`` fails instead of serving the file; a SQLite file does not make
DuckDB fetch an extension), the file must be a DuckDB database (DuckDB would open a
``.jsonl`` or ``.parquet`` file as an empty in-memory database, and every write would be lost
at exit), it must be whole (a file cut short opens, then fails on the first read of a missing
block), and eventcoder's names must be tables, not views.

DuckDB lets one process hold a file for writing, and while it does nobody else may open it,
not even to read; a reader blocks a writer too. So both sides wait, for at most ``wait``
seconds, and a writer goes first: while a writer holds its *turn* (an ``flock`` on the file,
released by the kernel if the process dies) new readers wait, so a busy reader (the web page
answering request after request) cannot keep a writer out. A coding run takes its turn for
each batch it stores and gives the file back between batches (``Store.release``), which is
what lets ``eventcoder events`` and the page read while a run codes.

One trap shapes this module: DuckDB locks the file with POSIX record locks, which the kernel
drops when the process closes *any* descriptor of that file. Opening and closing the store
file next to a live connection (to read its header, say) would silently unlock it for other
processes. So each process opens one descriptor per store file, here, and keeps it open while
it has a connection to that file or holds a writer turn on it (closed after, so a process that
opens thousands of stores, one per Ray shard say, does not keep thousands of descriptors).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

from eventcoder.errors import E301_OPEN, E304_LOCKED, StoreError

try:
    import fcntl
except ImportError:  # not POSIX: no turn-taking, DuckDB's own lock still keeps writers apart
    fcntl = None  # type: ignore[assignment]

# Settings DuckDB applies to every connection we make (see the module docstring).
SAFE_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
_MAGIC_AT = 8
_FIRST_POLL, _LAST_POLL = 0.01, 0.1  # seconds between tries while another process holds the file


class _Descriptors:
    """One read-only descriptor per store file for this process (see above), how many users it
    has (connections open, and connects in progress) and how many writer turns this process
    holds on each. A descriptor is closed only when it has neither, under the same lock that
    hands it out, so no thread ever uses one another thread closed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, int] = {}
        self._users: dict[str, int] = {}
        self._retired: dict[str, list[int]] = {}  # descriptors of files since replaced at the path
        self.turns: dict[str, int] = {}

    def use(self, path: str) -> None:
        with self._lock:
            self._users[path] = self._users.get(path, 0) + 1

    def unuse(self, path: str) -> None:
        with self._lock:
            left = self._users.get(path, 0) - 1
            if left > 0:
                self._users[path] = left
            else:
                self._users.pop(path, None)
        self.close_if_idle(path)

    def close_if_idle(self, path: str) -> None:
        """Close the descriptors of ``path`` when nothing of this process uses the file: DuckDB
        has closed its own by then, so there is no lock of this process to lose."""
        with self._lock:
            if self._users.get(path) or self.turns.get(path):
                return
            fds = self._retired.pop(path, [])
            if path in self._open:
                fds.append(self._open.pop(path))
        for fd in fds:
            os.close(fd)

    def get(self, path: str) -> int | None:
        """The descriptor of the file now at ``path`` (None when there is none to open)."""
        with self._lock:
            try:
                now = os.stat(path)
            except OSError:
                return None
            fd = self._open.get(path)
            if fd is not None:
                held = os.fstat(fd)
                if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
                    return fd
                # The file was replaced: keep the old descriptor until nothing uses the path.
                self._retired.setdefault(path, []).append(self._open.pop(path))
            try:
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0))
            except OSError:
                return None
            self._open[path] = fd
            return fd


_DESCRIPTORS = _Descriptors()


def _key(path: str | Path) -> str:
    return os.path.realpath(path)


def check_file(path: str | Path) -> None:
    """Refuse an existing ``path`` that is not a DuckDB database file (E301); a path with
    nothing there passes (a new store is created)."""
    where = str(path)
    target = Path(path)
    if not target.exists():
        if target.is_symlink():
            raise StoreError("the store path is a broken symlink", code=E301_OPEN, source=where)
        return
    if target.is_dir():
        raise StoreError("this is a folder, not a DuckDB file; --db names the store file itself", code=E301_OPEN, source=where)
    if not target.is_file():
        raise StoreError("not a regular file (a FIFO or device?); --db names a DuckDB file", code=E301_OPEN, source=where)
    fd = _DESCRIPTORS.get(_key(target))
    if fd is None:
        raise StoreError("the store file cannot be opened (permissions?)", code=E301_OPEN, source=where)
    head = os.pread(fd, 16, 0)
    if head[_MAGIC_AT : _MAGIC_AT + 4] != DUCKDB_MAGIC:
        what = "is empty" if not head else f"starts with {head[:8]!r}"
        raise StoreError(
            f"not a DuckDB database file (it {what}); --db must name a DuckDB file, or a new path for a new store",
            code=E301_OPEN, source=where,
        )  # fmt: skip


def _holder(path: str) -> tuple[str, str] | None:
    """(PID, "reading" or "writing") of a process holding a lock on ``path``, from Linux's
    /proc/locks (None elsewhere, or when nobody does)."""
    try:
        stat = os.stat(path)
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    device = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    found = None
    for line in lines:
        # "1: POSIX  ADVISORY  READ 8779 fd:01:1234567 0 EOF"; blocked waiters are marked "->"
        fields = line.split()
        if len(fields) >= 6 and fields[1] != "->" and fields[5] == device and fields[4] != str(os.getpid()):
            kind = "writing" if fields[1] == "FLOCK" or fields[3] == "WRITE" else "reading"
            if found is None or kind == "writing":
                found = (fields[4], kind)
    return found


def locked_error(path: str, waited: float, *, read_only: bool, pid: str | None = None) -> StoreError:
    """E304, naming the holder's PID where it is known, what it does, and how long we waited."""
    holder = _holder(path)
    pid = pid or (holder[0] if holder else None)
    doing = holder[1] if holder else "writing"
    who = f"another eventcoder process (PID {pid})" if pid else "another eventcoder process"
    wanted = "read" if read_only else "write"
    hint = ("Wait for that run to finish, or use another --db file." if doing == "writing"
            else "A long read (a big export?) holds it; try again when it ends.")
    return StoreError(
        f"{who} is {doing} {'to ' if doing == 'writing' else ''}this store, and DuckDB lets one process hold a "
        f"file for writing; could not open it to {wanted} after waiting {waited:.1f} s (setting lock_wait). {hint}",
        code=E304_LOCKED, source=path,
    )  # fmt: skip


def _pause(attempt: int) -> None:
    time.sleep(min(_LAST_POLL, _FIRST_POLL * (1.5**attempt)))


def take_writer_turn(path: str, deadline: float, started: float) -> None:
    """Hold this process's writer turn on the file (waiting for another writer's to end)."""
    key = _key(path)
    fd = _DESCRIPTORS.get(key) if fcntl is not None else None
    if fd is None:
        return  # a new file (no reader can be waiting for it yet), or no flock here
    if _DESCRIPTORS.turns.get(key):
        _DESCRIPTORS.turns[key] += 1
        return
    attempt = 0
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise locked_error(path, time.monotonic() - started, read_only=False) from None
            _pause(attempt)
            attempt += 1
    _DESCRIPTORS.turns[key] = 1


def end_writer_turn(path: str) -> None:
    """Give back the writer turn taken by :func:`take_writer_turn` (once per take)."""
    key = _key(path)
    held = _DESCRIPTORS.turns.get(key, 0)
    if not held:
        return
    if held > 1:
        _DESCRIPTORS.turns[key] = held - 1
        return
    fd = _DESCRIPTORS.get(key)
    if fd is not None and fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    del _DESCRIPTORS.turns[key]
    _DESCRIPTORS.close_if_idle(key)


def closed(path: str, *, read_only: bool) -> None:
    """Say that a connection made by :func:`connect` was closed (and end a writer's turn)."""
    if path == ":memory:":
        return
    if not read_only:
        end_writer_turn(path)
    _DESCRIPTORS.unuse(_key(path))


def wait_for_writers(path: str, deadline: float, started: float) -> None:
    """Wait until no other process holds a writer turn on the file (readers go second)."""
    key = _key(path)
    if fcntl is None or _DESCRIPTORS.turns.get(key):
        return  # this process is the writer: its own connection is what it reads through
    fd = _DESCRIPTORS.get(key)
    if fd is None:
        return
    attempt = 0
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise locked_error(path, time.monotonic() - started, read_only=True) from None
            _pause(attempt)
            attempt += 1
            continue
        fcntl.flock(fd, fcntl.LOCK_UN)  # only a test: readers never hold the turn
        return


def _is_lock_conflict(exc: BaseException) -> bool:
    # DuckDB reports a held file as IOException "Could not set lock on file ...: Conflicting
    # lock is held in <program> (PID n)"; there is no narrower exception class to catch.
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _check_whole(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """E301 when the file is shorter than the blocks in use that DuckDB's header lists."""
    row = con.execute("PRAGMA database_size").fetchone()
    if not row:
        return
    # (name, size, block_size, total_blocks, used_blocks, free_blocks, ...). Total counts free
    # blocks a checkpoint trimmed off the end of the file, so only the used ones are a bound;
    # the header blocks before them are left out, which keeps the check safe if their size changes.
    block_size, used_blocks = int(row[2]), int(row[4])
    size = os.stat(path).st_size
    if block_size * used_blocks > size:
        raise StoreError(
            f"the store file is truncated: DuckDB's header lists {used_blocks:,} blocks of {block_size:,} bytes "
            f"in use, but the file has {size:,} bytes (cut short by a copy, a full disk or a crash?); "
            "restore it from a backup, or code into a new --db file",
            code=E301_OPEN, source=path,
        )  # fmt: skip


def check_tables(con: duckdb.DuckDBPyConnection, path: str, names: Sequence[str]) -> None:
    """E301 when one of eventcoder's names is a view (or anything but a base table)."""
    rows = con.execute(
        "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    kinds = {name: kind for name, kind in rows}
    wrong = sorted(f"{name} is a {kinds[name]}" for name in names if name in kinds and kinds[name] != "BASE TABLE")
    if wrong:
        raise StoreError(
            f"not an eventcoder store: {', '.join(wrong)}, not a table (a view runs SQL whenever it is read, so "
            "eventcoder refuses the file)",
            code=E301_OPEN, source=path,
        )  # fmt: skip


def connect(path: str, *, read_only: bool, wait: float, tables: Sequence[str]) -> duckdb.DuckDBPyConnection:
    """A checked DuckDB connection to the store file at ``path`` (":memory:" allowed), waiting up
    to ``wait`` seconds while another process holds the file. A writer holds its turn from here
    until :func:`end_writer_turn`. Raises ``StoreError`` E301 (not a DuckDB file, truncated, a
    view among ``tables``, cannot be opened) or E304 (still held after ``wait``)."""
    if path == ":memory:":
        return duckdb.connect(path, config=SAFE_CONFIG)
    _DESCRIPTORS.use(_key(path))  # the connection's from here: handed back by closed(), or below on failure
    try:
        return _connect(path, read_only=read_only, wait=wait, tables=tables)
    except BaseException:
        _DESCRIPTORS.unuse(_key(path))
        raise


def _connect(path: str, *, read_only: bool, wait: float, tables: Sequence[str]) -> duckdb.DuckDBPyConnection:
    check_file(path)
    started = time.monotonic()
    deadline = started + max(0.0, wait)
    if read_only:
        wait_for_writers(path, deadline, started)
    else:
        take_writer_turn(path, deadline, started)
    try:
        con = _connect_waiting(path, read_only, deadline, started)
        try:
            _check_whole(con, path)
            check_tables(con, path, tables)
        except duckdb.Error as exc:
            con.close()
            raise StoreError(f"could not read the store (a damaged file?): {exc}", code=E301_OPEN, source=path) from exc
        except StoreError:
            con.close()
            raise
    except BaseException:
        if not read_only:
            end_writer_turn(path)
        raise
    if not read_only and not _DESCRIPTORS.turns.get(_key(path)):
        # The file was created by this connect: take the turn now that there is a file to lock.
        try:
            take_writer_turn(path, deadline, started)
        except StoreError:
            con.close()
            raise
    return con


def _connect_waiting(path: str, read_only: bool, deadline: float, started: float) -> duckdb.DuckDBPyConnection:
    attempt = 0
    while True:
        try:
            if not read_only:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            return duckdb.connect(path, read_only=read_only, config=SAFE_CONFIG)
        except (OSError, duckdb.Error) as exc:
            if not _is_lock_conflict(exc):
                raise StoreError(f"could not open or create the store: {exc}", code=E301_OPEN, source=path) from exc
            if time.monotonic() >= deadline:
                holder = re.search(r"PID (\d+)", str(exc))
                raise locked_error(path, time.monotonic() - started, read_only=read_only,
                                   pid=holder.group(1) if holder else None) from exc
            _pause(attempt)
            attempt += 1
