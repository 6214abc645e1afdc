"""Cost that grows with the new work: coding new articles into a store that already holds a
million events, against coding them into an empty store.

    python bench/bench_incremental.py [--events 1000000] [--new 1000] [--no-write]

1. Corpus (bench/scale_corpus.py: real news text, recombined; the gensim wheel is fetched once
   into --cache): the first 352 records are coded once, to collect real coded sentences
   ("units": an evidence sentence and its events); the next --new records are the new
   articles, written as one JSONL file, published 2024-01-01..30.
2. Empty store: ``eventcoder.code_files([new.jsonl], store)`` into a fresh DuckDB file, timed
   end to end (read, code, store, stories and clusters), with ``Store.refresh_clusters`` timed
   on its own as well.
3. Big store: articles made of 7 units each drawn at random (their events re-based onto the
   new article: ids, offsets and dates; actor offsets are left as they were, which the store
   does not check) and 120 words of their own, every fourth a wire copy of the one before,
   published over 730 days (2023-01-01..2024-12-31), saved until the store holds --events
   events; then one full ``refresh_clusters``. Then the same new JSONL is coded into it
   exactly as in step 2.

The target (issue 14): step 3's coding run takes at most 1.5 times step 2's. Writes the
figures into docs/PERFORMANCE.md between the ``bench_incremental`` markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eventcoder  # noqa: E402
from eventcoder import code_articles, code_files, open_store  # noqa: E402
from eventcoder.model import Article, CodedArticle, Event, hash_id  # noqa: E402
from eventcoder.settings import Options  # noqa: E402
from eventcoder.store import Store  # noqa: E402
from doc_sections import write_section  # noqa: E402
from scale_corpus import corpus_records  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = ROOT.parent / "shared" / "data" / "plover_gsr_cameo.json"
SECTION = "bench_incremental"
POOL = 352  # one recombination of every base document
UNITS_PER_ARTICLE = 7
FILLER_WORDS = 120
DAYS = 730
FIRST_DAY = dt.date(2023, 1, 1)
SAVE_BATCH = 5000

Unit = tuple[str, list[Event]]  # an evidence sentence and the events read from it


def machine() -> str:
    """The CPU model and count, for the record."""
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").is_file() else []:
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} CPUs"
    return f"{platform.machine()}, {os.cpu_count()} CPUs"


def units_of(coded: CodedArticle) -> list[Unit]:
    """The article's evidence sentences with their events."""
    by_span: dict[tuple[int, int], list[Event]] = {}
    for ev in coded.events:
        by_span.setdefault((ev.start_char, ev.end_char), []).append(ev)
    text = coded.article.text
    return [(text[a:b], evs) for (a, b), evs in sorted(by_span.items()) if text[a:b].strip()]


@lru_cache(maxsize=1)
def filler_words() -> list[str]:
    """Mid-frequency English words (wordfreq's ranks 5,000-50,000), for the old articles' own text."""
    from wordfreq import top_n_list

    return [w for w in top_n_list("en", 50_000)[5_000:] if w.isalpha()]


def synthetic(k: int, units: list[Unit], rng: random.Random) -> CodedArticle:
    """Old article ``k``: UNITS_PER_ARTICLE units at random, its events re-based onto it, and
    FILLER_WORDS words of its own (drawn at random) so that two old articles are alike only
    when they are meant to be: every fourth article is a second outlet's copy of the one
    before (a dateline added, published a day later), so the old store has stories of two."""
    copy = k % 4 == 3
    if copy:
        k_rng = random.Random(k - 1)
        published = FIRST_DAY + dt.timedelta(days=(k - 1) % DAYS + 1)
    else:
        k_rng = random.Random(k)
        published = FIRST_DAY + dt.timedelta(days=k % DAYS)
    chosen = k_rng.sample(units, UNITS_PER_ARTICLE)
    vocabulary = filler_words()
    filler = " ".join(" ".join(k_rng.choices(vocabulary, k=20)).capitalize() + "." for _ in range(FILLER_WORDS // 20))
    prefix = "WIRE (Agencies) - " if copy else ""
    parts, events, pos = [], [], len(prefix)
    spans = []
    for sentence, _ in chosen:
        spans.append((pos, pos + len(sentence)))
        parts.append(sentence)
        pos += len(sentence) + 1
    text = prefix + " ".join(parts) + " " + filler + (f" ({k})" if copy else "")
    article = Article.from_text(text, url=f"https://bench.invalid/old/{k}", outlet=f"outlet{k % 50}",
                                published=published, source=f"old-{k}")  # fmt: skip
    for (start, end), (_, evs) in zip(spans, chosen):
        for ev in evs:
            events.append(ev.model_copy(update={
                "id": hash_id(article.id, ev.id), "article_id": article.id, "start_char": start, "end_char": end,
                "when": ev.when.model_copy(update={"date": published}),
            }))  # fmt: skip
    return CodedArticle(article=article, events=events)


def timed_refresh(store: Store) -> list[float]:
    """Wrap ``store.refresh_clusters`` so each call's time is recorded in the returned list."""
    times: list[float] = []
    original: Callable[..., Any] = store.refresh_clusters

    def refresh(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            times.append(time.perf_counter() - t0)

    store.refresh_clusters = refresh  # type: ignore[method-assign]
    return times


def code_new(store: Store, corpus: Path) -> dict[str, float]:
    """Code the new articles into ``store``: wall time, and the stories-and-clusters part."""
    refreshes = timed_refresh(store)
    t0 = time.perf_counter()
    summary = code_files([corpus], store, Options())
    total = time.perf_counter() - t0
    return {"total": total, "refresh": sum(refreshes), "articles": summary.articles, "events": summary.events}


def run(target_events: int, new: int, cache: Path, gold: Path, workdir: Path, pool_size: int = POOL) -> tuple[str, list[str]]:
    records = corpus_records(pool_size + new, cache, gold)
    pool = [next(records) for _ in range(pool_size)]
    corpus = workdir / "new.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    t0 = time.perf_counter()
    pool_articles = [Article.from_text(str(r["text"]), published=dt.date.fromisoformat(str(r["published"]))) for r in pool]
    units = [u for coded in code_articles(pool_articles, Options()) for u in units_of(coded)]
    pool_s = time.perf_counter() - t0
    lines = [f"{len(units)} units ({sum(len(e) for _, e in units)} events) from {pool_size} articles in {pool_s:.0f} s"]
    print(lines[-1], flush=True)

    for leftover in workdir.glob("empty.duckdb*"):
        leftover.unlink()  # a kept --workdir: the empty store must start empty
    with open_store(workdir / "empty.duckdb") as store:
        empty = code_new(store, corpus)
    lines.append(f"empty store: {empty['total']:.1f} s (refresh {empty['refresh']:.2f} s)")
    print(lines[-1], flush=True)

    rng = random.Random(0)
    with open_store(workdir / "big.duckdb") as store:
        t0 = time.perf_counter()
        # A kept --workdir may hold the old store of an earlier run that stopped before coding
        # the new articles: it is built the same way, so it is used as it is.
        k = store.counts()["articles"]
        reused = k > 0
        if store.counts()["events"] and store.article_ids() & {Article.from_text(str(r["text"])).id for r in map(json.loads, corpus.open())}:
            raise SystemExit(f"{workdir / 'big.duckdb'} already holds the new articles: remove it")
        while store.counts()["events"] < target_events:
            store.save_many(synthetic(k + i, units, rng) for i in range(SAVE_BATCH))
            k += SAVE_BATCH
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.refresh_clusters(Options(), full=True)
        full_s = time.perf_counter() - t0
        before = store.counts()
        stories_before = store.story_counts()
        lines.append(f"big store: {before['articles']:,} articles, {before['events']:,} events built in {build_s:.0f} s; "
                     f"full refresh {full_s:.0f} s; {stories_before['stories']:,} story rows, {stories_before['event_clusters']:,} clusters")
        print(lines[-1], flush=True)
        big = code_new(store, corpus)
    lines.append(f"big store: {big['total']:.1f} s (refresh {big['refresh']:.2f} s)")
    print(lines[-1], flush=True)
    ratio = big["total"] / empty["total"]
    verdict = "meets" if ratio <= 1.5 else "misses"
    md = [
        "## Cost that grows with the new work (`bench/bench_incremental.py`)",
        "",
        f"eventcoder {eventcoder.__version__}, run {dt.date.today().isoformat()} on {machine()}, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the end (other work "
        "shares the machine: both runs are timed under it). Command: "
        f"`python bench/bench_incremental.py --events {target_events} --new {new}`; one process, default settings.",
        "",
        f"New work: {empty['articles']:.0f} articles of the scale corpus (real text, recombined), "
        f"{empty['events']:.0f} events. Old store: {before['articles']:,} articles with {before['events']:,} events "
        f"over {DAYS} days (built from {len(units)} real coded sentences, {UNITS_PER_ARTICLE} to an article; "
        + ("kept from an earlier run in --workdir" if reused else f"built in {build_s:.0f} s")
        + f"; its stories and clusters made once by a full refresh in {full_s:.0f} s, "
        f"{1000 * full_s / max(1, before['articles']):.1f} ms per article).",
        "",
        "| into | `code_files` wall | of which stories and clusters (`refresh_clusters`) |",
        "|---|---|---|",
        f"| an empty store | {empty['total']:.1f} s | {empty['refresh']:.2f} s |",
        f"| the store of {before['events']:,} events | {big['total']:.1f} s | {big['refresh']:.2f} s |",
        "",
        f"Ratio **{ratio:.2f}** ({verdict} the target of at most 1.5). The stories and clusters step "
        f"cost {1000 * big['refresh'] / max(1, big['articles']):.1f} ms per new article on the big store "
        f"({1000 * empty['refresh'] / max(1, empty['articles']):.1f} ms on the empty one): `refresh_clusters` "
        "profiles the new articles, looks up the stored ones that share a key term within the window, and "
        "regroups only the components those reach (store/stories.py). The rest of the difference is the "
        "store's own writes into bigger tables and indexes.",
    ]
    lines.append(f"ratio {ratio:.2f}")
    return "\n".join(md), lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the old store")
    parser.add_argument("--new", type=int, default=1000, help="new articles to code")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "eventcoder-bench")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--pool", type=int, default=POOL, help="articles coded to collect sentences for the old store")
    parser.add_argument("--workdir", type=Path, help="keep the stores here (default: a temporary folder)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/PERFORMANCE.md alone")
    args = parser.parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        body, lines = run(args.events, args.new, args.cache, args.gold, args.workdir, args.pool)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            body, lines = run(args.events, args.new, args.cache, args.gold, Path(tmp), args.pool)
    print("\n".join(lines))
    if not args.no_write:
        write_section(ROOT / "docs" / "PERFORMANCE.md", SECTION, body)
        print("written to docs/PERFORMANCE.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
