"""From a parsed article to PLOVER events: dependency patterns over the spaCy parse.

For every sentence, :mod:`triggers` names the event words and :mod:`parties` who acts and who
is acted upon; this module decides what each trigger is and fills the event in:

* **mode, negation and modality**: a negated cooperative act is a REJECT; a negated conflict
  is no event; "X must/should do Y" said by someone is that speaker's REQUEST to X, and so are
  "sanctions can be eased" in a speaker's mouth and the subjunctive content of a demand ("its
  demand that Israel ease ..."); what someone is asked to do is not coded as done;
* **date, place, quote**: from :mod:`dates`, :mod:`places`, :mod:`quotes`.

Confidence is a documented sum of evidence, not a probability estimate.
"""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Doc, Span, Token

from eventcoder.extract.actors import NON_STATE_CODES, ActorContext, find_actor_mentions
from eventcoder.extract.dates import resolve_when
from eventcoder.extract.parties import (
    Discourse,
    could_be_agent,
    countries_in,
    ethnic_at,
    event_place,
    find_recipients,
    implied_party,
    local_country,
    localize,
    resolve_token,
    speaker_for,
    speech_verb,
    subject_token,
    token_range,
    unknown_agent,
)
from eventcoder.extract.quotes import attribute, subject_of
from eventcoder.extract.triggers import DEONTIC, FUTURE, POSSIBILITY, SPEECH_VERBS, SYMMETRIC, Trigger, TriggerRule, depth, find_triggers, is_passive, load_lexicon, modals, object_tokens
from eventcoder.model import Actor, Article, Event, Quote, hash_id
from eventcoder.ontology.plover import describe

EXTRACTOR = "events.v1"

COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT"})
VERBAL = frozenset({"REQUEST", "ACCUSE", "REJECT", "THREATEN"})
# Verbs that, in a speaker's mouth with "can/should be ...", ask for sanctions or pressure to ease.
EASE_VERBS = frozenset("adjust ease lift relax remove pause loosen suspend reduce consider review end".split())
# Nouns whose "that"-clause is what someone demands ("its demand that Israel ease ...").
DEMAND_NOUNS = frozenset("demand call appeal request plea insistence ultimatum".split())


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
    aux = modals(token)
    words = {t.lower_ for t in sentence}
    # CAMEO/PLOVER code a stated intention as its own act: an intention to cooperate is an
    # AGREE, an intention to coerce or attack is a THREATEN.
    if aux & FUTURE and event_type not in VERBAL:
        if event_type in COOPERATIVE and not words & {"unless"}:
            return "AGREE", None, negated
        return "THREATEN", None, negated
    if (aux & DEONTIC or _demanded(token)) and event_type not in VERBAL:
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
    """In a speaker's mouth, 'X must/should <do anything>' ("must ensure security", "must be
    ready to mediate"), 'sanctions can/could be eased', and the subjunctive content of a demand
    ("its demand that Israel ease ..."): a REQUEST."""
    aux = modals(token)
    lemma = token.lemma_.lower()
    if _demanded(token):
        asks = True
    elif is_passive(token):
        # "Sanctions should be adjusted" asks for relief; "détente should be cherished" asks
        # no one in particular for anything.
        asks = lemma in EASE_VERBS and bool(aux & (DEONTIC | POSSIBILITY))
    else:
        acts = token.pos_ == "VERB" or (lemma == "be" and any(c.dep_ in {"acomp", "attr"} for c in token.children))
        subject = subject_of(token)
        asks = acts and bool(aux & DEONTIC) and subject is not None and (subject.pos_ == "PRON" or could_be_agent(subject))
    return TriggerRule(lemma, "", frozenset(), "V", "REQUEST", "yield" if lemma in EASE_VERBS else "change") if asks else None


def _demanded(token: Token) -> bool:
    """The subjunctive verb spelling out a demand: "reiterated its demand that Israel ease
    restrictions", "the call that the army withdraw"."""
    if token.pos_ != "VERB" or token.tag_ != "VB" or modals(token) or token.dep_ not in {"ccomp", "acl"}:
        return False
    if not any(c.dep_ == "nsubj" for c in token.children) or not any(c.dep_ == "mark" and c.lower_ == "that" for c in token.children):
        return False
    head = token.head
    if head.lemma_.lower() in DEMAND_NOUNS:
        return True
    return head.pos_ == "VERB" and any(c.dep_ == "dobj" and c.lemma_.lower() in DEMAND_NOUNS for c in head.children)


def _inside_appeals(triggers: list[Trigger]) -> set[int]:
    """Tokens inside what someone is asked to do ("must ensure security to allow aid in"):
    the acts there are the demand's content, not events that happened."""
    inside: set[int] = set()
    for trigger in triggers:
        token = trigger.token
        if trigger.appeal or (modals(token) & DEONTIC and trigger.rule.event_type not in VERBAL):
            inside |= _content(token) - {token.i}
        elif trigger.rule.event_type == "REQUEST" and not _negated(token):
            # "demanded that Sudan end curbs", "urged the EC to support the PLO": the content.
            for child in token.children:
                if child.dep_ in {"ccomp", "xcomp", "acl"}:
                    inside |= _content(child)
    return inside


def _content(head: Token) -> set[int]:
    """``head``'s subtree without its "after/when/because ..." clauses, which tell of other
    events ("relief could be considered, after Trump and Kim pledged ..."); "to allow ..." is a
    demand's purpose and stays."""
    elsewhere = {t.i for d in head.subtree if d.dep_ == "advcl" and any(m.dep_ == "mark" for m in d.children) for t in d.subtree}
    return {t.i for t in head.subtree} - elsewhere


def _event(article: Article, sentence: Span, trigger: Trigger, discourse: Discourse, *, lead: bool) -> Event | None:
    token = trigger.token
    classified = _classify(trigger, sentence)
    if classified is None:
        return None
    event_type, mode, negated = classified
    speaker = speaker_for(token, discourse)
    excluded = _excluded_tokens(token, sentence)
    appeal = event_type == "REQUEST" and (trigger.rule.event_type != "REQUEST" or trigger.appeal)
    subject = subject_token(token)
    agentive = subject is not None and could_be_agent(subject)
    actors: list[Actor] = []
    recipients: list[Actor] = []
    if appeal:
        # The one who must act is the recipient; the one who says so is the actor.
        actors = [speaker] if speaker else []
        if subject is not None and not is_passive(token):
            recipients = resolve_token(subject, discourse)
        recipient_direct = bool(recipients)
        if not recipients:
            recipients, recipient_direct = find_recipients(token, sentence, actors, discourse, excluded, trigger.rule.particle, event_type)
    else:
        if subject is not None and not (token.pos_ in {"NOUN", "PROPN"} and subject.pos_ == "PRON"):
            actors = resolve_token(subject, discourse)
        if not actors:
            # "The China-Japan-ROK Leaders' Meeting was held", "US-China talks": the parties
            # are named as modifiers of the event noun.
            lexicon = load_lexicon()
            nouns = [token] if token.pos_ in {"NOUN", "PROPN"} else [
                o for o in object_tokens(token) if o.dep_ == "nsubjpass" and ((o.lemma_.lower(), "N") in lexicon or (o.lower_, "N") in lexicon)
            ]
            for noun in nouns:
                actors += countries_in([c for c in noun.children if c.dep_ in {"compound", "amod", "nmod", "poss"}], discourse)
        if not actors and speaker is not None and event_type in VERBAL and subject is None:
            actors = [speaker]
        subject_tokens = {t.i for t in subject.subtree} if subject is not None else set()
        recipients, recipient_direct = find_recipients(token, sentence, actors, discourse, excluded | subject_tokens, trigger.rule.particle, event_type)
    if token.pos_ in {"NOUN", "PROPN"} and not actors:
        return None  # a bare nominal mention ("sanctions", "the summit") is not an event report
    if not actors and agentive and not appeal:
        actors = [unknown_agent(subject)]
    if not actors and not recipients:
        return None  # nobody acts and nobody is named as affected: nothing to code
    if subject is not None and subject.ent_type_ == "PERSON" and actors:
        discourse.last_person = actors[0]
    elif actors and actors[0].name is None:
        discourse.last_group = actors[0]
    # A place inside the agent's phrase is where the agent is from ("officials in Beijing");
    # inside a thing's phrase it is where the event was ("an explosion near Kunduz").
    used = {t.i for t in subject.subtree} - {t.i for t in token.subtree} if agentive else set()
    place = event_place(token, sentence, used, discourse)
    actors = [ethnic_at(a, place) for a in actors]
    recipients = [ethnic_at(a, place) for a in recipients]
    # The reporter's words stay out of the local guesses below, unless the reporter is the actor
    # ("The rebels said they will ...").
    excluded = excluded - {i for a in actors for i in token_range(sentence, a)}
    if actors and not recipients and not (len(actors) > 1 and event_type in SYMMETRIC) and token.pos_ != "NOUN":
        # An actor that is a country's bare name is not its own target ("Hungary threatened to
        # block the extension"); a role named with a demonym may be ("Israeli police arrested").
        bare: set[int] = set()
        for actor in actors:
            span = token_range(sentence, actor)
            if actor.name is None and all(sentence.doc[i].ent_type_ == "GPE" or sentence.doc[i].dep_ == "det" for i in span):
                bare |= span
        implied = implied_party(place, sentence, discourse, excluded | bare)
        recipients = [implied] if implied is not None else []
    if not actors and recipients and event_type not in VERBAL | SYMMETRIC and (is_passive(token) or not agentive):
        # "A journalist was killed in Beirut": an agentless act is coded, as CAMEO does, to the
        # authorities or forces of the country where it happened.
        implied = implied_party(place, sentence, discourse, excluded | {i for a in recipients for i in token_range(sentence, a)})
        victim = recipients[0]
        if implied is None and victim.country and victim.country not in NON_STATE_CODES and victim.sector != "MIL":
            # Nowhere else named: a domestic act ("an explosion killed two Iraqi youths"); soldiers
            # are as often abroad ("two US soldiers were killed": by whom, unknown).
            implied = victim.model_copy(update={"name": None, "sector": None, "inferred": True})
        actors = [implied] if implied is not None else []
    # "The three leaders", "the two countries' leaders" name several parties: no single country.
    counted_governments = subject is not None and any(t.dep_ == "nummod" for t in subject.subtree) and all(a.sector in {"GOV", None} for a in actors)
    if not counted_governments:
        actors = [localize(a, local_country(place, sentence, discourse, {r.country for r in recipients}, excluded)) for a in actors]
    recipients = [localize(a, local_country(place, sentence, discourse, {r.country for r in actors}, excluded, article_fallback=False)) for a in recipients]
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
            if rule is not None and (discourse.attribution.speaker_at(token.idx) or any(speech_verb(a) is not None for a in token.ancestors)):
                triggers.append(Trigger(token, rule, appeal=True))
        # "its demand that Israel ease ...": the demanded clause is the event, not the noun.
        triggers = [t for t in triggers if not (t.token.pos_ == "NOUN" and t.rule.event_type == "REQUEST"
                                                 and any(_demanded(c) for c in t.token.children))]
        inside = _inside_appeals(triggers)
        for trigger in sorted(triggers, key=lambda t: t.token.i):
            if trigger.token.i in inside:
                continue
            event = _event(article, sentence, trigger, discourse, lead=index < 2)
            if event is not None:
                events.append(event)
        for token in sentence:
            if token.dep_ in {"nsubj", "nsubjpass"} and token.ent_type_ == "PERSON":
                found = resolve_token(token, discourse)
                if found:
                    discourse.last_person = found[0]
    return events, discourse.attribution.quotes
