"""Rewrite one benchmark's marked section of a Markdown file under docs/, leaving the rest alone.

Each bench script owns the block between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``
of the document it reports into, so several scripts can share one file (EVALUATION.md,
PERFORMANCE.md) and each re-run replaces only its own figures.
"""

from __future__ import annotations

from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    """The start and end comments of section ``name``."""
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def write_section(path: Path, name: str, body: str, *, title: str = "", heading: str = "", at_top: bool = False) -> None:
    """Put ``body`` between section ``name``'s markers in ``path``.

    Where the markers are absent the block is appended (after ``heading``, if given), or put
    right under the file's first line with ``at_top``; a missing file starts with ``title``.
    """
    start, end = markers(name)
    block = f"{start}\n{body.strip(chr(10))}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else (f"{title}\n" if title else "")
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    elif at_top:
        first, _, tail = text.partition("\n")
        text = f"{first}\n\n{block}\n{tail}"
    else:
        text = text.rstrip("\n") + "\n\n" + (f"{heading}\n\n" if heading else "") + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
