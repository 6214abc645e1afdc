"""Readers: files, folders and globs in, a stream of ``Article | Rejected`` out.

Each format has its own module; all of them pass every article through
``clean.clean_article`` before yielding it, and none raises for a bad record. Finding the
files (folders, globs, symlinks, FIFOs) is ``ingest/paths.py``. A reader that fails on one
file in a way nobody foresaw ends that file with an E209 record, and the next file is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..errors import E107_UNSUPPORTED, E109_TOO_LARGE, E209_CODING_FAILED, InputError
from ..model import Article, Rejected
from .feeds import read_csv, read_jsonl
from .html import article_from_html, read_html_file
from .parquet import read_parquet
from .paths import expand_paths, open_input
from .text import is_sidecar, make_article, read_text_file, reject
from .warc import read_warc

__all__ = ["article_from_html", "expand_paths", "read_csv", "read_file", "read_html_file", "read_jsonl",
           "read_parquet", "read_paths", "read_text", "read_text_file", "read_warc"]

Reader = Callable[..., Iterator[Article | Rejected]]

# Longest suffixes first so ".warc.gz" wins over ".gz".
READERS: tuple[tuple[str, Reader], ...] = (
    (".warc.gz", read_warc), (".arc.gz", read_warc), (".warc", read_warc), (".arc", read_warc),
    (".jsonl", read_jsonl), (".ndjson", read_jsonl), (".csv", read_csv),
    (".parquet", read_parquet),
    (".html", read_html_file), (".htm", read_html_file), (".xhtml", read_html_file),
    (".txt", read_text_file), (".text", read_text_file), (".md", read_text_file),
)
# Documents and databases we have no reader for: refused by name (E107), unopened. A store file
# among the inputs is never opened at all: closing a descriptor of a DuckDB file this process
# holds would drop DuckDB's lock on it (store/opening.py).
UNSUPPORTED: dict[str, str] = {
    ".pdf": "PDF", ".doc": "Word", ".docx": "Word", ".odt": "OpenDocument", ".rtf": "RTF",
    ".xls": "Excel", ".xlsx": "Excel", ".ods": "OpenDocument", ".ppt": "PowerPoint", ".pptx": "PowerPoint",
    ".epub": "EPUB", ".duckdb": "DuckDB", ".wal": "DuckDB write-ahead log", ".sqlite": "SQLite", ".db": "database",
}  # fmt: skip


def _sniff(path: Path) -> Reader:
    """Unknown suffix: HTML if the content opens with a tag, otherwise plain text."""
    try:
        with open_input(path) as handle:
            head = handle.read(1024)
    except (InputError, OSError):
        return read_text_file  # it reports why it cannot read the file
    head = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return read_html_file if head.startswith(b"<") else read_text_file


def read_file(path: str | Path, *, min_chars: int = 40, max_bytes: int | None = None) -> Iterator[Article | Rejected]:
    """Read one file with the reader its suffix (or, failing that, its content) calls for.

    ``max_bytes`` bounds what is read for one article: JSONL, Parquet and WARC readers apply it
    per line, row or record (their files may hold millions of articles); a text, HTML or CSV file,
    which is read whole, is refused as E109 before reading when the file is bigger.
    """
    path = Path(path)
    try:
        yield from _read_file(path, min_chars, max_bytes)
    except Exception as exc:  # noqa: BLE001 - a reader bug ends this file, not the run
        yield reject(path, E209_CODING_FAILED, f"reading this file failed: {type(exc).__name__}: {exc}; "
                     "what it gave before is kept, the rest of it was not read")


def _read_file(path: Path, min_chars: int, max_bytes: int | None) -> Iterator[Article | Rejected]:
    name = path.name.lower()
    unsupported = next((kind for suffix, kind in UNSUPPORTED.items() if name.endswith(suffix)), None)
    if unsupported:
        yield reject(path, E107_UNSUPPORTED, f"a {unsupported} file: eventcoder has no reader for it "
                     f"(it reads {', '.join(s for s, _ in READERS)}, and text or HTML under any other name)")
        return
    reader = next((r for suffix, r in READERS if name.endswith(suffix)), None) or _sniff(path)
    if reader in (read_jsonl, read_warc, read_parquet):
        yield from reader(path, min_chars=min_chars, max_bytes=max_bytes)
        return
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # the reader reports why it cannot read the file
    if max_bytes is not None and size > max_bytes:
        yield reject(path, E109_TOO_LARGE, f"file is {size:,} bytes, over max_input_bytes={max_bytes:,}; not read")
        return
    yield from reader(path, min_chars=min_chars)



def read_paths(paths: Iterable[str | Path], *, min_chars: int = 40,
               max_bytes: int | None = None) -> Iterator[Article | Rejected]:
    """Every article (or rejection) in the given files, folders and glob patterns, in order
    (``max_bytes``: see :func:`read_file`; None reads inputs of any size)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for found in expand_paths(paths):
        if isinstance(found, Rejected):
            yield found
        else:
            yield from read_file(found, min_chars=min_chars, max_bytes=max_bytes)


def read_text(text: str, *, source: str = "<text>", min_chars: int = 40, **meta: object) -> Article | Rejected:
    """One in-memory text as a cleaned Article (meta: title, url, outlet, published, language;
    a publication date that cannot be used is left out, with an E113 note in ``notes``)."""
    return make_article(text, source=source, min_chars=min_chars, **meta)
