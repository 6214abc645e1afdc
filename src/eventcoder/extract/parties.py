"""Who acts and who is acted upon: an event trigger's actors and recipients, from the parse.

* **actor**: the trigger's subject (the agent of a passive; the subject of the governing verb
  for "agreed *to cooperate*"; the possessor or "by"-phrase of a nominal trigger). Pronouns go
  to the reporter whose content clause they head ("Hungary said *it* will ..."), to the one
  addressed when that one must act ("told Nepal that *it* must ..."), to the last person
  named ("he"), or, inside a quotation or transcript answer, to the speaker ("we"); a relative
  pronoun to its antecedent.
* **recipient**: objects and prepositional objects (to, with, on, against, at ...), then actors
  named inside the complement clause, then, as a weaker guess, the nearest other actor.
* **local country**: a party named only by role ("rebels", "President X") is coded by where
  the event happens, else the first country the sentence names, else the article's main one;
  an agentless act ("a journalist was killed in Beirut") by where it happened (CAMEO).

:class:`Discourse` carries what earlier sentences established (who "he" is, who speaks).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from eventcoder.extract.actors import NON_STATE_CODES, ActorContext, is_stance_or_sponsor, load_actor_dictionary
from eventcoder.extract.places import load_gazetteer, resolve_place
from eventcoder.extract.quotes import Attribution, is_turn_marker, subject_of
from eventcoder.extract.triggers import DEONTIC, SPEECH_NOUNS, SPEECH_VERBS, STATIVE_PASSIVES, SYMMETRIC, is_passive, load_lexicon, modals, object_tokens
from eventcoder.model import Actor, Place
from eventcoder.nlp.components import entity_at, span_entities, span_noun_chunks

RECIPIENT_PREPS = frozenset("to with on upon against at from toward towards into between over for of".split())
PLACE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "across", "throughout"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# The small model tags many unfamiliar towns ORG or PERSON ("protested in Sfax", "a blast in
# Sidi Bouzid"). In a place phrase, such a name is a place when the gazetteer knows it as a
# town of at least this many people (or a province) and the actor dictionary knows it as
# nothing, and not after "at" (where firms and venues are: "a strike at Nokia").
MISTAGGED_PLACE_LABELS = frozenset({"ORG", "PERSON"})
MIN_MISTAGGED_TOWN = 15_000
PRECISION_RANK = {"city": 0, "admin": 1, "country": 2, "region": 3, "unknown": 4}
PLACE_NOUNS = frozenset("town city village capital province region district port area outskirts suburb "
                        "enclave state county territory island peninsula border camp governorate municipality "
                        "commune prefecture locality neighbourhood neighborhood".split())
SPEAKER_PRONOUNS = frozenset({"we", "us", "i", "our"})
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
GROUP_PRONOUNS = frozenset({"it", "they", "them"})
RELATIVE_TAGS = frozenset({"WP", "WDT"})
# Speech verbs whose direct object is the one spoken to ("warned Nepal that it must ...").
ADDRESSING_VERBS = frozenset("tell remind warn urge ask inform assure advise caution notify".split())
# Singular nouns that name a body of people, so can act ("a group of elders", "the committee").
COLLECTIVE_NOUNS = frozenset("group crowd band team coalition movement party organization organisation "
                             "association union council committee front faction body alliance league "
                             "federation forum network bloc mob gang unit".split())
# Links from a clause's verb up to the speech verb whose content it is ("said it will ...",
# "said it was ready to ...").
COMPLEMENT_LINKS = frozenset({"ccomp", "xcomp", "conj", "acomp"})


@dataclass
class Discourse:
    """What earlier sentences established: who 'he' and 'they' are, and who is speaking."""

    context: ActorContext
    attribution: Attribution
    last_person: Actor | None = None
    last_group: Actor | None = None
    # Every party the article has named so far, in order: what "it", "the bloc", "the
    # ministry" and "the two sides" refer back to.
    named: list[Actor] = field(default_factory=list)
    article_country: str | None = None
    dateline_place: Place | None = None  # where the story was filed ("ISTANBUL, May 14 (Reuters) -")
    outlet_country: str | None = None  # the home country of a national or local outlet
    headline_chars: int = 0  # the parsed text starts with the headline and a blank line, this long
    calibration: dict | None = None  # the classifier's confidence calibration, when one is shipped
    feature_log: dict | None = None  # event id -> what its confidence was computed from (training only)
    mentions: list[Actor] = field(default_factory=list)  # every actor the article names, in text order
    mention_starts: list[int] | None = None  # their start offsets, for bisection (None: not resolved yet)

    @property
    def home_countries(self) -> list[str]:
        """Where an article's unnamed parties most likely belong, best first: the dateline's
        country, the country the article mostly names, the outlet's home."""
        return [c for c in dict.fromkeys([*self.text_home_countries, self.outlet_country]) if c]

    @property
    def text_home_countries(self) -> list[str]:
        """The homes the article's own text gives: its dateline's country, the country it
        mostly names."""
        found = [self.dateline_place.country if self.dateline_place else None, self.article_country]
        return [c for c in dict.fromkeys(found) if c]
    # Per sentence (by first token): each country-naming entity's tokens and codes, resolved once.
    country_mentions: dict[int, list[tuple[set[int], list[str]]]] = field(default_factory=dict)


def _phrase(token: Token) -> Span:
    """The phrase a token heads, widened to the whole name it sits in: the small parser
    sometimes splits a long name ("Abdel Fattah al-Sisi") across heads."""
    start, end = token.left_edge.i, token.right_edge.i + 1
    if token.ent_type_ in {"PERSON", "ORG"}:
        entity = entity_at(token)
        if entity is not None:
            start, end = min(start, entity.start), max(end, entity.end)
    # A blanked-out dateline is whitespace the parser may hang on the first subject: no part of it.
    while start < token.i and token.doc[start].is_space:
        start += 1
    return token.doc[start:end]


def speaker_for(token: Token, discourse: Discourse) -> Actor | None:
    """The speaker of the statement containing ``token``: quotation, transcript answer, or the
    subject of a governing speech verb."""
    speaker = discourse.attribution.speaker_at(token.idx)
    if speaker is not None:
        return speaker
    for ancestor in token.ancestors:
        verb = speech_verb(ancestor)
        if verb is not None and (subject := subject_of(verb)) is not None:
            found = resolve_token(subject, discourse, speaker_fallback=False)
            if found:
                return found[0]
            # A speaker the dictionary does not know is still the one speaking.
            return unknown_agent(subject) if subject.pos_ != "PRON" and could_be_agent(subject) else None
    return None


def unknown_agent(subject: Token) -> Actor:
    """An agent the dictionary does not know ("the Janjaweed", "a former regional governor"),
    kept by its text; its country is inferred later from where it acts."""
    phrase = _phrase(subject)
    return Actor(text=phrase.text, start_char=phrase.start_char, end_char=phrase.end_char)


def speech_verb(token: Token) -> Token | None:
    """The verb whose subject says what ``token`` governs: a speech verb ("said"), or the verb
    of a statement noun ("issued a reminder that ...", "sent a warning ... that ...")."""
    if token.lemma_.lower() in SPEECH_VERBS:
        return token
    if token.lemma_.lower() in SPEECH_NOUNS and token.head.pos_ == "VERB":
        return token.head
    if token.pos_ == "VERB" and any(c.dep_ == "dobj" and c.lemma_.lower() in SPEECH_NOUNS for c in token.children):
        return token
    return None


# Descriptions that refer back to a party named before, by the kind of party they name.
BODY_NOUNS = frozenset("bloc alliance union organisation organization grouping body commission community pact".split())
GROUP_NOUNS = frozenset("group movement militia militias militant militants rebel rebels insurgent insurgents fighters faction outfit".split())
STATE_NOUNS = frozenset("country nation state kingdom republic government ministry administration regime authorities "
                        "leadership cabinet army military police navy junta capital".split())
SIDE_WORDS = frozenset({"sides", "countries", "nations", "neighbours", "neighbors", "governments", "parties", "capitals"})
STATE_CODES_EXCLUDED = NON_STATE_CODES  # bodies and groups are not states


def _is_state(actor: Actor) -> bool:
    return bool(actor.country) and actor.country not in STATE_CODES_EXCLUDED and actor.sector in {None, "GOV", "MIL", "COP", "LEG", "JUD", "SPY"}


def _earlier(token: Token, discourse: Discourse) -> list[Actor]:
    """Parties named before ``token``: in earlier sentences and earlier in its own, latest last."""
    here = [a for a in find_actor_mentions_in(token.sent, discourse) if a.end_char <= token.idx]
    return discourse.named + here


def coreferent(token: Token, discourse: Discourse) -> list[Actor]:
    """The party a pronoun or a bare description refers back to, or [] when none fits.

    "it"/"they" take the latest body, group or state named; "the bloc" the latest
    intergovernmental body; "the militants" the latest armed group; "the ministry", "the
    government" the latest state, with the description's own sector; "the two sides" the
    two latest states. Only descriptions that name no country of their own ("the Russian
    ministry" is resolved by its word "Russian")."""
    word = token.lower_
    lemma = token.lemma_.lower()
    earlier = _earlier(token, discourse)
    if token.pos_ == "PRON":
        if word not in GROUP_PRONOUNS:
            return []
        latest = next((a for a in reversed(earlier) if a.country and a.sector != "JRN" and not (a.name and a.sector is None and a.country is None)), None)
        return [latest] if latest is not None and latest.text.lower() not in {"he", "she"} else []
    determiners = {c.lower_ for c in token.children if c.dep_ in {"det", "predet", "nummod"}}
    if (lemma in SIDE_WORDS or word in SIDE_WORDS) and determiners & {"two", "both"}:
        states: list[Actor] = []
        for actor in reversed(earlier):
            if _is_state(actor) and all(actor.country != s.country for s in states):
                states.append(actor.model_copy(update={"name": None}))
            if len(states) == 2:
                return states[::-1]
        return []
    if not determiners & {"the", "both"} or any(c.dep_ in {"amod", "compound", "poss"} and c.ent_type_ in {"NORP", "GPE", "ORG"} for c in token.children):
        return []
    sector = load_actor_dictionary().sectors.get(lemma)
    if lemma in BODY_NOUNS:
        found = next((a for a in reversed(earlier) if a.country in NON_STATE_CODES and a.country not in {"NGO", "MNC", "IMG"}), None)
    elif lemma in GROUP_NOUNS:
        found = next((a for a in reversed(earlier) if a.sector == "REB" or a.country == "IMG"), None)
    elif lemma in STATE_NOUNS:
        # The latest state named with the same word ("the Foreign Ministry ... the ministry"),
        # else the latest state.
        states = [a for a in reversed(earlier) if _is_state(a)]
        found = next((a for a in states if lemma in a.text.lower()), states[0] if states else None)
        if found is not None:
            found = found.model_copy(update={"sector": sector or found.sector, "name": None})
    else:
        return []
    if found is None:
        return []
    return [found.model_copy(update={"text": _phrase(token).text, "start_char": _phrase(token).start_char, "end_char": _phrase(token).end_char})]


def remember_named(sentence: Span, discourse: Discourse) -> None:
    """Add the sentence's named parties to what later sentences may refer back to."""
    discourse.named += [a for a in find_actor_mentions_in(sentence, discourse) if a.country]
    del discourse.named[:-40]


def resolve_token(token: Token, discourse: Discourse, *, speaker_fallback: bool = True) -> list[Actor]:
    """Actors named by the phrase headed by ``token``, with pronouns resolved."""
    word = token.lower_ if token.pos_ == "PRON" else ""  # "the US" is not "us"
    if word in PERSON_PRONOUNS | GROUP_PRONOUNS | SPEAKER_PRONOUNS and (verb := _reporting_verb(token)) is not None:
        # "Hungary said it will ...", "The rebels said they would ...": the pronoun is the
        # speaker of the governing speech verb in the same sentence.
        subject = subject_of(verb)
        addressee = _addressee(verb) if modals(token.head) & DEONTIC and word in GROUP_PRONOUNS else None
        if addressee is not None and addressee.pos_ != "PRON":
            # "told Nepal that it must cooperate": who must act is the one addressed.
            subject = addressee
        if subject is not None and subject.pos_ != "PRON":
            found = load_actor_dictionary().resolve_all(_phrase(subject), discourse.context)
            if found:
                return found
            if could_be_agent(subject):
                return [unknown_agent(subject)]  # "A group of tribal elders announced they ..."
    if word in PERSON_PRONOUNS:
        return [discourse.last_person] if discourse.last_person else []
    if word in SPEAKER_PRONOUNS:
        speaker = discourse.attribution.speaker_at(token.idx) if speaker_fallback else None
        return [speaker] if speaker else []
    if word in GROUP_PRONOUNS:
        return coreferent(token, discourse) or ([discourse.last_group] if discourse.last_group else [])
    actors = load_actor_dictionary().resolve_all(_phrase(token), discourse.context)
    if not actors and (remembered := discourse.context.lookup(token.text)) is not None:
        actors = [remembered]
    if not any(a.country for a in actors):
        # "the bloc", "the ministry", "the two sides": a party named before.
        actors = coreferent(token, discourse) or actors
    return actors


def _reporting_verb(pronoun: Token) -> Token | None:
    """The speech verb whose content clause has ``pronoun`` as its subject ("Hungary said it
    will ..."); None for objects and for pronouns inside other clauses ("guerrillas who
    overran it, sources said": "it" is the village, not the sources)."""
    if pronoun.dep_ not in {"nsubj", "nsubjpass", "poss"}:
        return None
    clause = pronoun.head
    while clause.head.i != clause.i:
        if clause.dep_ in COMPLEMENT_LINKS:
            if (verb := speech_verb(clause.head)) is not None:
                return verb  # "said it will ...", "issued a reminder to Iraq that it must ..."
        elif clause.dep_ == "acl" and clause.head.lemma_.lower() in SPEECH_NOUNS:
            return speech_verb(clause.head)
        else:
            return None
        clause = clause.head
        if subject_of(clause) is not None:
            return None  # another clause with its own subject stands between ("bombers killed 23 when they ...")
    return None


def _addressee(verb: Token) -> Token | None:
    """Whom a speech verb addresses: "told/reminded/warned X", "said to X", "a reminder to X"."""
    for child in verb.children:
        if child.dep_ in {"dative", "prep"} and child.lower_ == "to":
            return next((g for g in child.children if g.dep_ == "pobj"), None)
        if child.dep_ == "dobj" and verb.lemma_.lower() in ADDRESSING_VERBS and child.lemma_.lower() not in SPEECH_NOUNS:
            return child
    # "sent a warning to X that ...": the parser hangs "to X" on the statement noun.
    for noun in (c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() in SPEECH_NOUNS):
        for prep in (g for g in noun.children if g.dep_ == "prep" and g.lower_ == "to"):
            return next((g for g in prep.children if g.dep_ == "pobj"), None)
    return None


def subject_token(trigger: Token) -> Token | None:
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
        if subject is not None and subject.tag_ in RELATIVE_TAGS and current.dep_ == "relcl":
            return current.head  # "rebels who seized it": the guerrillas
        if subject is not None:
            return subject
        if current.dep_ == "acl" and current.tag_ == "VBN" and any(c.dep_ == "dobj" for c in current.children):
            # "Israeli airstrikes killed 12 people", misparsed as a reduced relative: with an
            # object of its own the participle is active, and the noun it hangs on acted.
            return current.head
        if current.dep_ not in {"xcomp", "conj", "advcl", "acl", "acomp", "attr"} or current.head.i == current.i:
            return None
        current = current.head


# Nouns for an attack whose modifier names the attacker ("killed in police firing", "wounded in
# an Israeli airstrike", "died during a rebel raid", "hit by army shelling").
ATTACK_MEANS_NOUNS = frozenset("""attack assault offensive bombing airstrike strike shelling
    bombardment firing fire gunfire raid ambush crossfire incursion operation crackdown""".split())
# Prepositions that introduce the means or occasion of a passive harm.
_MEANS_PREPS = frozenset({"in", "by", "during", "after", "under"})


def means_agent(trigger: Token) -> Token | None:
    """The attacker a passive harm names only inside its means ("98 people were killed in police
    firing", "two soldiers died in a Taliban ambush", "killed by Israeli shelling"): the word
    that modifies the attack noun, or None. "Killed in the firing" names nobody."""
    if not is_passive(trigger):
        return None
    preps = [c for c in trigger.children if c.dep_ in {"prep", "agent"} and c.lower_ in _MEANS_PREPS]
    for prep in preps:
        for head in (g for g in prep.children if g.dep_ == "pobj"):
            if head.lemma_.lower() not in ATTACK_MEANS_NOUNS:
                # The small parser often reads "in police firing" as the noun "police" and a
                # participle "firing" (of the noun or of the verb): the noun is the attacker.
                following = head.doc[head.i + 1] if head.i + 1 < len(head.doc) else None
                if following is not None and following.tag_ == "VBG" and following.lower_ in ATTACK_MEANS_NOUNS:
                    return head
                continue
            # The attacker is the outermost modifier ("a Saudi-led coalition airstrike": the
            # coalition; "a rebel ambush": the rebels; "a Turkish drone strike": Turkey).
            sectors = load_actor_dictionary().sectors
            for child in head.children:
                if child.dep_ in {"compound", "amod", "nmod", "poss"} and child.i < head.i and (
                        child.pos_ in {"NOUN", "PROPN"} or child.ent_type_ in {"NORP", "GPE", "ORG"} or child.lemma_.lower() in sectors):
                    return child
            by = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "by"), None)
            if by is not None:
                return next((g for g in by.children if g.dep_ == "pobj"), None)
    return None


def countries_in(modifiers: list[Token], discourse: Discourse) -> list[Actor]:
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
    """The same party: same country, name and sector (one phrase may name two: "the US and the
    DPRK"; one country may be on both sides: "Montenegro officials asked the Montenegro Assembly")."""
    if a.country != b.country:
        return False
    if a.country is None:
        return a.name == b.name and a.start_char == b.start_char
    if a.start_char <= b.start_char < a.end_char or b.start_char <= a.start_char < b.end_char:
        return True  # "two U.S. soldiers" and its "U.S."
    return a.name == b.name and (a.name is not None or a.sector == b.sector)


def _without(actors: list[Actor], taken: list[Actor]) -> list[Actor]:
    kept: list[Actor] = []
    for actor in actors:
        if not any(_same(actor, t) for t in taken + kept):
            kept.append(actor)
    return kept


def find_recipients(trigger: Token, sentence: Span, actors: list[Actor], discourse: Discourse, excluded: set[int], particle: str = "", event_type: str = "") -> tuple[list[Actor], bool]:
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
    if not direct:
        # "donated and delivered goods to X": conjoined verbs share their object and its "to".
        for verb in trigger.conjuncts:
            if verb.pos_ == "VERB" and subject_of(verb) in (None, subject_of(trigger)):
                direct += [g for c in verb.children if c.dep_ == "prep" and c.lower_ in RECIPIENT_PREPS for g in c.children if g.dep_ == "pobj"]
    if event_type == "ACCUSE":
        # "investigating abuses by militia fighters against villagers": the accused are the
        # offence's agents, before its victims.
        offenders = [g for o in direct for c in o.children if c.dep_ == "prep" and c.lower_ == "by" for g in c.children if g.dep_ == "pobj"]
        direct = offenders + direct
    found: list[Actor] = []
    for token in direct:
        resolved = resolve_token(token, discourse)
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
        (a for a in find_actor_mentions_in(sentence, discourse) if not ((excluded | places) & token_range(sentence, a))),
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
            if excluded & set(range(entity.start, entity.end)):
                continue
            if entity.label_ == "GPE" and _in_place_phrase(entity.root):
                # "militias in Hyderabad ... in Sindh province": a place, read as one.
                found += _place_party(entity, sentence, discourse)
            else:
                found += load_actor_dictionary().resolve_all(entity, discourse.context)
    # The small model misses some names ("the DPRK"); a proper noun the dictionary knows counts.
    for token in sentence.doc[low : high + 1]:
        if token.pos_ == "PROPN" and token.i not in covered | excluded and token.ent_type_ == "":
            found += load_actor_dictionary().resolve_all(sentence.doc[token.i : token.i + 1], discourse.context)
    return found


def _place_party(entity: Span, sentence: Span, discourse: Discourse) -> list[Actor]:
    """The country of a place named as where something is."""
    place = _resolve_in_context(entity, sentence, discourse)
    if place is None or not place.country:
        return load_actor_dictionary().resolve_all(entity, discourse.context)
    # The place's country, not its government: "three people in Kashmir" are not officials.
    return [Actor(text=entity.text, start_char=entity.start_char, end_char=entity.end_char, country=place.country)]


def token_range(sentence: Span, actor: Actor) -> set[int]:
    span = sentence.doc.char_span(actor.start_char, actor.end_char, alignment_mode="expand")
    return set(range(span.start, span.end)) if span is not None else set()


def find_actor_mentions_in(sentence: Span, discourse: Discourse) -> list[Actor]:
    """The actors named in ``sentence``: from the article's mentions, resolved once per article
    (``Discourse.mentions``, in text order), when the discourse holds them."""
    if discourse.mention_starts is None:
        dictionary = load_actor_dictionary()
        return [a for chunk in span_noun_chunks(sentence) for a in dictionary.resolve_all(chunk, discourse.context)]
    low = bisect_left(discourse.mention_starts, sentence.start_char)
    high = bisect_left(discourse.mention_starts, sentence.end_char)
    return discourse.mentions[low:high]


def _in_place_phrase(token: Token) -> bool:
    """"in Kabul", and through a place noun: "near the town of Kunduz", "in the capital Nairobi",
    "outside the Syrian city of Homs"."""
    if token.dep_ == "pobj" and token.head.lower_ in PLACE_PREPS:
        return True
    if token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.lemma_.lower() in PLACE_NOUNS:
        return _in_place_phrase(token.head.head)
    if token.dep_ in {"appos", "compound"} and token.head.lemma_.lower() in PLACE_NOUNS:
        return _in_place_phrase(token.head)
    if token.dep_ == "pobj" and token.head.dep_ == "pcomp" and token.head.head.lower_ in PLACE_PREPS:
        return True  # "outside of Homs"
    return False


def _named_countries(sentence: Span, discourse: Discourse, excluded: set[int] = frozenset()) -> list[str]:
    """Countries the sentence names (states only, in order), outside ``excluded`` tokens (the
    reporter of a 'said' clause) and outside stances and sponsors ("anti-Syria")."""
    named: list[str] = []
    for tokens, codes in _country_mentions(sentence, discourse):
        if not excluded & tokens:
            named += [code for code in codes if code not in named]
    return named


def _country_mentions(sentence: Span, discourse: Discourse) -> list[tuple[set[int], list[str]]]:
    """The sentence's entities that name states, with their codes: resolved once per sentence,
    since every place and every unnamed party of the sentence asks again."""
    cached = discourse.country_mentions.get(sentence.start)
    if cached is not None:
        return cached
    mentions: list[tuple[set[int], list[str]]] = []
    for entity in span_entities(sentence):
        mistagged = entity.label_ in MISTAGGED_PLACE_LABELS and is_place_entity(entity)
        if entity.label_ not in {"GPE", "NORP", "LOC"} and not mistagged:
            continue
        if any(a.dep_ == "relcl" for a in entity.root.ancestors):
            continue  # "... whose ties were strained by Riyadh's friendship with Tehran"
        if all(is_stance_or_sponsor(t) for t in entity):
            continue
        codes = [a.country for a in load_actor_dictionary().resolve_all(entity, discourse.context)
                 if a.country and a.country not in NON_STATE_CODES]
        if not codes and (entity.label_ in {"GPE", "LOC"} or mistagged):
            # A town or province the gazetteer knows names its country too ("Kuito, Bie").
            place = resolve_place(entity.text, entity.start_char, entity.end_char, discourse.home_countries)
            codes = [place.country] if place is not None and place.country and place.precision in {"city", "admin"} else []
        if codes:
            mentions.append((set(range(entity.start, entity.end)), codes))
    discourse.country_mentions[sentence.start] = mentions
    return mentions


def _resolve_in_context(entity: Span, sentence: Span, discourse: Discourse) -> Place | None:
    """A place entity resolved with the gazetteer, same-named cities told apart by the countries
    named elsewhere in the sentence, then the article's main one ("Hyderabad" alone is
    India's; "in Pakistan's Sindh province" says which Hyderabad)."""
    prefer = [*_named_countries(sentence, discourse, set(range(entity.start, entity.end))), *discourse.home_countries]
    return resolve_place(entity.text, entity.start_char, entity.end_char, prefer)


def event_place(trigger: Token, sentence: Span, used: set[int], discourse: Discourse) -> Place | None:
    """Where: a place entity in an 'in/at ...' phrase, on the trigger's own phrase first,
    else the one nearest the trigger in the sentence. A city name several countries share
    goes to the one the sentence or article is about ("Hyderabad ... in Pakistan's Sindh province")."""
    own = {t.i for t in trigger.subtree}
    candidates = [
        e for e in span_entities(sentence)
        # The small model tags some towns NORP ("near the town of Kunduz"); a place phrase says otherwise.
        if (e.label_ == "NORP" or is_place_entity(e)) and _in_place_phrase(e.root) and not used & set(range(e.start, e.end))
    ]
    # Place phrases follow what they locate ("signing ... at their summit in Singapore"); a place
    # before the trigger more often belongs to a framing clause ("Speaking in Beijing, ...").
    candidates.sort(key=lambda e: (e.root.i not in own, e.start < trigger.i, abs(e.start - trigger.i)))
    for entity in candidates:
        place = _resolve_in_context(entity, sentence, discourse)
        if place is not None:
            return place
    if discourse.dateline_place is not None and not names_a_place(sentence):
        return discourse.dateline_place  # a sentence that names no place happened where the story was filed
    return None


def is_place_entity(entity: Span) -> bool:
    """A GPE, LOC or FAC entity, or a town the model mislabelled (:data:`MISTAGGED_PLACE_LABELS`)."""
    if entity.label_ in PLACE_LABELS:
        return True
    if entity.label_ not in MISTAGGED_PLACE_LABELS or not _in_place_phrase(entity.root):
        return False
    if entity.root.head.lower_ == "at":
        return False  # "a strike at Toyota", "a rally at Chelsea": firms and clubs named after towns
    if load_actor_dictionary().lookup(entity.text):
        return False
    hit = load_gazetteer().lookup(entity.text)
    return hit is not None and (hit.precision == "admin" or (hit.precision == "city" and hit.population >= MIN_MISTAGGED_TOWN))


def names_a_place(sentence: Span) -> bool:
    return any(is_place_entity(e) for e in span_entities(sentence))


def lead_setting(sentences: list[Span], discourse: Discourse) -> Place | None:
    """Where the lead says the story happens: of the places its sentences put something in
    ("talks in Geneva", "a blast near the town of Kunduz"), the most precise, then the first
    ("a blast in Quetta, Pakistan" happened in Quetta). Later sentences that name no place happen
    there too, as a wire reader takes them."""
    places = [
        place
        for sentence in sentences
        for entity in span_entities(sentence)
        if is_place_entity(entity) and _in_place_phrase(entity.root)
        if (place := _resolve_in_context(entity, sentence, discourse)) is not None
    ]
    return min(places, key=lambda p: PRECISION_RANK[p.precision], default=None)


def local_country(place: Place | None, sentence: Span, discourse: Discourse, avoid: set[str | None], excluded: set[int], *, article_fallback: bool = True) -> str | None:
    """The country an actor named only by role ("rebels", "the opposition", "President X")
    belongs to, following the CAMEO convention of coding such agents by where they act:
    the event's place, else the first country the sentence names, else the article's home
    (its dateline, the country it mostly names), else its outlet's home. A place only the
    dateline gave comes after the sentence's countries, and the other party's country
    (``avoid``) after the article's home but before the outlet's."""
    if place is not None and place.country and place is not discourse.dateline_place:
        return place.country
    named = _named_countries(sentence, discourse, excluded)
    # The other party's country is the least likely home of an unnamed agent ("a bombing
    # killed three US soldiers" was not carried out by the United States).
    preferred = [c for c in named if c not in avoid]
    if place is not None and place.country:
        # Only the dateline placed it: where the story was filed yields to a country the
        # sentence names ("WASHINGTON - Spanish lawmakers voted to ban the party").
        return (preferred or [place.country])[0]
    if not article_fallback:
        return (preferred or named or [None])[0]
    # The outlet's home is the weakest sign: it yields to any country the text itself names,
    # even the other party's ("the opposition marched against the government" in a foreign paper).
    text_home = discourse.text_home_countries
    outlet = [c for c in [discourse.outlet_country] if c and c not in text_home]
    return (preferred or [c for c in text_home if c not in avoid] or named or text_home
            or [c for c in outlet if c not in avoid] or outlet or [None])[0]


def could_be_agent(subject: Token) -> bool:
    """Names, plural nouns ("doctors", "prisoners") and groups ("a group of tribal elders",
    "the committee") can act; other singular common nouns are mostly things ("the
    opportunity ... seized", "a bombing near Kunduz")."""
    if subject.lemma_.lower() in COLLECTIVE_NOUNS or subject.lemma_.lower() in load_actor_dictionary().sectors:
        return True
    # Names inside a modifying phrase do not count ("a bombing near the town of Kunduz").
    under_prep = {t.i for c in subject.children if c.dep_ == "prep" for t in c.subtree}
    return subject.pos_ == "PROPN" or subject.tag_ == "NNS" or any(
        t.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"} for t in subject.subtree if t.i not in under_prep)


def implied_party(place: Place | None, sentence: Span, discourse: Discourse, excluded: set[int]) -> Actor | None:
    """A domestic act with no named target ("imposed a curfew in Cizre", "demonstrated in
    Kirkuk") is coded, as CAMEO does, against the country where it happens: the event's place,
    else the first country the sentence names; a place only the dateline gave comes after
    that country, as in :func:`local_country`."""
    at_place = None
    if place is not None and place.country:
        at_place = Actor(text=place.text, start_char=place.start_char, end_char=place.end_char, country=place.country, inferred=True)
        if place is not discourse.dateline_place:
            return at_place
    for entity in span_entities(sentence):
        if entity.label_ in {"GPE", "NORP", "LOC"} and not excluded & set(range(entity.start, entity.end)):
            for actor in load_actor_dictionary().resolve_all(entity, discourse.context):
                if actor.country and actor.country not in NON_STATE_CODES:
                    return actor.model_copy(update={"name": None, "inferred": True})
    return at_place


def ethnic_at(actor: Actor, place: Place | None) -> Actor:
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


def localize(actor: Actor, country: str | None) -> Actor:
    if actor.country or country is None:
        return actor
    return actor.model_copy(update={"country": country})
