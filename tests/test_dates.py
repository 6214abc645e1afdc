"""Time expressions resolved against a fixed publication date, and background detection on
real parsed sentences."""

from __future__ import annotations

import datetime as dt

import pytest
from spacy.language import Language

from eventcoder.extract.dates import resolve_expression, resolve_when
from eventcoder.model import When

PUBLISHED = dt.date(2018, 6, 12)  # a Tuesday


def test_publication_date_is_a_tuesday() -> None:
    assert PUBLISHED.strftime("%A") == "Tuesday"


@pytest.mark.parametrize("text, date, precision", [
    ("on Tuesday", dt.date(2018, 6, 12), "day"),       # the publication day itself
    ("Wednesday", dt.date(2018, 6, 6), "day"),         # the most recent Wednesday before it
    ("this morning", dt.date(2018, 6, 12), "day"),
    ("yesterday", dt.date(2018, 6, 11), "day"),
    ("Dec. 24, 2019", dt.date(2019, 12, 24), "day"),
    ("June 2017", dt.date(2017, 6, 1), "month"),
    ("in 1950", dt.date(1950, 1, 1), "year"),
])  # fmt: skip
def test_resolve_expression(text: str, date: dt.date, precision: str) -> None:
    when = resolve_expression(text, PUBLISHED)
    assert when is not None
    assert (when.date, when.precision) == (date, precision)
    assert when.text == text


@pytest.mark.parametrize("text", ["10 days", "daily"])
def test_durations_and_frequencies_are_not_dates(text: str) -> None:
    assert resolve_expression(text, PUBLISHED) is None


def _when(nlp: Language, sentence: str, trigger: str, *, lead: bool = False):
    doc = nlp(sentence)
    token = next(t for t in doc if t.text == trigger)
    return resolve_when(doc[:], token, PUBLISHED, lead=lead)


def test_past_perfect_is_background(nlp: Language) -> None:
    when, background = _when(nlp, "The United States had imposed sanctions on Iran.", "imposed")
    assert background is True
    assert when.date is None  # background is never dated to the article


def test_has_long_is_background(nlp: Language) -> None:
    when, background = _when(nlp, "Beijing has long feared a collapse of North Korea.", "feared")
    assert background is True
    assert when.date is None


def test_present_perfect_in_lead_is_the_news(nlp: Language) -> None:
    sentence = "China has agreed to cut tariffs on American cars."
    when, background = _when(nlp, sentence, "agreed", lead=True)
    assert background is False
    assert (when.date, when.precision) == (PUBLISHED, "day")
    # The same clause later in the article recalls the past.
    assert _when(nlp, sentence, "agreed", lead=False)[1] is True


def test_plain_past_with_weekday_is_dated_news(nlp: Language) -> None:
    when, background = _when(nlp, "Russia attacked Ukraine on Tuesday.", "attacked")
    assert background is False
    assert (when.date, when.precision) == (PUBLISHED, "day")


@pytest.mark.parametrize("text", ["in just 18 months", "about three hours", "the past two weeks", "a 37-year-old",
                                  "for nearly a decade", "within 48 hours", "three and a half years"])
def test_durations_and_ages_are_not_dates(text: str) -> None:
    assert resolve_expression(text, dt.date(2022, 1, 10)) is None


def test_counted_days_ago_is_a_day_and_last_month_a_month() -> None:
    assert resolve_expression("two days ago", dt.date(2022, 1, 10)) == When(date=dt.date(2022, 1, 8), precision="day", text="two days ago")
    last = resolve_expression("last month", dt.date(2022, 1, 10))
    assert last is not None and (last.date, last.precision) == (dt.date(2021, 12, 1), "month")


def test_a_date_in_another_clause_does_not_date_the_event(nlp: Language) -> None:
    sentence = "Pakistan still refuses to recognise the border, drawn by the British in 1896, officials said on Monday."
    when, background = _when(nlp, sentence, "refuses")
    assert when.date != dt.date(1896, 1, 1) and background is False
