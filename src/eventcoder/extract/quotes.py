"""Who said it: quotations, reported speech and press-conference transcripts.

Two attribution patterns cover most news copy:

* a quotation followed or preceded by a speech verb and its subject
  (“...,” Geng told a daily news briefing); a paragraph that opens with a quotation and
  names nobody continues the previous speaker (wire-style multi-paragraph quotes);
* Q:/A: transcripts, where every answer belongs to the spokesperson named before the first
  question ("At spokesperson Geng Shuang's routine press conference ...").

Speakers are resolved with the document's ``ActorContext``, so "Geng" and "he" find the
"Geng Shuang" named earlier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from eventcoder.extract.actors import ActorContext, load_actor_dictionary
from eventcoder.extract.triggers import SPEECH_VERBS
from eventcoder.model import Actor, Quote

QUOTATION = re.compile(r"[“\"]([^”\"]{3,}?)(?:[”\"]|$)", re.M)
ANSWER = re.compile(r"^\s*A\s*[:：]", re.M)
QUESTION = re.compile(r"^\s*Q\s*[:：]", re.M)
SPOKESPERSON = re.compile(r"spokes(?:person|man|woman)\s+([A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){0,2})")
PRONOUNS = {"he", "she", "him", "her"}


@dataclass
class Attribution:
    """Speakers by character range, built once per document."""

    quotes: list[Quote] = field(default_factory=list)
    answer_speaker: Actor | None = None
    answer_ranges: list[tuple[int, int]] = field(default_factory=list)

    def speaker_at(self, char: int) -> Actor | None:
        """The speaker whose quotation or transcript answer covers this character offset."""
        for quote in self.quotes:
            if quote.start_char <= char < quote.end_char and quote.speaker is not None:
                return quote.speaker
        for start, end in self.answer_ranges:
            if start <= char < end:
                return self.answer_speaker
        return None


def is_turn_marker(token: Token) -> bool:
    """The "Q"/"A" of a transcript turn, which the parser often takes for a subject."""
    return token.text in {"Q", "A"} and token.i + 1 < len(token.doc) and token.doc[token.i + 1].text in {":", "："}


def subject_of(verb: Token) -> Token | None:
    """The verb's subject; for "X was quoted as saying ...", X; for "X signed ... but has
    said ...", X."""
    for child in verb.children:
        if child.dep_ in {"nsubj", "nsubjpass", "csubj"} and not is_turn_marker(child):
            return child
    if verb.dep_ == "pcomp" and verb.head.lower_ == "as" and verb.head.head.i != verb.head.i:
        return subject_of(verb.head.head)
    if verb.dep_ == "conj" and verb.head.pos_ in {"VERB", "AUX"}:
        return subject_of(verb.head)
    return None


def resolve_subject(token: Token, context: ActorContext, last_person: Actor | None) -> Actor | None:
    """An Actor for a subject token: a named phrase, a remembered surname, or 'he'/'she'."""
    if token.lower_ in PRONOUNS:
        return last_person
    span = token.doc[token.left_edge.i : token.right_edge.i + 1]
    actors = load_actor_dictionary().resolve_all(span, context)
    if actors:
        return actors[0]
    remembered = context.lookup(token.text)
    return remembered


def _speech_verb_near(doc: Doc, start: int, end: int) -> Token | None:
    """The speech verb attributing the quotation that spans characters [start, end)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    sentences = {span[0].sent.start: span[0].sent, span[-1].sent.start: span[-1].sent}
    if span.end < len(doc):
        sentences[doc[span.end].sent.start] = doc[span.end].sent
    candidates = [
        t for sentence in sentences.values() for t in sentence
        if t.lemma_.lower() in SPEECH_VERBS and not (start <= t.idx < end)
    ]
    candidates.sort(key=lambda t: min(abs(t.idx - end), abs(t.idx - start)))
    return candidates[0] if candidates else None


def transcript_speaker(doc: Doc, context: ActorContext) -> Actor | None:
    """The spokesperson named before the first question of a Q:/A: transcript."""
    text = doc.text  # Doc.text joins every token again on each access
    first_question = QUESTION.search(text)
    if first_question is None or not ANSWER.search(text):
        return None
    match = SPOKESPERSON.search(text[: first_question.start()])
    if match is None:
        return None
    span = doc.char_span(match.start(1), match.end(1), alignment_mode="expand")
    if span is None:
        return None
    actors = load_actor_dictionary().resolve_all(span, context)
    return actors[0] if actors else context.lookup(match.group(1))


def _answer_ranges(text: str) -> list[tuple[int, int]]:
    ranges = []
    for answer in ANSWER.finditer(text):
        following = QUESTION.search(text, answer.end())
        ranges.append((answer.start(), following.start() if following else len(text)))
    return ranges


def attribute(doc: Doc, context: ActorContext) -> Attribution:
    """Find every quotation, reported statement and transcript answer, with its speaker."""
    attribution = Attribution()
    last_person: Actor | None = None
    previous_speaker: Actor | None = None
    text = doc.text  # Doc.text joins every token again on each access
    for match in QUOTATION.finditer(text):
        start, end = match.span()
        if doc.char_span(start, end, alignment_mode="expand") is None:
            continue
        verb = _speech_verb_near(doc, start, end)
        speaker: Actor | None = None
        if verb is not None and (subject := subject_of(verb)) is not None:
            speaker = resolve_subject(subject, context, last_person or previous_speaker)
        at_paragraph_start = start == 0 or text[:start].rstrip(" \t").endswith("\n")
        if speaker is None and at_paragraph_start:
            speaker = previous_speaker
        if speaker is not None:
            previous_speaker = speaker
            if speaker.name:
                last_person = speaker
        attribution.quotes.append(
            Quote(speaker=speaker, text=match.group(1).strip(), start_char=start, end_char=end, cue=verb.text if verb is not None else None)
        )
    attribution.answer_speaker = transcript_speaker(doc, context)
    if attribution.answer_speaker is not None:
        attribution.answer_ranges = _answer_ranges(text)
        for start, end in attribution.answer_ranges:
            body = text[start:end].strip()
            attribution.quotes.append(Quote(speaker=attribution.answer_speaker, text=body, start_char=start, end_char=end, cue="A:"))
    return attribution

