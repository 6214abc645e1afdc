"""From a parsed article to PLOVER events: dependency patterns over the spaCy parse.

For every sentence, :mod:`triggers` names the event words; this module fills each event in:

* **actor**: the trigger's subject (the agent of a passive; the subject of the governing verb
  for "agreed *to cooperate*"; the possessor or "by"-phrase of a nominal trigger); pronouns go
  to the last person named ("he") or, inside a quotation or transcript answer, to the speaker
  ("we");
* **recipient**: objects and prepositional objects (to, with, on, against, at ...), then actors
  named inside the complement clause, then, as a weaker guess, the nearest other actor;
* **mode, negation and modality**: a negated cooperative act is a REJECT; a negated conflict
  is no event; "X must/should do Y" said by someone is that speaker's REQUEST to X, and so is
  "sanctions can be eased" in a speaker's mouth;
* **date, place, quote**: from :mod:`dates`, :mod:`places`, :mod:`quotes`.

Confidence is a documented sum of evidence, not a probability estimate.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from eventcoder.extract.actors import NON_STATE_CODES, ActorContext, find_actor_mentions, load_actor_dictionary
from eventcoder.extract.dates import resolve_when
from eventcoder.extract.places import resolve_place
from eventcoder.extract.quotes import Attribution, attribute, is_turn_marker, subject_of
from eventcoder.extract.triggers import SPEECH_NOUNS, SPEECH_VERBS, STATIVE_PASSIVES, Trigger, TriggerRule, depth, find_triggers, is_passive, load_lexicon, object_tokens
from eventcoder.model import Actor, Article, Event, Place, Quote, hash_id
from eventcoder.nlp.components import span_entities
from eventcoder.ontology.plover import describe

EXTRACTOR = "events.v1"

COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT"})
SYMMETRIC = frozenset({"AGREE", "CONSULT", "COOPERATE"})
VERBAL = frozenset({"REQUEST", "ACCUSE", "REJECT", "THREATEN"})
DEONTIC = frozenset({"must", "should", "ought", "need"})
POSSIBILITY = frozenset({"can", "could", "may", "might"})
FUTURE = frozenset({"will", "would", "shall", "'ll"})
# Verbs that, in a speaker's mouth with "can/should be ...", ask for sanctions or pressure to ease.
EASE_VERBS = frozenset("adjust ease lift relax remove pause loosen suspend reduce consider review end".split())
# Everyday action verbs that make "X must/should <verb>" an appeal, beyond the trigger lexicon.
ACTION_VERBS = EASE_VERBS | frozenset(
    "stop halt cease drop hand comply respect abide implement take resume return accept allow "
    "leave quit resign pay apologize apologise explain honor honour fulfil fulfill keep refrain".split()
)
RECIPIENT_PREPS = frozenset("to with on upon against at from toward towards into between over for of".split())
PLACE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "across", "throughout"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
SPEAKER_PRONOUNS = frozenset({"we", "us", "i", "our"})
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
GROUP_PRONOUNS = frozenset({"it", "they", "them"})


@dataclass
class Discourse:
    """What earlier sentences established: who 'he' and 'they' are, and who is speaking."""

    context: ActorContext
    attribution: Attribution
    last_person: Actor | None = None
    last_group: Actor | None = None
    article_country: str | None = None


def _phrase(token: Token) -> Span:
    return token.doc[token.left_edge.i : token.right_edge.i + 1]


def _speaker_for(token: Token, discourse: Discourse) -> Actor | None:
    """The speaker of the statement containing ``token``: quotation, transcript answer, or the
    subject of a governing speech verb."""
    speaker = discourse.attribution.speaker_at(token.idx)
    if speaker is not None:
        return speaker
    for ancestor in token.ancestors:
        verb = _speech_verb(ancestor)
        if verb is not None and (subject := subject_of(verb)) is not None:
            found = _resolve_token(subject, discourse, speaker_fallback=False)
            if found:
                return found[0]
            # A speaker the dictionary does not know is still the one speaking.
            return _unknown_agent(subject) if subject.pos_ != "PRON" and _could_be_agent(subject) else None
    return None


def _unknown_agent(subject: Token) -> Actor:
    """An agent the dictionary does not know ("the Hamas", "Ousted President Askar Akayev"),
    kept by its text; its country is inferred later from where it acts."""
    phrase = _phrase(subject)
    return Actor(text=phrase.text, start_char=phrase.start_char, end_char=phrase.end_char)


def _speech_verb(token: Token) -> Token | None:
    """The verb whose subject says what ``token`` governs: a speech verb ("said"), or the verb
    of a statement noun ("issued a reminder that ...", "sent a warning ... that ...")."""
    if token.lemma_.lower() in SPEECH_VERBS:
        return token
    if token.lemma_.lower() in SPEECH_NOUNS and token.head.pos_ == "VERB":
        return token.head
    if token.pos_ == "VERB" and any(c.dep_ == "dobj" and c.lemma_.lower() in SPEECH_NOUNS for c in token.children):
        return token
    return None


def _resolve_token(token: Token, discourse: Discourse, *, speaker_fallback: bool = True) -> list[Actor]:
    """Actors named by the phrase headed by ``token``, with pronouns resolved."""
    word = token.lower_
    if word in PERSON_PRONOUNS | GROUP_PRONOUNS | SPEAKER_PRONOUNS:
        # "Hungary said it will ...", "The rebels said they would ...": the pronoun is the
        # speaker of the governing speech verb in the same sentence.
        for ancestor in token.ancestors:
            subject = subject_of(ancestor) if ancestor.lemma_.lower() in SPEECH_VERBS else None
            if subject is not None and subject.pos_ != "PRON":
                found = load_actor_dictionary().resolve_all(_phrase(subject), discourse.context)
                if found:
                    return found
    if word in PERSON_PRONOUNS:
        return [discourse.last_person] if discourse.last_person else []
    if word in SPEAKER_PRONOUNS:
        speaker = discourse.attribution.speaker_at(token.idx) if speaker_fallback else None
        return [speaker] if speaker else []
    if word in GROUP_PRONOUNS:
        return [discourse.last_group] if discourse.last_group else []
    actors = load_actor_dictionary().resolve_all(_phrase(token), discourse.context)
    if not actors and (remembered := discourse.context.lookup(token.text)) is not None:
        actors = [remembered]
    return actors


def _subject_token(trigger: Token) -> Token | None:
    """Who acts: the subject, the passive agent, or the subject of a governing verb."""
    if trigger.pos_ in {"NOUN", "PROPN"}:
        for child in trigger.children:
            if child.dep_ == "poss" or (child.dep_ == "nmod" and child.ent_type_ in {"PERSON", "GPE", "NORP", "ORG"}):
                return child
            if child.dep_ == "prep" and child.lower_ in {"by", "between"}:
                return next((g for g in child.children if g.dep_ == "pobj"), None)
        return None
    if is_passive(trigger):
        agent = next((c for c in trigger.children if c.dep_ == "agent"), None)
        if agent is None and trigger.lemma_.lower() in STATIVE_PASSIVES:
            return next((c for c in trigger.children if c.dep_ == "nsubjpass"), None)
        return next((g for g in agent.children if g.dep_ == "pobj"), None) if agent is not None else None
    current = trigger
    while True:
        subject = next((c for c in current.children if c.dep_ in {"nsubj", "csubj"} and not is_turn_marker(c)), None)
        if subject is not None:
            return subject
        if current.dep_ not in {"xcomp", "conj", "advcl", "acl", "acomp", "attr"} or current.head.i == current.i:
            return None
        current = current.head


def _countries_in(modifiers: list[Token], discourse: Discourse) -> list[Actor]:
    """Every country named inside modifier words, hyphenated lists included ("China-Japan-ROK")."""
    found: list[Actor] = []
    dictionary = load_actor_dictionary()
    for modifier in modifiers:
        for token in modifier.subtree:
            offset = 0
            for part in re.split(r"([-/–])", token.text):
                entries = [e for e in dictionary.lookup(part) if e.code] if part.strip("-/–") else []
                if entries:
                    start = token.idx + offset
                    found.append(Actor(text=part, start_char=start, end_char=start + len(part), country=entries[0].code, sector=entries[0].sector or "GOV", name=entries[0].name))
                offset += len(part)
    return _without(found, [])


def _same(a: Actor, b: Actor) -> bool:
    """The same party: same country and name (one phrase may name two: "the US and the DPRK")."""
    return (a.country, a.name) == (b.country, b.name) and (a.country is not None or a.start_char == b.start_char)


def _without(actors: list[Actor], taken: list[Actor]) -> list[Actor]:
    kept: list[Actor] = []
    for actor in actors:
        if not any(_same(actor, t) for t in taken + kept):
            kept.append(actor)
    return kept


def _recipients(trigger: Token, sentence: Span, actors: list[Actor], discourse: Discourse, excluded: set[int], particle: str = "") -> tuple[list[Actor], bool]:
    """Recipients and whether they came from the direct grammar (not a proximity guess).

    A place phrase is not a recipient ("agreed in Singapore"), unless the rule is about the
    place itself ("arrived in Amman" is a visit to Jordan)."""
    # The event noun itself ("the Meeting was held") names no recipient.
    lexicon = load_lexicon()
    direct: list[Token] = [
        o for o in object_tokens(trigger)
        if o.i not in excluded
        and not (o.dep_ == "nsubjpass" and ((o.lemma_.lower(), "N") in lexicon or (o.lower_, "N") in lexicon))
        and not (o.dep_ == "pobj" and o.head.lower_ in PLACE_PREPS and o.head.lower_ != particle)
    ]
    for child in trigger.children:
        if child.dep_ == "prep" and child.lower_ in RECIPIENT_PREPS:
            direct += [g for g in child.children if g.dep_ == "pobj"]
    found: list[Actor] = []
    for token in direct:
        resolved = _resolve_token(token, discourse)
        if len(resolved) <= 1 and token.pos_ != "PRON":
            resolved += _entity_actors(token, sentence, discourse, excluded)
        found += resolved
    found = [a for a in _without(found, actors) if a.country]
    if found:
        return found, True
    # Actors named inside the complement clause ("suggested that relief be considered for North Korea").
    places = {t.i for t in sentence if t.dep_ == "pobj" and t.head.lower_ in PLACE_PREPS}
    for child in trigger.children:
        if child.dep_ in {"ccomp", "xcomp", "dobj", "prep"}:
            found += _entity_actors(child, sentence, discourse, excluded | places)
    found = _without(found, actors)
    if found:
        return found, True
    if trigger.pos_ in {"NOUN", "PROPN"} or (len(actors) > 1 and trigger_symmetric(trigger)):
        return [], False  # "A and B signed" needs no other party; guessing one would be wrong
    nearest = sorted(
        (a for a in find_actor_mentions_in(sentence, discourse) if not ((excluded | places) & _token_range(sentence, a))),
        key=lambda a: abs(a.start_char - trigger.idx),
    )
    return _without(nearest[:1], actors), False


def trigger_symmetric(trigger: Token) -> bool:
    """Acts two parties do together: several actors and no recipient is a complete record."""
    return any(r.event_type in SYMMETRIC for r in load_lexicon().get((trigger.lemma_.lower(), "V"), []))


def _entity_actors(head: Token, sentence: Span, discourse: Discourse, excluded: set[int]) -> list[Actor]:
    """Actors named by the entities inside ``head``'s subtree, each entity resolved on its own."""
    low, high = head.left_edge.i, head.right_edge.i
    # Adverbial and relative clauses inside the complement tell of other events ("..., after
    # Trump and Kim pledged ..."); their actors are not this event's recipients.
    excluded = excluded | {t.i for d in head.subtree if d.dep_ in {"advcl", "relcl"} and d != head for t in d.subtree}
    found: list[Actor] = []
    covered: set[int] = set()
    for entity in span_entities(sentence):
        if low <= entity.start and entity.end - 1 <= high and entity.label_ in {"GPE", "NORP", "ORG", "PERSON"}:
            covered |= set(range(entity.start, entity.end))
            if not excluded & set(range(entity.start, entity.end)):
                found += load_actor_dictionary().resolve_all(entity, discourse.context)
    # The small model misses some names ("the DPRK"); a proper noun the dictionary knows counts.
    for token in sentence.doc[low : high + 1]:
        if token.pos_ == "PROPN" and token.i not in covered | excluded and token.ent_type_ == "":
            found += load_actor_dictionary().resolve_all(sentence.doc[token.i : token.i + 1], discourse.context)
    return found


def _token_range(sentence: Span, actor: Actor) -> set[int]:
    span = sentence.doc.char_span(actor.start_char, actor.end_char, alignment_mode="expand")
    return set(range(span.start, span.end)) if span is not None else set()


def find_actor_mentions_in(sentence: Span, discourse: Discourse) -> list[Actor]:
    dictionary = load_actor_dictionary()
    mentions: list[Actor] = []
    for chunk in sentence.noun_chunks:
        mentions += dictionary.resolve_all(chunk, discourse.context)
    return mentions


def _place(trigger: Token, sentence: Span, used: set[int]) -> Place | None:
    """Where: a place entity in an 'in/at ...' phrase, on the trigger's own phrase first,
    else the one nearest the trigger in the sentence."""
    own = {t.i for t in trigger.subtree}
    candidates = [
        e for e in span_entities(sentence)
        if e.label_ in PLACE_LABELS and e.root.dep_ == "pobj" and e.root.head.lower_ in PLACE_PREPS and not used & set(range(e.start, e.end))
    ]
    # Place phrases follow what they locate ("signing ... at their summit in Singapore"); a place
    # before the trigger more often belongs to a framing clause ("Speaking in Beijing, ...").
    candidates.sort(key=lambda e: (e.root.i not in own, e.start < trigger.i, abs(e.start - trigger.i)))
    for entity in candidates:
        place = resolve_place(entity.text, entity.start_char, entity.end_char)
        if place is not None:
            return place
    return None


def _local_country(place: Place | None, sentence: Span, discourse: Discourse, avoid: set[str | None], *, article_fallback: bool = True) -> str | None:
    """The country an actor named only by role ("rebels", "the opposition", "President X")
    belongs to, following the CAMEO convention of coding such agents by where they act:
    the event's place, else the first country the sentence names, else the article's main one."""
    if place is not None and place.country:
        return place.country
    named = [
        actor.country
        for entity in span_entities(sentence) if entity.label_ in {"GPE", "NORP"}
        for actor in load_actor_dictionary().resolve_all(entity, discourse.context)
        if actor.country and actor.country not in NON_STATE_CODES
    ]
    # The other party's country is the least likely home of an unnamed agent ("a bombing
    # killed three US soldiers" was not carried out by the United States).
    preferred = [c for c in named if c not in avoid]
    return (preferred or named or [discourse.article_country if article_fallback else None])[0]


def _could_be_agent(subject: Token) -> bool:
    """Names, and plural nouns ("doctors", "prisoners", "landowners"), can act; singular
    common nouns are mostly things ("the opportunity ... seized")."""
    return subject.pos_ == "PROPN" or subject.tag_ == "NNS" or any(t.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"} for t in subject.subtree)


def _implied_recipient(place: Place | None, sentence: Span, discourse: Discourse) -> Actor | None:
    """A domestic act with no named target ("imposed a curfew in Cizre", "demonstrated in
    Kirkuk") is coded, as CAMEO does, against the country where it happens: the event's place,
    else the first country the sentence names."""
    if place is not None and place.country:
        return Actor(text=place.text, start_char=place.start_char, end_char=place.end_char, country=place.country)
    for entity in span_entities(sentence):
        if entity.label_ in {"GPE", "NORP"}:
            for actor in load_actor_dictionary().resolve_all(entity, discourse.context):
                if actor.country and actor.country not in NON_STATE_CODES:
                    return actor.model_copy(update={"name": None})
    return None


def _ethnic_at(actor: Actor, place: Place | None) -> Actor:
    """"Ethnic Albanians" in an event in Serbia are Serbia's (CAMEO codes an ethnic group by
    its country of residence); the dictionary gave them the kin state's code."""
    if place is None or not place.country or actor.country in (None, place.country):
        return actor
    words = actor.text.split()
    kin = [words[i + 1] for i, w in enumerate(words[:-1]) if w.lower() == "ethnic"]
    # Only when the phrase's own country came from that demonym ("Serbia's suppression of
    # ethnic Albanian unrest" stays Serbia's).
    if not any(e.kind == "demonym" and e.code == actor.country for w in kin for e in load_actor_dictionary().lookup(w)):
        return actor
    return actor.model_copy(update={"country": place.country})


def _localize(actor: Actor, country: str | None) -> Actor:
    if actor.country or country is None:
        return actor
    return actor.model_copy(update={"country": country})


def _modal(token: Token) -> set[str]:
    return {c.lower_ for c in token.children if c.dep_ == "aux"}


def _negated(token: Token) -> bool:
    return any(c.dep_ == "neg" for c in token.children) or any(c.lower_ == "no" and c.dep_ == "det" for c in token.children)


def _excluded_tokens(trigger: Token, sentence: Span) -> set[int]:
    """Tokens whose actors are neither recipients nor sources: the reporter of a 'said' clause."""
    excluded: set[int] = set()
    for token in sentence:
        if token.lemma_.lower() in SPEECH_VERBS and token.i != trigger.i and trigger not in [token] and token not in trigger.subtree:
            subject = subject_of(token)
            if subject is not None and subject not in trigger.subtree:
                excluded |= {t.i for t in subject.subtree}
    return excluded


def _classify(trigger: Trigger, sentence: Span) -> tuple[str, str | None, bool] | None:
    """Event type and mode after negation and modality, or None when no event happened."""
    token, rule = trigger.token, trigger.rule
    event_type, mode = rule.event_type, rule.mode
    negated = _negated(token)
    if negated:
        if event_type in COOPERATIVE:
            return "REJECT", None, True
        if event_type not in VERBAL:
            return None
    modals = _modal(token)
    words = {t.lower_ for t in sentence}
    # CAMEO/PLOVER code a stated intention as its own act: an intention to cooperate is an
    # AGREE, an intention to coerce or attack is a THREATEN.
    if modals & FUTURE and event_type not in VERBAL:
        if event_type in COOPERATIVE and not words & {"unless"}:
            return "AGREE", None, negated
        return "THREATEN", None, negated
    if modals & DEONTIC and event_type not in VERBAL:
        return "REQUEST", "yield" if event_type in {"RETREAT", "CONCEDE"} else "change", negated
    return event_type, mode, negated


def _confidence(rule: TriggerRule, token: Token, has_actor: bool, recipient_direct: bool, has_recipient: bool) -> float:
    score = 0.55 if token.pos_ in {"VERB", "AUX", "ADJ"} else 0.4
    # The main clause (or the content of a main-clause "said") carries the sentence's news;
    # events in subordinate clauses are more often circumstance than report.
    hops = depth(token) - sum(1 for a in token.ancestors if a.lemma_.lower() in SPEECH_VERBS)
    score += 0.1 if hops <= 0 else (0.0 if hops == 1 else -0.1)
    score += 0.1 * rule.specificity
    score += 0.15 if has_actor else -0.2
    score += 0.1 if recipient_direct else (0.0 if has_recipient else -0.1)
    return round(max(0.05, min(0.95, score)), 2)


def _deontic_rule(token: Token) -> TriggerRule | None:
    """'X must/should <act>' and, from a speaker, 'sanctions can/could be eased': a REQUEST."""
    modals = _modal(token)
    lemma = token.lemma_.lower()
    if token.pos_ != "VERB" or lemma not in ACTION_VERBS:
        return None
    if modals & DEONTIC or (modals & POSSIBILITY and lemma in EASE_VERBS and is_passive(token)):
        return TriggerRule(lemma, "", frozenset(), "V", "REQUEST", "yield" if lemma in EASE_VERBS else "change")
    return None


def _event(article: Article, sentence: Span, trigger: Trigger, discourse: Discourse, *, lead: bool) -> Event | None:
    token = trigger.token
    classified = _classify(trigger, sentence)
    if classified is None:
        return None
    event_type, mode, negated = classified
    speaker = _speaker_for(token, discourse)
    excluded = _excluded_tokens(token, sentence)
    appeal = event_type == "REQUEST" and (trigger.rule.event_type != "REQUEST" or trigger.appeal)
    subject = _subject_token(token)
    actors: list[Actor] = []
    recipients: list[Actor] = []
    if appeal:
        # The one who must act is the recipient; the one who says so is the actor.
        actors = [speaker] if speaker else []
        if subject is not None and not is_passive(token):
            recipients = _resolve_token(subject, discourse)
        recipient_direct = bool(recipients)
        if not recipients:
            recipients, recipient_direct = _recipients(token, sentence, actors, discourse, excluded, trigger.rule.particle)
    else:
        if subject is not None and not (token.pos_ in {"NOUN", "PROPN"} and subject.pos_ == "PRON"):
            actors = _resolve_token(subject, discourse)
        if not actors:
            # "The China-Japan-ROK Leaders' Meeting was held", "US-China talks": the parties
            # are named as modifiers of the event noun.
            lexicon = load_lexicon()
            nouns = [token] if token.pos_ in {"NOUN", "PROPN"} else [
                o for o in object_tokens(token) if o.dep_ == "nsubjpass" and ((o.lemma_.lower(), "N") in lexicon or (o.lower_, "N") in lexicon)
            ]
            for noun in nouns:
                actors += _countries_in([c for c in noun.children if c.dep_ in {"compound", "amod", "nmod", "poss"}], discourse)
        if not actors and speaker is not None and event_type in VERBAL and subject is None:
            actors = [speaker]
        subject_tokens = {t.i for t in subject.subtree} if subject is not None else set()
        recipients, recipient_direct = _recipients(token, sentence, actors, discourse, excluded | subject_tokens, trigger.rule.particle)
    if token.pos_ in {"NOUN", "PROPN"} and not actors:
        return None  # a bare nominal mention ("sanctions", "the summit") is not an event report
    if not actors and subject is not None and not appeal and _could_be_agent(subject):
        actors = [_unknown_agent(subject)]
    if not actors and not recipients:
        return None  # nobody acts and nobody is named as affected: nothing to code
    if subject is not None and subject.ent_type_ == "PERSON" and actors:
        discourse.last_person = actors[0]
    elif actors and actors[0].name is None:
        discourse.last_group = actors[0]
    used = {t.i for t in subject.subtree} if subject is not None else set()
    place = _place(token, sentence, used)
    actors = [_ethnic_at(a, place) for a in actors]
    recipients = [_ethnic_at(a, place) for a in recipients]
    if actors and not recipients and not (len(actors) > 1 and event_type in SYMMETRIC) and token.pos_ != "NOUN":
        implied = _implied_recipient(place, sentence, discourse)
        recipients = [implied] if implied is not None else []
    # "The three leaders", "the two countries' leaders" name several parties: no single country.
    counted_governments = subject is not None and any(t.dep_ == "nummod" for t in subject.subtree) and all(a.sector in {"GOV", None} for a in actors)
    if not counted_governments:
        actors = [_localize(a, _local_country(place, sentence, discourse, {r.country for r in recipients})) for a in actors]
    recipients = [_localize(a, _local_country(place, sentence, discourse, {r.country for r in actors}, article_fallback=False)) for a in recipients]
    when, background = resolve_when(sentence, token, article.published, lead=lead)
    quote = None
    if speaker is not None:
        covering = next((q for q in discourse.attribution.quotes if q.start_char <= token.idx < q.end_char), None)
        quote = covering or Quote(speaker=speaker, text=sentence.text, start_char=sentence.start_char, end_char=sentence.end_char, cue=None)
    key = (article.id, token.idx, event_type, tuple(a.country for a in actors), tuple(a.country for a in recipients))
    return Event(
        id=hash_id(*key),
        article_id=article.id,
        event_type=event_type,
        mode=mode,
        **describe(event_type, mode),  # type: ignore[arg-type]
        actors=actors,
        recipients=recipients,
        trigger=token.text,
        when=when,
        place=place,
        quote=quote,
        background=background,
        negated=negated,
        sentence=sentence.text.strip(),
        start_char=sentence.start_char,
        end_char=sentence.end_char,
        confidence=_confidence(trigger.rule, token, bool(actors), recipient_direct, bool(recipients)),
        extractor=EXTRACTOR,
    )


def extract_events(article: Article, doc: Doc) -> tuple[list[Event], list[Quote]]:
    """Every event the article reports, and every attributed quotation, in text order."""
    context = ActorContext(year=article.published.year if article.published else None)
    mentions = Counter(a.country for a in find_actor_mentions(doc, context) if a.country and a.country not in NON_STATE_CODES)
    discourse = Discourse(context=context, attribution=attribute(doc, context))
    discourse.article_country = mentions.most_common(1)[0][0] if mentions else None
    events: list[Event] = []
    for index, sentence in enumerate(doc.sents):
        if sentence.text.strip().endswith("?"):
            continue  # a question reports no event; journalists' Q: turns ask, they do not tell
        triggers = find_triggers(sentence)
        taken = {t.token.i for t in triggers}
        for token in sentence:
            rule = None if token.i in taken else _deontic_rule(token)
            if rule is not None and (discourse.attribution.speaker_at(token.idx) or any(_speech_verb(a) is not None for a in token.ancestors)):
                triggers.append(Trigger(token, rule, appeal=True))
        for trigger in sorted(triggers, key=lambda t: t.token.i):
            event = _event(article, sentence, trigger, discourse, lead=index < 2)
            if event is not None:
                events.append(event)
        for token in sentence:
            if token.dep_ in {"nsubj", "nsubjpass"} and token.ent_type_ == "PERSON":
                found = _resolve_token(token, discourse)
                if found:
                    discourse.last_person = found[0]
    return events, discourse.attribution.quotes
