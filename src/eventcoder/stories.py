"""Stories: the articles, from any outlet, that report one real-world event.

Each article gets a *profile*: the words that say what it reports, weighted by how rare they
are in English (``wordfreq``'s frequency table, fixed, so a profile never depends on what else
is stored), with named things counted apart (capitalized words inside a sentence: people,
places, organisations, and pairs of them), numbers (tolls, magnitudes, dates), and what its
coded events say (type and parties, places). Two articles are compared by the cosine of their
profiles (``story_method`` terms, the default), of their title-and-lead sentence embeddings
(``embeddings``, the optional extra) or the mean of both (``both``).

Grouping is in two steps, both pure functions of the articles given:

1. *Links.* Two articles are linked when they share one of their :data:`KEY_TERMS` heaviest
   terms, are published within ``story_window_days`` of each other, and their similarity is
   at least ``story_threshold`` minus :data:`LINK_SLACK`. An undated article has no window to
   keep it apart, so any pair with one pays ``story_undated_margin``: it needs stronger
   evidence. Linked articles form *components* (connected by links).
2. *Stories.* Within a component, average-linkage clustering merges the two groups with the
   highest mean similarity (pairs without a link count 0) while that mean is at least
   ``story_threshold``. Mean linkage is what keeps look-alike events apart: two earthquakes
   share many words, and a few such pairs would chain them into one story under single
   linkage, but the mean over every pair of their articles stays low.

Why components: a new article can change the stories of its component only, so the store
re-groups just the components the new articles link into (``Store.refresh_clusters``), and
the result is the same as grouping everything again. Similarities are integers (weights are
quantized), so they, and every decision built on them, come out exactly the same whichever
set of articles they are computed in.

No SQL here: the store reads the rows, calls :func:`group_stories` and writes the result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import sparse

from eventcoder.model import hash_id
from eventcoder.settings import Options

WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Function words carry no story identity.
STOPWORDS = frozenset(
    "a an the of and or but to in on at by for with from as is are was were be been being has "
    "have had it its this that these those he she they we you i his her their our your them him "
    "not no said says say will would could should may might can also than then there which who "
    "whom what when where while after before over into about against during mr mrs ms".split()
)
# Capitalized inside a sentence, yet not names: calendar words and titles that head names.
NOT_NAMES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december jan feb mar apr jun jul aug sep sept "
    "oct nov dec dr prof gen sen rep president minister i".split()
)
STORY_METHODS = ("terms", "embeddings", "both")
SCALE = 1000  # profile weights are round(weight * SCALE); a similarity is an integer of SCALE²
PROFILE_TERMS = 100  # the heaviest terms kept per article: the rest adds cost, not evidence
KEY_TERMS = 12  # two articles are compared only if they share one of these (see module doc)
PAIR_CHUNK = 100_000  # candidate pairs compared at a time (memory: two rows per pair)
BLOCK_DAYS = 7  # candidates are found this many days at a time (story_links)
LINK_SLACK = 0.1  # links start this far below story_threshold: the mean may still reach it
NAME_BOOST = 1.0  # a named thing counts more than the same word in lower case
NUMBER_WEIGHT = 4.0  # numbers (tolls, magnitudes, ages) are as telling as a rare word
EVENT_WEIGHT = 4.0  # an event's type and parties, or its place, as telling as a rare word
# Bump when profiles are computed differently, so stored ones are rebuilt.
PROFILE_VERSION = 1


@dataclass(frozen=True)
class StoryArticle:
    """What story grouping needs of an article."""

    id: str
    text: str
    outlet: str | None = None
    url: str | None = None
    published: dt.date | None = None
    title: str | None = None
    event_terms: tuple[str, ...] = ()  # what its coded events say (:func:`event_terms`)


@dataclass(frozen=True, eq=False)
class Profile:
    """An article's weighted terms, heaviest first (as :func:`term_id` numbers, int64, with
    int16 weights), its publication date and, with an embedding method, its quantized
    sentence embedding (int16)."""

    article_id: str
    published: dt.date | None
    term_ids: np.ndarray
    weights: np.ndarray
    vector: np.ndarray | None = field(default=None, repr=False)

    @property
    def keys(self) -> np.ndarray:
        """The terms another article must share for the two to be compared: its heaviest
        words and names (numbers and event terms are never keys)."""
        return self.term_ids[:KEY_TERMS]


@dataclass(frozen=True)
class StoryOptions:
    """The settings story grouping reads (from ``Options``, see :meth:`from_options`)."""

    method: str = Options.story_method
    threshold: float = Options.story_threshold
    embedding_threshold: float = Options.story_embedding_threshold
    window_days: int = Options.story_window_days
    undated_margin: float = Options.story_undated_margin

    @classmethod
    def from_options(cls, options: Options) -> StoryOptions:
        """The story settings of an ``Options`` object."""
        return cls(
            method=options.story_method,
            threshold=options.story_threshold,
            embedding_threshold=options.story_embedding_threshold,
            window_days=options.story_window_days,
            undated_margin=options.story_undated_margin,
        )

    def params(self) -> str:
        """What a stored grouping was made with: the store regroups everything when it changes."""
        return (
            f"stories-v{PROFILE_VERSION}-{self.method}-t{self.threshold}-e{self.embedding_threshold}"
            f"-w{self.window_days}-u{self.undated_margin}-k{KEY_TERMS}-p{PROFILE_TERMS}"
        )

    def cutoff(self) -> int:
        """``story_threshold`` (or its embedding or mean counterpart) in similarity units."""
        if self.method == "embeddings":
            value = self.embedding_threshold
        elif self.method == "both":
            value = (self.threshold + self.embedding_threshold) / 2
        else:
            value = self.threshold
        return round(value * SCALE * SCALE)


def story_methods(method: str) -> frozenset[str]:
    """The similarities a ``story_method`` setting asks for: terms, embeddings or both."""
    if method not in STORY_METHODS:
        raise ValueError(f"story_method must be one of {', '.join(STORY_METHODS)}, not {method!r}")
    return frozenset(STORY_METHODS[:2]) if method == "both" else frozenset({method})


# -- profiles ----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Lower-cased, accent-folded content words of ``text`` (stopwords and numbers dropped)."""
    return [w for w in WORD.findall(_fold(text.lower())) if w not in STOPWORDS and not w.isdigit()]


# A token: a word (with inner apostrophes or hyphens), a number, or a sentence boundary.
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d[\d.,]*\d|\d|[.!?:;\"“”«»()\n]")
_BOUNDARY = frozenset('.!?:;"“”«»()\n')


def name_terms(text: str) -> list[str]:
    """Named things: capitalized words not at the start of a sentence, lower-cased and
    ``n:``-prefixed (``n:lombok``). They count on top of the same word in lower case: a name
    says which event more surely than a common word does. (Pairs of names, ``n:tara_reid``,
    were tried and measured no better on ECB+.)"""
    out: list[str] = []
    at_start = True
    for m in _TOKEN.finditer(_fold(text)):
        token = m.group()
        low = token.lower().replace("’", "'").removesuffix("'s")
        if token[0].isupper() and not at_start and low not in STOPWORDS and low not in NOT_NAMES:
            out.append("n:" + low)
        at_start = token in _BOUNDARY
    return out


_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")


def number_terms(text: str) -> list[str]:
    """Numbers of two digits or more (``#95``, ``#5.6``): tolls, ages, magnitudes, years."""
    return ["#" + m.group().replace(",", "") for m in _NUMBER.finditer(text) if len(m.group()) > 1]


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en")


@lru_cache(maxsize=200_000)
def rarity(word: str) -> float:
    """How telling a word is: 7 minus its Zipf frequency in English (``the`` 0, ``earthquake``
    about 3, a name the table lacks 7), never below 0."""
    freq = _frequencies().get(word, 0.0)
    zipf = math.log10(freq * 1e9) if freq > 0 else 0.0
    return max(0.0, 7.0 - zipf)


def term_weight(term: str) -> float:
    """The weight of one profile term before counting: its rarity, more for a name, fixed for
    numbers and event terms."""
    if term.startswith("n:"):
        return rarity(term[2:]) + NAME_BOOST
    if term.startswith("#"):
        return NUMBER_WEIGHT
    if term.startswith("e:"):
        return EVENT_WEIGHT
    return rarity(term)


def event_terms(event_type: str, actors: Iterable[str], recipients: Iterable[str], place: str | None) -> list[str]:
    """What one coded event adds to its article's profile: its type with each party
    (``e:ASSAULT>YEM``, so two outlets that coded one side only still share a term) and its
    place (``e:@hodeidah``)."""
    out = [f"e:{event_type}>{c}" for c in sorted(set(actors) | set(recipients))]
    if place:
        out.append("e:@" + "_".join(words(place)))
    return out


@lru_cache(maxsize=500_000)
def term_id(term: str) -> int:
    """A term as a stable 64-bit number (BLAKE2b), the same in every process: profiles are
    stored and compared as numbers, and a clash between two terms is as likely as two
    articles with one content hash."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def profile(article: StoryArticle, vector: np.ndarray | None = None) -> Profile:
    """The profile of ``article`` (title and text; ``vector``: its sentence embedding, when the
    story method uses one)."""
    text = f"{article.title}\n{article.text}" if article.title and not article.text.startswith(article.title) else article.text
    counts = Counter(words(text))
    counts.update(name_terms(text))
    counts.update(number_terms(text))
    counts.update(article.event_terms)
    raw = {t: (1.0 + math.log(n)) * term_weight(t) for t, n in counts.items()}
    ranked = sorted(((w, t) for t, w in raw.items() if w > 0), key=lambda x: (-x[0], x[1]))[:PROFILE_TERMS]
    norm = math.sqrt(sum(w * w for w, _ in ranked)) or 1.0
    kept = [(t, round(SCALE * w / norm)) for w, t in ranked]
    # Words and names first (heaviest first), then numbers and event terms: the first
    # KEY_TERMS are the keys, and "#2018" or "e:ASSAULT>SYR" would make every article of a
    # busy year, or a war, a candidate of every other.
    kept = sorted(((t, q) for t, q in kept if q > 0), key=lambda x: x[0].startswith(("#", "e:")))
    quantized = None
    if vector is not None:
        quantized = np.rint(np.asarray(vector, dtype=np.float64) * SCALE).astype(np.int16)
    return Profile(
        article_id=article.id,
        published=article.published,
        term_ids=np.array([term_id(t) for t, _ in kept], dtype=np.int64),
        weights=np.array([q for _, q in kept], dtype=np.int16),
        vector=quantized,
    )


def article_vectors(
    articles: Sequence[StoryArticle], vectors: Mapping[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """Unit embedding of every article with text (title and lead, ``eventcoder.embeddings``);
    ``vectors`` may hold precomputed ones by article id (the store's cache). Raises E208 when
    the embeddings extra is not installed."""
    from eventcoder import embeddings as em

    em.check_available()
    out = dict(vectors or {})
    todo = {a.id: em.lead_text(a.text, a.title) for a in articles if a.id not in out and a.text.strip()}
    if todo:
        ids = sorted(todo)
        out.update(zip(ids, em.load_encoder().encode([todo[i] for i in ids])))
    return out


def profiles_of(
    articles: Sequence[StoryArticle], options: StoryOptions, vectors: Mapping[str, np.ndarray] | None = None
) -> list[Profile]:
    """Profiles of ``articles``, embedding them first when ``options.method`` needs it."""
    found = article_vectors(articles, vectors) if "embeddings" in story_methods(options.method) else {}
    return [profile(a, found.get(a.id)) for a in articles]


# -- similarity --------------------------------------------------------------------------------


class _Matrices:
    """Profiles as sparse integer matrices: terms (for similarity) and keys (for candidates)."""

    def __init__(self, profiles: Sequence[Profile]) -> None:
        n = len(profiles)
        lengths = np.array([len(p.term_ids) for p in profiles], dtype=np.int64)
        ids = np.concatenate([p.term_ids for p in profiles]) if n else np.zeros(0, dtype=np.int64)
        vocab, cols = np.unique(ids, return_inverse=True)
        rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
        vals = np.concatenate([p.weights for p in profiles]).astype(np.int64) if n else np.zeros(0, dtype=np.int64)
        shape = (n, max(1, len(vocab)))
        self.terms = sparse.csr_matrix((vals, (rows, cols)), shape=shape)
        # A profile's keys are its first terms, so they are the first entries of its row.
        n_keys = np.minimum(lengths, KEY_TERMS)
        starts = np.cumsum(lengths) - lengths
        offsets = np.arange(int(n_keys.sum())) - np.repeat(np.cumsum(n_keys) - n_keys, n_keys)
        key_index = np.repeat(starts, n_keys) + offsets
        self.keys = sparse.csr_matrix(
            (np.ones(len(key_index), dtype=np.int64), (np.repeat(np.arange(n), n_keys), cols[key_index])), shape=shape
        )
        dim = next((len(p.vector) for p in profiles if p.vector is not None), 0)
        self.vectors = (
            np.stack([p.vector if p.vector is not None else np.zeros(dim, dtype=np.int16) for p in profiles]).astype(np.int64)
            if dim
            else None
        )


def _similarities(m: _Matrices, a: np.ndarray, b: np.ndarray, method: str) -> np.ndarray:
    """Similarity (integer, SCALE² = identical) of rows ``a[k]`` and ``b[k]`` for every k."""
    out = np.zeros(len(a), dtype=np.int64)
    if not len(a):
        return out
    if method in ("terms", "both"):
        out += np.asarray(m.terms[a].multiply(m.terms[b]).sum(axis=1), dtype=np.int64).ravel()
    if method in ("embeddings", "both"):
        assert m.vectors is not None, "embedding methods need profiles with vectors"
        emb = np.einsum("ij,ij->i", m.vectors[a], m.vectors[b])
        out = emb if method == "embeddings" else out + emb
    return out // 2 if method == "both" else out


def _day(d: dt.date | None) -> int | None:
    return d.toordinal() if d is not None else None


def _links(
    m: _Matrices, days: Sequence[int | None], rows: np.ndarray, cols: np.ndarray, options: StoryOptions
) -> list[tuple[int, int, int]]:
    """Of candidate pairs (rows[k], cols[k]) sharing a key, those that are links (module
    doc): within the window, similarity (less the undated margin) at least the link cutoff.
    Returns (i, j, similarity) with i < j."""
    keep = rows < cols
    rows, cols = rows[keep], cols[keep]
    day = np.array([d if d is not None else -1 for d in days], dtype=np.int64)
    undated = (day[rows] < 0) | (day[cols] < 0)
    in_window = undated | (np.abs(day[rows] - day[cols]) <= options.window_days)
    rows, cols, undated = rows[in_window], cols[in_window], undated[in_window]
    # A chunk at a time: each pair's two rows are copied to multiply them.
    sims = np.concatenate([
        _similarities(m, rows[k : k + PAIR_CHUNK], cols[k : k + PAIR_CHUNK], options.method)
        for k in range(0, len(rows), PAIR_CHUNK)
    ] or [np.zeros(0, dtype=np.int64)]) - undated * round(options.undated_margin * SCALE * SCALE)
    link_cutoff = options.cutoff() - round(LINK_SLACK * SCALE * SCALE)
    ok = sims >= link_cutoff
    return list(zip(rows[ok].tolist(), cols[ok].tolist(), sims[ok].tolist()))


def story_links(profiles: Sequence[Profile], options: StoryOptions) -> list[tuple[int, int, int]]:
    """Every link among ``profiles`` (index pairs i < j and their similarity).

    Candidates (pairs sharing a key) are found a block of :data:`BLOCK_DAYS` at a time, each
    dated article against the articles of its block and the window after it, and undated
    ones against everything: the work grows with the articles per window, not with the
    square of the store."""
    if len(profiles) < 2:
        return []
    m = _Matrices(profiles)
    days_of = [_day(p.published) for p in profiles]
    day = np.array([d if d is not None else -1 for d in days_of], dtype=np.int64)
    lows: list[np.ndarray] = []
    highs: list[np.ndarray] = []

    def add(r: np.ndarray, c: np.ndarray, keep: np.ndarray) -> None:
        lows.append(np.minimum(r, c)[keep])
        highs.append(np.maximum(r, c)[keep])

    undated = np.flatnonzero(day < 0)
    if len(undated):
        shared = (m.keys[undated] @ m.keys.T).tocoo()
        r, c = undated[shared.row], shared.col.astype(np.int64)
        add(r, c, (day[c] >= 0) | (r < c))  # an undated pair once, an undated-dated pair once
    dated = np.flatnonzero(day >= 0)
    if len(dated):
        order = dated[np.argsort(day[dated], kind="stable")]
        days = day[order]
        for block in range(int(days[0]), int(days[-1]) + 1, BLOCK_DAYS):
            a, b = np.searchsorted(days, [block, block + BLOCK_DAYS])
            if a == b:
                continue
            e = int(np.searchsorted(days, block + BLOCK_DAYS - 1 + options.window_days, side="right"))
            rows, cols = order[a:b], order[a:e]
            shared = (m.keys[rows] @ m.keys[cols].T).tocoo()
            r, c = rows[shared.row], cols[shared.col]
            # A pair inside the block is met twice (keep i < j), one reaching past it once.
            add(r, c, np.where(shared.col < b - a, r < c, True))
    if not lows:
        return []
    return _links(m, days_of, np.concatenate(lows), np.concatenate(highs), options)


def links_between(new: Sequence[Profile], old: Sequence[Profile], options: StoryOptions) -> list[tuple[str, str]]:
    """Links between a ``new`` and an ``old`` article (article id pairs, new first): which
    stored components the new articles reach."""
    if not new or not old:
        return []
    both = list(new) + list(old)
    m = _Matrices(both)
    shared = (m.keys[: len(new)] @ m.keys[len(new) :].T).tocoo()
    rows, cols = shared.row.astype(np.int64), shared.col.astype(np.int64) + len(new)
    found = _links(m, [_day(p.published) for p in both], rows, cols, options)
    return [(both[i].article_id, both[j].article_id) for i, j, _ in found]


# -- grouping ----------------------------------------------------------------------------------


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


def average_linkage(size: int, links: Iterable[tuple[int, int, int]], cutoff: int) -> list[list[int]]:
    """Average-linkage clustering of ``size`` items given the similarity of linked pairs
    (unlinked pairs count 0): merge the two groups of highest mean similarity while it is at
    least ``cutoff``. Ties go to the lowest indices, so the same input gives the same groups."""
    members: dict[int, list[int]] = {i: [i] for i in range(size)}
    sums: dict[int, dict[int, int]] = defaultdict(dict)
    for i, j, s in links:
        sums[i][j] = sums[i].get(j, 0) + s
        sums[j][i] = sums[j].get(i, 0) + s
    version = dict.fromkeys(range(size), 0)
    heap: list[tuple[float, int, int, int, int]] = []

    def push(a: int, b: int, total: int) -> None:
        a, b = min(a, b), max(a, b)
        n = len(members[a]) * len(members[b])
        if total >= cutoff * n:  # only merges that may happen go on the heap
            heapq.heappush(heap, (-total / n, a, b, version[a], version[b]))

    for i, row in sums.items():
        for j, total in row.items():
            if i < j:
                push(i, j, total)
    while heap:
        _, a, b, va, vb = heapq.heappop(heap)
        if a not in members or b not in members or version[a] != va or version[b] != vb:
            continue  # one side was merged since: its entry is stale
        members[a] += members.pop(b)
        version[a] += 1
        del version[b]
        row_b = sums.pop(b)
        row_a = sums[a]
        row_a.pop(b, None)
        for k, total in row_b.items():
            if k != a:
                row_a[k] = row_a.get(k, 0) + total
                del sums[k][b]
        for k, total in row_a.items():
            sums[k][a] = total
            push(a, k, total)
    return sorted(sorted(g) for g in members.values())


@dataclass(frozen=True)
class Grouping:
    """Stories (sorted article ids) and components (the same, one level up) of a set of articles."""

    stories: list[list[str]]
    components: list[list[str]]

    def story_of(self) -> dict[str, str]:
        """Article id → story id."""
        out: dict[str, str] = {}
        for group in self.stories:
            sid = story_id(group)
            out.update((a, sid) for a in group)
        return out

    def component_of(self) -> dict[str, str]:
        """Article id → component id (its smallest article id)."""
        return {a: group[0] for group in self.components for a in group}


def group_stories(profiles: Sequence[Profile], options: StoryOptions) -> Grouping:
    """Stories and components of ``profiles`` (see the module docstring). A pure function of
    the set: the order of ``profiles`` does not matter."""
    ordered = sorted(profiles, key=lambda p: p.article_id)
    ids = [p.article_id for p in ordered]
    links = story_links(ordered, options)
    uf = _UnionFind(ids)
    for i, j, _ in links:
        uf.union(ids[i], ids[j])
    components = sorted(uf.groups())
    index = {a: k for k, a in enumerate(ids)}
    by_component: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for i, j, s in links:
        by_component[uf.find(ids[i])].append((i, j, s))
    cutoff = options.cutoff()
    stories: list[list[str]] = []
    for members in components:
        local = {index[a]: k for k, a in enumerate(members)}
        pairs = [(local[i], local[j], s) for i, j, s in by_component.get(members[0], [])]
        stories += [[members[k] for k in group] for group in average_linkage(len(members), pairs, cutoff)]
    return Grouping(stories=sorted(stories), components=components)


def story_groups(
    articles: Sequence[StoryArticle],
    options: StoryOptions | None = None,
    vectors: Mapping[str, np.ndarray] | None = None,
) -> list[list[str]]:
    """Group articles into stories: sorted lists of article ids, every article in exactly one
    (alone if nothing matches). ``vectors`` may hold precomputed embeddings by article id."""
    options = options or StoryOptions()
    return group_stories(profiles_of(articles, options, vectors), options).stories


def story_id(member_ids: Iterable[str]) -> str:
    """Content-hash id of a story: the same members always give the same id."""
    return "s" + hash_id("story", *sorted(member_ids))


def assign_stories(
    articles: Sequence[StoryArticle],
    options: StoryOptions | None = None,
    vectors: Mapping[str, np.ndarray] | None = None,
) -> dict[str, str]:
    """Map every article id to its story id (see :func:`story_groups`)."""
    return {a: story_id(g) for g in story_groups(articles, options, vectors) for a in g}
