"""The ``eventcoder`` command line: a thin Typer layer over the library.

Each command parses its options, calls one library function (``code_files``,
``queries.events``, ``export.export``, ...) and turns an ``EventcoderError`` into a red
one-line message and exit code 1. No SQL and no NLP live here; every command has a
one-call Python equivalent. Listing commands share one output option
(:data:`FormatOption`) and one writer (:func:`emit`): ``table``, ``jsonl`` or ``csv``; and
every command that lists or counts events takes one filter set (:func:`event_filter_options`,
an ``EventFilter``), the same set the web API takes.

Commands that only read (``events``, ``dyad``, ``failures``, ``stories``, ``export``) open the
store read-only: they never add tables to a file or migrate it, and they work on a store
another process is coding into (between its batches). Everything printed passes through
:class:`SafeConsole`: titles, outlets and file names come from the inputs, and a control
character in them (ESC starts a terminal escape sequence) is shown as U+FFFD, never sent.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import inspect
import json
import re
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
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

import eventcoder
from eventcoder import export as exporting
from eventcoder.errors import E203_NO_EVENTS, EventcoderError
from eventcoder.model import CodedArticle, Rejected
from eventcoder.run import repair_stale_clusters
from eventcoder.settings import effective_settings, load_options
from eventcoder.store import Store, queries
from eventcoder.store.filters import EventFilter, FilterError

# rich_markup_mode=None: plain Click help, identical in every terminal, so docs/CLI.md
# can be generated from it and checked in a test.
app = typer.Typer(
    name="eventcoder",
    rich_markup_mode=None,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Control characters (C0 but the newline, DEL, C1: 0x9b is a one-byte CSI) and the
# bidirectional and zero-width controls that reorder or hide what a terminal shows.
CONTROL_CHARACTERS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def printable(text: str) -> str:
    """``text`` with every control character shown as U+FFFD (newlines kept)."""
    return CONTROL_CHARACTERS.sub("\ufffd", text)


class SafeConsole(Console):
    """A Rich console that writes the text of what it renders through :func:`printable`;
    its own control segments (styles, the progress line's cursor moves) pass unchanged."""

    def _render_buffer(self, buffer: Any) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(printable(segment.text), segment.style, segment.control)
            for segment in buffer
        )


# markup=False: a file name such as "a[/].txt" is text, not Rich markup (which would raise).
out = SafeConsole(highlight=False, markup=False)
err = SafeConsole(stderr=True, highlight=False, markup=False)

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
_DATE = {"formats": ["%Y-%m-%d"], "metavar": "YYYY-MM-DD"}

# The filter set, as (name, annotation) in the order --help lists them. Every command that
# lists or counts events gets these through @event_filter_options; each becomes one field of
# EventFilter, which checks the values (exit 2 naming the value and the valid choices).
FILTER_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("actor", Annotated[Optional[str], typer.Option("--actor", help="Only events with an actor of this code (ISO3 or a body such as UNO, e.g. CHN).")]),
    ("recipient", Annotated[Optional[str], typer.Option("--recipient", help="Only events with a recipient of this code (e.g. PRK).")]),
    ("country", Annotated[Optional[str], typer.Option("--country", help="Only events with this code on either side (actor or recipient).")]),
    ("event_type", Annotated[Optional[str], typer.Option("--type", help="Only events of this PLOVER type (e.g. REQUEST).")]),
    ("mode", Annotated[Optional[str], typer.Option("--mode", help="Only events of this PLOVER mode (e.g. aerial, meet).")]),
    ("quad", Annotated[Optional[int], typer.Option("--quad", help="Only events of this quad class: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.")]),
    ("since", Annotated[Optional[dt.datetime], typer.Option("--since", help="Only events on or after this date.", **_DATE)]),
    ("until", Annotated[Optional[dt.datetime], typer.Option("--until", help="Only events on or before this date.", **_DATE)]),
    ("min_confidence", Annotated[Optional[float], typer.Option("--min-confidence", help="Only events coded with at least this confidence (0-1).")]),
    ("no_background", Annotated[bool, typer.Option("--no-background", help="Leave out background events (earlier events the text recalls).")]),
    ("outlet", Annotated[Optional[str], typer.Option("--outlet", help="Only events from articles of this outlet, exactly (e.g. reuters.com).")]),
    ("place_country", Annotated[Optional[str], typer.Option("--place-country", help="Only events that happened in this country (ISO3).")]),
    ("limit", Annotated[Optional[int], typer.Option("--limit", min=1, help="At most this many rows.")]),
)
_OPTION_NAMES = {"event_type": "--type"}


def _event_filter(values: dict[str, Any]) -> EventFilter:
    """An EventFilter from the command line's values; a value that names nothing is a usage
    error (exit 2) that names the option, the value and the valid choices."""
    values = {k: v.date() if isinstance(v, dt.datetime) else v for k, v in values.items()}
    try:
        return EventFilter(**values)
    except FilterError as exc:
        option = _OPTION_NAMES.get(exc.field, "--" + exc.field.replace("_", "-"))
        raise typer.BadParameter(exc.reason, param_hint=f"'{option}'") from None


def event_filter_options(*, exclude: Sequence[str] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the filter options (all of :data:`FILTER_OPTIONS` but ``exclude``) and
    pass them to it as one checked ``filters: EventFilter`` argument.

    Typer reads a command's options from its signature, so the wrapper's signature is the
    command's own (less ``filters``) followed by the filter options."""
    chosen = [(name, annotation) for name, annotation in FILTER_OPTIONS if name not in exclude]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "filters"]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                                   default=False if name == "no_background" else None)
                 for name, annotation in chosen]  # fmt: skip

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name, _ in chosen}
            return command(*args, filters=_event_filter(values), **kwargs)

        run.__signature__ = signature.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in [*own, *added]}
        return run

    return decorate


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
def _store(db: Path | None, *, read_only: bool = False) -> Iterator[Store]:
    """Open the store (closing it after); reading commands open it read-only and refuse a file
    that is not there."""
    with _errors():
        path = _db_path(db)
        if read_only and not path.exists():
            raise _fail(f"Error: no store at {path}; code some articles first (eventcoder code PATHS --db {path}).")
        with eventcoder.open_store(path, read_only=read_only) as store:
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
            # JSON escapes C0 controls itself; the others are escaped too (still the same value).
            line = json.dumps(row, default=_json_default, ensure_ascii=False)
            sys.stdout.write(CONTROL_CHARACTERS.sub(lambda m: f"\\u{ord(m.group()):04x}", line) + "\n")
    elif fmt is OutputFormat.csv:
        if rows:
            # CSV has no escapes: to a terminal, controls are shown as U+FFFD; to a file or pipe the
            # values go out as stored.
            target = _PrintableWriter(sys.stdout) if sys.stdout.isatty() else sys.stdout
            writer = csv.DictWriter(target, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    elif rows:
        table(rows)
    else:
        err.print("Nothing to show.", style="dim")


class _PrintableWriter:
    """A text stream that writes through :func:`printable`."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return int(self._stream.write(printable(text)))


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


def _source(ev: dict[str, Any]) -> str:
    # Where the event was read: the outlet, else the article's title, url or id.
    return ev.get("outlet") or _truncate(ev.get("title") or "", 40) or ev.get("url") or f"article {ev['article_id']}"


def _events_table(events: Sequence[dict[str, Any]], *, with_source: bool = False) -> Table:
    table = Table(pad_edge=False)
    for name in ("date", "type(mode)", "actor(s)", "recipient(s)", "place", "bg", "conf", *(["source"] if with_source else [])):
        table.add_column(name, no_wrap=name in ("date", "conf"))
    table.add_column("evidence", ratio=1)
    for ev in events:
        cells = _event_cells(ev)
        cells["bg"] = "yes" if cells["bg"] else ""
        if with_source:
            cells["source"] = _source(ev)
        table.add_row(*(Text(v) for v in cells.values()), Text(_truncate(ev.get("sentence") or "")))
    return table


def _events_lines(events: Sequence[dict[str, Any]], *, with_source: bool = False) -> Text:
    # Narrow terminals: the same fields as the table, two lines an event.
    text = Text()
    for ev in events:
        c = _event_cells(ev)
        if with_source:
            c["conf"] = f"{c['conf']}  {_source(ev)}"
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


def print_event_list(rows: Sequence[dict[str, Any]]) -> None:
    """Events one after another in the order given (``events`` lists newest first), each
    with its source: a Rich table when the terminal is wide enough, two lines an event
    when it is not."""
    if out.width >= WIDE_TABLE:
        out.print(_events_table(rows, with_source=True))
    else:  # the terminal wraps long lines itself; Rich would break a title mid-way
        out.print(_events_lines(rows, with_source=True), soft_wrap=True)


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
                # One line each: a newline in a file name must not start a line of its own.
                progress.console.print(Text(str(problem).replace("\n", "\ufffd"), style="yellow"), soft_wrap=True)

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
    if day is not None and summary.skipped:
        err.print(
            f"--published {day} was not applied to the {summary.skipped} article(s) already stored (they keep "
            "their stored date); add --recode to code them again with it.",
            style="yellow", soft_wrap=True,
        )  # fmt: skip
    out.print(
        f"Coded {summary.articles} article(s): {summary.events} event(s), {summary.new_events} new; "
        f"{skipped}{len(summary.failures)} failure(s). Store: {path}",
        soft_wrap=True,
    )
    if summary.articles == 0 and summary.skipped == 0:
        raise _fail("Nothing could be coded: no input gave a readable article (see the failures above).")


@app.command()
@event_filter_options()
def events(
    db: DbOption = None,
    oldest_first: Annotated[bool, typer.Option("--oldest-first", help="List the oldest events first.")] = False,
    fmt: FormatOption = OutputFormat.table,
    *,
    filters: EventFilter,
) -> None:
    """List stored events, newest first, filtered by actor, recipient, type, date and more.

    An event's date is the date in its text or, failing that, the article's published date.
    csv has the columns of `export csv` (docs/EXPORTS.md); jsonl has every stored field.
    """
    with _store(db, read_only=True) as store, _errors():
        rows = queries.events(store, filters, newest_first=not oldest_first)
    if fmt is OutputFormat.csv:
        exporting.write_csv(rows, sys.stdout)
        return
    emit(rows, fmt, print_event_list)


@app.command()
@event_filter_options(exclude=("actor", "recipient", "limit"))
def dyad(
    actor: Annotated[str, typer.Argument(metavar="ACTOR", help="Actor code, e.g. CHN.")],
    recipient: Annotated[str, typer.Argument(metavar="RECIPIENT", help="Recipient code, e.g. PRK.")],
    db: DbOption = None,
    by: Annotated[Period, typer.Option("--by", help="Period to count events by.")] = Period.month,
    fmt: FormatOption = OutputFormat.table,
    *,
    filters: EventFilter,
) -> None:
    """Count events from ACTOR to RECIPIENT per period and PLOVER type (a dyad timeline)."""
    for name, code in (("ACTOR", actor), ("RECIPIENT", recipient)):
        try:
            EventFilter(actor=code)
        except FilterError as exc:
            raise typer.BadParameter(exc.reason, param_hint=f"'{name}'") from None
    with _store(db, read_only=True) as store, _errors():
        rows = queries.dyad_timeline(store, actor, recipient, by.value, filters)  # type: ignore[arg-type]
    emit(rows, fmt, _simple_table(("period", "event_type", "n")))


@app.command()
def failures(db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """List inputs and articles that could not be coded, with their error code and reason."""
    with _store(db, read_only=True) as store, _errors():
        rows = store.failures()
    emit(rows, fmt, _simple_table(("code", "source", "line", "stage", "reason")))


@app.command("export")
@event_filter_options()
def export_(
    fmt: Annotated[ExportFormat, typer.Argument(metavar="FORMAT", help="plover-jsonl, gdelt-tsv, csv, acled-csv, corrections-gold or parquet.")],
    out_path: Annotated[Path, typer.Argument(metavar="OUT", help="File to write (a folder of tables for parquet).")],
    db: DbOption = None,
    per_event: Annotated[bool, typer.Option("--per-event", help="gdelt-tsv: one row per event, not per deduplicated cluster.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="gdelt-tsv: exactly GDELT 2.0's 61 event columns, no header, none of ours.")] = False,
    *,
    filters: EventFilter,
) -> None:
    """Export stored events as PLOVER JSONL, GDELT-style TSV, CSV, ACLED-style CSV, a gold file or Parquet.

    plover-jsonl, csv and acled-csv write one row per event, with its cluster id and counts.
    gdelt-tsv writes one row per deduplicated event cluster (NumMentions, NumSources,
    NumArticles filled) unless --per-event is given; --strict writes GDELT 2.0's 61 columns
    with no header, as GDELT's own files are. corrections-gold writes the events reported as
    miscoded (the event page's "report wrong coding"), corrected, as a gold file for
    eventcoder eval. parquet writes OUT as a folder with one file
    per table (articles, events, event_actors, failures, stories, event_clusters,
    cluster_events, corrections) and takes no filters. OUT appears only once complete (it is
    written beside it, then renamed), and OUT may not be the store. Field mapping:
    docs/EXPORTS.md.
    """
    if strict and fmt.value != "gdelt-tsv":
        raise typer.BadParameter(f"--strict is a gdelt-tsv layout; {fmt.value} has none", param_hint="'--strict'")
    with _store(db, read_only=True):
        pass  # refuses a missing or foreign file before anything is written
    with _errors():
        if repair_stale_clusters(_db_path(db), load_options()):
            err.print("Stories and clusters did not match the stored events (a run ended before its refresh?); "
                      "rebuilt them before exporting.", style="yellow", soft_wrap=True)
    with _store(db, read_only=True) as store, _errors():
        n = exporting.export(store, fmt.value, out_path, per_event=per_event, strict=strict, filters=filters)
        clustered = fmt.value == "gdelt-tsv" and not per_event and store.story_counts()["event_clusters"] > 0
    unit = "event cluster(s)" if clustered else "event(s)"
    out.print(f"Wrote {n} {unit} to {out_path} ({fmt.value}).", soft_wrap=True)


@app.command("eval")
def eval_(
    gold: Annotated[Path, typer.Argument(metavar="GOLD", exists=True, help="A sentence gold file (JSON list, GSR shape, NONE allowed) or a folder of NAME.txt + NAME.expected.json articles.")],
    out_path: Annotated[Optional[Path], typer.Option("--out", help="Also write the report here (e.g. docs/EVALUATION.md).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every figure as JSON instead of Markdown.")] = False,
) -> None:
    """Score the coder against gold events and print the report.

    Sentence files: per-type P/R/F1, NONE false-alarm rate, actor/recipient/strict accuracy,
    calibration. Article folders: event-level precision/recall/F1 at four match levels.
    """
    try:
        from eventcoder.evaluate import evaluate_path
    except ImportError as exc:
        raise _fail(f"Error: evaluation is not available in this installation ({exc}).") from None
    with _errors():
        report = evaluate_path(gold)
    text = json.dumps(report.to_dict(), indent=2, default=str) if as_json else report.to_markdown()
    typer.echo(printable(text))
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        err.print(f"Report written to {out_path}", style="dim")


@app.command()
def settings(fmt: FormatOption = OutputFormat.table) -> None:
    """List every setting: its effective value, where it came from, its default.

    Values come from the defaults, eventcoder.toml in the working directory (a [settings]
    table) or EVENTCODER_<NAME> environment variables, the later winning; source says which.
    An unknown key in eventcoder.toml or a value that does not fit a setting is an error
    naming the setting.
    """
    with _errors():
        rows = effective_settings()
    emit(rows, fmt, _simple_table(("name", "value", "source", "default", "help")))


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
    since: Annotated[Optional[dt.datetime], typer.Option("--since", help="Only stories with an article published on or after this date.", **_DATE)] = None,
    until: Annotated[Optional[dt.datetime], typer.Option("--until", help="Only stories with an article published on or before this date.", **_DATE)] = None,
    min_articles: Annotated[Optional[int], typer.Option("--min-articles", min=1, help="Only stories of at least this many articles (2: reported more than once).")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="At most this many stories (oldest first).")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List stories: the articles, from any outlet, that report one event, grouped.

    Articles are one story when what they say is alike (rarity-weighted words, names,
    numbers and coded events) and they were published within the story_window_days
    setting of each other. Each row shows the outlets, the publication dates and the
    earliest article's title. Stories are brought up to date by every eventcoder code run;
    for deduplicated events, see eventcoder clusters.
    """
    with _store(db, read_only=True) as store, _errors():
        rows = queries.stories(store, _date(since), _date(until), min_articles, limit)
        stale = store.clusters_stale()
    emit(rows, fmt, _stories_table)
    _warn_if_stale(stale)


@app.command()
@event_filter_options()
def clusters(
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    *,
    filters: EventFilter,
) -> None:
    """List deduplicated events: one row per event cluster, with its counts.

    The events of one story that report the same happening (same type, overlapping parties,
    alike evidence, no other place or date) are one cluster that counts its mentions,
    distinct sources (outlets) and articles, as GDELT's NumMentions, NumSources and
    NumArticles; the row shows its canonical (most confident, most complete) event.
    Clusters are brought up to date by every eventcoder code run. A cluster matches the
    filters when one of its events does.
    """
    with _store(db, read_only=True) as store, _errors():
        rows = queries.clusters(store, filters)
        stale = store.clusters_stale()
    emit(rows, fmt, _clusters_table)
    _warn_if_stale(stale)


def _warn_if_stale(stale: bool) -> None:
    if stale:
        err.print("Stories and clusters do not match the stored events (a run ended before its refresh?); "
                  "eventcoder code or eventcoder export rebuilds them.", style="yellow", soft_wrap=True)


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
        from eventcoder.web.app import check_store, serve as serve_store

        check_store(path)  # a foreign, newer or damaged file fails here, before "Serving" is said
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
