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

import math
from collections import Counter
from typing import Any
from urllib.parse import urlsplit
from dataclasses import dataclass, replace

import numpy as np

from spacy.tokens import Doc, Span, Token

from eventcoder.extract.actors import NON_STATE_CODES, ActorContext, find_actor_mentions
from eventcoder.extract.dates import resolve_when
from eventcoder.extract.datelines import find_dateline
from eventcoder.extract.outlets import is_credited_copy, outlet_country
from eventcoder.extract.places import resolve_place
from eventcoder.extract.parties import (
    Discourse,
    could_be_agent,
    countries_in,
    means_agent,
    ethnic_at,
    event_place,
    find_recipients,
    lead_setting,
    names_a_place,
    implied_party,
    remember_named,
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
from eventcoder.extract.classifier import NONE, Candidate, candidate_features, load_classifier, sentence_features
from eventcoder.extract.triggers import DEONTIC, FUTURE, INTENT_WORDS, POSSIBILITY, SPEECH_VERBS, STATIVE_VERBS, SYMMETRIC, Trigger, TriggerRule, depth, purpose_clause, find_triggers, is_passive, load_lexicon, match_token, modals, object_tokens
from eventcoder.model import Actor, Article, Event, Quote, hash_id
from eventcoder.ontology.plover import describe

EXTRACTOR = "events.v8"
# The lead paragraph of a news story (its first one or two sentences) says where it happens.
LEAD_SENTENCES = 2
# Acts done on the ground (quad classes 2 and 4) happen where the story does; a statement,
# demand or accusation is made wherever its speaker was ("Paris said", a leader's tweet).
MATERIAL_QUADS = frozenset({2, 4})
# The settings of ``event_model``: the shipped learned classifier, or the rules alone.
EVENT_MODELS = ("classifier", "rules")

COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT"})
VERBAL = frozenset({"REQUEST", "ACCUSE", "REJECT", "THREATEN"})
MATERIAL_CONFLICT = frozenset({"PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"})
# Verbs that, in a speaker's mouth with "can/should be ...", ask for sanctions or pressure to ease.
EASE_VERBS = frozenset("adjust ease lift relax remove pause loosen suspend reduce consider review end".split())
# Nouns whose "that"-clause is what someone demands ("its demand that Israel ease ...").
DEMAND_NOUNS = frozenset("demand call appeal request plea insistence ultimatum".split())


# Words that mark force used to control a crowd: the police's act even when no agent is named.
CROWD_CONTROL = frozenset("teargas tear-gas tear lathi lathicharge lathi-charge baton batons cane-charge water cannon cannons rubber pellets disperse dispersed".split())
# COERCE modes that are arrests (the police's act); other coercion (bans, curfews) is the government's.
ARREST_MODES = frozenset({None, "arrest", "detain", "deport"})


def _authority(event_type: str, mode: str | None, token: Token, sentence: Span) -> str | None:
    """The sector of the authority an agentless act implies, or None when it implies none."""
    if event_type == "COERCE":
        return "COP" if mode in ARREST_MODES else "GOV"
    if event_type == "ASSAULT" and (mode == "crowd-control" or any(t.lower_ in CROWD_CONTROL for t in sentence)):
        return "COP"
    return None


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


# What the confidence of an event is computed from, once its parties are known: the model's
# probabilities and what the grammar found. The calibration (a logistic regression fitted on
# held-out labelled sentences, shipped with the model) turns them into the probability that
# the event is right: type, actor and recipient.
CONFIDENCE_FEATURES = ("p_type", "p_event", "p_sentence", "sentence_top", "has_actor", "named_actor", "inferred_actor",
                       "has_recipient", "direct_recipient", "main_clause", "headline", "in_quote")


def confidence_features(decision: "Decision", actors: list[Actor], recipients: list[Actor], recipient_direct: bool,
                        headline: bool, quoted: bool) -> dict[str, float]:
    token = decision.token
    hops = depth(token) - sum(1 for a in token.ancestors if a.lemma_.lower() in SPEECH_VERBS)
    return {
        "p_type": decision.confidence,
        "p_event": decision.p_event,
        "p_sentence": decision.p_sentence,
        "sentence_top": float(decision.sentence_top),
        "has_actor": float(any(a.country for a in actors)),
        "named_actor": float(any(a.country and not a.inferred for a in actors)),
        "inferred_actor": float(any(a.inferred for a in actors)),
        "has_recipient": float(any(a.country for a in recipients)),
        "direct_recipient": float(recipient_direct),
        "main_clause": float(hops <= 0),
        "headline": float(headline),
        "in_quote": float(quoted),
    }


def _confidence(features: dict[str, float], calibration: dict | None, decision: "Decision") -> float:
    """The calibrated probability that the event is right; uncalibrated, the model's
    probability of the type; with rules alone, the documented sum of evidence they used."""
    specificity = decision.specificity
    if decision.from_model and not calibration:
        return round(decision.confidence, 3)
    if calibration:
        z = calibration["bias"] + sum(w * features[name] for name, w in zip(calibration["features"], calibration["weights"]))
        return round(1.0 / (1.0 + math.exp(-z)), 3)
    score = 0.55 if features["main_clause"] or features["p_type"] else 0.4
    score += 0.1 if features["main_clause"] else 0.0
    score += 0.1 * specificity
    score += 0.15 if features["has_actor"] else -0.2
    score += 0.1 if features["direct_recipient"] else (0.0 if features["has_recipient"] else -0.1)
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


@dataclass(frozen=True)
class Decision:
    """What one candidate word was decided to report, and why (kept on the event)."""

    token: Token
    event_type: str
    mode: str | None
    negated: bool
    appeal: bool  # the one who must act is the recipient; the one who says so the actor
    particle: str
    confidence: float  # the model's probability of the type (0.5 from rules alone)
    reason: str
    p_event: float = 0.5  # the model's probability that the word reports an event of any type
    specificity: int = 0  # of the lexicon rule behind it
    from_model: bool = False
    p_sentence: float = 0.0  # the sentence typer's probability of this type for the whole sentence
    sentence_top: bool = False  # and it is the typer's most probable label


def _event(article: Article, sentence: Span, decision: Decision, discourse: Discourse, *, lead: bool) -> Event | None:
    token = decision.token
    event_type, mode, negated = decision.event_type, decision.mode, decision.negated
    speaker = speaker_for(token, discourse)
    excluded = _excluded_tokens(token, sentence)
    appeal = decision.appeal
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
            recipients, recipient_direct = find_recipients(token, sentence, actors, discourse, excluded, decision.particle, event_type)
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
        means = means_agent(token) if not actors and subject is None and event_type in MATERIAL_CONFLICT else None
        if means is not None:
            actors = resolve_token(means, discourse) or ([unknown_agent(means)] if could_be_agent(means) else [])
            participle = next((c for c in means.children if c.dep_ in {"acl", "amod"} and c.i > means.i), None)
            if participle is not None:
                # "police firing on Tuesday" read as a noun and its participle: the actor is "police".
                end = sentence.doc[participle.i - 1]
                actors = [a.model_copy(update={"text": sentence.doc.text[a.start_char:end.idx + len(end.text)], "end_char": end.idx + len(end.text)})
                          if a.start_char <= end.idx < a.end_char else a for a in actors]
        if not actors and speaker is not None and event_type in VERBAL and subject is None:
            actors = [speaker]
        # The attack phrase that named the attacker names no one it was done to ("in a
        # Saudi-led coalition airstrike").
        named_by = subject if subject is not None else (means if means is None or means.dep_ == "pobj" else means.head)
        subject_tokens = {t.i for t in named_by.subtree} if named_by is not None else set()
        recipients, recipient_direct = find_recipients(token, sentence, actors, discourse, excluded | subject_tokens, decision.particle, event_type)
    if token.pos_ in {"NOUN", "PROPN"} and not actors:
        return None  # a bare nominal mention ("sanctions", "the summit") is not an event report
    if not actors and agentive and not appeal:
        actors = [unknown_agent(subject)]
    if not recipients and event_type in MATERIAL_CONFLICT and is_passive(token):
        # "A radio presenter was shot", "Eleven men were arrested": the one it was done to is
        # named though the dictionary knows no country for them; where it happened may tell.
        victim = next((c for c in token.children if c.dep_ == "nsubjpass" and c.pos_ in {"NOUN", "PROPN"}), None)
        recipients = [unknown_agent(victim)] if victim is not None else []
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
    if not actors and event_type not in VERBAL | SYMMETRIC and (is_passive(token) or not agentive):
        # An agentless act is coded, as CAMEO and ACLED do, to whoever acts where it happened,
        # but only as far as the text supports: an arrest, ban or crowd dispersal ("37 people
        # were arrested", "the crowd was dispersed with tear gas") is the authorities' act;
        # other violence with a place ("a journalist was shot dead in Karachi") is an
        # unidentified armed group's there. With no place, the actor stays unknown: the
        # victims' own country is no guess at who attacked them.
        sector = _authority(event_type, mode, token, sentence)
        taken = excluded | {i for a in recipients for i in token_range(sentence, a)}
        implied = implied_party(place, sentence, discourse, taken)
        if sector is not None:
            country = implied.country if implied is not None else local_country(place, sentence, discourse, set(), taken)
            actors = [Actor(text=token.text, start_char=token.idx, end_char=token.idx + len(token.text), country=country, sector=sector, inferred=True)]
        elif implied is not None and event_type in MATERIAL_CONFLICT:
            actors = [implied.model_copy(update={"sector": "UAF"})]
    # "The three leaders", "the two countries' leaders" name several parties: no single country.
    counted_governments = subject is not None and any(t.dep_ == "nummod" for t in subject.subtree) and bool(actors) and all(a.sector == "GOV" for a in actors)
    if not counted_governments:
        actors = [localize(a, local_country(place, sentence, discourse, {r.country for r in recipients}, excluded)) for a in actors]
    recipients = [localize(a, local_country(place, sentence, discourse, {r.country for r in actors}, excluded, article_fallback=False)) for a in recipients]
    when, background = resolve_when(sentence, token, article.published, lead=lead)
    # The evidence starts at the sentence's first word: a blanked-out dateline is no part of it.
    words = [t for t in sentence if not t.is_space]
    evidence_start = words[0].idx if words else sentence.start_char
    evidence_end = words[-1].idx + len(words[-1].text) if words else sentence.end_char
    quote = None
    if speaker is not None:
        covering = next((q for q in discourse.attribution.quotes if q.start_char <= token.idx < q.end_char), None)
        quote = covering or Quote(speaker=speaker, text=sentence.text.strip(), start_char=evidence_start, end_char=evidence_end, cue=None)
    at = ("headline", token.idx) if token.idx < discourse.headline_chars else token.idx - discourse.headline_chars
    key = (article.id, at, event_type, tuple(a.country for a in actors), tuple(a.country for a in recipients))
    features = confidence_features(decision, actors, recipients, recipient_direct, token.idx < discourse.headline_chars,
                                   quote is not None and quote.cue is not None)
    if discourse.feature_log is not None:
        discourse.feature_log[hash_id(*key)] = features  # for fitting the calibration (training/)
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
        start_char=evidence_start,
        end_char=evidence_end,
        confidence=_confidence(features, discourse.calibration if decision.from_model else None, decision),
        extractor=EXTRACTOR,
        decision=decision.reason,
    )


def new_discourse(article: Article, doc: Doc, headline_chars: int = 0) -> Discourse:
    """What the whole article establishes before its sentences are read: who speaks where,
    and the country it is mostly about."""
    context = ActorContext(year=article.published.year if article.published else None)
    named = sorted(find_actor_mentions(doc, context), key=lambda a: a.start_char)
    mentions = Counter(a.country for a in named if a.country and a.country not in NON_STATE_CODES)
    discourse = Discourse(context=context, attribution=attribute(doc, context), headline_chars=headline_chars,
                          mentions=named, mention_starts=[a.start_char for a in named])
    discourse.article_country = mentions.most_common(1)[0][0] if mentions else None
    # A national or local outlet's home is where its unplaced reports most likely happen.
    discourse.outlet_country = outlet_country(article.outlet)
    if discourse.outlet_country is None and article.url and not is_credited_copy(article.outlet):
        discourse.outlet_country = outlet_country(urlsplit(article.url).hostname)
    dateline = find_dateline(article.text)
    if dateline is not None:
        # "KARACHI, Pakistan (AA) -": the region or country given picks among same-named cities.
        region = resolve_place(dateline.region, 0, 0) if dateline.region else None
        prefer = [region.country] if region and region.country else [c for c in [discourse.article_country] if c]
        start = headline_chars + dateline.start  # offsets into the parsed text, like every other
        discourse.dateline_place = resolve_place(dateline.place, start, start + len(dateline.place), prefer)
    return discourse


def sentence_candidates(sentence: Span, discourse: Discourse, event_nouns: frozenset[str] = frozenset()) -> list[Candidate]:
    """Every word of the sentence that may report an event, with the rules' reading of it:
    each verb, each word the trigger lexicon knows, each noun the classifier learned as an
    event noun ("resignation", "shutdown"), each "X must <act>" in a speaker's mouth."""
    lexicon = load_lexicon()
    triggers = find_triggers(sentence, lexicon)
    taken = {t.token.i for t in triggers}
    for token in sentence:
        rule = None if token.i in taken else _deontic_rule(token)
        if rule is not None and (discourse.attribution.speaker_at(token.idx) or any(speech_verb(a) is not None for a in token.ancestors)):
            triggers.append(Trigger(token, rule, appeal=True))
    # "its demand that Israel ease ...": the demanded clause is the event, not the noun.
    # Also when a light verb carries the noun ("renewed its demand that ...").
    def spells_out_a_demand(t: Trigger) -> bool:
        nouns = [t.token] if t.token.pos_ == "NOUN" else object_tokens(t.token) if t.light_verb else []
        return t.rule.event_type == "REQUEST" and any(_demanded(c) for n in nouns for c in [*n.children, *t.token.children])

    triggers = [t for t in triggers if not spells_out_a_demand(t)]
    inside = _inside_appeals(triggers)
    kept = {t.token.i: t for t in triggers}
    candidates = []
    for token in sentence:
        trigger = kept.get(token.i)
        reading = trigger or match_token(token, lexicon)
        if reading is None and token.pos_ != "VERB" and not (token.pos_ == "NOUN" and token.lemma_.lower() in event_nouns):
            continue
        # Being, having and seeming are no acts: "there is a draft", "peace has benefits"
        # (the lexicon still reads "have talks", "be at war"). Reporting verbs stay candidates:
        # in news "said" often carries the act ("said Y was behind the attack").
        if reading is None and token.lemma_.lower() in STATIVE_VERBS:
            continue
        ruled = None
        if trigger is not None and token.i not in inside:
            classified = _classify(trigger, sentence)
            ruled = classified[0] if classified else NONE
        candidates.append(Candidate(
            token=token,
            rule_type=reading.rule.event_type if reading else None,
            rule_mode=reading.rule.mode if reading else None,
            rule_specificity=reading.rule.specificity if reading else 0,
            rule_particle=reading.rule.particle if reading else "",
            ruled_type=ruled,
            appeal=bool(trigger and trigger.appeal),
            inside_appeal=token.i in inside,
            light_verb=bool(reading and reading.light_verb),
            governed=reading is not None and trigger is None,
        ))
    return candidates


def _rule_decision(candidate: Candidate, sentence: Span) -> Decision | None:
    """The lexicon's own decision, where no classifier is installed."""
    token = candidate.token
    if candidate.ruled_type in (None, NONE):
        return None
    rule = TriggerRule(token.lemma_.lower(), "", frozenset(), "V", candidate.rule_type or candidate.ruled_type, candidate.rule_mode)
    classified = _classify(Trigger(token, rule, appeal=candidate.appeal), sentence)
    if classified is None:
        return None
    event_type, mode, negated = classified
    appeal = event_type == "REQUEST" and (candidate.rule_type != "REQUEST" or candidate.appeal)
    return Decision(token, event_type, mode, negated, appeal, candidate.rule_particle, 0.5, f"rules: {candidate.rule_type} -> {event_type}",
                    specificity=candidate.rule_specificity)


def _decide(candidate: Candidate, probabilities: np.ndarray, labels: tuple[str, ...], sentence: Span, version: str, threshold: float,
            forced: str | None = None) -> Decision | None:
    """The classifier's decision for one candidate: its most probable label, unless NONE;
    ``forced``: the type the sentence typer says the sentence reports, given to this word."""
    # An event when the model's probability that the word reports one (of any type) passes
    # the threshold fitted with the weights; then its most probable type.
    none = labels.index(NONE)
    if forced is None and 1.0 - float(probabilities[none]) < threshold:
        return None
    ranked = probabilities.copy()
    ranked[none] = -1.0
    best = labels.index(forced) if forced is not None else int(ranked.argmax())
    event_type = labels[best]
    token = candidate.token
    # What an intention is (a promise, a threat, a refusal) is read from what is intended,
    # which the rules read from the complement: "vowed to return the marbles" promises,
    # "vowed to strike back" threatens, "vowed not to return" refuses. Words of intention are
    # mostly threats in news, so a bag of words leans to THREATEN whatever is intended.
    p_type = float(probabilities[best])
    if event_type in INTENTIONS and candidate.ruled_type in INTENTIONS and _intends_a_known_act(token, load_lexicon()):
        event_type = candidate.ruled_type
        best = labels.index(event_type)
        p_type = float(sum(probabilities[labels.index(t)] for t in INTENTIONS))  # sure it is an intention
    # A phrasal or object-specific lexicon row ("sign up for", "lift sanctions") reads a sense
    # the bag of words around the verb cannot: where the model is unsure of its own type and
    # gives the row's type a comparable probability, the row decides.
    if (forced is None and candidate.rule_specificity >= PHRASAL_SPECIFICITY and candidate.ruled_type in labels
            and candidate.ruled_type != event_type and p_type < UNSURE_TYPE
            and float(probabilities[labels.index(candidate.ruled_type)]) >= PHRASAL_SHARE * p_type):
        event_type = candidate.ruled_type
        best = labels.index(event_type)
        p_type = float(probabilities[best])
    negated = _negated(token)
    # The lexicon's mode stands when the model agrees with the lexicon's type.
    mode = candidate.rule_mode if event_type in {candidate.rule_type, candidate.ruled_type} else None
    if event_type == "REQUEST" and candidate.ruled_type == "REQUEST" and candidate.rule_type in {"RETREAT", "CONCEDE"}:
        mode = "yield"
    appeal = event_type == "REQUEST" and (candidate.appeal or (candidate.rule_type not in (None, "REQUEST") and candidate.ruled_type == "REQUEST")
                                          or bool(modals(token) & DEONTIC))
    particle = candidate.rule_particle if event_type == candidate.rule_type else ""
    lexicon = f"lexicon {candidate.rule_type}" + (f"({candidate.rule_mode})" if candidate.rule_mode else "") + (f" -> {candidate.ruled_type}" if candidate.ruled_type not in (None, candidate.rule_type) else "") if candidate.rule_type else "not in lexicon"
    reason = f"{version}: {event_type} p={p_type:.2f} (event {1 - probabilities[none]:.2f}) on '{token.text}' ({lexicon})"
    if forced is not None:
        reason += "; the sentence typer says the sentence reports it"
    return Decision(token, event_type, mode, negated, appeal, particle, p_type, reason,
                    p_event=1.0 - float(probabilities[none]), specificity=candidate.rule_specificity, from_model=True)


# Where a multi-word lexicon row outweighs an unsure model (see _decide).
PHRASAL_SPECIFICITY = 1
UNSURE_TYPE = 0.5  # the model gives its own type less than even odds
PHRASAL_SHARE = 0.5

# The least probability of the sentence's type the word carrying it must have on its own.
SENTENCE_WORD_FLOOR = 0.05


# The types an intention can be: to cooperate, to coerce or attack, to refuse.
INTENTIONS = frozenset({"AGREE", "THREATEN", "REJECT"})


def _intends_a_known_act(token: Token, lexicon: dict) -> bool:
    """A word of intention ("vow", "plan", "ready") whose complement the lexicon reads."""
    return (token.lemma_.lower() in INTENT_WORDS or token.lower_ in INTENT_WORDS) and any(
        c.dep_ == "xcomp" and match_token(c, lexicon) is not None for c in token.children)


def _give_the_sentence_its_event(candidates: list[Candidate], probabilities: np.ndarray, typed: np.ndarray,
                                 decisions: list[Decision | None], classifier: Any, sentence: Span) -> None:
    """When the sentence typer is sure the sentence reports an event of a type no word was
    given ("one person was killed and five injured in a clash"), the word most likely to
    report that type carries it."""
    labels = classifier.labels
    said = labels[int(typed.argmax())]
    if said == NONE or float(typed.max()) < classifier.sentence_threshold or any(d is not None and d.event_type == said for d in decisions):
        return
    column = labels.index(said)
    # A word the rules read and ruled out (a negated conflict, a hypothetical, an act someone
    # is asked to do) carries no event: those are what the rules know better than a bag of words.
    # Nor does a reporting verb the lexicon does not know ("..., he told reporters"): what it
    # reports is the event, and a word of that carries it or none does.
    # A word already given an event keeps it: the typer fills a gap, it does not overrule.
    eligible = [i for i, c in enumerate(candidates)
                if decisions[i] is None
                and not (c.rule_type is not None and c.ruled_type == NONE)
                and not (c.rule_type is None and c.token.lemma_.lower() in SPEECH_VERBS)]
    if not eligible:
        return
    best = max(eligible, key=lambda i: probabilities[i][column])
    # The word must be a plausible carrier of that type by its own reading, else no word of
    # the sentence reports it (the typer read the topic, "sanctions", "troops", not an act).
    if probabilities[best][column] < SENTENCE_WORD_FLOOR:
        return
    decisions[best] = _decide(candidates[best], probabilities[best], labels, sentence, classifier.version, classifier.threshold, forced=said)


def _without_purposes(decisions: list[Decision | None]) -> list[Decision | None]:
    """An infinitive of purpose states why an act was done, not a second act ("withdrew its
    troops *to allow* talks", "opened the crossing *to let* aid in"): when the act it belongs
    to was given an event, the purpose is coded with it, as CAMEO codes the main act."""
    decided = {d.token.i for d in decisions if d is not None}
    return [None if d is not None and purpose_clause(d.token) and d.token.head.i in decided else d for d in decisions]


def _reported_once(decisions: list[Decision | None]) -> list[Decision | None]:
    """A statement and what it states are one event when they are of one type: "sent a
    warning to X that it must release ..." is one REQUEST, the likelier of the two words."""
    decided = [d for d in decisions if d is not None]

    def restated(d: Decision) -> bool:
        return any(o is not d and o.event_type == d.event_type and (
            (speech_verb(d.token) is d.token and d.token in o.token.ancestors and o.confidence >= d.confidence)
            or (speech_verb(o.token) is o.token and o.token in d.token.ancestors and o.confidence > d.confidence))
            for o in decided)

    return [None if d is not None and restated(d) else d for d in decisions]


def _clause_head(token: Token) -> int:
    """The verb heading the clause the token belongs to (the token itself for a verb). A
    participle with no subject of its own belongs to the clause it hangs on: "clashed,
    leaving several dead", "were killed in police firing" (read as "police" + "firing")."""
    current = token
    while current.head.i != current.i and (
            current.pos_ not in {"VERB", "AUX"}
            or (current.tag_ == "VBG" and current.dep_ in {"acl", "advcl"}
                and not any(c.dep_ in {"nsubj", "nsubjpass", "csubj"} for c in current.children))):
        current = current.head
    return current.i


def _one_per_clause_and_type(events: list[tuple[int, Event]]) -> list[Event]:
    """A clause reports each kind of event once: "clashed ..., leaving several dead" is one
    ASSAULT. Keeps one of each (clause, type), in text order: one that names who acted over
    one that does not, then the most confident."""
    best: dict[tuple[int, str], tuple[int, Event]] = {}
    rank = lambda e: (bool(e.actors), e.confidence)  # noqa: E731
    for clause, event in events:
        key = (clause, event.event_type)
        if key not in best or rank(event) > rank(best[key][1]):
            best[key] = (clause, event)
    kept = {id(e) for _, e in best.values()}
    return [e for _, e in events if id(e) in kept]


def parsed_text(article: Article, body: str) -> tuple[str, int]:
    """What the parser reads: the headline, a blank line and ``body`` (the text as prepared
    for parsing), and how many characters precede the text. A headline reports the story's
    main event, often in words the body never repeats; a text that already opens with its
    title is read as it is."""
    title = (article.title or "").strip()
    if not title or "\n" in title or article.text.lstrip().startswith(title):
        return body, 0
    return f"{title}\n\n{body}", len(title) + 2


def _moved(record: Any, by: int) -> Any:
    """A copy of an Actor, Place, Quote or Event with every character offset moved by ``by``."""
    updates: dict[str, Any] = {}
    if hasattr(record, "start_char"):
        updates["start_char"] = record.start_char + by
        updates["end_char"] = record.end_char + by
    for name in ("actors", "recipients"):
        if hasattr(record, name):
            updates[name] = [_moved(a, by) for a in getattr(record, name)]
    for name in ("place", "quote", "speaker"):
        if getattr(record, name, None) is not None:
            updates[name] = _moved(getattr(record, name), by)
    return record.model_copy(update=updates)


def extract_events(article: Article, doc: Doc, headline_chars: int = 0, *, feature_log: dict | None = None,
                   use_classifier: bool = True) -> tuple[list[Event], list[Quote]]:
    """Every event the article reports, and every attributed quotation, in text order.
    ``use_classifier`` False: the rules alone decide (setting ``event_model`` rules).

    ``doc`` parses :func:`parsed_text`: with ``headline_chars`` > 0 it opens with the
    headline, whose events are marked ``headline`` with offsets into the title; every other
    offset is moved back into ``article.text``."""
    discourse = new_discourse(article, doc, headline_chars)
    classifier = load_classifier() if use_classifier else None
    discourse.calibration = classifier.meta.get("calibration") if classifier else None
    discourse.feature_log = feature_log
    events: list[Event] = []
    unplaced: list[int] = []  # events of body sentences that name no place: the lead's setting is theirs
    read = 0  # sentences with words so far: a blanked-out dateline is no sentence
    body_read = 0  # of them, those after the headline
    lead_sentences: list[Span] = []  # the first of those: the lead paragraph
    for sentence in doc.sents:
        if not sentence.text.strip():
            continue
        read += 1
        if sentence.text.strip().endswith("?"):
            remember_named(sentence, discourse)
            continue  # a question reports no event; journalists' Q: turns ask, they do not tell
        candidates = sentence_candidates(sentence, discourse, classifier.event_nouns if classifier else frozenset())
        if classifier is None:
            decisions = [_rule_decision(c, sentence) for c in candidates]
        else:
            typed = classifier.sentence_probabilities(sentence.text) if candidates else None
            probabilities = classifier.probabilities(sentence_features(sentence), [candidate_features(c) for c in candidates], typed)
            decisions = [_decide(c, p, classifier.labels, sentence, classifier.version, classifier.threshold) for c, p in zip(candidates, probabilities)]
            if typed is not None:
                _give_the_sentence_its_event(candidates, probabilities, typed, decisions, classifier, sentence)
                top = classifier.labels[int(typed.argmax())]
                decisions = [d if d is None else replace(d, p_sentence=float(typed[classifier.labels.index(d.event_type)]), sentence_top=d.event_type == top)
                             for d in decisions]
            decisions = _reported_once(_without_purposes(decisions))
        found = []
        for decision in decisions:
            if decision is None:
                continue
            event = _event(article, sentence, decision, discourse, lead=read == 1)
            if event is not None:
                found.append((_clause_head(decision.token), event))
        kept = _one_per_clause_and_type(found)
        if sentence.start_char >= headline_chars:
            body_read += 1
            if body_read <= LEAD_SENTENCES:
                lead_sentences.append(sentence)
        placeable = [len(events) + i for i, e in enumerate(kept)
                     if e.place is None and e.quad_class in MATERIAL_QUADS and not e.background and e.start_char >= headline_chars]
        if placeable and not names_a_place(sentence):  # the entity scan only where it can matter
            unplaced += placeable
        events += kept
        for token in sentence:
            if token.dep_ in {"nsubj", "nsubjpass"} and token.ent_type_ == "PERSON":
                found_person = resolve_token(token, discourse)
                if found_person:
                    discourse.last_person = found_person[0]
        remember_named(sentence, discourse)
    lead_place = lead_setting(lead_sentences, discourse)
    if lead_place is not None and discourse.dateline_place is None:
        # An act in a sentence that names no place happened where the lead set the story, as
        # it happens where a dateline filed it (event_place): "Police fired tear gas" after a
        # lead about protests in Dhaka. Only the stored place: who acted is not guessed from it.
        for i in unplaced:
            events[i] = events[i].model_copy(update={"place": lead_place})
    if not headline_chars:
        return events, discourse.attribution.quotes
    events = [e.model_copy(update={"headline": True}) if e.start_char < headline_chars else _moved(e, -headline_chars) for e in events]
    quotes = [_moved(q, -headline_chars) for q in discourse.attribution.quotes if q.start_char >= headline_chars]
    return events, quotes
