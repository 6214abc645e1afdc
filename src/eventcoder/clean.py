"""Strip scraped junk from article text, then recover the title and date from what is left.

Scrapers and feeds hand us the article body with the page's furniture still attached:
comment widgets, share bars, cookie notices, "Popular Articles" lists. Left in, that text
becomes fake sentences for the NLP stage ("Inline Feedbacks View all comments Popular
Articles Live Laugh Love"). The junk is described by the two tables below, matched
line by line; they are meant to be general, not tuned to any one site.

Dates found in the stripped junk still count: a trailer such as "Popular Articles ...
Dec. 24, 2019" is often the only place a scraped page kept its publication date.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

import dateparser

from .errors import E108_TOO_SHORT
from .model import Article, Rejected

__all__ = ["JUNK_LINES", "TRAILER_HEADINGS", "clean_article", "find_date", "parse_date", "parse_published", "strip_junk"]


class Pattern(NamedTuple):
    name: str
    regex: re.Pattern[str]
    why: str


def _full(pattern: str) -> re.Pattern[str]:
    """A case-insensitive pattern that must match a whole (stripped) line."""
    return re.compile(rf"^(?:{pattern})$", re.IGNORECASE)


_SOCIAL = r"facebook|twitter|x|whatsapp|linkedin|pinterest|reddit|telegram|tumblr|pocket|email|e-mail|print|tweet|share|copy link|messenger|flipboard|vk|weibo|wechat|line"

# Lines dropped wherever they occur. Each matches a whole line, so a sentence that merely
# mentions "comments" or "Twitter" is never touched.
JUNK_LINES: tuple[Pattern, ...] = (
    Pattern("comment-widget", _full(
        r"\d*\s*(?:inline feedbacks?|comments?|replies|responses|shares?)|view all comments|"
        r"(?:leave|post|add|write) a (?:comment|reply)|notify of(?: new.*)?|be the first to comment.*|"
        r"comments are closed\.?|show comments|load more comments|\d+ thoughts? on .{0,120}"),
        "comment widgets leave counters and buttons as one-line fragments"),
    Pattern("account", _full(
        r"log ?in|log ?out|sign ?in|sign ?up|register|subscribe(?: now| today| to .{0,60})?|"
        r"(?:login|sign in) to (?:comment|continue|reply).*|already a subscriber\??.*"),
        "login and paywall buttons"),
    Pattern("share", _full(
        rf"(?:click to )?share (?:this|on|via|the article|article|story)\b.{{0,60}}|share this:?|"
        rf"follow us(?: on)?\b.{{0,60}}|click to (?:share|email|print|tweet)\b.{{0,60}}|"
        rf"(?:(?:{_SOCIAL})[\s,|/·•:]*){{2,}}"),
        "share bars flatten to runs of network names"),
    Pattern("cookie", re.compile(
        r"^(?=.{0,400}$)(?=.*\bcookies?\b)(?=.*\b(?:we use|uses|accept|consent|privacy|browsing|"
        r"continuing|agree)\b).*$", re.IGNORECASE),
        "cookie banners are scraped along with the body"),
    Pattern("copyright", re.compile(
        r"^(?=.{0,200}$)(?:.*(?:©|\(c\)|copyright\s+(?:©\s*)?(?:\d{4}|by)).*|.*all rights reserved\.?)$",
        re.IGNORECASE),
        "footer copyright lines"),
    Pattern("advert", _full(
        r"advertisement|advertising|sponsored(?: content)?|ad|skip (?:to )?(?:main )?content|"
        r"scroll (?:down )?to continue.{0,40}|continue reading.{0,40}|"
        r"(?:sign up|subscribe) (?:for|to) (?:our|the) .{0,40}newsletter.{0,60}"),
        "ad slots and newsletter prompts interrupt the body"),
    Pattern("read-more-link", _full(r"(?:read more|read also|also read|see also|related)\s*[:>»-].{0,150}"),
        "inline 'Read more: <headline>' links are another article's headline"),
)

# Section headings after which the rest of the page is lists of other articles or comments.
# Only honoured in the trailing part of the text (see _is_trailing) so a body sentence can't
# trigger a cut of the whole story.
TRAILER_HEADINGS: tuple[Pattern, ...] = (
    Pattern("trailer-heading", _full(
        r"(?:most |the )?(?:popular|related|recommended|trending|latest|top|more|most read|most viewed|"
        r"editor'?s? picks?)(?: now)?(?: (?:articles|stories|news|posts|reads|videos|content|coverage|"
        r"headlines|(?:from|on|in) .{1,40}))?:?|you (?:may|might) (?:also )?(?:like|enjoy|be interested in):?|"
        r"read (?:more|next|also):?|see also:?|(?:\d+ )?comments?:?|discussion|leave a reply|"
        r"what to read next|don'?t miss:?|in case you missed it:?|recommended for you|around the web"),
        "headings that start a block of links or comments"),
)

# Strong markers that may sit inside a flattened one-line trailer ("... reversal. Inline
# Feedbacks View all comments Popular Articles ...").
_INLINE_TRAILER = re.compile(
    r"(?<=[.!?\"”’'])\s+(?:\S+\s+){0,3}?(?:\d+\s+)?(?:inline feedbacks|view all comments|popular articles|"
    r"related articles|you may also like|leave a (?:comment|reply)|recommended (?:articles|stories))\b.*$",
    re.IGNORECASE | re.DOTALL)

_SENTENCE_END = re.compile(r"[.!?…:;\"”’')\]]$")
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
# Explicit date shapes only: bare numbers like "12/06" are too ambiguous to trust.
_DATE = re.compile(
    rf"\b(?:(?:19|20)\d\d-[01]?\d-[0-3]?\d"
    rf"|{_MONTH}\.?\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d"
    rf"|[0-3]?\d(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+(?:19|20)\d\d)(?!\d)",
    re.IGNORECASE)
_LABELLED_DATE = re.compile(
    r"\b(?:published|posted|updated|first published|date)\s*(?:on|at)?\s*[:\-]?\s*(.{6,60})", re.IGNORECASE)

# Past this share of the text, a heading can start the trailer; before it, only if nothing
# after it reads like prose.
_TRAILING_SHARE = 0.5
_PROSE_LINE = 150
_SHORT_LINE = 80
_TITLE_MAX = 150


# Publication dates outside these years are errors in the data (year 1, 9999). The bounds are
# fixed, not "today": coding the same input gives the same dates on any day.
EARLIEST_PUBLISHED = dt.date(1900, 1, 1)
LATEST_PUBLISHED = dt.date(2100, 12, 31)
# Absolute dates only, read the same whatever the clock or the machine's time zone says: no
# relative parser ("yesterday" would be counted back from the day of coding), missing parts
# filled from a fixed base, timestamps in UTC.
_ABSOLUTE = {
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"], "REQUIRE_PARTS": ["year"],
    "PREFER_DAY_OF_MONTH": "first", "PREFER_MONTH_OF_YEAR": "first",
    "RELATIVE_BASE": dt.datetime(2000, 1, 1), "TIMEZONE": "UTC",
}  # fmt: skip


def parse_published(value: object) -> tuple[dt.date | None, str | None]:
    """A publication date from a date, datetime or string (ISO first, then dateparser), and
    why there is none when ``value`` was given: unreadable, relative ("yesterday") or
    implausible (outside 1900-2100). ``(None, None)`` when no value was given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, dt.datetime):
        found: dt.date | None = value.date()
    elif isinstance(value, dt.date):
        found = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            found = dt.datetime.fromisoformat(text).date()
        except ValueError:
            parsed = dateparser.parse(text, languages=["en"], settings=_ABSOLUTE)
            found = parsed.date() if parsed is not None else None
        if found is None:
            if dateparser.parse(text, languages=["en"], settings={"PARSERS": ["relative-time"]}) is not None:
                return None, (f"publication date {_quoted(text)} is relative to the day it was written, which is not "
                              "known, so it cannot be resolved")
            return None, f"publication date {_quoted(text)} could not be read as a date"
    else:
        return None, f"publication date {_quoted(str(value))} is not a date"
    if not EARLIEST_PUBLISHED <= found <= LATEST_PUBLISHED:
        return None, (f"publication date {found.isoformat()} is implausible (outside "
                      f"{EARLIEST_PUBLISHED.year}-{LATEST_PUBLISHED.year})")
    return found, None


def _quoted(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:60] + "…")


def parse_date(value: object) -> dt.date | None:
    """A publication date from a date, datetime or string; None when there is none, or it is
    unreadable, relative or implausible (:func:`parse_published` says which)."""
    return parse_published(value)[0]


def find_date(text: str) -> dt.date | None:
    """The first explicit date in ``text``, preferring one labelled "Published:"/"Updated:"."""
    for match in _LABELLED_DATE.finditer(text):
        inner = _DATE.search(match.group(1))
        found = parse_date(inner.group(0) if inner else match.group(1))
        if found:
            return found
    for match in _DATE.finditer(text):
        found = parse_date(re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", match.group(0)))
        if found:
            return found
    return None


def _is_junk(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and any(p.regex.match(stripped) for p in JUNK_LINES)


def _is_prose(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= _PROSE_LINE and bool(_SENTENCE_END.search(stripped))


def _trailer_start(lines: list[str]) -> int | None:
    """Index of the heading that starts the trailing block of links/comments, if any.

    One pass each way: what lies before and after a line is known from running flags, so
    40,000 heading-like lines ("Related:") cost 40,000 checks, not 40,000 squared."""
    total = sum(len(line) + 1 for line in lines) or 1
    prose_after = [False] * (len(lines) + 1)  # prose_after[i]: some line from i on reads like prose
    for i in range(len(lines) - 1, -1, -1):
        prose_after[i] = prose_after[i + 1] or _is_prose(lines[i])
    sentence_before = False  # some earlier line is prose or ends like a sentence
    seen = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped and any(p.regex.match(stripped) for p in TRAILER_HEADINGS):
            trailing = seen / total >= _TRAILING_SHARE
            # A heading as the very first line is a title, not a trailer.
            if (trailing or not prose_after[i + 1]) and sentence_before:
                return i
        sentence_before = sentence_before or _is_prose(line) or bool(_SENTENCE_END.search(stripped))
        seen += len(line) + 1
    return None


def strip_junk(text: str) -> tuple[str, str]:
    """Split ``text`` into (kept body, removed junk). Only whole lines are removed, except a
    flattened trailer glued onto the last paragraph."""
    lines = text.split("\n")
    junk: list[str] = []
    cut = _trailer_start(lines)
    if cut is not None:
        junk.extend(lines[cut:])
        lines = lines[:cut]
    kept = []
    for line in lines:
        (junk if _is_junk(line) else kept).append(line)
    # Trailing link lists and stray fragments ("GM 12"): short lines without sentence
    # punctuation after the last real sentence. Stop if nothing before them is a sentence.
    last = len(kept)
    while last and not kept[last - 1].strip():
        last -= 1
    end = last
    while end and (not kept[end - 1].strip() or
                   (len(kept[end - 1].strip()) < _SHORT_LINE and not _SENTENCE_END.search(kept[end - 1].strip()))):
        end -= 1
    if end and end < last and any(_SENTENCE_END.search(k.strip()) for k in kept[:end]):
        junk.extend(kept[end:last])
        kept = kept[:end]
    body = "\n".join(kept)
    inline = _INLINE_TRAILER.search(body[len(body) // 2:])
    if inline:
        start = len(body) // 2 + inline.start()
        junk.append(body[start:])
        body = body[:start]
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    return body, "\n".join(junk)


def _split_title(body: str, title: str | None) -> tuple[str | None, str]:
    """Take a headline off the top of ``body``: as the title when metadata gave none, or
    dropped when it repeats the given title."""
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return title, body
    head = lines[first].strip()
    rest = "\n".join(lines[first + 1:]).strip()
    if title is not None:
        same = re.sub(r"\W+", " ", head).strip().lower() == re.sub(r"\W+", " ", title).strip().lower()
        return title, (rest if same and rest else body)
    looks_like_title = (len(head) <= _TITLE_MAX and len(head.split()) >= 2
                        and not re.search(r"[.!?…:;,]$", head) and bool(rest))
    return (head, rest) if looks_like_title else (None, body)


def _head_date(body: str) -> dt.date | None:
    """A date standing on a short line near the top (a dateline or "Published" line), not one
    mentioned in a body sentence."""
    for line in [line for line in body.split("\n") if line.strip()][:4]:
        if len(line.strip()) <= _SHORT_LINE:
            found = find_date(line)
            if found:
                return found
    return None


def clean_article(article: Article, min_chars: int = 40) -> Article | Rejected:
    """Strip junk from ``article.text``, fill ``title``/``published`` when metadata lacks them,
    and recompute the id from the cleaned text. Too little text left gives an E108 Rejected."""
    body, junk = strip_junk(article.text)
    title, body = _split_title(body, article.title)
    published = article.published
    if published is None:
        published = find_date("\n".join(line for line in junk.split("\n") if _LABELLED_DATE.search(line)))
        published = published or _head_date(body) or find_date(junk)
    if len(body) < min_chars:
        return Rejected(source=article.source, stage="clean", code=E108_TOO_SHORT, article_id=article.id,
                        reason=f"text too short after cleaning ({len(body)} < {min_chars} chars)")
    meta = article.model_dump(exclude={"id", "text", "title", "published"})
    return Article.from_text(body, title=title, published=published, **meta)
