"""eventcoder's own spaCy components, all registered here.

``paragraph_boundaries`` runs before the parser and starts a new sentence after every line
break. Scraped articles and transcripts put headlines, "Q:"/"A:" turns and paragraphs on their
own lines, often without final punctuation; the statistical parser would glue them to the next
sentence and the attribution of who-said-what would cross paragraph lines.

``long_sentence_breaks`` runs before the parser too and bounds a sentence to
``MAX_SENTENCE_TOKENS``: extraction walks each trigger's subtree and the sentence's phrases,
so its time grows faster than the square of a sentence's length (one 5,000-word "sentence" of
scraped, unpunctuated text took 9 s to extract, 2,000 words 1.2 s). News sentences are far
shorter; a run of that many tokens with no sentence-ending mark is split, after a comma or
semicolon near the limit when there is one.

``compiled_attribute_ruler`` replaces the model's ``attribute_ruler`` (tag -> POS and
morphology, plus word exceptions: 179 one- and two-token patterns in ``en_core_web_sm``) with
the same rules looked up by tag and word instead of run through spaCy's general ``Matcher``,
which spent a tenth of the parse here matching each token against every pattern. It sets what
the model's ruler sets, in the same order (later rules win), and is used only when every
pattern is of the plain kind it knows (exact, ``IN``, ``NOT_IN`` or ``REGEX`` values of TAG,
LOWER, DEP and IS_SPACE, no operators); tests/test_pipeline.py compares the two token by token.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from functools import partial

from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Span, Token


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


MAX_SENTENCE_TOKENS = 200
_BREAK_SEARCH = 50  # tokens before the limit searched for a comma or semicolon to split after
_ENDS_SENTENCE = (".", "!", "?", "…")


@Language.component("long_sentence_breaks")
def long_sentence_breaks(doc: Doc) -> Doc:
    since = 0  # tokens since the last possible sentence start
    last_comma: int | None = None
    for token in doc:
        previous = doc[token.i - 1] if token.i else None
        if (
            previous is None or token.is_sent_start or previous.text.endswith(_ENDS_SENTENCE)
            or "\n" in previous.text or "\n" in previous.whitespace_
        ):  # fmt: skip
            since, last_comma = 0, None
        if previous is not None and previous.text in {",", ";", ":"}:
            last_comma = token.i
        since += 1
        if since > MAX_SENTENCE_TOKENS:
            start = last_comma if last_comma is not None and token.i - last_comma < _BREAK_SEARCH else token.i
            doc[start].is_sent_start = True
            since, last_comma = token.i - start + 1, None
    return doc


def _cached_spans(doc: Doc, key: str, build: Callable[[Doc], Iterable[Span]]) -> tuple[tuple[Span, ...], list[int]]:
    """Spans built once per document and kept in ``doc.user_data``, with their start tokens."""
    cached = doc.user_data.get(key)
    if cached is None:
        spans = tuple(build(doc))
        cached = doc.user_data[key] = (spans, [s.start for s in spans])
    return cached


def _inside(span: Span, spans: tuple[Span, ...], starts: list[int]) -> list[Span]:
    """The ``spans`` (sorted by start) wholly inside ``span``, found by bisection so long
    articles do not pay a scan of every span per lookup."""
    found = []
    for index in range(bisect_left(starts, span.start), len(spans)):
        inner = spans[index]
        if inner.start >= span.end:
            break
        if inner.end <= span.end:
            found.append(inner)
    return found


def document_entities(doc: Doc) -> tuple[Span, ...]:
    """The document's named entities, built once (``Doc.ents`` and ``Span.ents`` rebuild every
    entity span on each access)."""
    return _cached_spans(doc, "eventcoder.entities", lambda d: d.ents)[0]


def span_entities(span: Span) -> list[Span]:
    """The named entities wholly inside ``span`` (a sentence or a phrase)."""
    return _inside(span, *_cached_spans(span.doc, "eventcoder.entities", lambda d: d.ents))


def span_noun_chunks(span: Span) -> list[Span]:
    """The noun chunks inside ``span``, from one pass over the document (``Span.noun_chunks``
    walks the whole document on every access)."""
    return _inside(span, *_cached_spans(span.doc, "eventcoder.noun_chunks", lambda d: d.noun_chunks))


def entity_at(token: Token) -> Span | None:
    """The named entity ``token`` is part of, if any."""
    if token.ent_iob_ == "O":
        return None
    return next((e for e in span_entities(token.doc[token.sent.start : token.sent.end]) if e.start <= token.i < e.end), None)


# What a compiled pattern token may test: the Matcher key and how to read it off a token.
_TOKEN_VALUES: dict[str, Callable[[Token], object]] = {
    "TAG": lambda t: t.tag_, "LOWER": lambda t: t.lower_, "DEP": lambda t: t.dep_, "IS_SPACE": lambda t: t.is_space,
}
_INDEX_KEYS = ("LOWER", "TAG", "DEP", "IS_SPACE")
_Test = Callable[[object], bool]
# A rule: (the model ruler's pattern number, per token a tuple of (key, test of its value)).
_Rule = tuple[int, tuple[tuple[tuple[str, _Test], ...], ...]]


def _allowed(value: object) -> frozenset | None:
    """The values an exact or ``IN`` pattern value admits (None for other predicates)."""
    if isinstance(value, (str, bool)):
        return frozenset([value])
    if isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, (str, bool)) for v in value["IN"]):
        return frozenset(value["IN"])
    return None


def _value_test(value: object) -> _Test | None:
    """The Matcher's reading of one pattern value: exact, ``IN``, ``NOT_IN`` or ``REGEX``
    (``re.search``, as spaCy's Matcher does); None for anything else."""
    allowed = _allowed(value)
    if allowed is not None:
        return allowed.__contains__
    if isinstance(value, dict) and len(value) == 1:
        (operator, operand), = value.items()
        # partial, not lambdas: a pipeline sent to spawned processes must pickle.
        if operator == "NOT_IN" and isinstance(operand, list):
            return partial(_not_in, frozenset(operand))
        if operator == "REGEX" and isinstance(operand, str):
            return partial(_searches, re.compile(operand))
    return None


def _not_in(refused: frozenset, value: object) -> bool:
    return value not in refused


def _searches(pattern: re.Pattern, value: object) -> bool:
    return pattern.search(str(value)) is not None


def compilable(ruler: AttributeRuler) -> bool:
    """Whether every pattern of ``ruler`` is one ``CompiledAttributeRuler`` matches exactly."""
    return all(
        token and all(key in _TOKEN_VALUES and _value_test(value) is not None for key, value in token.items())
        for entry in ruler.patterns for pattern in entry["patterns"] for token in pattern
    )


class CompiledAttributeRuler:
    """The rules of a model's ``AttributeRuler``, matched by dictionary lookup on the first
    token's tag (or word) rather than by spaCy's ``Matcher``; its ``set_annotations`` applies
    them, so what is set, and which rule wins, is the model ruler's."""

    def __init__(self) -> None:
        self.ruler: AttributeRuler | None = None
        # Rules filed by the first exact test of their first token, most selective key first.
        self.indexed: dict[str, dict[object, list[_Rule]]] = {key: {} for key in _INDEX_KEYS}
        self.unindexed: list[_Rule] = []

    def compile_from(self, ruler: AttributeRuler) -> None:
        if not compilable(ruler):
            raise ValueError("the attribute ruler has patterns the compiled ruler does not match exactly")
        self.ruler = ruler
        for number, entry in enumerate(ruler.patterns):  # pattern i is the ruler's attrs[i]
            for pattern in entry["patterns"]:
                rule = (number, tuple(tuple((k, _value_test(v)) for k, v in token.items()) for token in pattern))
                # Filed under the first token's word, tag, label or space flag where the pattern
                # names it exactly, so a token meets only the rules it can match.
                first = {k: _allowed(v) for k, v in pattern[0].items()}
                key = next((k for k in _INDEX_KEYS if first.get(k)), None)
                if key is None:
                    self.unindexed.append(rule)
                    continue
                for value in first[key]:
                    self.indexed[key].setdefault(value, []).append(rule)

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """What ``AttributeRuler.match`` returns: (rule number, match id, start, end), sorted."""
        assert self.ruler is not None, "compile_from a model's ruler first"
        strings = self.ruler.vocab.strings
        found = set()
        tokens = list(doc)
        columns = {key: [read(t) for t in tokens] for key, read in _TOKEN_VALUES.items()}
        lookups = [(self.indexed[key], columns[key]) for key in _INDEX_KEYS]
        for start in range(len(tokens)):
            for rules in (*(index.get(column[start]) for index, column in lookups), self.unindexed):
                for number, pattern in rules or ():
                    end = start + len(pattern)
                    if end <= len(tokens) and all(test(columns[key][start + offset])
                                                  for offset, tests in enumerate(pattern) for key, test in tests):
                        found.add((number, strings[str(number)], start, end))
        return sorted(found)

    def __call__(self, doc: Doc) -> Doc:
        assert self.ruler is not None, "compile_from a model's ruler first"
        self.ruler.set_annotations(doc, self.match(doc))
        return doc


@Language.factory("compiled_attribute_ruler")
def make_compiled_attribute_ruler(nlp: Language, name: str) -> CompiledAttributeRuler:
    return CompiledAttributeRuler()


def compile_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> bool:
    """Swap the pipeline's attribute ruler for its compiled twin, when it can be exact."""
    model_ruler = nlp.get_pipe(name) if name in nlp.pipe_names else None
    if not isinstance(model_ruler, AttributeRuler) or not compilable(model_ruler):
        return False
    nlp.replace_pipe(name, "compiled_attribute_ruler")
    nlp.get_pipe(name).compile_from(model_ruler)
    return True
