"""HTML pages: main text and metadata via trafilatura, then the clean stage.

Nothing here fetches: pages are parsed from the bytes we were given, and the URL is only
metadata. (trafilatura's justext needs ``lxml_html_clean``, split out of lxml in 5.2; it is a
dependency of ours for that reason.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..clean import parse_date
from ..errors import E102_EMPTY, E103_BINARY, E105_NO_MAIN_TEXT, InputError
from ..model import Article, Rejected
from .paths import read_input
from .text import decode_bytes, make_article, reject

__all__ = ["article_from_html", "extract_html", "read_html_file"]

import trafilatura


def extract_html(html: str | bytes, url: str | None = None) -> dict[str, Any]:
    """Main text and metadata of a page: keys text, title, date, url, sitename (values may be None)."""
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    if doc is None:
        return {"text": None, "title": None, "date": None, "url": url, "sitename": None}
    get = doc.get if isinstance(doc, dict) else lambda key: getattr(doc, key, None)
    return {key: get(key) for key in ("text", "title", "date", "url", "sitename")}


def article_from_html(html: str | bytes, *, source: str, url: str | None = None,
                      fallback_date: dt.date | None = None, min_chars: int = 40) -> Article | Rejected:
    """One article from an HTML page; E105 when no main text is found. ``fallback_date`` is
    used only when the page itself carries no date."""
    try:
        found = extract_html(html, url=url)
    except Exception as exc:  # trafilatura/lxml raise a wide range on broken markup
        return reject(source, E105_NO_MAIN_TEXT, f"could not parse HTML: {type(exc).__name__}: {exc}")
    text = found.get("text")
    if not text or not text.strip():
        return reject(source, E105_NO_MAIN_TEXT, "no main text found in HTML page")
    published = parse_date(found.get("date")) or fallback_date
    return make_article(text, source=source, min_chars=min_chars, title=found.get("title") or None,
                        url=found.get("url") or url, outlet=found.get("sitename") or None, published=published)


def read_html_file(path: str | Path, *, min_chars: int = 40) -> Iterator[Article | Rejected]:
    """Yield the one article in an HTML file (or why there is none)."""
    try:
        data = read_input(path)
    except InputError as exc:
        yield reject(path, exc.code, exc.message)
        return
    try:
        # Decoded only to catch binary input with the same code as text files; the page's
        # own charset declaration is left to the HTML parser.
        decode_bytes(data)
    except InputError as exc:
        if exc.code == E103_BINARY:
            yield reject(path, exc.code, exc.message)
            return
    if not data.strip():
        yield reject(path, E102_EMPTY, "empty file")
        return
    yield article_from_html(data, source=str(path), min_chars=min_chars)
