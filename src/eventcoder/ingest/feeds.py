"""JSONL and CSV feeds: one article per record; a bad record is rejected and the file goes on."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from ..clean import parse_date
from ..errors import E101_MISSING, E102_EMPTY, E104_DECODE, E106_BAD_RECORD, E109_TOO_LARGE, InputError
from ..model import Article, Rejected
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
                        outlet=_str_or_none(_field(record, "outlet")), published=parse_date(published),
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
        handle = open(path, "rb")
    except OSError as exc:
        yield reject(source, E101_MISSING, f"cannot read file: {exc.strerror or exc}")
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


def read_csv(path: str | Path, *, min_chars: int = 40) -> Iterator[Article | Rejected]:
    """Yield one Article or Rejected per row of a CSV file with a header row."""
    source = str(path)
    try:
        text = decode_bytes(Path(path).read_bytes())
    except OSError as exc:
        yield reject(source, E101_MISSING, f"cannot read file: {exc.strerror or exc}")
        return
    except InputError as exc:
        yield reject(source, exc.code, exc.message)
        return
    # News bodies overflow the csv module's default 128 KiB field limit.
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        yield reject(source, E106_BAD_RECORD, f"malformed CSV header: {exc}", line=1)
        return
    if not header:
        yield reject(source, E102_EMPTY, "empty CSV file (no header row)")
        return
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reject(source, E106_BAD_RECORD, f"malformed CSV row at line {start}: {exc}", line=start)
            return
        if None in row:
            yield reject(source, E106_BAD_RECORD, f"row at line {start} has more fields than the header",
                         line=start)
            continue
        yield record_to_article(row, source=source, line=start, min_chars=min_chars)
