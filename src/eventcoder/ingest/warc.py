"""WARC/ARC archives: every HTML response record is read as one page by the HTML reader."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from ..clean import parse_date
from ..errors import E101_MISSING, E106_BAD_RECORD, E109_TOO_LARGE
from ..model import Article, Rejected
from .html import article_from_html
from .text import reject

__all__ = ["read_warc"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")


class _BrokenRecord(ValueError):
    """A record warcio read without complaint that is nevertheless damaged."""


def _declared_length(record: object) -> int:
    try:
        return int(record.rec_headers.get_header("Content-Length") or 0)  # type: ignore[attr-defined]
    except ValueError:
        return 0


def read_warc(path: str | Path, *, min_chars: int = 40, max_bytes: int | None = None) -> Iterator[Article | Rejected]:
    """Yield one Article or Rejected per HTML response in a .warc/.warc.gz/.arc(.gz) file.

    Non-HTML responses (images, robots.txt, scripts) and non-2xx responses are skipped
    silently: they are crawl by-products, not articles that failed. An HTML record whose
    declared length is over ``max_bytes`` is E109 and its body is not read.
    """
    source = str(path)
    try:
        handle = open(path, "rb")
    except OSError as exc:
        yield reject(source, E101_MISSING, f"cannot read file: {exc.strerror or exc}")
        return
    with handle:
        records = ArchiveIterator(handle, arc2warc=True)
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
                body = record.content_stream().read() if wanted and not too_large else b""
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
