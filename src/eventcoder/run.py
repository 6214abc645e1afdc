"""Wire the stages together: articles in, coded articles out, stored in batches.

    read_paths ─> Article ─> nlp.pipe ─> extract_events ─> CodedArticle ─> Store.save_many

Every article comes out as a ``CodedArticle``; when no event could be coded its
``rejections`` say why (not English, no sentences, nothing matched, cut for length, or E209:
coding it raised), and those reasons land in the failures table beside the inputs that could
not be read at all. One article never stops the others, on any path: ``code_text``,
``code_articles`` (and so ``eval``), ``code_files`` with one worker or many.

An article's id is the hash of its cleaned text as read (``model.Article.from_text``). Coding
works on that text made plain first (NFKC, invisible controls removed: see
:func:`coding_text`) and cut to ``max_chars`` (E204); what is stored is the text that was
coded, so every offset points into the stored text, and the id stays that of the input (a
re-run recognises it and skips it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import traceback
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

from eventcoder.embeddings import check_available as check_embeddings
from eventcoder.errors import (
    E201_NO_SENTENCES,
    E202_NOT_ENGLISH,
    E203_NO_EVENTS,
    E204_TRUNCATED,
    E209_CODING_FAILED,
    E303_WRITE,
    StoreError,
)
from eventcoder.extract.datelines import find_dateline
from eventcoder.extract.events import EVENT_MODELS, extract_events, parsed_text
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
# Characters that change what a word is without changing how it looks: bidirectional controls
# (a right-to-left override shows "\u202eanihC" as "China") and zero-width ones ("Ch\u200bina"
# looks like China and matches no dictionary entry). Removed before coding, with the soft hyphen.
INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


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


def coding_text(text: str) -> str:
    """The text as it is coded and stored: NFKC (full-width "Ｃｈｉｎａ" and ligatures "ﬁ" become
    plain letters), invisible controls removed, lines trimmed as ``model.normalize_text`` does."""
    plain = INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return "\n".join(line.rstrip() for line in plain.split("\n")).strip()


def coding_failure(article: Article, exc: BaseException, notes: Iterable[Rejected] = ()) -> CodedArticle:
    """The article with an E209 note saying what raised where (its events are not coded), after
    ``notes`` and the article's own reading notes."""
    frames = traceback.extract_tb(exc.__traceback__)
    at = f" (in {Path(frames[-1].filename).name}, line {frames[-1].lineno})" if frames else ""
    reason = f"coding this article failed: {type(exc).__name__}: {exc}{at}; the run went on without its events"
    notes = [*article.notes, *notes]
    article = article.model_copy(update={"notes": ()}) if article.notes else article
    return CodedArticle(article=article, rejections=[*notes, _rejection(article, E209_CODING_FAILED, reason)])


def _prepare(article: Article, max_chars: int) -> tuple[Article, list[Rejected]]:
    # Notes made while reading (E113) leave the article here for its CodedArticle's rejections.
    notes = list(article.notes)
    text = coding_text(article.text)
    update: dict[str, object] = {"notes": ()} if notes else {}
    if text != article.text:
        update["text"] = text
    plain = article.model_copy(update=update) if update else article
    cut, note = _truncate(plain, max_chars)
    return cut, notes + ([note] if note else [])


def _parse(nlp: Any, texts: list[str], options: Options) -> list[Any]:
    """A spaCy Doc per text, in order; an exception in place of a text the parser failed on."""
    try:
        return list(nlp.pipe(texts, batch_size=options.batch_size, n_process=options.n_process))
    except Exception:  # noqa: BLE001 - one text broke the batch: parse alone, so only it fails
        docs: list[Any] = []
        for text in texts:
            try:
                docs.append(nlp(text))
            except Exception as exc:  # noqa: BLE001
                docs.append(exc)
        return docs


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
    if options.event_model not in EVENT_MODELS:
        raise ValueError(f"event_model must be one of {', '.join(EVENT_MODELS)}, not {options.event_model!r}")
    nlp = load_pipeline(options.spacy_model, options.verify_model)
    iterator = iter(articles)
    while batch := list(islice(iterator, options.batch_size)):
        # Each article is (prepared article, notes, why it is not parsed, or the error it raised).
        prepared: list[tuple[Article, list[Rejected], str | None, BaseException | None]] = []
        for article in batch:
            try:
                cut, notes = _prepare(article, options.max_chars)
                prepared.append((cut, notes, language_problem(cut.text), None))
            except Exception as exc:  # noqa: BLE001 - any per-article bug must not stop the batch
                prepared.append((article, [], None, exc))
        # What the parser reads (dateline blanked, headline ahead) and where the text starts in it.
        parsed = [parsed_text(a, without_dateline(a.text)) if not problem and error is None else None
                  for a, _, problem, error in prepared]
        docs = iter(_parse(nlp, [p[0] for p in parsed if p is not None], options))
        # Yield in input order, whether parsed or refused, so callers can zip inputs and outputs.
        for (article, notes, problem, error), parse in zip(prepared, parsed):
            if error is not None:
                yield coding_failure(article, error)
                continue
            if problem:
                yield CodedArticle(article=article, rejections=[*notes, _rejection(article, E202_NOT_ENGLISH, problem)])
                continue
            doc = next(docs)
            if isinstance(doc, BaseException):
                yield coding_failure(article, doc, notes)
                continue
            try:
                coded = _code_parsed(article, doc, parse[1] if parse else 0, notes, options)
            except Exception as exc:  # noqa: BLE001
                coded = coding_failure(article, exc, notes)
            yield coded


def _code_parsed(article: Article, doc: Any, headline_chars: int, notes: list[Rejected], options: Options) -> CodedArticle:
    events, quotes = extract_events(article, doc, headline_chars, use_classifier=options.event_model == "classifier")
    events = [e for e in events if e.confidence >= options.min_confidence]
    if not any(t.pos_ in {"VERB", "AUX"} for t in doc):
        notes = [*notes, _rejection(article, E201_NO_SENTENCES, "no sentence with a verb was found (a table, list or fragment?)")]
    elif not events:
        notes = [*notes, _rejection(article, E203_NO_EVENTS, f"{len(list(doc.sents))} sentences parsed, but none reports a political event the lexicon knows")]
    return CodedArticle(article=article, events=events, quotes=quotes, rejections=notes)


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
    release = store.release if options.release_between_batches else (lambda: None)
    release()  # nothing is written while the first batch is coded: readers may come in
    failed: list[Rejected] = []

    def articles() -> Iterator[Article]:
        nonlocal failed
        for item in read_paths(paths, min_chars=options.min_chars, max_bytes=options.max_input_bytes):
            if isinstance(item, Article) and defaults:
                try:
                    item = defaults(item)
                except Exception as exc:  # noqa: BLE001 - a caller's hook must not stop the batch
                    item = coding_failure(item, exc).rejections[0].model_copy(update={"stage": "ingest"})
            if isinstance(item, Rejected):
                failed.append(item)
                summary.failures.append(item)
                if on_article:
                    on_article(item)
                if len(failed) >= options.store_batch:  # a long run of bad inputs: keep them, too
                    _store_batch(store, [], failed, summary)
                    failed = []
                    release()
                continue
            if resume:
                if item.id in done:
                    summary.skipped += 1
                    continue
                done.add(item.id)
            yield item

    pending: list[CodedArticle] = []

    def flush() -> None:
        nonlocal pending, failed
        _store_batch(store, pending, failed, summary)
        pending, failed = [], []
        release()

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
    # Leave stories and clusters matching what is stored (a full rebuild; see stories.py). A
    # run killed during the refresh leaves them stale, which the data shows: the next run, even
    # one that codes nothing new, rebuilds them.
    refresh_stale_clusters(store, options, force=summary.articles > 0)
    summary.clusters = store.story_counts()["event_clusters"]
    release()
    return summary


def refresh_stale_clusters(store: Store, options: Options | None = None, *, force: bool = False) -> bool:
    """Rebuild the store's stories and clusters when they do not match its events
    (``Store.clusters_stale``), or always with ``force``. Returns whether it rebuilt them."""
    if not force and not store.clusters_stale():
        return False
    store.refresh_clusters(options or load_options())
    return True


def repair_stale_clusters(path: str | Path, options: Options | None = None) -> bool:
    """Rebuild the stories and clusters of the store file at ``path`` if they are stale (a run
    killed during its refresh), opening it for writing only then. Returns whether it did;
    exporters call it first, so a GDELT-style export never drops the events of such a run."""
    from eventcoder.store import open_store

    with open_store(path, read_only=True) as store:
        if not store.clusters_stale():
            return False
    with open_store(path) as store:
        return refresh_stale_clusters(store, options)


def _store_batch(store: Store, coded: list[CodedArticle], failed: list[Rejected], summary: RunSummary) -> None:
    """Store a batch in one transaction; if that fails, store its parts one by one, so one
    article the store refuses becomes a failure row (E303) and the rest are kept. A store
    that takes nothing (disk full) raises the batch's E303."""
    if not coded and not failed:
        return
    try:
        summary.new_events += store.save_many(coded, failures=failed)
        return
    except StoreError as batch_error:
        if batch_error.code != E303_WRITE:
            raise
        try:
            store.save_many([], failures=failed)
        except StoreError:
            raise batch_error from None
        for one in coded:
            try:
                summary.new_events += store.save(one)
            except StoreError as exc:
                refused = Rejected(source=one.article.source or one.article.id, stage="store", code=E303_WRITE,
                                   reason=f"the store refused this article: {exc.message}", article_id=one.article.id)
                try:
                    store.record_failure(refused)
                except StoreError:
                    raise batch_error from None  # it takes nothing at all (disk full): say why the batch failed
                summary.failures.append(refused)


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
