"""The records that flow through eventcoder: ``Article`` in, ``CodedArticle`` out.

Every stage takes and returns these plain pydantic types; spaCy objects never leave
``nlp/`` and ``extract/``. Evidence is kept as character offsets into ``Article.text``
(the sentence text is carried too, so an exported event reads on its own).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Precision = Literal["day", "month", "year", "unknown"]
PlacePrecision = Literal["city", "admin", "country", "region", "unknown"]


def hash_id(*parts: object, length: int = 16) -> str:
    """Stable content-hash id: the same parts always give the same id."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:length]


MAX_REASON_CHARS = 500  # a failure reason quoting its input (a 60 MB line, say) is cut to this


def storable(value: str) -> str:
    """``value`` as text the store can write. A file name that is not UTF-8 reaches Python with
    its bad bytes as surrogate escapes (``os.fsdecode``); they become ``\\xff``-style escapes
    (a stray surrogate from elsewhere, ``\\udcff``), instead of failing the UTF-8 write of
    their whole batch."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")


def normalize_text(text: str) -> str:
    """NFC, unified newlines, trailing spaces trimmed: what the article id is computed from."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Article(Record):
    """One news article. ``id`` is a hash of its normalized text, so re-reading the
    same article from another file or feed gives the same id."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    language: str | None = None
    source: str = Field("", description="where it was read from: path, path:line, or WARC record")
    # Notes made while reading it (E113: a publication date refused); coding moves them into
    # the CodedArticle's rejections, so they reach the failures table with the article.
    notes: tuple[Rejected, ...] = ()

    @field_validator("source")
    @classmethod
    def _storable(cls, value: str) -> str:
        return storable(value)

    @classmethod
    def from_text(cls, text: str, **meta: object) -> "Article":
        """Build an Article, computing its content-hash id from the normalized text."""
        text = normalize_text(text)
        return cls(id=hash_id(text), text=text, **meta)  # type: ignore[arg-type]


class Rejected(Record):
    """An input or stage that produced nothing, and why. Stored in the failures table."""

    source: str
    stage: str
    code: str
    reason: str
    line: int | None = None
    article_id: str | None = None

    @field_validator("source")
    @classmethod
    def _storable(cls, value: str) -> str:
        return storable(value)

    @field_validator("reason")
    @classmethod
    def _bounded(cls, value: str) -> str:
        value = storable(value)
        if len(value) <= MAX_REASON_CHARS:
            return value
        return f"{value[:MAX_REASON_CHARS]}… ({len(value) - MAX_REASON_CHARS:,} more characters cut)"

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"[{self.code}] {where}: {self.reason}"


Article.model_rebuild()  # ``notes`` names Rejected, defined after it


class Actor(Record):
    """An actor or recipient: ISO 3166 alpha-3 country (or IGO/UNO/NGO/...), PLOVER sector,
    and the named person or organisation when the text names one."""

    text: str
    start_char: int
    end_char: int
    country: str | None = None
    sector: str | None = None
    name: str | None = None
    # No word names this party: it is coded, as CAMEO does, by where the act happened
    # ("a journalist was killed in Beirut": the actor is LBN); ``text`` is what it was read from.
    inferred: bool = False


class When(Record):
    """When an event happened, resolved against the publication date."""

    date: dt.date | None = None
    precision: Precision = "unknown"
    text: str | None = None


class Place(Record):
    """Where an event happened, resolved with the offline gazetteer."""

    name: str
    text: str
    start_char: int
    end_char: int
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision: PlacePrecision = "unknown"


class Quote(Record):
    """A statement: who said it, the quoted span, and the cue ("told", "said", "A:")."""

    speaker: Actor | None
    text: str
    start_char: int
    end_char: int
    cue: str | None = None


class Event(Record):
    """One PLOVER event with its evidence in the article."""

    id: str
    article_id: str
    event_type: str
    mode: str | None = None
    quad_class: int | None = None
    intensity: float | None = None
    cameo_root: str | None = None
    actors: list[Actor] = Field(default_factory=list)
    recipients: list[Actor] = Field(default_factory=list)
    trigger: str = ""
    when: When = Field(default_factory=When)
    place: Place | None = None
    quote: Quote | None = None
    background: bool = False
    negated: bool = False
    # The evidence is the article's headline: offsets (the event's and its parties') are then
    # into ``Article.title``, not the text.
    headline: bool = False
    sentence: str = ""
    start_char: int = 0
    end_char: int = 0
    confidence: float = 0.5
    extractor: str = ""
    # Which rule or model decision made the event ("event_classifier.v1: ASSAULT p=0.91 on 'struck'").
    decision: str = ""


class CodedArticle(Record):
    """What coding one article gives: its events, and a note on why none came out."""

    article: Article
    events: list[Event] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    rejections: list[Rejected] = Field(default_factory=list)
