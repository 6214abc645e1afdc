"""Property tests (hypothesis): arbitrary text never crashes the cleaner, the decoder or the
date resolver, and arbitrary stored events come back unchanged through every export format.

Examples are kept modest (the date resolver calls dateparser, which is slow); each property
states what must hold for *every* input, not for chosen ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import string
from pathlib import Path

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventcoder.clean import clean_article, find_date, parse_date, strip_junk
from eventcoder.errors import E108_TOO_SHORT, InputError
from eventcoder.export import GDELT_COLUMNS, export
from eventcoder.extract.dates import WEEKDAYS, resolve_expression
from eventcoder.ingest.text import decode_bytes, make_article
from eventcoder.model import Actor, Article, CodedArticle, Event, Place, Quote, Rejected, When, hash_id
from eventcoder.ontology.countries import code_name
from eventcoder.store import open_store

SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Text as stored: any Unicode but lone surrogates, which no decoder produces and which
# readers refuse (E104) because they cannot be written as UTF-8.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
NEWSY = st.text(st.sampled_from(string.ascii_letters + string.digits + " .,;:'\"-\n\t"), max_size=200)


# -- clean --------------------------------------------------------------------------------


@SLOW
@given(st.one_of(TEXT, NEWSY))
def test_clean_never_crashes_and_is_idempotent(text: str) -> None:
    if not text.strip():
        return  # Article.from_text of nothing is refused earlier, by make_article (E102)
    result = clean_article(Article.from_text(text, source="prop"), min_chars=1)
    if isinstance(result, Rejected):
        assert result.code == E108_TOO_SHORT
        return
    again = clean_article(result, min_chars=1)
    assert isinstance(again, Article)
    assert (again.id, again.text) == (result.id, result.text)
    assert result.id == hash_id(result.text)


@SLOW
@given(st.one_of(TEXT, NEWSY))
def test_strip_junk_keeps_a_subset_of_the_lines(text: str) -> None:
    body, junk = strip_junk(text)
    kept = [line for line in body.splitlines() if line.strip()]
    source_lines = {line.strip() for line in text.splitlines()}
    assert all(line.strip() in source_lines for line in kept)
    assert isinstance(junk, str)


@SLOW
@given(st.one_of(TEXT, st.integers(), st.floats(allow_nan=True), st.none(), st.dates()))
def test_date_parsers_never_crash(value: object) -> None:
    parsed = parse_date(value)
    assert parsed is None or isinstance(parsed, dt.date)
    if isinstance(value, str):
        found = find_date(value)
        assert found is None or isinstance(found, dt.date)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=400))
def test_decode_bytes_returns_text_or_a_coded_error(data: bytes) -> None:
    try:
        text = decode_bytes(data)
    except InputError as exc:
        assert exc.code in {"E103", "E104"} and exc.message
        return
    assert isinstance(text, str)
    text.encode("utf-8")  # whatever we decode can be stored


@SLOW
@given(st.text(max_size=200), st.text(max_size=40))
def test_make_article_gives_a_storable_article_or_a_rejection(text: str, title: str) -> None:
    result = make_article(text, source="prop", title=title or None)
    assert isinstance(result, (Article, Rejected))
    if isinstance(result, Article):
        (result.text + (result.title or "")).encode("utf-8")  # no lone surrogates reach the store
    else:
        assert result.code.startswith("E1") and result.reason


# -- dates --------------------------------------------------------------------------------

PUBLISHED = st.one_of(st.none(), st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)))


@SLOW
@given(st.one_of(TEXT, NEWSY), PUBLISHED)
def test_resolve_expression_never_crashes(text: str, published: dt.date | None) -> None:
    when = resolve_expression(text, published)
    assert when is None or isinstance(when, When)
    if when is not None and when.date is None:
        assert when.precision == "unknown"
    if when is not None and when.precision == "year" and when.date is not None:
        assert (when.date.month, when.date.day) == (1, 1)


@SLOW
@given(st.sampled_from(WEEKDAYS), st.sampled_from(["on ", "", "last ", "On "]), st.dates(
    min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_a_weekday_is_the_latest_such_day_up_to_publication(day: str, lead: str, published: dt.date) -> None:
    when = resolve_expression(f"{lead}{day.capitalize()}", published)
    assert when is not None and when.date is not None and when.precision == "day"
    assert 0 <= (published - when.date).days < 7
    assert when.date.weekday() == WEEKDAYS.index(day)


# -- export round trip ----------------------------------------------------------------------

CODES = st.one_of(st.none(), st.text(string.ascii_uppercase, min_size=3, max_size=3))
SECTORS = st.one_of(st.none(), st.sampled_from(["GOV", "MIL", "REB", "OPP", "CVL", "BUS"]))
# What a GDELT-style TSV reader splits on, so the exporter writes a space instead.
ONE_LINE_BREAKS = set("\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
FINITE = st.floats(allow_nan=False, allow_infinity=False, width=32)


@st.composite
def actors(draw: st.DrawFn) -> Actor:
    text = draw(TEXT.filter(str.strip))
    start = draw(st.integers(0, 5000))
    return Actor(text=text, start_char=start, end_char=start + len(text), country=draw(CODES),
                 sector=draw(SECTORS), name=draw(st.one_of(st.none(), TEXT)))


@st.composite
def events(draw: st.DrawFn, article: Article, serial: int) -> Event:
    start = draw(st.integers(0, 5000))
    date = draw(st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))))
    place = None
    if draw(st.booleans()):
        place = Place(name=draw(TEXT.filter(str.strip)), text=draw(TEXT), start_char=0, end_char=3, country=draw(CODES),
                      lat=draw(st.one_of(st.none(), st.floats(-90, 90))), lon=draw(st.one_of(st.none(), st.floats(-180, 180))),
                      precision=draw(st.sampled_from(["city", "admin", "country", "region", "unknown"])))
    quote = None
    if draw(st.booleans()):
        quote = Quote(speaker=draw(st.one_of(st.none(), actors())), text=draw(TEXT), start_char=0, end_char=1,
                      cue=draw(st.one_of(st.none(), TEXT)))
    return Event(
        id=hash_id(article.id, serial), article_id=article.id,
        event_type=draw(st.sampled_from(["REQUEST", "ACCUSE", "AGREE", "PROTEST", "ASSAULT", "SANCTION"])),
        mode=draw(st.one_of(st.none(), TEXT)), quad_class=draw(st.one_of(st.none(), st.integers(1, 4))),
        intensity=draw(st.one_of(st.none(), FINITE)), cameo_root=draw(st.one_of(st.none(), st.text(string.digits, max_size=3))),
        actors=draw(st.lists(actors(), max_size=3)), recipients=draw(st.lists(actors(), max_size=3)),
        trigger=draw(TEXT), when=When(date=date, precision="day" if date else "unknown", text=draw(st.one_of(st.none(), TEXT))),
        place=place, quote=quote, background=draw(st.booleans()), negated=draw(st.booleans()),
        sentence=draw(TEXT), start_char=start, end_char=start + draw(st.integers(0, 500)),
        confidence=draw(st.floats(0, 1)), extractor=draw(TEXT),
    )  # fmt: skip


@st.composite
def coded_articles(draw: st.DrawFn) -> list[CodedArticle]:
    batch = []
    for n in range(draw(st.integers(1, 3))):
        article = Article.from_text(f"Article {n}. " + draw(TEXT), source=f"prop-{n}", url=draw(st.one_of(st.none(), TEXT)),
                                    outlet=draw(st.one_of(st.none(), TEXT)), title=draw(st.one_of(st.none(), TEXT)),
                                    published=draw(st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))))
        batch.append(CodedArticle(article=article, events=[draw(events(article, i)) for i in range(draw(st.integers(0, 3)))]))
    return batch


def _check_exports(batch: list[CodedArticle], folder: Path) -> None:
    db = folder / "props.duckdb"
    db.unlink(missing_ok=True)
    with open_store(db) as store:
        store.save_many(batch)
    by_id = {e.id: (e, c.article) for c in batch for e in c.events}
    with open_store(db, read_only=True) as store:
        assert export(store, "plover-jsonl", folder / "e.jsonl") == len(by_id)
        assert export(store, "csv", folder / "e.csv") == len(by_id)
        assert export(store, "gdelt-tsv", folder / "e.tsv", per_event=True) == len(by_id)
        export(store, "parquet", folder / "parquet")

    for record in map(json.loads, (folder / "e.jsonl").read_text(encoding="utf-8").splitlines()):
        event, article = by_id[record["id"]]
        assert record["event"] == [event.event_type]
        assert record["event_text"] == ([event.sentence] if event.sentence else [])
        assert record["trigger"] == event.trigger and record["mode"] == event.mode
        assert [(a["code"], a["sector"], a["identifier_text"], a["actor_text"]) for a in record["source"]] == [
            (a.country, a.sector, a.name, a.text) for a in event.actors]
        assert [a["actor_text"] for a in record["recipient"]] == [a.text for a in event.recipients]
        expected_date = event.when.date or article.published
        assert record["date"] == (expected_date.isoformat() if expected_date else None)
        assert record["text_info"] == {"start": event.start_char, "end": event.end_char}
        assert (record["cite_info"]["url"], record["cite_info"]["publication"], record["cite_info"]["citation"]) == (
            article.url, article.outlet, article.id)
        assert record["published"] == (article.published.isoformat() if article.published else None)
        assert record["event_scale"] == event.intensity and record["confidence"] == event.confidence

    with (folder / "e.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["id"] for r in rows) == sorted(by_id)
    for row in rows:
        event, _ = by_id[row["id"]]
        assert row["sentence"] == event.sentence and row["trigger"] == event.trigger
        # One entry per actor, in order (empty for an actor with no country), so the n-th
        # country, sector and name belong to the same party.
        assert row["actor_countries"] == ";".join(a.country or "" for a in event.actors)
        assert row["actor_sectors"] == ";".join(a.sector or "" for a in event.actors)

    # Read as GDELT files are read: split on newlines, then on tabs; no quoting rules.
    text = (folder / "e.tsv").read_text(encoding="utf-8")
    assert text.endswith("\n")
    table = [line.split("\t") for line in text[:-1].split("\n")]
    assert tuple(table[0]) == GDELT_COLUMNS and len(table) == len(by_id) + 1
    for values in table[1:]:
        row = dict(zip(GDELT_COLUMNS, values))
        event, _ = by_id[row["EventcoderEventID"]]
        first = event.actors[0] if event.actors else None
        written = row["Actor1Name"]
        assert not set(written) & set(ONE_LINE_BREAKS) and written == written.upper()
        if first is not None and first.name:  # a named party: its name, upper-cased on one line
            assert written == " ".join(first.name.split()).upper()
        elif first is not None and code_name(first.country):  # else the country's name, never the mention
            assert written == code_name(first.country).upper()  # type: ignore[union-attr]
        elif first is None:
            assert written == ""

    stored = pq.read_table(folder / "parquet" / "events.parquet").to_pylist()
    assert sorted(r["id"] for r in stored) == sorted(by_id)
    assert all(Event.model_validate_json(r["event_json"]) == by_id[r["id"]][0] for r in stored)
    articles = {r["id"]: r for r in pq.read_table(folder / "parquet" / "articles.parquet").to_pylist()}
    assert {a.id: (a.text, a.title, a.url) for a in (c.article for c in batch)} == {
        i: (r["text"], r["title"], r["url"]) for i, r in articles.items()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(coded_articles())
def test_exports_round_trip_arbitrary_events(tmp_path: Path, batch: list[CodedArticle]) -> None:
    _check_exports(batch, tmp_path)
