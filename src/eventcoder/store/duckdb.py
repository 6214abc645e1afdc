"""The event store: one DuckDB file, the only place eventcoder writes SQL.

Ids are content hashes (``model.hash_id``), so saving the same article twice adds
nothing twice: articles and failures are upserted, and an event whose id is already
stored replaces the old row (with its actor rows). Every ``save`` is one transaction;
a failed write rolls back and raises ``StoreError`` ``E303``, leaving earlier data as it was.

The file is opened as an untrusted one and shared with other processes by taking turns
(``store/opening.py``): a ``Store`` connects when first used, :meth:`Store.release` gives the
file back (a coding run does so between batches, so readers get in), and the next use
connects again. A read that fails on a damaged file raises ``StoreError`` ``E301``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from eventcoder.errors import E301_OPEN, E302_SCHEMA, E303_WRITE, StoreError
from eventcoder.model import Actor, CodedArticle, Event, Rejected, hash_id
from eventcoder.settings import Options, load_options
from eventcoder.store import opening
from eventcoder.store.stories import STORY_TABLES, StoryTables, migrate

# 2: stories, event_clusters, cluster_events; 3: incremental story tables; 4: corrections
# (older files migrated on open).
SCHEMA_VERSION = 4
DEFAULT_PATH = "events.duckdb"
T = TypeVar("T")
_TABLE_KEYS = {"articles": "id", "events": "id", "event_actors": "event_id, role, position", "failures": "id"}
TABLES = ("articles", "events", "event_actors", "failures")
# Derived by refresh_clusters (store/stories.py) from the tables above; exported with them, counted apart.
_TABLE_KEYS.update({"stories": "article_id", "event_clusters": "cluster_id", "cluster_events": "event_id"})
# Written by people (the page's "report wrong coding"), never by a coding run; exported with the rest.
ANALYST_TABLES = ("corrections",)
_TABLE_KEYS["corrections"] = "id"
# Every name eventcoder reads: each must be a base table in a store file (never a view).
OWN_TABLES = ("schema_version", *TABLES, *STORY_TABLES, *ANALYST_TABLES, "story_profiles", "story_keys", "story_state",
              "story_signatures", "story_embeddings")

ARTICLE_COLUMNS = ("id", "url", "outlet", "published", "title", "text", "language", "source", "coded_at")
EVENT_COLUMNS = (
    "id", "article_id", "event_type", "mode", "quad_class", "intensity", "cameo_root", "trigger",
    "event_date", "date_precision", "date_text", "background", "negated",
    "place_name", "place_country", "lat", "lon", "place_precision", "quote_text", "quote_speaker",
    "sentence", "start_char", "end_char", "confidence", "extractor",
    "actor_countries", "recipient_countries", "actors_json", "recipients_json", "event_json",
)  # fmt: skip
ACTOR_COLUMNS = ("event_id", "role", "position", "text", "country", "sector", "name", "start_char", "end_char")
FAILURE_COLUMNS = ("id", "source", "line", "stage", "code", "reason", "article_id", "recorded_at")
# DuckDB's per-statement cost dominates small writes, and binding a parameter per value
# dominates big ones: up to this many rows go in one multi-row VALUES statement (cheaper
# than executemany, which runs once per row); more are staged as an Arrow table.
_PARAM_ROWS = 16


def _schema_sql() -> str:
    return resources.files("eventcoder.store").joinpath("schema.sql").read_text(encoding="utf-8")


def _utcnow() -> dt.datetime:
    # TIMESTAMP columns are naive; we always store UTC.
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def failure_id(rej: Rejected) -> str:
    """The content-hash id of a failure row: same source/line/stage/code/reason, same id."""
    return hash_id(rej.source, rej.line, rej.stage, rej.code, rej.reason)


def _countries(actors: Sequence[Actor]) -> str | None:
    codes = [a.country for a in actors if a.country]
    return ";".join(dict.fromkeys(codes)) or None


def _event_row(ev: Event) -> tuple[Any, ...]:
    place, quote = ev.place, ev.quote
    speaker = quote.speaker if quote else None
    return (
        ev.id, ev.article_id, ev.event_type, ev.mode, ev.quad_class, ev.intensity, ev.cameo_root,
        ev.trigger, ev.when.date, ev.when.precision, ev.when.text, ev.background, ev.negated,
        place.name if place else None, place.country if place else None,
        place.lat if place else None, place.lon if place else None,
        place.precision if place else None,
        quote.text if quote else None,
        (speaker.name or speaker.country or speaker.text) if speaker else None,
        ev.sentence, ev.start_char, ev.end_char, ev.confidence, ev.extractor,
        _countries(ev.actors), _countries(ev.recipients),
        json.dumps([a.model_dump(mode="json") for a in ev.actors]),
        json.dumps([a.model_dump(mode="json") for a in ev.recipients]),
        ev.model_dump_json(),
    )  # fmt: skip


def _actor_rows(ev: Event) -> list[tuple[Any, ...]]:
    rows = []
    for role, actors in (("actor", ev.actors), ("recipient", ev.recipients)):
        for pos, a in enumerate(actors):
            rows.append((ev.id, role, pos, a.text, a.country, a.sector, a.name, a.start_char, a.end_char))
    return rows


def _failure_row(rej: Rejected, now: dt.datetime) -> tuple[Any, ...]:
    return (failure_id(rej), rej.source, rej.line, rej.stage, rej.code, rej.reason, rej.article_id, now)


class Store(StoryTables):
    """A DuckDB event store. Build it with :func:`open_store`; use it as a context manager."""

    def __init__(self, path: str, *, read_only: bool = False, wait: float = 0.0,
                 connection: duckdb.DuckDBPyConnection | None = None) -> None:
        self.path = path
        self.read_only = read_only
        self.wait = wait  # seconds to wait for the file while another process holds it
        self._connection = connection
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def _con(self) -> duckdb.DuckDBPyConnection:
        """The open connection, connecting again after :meth:`release`."""
        if self._connection is None:
            if self._closed:
                raise StoreError("the store is closed", code=E301_OPEN, source=self.path)
            self._connection = opening.connect(self.path, read_only=self.read_only, wait=self.wait, tables=OWN_TABLES)
        return self._connection

    def release(self) -> None:
        """Give the file back to other processes: close the connection (DuckDB checkpoints on
        close) and, for a writer, end its turn. The next use connects again. A store in memory
        is kept. Raises ``StoreError`` ``E303`` when the checkpoint cannot be written (disk
        full): what was committed stays in the write-ahead log and is replayed on next open."""
        if self._connection is None or self.path == ":memory:":
            return
        connection, self._connection = self._connection, None
        try:
            connection.close()
        except duckdb.Error as exc:
            raise StoreError(f"could not write the store's checkpoint: {exc}", code=E303_WRITE, source=self.path) from exc
        finally:
            opening.closed(self.path, read_only=self.read_only)

    def close(self) -> None:
        """Close the connection; the file stays. The store cannot be used after."""
        if self.path == ":memory:" and self._connection is not None:
            self._connection.close()
            self._connection = None
        self._closed = True
        self.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.close()
        except StoreError:
            if exc is None:
                raise
            # Already failing (a write that hit a full disk, say): that error is the one to show.

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    # -- writes ------------------------------------------------------------------------------

    def save(self, coded: CodedArticle) -> int:
        """Store one coded article (article, events, actors, rejections) in one transaction.

        Returns the number of events that were not stored before. Raises ``StoreError``
        ``E303`` after rolling back if any write fails.
        """
        return self.save_many([coded])

    def save_many(self, batch: Iterable[CodedArticle], failures: Iterable[Rejected] = ()) -> int:
        """Store many coded articles in one transaction (faster for bulk loads).

        Same semantics as :meth:`save`; returns the number of new events across the batch.
        ``failures`` (inputs that gave no article) are recorded in the same transaction, so
        a batch and the failures met while reading it are stored all together or not at all.
        """
        now = _utcnow()
        articles: dict[str, tuple[Any, ...]] = {}
        events: dict[str, Event] = {}
        failures_in, failures = failures, {}
        for coded in batch:
            a = coded.article
            articles[a.id] = (a.id, a.url, a.outlet, a.published, a.title, a.text, a.language, a.source, now)
            for ev in coded.events:
                events[ev.id] = ev  # the last event of an id wins, as a re-save would
            for rej in coded.rejections:
                failures[failure_id(rej)] = _failure_row(rej, now)
        for rej in failures_in:
            failures[failure_id(rej)] = _failure_row(rej, now)
        if not articles and not failures:
            return 0
        event_ids = list(events)
        actor_rows = [row for ev in events.values() for row in _actor_rows(ev)]

        def write() -> int:
            self._upsert_articles(list(articles.values()))
            existing = 0
            if event_ids:
                # Replace, not update: DuckDB refuses ON CONFLICT DO UPDATE on indexed columns.
                # What the delete removed is what was stored before.
                self._delete_in("event_actors", "event_id", event_ids)
                existing = self._delete_in("events", "id", event_ids)
                self._insert("events", EVENT_COLUMNS, [_event_row(ev) for ev in events.values()])
                self._insert("event_actors", ACTOR_COLUMNS, actor_rows)
            self._insert("failures", FAILURE_COLUMNS, list(failures.values()), ignore_existing=True)
            return len(event_ids) - existing

        return self._transaction(write, what=f"saving {len(articles)} article(s) and {len(failures)} failure(s)")

    def record_failure(self, rej: Rejected) -> None:
        """Store one rejection; recording the same rejection again changes nothing."""
        row = _failure_row(rej, _utcnow())
        self._transaction(
            lambda: self._insert("failures", FAILURE_COLUMNS, [row], ignore_existing=True),
            what=f"recording failure {rej.code} from {rej.source}",
        )

    # -- reads -------------------------------------------------------------------------------

    def article_ids(self) -> set[str]:
        """Ids of every stored article (what a resumed coding run skips)."""
        return {row[0] for row in self._read("SELECT id FROM articles")}

    def keys(self) -> dict[str, list[tuple[Any, ...]]]:
        """The key of every row of every table, sorted: ``articles``/``failures`` by id,
        ``events`` as (id, article_id), ``event_actors`` as (event_id, role, position).
        Two stores holding the same records give equal keys, whenever they were written."""
        sql = {
            "articles": "SELECT id FROM articles ORDER BY 1",
            "events": "SELECT id, article_id FROM events ORDER BY 1, 2",
            "event_actors": "SELECT event_id, role, position FROM event_actors ORDER BY 1, 2, 3",
            "failures": "SELECT id FROM failures ORDER BY 1",
        }
        return {table: [tuple(row) for row in self._read(query)] for table, query in sql.items()}

    def orphans(self) -> dict[str, int]:
        """Rows pointing at nothing (always 0 after whole-batch transactions): events without
        their article, actor rows without their event, coding notes without their article."""
        sql = {
            "events": "SELECT count(*) FROM events e ANTI JOIN articles a ON e.article_id = a.id",
            "event_actors": "SELECT count(*) FROM event_actors x ANTI JOIN events e ON x.event_id = e.id",
            # Only coding notes (stage 'events') need their article: an input refused while
            # cleaning (E108) names the id its text would have had, and is never stored.
            "failures": "SELECT count(*) FROM failures f ANTI JOIN articles a ON f.article_id = a.id "
                        "WHERE f.article_id IS NOT NULL AND f.stage = 'events'",
        }
        return {table: int(self._read(query)[0][0]) for table, query in sql.items()}

    def counts(self) -> dict[str, int]:
        """Row count of every table."""
        return {table: int(self._read(f"SELECT count(*) FROM {table}")[0][0]) for table in TABLES}

    def articles(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored articles, newest published first (undated last)."""
        sql = "SELECT * FROM articles ORDER BY published DESC NULLS LAST, id"
        if limit is not None:
            return self._rows(sql + " LIMIT ?", [int(limit)])
        return self._rows(sql)

    def failures(self) -> list[dict[str, Any]]:
        """Recorded failures, oldest first."""
        return self._rows("SELECT * FROM failures ORDER BY recorded_at, source, line, id")

    def schema_version(self) -> int:
        """The schema version stored in the file."""
        rows = self._read("SELECT max(version) FROM schema_version")
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    def export_parquet(self, directory: str | Path) -> dict[str, Path]:
        """Write one ``<table>.parquet`` per table into ``directory`` (created if missing).

        Returns the path written for each table.
        """
        out = Path(directory)
        written: dict[str, Path] = {}
        try:
            out.mkdir(parents=True, exist_ok=True)
            for table in TABLES + STORY_TABLES + ANALYST_TABLES:
                target = out / f"{table}.parquet"
                order = _TABLE_KEYS[table]  # a stable order, so re-exports of the same store compare equal
                # Written by pyarrow from a stream of record batches, not with COPY ... TO: the
                # store is opened with DuckDB's file access off (store/opening.py).
                cursor = self._con.cursor()  # its own result stream, finished by closing it
                try:
                    batches = _arrow_batches(cursor.sql(f"SELECT * FROM {table} ORDER BY {order}"))
                    with pq.ParquetWriter(target, batches.schema) as writer:
                        for batch in batches:
                            writer.write_batch(batch)
                finally:
                    cursor.close()
                written[table] = target
        except (OSError, duckdb.Error, pa.ArrowException) as exc:
            raise StoreError(f"could not export Parquet: {exc}", code=E303_WRITE, source=str(out)) from exc
        return written

    # -- stories and event clusters (refreshed by store.stories.StoryTables) -----------------

    def clusters_stale(self) -> bool:
        """True when stories and clusters do not match the stored events: an event with no
        cluster, a cluster member that is no longer stored, or an article with no story
        (a run killed before its refresh, say). Derived from the data, so any later run or
        export can see it and rebuild (``run.repair_stale_clusters``)."""
        sql = """
        SELECT EXISTS (SELECT 1 FROM events e ANTI JOIN cluster_events c ON c.event_id = e.id)
            OR EXISTS (SELECT 1 FROM cluster_events c ANTI JOIN events e ON e.id = c.event_id)
            OR EXISTS (SELECT 1 FROM articles a ANTI JOIN stories s ON s.article_id = a.id)
        """
        return bool(self._read(sql)[0][0])

    # -- helpers for store/ modules only (queries.py) ----------------------------------------

    def _rows(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        try:
            cur = self._con.execute(sql, list(params or []))
            names = [d[0] for d in cur.description or []]
            return [dict(zip(names, row)) for row in cur.fetchall()]
        except duckdb.Error as exc:
            raise _read_error(self.path, exc) from exc

    def _read(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        try:
            return self._con.execute(sql, list(params or [])).fetchall()
        except duckdb.Error as exc:
            raise _read_error(self.path, exc) from exc

    def _stream(self, sql: str, params: Sequence[Any] | None = None, batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Rows of ``sql`` as dicts, fetched ``batch`` at a time (an Arrow record batch reader),
        so a caller that writes them out never holds the whole result in Python."""
        # A cursor of its own: other queries on the store's connection meanwhile would
        # otherwise cut this result short.
        cursor = self._con.cursor()
        try:
            reader = cursor.sql(sql, params=list(params or [])).to_arrow_reader(batch)
            for record_batch in reader:
                yield from record_batch.to_pylist()
        finally:
            cursor.close()

    def _transaction(self, work: Callable[[], T], what: str) -> T:
        try:
            self._con.execute("BEGIN TRANSACTION")
        except duckdb.Error as exc:  # e.g. a read-only store
            raise StoreError(f"{what} failed: {exc}", code=E303_WRITE, source=self.path) from exc
        try:
            result = work()
            self._con.execute("COMMIT")
        except Exception as exc:
            try:
                self._con.execute("ROLLBACK")
            except duckdb.Error:
                pass  # a COMMIT that failed (disk full) has already ended and undone the transaction
            raise StoreError(f"{what} failed and was rolled back: {exc}", code=E303_WRITE, source=self.path) from exc
        return result

    def _delete_in(self, table: str, column: str, keys: Sequence[str]) -> int:
        """Delete rows whose ``column`` is in ``keys``; return how many were deleted."""
        if len(keys) <= _PARAM_ROWS:
            marks = ",".join("?" * len(keys))
            row = self._con.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", list(keys)).fetchone()
        else:
            with self._staged("keys", pa.table({"key": list(keys)})) as name:
                row = self._con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT key FROM {name})").fetchone()
        return int(row[0]) if row else 0

    def _upsert_articles(self, rows: list[tuple[Any, ...]]) -> None:
        updates = ", ".join(f"{c} = excluded.{c}" for c in ARTICLE_COLUMNS if c != "id")
        self._insert("articles", ARTICLE_COLUMNS, rows, conflict=f"ON CONFLICT (id) DO UPDATE SET {updates}")

    def _insert(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        *,
        ignore_existing: bool = False,
        conflict: str = "",
    ) -> None:
        if not rows:
            return
        if ignore_existing:
            conflict = "ON CONFLICT DO NOTHING"
        names = ", ".join(columns)
        if len(rows) <= _PARAM_ROWS:
            one = "(" + ",".join("?" * len(columns)) + ")"
            params = [v for row in rows for v in row]
            sql = f"INSERT INTO {table} ({names}) VALUES {','.join([one] * len(rows))} {conflict}"
            self._con.execute(sql, params)
            return
        data = pa.table({c: list(values) for c, values in zip(columns, zip(*rows))})
        with self._staged(table, data) as staged:
            self._con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staged} {conflict}")

    @contextmanager
    def _staged(self, label: str, data: pa.Table) -> Iterator[str]:
        # DuckDB scans a registered Arrow table in place, without binding a parameter per value.
        name = f"_staged_{label}"
        self._con.register(name, data)
        try:
            yield name
        finally:
            self._con.unregister(name)


def _read_error(path: str, exc: BaseException) -> StoreError:
    return StoreError(f"could not read the store (a damaged or truncated file?): {exc}", code=E301_OPEN, source=path)


def _arrow_batches(relation: duckdb.DuckDBPyRelation, rows: int = 100_000) -> pa.RecordBatchReader:
    # DuckDB 1.x names it fetch_record_batch; 2.x, to_arrow_reader.
    reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch
    return reader(rows)


def _stored_version(con: duckdb.DuckDBPyConnection) -> int | None:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()
    if not exists or not exists[0]:
        return None
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def open_store(path: str | Path = DEFAULT_PATH, *, read_only: bool = False, wait: float | None = None) -> Store:
    """Open (creating if needed) the DuckDB store at ``path``; ``":memory:"`` is allowed.

    ``read_only=True`` opens an existing file without writing to it (no schema set-up, no
    migration). While another process holds the file, opening waits up to ``wait`` seconds
    (default: the ``lock_wait`` setting); a writer goes before readers that come after it.
    Raises ``StoreError`` ``E301`` if the file cannot be opened or created, is not a DuckDB
    file, is truncated, or has a view where eventcoder keeps a table; ``E302`` if it was
    written by a newer eventcoder (its schema version is above ours) or, read-only, by an
    older one; and ``E304`` while another process still holds the file after the wait.
    """
    where = str(path)
    read_only = read_only and where != ":memory:"  # an empty in-memory store has nothing to protect
    wait = load_options().lock_wait if wait is None else wait
    if read_only and not Path(where).exists():
        raise StoreError("no store file here to open read-only", code=E301_OPEN, source=where)
    con = opening.connect(where, read_only=read_only, wait=wait, tables=OWN_TABLES)
    try:
        version = _stored_version(con)
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(
                f"store schema version {version} is newer than this eventcoder's ({SCHEMA_VERSION}); upgrade eventcoder",
                code=E302_SCHEMA,
                source=where,
            )
        if read_only:
            if version is None:
                raise StoreError("not an eventcoder store (no schema_version table)", code=E301_OPEN, source=where)
            if version < SCHEMA_VERSION:
                raise StoreError(
                    f"store schema version {version} is older than this eventcoder's ({SCHEMA_VERSION}) and a "
                    "read-only open cannot migrate it; open it once for writing (e.g. eventcoder code) first",
                    code=E302_SCHEMA,
                    source=where,
                )
        else:
            # One transaction, so a process killed while creating the store leaves either no
            # tables or all of them with their version row.
            con.execute("BEGIN TRANSACTION")
            if version is not None and version < SCHEMA_VERSION:
                migrate(con, version)
            con.execute(_schema_sql())
            if version is None:
                con.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION])
            elif version < SCHEMA_VERSION:
                # The story tables are derived data: the schema script above created what the
                # old version lacked (migrate dropped what changed shape, and the corrections
                # table is new); they are filled below, once the Store exists.
                con.execute("UPDATE schema_version SET version = ?", [SCHEMA_VERSION])
            con.execute("COMMIT")
    except BaseException as exc:
        con.close()
        opening.closed(where, read_only=read_only)
        if isinstance(exc, duckdb.Error):
            raise StoreError(f"could not set up the store schema: {exc}", code=E301_OPEN, source=where) from exc
        raise
    store = Store(where, read_only=read_only, wait=wait, connection=con)
    if not read_only and version is not None and version < SCHEMA_VERSION:
        store.refresh_clusters(full=True)  # an older store's stories were made another way: rebuild them once
    return store
