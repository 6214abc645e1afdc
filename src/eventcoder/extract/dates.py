"""When did it happen? Resolve an event's time expression against the publication date.

News convention drives the rules: a bare weekday ("on Tuesday") is the most recent such day on
or before publication; "today"/"this morning" is the publication day; an event with no time
expression is dated to publication (wire stories report the day's news). Events the sentence
places in the past — past perfect, "has long/always ...", or an explicit date more than a month
before publication — are *background*: they keep their own date when the text gives one and are
never dated to the article.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import dateparser
from spacy.tokens import Span, Token

from eventcoder.model import Precision, When
from eventcoder.nlp.components import span_entities

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SAME_DAY = re.compile(r"\b(today|this (morning|afternoon|evening)|tonight|earlier in the day|earlier today)\b", re.I)
YESTERDAY = re.compile(r"\b(yesterday|last night)\b", re.I)
# Vague recency: the day cannot be known, the month can.
VAGUE_RECENT = re.compile(r"\b(not long ago|recently|in recent days|(?:a few|several|some) days ago|last week|this week|earlier this week)\b", re.I)
# Markers of events the writer places before the news of the day.
BACKGROUND_WORDS = re.compile(
    r"\b(has long|have long|had long|has always|have always|has consistently|have consistently|"
    r"has repeatedly|have repeatedly|previously|in the past|last year|years ago|formerly|used to|"
    r"since \d{4}|for decades|for years)\b",
    re.I,
)
# Spans of time and ages, not dates: "18 months", "in just 18 months", "about three hours",
# "the past two weeks", "a 37-year-old", "for nearly a decade" ("two days ago" is a date).
_NUMBER = r"(\d+(?:[.,]\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|several|few|couple of|many|a few|some)"
DURATION = re.compile(
    rf"^\s*(?:(?:in|for|within|over|after|about|around|nearly|almost|just|some|only|barely|roughly|more than|less than|"
    rf"up to|at least|under|another|the)\s+)*(?:(?:first|last|past|next|coming|previous|following)\s+)?"
    rf"(?:{_NUMBER}[\s-]+)+(?:(?:and a half|and-a-half)\s+)?(day|week|month|year|hour|minute|second|decade|century|centuries|fortnight)s?"
    rf"(?:-long| long|-old| old|-year-old)?\s*$",
    re.I,
)
YEAR_ONLY = re.compile(r"^\D*(1[89]\d\d|20\d\d)(\s*[-–]\s*\d{2,4})?\D*$")
HAS_DAY_NUMBER = re.compile(r"\b([0-3]?\d)(st|nd|rd|th)?\b")
MONTHS = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.I)
BACKGROUND_AGE_DAYS = 31


@lru_cache(maxsize=4096)
def _dateparse(text: str, base: dt.date | None) -> dt.date | None:
    # Always a base, so a missing part is never filled from the day of coding (no publication
    # date: a fixed one; only expressions that name a year get here then).
    base = base or dt.date(2000, 1, 1)
    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": [],
                                   "RELATIVE_BASE": dt.datetime(base.year, base.month, base.day)}
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


def resolve_expression(text: str, published: dt.date | None) -> When | None:
    """Resolve one time expression ("on Tuesday", "Dec. 24, 2019", "in 1950") to a dated When."""
    cleaned = re.sub(r"^(on|in|at|during|since|by|from|of)\s+", "", text.strip(), flags=re.I)
    lowered = cleaned.lower()
    if not cleaned or DURATION.match(cleaned) or lowered in {"daily", "weekly", "monthly", "annual", "yearly"}:
        return None
    if published is not None:
        for index, name in enumerate(WEEKDAYS):
            if re.search(rf"\b{name}\b", lowered):
                back = (published.weekday() - index) % 7
                return When(date=published - dt.timedelta(days=back), precision="day", text=text)
        if SAME_DAY.search(lowered):
            return When(date=published, precision="day", text=text)
        if YESTERDAY.search(lowered):
            return When(date=published - dt.timedelta(days=1), precision="day", text=text)
        if VAGUE_RECENT.search(lowered):
            return When(date=published, precision="month", text=text)
    if published is None and not re.search(r"\b(1[89]|20)\d\d\b", cleaned):
        # A relative expression ("Tuesday", "last month") means nothing without a reference date.
        return When(date=None, precision="unknown", text=text)
    year_only = YEAR_ONLY.match(cleaned)
    if year_only and not MONTHS.search(cleaned):
        return When(date=dt.date(int(year_only.group(1)), 1, 1), precision="year", text=text)
    parsed = _dateparse(cleaned, published)
    if parsed is None:
        return None
    precision: Precision = "day"
    if MONTHS.search(cleaned) and not HAS_DAY_NUMBER.search(MONTHS.sub("", cleaned).replace(str(parsed.year), "")):
        precision = "month"
        parsed = parsed.replace(day=1)
    elif not MONTHS.search(cleaned) and re.search(r"\b(month|year)\b", lowered):
        precision = "month" if "month" in lowered else "year"
    if precision == "year":
        parsed = parsed.replace(month=1, day=1)
    elif precision == "month":
        parsed = parsed.replace(day=1)
    return When(date=parsed, precision=precision, text=text)


# Clauses that tell of something else: a date inside one ("the border, drawn by the British
# in 1896, ...") is not the date of an event outside it.
OTHER_CLAUSES = frozenset({"relcl", "acl", "advcl", "ccomp", "xcomp", "conj", "parataxis", "appos"})


def _elsewhere(entity: Span, trigger: Token) -> bool:
    """True when the expression sits in a clause that does not contain the trigger."""
    current = entity.root
    while current.head.i != current.i:
        if current.dep_ in OTHER_CLAUSES and trigger not in current.subtree and current.pos_ in {"VERB", "AUX"}:
            return True
        current = current.head
    return False


def _time_expressions(sentence: Span, trigger: Token) -> list[Span]:
    """DATE/TIME entities of the sentence that can date the trigger, those nearest it first."""
    entities = [e for e in span_entities(sentence) if e.label_ in {"DATE", "TIME"} and not _elsewhere(e, trigger)]
    return sorted(entities, key=lambda e: (trigger not in e.root.ancestors and e.root.head != trigger, abs(e.start - trigger.i)))


def _is_past_perfect(trigger: Token) -> bool:
    auxes = [c for c in trigger.children if c.dep_ in {"aux", "auxpass"}]
    return trigger.tag_ == "VBN" and any(a.lower_ == "had" for a in auxes)


def _is_present_perfect(trigger: Token) -> bool:
    auxes = [c for c in trigger.children if c.dep_ in {"aux", "auxpass"}]
    return trigger.tag_ == "VBN" and any(a.lower_ in {"has", "have", "'ve", "'s"} for a in auxes)


def _clause_text(trigger: Token) -> str:
    """The text of the trigger's own clause, without embedded clauses that do not contain it,
    so "X reiterated that China has always ..." does not make X's act background."""
    head = trigger
    while head.pos_ not in {"VERB", "AUX"} and head.head.i != head.i:
        head = head.head
    skipped: set[int] = set()
    for child in head.children:
        if child.dep_ in {"ccomp", "advcl", "relcl", "parataxis", "conj", "acl"} and trigger not in child.subtree and child != trigger:
            skipped |= {t.i for t in child.subtree}
    return " ".join(t.text for t in head.subtree if t.i not in skipped)


def resolve_when(sentence: Span, trigger: Token, published: dt.date | None, *, lead: bool = False) -> tuple[When, bool]:
    """The event's date and whether it is background (reported past, not today's news).

    ``lead`` marks the article's first sentence (the lede), where a present perfect ("has
    agreed") announces the news itself rather than recalling the past.
    """
    when: When | None = None
    for expression in _time_expressions(sentence, trigger):
        when = resolve_expression(expression.text, published)
        if when is not None:
            break
    if when is None:
        vague = VAGUE_RECENT.search(sentence.text)
        if vague and published is not None:
            when = When(date=published, precision="month", text=vague.group(0))
    # Background from the grammar of the trigger's clause, or from explicit markers.
    background = _is_past_perfect(trigger) or (_is_present_perfect(trigger) and not lead)
    background = background or bool(BACKGROUND_WORDS.search(_clause_text(trigger)))
    if when is not None and when.date is not None and published is not None:
        age_days = (published - when.date).days
        if age_days > BACKGROUND_AGE_DAYS and not (when.precision == "month" and age_days < 62):
            background = True
    if background:
        return (when if when is not None and when.text else When(date=None, precision="unknown")), True
    if when is not None:
        return when, False
    if published is None:
        return When(date=None, precision="unknown"), False
    return When(date=published, precision="day"), False
