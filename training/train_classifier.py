"""Train the event classifier (``src/eventcoder/extract/models/event_classifier.npz``).

    python training/train_classifier.py [--no-write] [--c 1.0] [--report FILE]

Needs the ``train`` extra (scikit-learn). Training data, all shippable (README, "Training
data"):

* ``training/data/sentences/*.jsonl``: sentences written and labelled by this project
  (type, mode, trigger, actors), and ``training/data/articles/*.json``: whole articles
  written by this project with every event listed;
* the PLOVER GSR (``../shared/data/plover_gsr_cameo.json``, CC BY-SA 4.0): constructed
  sentences with a type and no trigger;
* NGEC's synthetic stories (``../shared/data/train/ngec_synthetic_stories.jsonl``, MIT):
  headline and first sentence of each story, with the story's document-level label
  (weighted down: a pseudo-label never checked by a person).

Each text is parsed as the coder parses articles and every candidate word
(:func:`eventcoder.extract.events.sentence_candidates`) becomes one example: the labelled
trigger gets its type, every other candidate NONE. Where a source gives no trigger, the label
goes to the candidate the lexicon reads as that type, else to the sentence's root verb.

A share of our own sentences (by id hash) is held out: the script reports accuracy there,
fits the softmax temperature on it, then refits on everything. No real-news dev file, and no
ACLED record, is read here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eventcoder.extract.classifier import LABELS, MODEL_PATH, NONE, Candidate, EventClassifier, SentenceTyper, candidate_features, sentence_features
from eventcoder.extract.events import new_discourse, sentence_candidates
from eventcoder.model import Article
from eventcoder.run import without_dateline
from eventcoder.nlp.pipeline import load_pipeline
from eventcoder.ontology.plover import current_name

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = ROOT / "training" / "data"
NGEC_WEIGHT = 0.3
GSR_WEIGHT = 1.0
HELD_OUT = 0.15  # share of our own sentences kept out of the first fit
MIN_COUNT = 2  # features seen fewer times are dropped
SENTENCE_SCALE = 0.5  # sentence words count half as much as the candidate's own features
# The rules' reading enters with a large value, so the L2 penalty barely shrinks its weights:
# with little evidence the model follows the rules and learns where they err (a prior, not
# one feature among thousands).
RULE_SCALE = 4.0
RULE_PREFIXES = ("rule:", "ruled:")


def feature_value(feature: str) -> float:
    return RULE_SCALE if feature.startswith(RULE_PREFIXES) else 1.0
VERSION = "event_classifier.v2"


@dataclass
class Example:
    text: str
    label: str  # main event type or NONE
    trigger: str | None  # exact substring, or None when the source gives none
    others: list[tuple[str, str]]  # (type, trigger) of further events in the text
    weight: float
    source: str
    id: str
    published: str | None = None
    source_codes: tuple[str, ...] = ()
    target_codes: tuple[str, ...] = ()


def _held_out(example_id: str) -> bool:
    return int(hashlib.sha1(example_id.encode()).hexdigest(), 16) % 1000 < HELD_OUT * 1000


def our_sentences() -> list[Example]:
    examples = []
    for path in sorted((DATA / "sentences").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            others = [(o["event"], o["trigger"]) for o in row.get("other_events") or [] if o.get("trigger")]
            codes = [tuple(a["code"] for a in row.get(role) or [] if a.get("code")) for role in ("source", "target")]
            examples.append(Example(row["text"], row["event"], row.get("trigger"), others, 1.0, "ours", row["id"], row.get("published"), *codes))
    return examples


def our_articles() -> list[tuple[str, str, list[dict]]]:
    """(id, text, events) of the articles we wrote with every event listed."""
    out = []
    for path in sorted((DATA / "articles").glob("*.json")):
        row = json.loads(path.read_text(encoding="utf-8"))
        out.append((row["id"], row["text"], row["events"]))
    return out


def gsr() -> list[Example]:
    path = SHARED / "plover_gsr_cameo.json"
    rows = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    examples = []
    for i, row in enumerate(rows):
        name = str(row.get("event") or "").upper()
        if not row.get("text") or name == "DOCUMENT":
            continue
        label, _ = current_name(name)
        if label in LABELS:
            examples.append(Example(row["text"], label, None, [], GSR_WEIGHT, "gsr", f"gsr-{i}", row.get("date")))
    return examples


_WIRE = re.compile(r"^.*?\((?:Reuters|AFP|AP|BBC Monitoring|local sources|local media)\)\s*--\s*")


def ngec() -> list[Example]:
    path = SHARED / "train" / "ngec_synthetic_stories.jsonl"
    examples = []
    if not path.exists():
        return examples
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        label = row["event"]
        title = row["title"].strip().strip('"')
        examples.append(Example(title, label, None, [], NGEC_WEIGHT, "ngec", row["id"] + "-t"))
        first = re.split(r"(?<=[.!?])\s+", _WIRE.sub("", row["text"]).strip())[0]
        if 30 <= len(first) <= 400:
            examples.append(Example(first, label, None, [], NGEC_WEIGHT, "ngec", row["id"] + "-s"))
    return examples


def _tokens_in(doc, start: int, end: int):
    return [t for t in doc if t.idx < end and t.idx + len(t) > start]


def _head_of(tokens):
    """The token of a span whose head lies outside it (the span's syntactic head)."""
    inside = {t.i for t in tokens}
    heads = [t for t in tokens if t.head.i not in inside or t.head.i == t.i]
    preferred = [t for t in heads if t.pos_ in {"VERB", "NOUN", "ADJ", "AUX", "PROPN"}] or heads or tokens
    return preferred[0]


def _find(text: str, needle: str, after: int = 0) -> int:
    at = text.find(needle, after)
    return at if at >= 0 else text.find(needle)


def featurize(doc, sentence, labels_at: dict[int, str], weight: float, rows: list, event_nouns: frozenset[str], complete: bool,
              typer: SentenceTyper) -> None:
    """Append (sentence features, candidate features, label, weight) for every candidate of
    ``sentence``; a labelled token that is no candidate becomes one of its own.

    ``complete``: the source lists every event of the text (our sentences and articles), so
    an unlabelled candidate is NONE. Sources that label one event per text (the GSR, NGEC)
    say nothing of the other candidates the rules read as events: those are left out."""
    candidates = sentence_candidates(sentence, doc._.discourse, event_nouns)
    have = {c.token.i for c in candidates}
    candidates += [Candidate(token=doc[i]) for i in labels_at if i not in have and sentence.start <= i < sentence.end]
    shared = sentence_features(sentence)
    typed = typer.probabilities(sentence.text)
    for candidate in candidates:
        label = labels_at.get(candidate.token.i, NONE)
        if label == NONE and not complete and candidate.ruled_type not in (None, NONE):
            continue
        rows.append((shared, candidate_features(candidate), label, weight, typed))


def _label_positions(example: Example, doc) -> dict[int, str] | None:
    """Token index -> label for the example's triggers (None: the trigger is not in the text)."""
    labels_at: dict[int, str] = {}
    if example.trigger:
        at = example.text.find(example.trigger)
        tokens = _tokens_in(doc, at, at + len(example.trigger)) if at >= 0 else []
        if not tokens:
            return None
        labels_at[_head_of(tokens).i] = example.label
        for event_type, trigger in example.others:
            at2 = example.text.find(trigger)
            tokens2 = _tokens_in(doc, at2, at2 + len(trigger)) if at2 >= 0 else []
            if tokens2 and event_type in LABELS:
                labels_at.setdefault(_head_of(tokens2).i, event_type)
    elif example.label != NONE:
        # No trigger given: the candidate the lexicon reads as the gold type, else the root.
        best = next((c.token for s in doc.sents for c in sentence_candidates(s, doc._.discourse)
                     if example.label in {c.ruled_type, c.rule_type}), None)
        if best is None:
            roots = [s.root for s in doc.sents if s.root.pos_ in {"VERB", "AUX", "NOUN"}]
            best = roots[0] if roots else None
        if best is None:
            return None
        labels_at[best.i] = example.label
    return labels_at


def _article_positions(text: str, events: list[dict], doc) -> dict[int, str]:
    labels_at: dict[int, str] = {}
    for event in events:
        at = _find(text, event.get("sentence") or "")
        t_at = text.find(event.get("trigger") or "\0", max(at, 0))
        tokens = _tokens_in(doc, t_at, t_at + len(event["trigger"])) if t_at >= 0 and event.get("trigger") else []
        if tokens and event["event"] in LABELS:
            labels_at.setdefault(_head_of(tokens).i, event["event"])
    return labels_at


def build_rows(examples: list[Example], articles, nlp, typers: list[SentenceTyper]) -> tuple[list, list, frozenset[str]]:
    """(training rows, held-out rows, event nouns: nouns labelled as triggers twice or more)."""
    from spacy.tokens import Doc

    if not Doc.has_extension("discourse"):
        Doc.set_extension("discourse", default=None)
    parsed = []  # (doc, labels, weight, held out)
    skipped = Counter()
    for example, doc in zip(examples, nlp.pipe((without_dateline(e.text) for e in examples), batch_size=64)):
        doc._.discourse = new_discourse(Article.from_text(example.text), doc)
        labels_at = _label_positions(example, doc)
        if labels_at is None:
            skipped[f"{example.source}: trigger not found"] += 1
            continue
        # Is every event of the text labelled? Our articles list them all; our sentences list
        # the main event and, often but not always, the others ("other_events"): a word the
        # rules read as an event there is left out rather than taught as NONE, unless the
        # sentence reports no event at all (then every word is a true negative).
        complete = example.source == "ours" and (SENTENCES_COMPLETE or example.label == NONE)
        parsed.append((doc, labels_at, example.weight, example.source == "ours" and _held_out(example.id), complete, example.id))
    for (article_id, text, events), doc in zip(articles, nlp.pipe((without_dateline(t) for _, t, _ in articles), batch_size=8)):
        doc._.discourse = new_discourse(Article.from_text(text), doc)
        parsed.append((doc, _article_positions(text, events, doc), 1.0, _held_out(article_id), True, article_id))
    nouns = Counter(doc[i].lemma_.lower() for doc, labels_at, *_ in parsed for i, label in labels_at.items()
                    if label != NONE and doc[i].pos_ == "NOUN")
    event_nouns = frozenset(n for n, k in nouns.items() if k >= 2)
    train_rows: list = []
    held_rows: list = []
    for doc, labels_at, weight, held, complete, key in parsed:
        for sentence in doc.sents:
            featurize(doc, sentence, labels_at, weight, held_rows if held else train_rows, event_nouns, complete, typers[_fold(key)])
    if skipped:
        print("skipped:", dict(skipped), file=sys.stderr)
    return train_rows, held_rows, event_nouns


SENTENCES_COMPLETE = False  # --sentences-complete: treat our sentence records as listing every event


TYPER_C = 3.0
TYPER_FOLDS = 5
SP_SCALE = 2.0  # the sentence typer's probabilities, as features of the candidate model


def _fold(example_id: str) -> int:
    return int(hashlib.md5(example_id.encode()).hexdigest(), 16) % TYPER_FOLDS


def fit_typer(texts: list[str], labels: list[str], weights: list[float]) -> SentenceTyper:
    """TF-IDF (word unigrams and bigrams seen twice, sublinear tf) and a class-balanced
    multinomial logistic regression over the 17 labels."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = vectorizer.fit_transform(texts)
    model = LogisticRegression(C=TYPER_C, max_iter=3000, class_weight="balanced")
    model.fit(x, labels, sample_weight=np.array(weights))
    vocabulary = [t for t, _ in sorted(vectorizer.vocabulary_.items(), key=lambda kv: kv[1])]
    w = np.zeros((len(vocabulary), len(LABELS)), dtype=np.float32)
    b = np.full(len(LABELS), -30.0, dtype=np.float32)
    for j, label in enumerate(model.classes_):
        w[:, LABELS.index(label)] = model.coef_[j]
        b[LABELS.index(label)] = model.intercept_[j]
    return SentenceTyper(vocabulary, vectorizer.idf_, w, b)


def typer_examples(examples: list[Example], articles) -> list[tuple[str, str, float, str]]:
    """(text, label, weight, fold key) for the sentence typer: every labelled text, and every
    sentence of our articles with the type of its first main event, or NONE."""
    out = [(e.text, e.label, e.weight, e.id) for e in examples]
    for article_id, text, events in articles:
        for sentence in re.split(r"(?<=[.!?\"”])\s+|\n+", text):
            sentence = sentence.strip()
            if len(sentence) < 20:
                continue
            main = next((ev["event"] for ev in events if not ev.get("minor") and ev.get("sentence", "").strip()[:40] in sentence), NONE)
            out.append((sentence, main, 1.0, article_id))
    return out


def cross_fitted_typers(rows: list[tuple[str, str, float, str]]) -> list[SentenceTyper]:
    """One typer per fold, each trained without that fold's texts."""
    typers = []
    for k in range(TYPER_FOLDS):
        kept = [r for r in rows if _fold(r[3]) != k]
        typers.append(fit_typer([r[0] for r in kept], [r[1] for r in kept], [r[2] for r in kept]))
    return typers


def _matrix(rows, index: dict[str, int]):
    from scipy.sparse import csr_matrix

    data, indices, indptr = [], [], [0]
    dense = [index[f"sp:{label}"] for label in LABELS]
    for shared, own, _, _, typed in rows:
        cols: dict[int, float] = {row: SP_SCALE * float(p) for row, p in zip(dense, typed)}
        for f in shared:
            if f in index:
                cols[index[f]] = SENTENCE_SCALE
        for f in own:
            if f in index:
                cols[index[f]] = feature_value(f)
        indices += list(cols)
        data += list(cols.values())
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(rows), len(index)), dtype=np.float32)


def fit(rows, c: float):
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for shared, own, *_ in rows for f in set(shared) | set(own))
    vocabulary = sorted({f for f, n in counts.items() if n >= MIN_COUNT} | {f"sp:{label}" for label in LABELS})
    index = {f: i for i, f in enumerate(vocabulary)}
    x = _matrix(rows, index)
    y = np.array([LABELS.index(row[2]) for row in rows])
    weights = np.array([row[3] for row in rows])
    model = LogisticRegression(C=c, max_iter=2000, solver="lbfgs")
    model.fit(x, y, sample_weight=weights)
    full_w = np.zeros((len(vocabulary), len(LABELS)), dtype=np.float32)
    full_b = np.full(len(LABELS), -30.0, dtype=np.float32)  # labels never seen: never predicted
    for j, cls in enumerate(model.classes_):
        full_w[:, cls] = model.coef_[j]
        full_b[cls] = model.intercept_[j]
    # The shipped weights are premultiplied by each feature's value, so coding only sums rows.
    for feature, row in index.items():
        full_w[row] *= SP_SCALE if feature.startswith("sp:") else feature_value(feature)
    return EventClassifier(index, full_w, full_b, LABELS, sentence_scale=SENTENCE_SCALE)


def _probabilities(model: EventClassifier, rows) -> np.ndarray:
    return np.concatenate([model.probabilities(shared, [own], typed) for shared, own, _, _, typed in rows]) if rows else np.zeros((0, len(LABELS)))


def fit_temperature(model: EventClassifier, rows) -> float:
    """The softmax temperature that minimises log loss on held-out rows."""
    if not rows:
        return 1.0
    y = np.array([LABELS.index(row[2]) for row in rows])
    best = (float("inf"), 1.0)
    for t in np.arange(0.5, 3.01, 0.1):
        model.temperature = float(t)
        p = _probabilities(model, rows)
        loss = -np.mean(np.log(p[np.arange(len(y)), y] + 1e-9))
        best = min(best, (loss, float(t)))
    model.temperature = 1.0
    return best[1]


def held_out_report(model: EventClassifier, rows) -> dict:
    if not rows:
        return {}
    p = _probabilities(model, rows)
    y = [row[2] for row in rows]
    pred = [LABELS[i] for i in p.argmax(axis=1)]
    events = [(g, q) for g, q in zip(y, pred) if g != NONE or q != NONE]
    right = sum(g == q for g, q in events)
    return {"candidates": len(rows), "event_candidates": sum(g != NONE for g in y),
            "accuracy_on_events_or_predictions": right / len(events) if events else 0.0,
            "recall": sum(g == q for g, q in zip(y, pred) if g != NONE) / max(1, sum(g != NONE for g in y))}


def _right(event, example: Example) -> bool:
    """An event coded from a held-out sentence is right (faithful) when its type is the
    sentence's main type and no party it names contradicts the gold ones (a party left
    uncoded is no error), or its type is one of the sentence's other events."""
    from eventcoder.evaluate.scoring import not_contradicted

    if event.event_type == example.label:
        reciprocal = len(example.source_codes) > 1 and not example.target_codes
        ours = [a.country for a in event.actors] + ([a.country for a in event.recipients] if reciprocal else [])
        return not_contradicted(example.source_codes, ours) and (reciprocal or not_contradicted(example.target_codes, [a.country for a in event.recipients]))
    return event.event_type in {t for t, _ in example.others}


def fit_calibration(model: EventClassifier, held: list[Example], nlp) -> tuple[dict, dict]:
    """Code the held-out sentences with a model that never saw them and fit a logistic
    regression from what each event's confidence is computed from to whether it is right."""
    from sklearn.linear_model import LogisticRegression

    import eventcoder.extract.events as events_module
    from eventcoder.evaluate.scoring import calibration as ece_of

    original = events_module.load_classifier
    events_module.load_classifier = lambda: model  # code with the model being calibrated
    try:
        x, y, raw = [], [], []
        for example, doc in zip(held, nlp.pipe((without_dateline(e.text) for e in held), batch_size=64)):
            log: dict = {}
            coded, _ = events_module.extract_events(Article.from_text(example.text), doc, feature_log=log)
            for event in coded:
                features = log[event.id]
                x.append([features[name] for name in events_module.CONFIDENCE_FEATURES])
                y.append(_right(event, example))
                raw.append(features["p_type"])
    finally:
        events_module.load_classifier = original
    if len(set(y)) < 2:
        return {}, {"events": len(y)}
    fitted = LogisticRegression(C=1.0, max_iter=2000).fit(np.array(x), np.array(y))
    calibrated = fitted.predict_proba(np.array(x))[:, 1]
    report = {"events": len(y), "right": int(sum(y)), "ece_uncalibrated": ece_of(zip(raw, y)).ece,
              "ece_calibrated_in_sample": ece_of(zip(calibrated, y)).ece}
    return ({"features": list(events_module.CONFIDENCE_FEATURES), "weights": [float(w) for w in fitted.coef_[0]],
             "bias": float(fitted.intercept_[0])}, report)


def train(examples: list[Example], articles, nlp, args: argparse.Namespace, sources: set[str]) -> EventClassifier:
    """Fit the sentence typer, the candidate model, its temperature and its calibration on
    ``examples`` and ``articles``; the model is returned, not written."""
    started = time.perf_counter()
    typer_rows = typer_examples(examples, articles)
    typers = cross_fitted_typers(typer_rows)
    print(f"sentence typer: {len(typer_rows)} texts, {TYPER_FOLDS} cross-fitted folds ({time.perf_counter() - started:.0f} s)")
    train_rows, held_rows, nouns = build_rows(examples, articles, nlp, typers)
    print(f"{len(train_rows)} training candidates, {len(held_rows)} held out ({time.perf_counter() - started:.0f} s)")
    model = fit(train_rows, args.c)
    temperature = fit_temperature(model, held_rows)
    report = held_out_report(model, held_rows)
    print("held out:", report, "temperature", temperature)
    held = [e for e in examples if e.source == "ours" and _held_out(e.id)]
    model.temperature = temperature
    model.threshold = args.threshold
    model.sentence_threshold = args.sentence_threshold
    model.event_nouns = nouns
    model.typer = fit_typer(*zip(*[(r[0], r[1], r[2]) for r in typer_rows if not _held_out(r[3])]))
    model.typer_rows = np.array([model.index[f"sp:{label}"] for label in LABELS])
    calibration, calibration_report = fit_calibration(model, held, nlp)
    print("calibration:", calibration_report)
    final = fit(train_rows + held_rows, args.c)
    final.temperature = temperature
    final.typer = fit_typer([r[0] for r in typer_rows], [r[1] for r in typer_rows], [r[2] for r in typer_rows])
    final.meta = {"version": VERSION, "c": args.c, "threshold": args.threshold, "sentence_threshold": args.sentence_threshold,
                  "sources": sorted(sources), "held_out": report, "calibration": calibration, "calibration_fit": calibration_report,
                  "event_nouns": sorted(nouns), "trained_on": dict(Counter(e.source for e in examples)), "articles": len(articles)}
    # Rebuilt from meta as load() does, so the returned model codes exactly as the saved one.
    return EventClassifier(final.index, final.weights, final.bias, LABELS, final.sentence_scale, final.temperature, final.meta, final.typer)


def cross_validate_gsr(examples: list[Example], articles, nlp, args: argparse.Namespace, sources: set[str], folds: int) -> dict:
    """The GSR figure a model trained on the GSR can honestly claim: each fold of GSR records
    is coded by a model trained without it, and the folds' results are scored together."""
    import tempfile

    import eventcoder.extract.events as events_module
    from eventcoder.evaluate import evaluate_sentences, score_types

    rows = json.loads((SHARED / "plover_gsr_cameo.json").read_text(encoding="utf-8"))
    results = []
    original = events_module.load_classifier
    try:
        for k in range(folds):
            kept = [e for e in examples if not (e.source == "gsr" and int(e.id.split("-")[1]) % folds == k)]
            model = train(kept, articles, nlp, args, sources)
            events_module.load_classifier = lambda model=model: model
            fold = [r for i, r in enumerate(rows) if i % folds == k]
            with tempfile.TemporaryDirectory() as tmp:  # outside the repository: GSR text is not copied into it
                path = Path(tmp) / "gsr_fold.json"
                path.write_text(json.dumps(fold), encoding="utf-8")
                results += evaluate_sentences(path).results
            print(f"GSR fold {k + 1}/{folds} coded", flush=True)
    finally:
        events_module.load_classifier = original
    scores = score_types((r.gold, r.predicted) for r in results)
    return {"folds": folds, "records": len(results), "macro_f1": scores.macro_f1, "micro_f1": scores.micro_f1,
            "actor": sum(bool(r.actor_right()) for r in results) / max(1, sum(r.actor_right() is not None for r in results)),
            "recipient": sum(bool(r.recipient_right()) for r in results) / max(1, sum(r.recipient_right() is not None for r in results))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 regularisation strength")
    parser.add_argument("--threshold", type=float, default=0.3, help="P(some event) from which a candidate is coded")
    parser.add_argument("--sentence-threshold", type=float, default=0.2, help="P(type) from which the sentence typer gives its type to the likeliest word")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--sentences-complete", action="store_true",
                        help="teach every unlabelled word of our sentence records as NONE, even where the rules read an event")
    parser.add_argument("--sources", default="ours,gsr,ngec", help="comma-separated: ours, gsr, ngec")
    parser.add_argument("--cv-gsr", type=int, default=0, metavar="K", help="also report K-fold cross-validated GSR figures (K extra trainings)")
    args = parser.parse_args(argv)
    global SENTENCES_COMPLETE
    SENTENCES_COMPLETE = args.sentences_complete
    started = time.perf_counter()
    sources = set(args.sources.split(","))
    examples = (our_sentences() if "ours" in sources else []) + (gsr() if "gsr" in sources else []) + (ngec() if "ngec" in sources else [])
    articles = our_articles() if "ours" in sources else []
    print(f"{len(examples)} texts, {len(articles)} articles: {dict(Counter(e.source for e in examples))}")
    nlp = load_pipeline()
    final = train(examples, articles, nlp, args, sources)
    if args.cv_gsr:
        final.meta["gsr_cross_validated"] = cross_validate_gsr(examples, articles, nlp, args, sources, args.cv_gsr)
        print("GSR cross-validated:", final.meta["gsr_cross_validated"])
    if not args.no_write:
        final.save(MODEL_PATH)
        print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size // 1024} KiB, {len(final.index)} features)")
    print(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
