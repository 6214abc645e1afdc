"""eventcoder's own spaCy components, all registered here.

``paragraph_boundaries`` runs before the parser and starts a new sentence after every line
break. Scraped articles and transcripts put headlines, "Q:"/"A:" turns and paragraphs on their
own lines, often without final punctuation; the statistical parser would glue them to the next
sentence and the attribution of who-said-what would cross paragraph lines.
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.language import Language
from spacy.tokens import Doc, Span, Token


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


def document_entities(doc: Doc) -> tuple[Span, ...]:
    """The document's named entities, built once and kept in ``doc.user_data``
    (``Doc.ents`` and ``Span.ents`` rebuild every entity span on each access)."""
    cached = doc.user_data.get("eventcoder.entities")
    if cached is None:
        cached = doc.user_data["eventcoder.entities"] = tuple(doc.ents)
        doc.user_data["eventcoder.entity_starts"] = [e.start for e in cached]
    return cached


def span_entities(span: Span) -> list[Span]:
    """The named entities wholly inside ``span`` (a sentence or a phrase), found by bisection
    so long articles do not pay a scan of every entity per lookup."""
    entities = document_entities(span.doc)
    starts = span.doc.user_data["eventcoder.entity_starts"]
    found = []
    for index in range(bisect_left(starts, span.start), len(entities)):
        entity = entities[index]
        if entity.start >= span.end:
            break
        if entity.end <= span.end:
            found.append(entity)
    return found


def span_noun_chunks(span: Span) -> list[Span]:
    """The noun chunks inside ``span``, from one pass over the document kept in
    ``doc.user_data`` (``Span.noun_chunks`` walks the whole document on every access)."""
    doc = span.doc
    chunks = doc.user_data.get("eventcoder.noun_chunks")
    if chunks is None:
        chunks = doc.user_data["eventcoder.noun_chunks"] = tuple(doc.noun_chunks)
        doc.user_data["eventcoder.noun_chunk_starts"] = [c.start for c in chunks]
    starts = doc.user_data["eventcoder.noun_chunk_starts"]
    found = []
    for index in range(bisect_left(starts, span.start), len(chunks)):
        chunk = chunks[index]
        if chunk.start >= span.end:
            break
        if chunk.end <= span.end:
            found.append(chunk)
    return found


def entity_at(token: Token) -> Span | None:
    """The named entity ``token`` is part of, if any."""
    if token.ent_iob_ == "O":
        return None
    return next((e for e in span_entities(token.doc[token.sent.start : token.sent.end]) if e.start <= token.i < e.end), None)
