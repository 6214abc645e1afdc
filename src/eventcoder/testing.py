"""Fixture builders shared by tests and benchmarks: small, valid records with stable ids.

Nothing here runs NLP; events are built by hand so store, query and export tests stay fast
and pin exact facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from eventcoder.model import Actor, Article, CodedArticle, Event, Place, Rejected, When, hash_id

DEFAULT_TEXT = (
    "China asked North Korea on Tuesday to halt its missile tests, "
    "the foreign ministry in Beijing said in a statement."
)
DEFAULT_PUBLISHED = dt.date(2018, 6, 13)
DEFAULT_DATE = dt.date(2018, 6, 12)
_UNSET: Any = object()


def make_article(text: str = DEFAULT_TEXT, **meta: Any) -> Article:
    """An Article with a content-hash id. Unless overridden, it has a url, outlet,
    published date (2018-06-13), title and language."""
    defaults: dict[str, Any] = {
        "url": f"https://example.org/news/{hash_id(text, length=8)}",
        "outlet": "example.org",
        "published": DEFAULT_PUBLISHED,
        "title": text.split(",")[0][:80],
        "language": "en",
        "source": "testing",
    }
    defaults.update(meta)
    return Article.from_text(text, **defaults)


def _actor(article: Article, spec: str | Actor, sector: str | None) -> Actor:
    if isinstance(spec, Actor):
        return spec
    # Point at the code in the text when it appears there, else at the start: offsets
    # only need to be valid, not meaningful, for store tests.
    start = max(article.text.find(spec), 0)
    return Actor(text=spec, start_char=start, end_char=start + len(spec), country=spec, sector=sector)


def make_event(
    article: Article,
    event_type: str = "REQUEST",
    actors: Sequence[str | Actor] = ("CHN",),
    recipients: Sequence[str | Actor] = ("PRK",),
    date: dt.date | None = _UNSET,
    *,
    sector: str | None = "GOV",
    place: Place | None = None,
    start_char: int = 0,
    end_char: int | None = None,
    extractor: str = "testing.v1",
    **fields: Any,
) -> Event:
    """An Event in ``article``. Actors and recipients may be ISO3 codes (made into Actors
    of ``sector``) or Actor records. ``date`` defaults to 2018-06-12; pass None for an
    undated event. Other Event fields (mode, quad_class, intensity, ...) go in ``fields``.

    The id hashes article id, type, actors, recipients, date, offsets and extractor, so
    building the same event twice gives the same id.
    """
    when = fields.pop("when", None)
    if when is None:
        day = DEFAULT_DATE if date is _UNSET else date
        when = When(date=day, precision="day" if day else "unknown", text="Tuesday" if day else None)
    end = len(article.text) if end_char is None else end_char
    acts = [_actor(article, a, sector) for a in actors]
    recs = [_actor(article, r, sector) for r in recipients]
    event_id = hash_id(
        article.id, event_type,
        ",".join(a.country or a.text for a in acts), ",".join(r.country or r.text for r in recs),
        when.date, start_char, end, extractor,
    )  # fmt: skip
    fields.setdefault("sentence", article.text[start_char:end])
    fields.setdefault("trigger", "asked")
    return Event(
        id=event_id,
        article_id=article.id,
        event_type=event_type,
        actors=acts,
        recipients=recs,
        when=when,
        place=place,
        start_char=start_char,
        end_char=end,
        extractor=extractor,
        **fields,
    )


def make_coded(
    article: Article | None = None,
    events: Iterable[Mapping[str, Any]] | None = None,
    rejections: Iterable[Rejected] = (),
    **article_meta: Any,
) -> CodedArticle:
    """A CodedArticle: ``article`` (or ``make_article(**article_meta)``) with one event per
    mapping in ``events``, each passed as keyword arguments to :func:`make_event`.
    ``events=None`` gives one default CHN→PRK REQUEST; ``events=[]`` gives none."""
    art = article or make_article(**article_meta)
    specs = [{}] if events is None else list(events)
    return CodedArticle(
        article=art,
        events=[make_event(art, **spec) for spec in specs],
        rejections=list(rejections),
    )


def story_feed_records() -> list[dict[str, Any]]:
    """Three feed records for story tests: seed 001 (a wire story) as filed by two outlets,
    the second with its own dateline and boilerplate trailer, so the texts (and article ids)
    differ while the story is the same; and seed 000, a different story."""
    from eventcoder.run import seed_paths

    seeds = {p.name[:3]: p.read_text(encoding="utf-8") for p in seed_paths()}
    wire = seeds["001"]
    reprint = (
        wire.replace("BEIJING: ", "BEIJING (Agencies) — ", 1)
        + "\n\nCopyright 2018 Gulf Daily Report. All rights reserved. Follow us for more world news."
    )
    return [
        {"url": "https://www.arabnews.com/node/1320451/world", "outlet": "arabnews.com", "published": "2018-06-12",
         "title": "China suggests sanctions relief for North Korea", "text": wire},
        {"url": "https://gulfdaily.example/world/china-sanctions-relief", "outlet": "gulfdaily.example",
         "published": "2018-06-13", "title": "China hints at easing N. Korea sanctions", "text": reprint},
        {"url": "https://www.epochtimes.com/ccp-ease-sanctions", "outlet": "epochtimes.com", "published": "2019-12-24",
         "title": "CCP Regime Determined to Ease Sanctions on North Korea", "text": seeds["000"]},
    ]  # fmt: skip


def write_story_feed(folder: str | Path) -> Path:
    """Write :func:`story_feed_records` as ``stories.jsonl`` in ``folder``; return its path."""
    import json

    path = Path(folder) / "stories.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in story_feed_records()), encoding="utf-8")
    return path
