"""HTML pages: main text and metadata via trafilatura, then the clean stage.

Nothing here fetches: pages are parsed from the bytes we were given, and the URL is only
metadata. If trafilatura cannot be imported (its justext dependency needs the separate
``lxml_html_clean`` package with lxml >= 5.2), a small lxml extractor keeps the reader
working: article/main container, paragraphs only, furniture pruned by class and tag.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..clean import parse_date
from ..errors import E101_MISSING, E102_EMPTY, E103_BINARY, E105_NO_MAIN_TEXT, InputError
from ..model import Article, Rejected
from .text import decode_bytes, make_article, reject

__all__ = ["article_from_html", "extract_html", "read_html_file"]

try:
    import trafilatura
except ImportError:  # pragma: no cover - depends on the installed lxml
    trafilatura = None


def extract_html(html: str | bytes, url: str | None = None) -> dict[str, Any]:
    """Main text and metadata of a page: keys text, title, date, url, sitename (values may be None)."""
    if trafilatura is not None:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=True)
        if doc is None:
            return {"text": None, "title": None, "date": None, "url": url, "sitename": None}
        get = doc.get if isinstance(doc, dict) else lambda key: getattr(doc, key, None)
        return {key: get(key) for key in ("text", "title", "date", "url", "sitename")}
    return _lxml_extract(html, url)


# Containers whose class/id says they are page furniture, not the story.
_FURNITURE = re.compile(
    r"comment|share|social|related|popular|recommend|trending|newsletter|subscribe|cookie|consent|"
    r"footer|header|nav|menu|sidebar|promo|advert|\bads?\b|breadcrumb|byline-tools|tags", re.IGNORECASE)
_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
              "button", "template", "figure")
_DATE_META = ("article:published_time", "og:published_time", "datePublished", "pubdate", "publishdate",
              "date", "dc.date", "dc.date.issued", "sailthru.date", "parsely-pub-date")


def _lxml_extract(html: str | bytes, url: str | None) -> dict[str, Any]:
    from lxml import etree
    from lxml import html as lxml_html

    out: dict[str, Any] = {"text": None, "title": None, "date": None, "url": url, "sitename": None}
    try:
        tree = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return out
    meta = {(m.get("property") or m.get("name") or m.get("itemprop") or "").lower(): m.get("content")
            for m in tree.iter("meta") if m.get("content")}
    out["title"] = meta.get("og:title") or (tree.findtext(".//title") or "").strip() or None
    out["sitename"] = meta.get("og:site_name")
    canonical = tree.find(".//link[@rel='canonical']")
    out["url"] = url or meta.get("og:url") or (canonical.get("href") if canonical is not None else None)
    dates = [meta.get(key.lower()) for key in _DATE_META] + [t.get("datetime") for t in tree.iter("time")]
    out["date"] = next((d for d in dates if d), None)
    for element in list(tree.iter(*_DROP_TAGS)):
        element.drop_tree()
    for element in list(tree.iter()):
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if element.getparent() is not None and element.tag not in ("body", "html") and _FURNITURE.search(marker):
            element.drop_tree()
    root = next(tree.iter("article"), None)
    root = root if root is not None else next(tree.iter("main"), None)
    root = root if root is not None else tree
    paragraphs = [" ".join(p.text_content().split()) for p in root.iter("p", "h2", "h3", "blockquote")]
    # Real paragraphs are sentences; one-word link labels left in <p> are not the story.
    text = "\n".join(p for p in paragraphs if len(p.split()) >= 4)
    out["text"] = text or None
    return out


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
        data = Path(path).read_bytes()
    except OSError as exc:
        yield reject(path, E101_MISSING, f"cannot read file: {exc.strerror or exc}")
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
