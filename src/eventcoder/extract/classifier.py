"""The learned event classifier: which PLOVER type (or none) each candidate word reports.

Rules propose, a model decides. Every verb of a sentence, every noun the trigger lexicon
knows and every "X must <act>" appeal is a **candidate**; the lexicon's reading of it (type,
mode, whether another trigger governs it, what negation and modality make of it) becomes
evidence beside the word itself, its objects, particles, subject, governing verb, the
sentence's words and the clause's. A multinomial logistic regression over those sparse
features gives each candidate a probability for NONE and for each of the 16 PLOVER types.

A second model reads the sentence as a whole: a **sentence typer** (TF-IDF over word unigrams
and bigrams, logistic regression over the same 17 labels) says what the sentence as a whole
reports. Its 17 probabilities enter the candidate model as features, so a word is read in the
light of its sentence ("killed" in an accident report, "strike" beside "workers").

Why this shape (measured, see docs/METHOD.md): on real news the lexicon alone confuses senses
("struck a convoy" vs "went on strike"), misses paraphrases ("joined the shutdown") and codes
sentences that report nothing; a linear model over lexical and parse features, trained on
labelled sentences, learns which of the lexicon's readings hold and what it lacks, and costs
a few dictionary look-ups per candidate. Sentence embeddings (all-MiniLM-L6-v2 with the same
logistic regression) scored no better on the dev sets and cost 20 times the parse.

The weights (``models/event_classifier.npz``) are trained by ``training/train_classifier.py``
on shippable data only (README: training data); they load in well under a second.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from spacy.tokens import Span, Token

from eventcoder.extract.triggers import load_lexicon, match_token
from eventcoder.ontology.plover import load_ontology

MODEL_PATH = Path(__file__).with_name("models") / "event_classifier.npz"
NONE = "NONE"
LABELS: tuple[str, ...] = (NONE, *load_ontology())

# Words that say nothing about what happened: left out of the bag-of-words features.
STOP = frozenset(
    "the a an of to in on at for and or but by with from as is are was were be been being has have had "
    "that this these those it its it's their his her them they he she we our us i you your which who whom "
    "what when where while than then there here also not no into over about after before during said says "
    "say told one two three four five six seven eight nine ten mr ms mrs".split()
)
CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "advcl", "relcl", "acl", "conj", "csubj", "parataxis"})


@dataclass(frozen=True)
class Candidate:
    """A word that may report an event, with what the rules make of it."""

    token: Token
    rule_type: str | None = None  # the trigger lexicon's type for the word, if any
    rule_mode: str | None = None
    rule_specificity: int = 0
    rule_particle: str = ""  # the particle the lexicon rule needs ("call *on*"): it marks the recipient
    ruled_type: str | None = None  # after negation, modality and intention (None: no rule, or governed by one)
    appeal: bool = False  # "X must <act>" in a speaker's mouth
    inside_appeal: bool = False  # part of what someone is asked to do
    light_verb: bool = False  # the event is carried by the object noun ("held talks")
    governed: bool = False  # another trigger governs it through a complement ("agreed *to cooperate*")


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def _content(token: Token) -> bool:
    return token.is_alpha and token.lower_ not in STOP and token.pos_ in {"NOUN", "VERB", "ADJ", "PROPN", "ADV"}


def sentence_features(sentence: Span) -> list[str]:
    """Features shared by every candidate of the sentence: its content words and entity kinds."""
    feats = {f"s:{_lemma(t)}" for t in sentence if _content(t) and t.pos_ != "PROPN"}
    feats |= {f"se:{t.ent_type_}" for t in sentence if t.ent_type_}
    text = sentence.text.lstrip()
    if text[:2] in {"Q:", "A:"}:
        feats.add(f"s_turn:{text[0]}")
    if text.rstrip().endswith("?"):
        feats.add("s_question")
    return sorted(feats)


def _clause(token: Token) -> list[Token]:
    """The token's own clause: its subtree without the clauses hanging off it."""
    out, stack = [], [token]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(c for c in current.children if c.dep_ not in CLAUSE_DEPS or current is token and c.dep_ in {"xcomp"})
    return out


def candidate_features(candidate: Candidate) -> list[str]:
    """Features of one candidate word: the word, its arguments, its governor, the rules' reading."""
    token = candidate.token
    lemma = _lemma(token)
    feats = [f"w:{lemma}", f"pos:{token.pos_}", f"dep:{token.dep_}", f"w_dep:{lemma}:{token.dep_}", f"tag:{token.tag_}"]
    children = list(token.children)  # each walk of Token.children builds its tokens again
    aux = {c.lower_ for c in children if c.dep_ in {"aux", "auxpass"}}
    feats += [f"aux:{a}" for a in aux]
    if any(c.dep_ == "neg" for c in children):
        feats += ["neg", f"neg_w:{lemma}"]
    if any(c.dep_ in {"auxpass", "nsubjpass"} for c in children):
        feats += ["passive", f"passive_w:{lemma}"]
    for child in children:
        dep = child.dep_
        if dep in {"dobj", "nsubjpass", "attr", "oprd", "dative"}:
            feats += [f"obj:{_lemma(child)}", f"w_obj:{lemma}:{_lemma(child)}"]
            feats += [f"objmod:{_lemma(m)}" for m in child.children if m.dep_ in {"compound", "amod"} and m.is_alpha]
            if child.ent_type_:
                feats.append(f"obj_ent:{child.ent_type_}")
        elif dep in {"prt", "prep"}:
            feats.append(f"w_prt:{lemma}:{child.lower_}")
            for grand in child.children:
                if grand.dep_ == "pobj":
                    feats += [f"w_prep_obj:{lemma}:{child.lower_}:{_lemma(grand)}", f"prep_obj:{child.lower_}:{_lemma(grand)}"]
        elif dep in {"nsubj", "csubj"}:
            feats += [f"subj:{_lemma(child)}", f"subj_ent:{child.ent_type_ or child.pos_}"]
            feats += [f"subjmod:{_lemma(m)}" for m in child.children if m.dep_ in {"compound", "amod"} and m.is_alpha]
        elif dep == "agent":
            feats.append("agent")
        elif dep in {"xcomp", "ccomp"}:
            feats.append(f"comp:{_lemma(child)}")
            # What the complement does, as the lexicon reads it: "vowed to *return*" promises a
            # concession, "vowed to *strike*" threatens; the governing verb alone cannot say.
            reading = match_token(child, load_lexicon())
            if reading is not None:
                feats += [f"comp_rule:{reading.rule.event_type}", f"w_comp_rule:{lemma}:{reading.rule.event_type}"]
        elif dep == "advmod" and child.is_alpha:
            feats.append(f"adv:{_lemma(child)}")
    head = token.head
    if head.i != token.i:
        feats += [f"head:{_lemma(head)}", f"head_dep:{_lemma(head)}:{token.dep_}"]
        if head.head.i != head.i and token.dep_ in {"xcomp", "ccomp", "pobj", "dobj"}:
            feats.append(f"head2:{_lemma(head.head)}")
    else:
        feats.append("root")
    depth = 0
    current = token
    while current.head.i != current.i and depth < 6:
        current = current.head
        depth += 1
    feats.append(f"depth:{min(depth, 4)}")
    feats += sorted({f"c:{_lemma(t)}" for t in _clause(token) if t.i != token.i and _content(t) and t.pos_ != "PROPN"})
    if candidate.rule_type:
        feats += [f"rule:{candidate.rule_type}", f"rule_mode:{candidate.rule_type}:{candidate.rule_mode}",
                  f"rule_spec:{candidate.rule_specificity}", f"rule_w:{candidate.rule_type}:{lemma}"]
    if candidate.ruled_type:
        feats.append(f"ruled:{candidate.ruled_type}")
    for flag in ("appeal", "inside_appeal", "light_verb", "governed"):
        if getattr(candidate, flag):
            feats.append(flag)
            if candidate.rule_type:
                feats.append(f"{flag}:{candidate.rule_type}")
    if token.i > token.sent.start:
        feats.append(f"prev:{token.doc[token.i - 1].lower_}")
    if token.i + 1 < token.sent.end:
        feats.append(f"next:{token.doc[token.i + 1].lower_}")
    return feats


_WORD = re.compile(r"(?u)\b\w\w+\b")  # the tokens scikit-learn's TfidfVectorizer reads


def sentence_terms(text: str) -> list[str]:
    """Lower-cased word unigrams and bigrams, as the sentence typer was trained on them."""
    words = _WORD.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


class SentenceTyper:
    """What a sentence as a whole reports: TF-IDF (sublinear tf, l2 norm) and a multinomial
    logistic regression, scikit-learn's arithmetic written out in numpy."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> None:
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float32)
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)

    def probabilities(self, text: str) -> np.ndarray:
        counts: dict[int, int] = {}
        for term in sentence_terms(text):
            row = self.index.get(term)
            if row is not None:
                counts[row] = counts.get(row, 0) + 1
        scores = self.bias.copy()
        if counts:
            rows = np.fromiter(counts, dtype=np.int64)
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32))) * self.idf[rows]
            values /= np.linalg.norm(values)
            scores += values @ self.weights[rows]
        scores -= scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()


class EventClassifier:
    """Multinomial logistic regression over sparse candidate features (a vocabulary index),
    with the sentence typer's probabilities as 17 more features."""

    def __init__(self, index: dict[str, int], weights: np.ndarray, bias: np.ndarray, labels: tuple[str, ...],
                 sentence_scale: float, temperature: float = 1.0, meta: dict | None = None,
                 typer: SentenceTyper | None = None) -> None:
        self.index = index
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.labels = labels
        self.sentence_scale = sentence_scale
        self.temperature = temperature
        self.meta = meta or {}
        self.typer = typer
        self.version = self.meta.get("version", "unknown")
        self.event_nouns = frozenset(self.meta.get("event_nouns", ()))
        self.threshold = float(self.meta.get("threshold", 0.5))  # P(some event) from which a candidate is one
        # P(type) from which the sentence typer's type is given to the sentence's likeliest word
        self.sentence_threshold = float(self.meta.get("sentence_threshold", 0.5))
        rows = [index.get(f"sp:{label}") for label in labels]
        self.typer_rows = np.array(rows, dtype=np.int64) if typer is not None and all(r is not None for r in rows) else None

    def _score(self, feats: list[str]) -> np.ndarray:
        rows = [self.index[f] for f in feats if f in self.index]
        return self.weights[rows].sum(axis=0) if rows else np.zeros(len(self.labels), dtype=np.float32)

    def sentence_probabilities(self, text: str) -> np.ndarray | None:
        return self.typer.probabilities(text) if self.typer is not None else None

    def probabilities(self, sentence_feats: list[str], candidate_feats: list[list[str]], sentence_probs: np.ndarray | None = None) -> np.ndarray:
        """P(label) for each candidate of one sentence: rows follow ``candidate_feats``;
        ``sentence_probs`` are the sentence typer's, when the model uses them."""
        if not candidate_feats:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        shared = self.sentence_scale * self._score(sentence_feats) + self.bias
        if sentence_probs is not None and self.typer_rows is not None:
            shared = shared + sentence_probs.astype(np.float32) @ self.weights[self.typer_rows]
        scores = np.stack([shared + self._score(f) for f in candidate_feats]) / self.temperature
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "EventClassifier":
        data = np.load(path, allow_pickle=False)
        meta = json.loads(str(data["meta"]))
        vocabulary = json.loads(str(data["vocabulary"]))
        typer = None
        if "typer_vocabulary" in data:
            typer = SentenceTyper(json.loads(str(data["typer_vocabulary"])), data["typer_idf"], data["typer_weights"], data["typer_bias"])
        return cls(
            index={f: i for i, f in enumerate(vocabulary)},
            weights=data["weights"],
            bias=data["bias"],
            labels=tuple(meta["labels"]),
            sentence_scale=float(meta.get("sentence_scale", 1.0)),
            temperature=float(meta.get("temperature", 1.0)),
            meta=meta,
            typer=typer,
        )

    def save(self, path: Path) -> None:
        vocabulary = [f for f, _ in sorted(self.index.items(), key=lambda kv: kv[1])]
        meta = dict(self.meta, labels=list(self.labels), sentence_scale=self.sentence_scale, temperature=self.temperature)
        arrays: dict[str, np.ndarray] = {"weights": self.weights.astype(np.float16), "bias": self.bias,
                                         "vocabulary": np.array(json.dumps(vocabulary)), "meta": np.array(json.dumps(meta))}
        if self.typer is not None:
            arrays |= {"typer_vocabulary": np.array(json.dumps(self.typer.vocabulary)), "typer_idf": self.typer.idf.astype(np.float16),
                       "typer_weights": self.typer.weights.astype(np.float16), "typer_bias": self.typer.bias}
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **arrays)


@lru_cache(maxsize=2)
def load_classifier(path: Path = MODEL_PATH) -> EventClassifier | None:
    """The shipped classifier, or None when the package carries none (rules alone then decide)."""
    return EventClassifier.load(path) if path.is_file() else None
