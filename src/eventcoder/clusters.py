"""Event clusters: the events of one story that report the same happening, as one record.

GDELT counts reports, not events. Here two events are one event only inside one story
(``eventcoder.stories``: the articles that report one real-world event), and only when
nothing they say disagrees and their evidence agrees:

* *Compatible.* Same PLOVER type, background flag and negation; their parties overlap (the
  countries of actors and recipients together share one), or one of them names no party at
  all: an outlet that coded only the target, or nobody, still reports the same strike.
  Recipients both named and disjoint, a place in another country (or city), or exact dates
  more than ``cluster_window_days`` apart make two events different events.
* *Evidence.* :func:`match_score`: how alike their evidence sentences are (content words and
  names, weighted by rarity), plus agreement on the trigger word, the place, the exact date
  and the full dyad. Pairs reaching :data:`EVENT_MATCH` are merged, best first.
* *One event per article and no contradiction inside a cluster.* An article's own events are
  distinct events (it would not report one happening twice as two), so a merge that would
  put two events of one article together, or two incompatible events, is skipped.

Every cluster keeps all its sources (article ids, outlets, urls, evidence through its member
events), names one canonical event and counts mentions (events), sources (distinct outlets)
and articles, as GDELT's NumMentions, NumSources and NumArticles. Clusters of one story depend
on that story's events only, so the store recomputes only the stories that changed. Ids are
content hashes of the members: the same events always give the same ids.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from eventcoder.model import hash_id
from eventcoder.stories import name_terms, number_terms, term_weight, words

# Merge pairs whose match score reaches this. Sentence similarity alone must be well above
# chance for two sentences of one story (which share the story's words); agreement on the
# trigger, place, date or dyad lowers what the sentences must share. Chosen on bench set B.
EVENT_MATCH = 0.3
TRIGGER_BONUS = 0.1
PLACE_BONUS = 0.15
DATE_BONUS = 0.1
DYAD_BONUS = 0.05


@dataclass(frozen=True)
class ClusterEvent:
    """What event clustering needs of a stored event (one ``events`` row and its article)."""

    id: str
    article_id: str
    event_type: str
    actor_countries: frozenset[str]
    recipient_countries: frozenset[str]
    date: dt.date | None  # the event's date, or its article's publication date
    background: bool = False
    confidence: float = 0.5
    completeness: int = 0  # how many optional fields are filled; breaks confidence ties
    outlet: str | None = None
    url: str | None = None
    sentence: str = ""  # the evidence sentence
    trigger: str = ""
    negated: bool = False
    exact_date: dt.date | None = None  # the event's own date, when known to the day
    place_name: str | None = None
    place_country: str | None = None


@dataclass(frozen=True)
class Cluster:
    """One deduplicated event: its members, the canonical member and the counts."""

    id: str
    canonical_event_id: str
    event_type: str
    actor_countries: tuple[str, ...]
    recipient_countries: tuple[str, ...]
    background: bool
    first_date: dt.date | None
    last_date: dt.date | None
    event_ids: tuple[str, ...]
    article_ids: tuple[str, ...]
    sources: tuple[str, ...]  # distinct outlets (or url hosts) that reported it

    @property
    def num_mentions(self) -> int:
        """GDELT NumMentions: how many event records (mentions) the cluster holds."""
        return len(self.event_ids)

    @property
    def num_sources(self) -> int:
        """GDELT NumSources: how many distinct outlets reported it."""
        return len(self.sources)

    @property
    def num_articles(self) -> int:
        """GDELT NumArticles: how many distinct articles reported it."""
        return len(self.article_ids)


def outlet_of(outlet: str | None, url: str | None, article_id: str) -> str:
    """Who published an article: its outlet, else its url's host, else the article itself."""
    if outlet:
        return outlet.strip().lower()
    if url:
        host = urlsplit(url).hostname or ""
        if host:
            return host.removeprefix("www.")
    return f"article:{article_id}"


# -- comparing two events ----------------------------------------------------------------------


def _stem(word: str) -> str:
    # "struck"/"strikes"/"striking" -> "stri"/"strik": crude, but triggers only need to agree
    # when two outlets used the same verb, and a false agreement only adds a bonus.
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _trigger_stems(trigger: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in words(trigger))


def _place_words(name: str | None) -> frozenset[str]:
    return frozenset(words(name or ""))


def compatible(a: ClusterEvent, b: ClusterEvent, window_days: int = 3) -> bool:
    """Could ``a`` and ``b`` report the same happening? (module docstring: *compatible*)"""
    if (a.event_type, a.background, a.negated) != (b.event_type, b.background, b.negated):
        return False
    parties_a = a.actor_countries | a.recipient_countries
    parties_b = b.actor_countries | b.recipient_countries
    if parties_a and parties_b and not parties_a & parties_b:
        return False
    if a.recipient_countries and b.recipient_countries and not a.recipient_countries & b.recipient_countries:
        return False
    if a.place_country and b.place_country and a.place_country != b.place_country:
        return False
    place_a, place_b = _place_words(a.place_name), _place_words(b.place_name)
    if place_a and place_b and not place_a & place_b:
        return False
    if a.exact_date and b.exact_date and abs((a.exact_date - b.exact_date).days) > window_days:
        return False
    return True


def _sentence_vector(sentence: str) -> dict[str, float]:
    counts = Counter(words(sentence))
    counts.update(name_terms(sentence))
    counts.update(number_terms(sentence))
    vec = {t: (1.0 + math.log(n)) * term_weight(t) for t, n in counts.items()}
    vec = {t: w for t, w in vec.items() if w > 0}
    norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
    return {t: w / norm for t, w in vec.items()}


def _cosine(va: dict[str, float], vb: dict[str, float]) -> float:
    if len(va) > len(vb):
        va, vb = vb, va
    return sum(w * vb.get(t, 0.0) for t, w in va.items())


def sentence_similarity(a: str, b: str) -> float:
    """Cosine of two sentences' rarity-weighted content words, names and numbers (0 when
    either has none)."""
    return _cosine(_sentence_vector(a), _sentence_vector(b))


def match_score(a: ClusterEvent, b: ClusterEvent, vectors: Mapping[str, dict[str, float]] | None = None) -> float:
    """How surely two compatible events are one: sentence similarity plus the bonuses for
    agreeing on trigger, place, exact date and the whole dyad (module docstring).
    ``vectors`` (sentence → its vector) saves recomputing a sentence compared many times."""
    if vectors is not None:
        score = _cosine(vectors[a.sentence], vectors[b.sentence])
    else:
        score = sentence_similarity(a.sentence, b.sentence)
    if _trigger_stems(a.trigger) & _trigger_stems(b.trigger):
        score += TRIGGER_BONUS
    if _place_words(a.place_name) & _place_words(b.place_name):
        score += PLACE_BONUS
    if a.exact_date and a.exact_date == b.exact_date:
        score += DATE_BONUS
    if a.actor_countries and a.recipient_countries and (a.actor_countries, a.recipient_countries) == (
        b.actor_countries,
        b.recipient_countries,
    ):
        score += DYAD_BONUS
    return score


# -- clustering --------------------------------------------------------------------------------


def _story_clusters(members: Sequence[ClusterEvent], window_days: int) -> list[list[ClusterEvent]]:
    """Clusters of the events of one story (module docstring)."""
    members = sorted(members, key=lambda e: e.id)
    # Each sentence is compared with every other event's: make its vector once.
    vectors = {e.sentence: _sentence_vector(e.sentence) for e in members}
    candidates = []
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            if a.article_id != b.article_id and compatible(a, b, window_days):
                score = match_score(a, b, vectors)
                if score >= EVENT_MATCH:
                    candidates.append((-score, a.id, b.id))
    groups: dict[str, list[ClusterEvent]] = {e.id: [e] for e in members}
    root = {e.id: e.id for e in members}
    for _, x, y in sorted(candidates):
        rx, ry = root[x], root[y]
        if rx == ry:
            continue
        gx, gy = groups[rx], groups[ry]
        if {e.article_id for e in gx} & {e.article_id for e in gy}:
            continue  # one article's events are distinct events
        if not all(compatible(p, q, window_days) for p in gx for q in gy):
            continue  # would hold two events that cannot be one
        keep, drop = sorted((rx, ry))
        groups[keep] = gx + gy if keep == rx else gy + gx
        for e in groups.pop(drop):
            root[e.id] = keep
    return list(groups.values())


def _canonical(members: Sequence[ClusterEvent]) -> ClusterEvent:
    # Highest confidence, then the most complete record, then the earliest, then the id.
    return min(members, key=lambda e: (-e.confidence, -e.completeness, e.date or dt.date.max, e.id))


def cluster_id(event_ids: Iterable[str]) -> str:
    """Content-hash id of a cluster: the same member events always give the same id."""
    return "c" + hash_id("cluster", *sorted(event_ids))


def _cluster(members: Sequence[ClusterEvent]) -> Cluster:
    canonical = _canonical(members)
    dates = sorted(e.date for e in members if e.date is not None)
    return Cluster(
        id=cluster_id(e.id for e in members),
        canonical_event_id=canonical.id,
        event_type=canonical.event_type,
        actor_countries=tuple(sorted(set().union(*(e.actor_countries for e in members)))),
        recipient_countries=tuple(sorted(set().union(*(e.recipient_countries for e in members)))),
        background=canonical.background,
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
        event_ids=tuple(sorted(e.id for e in members)),
        article_ids=tuple(sorted({e.article_id for e in members})),
        sources=tuple(sorted({outlet_of(e.outlet, e.url, e.article_id) for e in members})),
    )


def cluster_events(
    events: Sequence[ClusterEvent], stories: Mapping[str, str] | None = None, window_days: int = 3
) -> list[Cluster]:
    """Group events into deduplicated clusters within their stories (``stories``: article id
    → story id; an article without one is a story of its own). Returns clusters in (first
    date, id) order; every event is in exactly one."""
    stories = stories or {}
    by_story: dict[str, list[ClusterEvent]] = defaultdict(list)
    for ev in {e.id: e for e in events}.values():
        by_story[stories.get(ev.article_id, "article:" + ev.article_id)].append(ev)
    clusters = [_cluster(g) for members in by_story.values() for g in _story_clusters(members, window_days)]
    return sorted(clusters, key=lambda c: (c.first_date or dt.date.max, c.id))
