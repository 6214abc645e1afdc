"""Score the extractor against a gold file in the PLOVER GSR JSON format.

    gold record (one sentence) ─> Article ─> code_articles ─> predicted event ─> scores

The gold file is a JSON list of records (``/work/shared/data/plover_gsr_cameo.json`` is the
reference one): each has an ``id``, an ``event`` in PLOVER 0.5 naming (DEMAND, DISAPPROVE,
FIGHT ... mapped with :func:`~eventcoder.ontology.plover.current_name`), one sentence of
``text``, a ``date`` and ``source``/``target`` actors (a list of ``{actorText, code, sector}``,
a bare string, or missing). Records without text, and the DOCUMENT record, are skipped.

How a sentence is scored:

* **predicted type**: the first event with the highest confidence; no event → ``"NONE"``;
* **event type**: micro and macro precision/recall/F1 over the 16 PLOVER types. A ``"NONE"``
  prediction is a false negative for the gold type and a false positive for nothing. Macro
  averages run over the gold types present;
* **actors**: gold codes are normalized (legacy CAMEO ``JAP`` → ``JPN``, empty codes
  skipped). A record's actor is *matched* when ANY gold source code is among the predicted
  event's actor countries, and *all-matched* ("both in set") when EVERY gold source code is.
  The same for target/recipient, and a *dyad* score needs both roles matched. Records with
  no gold code for a role are left out of that role's denominator.

:func:`score_types` and :func:`country_match` are pure, so they are tested without spaCy.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eventcoder.extract.actors import NON_STATE_CODES, normalize_code
from eventcoder.model import Article, CodedArticle, Event
from eventcoder.ontology.plover import current_name, load_ontology
from eventcoder.run import code_articles
from eventcoder.settings import Options, load_options

__all__ = [
    "NONE",
    "Accuracy",
    "EvalReport",
    "GoldRecord",
    "Miss",
    "RecordResult",
    "TypeScore",
    "TypeScores",
    "country_match",
    "evaluate_gold",
    "load_gold",
    "predicted_event",
    "score_types",
    "write_report",
]

NONE = "NONE"
EVENT_TYPES: tuple[str, ...] = tuple(load_ontology())
TOP_CONFUSIONS = 15
# The GSR codes every intergovernmental body as the generic "IGO"; we code the UN, EU, NATO ...
# by name, so a generic gold IGO is matched by any of our IGO codes. Specific codes match exactly.
IGO_FAMILY = frozenset(NON_STATE_CODES - {"NGO", "XKX", "MNC", "IMG"})
# A bare-string actor counts only when it looks like a code ("USA"), not a note ("diplomatic").
_CODE = re.compile(r"^[A-Z]{2,5}$")


# -- gold records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldRecord:
    """One usable gold record, with its type crosswalked and its actor codes normalized."""

    id: str
    event_type: str
    gold_name: str
    mode: str | None
    text: str
    published: dt.date | None
    source_codes: tuple[str, ...]
    target_codes: tuple[str, ...]


def _codes(value: Any) -> tuple[str, ...]:
    """Normalized, de-duplicated actor codes from a GSR source/target field of any shape."""
    items = value if isinstance(value, list) else [value]
    codes: list[str] = []
    for item in items:
        if isinstance(item, dict):
            raw = item.get("code")
        elif isinstance(item, str) and _CODE.match(item.strip()):
            raw = item.strip()
        else:
            raw = None
        code = normalize_code(raw.strip()) if isinstance(raw, str) and raw.strip() else None
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def load_gold(path: Path) -> tuple[list[GoldRecord], int]:
    """Read a GSR JSON file: (usable records, number skipped). Skipped: no text, DOCUMENT
    records, and types that are not in the ontology even after the PLOVER 0.5 crosswalk."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    known = set(EVENT_TYPES)
    records: list[GoldRecord] = []
    skipped = 0
    for i, row in enumerate(rows):
        text = (row.get("text") or "").strip() if isinstance(row, dict) else ""
        name = str(row.get("event") or "").strip().upper() if isinstance(row, dict) else ""
        event_type, mode = current_name(name) if name else ("", None)
        if not text or name == "DOCUMENT" or event_type not in known:
            skipped += 1
            continue
        records.append(GoldRecord(
            id=str(row.get("id") or f"record-{i}"),
            event_type=event_type,
            gold_name=name,
            mode=mode or (row.get("mode") or None),
            text=text,
            published=_date(row.get("date")),
            source_codes=_codes(row.get("source")),
            target_codes=_codes(row.get("target")),
        ))
    return records, skipped


# -- pure scoring ---------------------------------------------------------------------------


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class TypeScore:
    """Precision, recall and F1 for one event type; ``predicted`` counts its predictions."""

    event_type: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    true_positives: int


@dataclass(frozen=True)
class TypeScores:
    """Event-type scores over a list of (gold, predicted) pairs."""

    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    per_type: list[TypeScore]
    confusions: list[tuple[str, str, int]]


def score_types(
    pairs: Iterable[tuple[str, str]], labels: Sequence[str] = EVENT_TYPES, top: int = TOP_CONFUSIONS
) -> TypeScores:
    """Score (gold, predicted) event types. Pure: no spaCy, no files.

    Every wrong prediction is a false negative for its gold type; it is also a false
    positive for the predicted type unless the prediction is ``NONE``. Micro scores pool
    all records; macro scores average the per-type scores over the gold types present.
    ``per_type`` lists every label (in ``labels`` order); ``confusions`` the ``top`` most
    frequent gold → predicted mistakes, most frequent first (ties by name).
    """
    pairs = list(pairs)
    support = Counter(gold for gold, _ in pairs)
    predicted = Counter(pred for _, pred in pairs if pred != NONE)
    hits = Counter(gold for gold, pred in pairs if gold == pred)
    tp = sum(hits.values())
    fp = sum(1 for gold, pred in pairs if pred != NONE and pred != gold)
    fn = sum(1 for gold, pred in pairs if pred != gold)
    per_type = []
    for label in labels:
        p = _ratio(hits[label], predicted[label])
        r = _ratio(hits[label], support[label])
        per_type.append(TypeScore(label, p, r, _f1(p, r), support[label], predicted[label], hits[label]))
    present = [s for s in per_type if s.support]
    micro_p, micro_r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    mistakes = Counter((gold, pred) for gold, pred in pairs if gold != pred)
    confusions = sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return TypeScores(
        micro_precision=micro_p,
        micro_recall=micro_r,
        micro_f1=_f1(micro_p, micro_r),
        macro_precision=_ratio(sum(s.precision for s in present), len(present)),
        macro_recall=_ratio(sum(s.recall for s in present), len(present)),
        macro_f1=_ratio(sum(s.f1 for s in present), len(present)),
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        per_type=per_type,
        confusions=[(gold, pred, n) for (gold, pred), n in confusions],
    )


def country_match(gold: Iterable[str], predicted: Iterable[str | None]) -> tuple[bool, bool] | None:
    """(any gold code matched, every gold code matched), or None when there is no gold code.

    Both sides are normalized (``JAP`` → ``JPN``); a generic gold ``IGO`` is matched by any
    intergovernmental code we assign (UNO, EU, NATO, AU ...).
    """
    gold_codes = {c for c in (normalize_code(g) for g in gold if g) if c}
    if not gold_codes:
        return None
    pred_codes = {c for c in (normalize_code(p) for p in predicted if p) if c}

    def matched(code: str) -> bool:
        return code in pred_codes or (code == "IGO" and bool(pred_codes & IGO_FAMILY))

    found = [matched(code) for code in gold_codes]
    return any(found), all(found)


@dataclass(frozen=True)
class Accuracy:
    """Share of records matched, over the records that have a gold code for the role."""

    hits: int
    total: int

    @property
    def value(self) -> float:
        return _ratio(self.hits, self.total)


def _accuracy(results: Sequence[bool | None]) -> Accuracy:
    scored = [r for r in results if r is not None]
    return Accuracy(hits=sum(scored), total=len(scored))


# -- per record -----------------------------------------------------------------------------


def predicted_event(events: Sequence[Event]) -> Event | None:
    """The event that stands for a one-sentence record: the first with the highest confidence."""
    best: Event | None = None
    for event in events:
        if best is None or event.confidence > best.confidence:
            best = event
    return best


@dataclass(frozen=True)
class RecordResult:
    """What the extractor made of one gold sentence."""

    id: str
    gold: str
    predicted: str
    sentence: str
    gold_name: str
    gold_source: tuple[str, ...]
    gold_target: tuple[str, ...]
    pred_actors: tuple[str, ...]
    pred_recipients: tuple[str, ...]
    trigger: str = ""
    confidence: float | None = None

    @property
    def correct(self) -> bool:
        return self.gold == self.predicted


@dataclass(frozen=True)
class Miss:
    """A record whose event type was not recovered, for development."""

    id: str
    gold: str
    predicted: str
    sentence: str


def _result(record: GoldRecord, coded: CodedArticle | None) -> RecordResult:
    event = predicted_event(coded.events) if coded else None
    return RecordResult(
        id=record.id,
        gold=record.event_type,
        predicted=event.event_type if event else NONE,
        sentence=record.text,
        gold_name=record.gold_name,
        gold_source=record.source_codes,
        gold_target=record.target_codes,
        pred_actors=tuple(a.country for a in event.actors if a.country) if event else (),
        pred_recipients=tuple(a.country for a in event.recipients if a.country) if event else (),
        trigger=event.trigger if event else "",
        confidence=event.confidence if event else None,
    )


# -- the report -----------------------------------------------------------------------------


@dataclass
class EvalReport:
    """Every number of one evaluation run, plus the per-record results behind them."""

    gold_path: str
    records: int
    skipped: int
    coverage: float
    types: TypeScores
    actor: Accuracy
    actor_all: Accuracy
    recipient: Accuracy
    recipient_all: Accuracy
    dyad: Accuracy
    spacy_model: str
    extractors: list[str]
    elapsed_s: float
    results: list[RecordResult] = field(default_factory=list)

    @property
    def command(self) -> str:
        """The command that reproduces this report."""
        return f"eventcoder eval {self.gold_path}"

    def misses(self, event_type: str | None = None) -> list[Miss]:
        """Records whose gold type was not predicted (optionally only one gold type)."""
        return [
            Miss(r.id, r.gold, r.predicted, r.sentence)
            for r in self.results
            if not r.correct and (event_type is None or r.gold == event_type)
        ]

    def headline(self) -> dict[str, float]:
        """The few numbers quoted in a summary."""
        return {
            "macro_f1": self.types.macro_f1,
            "micro_f1": self.types.micro_f1,
            "actor_accuracy": self.actor.value,
            "recipient_accuracy": self.recipient.value,
            "coverage": self.coverage,
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict: every score, confusions and misses (not the full results)."""
        accuracies = {
            name: {"value": acc.value, "hits": acc.hits, "total": acc.total}
            for name, acc in [("actor", self.actor), ("actor_all", self.actor_all),
                              ("recipient", self.recipient), ("recipient_all", self.recipient_all),
                              ("dyad", self.dyad)]
        }
        types = asdict(self.types)
        types["confusions"] = [{"gold": g, "predicted": p, "count": n} for g, p, n in self.types.confusions]
        return {
            "gold_path": self.gold_path,
            "command": self.command,
            "records": self.records,
            "skipped": self.skipped,
            "coverage": self.coverage,
            "event_type": types,
            "actors": accuracies,
            "spacy_model": self.spacy_model,
            "extractors": self.extractors,
            "elapsed_s": self.elapsed_s,
            "misses": [asdict(m) for m in self.misses()],
        }

    def to_markdown(self) -> str:
        """Headline table, per-type table, top confusions and the reproducing command."""
        t = self.types

        def acc(a: Accuracy) -> str:
            return f"{a.value:.3f} ({a.hits}/{a.total})"

        lines = [
            f"Gold: `{self.gold_path}`: {self.records} records scored, {self.skipped} skipped "
            f"(no text, or DOCUMENT). Model `{self.spacy_model}`, extractor "
            f"{', '.join(f'`{e}`' for e in self.extractors) or '(no events)'}.",
            "",
            "| Measure | Value |",
            "|---|---|",
            f"| Event type macro-F1 (P / R) | {t.macro_f1:.3f} ({t.macro_precision:.3f} / {t.macro_recall:.3f}) |",
            f"| Event type micro-F1 (P / R) | {t.micro_f1:.3f} ({t.micro_precision:.3f} / {t.micro_recall:.3f}) |",
            f"| Correct / predicted / gold | {t.true_positives} / {t.true_positives + t.false_positives} / {self.records} |",
            f"| Coverage (any event) | {self.coverage:.3f} |",
            f"| Actor country, any gold code | {acc(self.actor)} |",
            f"| Actor country, all gold codes | {acc(self.actor_all)} |",
            f"| Recipient country, any gold code | {acc(self.recipient)} |",
            f"| Recipient country, all gold codes | {acc(self.recipient_all)} |",
            f"| Dyad (actor and recipient) | {acc(self.dyad)} |",
            "",
            "### Per event type",
            "",
            "| Type | P | R | F1 | Support | Predicted |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {s.event_type} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.support} | {s.predicted} |"
            for s in t.per_type
        ]
        lines += ["", f"### Top {len(t.confusions)} confusions (gold → predicted)", "",
                  "| Gold | Predicted | Count |", "|---|---|---|"]
        lines += [f"| {g} | {p} | {n} |" for g, p, n in t.confusions]
        lines += ["", "Reproduce with:", "", "```", self.command, "```", ""]
        return "\n".join(lines)


def evaluate_gold(path: Path, options: Options | None = None) -> EvalReport:
    """Code every gold sentence (in one ``code_articles`` call) and score the result."""
    options = options or load_options()
    started = time.perf_counter()
    records, skipped = load_gold(path)
    # Match outputs by source, not position: code_articles yields an article it rejects before
    # parsing ahead of the parsed ones of its batch. The source carries the record's position
    # too, since gold files may repeat an id (the PLOVER GSR has two COERCE-0004 records).
    keys = [f"{r.id}#{i}" for i, r in enumerate(records)]
    articles = [Article.from_text(r.text, published=r.published, source=key) for r, key in zip(records, keys)]
    by_key = {c.article.source: c for c in code_articles(articles, options)}
    results = [_result(r, by_key.get(key)) for r, key in zip(records, keys)]
    actors = [country_match(r.gold_source, r.pred_actors) for r in results]
    recipients = [country_match(r.gold_target, r.pred_recipients) for r in results]
    dyads = [None if a is None or b is None else a[0] and b[0] for a, b in zip(actors, recipients)]
    extractors = sorted({e.extractor for c in by_key.values() for e in c.events if e.extractor})
    return EvalReport(
        gold_path=str(path),
        records=len(results),
        skipped=skipped,
        coverage=_ratio(sum(1 for key in keys if by_key.get(key) and by_key[key].events), len(records)),
        types=score_types((r.gold, r.predicted) for r in results),
        actor=_accuracy([a[0] if a else None for a in actors]),
        actor_all=_accuracy([a[1] if a else None for a in actors]),
        recipient=_accuracy([a[0] if a else None for a in recipients]),
        recipient_all=_accuracy([a[1] if a else None for a in recipients]),
        dyad=_accuracy(dyads),
        spacy_model=options.spacy_model,
        extractors=extractors,
        elapsed_s=time.perf_counter() - started,
        results=results,
    )


def write_report(report: EvalReport, path: Path) -> Path:
    """Write the report's markdown to ``path`` (parent folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.to_markdown(), encoding="utf-8")
    return path
