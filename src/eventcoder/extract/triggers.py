"""Event triggers: which words in a parsed sentence name a PLOVER event.

The lexicon is data (``ontology/triggers.tsv``): a lemma, an optional particle or preposition
that must hang off it ("call *on*", "pull *out*"), an optional set of object heads that must be
its object ("impose *sanctions*", "hold *talks*"), the part of speech, and the PLOVER type and
mode. Rules with more conditions win over bare ones, so "call on" (REQUEST) beats "call"
(CONSULT, phone) and "sign up" (SUPPORT) beats "sign" (AGREE).

A trigger dominated by another trigger through a complement ("agreed *to cooperate*",
"threatened *to impose* sanctions", "accused X *of attacking*") is not an event of its own:
CAMEO/PLOVER code the outer act. Adverbial and relative clauses ("..., *after* X pledged")
report separate events and are kept.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Span, Token

LEXICON_PATH = Path(__file__).parents[1] / "ontology" / "triggers.tsv"

# Verbs that report speech or thought: transparent, never events themselves.
SPEECH_VERBS = frozenset(
    "say tell add state reiterate stress note insist declare announce explain claim write remark "
    "emphasize emphasise repeat affirm indicate confirm report quote told reply respond answer "
    "believe think argue acknowledge admit caution conclude".split()
)
# Verbs of being, having and seeming: unless the lexicon reads them in a phrase ("have talks",
# "be at war"), they describe a state of affairs, never an act ("there is a draft", "peace has
# benefits", "the dispute remains unresolved").
STATIVE_VERBS = frozenset("be have seem appear remain exist become belong contain mean".split())
# Statement nouns whose "that"-clause is what the subject of their verb said.
SPEECH_NOUNS = frozenset("reminder warning statement declaration demand call appeal message letter note".split())
# Passive forms that describe the subject's own stance: "Chile is opposed to ...",
# "Kenya is committed to ...", "Turkey is prepared to ..." (no one else did the opposing).
STATIVE_PASSIVES = frozenset("oppose commit prepare determine resolve dedicate engage involve".split())
# Quantity nouns that name how much of something, not what ("tons of food"), and "a state of
# emergency" / "a state of siege", whose "of"-phrase says what was lifted or imposed.
MEASURE_NOUNS = frozenset(
    "ton tonne kg kilogram kilo pound worth amount quantity shipment consignment load cargo batch "
    "lot number crate box package convoy truckload planeload state".split()
)
# Nouns that say an effort was made, not what it was ("undertook a mediation mission").
GENERIC_ACTION_NOUNS = frozenset("mission effort bid initiative drive campaign attempt operation".split())
# Verbs whose object noun carries the event ("held talks", "staged a protest", "launched an attack").
LIGHT_VERBS = frozenset(
    "hold stage launch carry conduct mount make issue begin start resume continue lead organize "
    "organise take announce express voice file lodge give deliver reach sign have undertake renew "
    "complete speed order".split()
)
# Verbs and adjectives of intention take the polarity of what is intended: "vowed to fight",
# "is prepared to impose martial law" are threats; "pledged to withdraw" is an agreement.
INTENT_WORDS = frozenset("pledge promise vow swear plan intend prepare decide willing ready prepared offer".split())
CONFLICT_TYPES = frozenset({"THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"})
# Acts two parties do together: several actors and no recipient make a complete record.
SYMMETRIC = frozenset({"AGREE", "CONSULT", "COOPERATE"})
# Modal auxiliaries, by what they make of the act they govern.
DEONTIC = frozenset({"must", "should", "ought", "need"})
POSSIBILITY = frozenset({"can", "could", "may", "might"})
FUTURE = frozenset({"will", "would", "shall", "'ll"})
# Dependency edges through which an outer trigger governs (and absorbs) an inner one.
COMPLEMENT_EDGES = frozenset(
    "xcomp ccomp dobj pobj prep pcomp acomp oprd agent dative compound amod nmod attr".split()
)


@dataclass(frozen=True)
class TriggerRule:
    lemma: str
    particle: str
    objects: frozenset[str]
    pos: str
    event_type: str
    mode: str | None

    @property
    def specificity(self) -> int:
        return 2 * bool(self.objects) + bool(self.particle)


@dataclass(frozen=True)
class Trigger:
    token: Token
    rule: TriggerRule
    light_verb: bool = False  # the event is carried by the token's object noun
    appeal: bool = False  # 'X must <act>' under a speaker: the speaker asks X to act


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> dict[tuple[str, str], list[TriggerRule]]:
    """{(lemma, pos): rules, most specific first} from the trigger table."""
    index: dict[tuple[str, str], list[TriggerRule]] = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            rule = TriggerRule(
                lemma=row["lemma"].strip().lower(),
                particle=row["particle"].strip().lower(),
                objects=frozenset(o for o in row["objects"].strip().lower().split("|") if o),
                pos=row["pos"].strip() or "V",
                event_type=row["event_type"].strip(),
                mode=row["mode"].strip() or None,
            )
            index[(rule.lemma, rule.pos)].append(rule)
    for rules in index.values():
        rules.sort(key=lambda r: -r.specificity)
    return dict(index)


# Prepositions that set a scene, not an object ("offered talks with Armenia following the
# invasion of Dagestan": Dagestan was not offered anything).
CIRCUMSTANCE_PREPS = frozenset("following after before during since amid amidst despite until".split())


def modals(token: Token) -> set[str]:
    """The auxiliaries of a verb, lower-cased ("must", "will", "has")."""
    return {c.lower_ for c in token.children if c.dep_ == "aux"}


def is_passive(token: Token) -> bool:
    return any(c.dep_ in {"auxpass", "nsubjpass"} for c in token.children)


def object_tokens(token: Token) -> list[Token]:
    """The token's objects: direct objects (or passive subjects), their conjuncts, and the
    objects of particles/prepositions hanging off it."""
    objects = [c for c in token.children if c.dep_ in {"dobj", "attr", "oprd", "dative"}]
    if is_passive(token):
        objects += [c for c in token.children if c.dep_ == "nsubjpass"]
    for child in token.children:
        if child.dep_ in {"prep", "prt"} and child.lower_ not in CIRCUMSTANCE_PREPS:
            objects += [g for g in child.children if g.dep_ == "pobj"]
    for obj in list(objects):
        objects += [c for c in obj.conjuncts]
    return objects


def _words(token: Token) -> set[str]:
    return {token.lemma_.lower(), token.lower_}


def _particles(token: Token) -> set[str]:
    found = {c.lower_ for c in token.children if c.dep_ in {"prt", "prep", "dobj", "acomp", "advmod", "oprd"}}
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    if following is not None and following.dep_ in {"prt", "prep"}:
        found.add(following.lower_)
    return found


def _object_words(token: Token, skip_preps: set[str]) -> set[str]:
    """Head words (and their compound/adjective modifiers) of the token's objects, leaving out
    objects of the prepositions in ``skip_preps``."""
    words: set[str] = set()
    for obj in object_tokens(token):
        if obj.dep_ == "pobj" and obj.head.lower_ in skip_preps:
            continue
        words |= _words(obj)
        words |= {c.lower_ for c in obj.children if c.dep_ in {"compound", "amod"}}
        # "700 kg of medicine", "$50,000 worth of goods": the thing handed over is behind "of".
        if obj.lemma_.lower() in MEASURE_NOUNS or any(c.dep_ == "nummod" for c in obj.children):
            for prep in obj.children:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    for inner in prep.children:
                        if inner.dep_ == "pobj":
                            words |= _words(inner)
    return words


def match_rule(token: Token, rules: list[TriggerRule]) -> TriggerRule | None:
    """The most specific rule whose particle and object conditions the token satisfies.

    The object of a particle that is itself a rule's particle does not count as an object for
    bare object rules: in "called on his counterpart to ...", "on" makes the REQUEST, and
    "counterpart" must not turn it into a phone call."""
    particles = _particles(token)
    rule_particles = {r.particle for r in rules if r.particle and r.particle in particles}
    for rule in rules:
        if rule.particle and rule.particle not in particles:
            continue
        if rule.objects:
            skip = rule_particles - {rule.particle}
            if not rule.objects & _object_words(token, skip):
                continue
        return rule
    return None


def _verb_lemma(token: Token, lexicon: dict[tuple[str, str], list[TriggerRule]]) -> str:
    """The lemma, or a regular de-inflection of the word when the lemmatizer missed it
    (the small model turns "hoped" into "hop")."""
    lemma = token.lemma_.lower()
    if (lemma, "V") in lexicon:
        return lemma
    word = token.lower_
    for suffix, replacement in (("ied", "y"), ("ed", "e"), ("ed", ""), ("d", ""), ("ing", "e"), ("ing", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and (word[: -len(suffix)] + replacement, "V") in lexicon:
            return word[: -len(suffix)] + replacement
    return lemma


def match_token(token: Token, lexicon: dict[tuple[str, str], list[TriggerRule]]) -> Trigger | None:
    """The lexicon's reading of one word, before any other trigger of the sentence is considered."""
    lemma = token.lemma_.lower()
    if token.pos_ in {"VERB", "AUX"}:
        lemma = _verb_lemma(token, lexicon)
        if lemma in SPEECH_VERBS and (token.dep_ != "ROOT" or any(c.dep_ == "ccomp" for c in token.children)):
            return None
        rule = match_rule(token, lexicon.get((lemma, "V"), []))
        if rule is not None:
            return Trigger(token, rule)
        if lemma in LIGHT_VERBS:
            for obj in object_tokens(token):
                words = list(_words(obj))
                if obj.lemma_.lower() in GENERIC_ACTION_NOUNS:
                    # "a mediation mission", "a peace effort": the modifier says what was done.
                    words += [w for c in obj.children if c.dep_ in {"compound", "amod"} for w in _words(c)]
                for word in words:
                    noun_rules = lexicon.get((word, "N"))
                    if noun_rules:
                        return Trigger(token, noun_rules[0], light_verb=True)
        return None
    if token.pos_ == "ADJ" and any(c.dep_ == "xcomp" for c in token.children):
        # "is willing / ready / prepared to ...": a stated intention
        rules = lexicon.get((lemma, "A")) or lexicon.get((token.lower_, "A"))
        return Trigger(token, rules[0]) if rules else None
    if token.pos_ in {"NOUN", "PROPN"}:
        for word in (lemma, token.lower_):
            rules = lexicon.get((word, "N"))
            if rules:
                return Trigger(token, rules[0])
    return None


def _dominated(token: Token, candidates: set[int]) -> bool:
    current = token
    while current.head.i != current.i:
        # A conjunct shares its head's governor ("hope they can dispel ... and reach"), but is
        # not governed by the conjunct it hangs off.
        if current.dep_ == "conj":
            current = current.head
            continue
        if current.dep_ not in COMPLEMENT_EDGES and not purpose_clause(current):
            return False
        current = current.head
        if current.i in candidates:
            return True
    return False


def purpose_clause(token: Token) -> bool:
    """An infinitive of purpose ("resigned *to allow* elections", "opened the bridge *to allow*
    deliveries"): the why of the governing act, coded with it as CAMEO codes the main act."""
    return token.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children) and not any(
        c.dep_ in {"nsubj", "nsubjpass", "mark"} for c in token.children)


def find_triggers(sentence: Span, lexicon: dict[tuple[str, str], list[TriggerRule]] | None = None) -> list[Trigger]:
    """Triggers of the sentence that are events in their own right, in text order."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    matched = [m for m in (match_token(t, lexicon) for t in sentence) if m is not None]
    # A noun that is the object of a light-verb trigger is that trigger's event, not another.
    absorbed = {o.i for m in matched if m.token.pos_ in {"VERB", "AUX"} for o in object_tokens(m.token)}
    matched = [m for m in matched if m.token.i not in absorbed]
    by_index = {m.token.i: m for m in matched}
    kept = []
    for match in matched:
        if _dominated(match.token, set(by_index)):
            continue
        if match.token.lemma_.lower() in INTENT_WORDS or match.token.lower_ in INTENT_WORDS:
            intended = next((by_index[c.i] for c in match.token.children if c.dep_ == "xcomp" and c.i in by_index), None)
            if intended is not None and intended.rule.event_type in CONFLICT_TYPES:
                match = Trigger(match.token, TriggerRule(match.rule.lemma, "", frozenset(), match.rule.pos, "THREATEN", None))
            elif intended is not None and _refused(intended):
                match = Trigger(match.token, TriggerRule(match.rule.lemma, "", frozenset(), match.rule.pos, "REJECT", None))
        kept.append(match)
    # Plain intention verbs ("plans to impose ...") are events only through what they intend.
    for token in sentence:
        if token.lemma_.lower() in INTENT_WORDS and token.i not in by_index:
            intended = next((by_index[c.i] for c in token.children if c.dep_ == "xcomp" and c.i in by_index), None)
            if intended is not None and intended in kept:
                kept.remove(intended)
                event_type = "THREATEN" if intended.rule.event_type in CONFLICT_TYPES else ("REJECT" if _refused(intended) else "AGREE")
                kept.append(Trigger(token, TriggerRule(token.lemma_.lower(), "", frozenset(), "V", event_type, None)))
    return sorted(kept, key=lambda m: m.token.i)


def _refused(intended: Trigger) -> bool:
    """"vowed *not* to return the islands": a stated refusal, not a promise."""
    return any(c.dep_ == "neg" for c in intended.token.children)


def depth(token: Token) -> int:
    """Distance from the sentence root: the main event of a sentence is the shallowest."""
    steps = 0
    while token.head.i != token.i:
        token = token.head
        steps += 1
    return steps
