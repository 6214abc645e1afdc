"""Wire the stages together: articles in, coded articles out, stored in batches.

    read_paths ─> Article ─> nlp.pipe ─> extract_events ─> CodedArticle ─> Store.save_many

Every article comes out as a ``CodedArticle``; when no event could be coded its
``rejections`` say why (not English, no sentences, nothing matched, cut for length), and
those reasons land in the failures table beside the inputs that could not be read at all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from itertools import islice
from pathlib import Path

from eventcoder.embeddings import check_available as check_embeddings
from eventcoder.errors import E201_NO_SENTENCES, E202_NOT_ENGLISH, E203_NO_EVENTS, E204_TRUNCATED
from eventcoder.extract.datelines import find_dateline
from eventcoder.extract.events import extract_events, parsed_text
from eventcoder.ingest import read_paths, read_text
from eventcoder.model import Article, CodedArticle, Rejected
from eventcoder.nlp.pipeline import load_pipeline
from eventcoder.settings import Options, load_options
from eventcoder.store import Store
from eventcoder.stories import story_methods

STORE_BATCH = Options.store_batch  # the default; code_files reads options.store_batch

# English running prose is roughly a fifth function words that other European languages do
# not share ("the", "of", "and", "to" ...). Below this share, over enough words, we do not try
# to code the text: the English parser would only invent structure.
ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to is was that with for on said by has have were will this which their from it "
    "are be been as at its they he she who would could not but a an after over against during "
    "while when where there these had his her them we our into than also about".split()
)
MIN_ENGLISH_SHARE = 0.06
MIN_WORDS_FOR_LANGUAGE_CHECK = 20
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass
class RunSummary:
    """What one coding run did."""

    articles: int = 0
    events: int = 0
    new_events: int = 0
    skipped: int = 0  # articles already in the store (or met earlier in the run), not coded again
    failures: list[Rejected] = field(default_factory=list)
    clusters: int = 0  # deduplicated event clusters in the store after the run

    @property
    def ok(self) -> bool:
        return self.articles > 0


def _rejection(article: Article, code: str, reason: str) -> Rejected:
    return Rejected(source=article.source or article.id, stage="events", code=code, reason=reason, article_id=article.id)


def language_problem(text: str) -> str | None:
    """Why the text is not English running prose, or None when it looks like it is."""
    words = WORD.findall(text)
    if len(words) < MIN_WORDS_FOR_LANGUAGE_CHECK:
        return None
    latin = sum(1 for w in words if w.isascii())
    if latin / len(words) < 0.5:
        return f"text is not English: {len(words) - latin} of {len(words)} words are in a non-Latin script"
    share = sum(1 for w in words if w.lower() in ENGLISH_FUNCTION_WORDS) / len(words)
    if share < MIN_ENGLISH_SHARE:
        return f"text does not look like English prose: only {share:.0%} of its words are English function words"
    return None


def _truncate(article: Article, max_chars: int) -> tuple[Article, Rejected | None]:
    if len(article.text) <= max_chars:
        return article, None
    cut = article.text.rfind("\n", 0, max_chars)
    cut = cut if cut > max_chars // 2 else max_chars
    note = _rejection(article, E204_TRUNCATED, f"article is {len(article.text):,} characters; only the first {cut:,} were coded (max_chars={max_chars:,})")
    return article.model_copy(update={"text": article.text[:cut]}), note


def without_dateline(text: str) -> str:
    """The text as the parser sees it: a dateline ("ISTANBUL, May 14 (Reuters) -") blanked
    out with spaces, so it is not parsed as the first sentence's subject while every offset
    still points into the stored text."""
    dateline = find_dateline(text)
    if dateline is None:
        return text
    return text[: dateline.start] + " " * (dateline.end - dateline.start) + text[dateline.end :]


def code_articles(articles: Iterable[Article], options: Options | None = None) -> Iterator[CodedArticle]:
    """Code a stream of articles, parsing them in batches with spaCy's ``nlp.pipe``."""
    options = options or load_options()
    nlp = load_pipeline(options.spacy_model, options.verify_model)
    iterator = iter(articles)
    while batch := list(islice(iterator, options.batch_size)):
        prepared: list[tuple[Article, list[Rejected]]] = []
        for article in batch:
            cut, note = _truncate(article, options.max_chars)
            prepared.append((cut, [note] if note else []))
        problems = [language_problem(a.text) for a, _ in prepared]
        parsed = [parsed_text(a, without_dateline(a.text)) for (a, _), problem in zip(prepared, problems) if not problem]
        to_parse = [text for text, _ in parsed]
        offsets = iter([shift for _, shift in parsed])
        docs = iter(nlp.pipe(to_parse, batch_size=options.batch_size, n_process=options.n_process))
        # Yield in input order, whether parsed or refused, so callers can zip inputs and outputs.
        for (article, notes), problem in zip(prepared, problems):
            if problem:
                yield CodedArticle(article=article, rejections=[*notes, _rejection(article, E202_NOT_ENGLISH, problem)])
                continue
            doc = next(docs)
            events, quotes = extract_events(article, doc, next(offsets))
            events = [e for e in events if e.confidence >= options.min_confidence]
            if not any(t.pos_ in {"VERB", "AUX"} for t in doc):
                notes.append(_rejection(article, E201_NO_SENTENCES, "no sentence with a verb was found (a table, list or fragment?)"))
            elif not events:
                notes.append(_rejection(article, E203_NO_EVENTS, f"{len(list(doc.sents))} sentences parsed, but none reports a political event the lexicon knows"))
            yield CodedArticle(article=article, events=events, quotes=quotes, rejections=notes)


def code_text(text: str, *, options: Options | None = None, **meta: object) -> CodedArticle:
    """Code one text in memory: ``code_text("China urged ...", published=date(2018, 6, 12))``."""
    article = read_text(text, **meta)  # type: ignore[arg-type]
    if isinstance(article, Rejected):
        return CodedArticle(article=Article.from_text(text or " ", source="<text>"), rejections=[article])
    return next(code_articles([article], options))


def code_files(
    paths: Iterable[str | Path],
    store: Store,
    options: Options | None = None,
    *,
    defaults: Callable[[Article], Article] | None = None,
    on_article: Callable[[CodedArticle | Rejected], None] | None = None,
    resume: bool = True,
    workers: int | None = 1,
) -> RunSummary:
    """Read files, folders or globs, code every article and store the results.

    Unreadable inputs are recorded in the store's failures table and the batch goes on.
    ``defaults`` may fill in metadata (e.g. a publication date) before coding;
    ``on_article`` is called once per input coded or failed, for progress reporting.

    Crash-safe and resumable: articles are stored ``options.store_batch`` at a time, each batch
    (articles, events, actors and failures) in one transaction, so a killed run leaves
    whole batches only. With ``resume`` (the default) an article whose id (a hash of its
    text, known before NLP) is already stored, or was already met in this run, is skipped
    and counted in ``summary.skipped``; re-running after a crash codes only what is
    missing. ``resume=False`` codes everything again (after a lexicon change, say).
    ``workers`` > 1 (None: all cores) parses in that many processes (``scale.local``); this
    process stays the only store writer, and results are stored in input order.
    """
    options = options or load_options()
    if "embeddings" in story_methods(options.story_method):
        check_embeddings()  # E208 now, not after coding the whole batch
    summary = RunSummary()
    done = store.article_ids() if resume else set()
    failed: list[Rejected] = []

    def articles() -> Iterator[Article]:
        nonlocal failed
        for item in read_paths(paths, min_chars=options.min_chars, max_bytes=options.max_input_bytes):
            if isinstance(item, Rejected):
                failed.append(item)
                summary.failures.append(item)
                if on_article:
                    on_article(item)
                if len(failed) >= options.store_batch:  # a long run of bad inputs: keep them, too
                    store.save_many([], failures=failed)
                    failed = []
                continue
            if resume:
                if item.id in done:
                    summary.skipped += 1
                    continue
                done.add(item.id)
            yield defaults(item) if defaults else item

    pending: list[CodedArticle] = []

    def flush() -> None:
        nonlocal pending, failed
        summary.new_events += store.save_many(pending, failures=failed)
        pending, failed = [], []

    if workers == 1:
        coded_stream = code_articles(articles(), options)
    else:
        from eventcoder.scale.local import code_parallel

        coded_stream = code_parallel(articles(), options, workers)
    for coded in coded_stream:
        summary.articles += 1
        summary.events += len(coded.events)
        summary.failures += [r for r in coded.rejections if r.code != E203_NO_EVENTS]
        pending.append(coded)
        if on_article:
            on_article(coded)
        if len(pending) >= options.store_batch:
            flush()
    flush()
    if summary.articles:
        # Leave stories and clusters matching what is stored (a full rebuild; see stories.py).
        summary.clusters = store.refresh_clusters(options)["event_clusters"]
    return summary


def seed_paths() -> list[Path]:
    """The two founding articles shipped inside the package for ``eventcoder demo``."""
    folder = Path(str(resources.files("eventcoder") / "seeds"))
    return sorted(folder.glob("*.txt"))


def seed_defaults(article: Article) -> Article:
    """Publication metadata for seeds whose text carries none (seeds/metadata.json)."""
    metadata = json.loads((Path(str(resources.files("eventcoder") / "seeds")) / "metadata.json").read_text())
    entry = metadata.get(Path(article.source).name, {})
    updates: dict[str, object] = {}
    if article.published is None and entry.get("published"):
        updates["published"] = dt.date.fromisoformat(entry["published"])
    if article.outlet is None and entry.get("outlet"):
        updates["outlet"] = entry["outlet"]
    return article.model_copy(update=updates) if updates else article
