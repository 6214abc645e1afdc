"""Readers: files, folders and globs in, a stream of ``Article | Rejected`` out.

Each format has its own module; all of them pass every article through
``clean.clean_article`` before yielding it, and none raises for a bad record.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..clean import parse_date
from ..errors import E101_MISSING, E109_TOO_LARGE
from ..model import Article, Rejected
from .feeds import read_csv, read_jsonl
from .html import article_from_html, read_html_file
from .parquet import read_parquet
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
_GLOB_CHARS = set("*?[")


def _sniff(path: Path) -> Reader:
    """Unknown suffix: HTML if the content opens with a tag, otherwise plain text."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1024)
    except OSError:
        return read_text_file
    head = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return read_html_file if head.startswith(b"<") else read_text_file


def read_file(path: str | Path, *, min_chars: int = 40, max_bytes: int | None = None) -> Iterator[Article | Rejected]:
    """Read one file with the reader its suffix (or, failing that, its content) calls for.

    ``max_bytes`` bounds what is read for one article: JSONL, Parquet and WARC readers apply it
    per line, row or record (their files may hold millions of articles); a text, HTML or CSV file,
    which is read whole, is refused as E109 before reading when the file is bigger.
    """
    path = Path(path)
    name = path.name.lower()
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


def _walk(folder: Path) -> Iterator[Path]:
    # Hidden files and folders (.git, .DS_Store, editor swap files) are never articles, and
    # a metadata sidecar (name.meta.json) is read with its text file, not as an input.
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not is_sidecar(path) and not any(part.startswith(".") for part in path.relative_to(folder).parts):
            yield path


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | Rejected]:
    """Files, folders (recursively, sorted, skipping hidden entries) and glob patterns to
    files; E101 Rejected for a missing path or a pattern that matches nothing."""
    for item in paths:
        path = Path(item)
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path
        elif _GLOB_CHARS & set(str(item)):
            matches = sorted(glob.glob(str(item), recursive=True))
            if not matches:
                yield reject(item, E101_MISSING, "pattern matched no files")
            for match in matches:
                match_path = Path(match)
                if is_sidecar(match_path):
                    continue
                yield from (_walk(match_path) if match_path.is_dir() else [match_path])
        else:
            yield reject(item, E101_MISSING, "no such file or directory")


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
    """One in-memory text as a cleaned Article (meta: title, url, outlet, published, language)."""
    if "published" in meta:
        meta["published"] = parse_date(meta["published"])
    return make_article(text, source=source, min_chars=min_chars, **meta)
