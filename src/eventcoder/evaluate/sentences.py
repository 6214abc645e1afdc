"""Score the coder on a sentence file: one record, one main event (or NONE).

    gold record ─> Article (text, published, outlet, url) ─> code_articles ─> top event ─> scores

* **predicted type**: the event with the highest confidence (the first of equals); no event
  → ``NONE``. On a ``NONE`` record any event is a false alarm and a false positive for its
  type.
* **actor / recipient**: a record's actor is right when ANY gold source code is among the
  top event's actor countries (reciprocal gold: among its actors and recipients); records
  with no gold code for a role are left out of that role. The actor figure counts a gold
  ``implicit_source`` (a party the sentence leaves unnamed: the police of a local report)
  where the record names no source; "named" leaves those records out.
* **strict**: type right AND actor right where gold names one AND recipient right where gold
  names one, over the event records (a NONE record is strict-right when nothing is coded;
  the share over all records is reported too).
* **calibration**: each top event is right when it is *faithful*: type right and no party it
  names wrong (type-right on sets that code no actors); precision per confidence bin and the
  expected calibration error.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventcoder.model import Article, CodedArticle, Event
from eventcoder.run import code_articles
from eventcoder.settings import Options, load_options

from .gold import GoldRecord, load_sentences
from .scoring import NONE, Accuracy, Calibration, TypeScores, accuracy, calibration, codes_overlap, country_match, not_contradicted, ratio, score_types

__all__ = ["RecordResult", "SentenceReport", "evaluate_sentences", "predicted_event"]


def predicted_event(events: Sequence[Event]) -> Event | None:
    """The event that stands for a one-sentence record: the first with the highest confidence."""
    best: Event | None = None
    for event in events:
        if best is None or event.confidence > best.confidence:
            best = event
    return best


@dataclass(frozen=True)
class RecordResult:
    """What the coder made of one gold record."""

    record: GoldRecord
    predicted: str
    mode: str | None = None
    pred_actors: tuple[str, ...] = ()
    pred_recipients: tuple[str, ...] = ()
    trigger: str = ""
    confidence: float | None = None
    inferred_actor: bool = False
    decision: str = ""

    @property
    def gold(self) -> str:
        return self.record.event_type

    @property
    def type_right(self) -> bool:
        return self.gold == self.predicted

    def actor_right(self, implicit: bool = True) -> bool | None:
        """None when the record has no gold source code (or codes no actors)."""
        record = self.record
        if record.event_type == NONE or not record.actors_coded:
            return None
        gold = record.source_codes or (record.implicit_source_codes if implicit else ())
        predicted = self.pred_actors + (self.pred_recipients if record.reciprocal else ())
        matched = country_match(gold, predicted)
        return None if matched is None else matched[0]

    def recipient_right(self) -> bool | None:
        record = self.record
        if record.event_type == NONE or not record.actors_coded:
            return None
        matched = country_match(record.target_codes, self.pred_recipients)
        return None if matched is None else matched[0]

    @property
    def faithful(self) -> bool:
        """Type right and no party coded wrongly (missing parties are not errors)."""
        if self.gold == NONE or not self.type_right:
            return False
        if not self.record.actors_coded:
            return True
        gold = self.record.source_codes or self.record.implicit_source_codes
        ours = self.pred_actors + (self.pred_recipients if self.record.reciprocal else ())
        return not_contradicted(gold, ours) and (self.record.reciprocal or not_contradicted(self.record.target_codes, self.pred_recipients))

    @property
    def strict_right(self) -> bool:
        if self.gold == NONE:
            return self.predicted == NONE
        if not self.type_right:
            return False
        if not self.record.actors_coded:
            return True
        gold = self.record.source_codes or self.record.implicit_source_codes
        predicted = self.pred_actors + (self.pred_recipients if self.record.reciprocal else ())
        return codes_overlap(gold, predicted) and codes_overlap(self.record.target_codes, self.pred_recipients)


def _result(record: GoldRecord, coded: CodedArticle | None) -> RecordResult:
    event = predicted_event(coded.events) if coded else None
    if event is None:
        return RecordResult(record=record, predicted=NONE)
    return RecordResult(
        record=record,
        predicted=event.event_type,
        mode=event.mode,
        pred_actors=tuple(a.country for a in event.actors if a.country),
        pred_recipients=tuple(a.country for a in event.recipients if a.country),
        trigger=event.trigger,
        confidence=event.confidence,
        inferred_actor=any(a.inferred for a in event.actors),
        decision=getattr(event, "decision", "") or "",
    )


@dataclass
class SentenceReport:
    """Every figure of one sentence-file evaluation, and the per-record results behind it."""

    gold_path: str
    skipped: int
    spacy_model: str
    extractors: list[str]
    elapsed_s: float
    results: list[RecordResult] = field(default_factory=list)

    kind = "sentences"

    @property
    def command(self) -> str:
        return f"eventcoder eval {self.gold_path}"

    @property
    def records(self) -> int:
        return len(self.results)

    @property
    def event_records(self) -> list[RecordResult]:
        return [r for r in self.results if r.gold != NONE]

    @property
    def actors_coded(self) -> bool:
        return any(r.record.actors_coded for r in self.results)

    @property
    def types(self) -> TypeScores:
        return score_types((r.gold, r.predicted) for r in self.results)

    @property
    def none_false_alarm(self) -> Accuracy:
        """NONE records that got an event (hits = false alarms)."""
        return accuracy(r.predicted != NONE for r in self.results if r.gold == NONE)

    @property
    def coverage(self) -> float:
        return ratio(sum(r.predicted != NONE for r in self.event_records), len(self.event_records))

    @property
    def actor(self) -> Accuracy:
        return accuracy(r.actor_right() for r in self.results)

    @property
    def actor_named(self) -> Accuracy:
        return accuracy(r.actor_right(implicit=False) for r in self.results)

    @property
    def recipient(self) -> Accuracy:
        return accuracy(r.recipient_right() for r in self.results)

    @property
    def dyad(self) -> Accuracy:
        pairs = [(r.actor_right(), r.recipient_right()) for r in self.results]
        return accuracy(a and b for a, b in pairs if a is not None and b is not None)

    @property
    def strict(self) -> Accuracy:
        """Strict over event records."""
        return accuracy(r.strict_right for r in self.event_records)

    @property
    def strict_all(self) -> Accuracy:
        """Strict over every record (a NONE record is right when nothing is coded)."""
        return accuracy(r.strict_right for r in self.results)

    @property
    def mode(self) -> Accuracy:
        """Mode right, over type-right records whose gold names a mode."""
        return accuracy(r.mode == r.record.mode for r in self.results if r.type_right and r.record.mode and r.gold != NONE)

    @property
    def inferred(self) -> Accuracy:
        """Top events whose actor is inferred (no words name it): how often that actor is right."""
        return accuracy(r.actor_right() for r in self.results if r.inferred_actor and r.actor_right() is not None)

    @property
    def calibration(self) -> Calibration:
        return calibration((r.confidence, r.faithful) for r in self.results if r.confidence is not None)

    def headline(self) -> dict[str, Any]:
        """The figures of the summary table (None where the set does not score them)."""
        t = self.types
        coded = self.actors_coded
        return {
            "records": self.records,
            "macro_f1": t.macro_f1,
            "micro_f1": t.micro_f1,
            "none_false_alarm": self.none_false_alarm.value if self.none_false_alarm.total else None,
            "actor": self.actor.value if coded and self.actor.total else None,
            "recipient": self.recipient.value if coded and self.recipient.total else None,
            "strict": self.strict.value if coded else None,
            "ece": self.calibration.ece,
        }

    def misses(self) -> list[RecordResult]:
        return [r for r in self.results if not r.strict_right]

    def to_dict(self) -> dict[str, Any]:
        t = self.types
        return {
            "kind": self.kind,
            "gold_path": self.gold_path,
            "command": self.command,
            "skipped": self.skipped,
            "headline": self.headline(),
            "per_type": [vars(s) for s in t.per_type],
            "confusions": [{"gold": g, "predicted": p, "count": n} for g, p, n in t.confusions],
            "accuracies": {name: {"value": a.value, "hits": a.hits, "total": a.total} for name, a in [
                ("actor", self.actor), ("actor_named", self.actor_named), ("recipient", self.recipient),
                ("dyad", self.dyad), ("strict", self.strict), ("strict_all", self.strict_all),
                ("mode", self.mode), ("inferred_actor", self.inferred), ("none_false_alarm", self.none_false_alarm)]},
            "calibration": {"ece": self.calibration.ece, "bins": [vars(b) for b in self.calibration.bins]},
            "spacy_model": self.spacy_model,
            "extractors": self.extractors,
            "elapsed_s": self.elapsed_s,
        }

    def to_markdown(self) -> str:
        from .report import sentence_markdown

        return sentence_markdown(self)


def evaluate_sentences(path: Path, options: Options | None = None) -> SentenceReport:
    """Code every record of a sentence file (one ``code_articles`` stream) and score it."""
    options = options or load_options()
    started = time.perf_counter()
    records, skipped = load_sentences(path)
    # Match outputs by source, not position, and key by position too: gold files repeat ids.
    keys = [f"{r.id}#{i}" for i, r in enumerate(records)]
    articles = [Article.from_text(r.text, published=r.published, outlet=r.outlet, url=r.url, source=key)
                for r, key in zip(records, keys)]
    by_key = {c.article.source: c for c in code_articles(articles, options)}
    extractors = sorted({e.extractor for c in by_key.values() for e in c.events if e.extractor})
    return SentenceReport(
        gold_path=str(path),
        skipped=skipped,
        spacy_model=options.spacy_model,
        extractors=extractors,
        elapsed_s=time.perf_counter() - started,
        results=[_result(r, by_key.get(key)) for r, key in zip(records, keys)],
    )
