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
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable

from spacy.language import Language
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
