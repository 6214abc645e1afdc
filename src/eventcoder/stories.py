"""Stories and event clusters: one event reported by many outlets becomes one record.

GDELT counts reports, not events. This stage groups the stored articles into *stories*
(near-duplicate or same-story texts across outlets, found with MinHash LSH over word
shingles, and, with the optional embeddings extra, by the cosine similarity of sentence
embeddings of each article's title and lead: ``story_method``) and the stored events into *clusters*: events with the same actor countries,
PLOVER type and recipient countries whose dates fall within a window of each other, plus
events of one story whose keys are compatible. Every cluster keeps all of its sources
(article ids, outlets, urls, evidence sentences through its member events), names one
canonical event, and counts mentions (events), sources (distinct outlets) and articles.

Pure functions over plain records: no SQL here (``Store.refresh_clusters`` reads the rows,
calls :func:`build_clusters` and writes the result). Ids are content hashes of the
members, so rebuilding from the same store gives the same ids.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from eventcoder.model import hash_id

WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Function words carry no story identity; dropping them makes one-word shingles (the
# default, see settings) compare content words only.
STOPWORDS = frozenset(
    "a an the of and or but to in on at by for with from as is are was were be been being has "
    "have had it its this that these those he she they we you i his her their our your them him "
    "not no said says say will would could should may might can also than then there which who "
    "whom what when where while after before over into about against during mr mrs ms".split()
)
SEED = 1  # MinHash permutations are drawn from this seed: same seed, same signatures
# Two events of one story are one event only when their evidence sentences share at least
# this share of content words (Jaccard): the same sentence, lightly edited, in two copies.
# Compatible keys alone would chain every REQUEST of a long story into one cluster.
SENTENCE_MATCH = 0.5
STORY_METHODS = ("minhash", "embeddings", "both")


@dataclass(frozen=True)
class StoryArticle:
    """What story detection needs of an article."""

    id: str
    text: str
    outlet: str | None = None
    url: str | None = None
    published: dt.date | None = None
    title: str | None = None  # embedded with the lead paragraphs (story_method embeddings)


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
    sentence: str = ""  # the evidence sentence: story links pair events that say the same


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


@dataclass
class Clustering:
    """The result of one build: article → story id, and the event clusters."""

    stories: dict[str, str] = field(default_factory=dict)
    clusters: list[Cluster] = field(default_factory=list)


# -- article stories ---------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-cased, accent-folded content words of ``text`` (stopwords and numbers dropped)."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return [w for w in WORD.findall(folded) if w not in STOPWORDS and not w.isdigit()]


def shingles(text: str, size: int = 1) -> set[str]:
    """The set of ``size``-word shingles of the normalized words of ``text``."""
    ws = words(text)
    if size <= 1 or len(ws) < size:
        return set(ws) if size <= 1 else ({" ".join(ws)} if ws else set())
    return {" ".join(ws[i : i + size]) for i in range(len(ws) - size + 1)}


# Bump when words()/shingles() change, so signatures cached in a store are recomputed.
SIGNATURE_VERSION = 1


@lru_cache(maxsize=8)
def _template(num_perm: int) -> MinHash:
    # Drawing the permutations costs more than hashing a short article: draw them once.
    return MinHash(num_perm=num_perm, seed=SEED)


def signature(text: str, shingle_size: int = 1, num_perm: int = 128) -> MinHash:
    """The MinHash signature of ``text``'s shingles."""
    tpl = _template(num_perm)
    mh = MinHash(num_perm=num_perm, seed=SEED, permutations=tpl.permutations, scheme=tpl.scheme)
    items = shingles(text, shingle_size)
    if items:
        mh.update_batch([s.encode("utf-8") for s in items])
    return mh


def signature_params(shingle_size: int = 1, num_perm: int = 128) -> str:
    """What a stored signature was made with; a cached one is reused only when this matches."""
    return f"minhash-{_template(num_perm).scheme}-seed{SEED}-perm{num_perm}-shingle{shingle_size}-v{SIGNATURE_VERSION}"


def signature_to_bytes(mh: MinHash) -> bytes:
    """A signature as bytes, for the store's cache."""
    return bytes(np.asarray(mh.hashvalues).tobytes())


def signature_from_bytes(data: bytes, num_perm: int = 128) -> MinHash:
    """A signature read back from :func:`signature_to_bytes` (as a lean, read-only MinHash)."""
    tpl = _template(num_perm)
    values = np.frombuffer(data, dtype=tpl.hashvalues.dtype)
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=tpl.scheme)


class _UnionFind:
    """Disjoint sets over string keys; the smallest key is each set's root, so the grouping
    does not depend on the order the unions come in."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.parent = {k: k for k in keys}

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for key in self.parent:
            out[self.find(key)].append(key)
        return [sorted(members) for members in out.values()]


def story_methods(method: str) -> frozenset[str]:
    """The link kinds a ``story_method`` setting asks for: minhash, embeddings or both."""
    if method not in STORY_METHODS:
        raise ValueError(f"story_method must be one of {', '.join(STORY_METHODS)}, not {method!r}")
    return frozenset(STORY_METHODS[:2]) if method == "both" else frozenset({method})


def article_vectors(
    articles: Sequence[StoryArticle], vectors: Mapping[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """Unit embedding of every article with text (title and lead, ``eventcoder.embeddings``);
    ``vectors`` may hold precomputed ones by article id (the store's cache). Raises E208 when
    the embeddings extra is not installed."""
    from eventcoder import embeddings as em

    em.check_available()
    out = {k: v for k, v in (vectors or {}).items()}
    todo = {a.id: em.lead_text(a.text, a.title) for a in articles if a.id not in out and a.text.strip()}
    if todo:
        ids = sorted(todo)
        out.update(zip(ids, em.load_encoder().encode([todo[i] for i in ids])))
    return out


def story_groups(
    articles: Sequence[StoryArticle],
    threshold: float = 0.4,
    shingle_size: int = 1,
    num_perm: int = 128,
    signatures: Mapping[str, MinHash] | None = None,
    *,
    method: str = "minhash",
    embedding_threshold: float = 0.7,
    vectors: Mapping[str, np.ndarray] | None = None,
) -> list[list[str]]:
    """Group articles into stories: two articles are one story when the estimated Jaccard
    similarity of their shingle sets is at least ``threshold`` (LSH finds the candidates,
    the signatures confirm them); stories are the connected components. Every article is in
    exactly one group (alone if nothing matches); groups are sorted lists of article ids.
    ``signatures`` may hold precomputed signatures by article id (the store's cache); the
    others are computed from the text.

    ``method`` (the ``story_method`` setting) picks the links: ``minhash`` (above),
    ``embeddings`` (cosine similarity of title-and-lead embeddings at least
    ``embedding_threshold``; ``vectors`` may hold precomputed ones) or ``both`` (either link
    joins two articles)."""
    methods = story_methods(method)
    signatures = signatures or {}
    ids = sorted({a.id for a in articles})
    uf = _UnionFind(ids)
    if "embeddings" in methods:
        found = article_vectors(articles, vectors)
        with_vectors = [i for i in ids if i in found]
        if len(with_vectors) > 1:
            from eventcoder.embeddings import similar_pairs

            matrix = np.stack([found[i] for i in with_vectors]).astype(np.float32)
            for a, b in similar_pairs(with_vectors, matrix, embedding_threshold):
                uf.union(a, b)
    if "minhash" in methods and len(ids) > 1:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        sigs: dict[str, MinHash] = {}
        for article in sorted(articles, key=lambda a: a.id):
            if article.id in sigs:
                continue
            sig = signatures.get(article.id) or signature(article.text, shingle_size, num_perm)
            if sig.is_empty():
                continue  # no content words: nothing to compare
            for other in lsh.query(sig):
                # LSH only proposes; keep the pair when the signatures agree it is close enough.
                if sig.jaccard(sigs[other]) >= threshold:
                    uf.union(article.id, other)
            lsh.insert(article.id, sig)
            sigs[article.id] = sig
    return sorted(uf.groups())


def story_id(member_ids: Iterable[str]) -> str:
    """Content-hash id of a story: the same members always give the same id."""
    return "s" + hash_id("story", *sorted(member_ids))


def assign_stories(
    articles: Sequence[StoryArticle],
    threshold: float = 0.4,
    shingle_size: int = 1,
    num_perm: int = 128,
    signatures: Mapping[str, MinHash] | None = None,
    *,
    method: str = "minhash",
    embedding_threshold: float = 0.7,
    vectors: Mapping[str, np.ndarray] | None = None,
) -> dict[str, str]:
    """Map every article id to its story id (see :func:`story_groups`)."""
    out: dict[str, str] = {}
    groups = story_groups(
        articles, threshold, shingle_size, num_perm, signatures,
        method=method, embedding_threshold=embedding_threshold, vectors=vectors,
    )  # fmt: skip
    for group in groups:
        sid = story_id(group)
        out.update((member, sid) for member in group)
    return out


# -- event clusters ----------------------------------------------------------------------------


def outlet_of(outlet: str | None, url: str | None, article_id: str) -> str:
    """Who published an article: its outlet, else its url's host, else the article itself."""
    if outlet:
        return outlet.strip().lower()
    if url:
        host = urlsplit(url).hostname or ""
        if host:
            return host.removeprefix("www.")
    return f"article:{article_id}"


def _key(ev: ClusterEvent) -> tuple[str, frozenset[str], frozenset[str], bool]:
    return (ev.event_type, ev.actor_countries, ev.recipient_countries, ev.background)


def sentence_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the content-word sets of two sentences (0 when either is empty)."""
    wa, wb = set(words(a)), set(words(b))
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def compatible(a: ClusterEvent, b: ClusterEvent) -> bool:
    """Could two events of one story be the same event? Same type and background flag, and
    their actors (and recipients) share a country or one side names none. (Story links also
    need matching evidence sentences, which is what makes a country-less match safe.)"""
    if a.event_type != b.event_type or a.background != b.background:
        return False

    def agree(x: frozenset[str], y: frozenset[str]) -> bool:
        return not x or not y or bool(x & y)

    return agree(a.actor_countries, b.actor_countries) and agree(a.recipient_countries, b.recipient_countries)


def _canonical(members: Sequence[ClusterEvent]) -> ClusterEvent:
    # Highest confidence, then the most complete record, then the earliest, then the id.
    return min(
        members,
        key=lambda e: (-e.confidence, -e.completeness, e.date or dt.date.max, e.id),
    )


def cluster_events(
    events: Sequence[ClusterEvent],
    stories: dict[str, str] | None = None,
    window_days: int = 3,
) -> list[Cluster]:
    """Group events into deduplicated clusters.

    Events with the same key (type, actor countries, recipient countries, background flag),
    both country sets non-empty, merge when their dates lie within ``window_days`` of the first date of the run they
    belong to (runs start afresh after a longer gap, so a cluster never spans more than the
    window). Undated events merge only through a story. Events of different articles in one
    story (``stories``: article id → story id) merge when :func:`compatible` and their
    evidence sentences match (:data:`SENTENCE_MATCH`), whatever their dates: one sentence
    copied by two outlets reports one happening. Clusters are returned in (first date, id)
    order.
    """
    stories = stories or {}
    by_id = {ev.id: ev for ev in events}
    uf = _UnionFind(by_id)

    by_key: dict[tuple[str, frozenset[str], frozenset[str], bool], list[ClusterEvent]] = defaultdict(list)
    for ev in by_id.values():
        # Only dyadic events merge on their key alone: "Australia agreed" on one day in two
        # unrelated articles is too little to call one event (it still merges within a story).
        if ev.date is not None and ev.actor_countries and ev.recipient_countries:
            by_key[_key(ev)].append(ev)
    window = dt.timedelta(days=window_days)
    for members in by_key.values():
        members.sort(key=lambda e: (e.date, e.id))
        start = members[0]
        for ev in members[1:]:
            assert ev.date is not None and start.date is not None
            if ev.date - start.date <= window:
                uf.union(start.id, ev.id)
            else:
                start = ev

    by_story: dict[str, list[ClusterEvent]] = defaultdict(list)
    for ev in by_id.values():
        sid = stories.get(ev.article_id)
        if sid is not None:
            by_story[sid].append(ev)
    for members in by_story.values():
        if len({e.article_id for e in members}) < 2:
            continue  # one article: its own events stay distinct events
        members.sort(key=lambda e: e.id)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if (
                    a.article_id != b.article_id
                    and compatible(a, b)
                    and sentence_similarity(a.sentence, b.sentence) >= SENTENCE_MATCH
                ):
                    uf.union(a.id, b.id)

    clusters = [_cluster([by_id[i] for i in group]) for group in uf.groups()]
    return sorted(clusters, key=lambda c: (c.first_date or dt.date.max, c.id))


def cluster_id(event_ids: Iterable[str]) -> str:
    """Content-hash id of a cluster: the same member events always give the same id."""
    return "c" + hash_id("cluster", *sorted(event_ids))


def _cluster(members: Sequence[ClusterEvent]) -> Cluster:
    canonical = _canonical(members)
    dates = sorted(e.date for e in members if e.date is not None)
    actors = sorted(set().union(*(e.actor_countries for e in members)))
    recipients = sorted(set().union(*(e.recipient_countries for e in members)))
    return Cluster(
        id=cluster_id(e.id for e in members),
        canonical_event_id=canonical.id,
        event_type=canonical.event_type,
        actor_countries=tuple(actors),
        recipient_countries=tuple(recipients),
        background=canonical.background,
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
        event_ids=tuple(sorted(e.id for e in members)),
        article_ids=tuple(sorted({e.article_id for e in members})),
        sources=tuple(sorted({outlet_of(e.outlet, e.url, e.article_id) for e in members})),
    )


def build_clusters(
    articles: Sequence[StoryArticle],
    events: Sequence[ClusterEvent],
    *,
    threshold: float = 0.4,
    shingle_size: int = 1,
    num_perm: int = 128,
    window_days: int = 3,
    signatures: Mapping[str, MinHash] | None = None,
    method: str = "minhash",
    embedding_threshold: float = 0.7,
    vectors: Mapping[str, np.ndarray] | None = None,
) -> Clustering:
    """Stories of ``articles`` and clusters of ``events`` in one call (what the store runs)."""
    stories = assign_stories(
        articles, threshold, shingle_size, num_perm, signatures,
        method=method, embedding_threshold=embedding_threshold, vectors=vectors,
    )  # fmt: skip
    return Clustering(stories=stories, clusters=cluster_events(events, stories, window_days))
