"""The ``eventcoder`` command line: a thin Typer layer over the library.

Each command parses its options, calls one library function (``code_files``,
``queries.events``, ``export.export``, ...) and turns an ``EventcoderError`` into a red
one-line message and exit code 1. No SQL and no NLP live here; every command has a
one-call Python equivalent. Listing commands share one output option
(:data:`FormatOption`) and one writer (:func:`emit`): ``table``, ``jsonl`` or ``csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

import eventcoder
from eventcoder import export as exporting
from eventcoder.errors import E203_NO_EVENTS, EventcoderError
from eventcoder.model import CodedArticle, Rejected
from eventcoder.settings import SETTINGS, load_options
from eventcoder.store import Store, queries

# rich_markup_mode=None: plain Click help, identical in every terminal, so docs/CLI.md
# can be generated from it and checked in a test.
app = typer.Typer(
    name="eventcoder",
    rich_markup_mode=None,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

EVIDENCE_CHARS = 110
WIDE_TABLE = 150  # terminal columns from which events print as a table


# -- shared options and helpers ---------------------------------------------------------------


class OutputFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


class Period(str, Enum):
    day = "day"
    month = "month"
    year = "year"


ExportFormat = Enum("ExportFormat", {f.replace("-", "_"): f for f in exporting.FORMATS}, type=str)  # type: ignore[misc]

FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="table (for people), jsonl (one JSON object a line) or csv; jsonl/csv go to stdout."),
]
DbOption = Annotated[Optional[Path], typer.Option("--db", help="DuckDB store file [default: setting default_db, events.duckdb].")]
ActorOption = Annotated[Optional[str], typer.Option("--actor", help="Only events with an actor of this code (ISO3 or IGO, e.g. CHN).")]
RecipientOption = Annotated[Optional[str], typer.Option("--recipient", help="Only events with a recipient of this code (e.g. PRK).")]
TypeOption = Annotated[Optional[str], typer.Option("--type", help="Only events of this PLOVER type (e.g. REQUEST).")]
_DATE = {"formats": ["%Y-%m-%d"], "metavar": "YYYY-MM-DD"}
SinceOption = Annotated[Optional[dt.datetime], typer.Option("--since", help="Only events on or after this date.", **_DATE)]
UntilOption = Annotated[Optional[dt.datetime], typer.Option("--until", help="Only events on or before this date.", **_DATE)]
LimitOption = Annotated[Optional[int], typer.Option("--limit", min=1, help="At most this many events (oldest first).")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(Text(message, style="bold red"), soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn eventcoder's own errors (and bad argument values) into a red message, exit 1."""
    try:
        yield
    except (EventcoderError, ValueError) as exc:
        # Drop the traceback: its frames hold the store's DuckDB objects, which would
        # otherwise live on (in CliRunner results) until interpreter exit.
        exc.__traceback__ = None
        raise _fail(f"Error: {exc}") from None


def _db_path(db: Path | None) -> Path:
    return db if db is not None else Path(load_options().default_db)


@contextmanager
def _store(db: Path | None, *, must_exist: bool = False) -> Iterator[Store]:
    """Open the store (closing it after); reading commands refuse a file that is not there."""
    with _errors():
        path = _db_path(db)
        if must_exist and not path.exists():
            raise _fail(f"Error: no store at {path}; code some articles first (eventcoder code PATHS --db {path}).")
        with eventcoder.open_store(path) as store:
            yield store


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=_json_default, ensure_ascii=False)
    return "" if value is None else _json_default(value) if isinstance(value, (dt.date, dt.datetime)) else value


def emit(rows: Sequence[dict[str, Any]], fmt: OutputFormat, table: Callable[[Sequence[dict[str, Any]]], None]) -> None:
    """Write ``rows`` in the chosen format: ``table`` calls ``table(rows)``; ``jsonl`` writes
    one JSON object a line; ``csv`` writes a header and one row each (lists as JSON)."""
    if fmt is OutputFormat.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row, default=_json_default, ensure_ascii=False) + "\n")
    elif fmt is OutputFormat.csv:
        if rows:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    elif rows:
        table(rows)
    else:
        err.print("Nothing to show.", style="dim")


# -- rendering ------------------------------------------------------------------------------


def actor_label(actor: dict[str, Any]) -> str:
    """``CHN GOV (Geng Shuang)``: code and sector, and the name (or the text) in brackets."""
    code = " ".join(p for p in (actor.get("country"), actor.get("sector")) if p) or "?"
    who = actor.get("name") or (None if actor.get("country") else actor.get("text"))
    return f"{code} ({who})" if who else code


def _truncate(text: str, n: int = EVIDENCE_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _event_cells(ev: dict[str, Any]) -> dict[str, str]:
    # Show the event's own date; an undated event (background with no date in the text) must
    # not look as if it happened on the publication day.
    when = ev.get("event_date")
    date = f"{when.isoformat()} ({ev.get('date_precision') or 'unknown'})" if when else "undated"
    return {
        "date": date,
        "type": ev["event_type"] + (f"({ev['mode']})" if ev.get("mode") else ""),
        "actors": ", ".join(actor_label(a) for a in ev["actors"]) or "—",
        "recipients": ", ".join(actor_label(a) for a in ev["recipients"]) or "—",
        "place": ev.get("place_name") or "",
        "bg": "background" if ev.get("background") else "",
        "conf": f"{ev['confidence']:.2f}",
    }


def _events_table(events: Sequence[dict[str, Any]]) -> Table:
    table = Table(pad_edge=False)
    for name in ("date", "type(mode)", "actor(s)", "recipient(s)", "place", "bg", "conf"):
        table.add_column(name, no_wrap=name in ("date", "conf"))
    table.add_column("evidence", ratio=1)
    for ev in events:
        cells = _event_cells(ev)
        cells["bg"] = "yes" if cells["bg"] else ""
        table.add_row(*(Text(v) for v in cells.values()), Text(_truncate(ev.get("sentence") or "")))
    return table


def _events_lines(events: Sequence[dict[str, Any]]) -> Text:
    # Narrow terminals: the same fields as the table, two lines an event.
    text = Text()
    for ev in events:
        c = _event_cells(ev)
        text.append(f"  {c['date']:<20} ", style="cyan")
        text.append(c["actors"])
        text.append(f"  {c['type']}  ", style="bold")
        text.append(c["recipients"])
        for extra in (f"@ {c['place']}" if c["place"] else "", c["bg"], f"conf {c['conf']}"):
            if extra:
                text.append(f"  {extra}", style="dim" if extra != c["bg"] else "magenta")
        text.append(f"\n      {_truncate(ev.get('sentence') or '', max(40, out.width - 8))}\n", style="dim")
    text.rstrip()
    return text


def print_events(rows: Sequence[dict[str, Any]], sources: dict[str, str] | None = None) -> None:
    """Events grouped by article under "title — published date — source": a Rich table
    when the terminal is wide enough, two lines an event when it is not."""
    by_article: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_article.setdefault(row["article_id"], []).append(row)
    for article_id, events in by_article.items():
        first = events[0]
        source = (sources or {}).get(article_id) or first.get("outlet") or first.get("url") or f"article {article_id}"
        published = first["published"].isoformat() if first.get("published") else "undated"
        out.print()
        out.print(Text(f"{first.get('title') or '(untitled)'} — {published} — {source}", style="bold"))
        out.print(_events_table(events) if out.width >= WIDE_TABLE else _events_lines(events))


def _simple_table(columns: Sequence[str]) -> Callable[[Sequence[dict[str, Any]]], None]:
    def show(rows: Sequence[dict[str, Any]]) -> None:
        table = Table(*columns)
        for row in rows:
            table.add_row(*(Text(str(_cell(row.get(c)))) for c in columns))
        out.print(table)

    return show


# -- commands -------------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        typer.echo(f"eventcoder {eventcoder.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Turn news articles into PLOVER political event data: who did what to whom, when and
    where, with the evidence sentence. Events are stored in a DuckDB file."""


class RateColumn(ProgressColumn):
    """Inputs per second over the run so far (Rich's own speed column wants a known total)."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        rate = task.completed / elapsed if elapsed > 0 else 0.0
        return Text(f"{rate:.1f} articles/s", style="cyan")


def _code_with_progress(paths: Sequence[Path], store: Store, defaults: Any, *, resume: bool = True,
                        workers: int | None = 1) -> eventcoder.RunSummary:
    """Run ``code_files`` behind a transient progress line (count, articles/s, elapsed),
    printing each failure as it happens."""
    with Progress(
        SpinnerColumn(), TextColumn("coding: {task.completed} input(s)"), RateColumn(), TimeElapsedColumn(),
        console=err, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("coding", total=None)

        def on_article(item: CodedArticle | Rejected) -> None:
            progress.advance(task)
            problems = [item] if isinstance(item, Rejected) else [r for r in item.rejections if r.code != E203_NO_EVENTS]
            for problem in problems:
                progress.console.print(Text(str(problem), style="yellow"))

        with _errors():
            return eventcoder.code_files(paths, store, load_options(), defaults=defaults, on_article=on_article,
                                         resume=resume, workers=workers)


@app.command()
def demo(
    db: Annotated[Optional[Path], typer.Option("--db", help="DuckDB file to write [default: a new temporary file].")] = None,
) -> None:
    """Code the two bundled seed articles and print their events.

    Writes a DuckDB store (a fresh temporary file unless --db is given), then shows every
    event grouped by article: date, PLOVER type and mode, actors and recipients, place,
    background flag, confidence and the evidence sentence.
    """
    from eventcoder.run import seed_defaults, seed_paths

    path = db if db is not None else Path(tempfile.mkdtemp(prefix="eventcoder-demo-")) / "demo.duckdb"
    seeds = seed_paths()
    err.print(f"Coding {len(seeds)} bundled articles into {path}", style="dim", soft_wrap=True)
    with _store(path) as store:
        summary = _code_with_progress(seeds, store, seed_defaults)
        with _errors():
            rows = queries.events(store)
        sources = {a["id"]: Path(a["source"]).name for a in store.articles()}
    print_events(rows, sources)
    out.print()
    out.print(f"{summary.events} events from {summary.articles} articles stored in {path}", soft_wrap=True)
    out.print(f"Next: eventcoder events --db {path} --actor CHN --format jsonl", soft_wrap=True)


@app.command()
def code(
    paths: Annotated[list[Path], typer.Argument(metavar="PATHS...", show_default=False, help="Files, folders or glob patterns (.txt, .html, .jsonl, .csv, .parquet, .warc.gz).")],
    db: DbOption = None,
    published: Annotated[
        Optional[dt.datetime],
        typer.Option("--published", help="Publication date for articles that carry none.", **_DATE),
    ] = None,
    recode: Annotated[
        bool, typer.Option("--recode", help="Code articles already in the store again (e.g. after a lexicon change).")
    ] = False,
    workers: Annotated[
        Optional[int],
        typer.Option("--workers", min=1, help="Processes that parse in parallel [default: all cores]; 1 codes in this process."),
    ] = None,
) -> None:
    """Code news articles into events and store them.

    Reads every file, folder or glob given, codes each article and saves events, articles
    and failures in the store. Articles already in the store are skipped, so re-running
    after an interrupted run codes only what is missing (--recode codes them again); either
    way nothing is stored twice. Unreadable inputs are listed as they happen and kept in the
    failures table; the exit code is 1 only when nothing at all could be coded or was stored.
    """
    day = _date(published)

    def defaults(article: eventcoder.Article) -> eventcoder.Article:
        return article if article.published or day is None else article.model_copy(update={"published": day})

    path = _db_path(db)
    with _store(path) as store:
        summary = _code_with_progress(paths, store, defaults, resume=not recode, workers=workers)
    skipped = f"{summary.skipped} already stored, skipped; " if summary.skipped else ""
    out.print(
        f"Coded {summary.articles} article(s): {summary.events} event(s), {summary.new_events} new; "
        f"{skipped}{len(summary.failures)} failure(s). Store: {path}",
        soft_wrap=True,
    )
    if summary.articles == 0 and summary.skipped == 0:
        raise _fail("Nothing could be coded: no input gave a readable article (see the failures above).")


@app.command()
def events(
    db: DbOption = None,
    actor: ActorOption = None,
    recipient: RecipientOption = None,
    event_type: TypeOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: LimitOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List stored events, oldest first, filtered by actor, recipient, type and date.

    An event's date is the date in its text or, failing that, the article's published date.
    """
    with _store(db, must_exist=True) as store, _errors():
        rows = queries.events(store, actor, recipient, event_type, _date(since), _date(until), limit)
    emit(rows, fmt, print_events)


@app.command()
def dyad(
    actor: Annotated[str, typer.Argument(metavar="ACTOR", help="Actor code, e.g. CHN.")],
    recipient: Annotated[str, typer.Argument(metavar="RECIPIENT", help="Recipient code, e.g. PRK.")],
    db: DbOption = None,
    by: Annotated[Period, typer.Option("--by", help="Period to count events by.")] = Period.month,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Count events from ACTOR to RECIPIENT per period and PLOVER type (a dyad timeline)."""
    with _store(db, must_exist=True) as store, _errors():
        rows = queries.dyad_timeline(store, actor, recipient, by.value)  # type: ignore[arg-type]
    emit(rows, fmt, _simple_table(("period", "event_type", "n")))


@app.command()
def failures(db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """List inputs and articles that could not be coded, with their error code and reason."""
    with _store(db, must_exist=True) as store, _errors():
        rows = store.failures()
    emit(rows, fmt, _simple_table(("code", "source", "line", "stage", "reason")))


@app.command("export")
def export_(
    fmt: Annotated[ExportFormat, typer.Argument(metavar="FORMAT", help="plover-jsonl, gdelt-tsv, csv or parquet.")],
    out_path: Annotated[Path, typer.Argument(metavar="OUT", help="File to write (a folder of tables for parquet).")],
    db: DbOption = None,
    actor: ActorOption = None,
    recipient: RecipientOption = None,
    event_type: TypeOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: LimitOption = None,
    per_event: Annotated[bool, typer.Option("--per-event", help="gdelt-tsv: one row per event, not per deduplicated cluster.")] = False,
) -> None:
    """Export stored events as PLOVER JSONL, GDELT-style TSV, CSV or Parquet.

    plover-jsonl and csv write one row per event, with its cluster id and counts.
    gdelt-tsv writes one row per deduplicated event cluster (NumMentions, NumSources,
    NumArticles filled) unless --per-event is given. parquet writes OUT as a folder with one
    file per table (articles, events, event_actors, failures, stories, event_clusters,
    cluster_events) and takes no filters. Field mapping: docs/EXPORTS.md.
    """
    filters = {"actor": actor, "recipient": recipient, "event_type": event_type,
               "since": _date(since), "until": _date(until), "limit": limit}  # fmt: skip
    with _store(db, must_exist=True) as store, _errors():
        n = exporting.export(store, fmt.value, out_path, per_event=per_event, **filters)
        clustered = fmt.value == "gdelt-tsv" and not per_event and store.story_counts()["event_clusters"] > 0
    unit = "event cluster(s)" if clustered else "event(s)"
    out.print(f"Wrote {n} {unit} to {out_path} ({fmt.value}).", soft_wrap=True)


@app.command("eval")
def eval_(
    gold: Annotated[Path, typer.Argument(metavar="GOLD.json", exists=True, dir_okay=False, help="Gold-standard events to score against.")],
    out_path: Annotated[Optional[Path], typer.Option("--out", help="Also write the report here (e.g. docs/EVALUATION.md).")] = None,
) -> None:
    """Score the coder against a gold-standard file and print a Markdown report."""
    try:
        from eventcoder.evaluate import evaluate_gold
    except ImportError as exc:
        raise _fail(f"Error: evaluation is not available in this installation ({exc}).") from None
    with _errors():
        markdown = evaluate_gold(gold).to_markdown()
    typer.echo(markdown)
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(markdown if markdown.endswith("\n") else markdown + "\n", encoding="utf-8")
        err.print(f"Report written to {out_path}", style="dim")


@app.command()
def settings(fmt: FormatOption = OutputFormat.table) -> None:
    """List every setting with its default and what it does.

    Set them in eventcoder.toml ([settings] table) or as EVENTCODER_<NAME> variables.
    """
    rows = [{"name": s.name, "default": s.default, "help": s.help} for s in SETTINGS]
    emit(rows, fmt, _simple_table(("name", "default", "help")))


def _stories_table(rows: Sequence[dict[str, Any]]) -> None:
    table = Table(pad_edge=False)
    for name in ("dates", "articles", "events"):
        table.add_column(name, no_wrap=True)
    table.add_column("outlets", ratio=1)
    table.add_column("title", ratio=2)
    for row in rows:
        first, last = row.get("first_published"), row.get("last_published")
        dates = "undated" if first is None else first.isoformat() if first == last else f"{first.isoformat()}…{last.isoformat()}"
        table.add_row(
            dates, str(row["num_articles"]), str(row["num_events"]),
            Text(", ".join(row["outlets"]) or "—"), Text(_truncate(row.get("title") or "", 80)),
        )  # fmt: skip
    out.print(table)


def _clusters_table(rows: Sequence[dict[str, Any]]) -> None:
    # Narrow columns first, so the counts stay readable in an 80-column terminal.
    table = Table(pad_edge=False)
    for name in ("dates", "event", "mentions", "sources", "articles"):
        table.add_column(name, no_wrap=name != "event")
    table.add_column("canonical evidence", ratio=1)
    for row in rows:
        first, last = row.get("first_date"), row.get("last_date")
        dates = "undated" if first is None else first.isoformat() if first == last else f"{first.isoformat()}…{last.isoformat()}"
        actors = (row.get("cluster_actor_countries") or "—").replace(";", ",")
        recipients = (row.get("cluster_recipient_countries") or "—").replace(";", ",")
        kind = row["event_type"] + (" (background)" if row.get("background") else "")
        table.add_row(
            dates, Text(f"{actors} {kind} {recipients}"),
            str(row["num_mentions"]), str(row["num_sources"]), str(row["num_articles"]),
            Text(_truncate(row.get("sentence") or "", 80)),
        )  # fmt: skip
    out.print(table)


@app.command()
def stories(
    db: DbOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    min_articles: Annotated[Optional[int], typer.Option("--min-articles", min=1, help="Only stories of at least this many articles (2: reported more than once).")] = None,
    limit: LimitOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List stories: the articles, from any outlet, that report one event, grouped.

    Articles are one story when what they say is alike (rarity-weighted words, names,
    numbers and coded events) and they were published within the story_window_days
    setting of each other. Each row shows the outlets, the publication dates and the
    earliest article's title. Stories are brought up to date by every eventcoder code run;
    for deduplicated events, see eventcoder clusters.
    """
    with _store(db, must_exist=True) as store, _errors():
        rows = queries.stories(store, _date(since), _date(until), min_articles, limit)
    emit(rows, fmt, _stories_table)


@app.command()
def clusters(
    db: DbOption = None,
    actor: ActorOption = None,
    recipient: RecipientOption = None,
    event_type: TypeOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: LimitOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List deduplicated events: one row per event cluster, with its counts.

    The events of one story that report the same happening (same type, overlapping parties,
    alike evidence, no other place or date) are one cluster that counts its mentions,
    distinct sources (outlets) and articles, as GDELT's NumMentions, NumSources and
    NumArticles; the row shows its canonical (most confident, most complete) event.
    Clusters are brought up to date by every eventcoder code run.
    """
    with _store(db, must_exist=True) as store, _errors():
        rows = queries.clusters(store, actor, recipient, event_type, _date(since), _date(until), limit)
    emit(rows, fmt, _clusters_table)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Browse stored events in a web page: filters, dyad timelines, a map, evidence.

    The store is opened read-only for each request, so a coding run can write to it
    between requests. A JSON API mirrors every page under /api (OpenAPI docs at /docs).
    """
    path = _db_path(db)
    if not path.exists():
        raise _fail(f"Error: no store at {path}; code some articles first (eventcoder code PATHS --db {path}).")
    with _errors():
        from eventcoder.web import serve as serve_store

        out.print(f"Serving {path} on http://{host}:{port}/ (Ctrl+C stops)", soft_wrap=True)
        serve_store(path, host, port)


@app.command("code-ray")
def code_ray(
    shards: Annotated[list[Path], typer.Argument(metavar="SHARDS...", show_default=False, help="Shard files, folders or glob patterns (.jsonl or .parquet; any format `code` reads).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the partitioned Parquet tables (shared by all nodes on a cluster).")],
    address: Annotated[Optional[str], typer.Option("--address", help="Ray cluster to join, e.g. auto or ray://head:10001 [default: $RAY_ADDRESS, else a local Ray].")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Ray actors, one spaCy pipeline each [default: all CPUs of the cluster].")] = None,
) -> None:
    """Code shards on a Ray cluster into partitioned Parquet (needs the ray extra).

    Each shard is coded as `eventcoder code` would and written to
    OUT/<table>/shard=<file name>/part-0.parquet for the tables articles, events,
    event_actors and failures. Read them with DuckDB:
    read_parquet('OUT/events/**/*.parquet', hive_partitioning = true).
    """
    from eventcoder.scale.ray import code_shards_on_ray

    with _errors():
        rows = code_shards_on_ray([str(s) for s in shards], out_dir, address=address, workers=workers, options=load_options())
    _simple_table(("shard", "articles", "events", "failures", "seconds"))(rows)
    total = {k: sum(r[k] for r in rows) for k in ("articles", "events", "failures")}
    out.print(f"Coded {len(rows)} shard(s): {total['articles']} article(s), {total['events']} event(s), "
              f"{total['failures']} failure(s). Parquet: {out_dir}", soft_wrap=True)
