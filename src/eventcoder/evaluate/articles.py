"""Score the coder on whole articles: every predicted event against the article's gold events.

    NAME.txt ─> read_text (as `eventcoder code` reads it) ─> code_articles ─> events
                                                                   │ one-to-one matching
    NAME.expected.json ─> gold events ─────────────────────────────┘

A predicted event may stand for a gold event at four levels, each matched on its own:

* **type**: the same PLOVER type;
* **type + actor**: and, where gold names source codes, one of them among our actors (for a
  reciprocal gold event, among our actors and recipients);
* **strict**: and, where gold names target codes, one of them among our recipients;
* **located**: strict, and our evidence sentence is the gold one.

Matching is one-to-one and maximal (:func:`~eventcoder.evaluate.scoring.match_events`); a
predicted event prefers, in order, a gold event in its own sentence, a main event over a
re-mention, the nearest in the text, then the earlier one.

Folders that list every event (``minor`` marked) give **precision against all gold events**
and **recall against the main ones**, so coding a re-mention is neither required nor an
error. Folders that list only the main events give recall and predicted events per gold
event (precision there would count every minor event as wrong).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventcoder.extract.actors import normalize_term
from eventcoder.ingest import read_text
from eventcoder.model import Article, CodedArticle, Event, Rejected
from eventcoder.run import code_articles
from eventcoder.settings import Options, load_options

from .gold import GoldArticle, GoldEvent, load_articles
from .scoring import Accuracy, Calibration, accuracy, calibration, codes_overlap, f1, match_events, not_contradicted, ratio

__all__ = ["ArticleReport", "ArticleResult", "LEVELS", "evaluate_articles", "locate"]

LEVELS = ("type", "type+actor", "strict", "located")
_SPACE = re.compile(r"\s+")


def _collapsed(text: str) -> tuple[str, list[int]]:
    """``text`` with whitespace runs as one space, and each kept character's original index."""
    chars: list[str] = []
    index: list[int] = []
    for match in re.finditer(r"\s+|\S+", text):
        if match.group().isspace():
            chars.append(" ")
            index.append(match.start())
        else:
            chars.extend(match.group())
            index.extend(range(match.start(), match.end()))
    return "".join(chars), index


def _occurrences(haystack: str, needle: str) -> list[int]:
    found, start = [], haystack.find(needle)
    while needle and start >= 0:
        found.append(start)
        start = haystack.find(needle, start + 1)
    return found


def locate(text: str, raw_text: str, sentence_start: str, sentence_offset: int | None) -> int | None:
    """Where a gold sentence starts in ``text`` (the article as coded), or None.

    Gold gives the sentence's first characters and, in complete folders, its offset in the
    whitespace-collapsed raw file. The occurrence nearest that offset in the raw file picks
    which occurrence in the coded text is meant (cleaning may have cut the headline).
    """
    needle = _SPACE.sub(" ", sentence_start).strip()
    raw, _ = _collapsed(raw_text)
    coded, index = _collapsed(text)
    in_raw, in_coded = _occurrences(raw, needle), _occurrences(coded, needle)
    if not in_coded:
        return None
    rank = 0
    if sentence_offset is not None and in_raw:
        rank = min(range(len(in_raw)), key=lambda i: abs(in_raw[i] - sentence_offset))
    return index[in_coded[min(rank, len(in_coded) - 1)]]


def _place_right(event: Event, gold: GoldEvent) -> bool | None:
    if gold.place_name is None and gold.place_country is None:
        return None
    if event.place is None:
        return False
    if gold.place_name and normalize_term(gold.place_name) not in {normalize_term(event.place.name), normalize_term(event.place.text)}:
        # A country-level gold place is right when we name the country.
        return gold.place_name == gold.place_country and event.place.country == gold.place_country
    return gold.place_country is None or event.place.country == gold.place_country


def _date_right(event: Event, gold: GoldEvent) -> bool | None:
    if gold.date_basis != "text" or gold.date is None:
        return None
    ours = event.when.date
    if ours is None:
        return False
    if gold.date_precision == "year":
        return ours.year == gold.date.year
    if gold.date_precision == "month":
        return (ours.year, ours.month) == (gold.date.year, gold.date.month)
    return ours == gold.date


@dataclass
class ArticleResult:
    """One article: its gold events, our events, and the matches at every level."""

    gold: GoldArticle
    events: list[Event]
    locations: list[int | None]
    matches: dict[str, dict[int, int]]  # level -> {predicted index: gold index}
    rejection: Rejected | None = None

    def same_sentence(self, p: int, g: int) -> bool:
        where = self.locations[g]
        event = self.events[p]
        return where is not None and event.start_char - 2 <= where < event.end_char


def _result(gold: GoldArticle, coded: CodedArticle | None, rejection: Rejected | None) -> ArticleResult:
    events = list(coded.events) if coded else []
    text = coded.article.text if coded else ""
    locations = [locate(text, gold.raw_text, g.sentence_start, g.sentence_offset) if text else None for g in gold.events]
    result = ArticleResult(gold=gold, events=events, locations=locations, matches={}, rejection=rejection)

    def actors_ok(p: Event, g: GoldEvent) -> bool:
        ours = [a.country for a in p.actors] + ([a.country for a in p.recipients] if g.reciprocal else [])
        return codes_overlap(g.source_codes, ours)

    tests = {
        "type": lambda p, g: p.event_type == g.event_type,
        "type+actor": lambda p, g: p.event_type == g.event_type and actors_ok(p, g),
        "strict": lambda p, g: p.event_type == g.event_type and actors_ok(p, g)
        and codes_overlap(g.target_codes, [a.country for a in p.recipients]),
        # Type right and nothing coded wrongly: what confidence is calibrated against.
        "faithful": lambda p, g: p.event_type == g.event_type
        and not_contradicted(g.source_codes, [a.country for a in p.actors] + ([a.country for a in p.recipients] if g.reciprocal else []))
        and (g.reciprocal or not_contradicted(g.target_codes, [a.country for a in p.recipients])),
    }

    def preference(p: int, g: int) -> tuple[object, ...]:
        where = locations[g]
        distance = abs(events[p].start_char - where) if where is not None else 10**9
        return (not result.same_sentence(p, g), gold.events[g].minor, distance, g)

    for level in (*LEVELS, "faithful"):
        test = tests.get(level, tests["strict"])

        def compatible(p: int, g: int, test: Any = test, level: str = level) -> bool:
            return test(events[p], gold.events[g]) and (level != "located" or result.same_sentence(p, g))

        found = match_events(len(events), len(gold.events), compatible, preference)
        result.matches[level] = {m.predicted: m.gold for m in found}
    return result


@dataclass(frozen=True)
class LevelScore:
    precision: float | None  # None for main-event folders
    recall: float
    f1: float | None
    matched_predictions: int
    matched_main: int


@dataclass
class ArticleReport:
    """Every figure of one article-folder evaluation."""

    gold_path: str
    spacy_model: str
    extractors: list[str]
    elapsed_s: float
    results: list[ArticleResult] = field(default_factory=list)

    kind = "articles"

    @property
    def command(self) -> str:
        return f"eventcoder eval {self.gold_path}"

    @property
    def complete(self) -> bool:
        return bool(self.results) and all(r.gold.complete for r in self.results)

    @property
    def predicted(self) -> int:
        return sum(len(r.events) for r in self.results)

    @property
    def gold_events(self) -> int:
        return sum(len(r.gold.events) for r in self.results)

    @property
    def main_events(self) -> int:
        return sum(1 for r in self.results for g in r.gold.events if not g.minor)

    def level(self, name: str) -> LevelScore:
        matched = sum(len(r.matches[name]) for r in self.results)
        main = sum(1 for r in self.results for g in r.matches[name].values() if not r.gold.events[g].minor)
        recall = ratio(main, self.main_events)
        if not self.complete:
            return LevelScore(None, recall, None, matched, main)
        precision = ratio(matched, self.predicted)
        return LevelScore(precision, recall, f1(precision, recall), matched, main)

    @property
    def per_gold_event(self) -> float:
        """Predicted events per main gold event."""
        return ratio(self.predicted, self.main_events)

    @property
    def with_place(self) -> float:
        return ratio(sum(e.place is not None for r in self.results for e in r.events), self.predicted)

    def _matched(self, judge: Any) -> Accuracy:
        return accuracy(judge(r.events[p], r.gold.events[g]) for r in self.results for p, g in r.matches["strict"].items())

    @property
    def place(self) -> Accuracy:
        """Place right, over strict matches whose gold names a place."""
        return self._matched(_place_right)

    @property
    def date(self) -> Accuracy:
        """Date right, over strict matches whose gold date comes from the text."""
        return self._matched(_date_right)

    @property
    def inferred(self) -> int:
        return sum(any(a.inferred for a in e.actors) for r in self.results for e in r.events)

    @property
    def calibration(self) -> Calibration:
        return calibration((e.confidence, i in r.matches["faithful"]) for r in self.results for i, e in enumerate(r.events))

    def recall_by_type(self) -> dict[str, tuple[int, int]]:
        """Per gold type: (main events matched strictly, main events)."""
        table: dict[str, list[int]] = {}
        for r in self.results:
            hit = set(r.matches["strict"].values())
            for g, event in enumerate(r.gold.events):
                if not event.minor:
                    row = table.setdefault(event.event_type, [0, 0])
                    row[0] += g in hit
                    row[1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(table.items())}

    def headline(self) -> dict[str, Any]:
        strict, kind = self.level("strict"), self.level("type")
        return {
            "articles": len(self.results),
            "gold_events": self.gold_events,
            "main_events": self.main_events,
            "predicted": self.predicted,
            "per_gold_event": self.per_gold_event,
            "type_recall": kind.recall,
            "strict_precision": strict.precision,
            "strict_recall": strict.recall,
            "strict_f1": strict.f1,
            "with_place": self.with_place,
            "ece": self.calibration.ece,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "gold_path": self.gold_path,
            "command": self.command,
            "complete": self.complete,
            "headline": self.headline(),
            "levels": {name: vars(self.level(name)) for name in LEVELS},
            "place": vars(self.place) | {"value": self.place.value},
            "date": vars(self.date) | {"value": self.date.value},
            "inferred_actor_events": self.inferred,
            "recall_by_type": self.recall_by_type(),
            "calibration": {"ece": self.calibration.ece, "bins": [vars(b) for b in self.calibration.bins]},
            "spacy_model": self.spacy_model,
            "extractors": self.extractors,
            "elapsed_s": self.elapsed_s,
        }

    def to_markdown(self) -> str:
        from .report import article_markdown

        return article_markdown(self)


def evaluate_articles(folder: Path, options: Options | None = None) -> ArticleReport:
    """Read every article of ``folder`` as ``eventcoder code`` would, code it and score it."""
    options = options or load_options()
    started = time.perf_counter()
    golds = load_articles(folder)
    prepared: list[Article | Rejected] = [
        read_text(g.raw_text, source=str(g.path), published=g.published, outlet=g.outlet, min_chars=options.min_chars)
        for g in golds
    ]
    coded = iter(code_articles([a for a in prepared if isinstance(a, Article)], options))
    results = []
    for gold, article in zip(golds, prepared):
        if isinstance(article, Rejected):
            results.append(_result(gold, None, article))
        else:
            results.append(_result(gold, next(coded), None))
    return ArticleReport(
        gold_path=str(folder),
        spacy_model=options.spacy_model,
        extractors=sorted({e.extractor for r in results for e in r.events if e.extractor}),
        elapsed_s=time.perf_counter() - started,
        results=results,
    )
