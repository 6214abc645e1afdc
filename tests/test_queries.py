"""Named read queries: filters, dyad timeline, event evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from eventcoder.store import Store, open_store, queries
from eventcoder.testing import make_article, make_coded


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """Five events over three articles and three months, one undated."""
    a1 = make_article("China asked North Korea to halt missile tests.", published=dt.date(2018, 6, 13))
    a2 = make_article("The United States threatened sanctions on North Korea.", published=dt.date(2018, 7, 2))
    a3 = make_article("China and Russia urged talks with North Korea.", published=dt.date(2018, 8, 20))
    with open_store(tmp_path / "q.duckdb") as s:
        s.save(make_coded(a1, events=[
            {"event_type": "REQUEST", "actors": ("CHN",), "recipients": ("PRK",), "date": dt.date(2018, 6, 12)},
            {"event_type": "CONSULT", "actors": ("CHN",), "recipients": ("PRK",), "date": dt.date(2018, 6, 20)},
        ]))  # fmt: skip
        s.save(make_coded(a2, events=[
            {"event_type": "THREATEN", "actors": ("USA",), "recipients": ("PRK",), "date": dt.date(2018, 7, 1)},
            {"event_type": "REQUEST", "actors": ("USA",), "recipients": ("CHN",), "date": dt.date(2018, 7, 1)},
        ]))  # fmt: skip
        # Undated in the text: falls back to the article's published date, 2018-08-20.
        s.save(make_coded(a3, events=[
            {"event_type": "REQUEST", "actors": ("CHN", "RUS"), "recipients": ("PRK",), "date": None},
        ]))  # fmt: skip
        yield s


def types(rows: list[dict]) -> list[tuple[str, str]]:
    return [(r["event_type"], r["date"].isoformat()) for r in rows]


def test_all_events_in_date_order(store: Store) -> None:
    rows = queries.events(store)
    assert len(rows) == 5
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    assert rows[0]["url"].startswith("https://example.org/") and rows[0]["actors"][0]["country"] == "CHN"


def test_filter_by_actor(store: Store) -> None:
    assert types(queries.events(store, actor="CHN")) == [
        ("REQUEST", "2018-06-12"), ("CONSULT", "2018-06-20"), ("REQUEST", "2018-08-20"),
    ]  # fmt: skip
    # A second actor of the event matches too; lower case is accepted.
    assert types(queries.events(store, actor="rus")) == [("REQUEST", "2018-08-20")]


def test_filter_by_recipient_is_role_specific(store: Store) -> None:
    # CHN is a recipient only in the USA->CHN request, not where it acts.
    assert types(queries.events(store, recipient="CHN")) == [("REQUEST", "2018-07-01")]
    assert len(queries.events(store, recipient="PRK")) == 4
    assert queries.events(store, actor="PRK") == []


def test_filter_by_type_and_dyad(store: Store) -> None:
    assert len(queries.events(store, event_type="REQUEST")) == 3
    assert types(queries.events(store, actor="CHN", recipient="PRK", event_type="REQUEST")) == [
        ("REQUEST", "2018-06-12"), ("REQUEST", "2018-08-20"),
    ]  # fmt: skip


def test_since_until_fall_back_to_published(store: Store) -> None:
    # Same day, same article: the order between the two is by id, so compare as a set.
    july = queries.events(store, since="2018-07-01", until=dt.date(2018, 7, 31))
    assert sorted(types(july)) == [("REQUEST", "2018-07-01"), ("THREATEN", "2018-07-01")]
    late = queries.events(store, since=dt.date(2018, 8, 1))
    assert len(late) == 1 and late[0]["event_date"] is None and late[0]["date"] == dt.date(2018, 8, 20)
    assert len(queries.events(store, until="2018-06-30")) == 2
    assert len(queries.events(store, limit=2)) == 2


def test_dyad_timeline_by_month(store: Store) -> None:
    assert queries.dyad_timeline(store, "CHN", "PRK", by="month") == [
        {"period": "2018-06", "event_type": "CONSULT", "n": 1},
        {"period": "2018-06", "event_type": "REQUEST", "n": 1},
        {"period": "2018-08", "event_type": "REQUEST", "n": 1},
    ]
    assert queries.dyad_timeline(store, "chn", "prk", by="year") == [
        {"period": "2018", "event_type": "CONSULT", "n": 1},
        {"period": "2018", "event_type": "REQUEST", "n": 2},
    ]
    assert queries.dyad_timeline(store, "PRK", "CHN") == []
    with pytest.raises(ValueError):
        queries.dyad_timeline(store, "CHN", "PRK", by="week")  # type: ignore[arg-type]


def test_event_evidence(store: Store) -> None:
    threat = queries.events(store, event_type="THREATEN")[0]
    ev = queries.event_evidence(store, threat["id"])
    assert ev is not None
    assert ev["title"] == "The United States threatened sanctions on North Korea."
    assert ev["published"] == dt.date(2018, 7, 2)
    assert ev["sentence"] == ev["evidence"] == "The United States threatened sanctions on North Korea."
    assert ev["event"]["id"] == threat["id"] and ev["event"]["actors"][0]["country"] == "USA"
    assert queries.event_evidence(store, "no-such-id") is None
