"""The learned event classifier: the shipped model file, its numpy arithmetic against
scikit-learn's, the rules-only fallback, what each decision names, and the hygiene of the
training data (written by this project; nothing copied from a real-news dev file).

Sentences here are written for these tests."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from eventcoder import Options, code_text
from eventcoder.extract import events as events_module
from eventcoder.extract.classifier import LABELS, NONE, MODEL_PATH, EventClassifier, SentenceTyper, load_classifier
from eventcoder.extract.events import CONFIDENCE_FEATURES, EXTRACTOR
from eventcoder.ontology.plover import load_ontology

ROOT = Path(__file__).resolve().parents[1]
TRAINING_DATA = ROOT / "training" / "data"
DEV = ROOT.parent / "shared" / "data" / "realnews" / "dev"


def test_the_shipped_model_loads_with_every_plover_type_and_its_calibration() -> None:
    model = load_classifier()
    assert model is not None, f"no model file at {MODEL_PATH}: run training/train_classifier.py"
    assert set(model.labels) == set(load_ontology()) | {NONE} and len(model.labels) == 17
    assert model.version.startswith("event_classifier.v")
    assert 0.0 < model.threshold < 1.0 and 0.0 < model.sentence_threshold < 1.0
    calibration = model.meta["calibration"]
    assert calibration["features"] == list(CONFIDENCE_FEATURES)
    assert len(calibration["weights"]) == len(CONFIDENCE_FEATURES)
    assert model.typer is not None and model.typer_rows is not None


def test_each_event_names_the_extractor_and_the_model_decision() -> None:
    coded = code_text("Kenyan police arrested twelve opposition activists in Nairobi on Monday.", options=Options())
    (arrest,) = [e for e in coded.events if e.event_type == "COERCE"]
    assert arrest.extractor == EXTRACTOR == "events.v8"
    model = load_classifier()
    assert arrest.decision.startswith(f"{model.version}: COERCE p=")
    assert "'arrested'" in arrest.decision
    assert 0.0 <= arrest.confidence <= 1.0


def test_without_a_model_file_the_rules_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_module, "load_classifier", lambda: None)
    coded = code_text("Kenyan police arrested twelve opposition activists in Nairobi on Monday.", options=Options())
    (arrest,) = [e for e in coded.events if e.event_type == "COERCE"]
    assert arrest.decision.startswith("rules: COERCE")
    assert [a.country for a in arrest.actors] == ["KEN"]


def test_probabilities_are_a_softmax_of_summed_weights(tmp_path: Path) -> None:
    """A two-feature model written by hand: the probabilities must be the softmax of bias plus
    the weights of the features present, over the temperature, and survive save and load."""
    labels = ("NONE", "ASSAULT", "AID")
    weights = np.array([[0.0, 2.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)  # w:strike, w:donate
    model = EventClassifier({"w:strike": 0, "w:donate": 1}, weights, np.array([0.5, 0.0, 0.0]), labels,
                            sentence_scale=1.0, temperature=2.0, meta={"version": "hand.v0"})
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = EventClassifier.load(path)
    (strike, both, unknown) = loaded.probabilities([], [["w:strike"], ["w:strike", "w:donate"], ["w:other"]])

    def softmax(scores: list[float]) -> list[float]:
        exps = [math.exp(s / 2.0) for s in scores]
        return [e / sum(exps) for e in exps]

    assert strike == pytest.approx(softmax([0.5, 2.0, 0.0]), abs=1e-3)
    assert both == pytest.approx(softmax([0.5, 2.0, 1.0]), abs=1e-3)
    assert unknown == pytest.approx(softmax([0.5, 0.0, 0.0]), abs=1e-3)
    assert loaded.version == "hand.v0"


def test_the_sentence_typer_computes_what_scikit_learn_computes() -> None:
    """The typer is trained with scikit-learn and applied in numpy: both must agree."""
    pytest.importorskip("sklearn", reason="the train extra (scikit-learn) is not installed")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [
        "troops shelled the border town overnight", "rebels shelled the town again", "the army shelled positions",
        "the ministers met in the capital for talks", "the two leaders met for talks", "delegations met for talks",
        "the agency delivered food aid to the town", "donors delivered aid", "the charity delivered food",
    ]
    labels = ["ASSAULT"] * 3 + ["CONSULT"] * 3 + ["AID"] * 3
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
    x = vectorizer.fit_transform(texts)
    fitted = LogisticRegression(C=3.0, max_iter=2000).fit(x, labels)
    vocabulary = [t for t, _ in sorted(vectorizer.vocabulary_.items(), key=lambda kv: kv[1])]
    w = np.zeros((len(vocabulary), len(LABELS)), dtype=np.float32)
    b = np.full(len(LABELS), -30.0, dtype=np.float32)  # labels the fit never saw
    for j, label in enumerate(fitted.classes_):
        w[:, LABELS.index(label)] = fitted.coef_[j]
        b[LABELS.index(label)] = fitted.intercept_[j]
    typer = SentenceTyper(vocabulary, vectorizer.idf_, w, b)
    for text in ["Government troops shelled the town.", "The foreign ministers met for talks on Monday.", "Aid was delivered."]:
        expected = dict(zip(fitted.classes_, fitted.predict_proba(vectorizer.transform([text]))[0]))
        got = typer.probabilities(text)
        for label, p in expected.items():
            assert got[LABELS.index(label)] == pytest.approx(p, abs=1e-4), (text, label)


def _training_records() -> list[tuple[Path, dict]]:
    records = []
    for path in sorted((TRAINING_DATA / "sentences").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append((path, json.loads(line)))
    return records


def test_training_sentences_are_well_formed() -> None:
    records = _training_records()
    assert len(records) >= 4000
    ids = [r["id"] for _, r in records]
    assert len(ids) == len(set(ids)), "duplicate ids in training/data/sentences"
    allowed = set(LABELS)
    for path, record in records:
        where = f"{path.name} {record['id']}"
        assert record["event"] in allowed, where
        if record["event"] != NONE:
            assert record["trigger"] and record["trigger"] in record["text"], where
        for role in ("source", "target"):
            for party in record.get(role) or []:
                assert party.get("text") is None or party["text"] in record["text"], where
    for path in sorted((TRAINING_DATA / "articles").glob("*.json")):
        article = json.loads(path.read_text(encoding="utf-8"))
        assert article["text"] and article["events"], path.name
        for event in article["events"]:
            assert event["event"] in allowed, path.name


@pytest.mark.skipif(not DEV.is_dir(), reason="../shared/data/realnews/dev is absent")
def test_no_training_text_is_copied_from_a_real_news_dev_file() -> None:
    """The dev halves are for measuring only: no run of 10 words of a dev text may appear in
    the training data (a copied or lightly edited sentence would)."""

    def shingles(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i:i + 10]) for i in range(len(words) - 9)}

    dev: set[tuple[str, ...]] = set()
    for path in DEV.rglob("*"):
        if path.suffix in {".json", ".txt", ".jsonl"} and path.is_file():
            dev |= shingles(path.read_text(encoding="utf-8", errors="replace"))
    assert dev, "no dev text read"
    copied = [r["id"] for _, r in _training_records() if shingles(r["text"]) & dev]
    for path in sorted((TRAINING_DATA / "articles").glob("*.json")):
        if shingles(json.loads(path.read_text(encoding="utf-8"))["text"]) & dev:
            copied.append(path.name)
    assert copied == []


def _candidate_for(nlp, text: str, word: str):
    from eventcoder.extract.classifier import Candidate
    from eventcoder.extract.triggers import find_triggers, load_lexicon
    sentence = next(nlp(text).sents)
    trigger = next(t for t in find_triggers(sentence, load_lexicon()) if t.token.text == word)
    candidate = Candidate(trigger.token, rule_type=trigger.rule.event_type, rule_mode=trigger.rule.mode,
                          rule_specificity=trigger.rule.specificity, rule_particle=trigger.rule.particle,
                          ruled_type=trigger.rule.event_type)
    return sentence, candidate


def _probabilities(**p: float) -> np.ndarray:
    vector = np.array([p.get(label, 0.0) for label in LABELS])
    vector[LABELS.index(NONE)] = 1.0 - vector.sum()
    return vector


def test_a_phrasal_lexicon_row_decides_where_the_model_is_unsure(nlp) -> None:
    # "sign up for" (SUPPORT) is a row with a particle; the bag of words around "signed" may
    # prefer another type without being sure of it.
    sentence, candidate = _candidate_for(nlp, "Brazil signed up for the new forest pact.", "signed")
    assert candidate.rule_type == "SUPPORT" and candidate.rule_specificity >= 1
    unsure = events_module._decide(candidate, _probabilities(CONCEDE=0.3, SUPPORT=0.25, COOPERATE=0.2), LABELS, sentence, "test", 0.5)
    assert unsure.event_type == "SUPPORT"
    sure = events_module._decide(candidate, _probabilities(CONCEDE=0.7, SUPPORT=0.2), LABELS, sentence, "test", 0.5)
    assert sure.event_type == "CONCEDE"
    barely = events_module._decide(candidate, _probabilities(CONCEDE=0.4, SUPPORT=0.1, COOPERATE=0.3), LABELS, sentence, "test", 0.5)
    assert barely.event_type == "CONCEDE"  # the row's type must have a comparable probability


def test_a_one_word_lexicon_row_does_not_overrule_the_model(nlp) -> None:
    sentence, candidate = _candidate_for(nlp, "The minister criticized the plan.", "criticized")
    assert candidate.rule_specificity == 0 and candidate.rule_type == "ACCUSE"
    decision = events_module._decide(candidate, _probabilities(PROTEST=0.3, ACCUSE=0.25), LABELS, sentence, "test", 0.5)
    assert decision.event_type == "PROTEST"
