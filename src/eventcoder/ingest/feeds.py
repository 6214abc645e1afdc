"""JSONL and CSV feeds: one article per record; a bad record is rejected and the file goes on.

A CSV row the csv module cannot parse (a quote left open swallows the rows after it) is
rejected on its own, and reading starts again on the line after the one where it began, so
every row after a bad row is read or recorded.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import E102_EMPTY, E104_DECODE, E106_BAD_RECORD, E109_TOO_LARGE, InputError
from ..model import Article, Rejected
from .paths import open_input, read_input
from .text import decode_bytes, make_article, reject

__all__ = ["FIELD_ALIASES", "read_csv", "read_jsonl", "record_to_article"]

# Our field -> names feeds commonly use for it, first match wins. ``id`` is read for
# provenance only: Article ids are content hashes so the same story dedups across feeds.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "full_text", "fulltext", "maintext", "story"),
    "title": ("title", "headline", "heading"),
    "url": ("url", "link", "uri", "href"),
    "outlet": ("outlet", "source", "site", "sitename", "site_name", "publisher", "domain", "source_name"),
    "published": ("published", "date", "published_at", "publish_date", "pubdate", "date_publish",
                  "datetime", "publication_date", "timestamp"),
    "language": ("language", "lang"),
}


def _field(record: Mapping[str, Any], name: str) -> Any:
    lowered = {str(k).strip().lower(): v for k, v in record.items() if k is not None}
    for alias in FIELD_ALIASES[name]:
        value = lowered.get(alias)
        if value not in (None, ""):
            return value
    return None


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping):  # e.g. {"source": {"name": "Reuters"}} in news APIs
        value = value.get("name") or value.get("title")
    return str(value).strip() or None


def record_to_article(record: Mapping[str, Any], *, source: str, line: int,
                      min_chars: int = 40) -> Article | Rejected:
    """One feed record (already parsed) to a cleaned Article, or E102 when it has no text."""
    text = _field(record, "text")
    if not isinstance(text, str) or not text.strip():
        return reject(source, E102_EMPTY, f"record on line {line} has no text field "
                      f"(looked for {', '.join(FIELD_ALIASES['text'])})", line=line)
    published = _field(record, "published")
    if isinstance(published, (int, float)) and not isinstance(published, bool):
        published = str(published)  # epoch seconds: let dateparser decide
    return make_article(text, source=source, line=line, min_chars=min_chars,
                        title=_str_or_none(_field(record, "title")), url=_str_or_none(_field(record, "url")),
                        outlet=_str_or_none(_field(record, "outlet")), published=published,
                        language=_str_or_none(_field(record, "language")))


_CHUNK = 1 << 20


def _lines(handle: BinaryIO, max_bytes: int | None) -> Iterator[bytes | int]:
    """The lines of a binary file; a line longer than ``max_bytes`` is skipped in bounded
    chunks and stands as its length, so one runaway line cannot fill memory."""
    if max_bytes is None:
        yield from handle
        return
    while raw := handle.readline(max_bytes + 1):
        if len(raw) <= max_bytes or raw.endswith(b"\n"):
            yield raw
            continue
        size = len(raw)
        while (chunk := handle.readline(_CHUNK)) and not chunk.endswith(b"\n"):
            size += len(chunk)
        yield size + len(chunk)


def read_jsonl(path: str | Path, *, min_chars: int = 40, max_bytes: int | None = None) -> Iterator[Article | Rejected]:
    """Yield one Article or Rejected per non-blank line of a JSON Lines file (a line over
    ``max_bytes`` is E109, skipped unread)."""
    source = str(path)
    try:
        handle = open_input(path)
    except InputError as exc:
        yield reject(source, exc.code, exc.message)
        return
    with handle:
        for line_no, raw in enumerate(_lines(handle, max_bytes), start=1):
            if isinstance(raw, int):
                yield reject(source, E109_TOO_LARGE, f"line {line_no} is {raw:,} bytes, over max_input_bytes="
                             f"{max_bytes:,}; not read", line=line_no)
                continue
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield reject(source, E104_DECODE, f"undecodable bytes at offset {exc.start} on line {line_no}",
                             line=line_no)
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield reject(source, E106_BAD_RECORD, f"malformed JSON on line {line_no}: {exc.msg} "
                             f"(column {exc.colno})", line=line_no)
                continue
            if not isinstance(record, dict):
                yield reject(source, E106_BAD_RECORD, f"line {line_no} is a JSON {type(record).__name__}, "
                             "not an object", line=line_no)
                continue
            yield record_to_article(record, source=source, line=line_no, min_chars=min_chars)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _csv_rows(lines: list[str], start: int) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """(1-based line where it starts, row or the error) for the rows from ``lines[start:]``;
    after an error, parsing starts again on the line after that row's first line."""
    while start < len(lines):
        # strict: a quote left open until the end of the file is an error, not one huge field
        reader = csv.reader(iter(lines[start:]), strict=True)
        while True:
            first = start + reader.line_num  # 0-based index of the row's first line
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield first + 1, exc
                start = first + 1
                break
            if row:  # blank lines are not rows
                yield first + 1, row


def read_csv(path: str | Path, *, min_chars: int = 40) -> Iterator[Article | Rejected]:
    """Yield one Article or Rejected per row of a CSV file with a header row."""
    source = str(path)
    try:
        text = decode_bytes(read_input(path))
    except InputError as exc:
        yield reject(source, exc.code, exc.message)
        return
    # No field can be longer than the file (itself at most max_input_bytes): the csv module's
    # own limit would otherwise end the file at a long article body.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    rows = _csv_rows(_LINE.findall(text), 0)
    first = next(rows, None)
    if first is None:
        yield reject(source, E102_EMPTY, "empty CSV file (no header row)")
        return
    line, header = first
    if isinstance(header, csv.Error):
        yield reject(source, E106_BAD_RECORD, f"malformed CSV header: {header}", line=line)
        return
    for line, row in rows:
        if isinstance(row, csv.Error):
            yield reject(source, E106_BAD_RECORD, f"malformed CSV row at line {line}: {row} (an open quote?); "
                         "reading goes on from the next line", line=line)
        elif len(row) > len(header):
            yield reject(source, E106_BAD_RECORD, f"row at line {line} has more fields than the header", line=line)
        else:
            yield record_to_article(dict(zip(header, row)), source=source, line=line, min_chars=min_chars)
