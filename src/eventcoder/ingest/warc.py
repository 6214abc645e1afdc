"""WARC/ARC archives: every HTML response record is read as one page by the HTML reader.

Archives are untrusted input, so every size is bounded: a record's declared length against
``max_bytes`` before its body is read, the body itself after decoding (a 4 KB record whose
HTTP body is gzip of 1 GiB stops at ``max_bytes``), and every header line (a record followed
by 60 MB with no newline is one E106, not a 60 MB line held in memory and printed).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader

from ..clean import parse_date
from ..errors import E106_BAD_RECORD, E109_TOO_LARGE, InputError
from ..model import Article, Rejected
from .html import article_from_html
from .paths import open_input
from .text import reject

__all__ = ["read_warc"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")


# Longest header line (WARC or HTTP) read; real ones are a few hundred bytes.
MAX_LINE = 64 * 1024


class _BrokenRecord(ValueError):
    """A record warcio read without complaint that is nevertheless damaged."""


class _BoundedLines(DecompressingBufferedReader):
    """warcio's reader with every ``readline`` cut at MAX_LINE bytes: header parsing then meets
    a line it cannot read and fails, instead of holding an unbounded line in memory."""

    def readline(self, length: int | None = None) -> bytes:
        return super().readline(MAX_LINE if length is None or length <= 0 else min(length, MAX_LINE))


class _BoundedArchive(ArchiveIterator):  # type: ignore[misc]
    """warcio's ArchiveIterator over :class:`_BoundedLines`, raising on what follows a record
    when it is not a blank line (warcio writes a warning quoting the whole line to stderr and
    reads on from a point it cannot trust)."""

    def __init__(self, fileobj: object, **kwargs: object) -> None:
        super().__init__(fileobj, **kwargs)
        self.reader = _BoundedLines(self.fh, block_size=self.reader.block_size)

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        empty_size = 0
        while True:
            line = self.reader.readline()
            if not line:
                return None, empty_size
            if line.strip():
                if empty_size or not self.record:
                    return line, empty_size  # the next record's first line
                start, skipped = line[:40], len(line)
                while not line.endswith(b"\n") and (line := self.reader.readline()):
                    skipped += len(line)  # counted, not kept
                raise _BrokenRecord(
                    f"a record is followed by a line of {skipped:,} bytes starting {start!r}, not by a blank "
                    "line: its Content-Length is wrong, or the file is damaged")
            empty_size += len(line)


def _declared_length(record: object) -> int:
    try:
        return int(record.rec_headers.get_header("Content-Length") or 0)  # type: ignore[attr-defined]
    except ValueError:
        return 0


def _read_at_most(stream: object, limit: int | None) -> bytes:
    """Up to ``limit`` bytes of ``stream`` (all of it with None), whatever its reads return."""
    if limit is None:
        return stream.read()  # type: ignore[attr-defined, no-any-return]
    parts, size = [], 0
    while size < limit and (chunk := stream.read(min(1 << 20, limit - size))):  # type: ignore[attr-defined]
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def read_warc(path: str | Path, *, min_chars: int = 40, max_bytes: int | None = None) -> Iterator[Article | Rejected]:
    """Yield one Article or Rejected per HTML response in a .warc/.warc.gz/.arc(.gz) file.

    Non-HTML responses (images, robots.txt, scripts) and non-2xx responses are skipped
    silently: they are crawl by-products, not articles that failed. An HTML record whose
    declared length is over ``max_bytes`` is E109 and its body is not read.
    """
    source = str(path)
    try:
        handle = open_input(path)
    except InputError as exc:
        yield reject(source, exc.code, exc.message)
        return
    with handle:
        records = _BoundedArchive(handle, arc2warc=True)
        while True:
            try:
                record = next(records)
                if not record.rec_headers.get_header("WARC-Type") and not record.rec_type:
                    raise _BrokenRecord("no WARC-Type header: not a WARC record")
                declared = (record.rec_headers.get_header("Content-Length") or "").strip()
                if not declared.isdigit():  # mandatory; empty when the header itself was cut
                    raise _BrokenRecord(f"bad or missing Content-Length header ({declared!r}): record cut short?")
                http = record.http_headers
                content_type = (http.get_header("Content-Type") if http is not None
                                else record.rec_headers.get_header("Content-Type")) or ""
                status = http.get_statuscode() if http is not None else "200"
                wanted = (record.rec_type in ("response", "resource") and str(status).startswith("2")
                          and content_type.lower().startswith(_HTML_TYPES))
                too_large = wanted and max_bytes is not None and _declared_length(record) > max_bytes
                # The body must be read before asking for the offset: warcio's
                # get_record_offset() consumes (streams past) the rest of the record.
                body = b""
                if wanted and not too_large:
                    # Decoded (gzip, chunked) bodies can be far larger than the record: read one byte past the limit.
                    body = _read_at_most(record.content_stream(), None if max_bytes is None else max_bytes + 1)
                offset = records.get_record_offset()
                # warcio ends a cut-off record quietly; what is left of its declared length tells.
                missing = getattr(record.raw_stream, "limit", 0)
                if missing:
                    raise _BrokenRecord(f"record cut short: {missing:,} of its {_declared_length(record):,} "
                                        "declared bytes are missing (truncated file?)")
                if not wanted:
                    continue
                if too_large:
                    yield reject(f"{source}#{offset}", E109_TOO_LARGE, f"WARC record is {_declared_length(record):,} "
                                 f"bytes, over max_input_bytes={max_bytes:,}; not read")
                    continue
                if max_bytes is not None and len(body) > max_bytes:
                    yield reject(f"{source}#{offset}", E109_TOO_LARGE, f"the record's decoded HTTP body is over "
                                 f"max_input_bytes={max_bytes:,} (its record is {_declared_length(record):,} bytes: "
                                 "a compression bomb?); not read")
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI")
                warc_date = record.rec_headers.get_header("WARC-Date")
            except StopIteration:
                # warcio also stops quietly where a compressed file is cut inside a record's
                # header; bytes left after the last whole record mean the file was truncated.
                size = os.fstat(handle.fileno()).st_size
                if records.offset < size:
                    yield reject(f"{source}#{records.offset}", E106_BAD_RECORD,
                                 f"WARC file cut short: {size - records.offset:,} bytes after offset "
                                 f"{records.offset} are not a complete record (truncated file?)")
                return
            except Exception as exc:  # warcio/zlib/http parsing errors have no common base
                # A broken record desynchronizes the stream, so nothing after it can be trusted.
                # records.offset is where the record that failed to parse began.
                offset = records.offset
                yield reject(f"{source}#{offset}", E106_BAD_RECORD,
                             f"broken WARC record near offset {offset}: {type(exc).__name__}: {exc}")
                return
            # WARC-Date is when the crawler fetched the page, which can be years after
            # publication, so it is only a fallback when the page itself carries no date.
            yield article_from_html(body, source=f"{source}#{offset}", url=uri,
                                    fallback_date=parse_date(warc_date), min_chars=min_chars)
