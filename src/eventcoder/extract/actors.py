"""Actor resolution: a noun phrase becomes ``model.Actor`` (country or IGO code, sector, name).

The dictionary is six TSVs in ``eventcoder/data`` (countries, provinces, igos, armed groups
and parties, people, sectors), loaded once per process by :func:`load_actor_dictionary`.
Matching is over spaCy tokens, longest match first; short all-caps acronyms ("US", "UN", "EU")
match case-sensitively so the pronoun "us" is never the United States, everything else case-
and accent-insensitively.

Public API: :class:`ActorDictionary` (``resolve``, ``resolve_all``), :class:`ActorContext`
(``remember``/``lookup`` for surname coreference), :func:`find_actor_mentions`,
:func:`normalize_code`, :data:`CAMEO_TO_ISO`.
"""

from __future__ import annotations

import csv
import functools
import re
import sys
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Iterable, Iterator

from spacy.tokens import Doc, Span, Token

from eventcoder.model import Actor
from eventcoder.nlp.components import document_entities, span_entities

__all__ = [
    "CAMEO_TO_ISO",
    "ActorContext",
    "ActorDictionary",
    "Entry",
    "find_actor_mentions",
    "is_stance_or_sponsor",
    "load_actor_dictionary",
    "normalize_code",
    "normalize_term",
]

# Legacy CAMEO/Phoenix country codes seen in gold data, mapped to ISO alpha-3 (or our IGO codes).
CAMEO_TO_ISO: dict[str, str] = {
    "JAP": "JPN", "ITL": "ITA", "UK": "GBR", "GMY": "DEU", "DDR": "DEU", "GME": "DEU", "GMW": "DEU",
    "ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "BUR": "MMR", "YUG": "SRB", "SCG": "SRB",
    "USR": "RUS", "SUN": "RUS", "KSV": "XKX", "KOS": "XKX", "PAL": "PSE", "WST": "PSE",
    "GZS": "PSE", "NTH": "NLD", "EUR": "EU", "NAT": "NATO", "AFR": "AU",
}

# Non-state codes an Actor.country may carry besides ISO alpha-3.
NON_STATE_CODES = frozenset({"IGO", "NGO", "UNO", "NATO", "EU", "AU", "ASEAN", "OPEC", "WTO",
                             "IMF", "WB", "ICC", "ICJ", "XKX", "MNC", "IMG"})

# When one key names several things, the more specific kind wins.
_KIND_RANK = {"person": 0, "igo": 1, "group": 2, "metonym": 3, "country": 4, "capital": 5, "demonym": 6, "province": 7, "region": 8}
_MAX_NGRAM = 8
# Prepositions whose object still describes the actor ("Foreign Minister X of Y").
_KEEP_PREPS = frozenset({"of", "from"})
_ACRONYM = re.compile(r"^[A-Z][A-Z.\-0-9]{0,5}$")
# A country inside a stance ("pro-Iranian", "anti-Syria"), a sponsor ("Syrian-backed"), an
# occupier ("Russian-occupied Crimea") or a maker ("Russian-made rockets") is not the
# phrase's own: the pro-Iranian Hezbollah is Lebanese. "US-led" does name the actor's leader.
_STANCE_PREFIXES = frozenset({"pro", "anti"})
_SPONSOR_SUFFIXES = frozenset("backed sponsored supported funded financed armed trained allied aligned "
                              "linked affiliated inspired influenced controlled occupied held "
                              "administered annexed made built manufactured supplied".split())


def normalize_code(code: str | None) -> str | None:
    """Map a legacy CAMEO code (``JAP``) to the ISO/IGO code we use (``JPN``)."""
    if code is None:
        return None
    return CAMEO_TO_ISO.get(code.upper(), code.upper())


@functools.cache
def _combining_marks() -> dict[int, None]:
    """A ``str.translate`` table deleting every combining mark (the accents NFKD splits off)."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}


def fold_term(text: str) -> str:
    """Case-, accent-, hyphen- and quote-insensitive key; a leading "the" is dropped. Uncached:
    for building tables of many distinct names (the gazetteer's 370,000), which would only
    push the words of the text out of ``normalize_term``'s cache."""
    if not text.isascii():  # ASCII has no accents to strip and no curly quotes
        text = unicodedata.normalize("NFKD", text).translate(_combining_marks()).replace("\u2019", "'")
    text = " ".join(text.lower().replace("-", " ").split())
    return text[4:] if text.startswith("the ") else text


# The same few thousand words of the text are looked up again and again.
normalize_term = functools.lru_cache(maxsize=65536)(fold_term)


def _is_acronym(term: str) -> bool:
    # Acronyms must match exactly: "US"/"us", "UN"/"un", "WHO"/"who", "PA"/"pa".
    return bool(_ACRONYM.match(term)) and len(term.replace(".", "")) <= 5


@dataclass(frozen=True)
class Entry:
    """One thing a term can name: a person, IGO, country (by name, capital, metonym, demonym)."""

    kind: str
    code: str | None
    sector: str | None = None
    name: str | None = None
    start_year: int | None = None  # people: the term of office; groups: the years the row holds
    end_year: int | None = None


def _data_rows(filename: str) -> Iterator[dict[str, str]]:
    text = resources.files("eventcoder.data").joinpath(filename).read_text(encoding="utf-8")
    yield from csv.DictReader(text.splitlines(), delimiter="\t")


def _year(field: str | None) -> int | None:
    return int(field) if field and field.strip().isdigit() else None


def _split(field: str | None) -> list[str]:
    return [x.strip() for x in (field or "").split("|") if x.strip()]


# Word endings that English-language outlets romanize differently ("Zelensky", "Zelenskyy",
# "Zelenskiy"; "Sergei", "Sergey"): (endings a name may have, the spellings they stand for).
_ENDINGS = ((("ey", "ei"), ("ey", "ei")), (("yy", "iy", "y"), ("yy", "iy", "y", "i")))


def _transliterations(term: str) -> list[str]:
    """A name and its other common romanizations, word by word."""
    spellings = [term]
    for index, word in enumerate(term.split()):
        for sources, targets in _ENDINGS:
            ending = next((e for e in sources if word.lower().endswith(e) and len(word) > len(e) + 3), None)
            if ending is None:
                continue
            stem = word[: len(word) - len(ending)]
            for spelling in list(spellings):
                words = spelling.split()
                spellings += [" ".join([*words[:index], stem + other, *words[index + 1:]]) for other in targets if other != ending]
            break
    return list(dict.fromkeys(spellings))


def _plural(demonym: str) -> str | None:
    # "Israelis", "Afghans"; "Chinese", "Swiss", "British", "French" take no plural.
    if demonym.endswith(("s", "sh", "ch", "ese", "x", "z")):
        return None
    return demonym + "s"


class ActorDictionary:
    """Term → entries lookup over countries, IGOs, people and sector nouns."""

    def __init__(self) -> None:
        self._exact: dict[str, list[Entry]] = {}
        self._folded: dict[str, list[Entry]] = {}
        self.sectors: dict[str, str] = {}
        self.countries: dict[str, str] = {}
        self._load()

    # -- loading -----------------------------------------------------------------------------
    def _add(self, term: str, entry: Entry) -> None:
        table, key = (self._exact, term) if _is_acronym(term) else (self._folded, normalize_term(term))
        bucket = table.setdefault(key, [])
        if entry not in bucket:
            bucket.append(entry)

    def _load(self) -> None:
        for row in _data_rows("countries.tsv"):
            code = row["code"]
            self.countries[code] = row["name"]
            for term in [row["name"], *_split(row["aliases"])]:
                self._add(term, Entry("country", code, None, row["name"]))
            for term in _split(row["capitals"]):
                self._add(term, Entry("capital", code, "GOV"))
            for item in _split(row["metonyms"]):
                term, _, sector = item.partition("=")
                self._add(term, Entry("metonym", code, sector or "GOV"))
            for term in _split(row["demonyms"]):
                self._add(term, Entry("demonym", code))
                plural = _plural(term)
                if plural:
                    self._add(plural, Entry("demonym", code))
        for row in _data_rows("igos.tsv"):
            entry = Entry("igo", row["code"], row["sector"] or None, row["name"])
            for term in [row["name"], *_split(row["aliases"]), *_split(row["acronym"])]:
                self._add(term, entry)
        for row in _data_rows("provinces.tsv"):
            # "Darfur rebels", "the government of Balochistan province": coded to the province's country.
            for term in [row["name"], *_split(row["aliases"])]:
                self._add(term, Entry("province", row["country"]))
        for row in _data_rows("groups.tsv"):
            # Armed groups and parties carry their home country ("Hezbollah" → LBN) and sector;
            # a group whose standing changed has one row per period, the commonest first.
            entry = Entry("group", row["code"], row["sector"] or None, row["name"],
                          _year(row["start_year"]), _year(row["end_year"]))
            for term in [row["name"], *_split(row["aliases"]), *_split(row["acronym"])]:
                self._add(term, entry)
        for row in _data_rows("people.tsv"):
            entry = Entry("person", row["country"], row["sector"] or None, row["name"],
                          _year(row["start_year"]), _year(row["end_year"]))
            for term in [row["name"], *_split(row["aliases"])]:
                for spelling in _transliterations(term):
                    self._add(spelling, entry)
        for row in _data_rows("sectors.tsv"):
            self.sectors[normalize_term(row["term"])] = row["sector"]
        for row in _data_rows("regions.tsv"):
            # Regions whose names hold a country's name or demonym ("Latin American leaders" are
            # not American; "Indian Ocean states" not India): the longest match takes the words,
            # and a region names no party.
            self._add(row["term"], Entry("region", None))

    # -- lookup ------------------------------------------------------------------------------
    def lookup(self, term: str) -> list[Entry]:
        """Entries a term names, best first (exact acronym match before folded match)."""
        found = self._exact.get(term, []) + self._folded.get(normalize_term(term), [])
        return sorted(found, key=lambda e: _KIND_RANK.get(e.kind, 9))

    def knows(self, term: str) -> bool:
        """Whether ``lookup`` finds anything for ``term``, without building and ranking the list
        (asked for every n-gram of every phrase)."""
        return bool(self._exact.get(term) or self._folded.get(normalize_term(term)))

    def _match(self, tokens: list[Token], table: str) -> list[tuple[int, int, str]]:
        """Greedy longest matches over a run of tokens: (first index, end index, text)."""
        hits: list[tuple[int, int, str]] = []
        # Doc.text is rebuilt from every token on each access; join the run's own tokens instead.
        pieces = [t.text_with_ws for t in tokens]
        words = [t.text for t in tokens]
        positions = [t.i for t in tokens]
        i = 0
        while i < len(tokens):
            for j in range(min(len(tokens), i + _MAX_NGRAM), i, -1):
                # Only contiguous token runs form a term.
                if positions[j - 1] - positions[i] != j - 1 - i:
                    continue
                text = "".join(pieces[i:j - 1]) + words[j - 1]
                if table == "sector":
                    known = normalize_term(text) in self.sectors or (
                        j - i == 1 and tokens[i].lemma_.lower() in self.sectors)
                else:
                    known = self.knows(text)
                if known:
                    hits.append((i, j, text))
                    i = j - 1
                    break
            i += 1
        return hits

    def _best(self, term: str, year: int | None) -> Entry:
        """The entry a term names; for a person who held several posts, or a group whose
        standing changed, the row for ``year`` (the article's), else the file's first row
        ("Amr Moussa" is Egypt's foreign minister in 1995 and the Arab League's head in 2005;
        the Taliban govern in 1998 and fight in 2010)."""
        entries = self.lookup(term)
        kind = entries[0].kind
        if year is not None and kind in ("person", "group"):
            for entry in entries:
                if entry.kind == kind and (entry.start_year or 0) <= year <= (entry.end_year or 9999):
                    return entry
        return entries[0]

    def _sector_of(self, text: str, token: Token) -> str | None:
        return self.sectors.get(normalize_term(text)) or self.sectors.get(token.lemma_.lower())

    # -- resolution --------------------------------------------------------------------------
    def resolve(self, span: Span, context: "ActorContext | None" = None) -> Actor | None:
        """One Actor for a phrase, or None when nothing in it names an actor."""
        return self._resolve_tokens(span, _kept_tokens(span), context)

    def resolve_all(self, span: Span, context: "ActorContext | None" = None) -> list[Actor]:
        """Actors for a phrase, one per conjunct ("Hungarian and Romanian officials" → two)."""
        root = span.root
        conjuncts = [c for c in root.conjuncts if span.start <= c.i < span.end]
        if conjuncts:
            actors = []
            for part in _conjunct_spans(span, [root, *conjuncts]):
                actor = self._resolve_tokens(part, _kept_tokens(part), context)
                if actor is not None:
                    actors.append(actor)
            return actors
        kept = _kept_tokens(span)
        for tok in kept:
            mods = [tok, *(c for c in tok.conjuncts if span.start <= c.i < span.end)]
            if tok.i == root.i or len(mods) < 2 or tok.dep_ == "conj":
                continue
            shared = [t for t in kept if t not in mods and t.dep_ != "cc"
                      and not any(t.i in range(m.left_edge.i, m.right_edge.i + 1) for m in mods)]
            actors = [self._resolve_tokens(span, [*_own_subtree(m, mods), *shared], context)
                      for m in mods]
            if sum(a is not None and a.country is not None for a in actors) >= 2:
                return [a for a in actors if a is not None]
        actor = self._resolve_tokens(span, kept, context)
        return [actor] if actor is not None else []

    def _resolve_tokens(self, span: Span, tokens: list[Token],
                        context: "ActorContext | None") -> Actor | None:
        tokens = sorted(set(tokens), key=lambda t: t.i)
        if not tokens:
            return None
        root = span.root
        base = {"text": span.text, "start_char": span.start_char, "end_char": span.end_char}

        year = context.year if context is not None else None
        entity_hits = [(tokens[i], tokens[j - 1], entry) for i, j, text in self._match(tokens, "entity")
                       if (entry := self._best(text, year)).kind != "region"]
        persons = [h for h in entity_hits if h[2].kind == "person"]
        if persons:
            entry = persons[0][2]
            return Actor(**base, country=entry.code, sector=entry.sector, name=entry.name)

        # Names the dictionary lacks: a PERSON entity, or a surname seen earlier in the doc.
        person_name: str | None = None
        person_tokens: set[int] = set()
        # "Supporters of President X" are not X: a name behind "of" counts only after a title
        # ("the president of X") or a name ("Jan Kowalski of Poland").
        follower = root.pos_ == "NOUN" and self._sector_of(root.text, root) is None
        for ent in span_entities(span):
            if follower and any(a.dep_ == "prep" and a.lower_ == "of" for a in ent.root.ancestors):
                continue
            if ent.label_ == "PERSON" and any(t in tokens for t in ent):
                known = context.lookup(ent.text) if context else None
                if known is not None:
                    return Actor(**base, country=known.country, sector=known.sector,
                                 name=known.name)
                person_name = ent.text
                person_tokens = set(range(ent.start, ent.end))
                break
        # A surname seen earlier, unless the phrase names something the dictionary knows
        # ("United" was remembered from "United Nations"; "the United States" is still the US).
        if person_name is None and context is not None and not entity_hits:
            for tok in tokens:
                if tok.pos_ == "PROPN" and (known := context.lookup(tok.text)) is not None:
                    return Actor(**base, country=known.country, sector=known.sector,
                                 name=known.name)

        sector_hits = [(tokens[i], tokens[j - 1], self._sector_of(text, tokens[j - 1]))
                       for i, j, text in self._match(tokens, "sector")]
        # The head noun's sector wins; a title counts only before a name ("spokesman Geng"),
        # so "press release" is not the media.
        sector = next((s for a, b, s in sector_hits if a.i <= root.i <= b.i), None)
        if sector is None and (root.pos_ == "PROPN" or person_name is not None):
            before = [s for a, b, s in sector_hits if b.i <= root.i]
            sector = before[-1] if before else (sector_hits[-1][2] if sector_hits else None)

        covers_root = [h for h in entity_hits if h[0].i <= root.i <= h[1].i]
        igos = [h for h in entity_hits if h[2].kind == "igo"]
        places = [h for h in entity_hits if h[2].kind != "igo"]
        # Prefer the place word nearest the head among the pre-modifiers ("Russian-backed
        # Ukrainian rebels" → UKR); places only after the head come from "of/from" phrases.
        pre = [h for h in places if h[1].i <= root.i]
        place = pre[-1] if pre else (places[0] if places else None)
        if place is not None and place in covers_root and place[2].kind == "demonym" and root.tag_ in ("NNS", "NNPS"):
            place = self._residence(span, root, place, places) or place
        igo = igos[0] if igos else None

        # "the UN Security Council" is the UN; "Chinese UN envoy" is China's.
        if igo is not None and (place is None or igo in covers_root
                                or (place not in covers_root and igo[0].i < place[0].i)):
            entry = igo[2]
            own = igo in covers_root or entry.code in ("IGO", "NGO")
            sec = sector if sector is not None and not own else entry.sector
            name = person_name or (entry.name if own or entry.code in ("IGO", "NGO") else None)
            return Actor(**base, country=entry.code, sector=sec, name=name)
        if place is not None and place[2].kind == "group":
            # "Hamas leader X", "Hezbollah fighters": the group's own sector and name.
            entry = place[2]
            # The tagger may take the group's own name for a person's ("Amal").
            own = person_tokens & set(range(place[0].i, place[1].i + 1))
            name = entry.name if own or not person_name else person_name
            return Actor(**base, country=entry.code, sector=entry.sector, name=name)
        if place is not None:
            entry = place[2]
            if sector is None:
                if entry.kind == "metonym":
                    sector = entry.sector
                elif entry.kind in ("country", "capital") and place in covers_root:
                    sector = "GOV"  # a bare country or capital as an actor is its government
            return Actor(**base, country=entry.code, sector=sector, name=person_name)
        if sector is not None:
            return Actor(**base, sector=sector, name=person_name)
        return None

    def _residence(self, span: Span, root: Token, people: tuple[Token, Token, Entry],
                   places: list[tuple[Token, Token, Entry]]) -> tuple[Token, Token, Entry] | None:
        """Where a group named by its people noun lives, when the phrase says so.

        CAMEO codes an ethnic or national group by its country of residence: "Bosnian Serbs"
        are BIH, "Hungarians of northern Serbia" and "ethnic Albanians in Serbia" are SRB.
        """
        others = [h for h in places if h[2].code != people[2].code]
        before = [h for h in others if h[1].i < people[0].i]
        if before:
            return before[-1]
        after = [h for h in others if h[0].i > people[1].i and h[2].kind in ("country", "capital")]
        if after:
            return after[0]
        # "in south Serbia" is cut from the kept tokens as a prepositional phrase; look at it here.
        for prep in root.children:
            if prep.dep_ != "prep" or prep.lower_ not in ("in", "inside") or not (span.start <= prep.i < span.end):
                continue
            inner = [t for t in prep.subtree if t.i != prep.i]
            for i, j, text in self._match(inner, "entity"):
                entry = self.lookup(text)[0]
                if entry.kind in ("country", "capital") and entry.code != people[2].code:
                    return inner[i], inner[j - 1], entry
        return None


def _kept_tokens(span: Span) -> list[Token]:
    """Tokens of the phrase that describe the actor: drop "to/in/with ..." phrases, clauses."""
    drop: set[int] = set()
    for tok in span:
        if is_stance_or_sponsor(tok):
            drop.add(tok.i)
            continue
        if tok.dep_ == "punct" and _word_internal(tok):
            continue  # the hyphen in "Kim Jong-un" is part of the name
        cut = (tok.dep_ == "prep" and tok.lower_ not in _KEEP_PREPS) or tok.dep_ in (
            "relcl", "acl", "advcl", "punct", "det", "case") and tok.i != span.root.i
        if cut and tok.i not in drop:
            sub = [t.i for t in tok.subtree] if tok.dep_ not in ("punct", "det", "case") else [tok.i]
            drop.update(sub)
    return [t for t in span if t.i not in drop]


def is_stance_or_sponsor(tok: Token) -> bool:
    """"Iranian" in "pro-Iranian", "Syria" in "anti-Syria", "Syrian" in "Syrian-backed"."""
    doc, i = tok.doc, tok.i
    # Tested for every word of every phrase: look for the hyphen first, build tokens only then.
    if i >= 2 and doc[i - 1].text == "-":
        prefix, hyphen = doc[i - 2], doc[i - 1]
        if prefix.lower_ in _STANCE_PREFIXES and not prefix.whitespace_ and not hyphen.whitespace_:
            return True
    if i + 2 < len(doc) and not tok.whitespace_ and doc[i + 1].text == "-":
        hyphen, suffix = doc[i + 1], doc[i + 2]
        return suffix.lower_ in _SPONSOR_SUFFIXES and not hyphen.whitespace_
    return False


def _word_internal(tok: Token) -> bool:
    """A token glued to both neighbours, like the hyphen in "Jong-un"."""
    doc = tok.doc
    return 0 < tok.i < len(doc) - 1 and not tok.whitespace_ and not doc[tok.i - 1].whitespace_


def _own_subtree(tok: Token, siblings: list[Token]) -> list[Token]:
    """A conjunct's subtree without its fellow conjuncts and the "and" between them."""
    others = {t.i for o in siblings if o.i != tok.i and o.head.i == tok.i for t in o.subtree}
    return [t for t in tok.subtree if t.i not in others and t.dep_ != "cc"]


def _conjunct_spans(span: Span, conjuncts: list[Token]) -> list[Span]:
    """Split "China and Russia" / "Israeli troops and Palestinian protesters" into parts."""
    doc = span.doc
    parts = []
    for k, tok in enumerate(conjuncts):
        start = tok.left_edge.i if k else span.start
        end = conjuncts[k + 1].left_edge.i if k + 1 < len(conjuncts) else span.end
        toks = [t for t in doc[max(start, span.start): min(end, span.end)]
                if t.dep_ not in ("cc", "punct") or t.i == tok.i]
        while toks and toks[-1].dep_ in ("cc", "punct"):
            toks.pop()
        if toks:
            parts.append(doc[toks[0].i: toks[-1].i + 1])
    return parts


class ActorContext:
    """Named actors seen earlier in one document, so a later bare surname resolves to them.

    Keys are the full name and its first and last tokens (Chinese/Korean names put the family
    name first, Western names last, and both forms occur in English news)."""

    def __init__(self, year: int | None = None) -> None:
        self._by_key: dict[str, Actor] = {}
        self.year = year  # the article's publication year: picks a person's post at the time

    def remember(self, actor: Actor) -> None:
        """Record a named actor; a later mention of its surname resolves to it."""
        if not actor.name or (actor.country is None and actor.sector is None):
            return
        tokens = [t for t in re.split(r"[\s\-]+", actor.name) if len(t) > 1 and t[0].isupper()]
        self._by_key[normalize_term(actor.name)] = actor
        if tokens:
            self._by_key[normalize_term(tokens[-1])] = actor
            first = self._by_key.get(normalize_term(tokens[0]))
            if first is None or first.name == actor.name or len(tokens) == 1:
                self._by_key[normalize_term(tokens[0])] = actor

    def lookup(self, text: str) -> Actor | None:
        """The remembered actor a name or surname refers to, if any."""
        return self._by_key.get(normalize_term(text))

    def __len__(self) -> int:
        return len(self._by_key)


@functools.lru_cache(maxsize=1)
def load_actor_dictionary() -> ActorDictionary:
    """The process-wide dictionary, read once from the packaged TSVs."""
    return ActorDictionary()


_MENTION_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})


def _candidate_spans(doc: Doc) -> Iterable[Span]:
    chunks = list(doc.noun_chunks)
    covered = {t.i for c in chunks for t in c}
    extra = [e for e in document_entities(doc) if e.label_ in _MENTION_LABELS and not any(t.i in covered for t in e)]
    return sorted([*chunks, *extra], key=lambda s: s.start)


def find_actor_mentions(doc: Doc, context: ActorContext | None = None) -> list[Actor]:
    """Every actor mention in a document, in order; named ones are remembered in ``context``
    (a fresh one when not given) so later surnames resolve to them."""
    actors = load_actor_dictionary()
    context = context if context is not None else ActorContext()
    found: list[Actor] = []
    for span in _candidate_spans(doc):
        for actor in actors.resolve_all(span, context):
            context.remember(actor)
            found.append(actor)
    return found
