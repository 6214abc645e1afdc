"""Pure scoring: event types, actor countries, article-level matching and calibration.

Nothing here reads files or runs spaCy, so every function is tested on small hand-written
inputs (tests/test_evaluate.py).

Conventions, shared by every set:

* ``NONE`` is "no political event". A predicted event on a ``NONE`` record is a false
  positive for its type; ``NONE`` predicted on an event record is a false negative. Macro
  averages run over the event types present in gold (``NONE`` is not a class of its own).
* Country codes are normalized (legacy CAMEO ``JAP`` → ``JPN``). A generic gold ``IGO``
  is matched by any intergovernmental code we assign (UNO, EU, NATO, AU ...); gold ``EUR``
  (the EU in the real-news sets) by ``EU``. Other codes match exactly.
* An event is **faithful** when its type is right and no party it names is wrong (a party
  left uncoded is no error): what ``confidence`` is calibrated against, since an analyst
  filtering by confidence wants records that say nothing false.
* Reciprocal events (talks, clashes) list every participant as gold source and no target:
  their actor is matched against our actors *and* recipients, since which side a coder
  puts first is arbitrary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from eventcoder.extract.actors import NON_STATE_CODES, normalize_code
from eventcoder.ontology.plover import load_ontology

__all__ = [
    "NONE",
    "Accuracy",
    "Calibration",
    "Match",
    "TypeScore",
    "TypeScores",
    "accuracy",
    "calibration",
    "codes_overlap",
    "not_contradicted",
    "country_match",
    "match_events",
    "ratio",
    "f1",
    "score_types",
]

NONE = "NONE"
EVENT_TYPES: tuple[str, ...] = tuple(load_ontology())
TOP_CONFUSIONS = 15
IGO_FAMILY = frozenset(NON_STATE_CODES - {"NGO", "XKX", "MNC", "IMG"})
# Gold spellings of bodies we code under another code.
GOLD_ALIASES: dict[str, frozenset[str]] = {"EUR": frozenset({"EU", "EUR"}), "IGO": IGO_FAMILY | {"IGO"}}


def ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# -- event types ----------------------------------------------------------------------------


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
    """Score (gold, predicted) event types, either of which may be ``NONE``.

    A wrong prediction is a false positive for the predicted type (unless it is ``NONE``)
    and a false negative for the gold type (unless it is ``NONE``). Micro scores pool all
    records; macro scores average the per-type scores over the gold types present.
    ``per_type`` lists every label in ``labels`` order; ``confusions`` the ``top`` most
    frequent gold → predicted mistakes, most frequent first (ties by name).
    """
    pairs = list(pairs)
    support = Counter(gold for gold, _ in pairs if gold != NONE)
    predicted = Counter(pred for _, pred in pairs if pred != NONE)
    hits = Counter(gold for gold, pred in pairs if gold == pred and gold != NONE)
    tp = sum(hits.values())
    fp = sum(1 for gold, pred in pairs if pred != NONE and pred != gold)
    fn = sum(1 for gold, pred in pairs if gold != NONE and pred != gold)
    per_type = []
    for label in labels:
        p = ratio(hits[label], predicted[label])
        r = ratio(hits[label], support[label])
        per_type.append(TypeScore(label, p, r, f1(p, r), support[label], predicted[label], hits[label]))
    present = [s for s in per_type if s.support]
    micro_p, micro_r = ratio(tp, tp + fp), ratio(tp, tp + fn)
    mistakes = Counter((gold, pred) for gold, pred in pairs if gold != pred)
    confusions = sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return TypeScores(
        micro_precision=micro_p,
        micro_recall=micro_r,
        micro_f1=f1(micro_p, micro_r),
        macro_precision=ratio(sum(s.precision for s in present), len(present)),
        macro_recall=ratio(sum(s.recall for s in present), len(present)),
        macro_f1=ratio(sum(s.f1 for s in present), len(present)),
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        per_type=per_type,
        confusions=[(gold, pred, n) for (gold, pred), n in confusions],
    )


# -- countries ------------------------------------------------------------------------------


def _normalized(codes: Iterable[str | None]) -> set[str]:
    return {c for c in (normalize_code(code) for code in codes if code) if c}


def _matched(gold: str, predicted: set[str]) -> bool:
    return bool(GOLD_ALIASES.get(gold, frozenset({gold})) & predicted)


def country_match(gold: Iterable[str | None], predicted: Iterable[str | None]) -> tuple[bool, bool] | None:
    """(any gold code matched, every gold code matched), or None when gold names no code."""
    gold_codes = _normalized(gold)
    if not gold_codes:
        return None
    pred_codes = _normalized(predicted)
    found = [_matched(code, pred_codes) for code in gold_codes]
    return any(found), all(found)


def codes_overlap(gold: Iterable[str | None], predicted: Iterable[str | None]) -> bool:
    """True when gold names no code, or at least one gold code is predicted."""
    matched = country_match(gold, predicted)
    return matched is None or matched[0]


def not_contradicted(gold: Iterable[str | None], predicted: Iterable[str | None]) -> bool:
    """True unless both sides name countries and none of ours is among gold's: a party left
    uncoded is incomplete, not wrong; a wrong one is wrong."""
    predicted = [p for p in predicted if p]
    return not predicted or codes_overlap(gold, predicted)


@dataclass(frozen=True)
class Accuracy:
    """Share of records matched, over the records that have a gold code for the role."""

    hits: int
    total: int

    @property
    def value(self) -> float:
        return ratio(self.hits, self.total)

    def __str__(self) -> str:
        return f"{self.value:.3f} ({self.hits}/{self.total})"


def accuracy(results: Iterable[bool | None]) -> Accuracy:
    """Hits over the results that are not None (None: the record does not score this)."""
    scored = [r for r in results if r is not None]
    return Accuracy(hits=sum(scored), total=len(scored))


# -- article-level matching -------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """One predicted event matched to one gold event (indices into the two lists)."""

    predicted: int
    gold: int


def match_events(
    n_predicted: int,
    n_gold: int,
    compatible: Callable[[int, int], bool],
    preference: Callable[[int, int], tuple[object, ...]],
) -> list[Match]:
    """A maximum one-to-one matching of predicted to gold events.

    ``compatible(p, g)`` says whether predicted event ``p`` may stand for gold event ``g``
    (same type, overlapping countries ...). Ties are broken by ``preference(p, g)``, smaller
    first: predicted events whose best pair is most preferred choose first, each trying its
    compatible gold events in preference order; Kuhn's augmenting paths then move earlier
    choices only where that lets one more pair match, so the number of matches is the
    largest possible. Deterministic when ``preference`` ends with ``g`` (ties: lower index).
    """
    options = [sorted((g for g in range(n_gold) if compatible(p, g)), key=lambda g, p=p: preference(p, g))
               for p in range(n_predicted)]
    order = sorted((p for p in range(n_predicted) if options[p]), key=lambda p: (preference(p, options[p][0]), p))
    owner: dict[int, int] = {}  # gold index -> predicted index

    def augment(p: int, seen: set[int]) -> bool:
        free = next((g for g in options[p] if g not in owner), None)
        if free is not None:  # an unclaimed gold event: no earlier choice needs to move
            owner[free] = p
            return True
        for g in options[p]:
            if g in seen:
                continue
            seen.add(g)
            if g not in owner or augment(owner[g], seen):
                owner[g] = p
                return True
        return False

    for p in order:
        augment(p, set())
    return sorted((Match(predicted=p, gold=g) for g, p in owner.items()), key=lambda m: m.predicted)


# -- calibration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    mean_confidence: float
    precision: float


@dataclass(frozen=True)
class Calibration:
    """Precision of predicted events per confidence bin, and the expected calibration error
    (the count-weighted mean gap between a bin's precision and its mean confidence)."""

    bins: list[CalibrationBin]
    ece: float
    count: int


def calibration(scored: Iterable[tuple[float, bool]], n_bins: int = 10) -> Calibration:
    """Bin (confidence, correct) pairs into ``n_bins`` equal-width bins over [0, 1]."""
    scored = list(scored)
    groups: list[list[tuple[float, bool]]] = [[] for _ in range(n_bins)]
    for confidence, correct in scored:
        groups[min(n_bins - 1, max(0, int(confidence * n_bins)))].append((confidence, correct))
    bins = []
    ece = 0.0
    for i, group in enumerate(groups):
        if not group:
            continue
        mean_conf = sum(c for c, _ in group) / len(group)
        precision = sum(ok for _, ok in group) / len(group)
        ece += len(group) / len(scored) * abs(precision - mean_conf)
        bins.append(CalibrationBin(i / n_bins, (i + 1) / n_bins, len(group), mean_conf, precision))
    return Calibration(bins=bins, ece=ece, count=len(scored))
