"""Throughput of the coding stage, and of storing its results.

    python bench/bench_extract.py [--n 200] [--seed 0] [--gold PATH] [--no-write]

Builds a corpus of N articles from the two seed articles (paragraphs shuffled on each repeat)
and the PLOVER GSR sentences grouped into ~20-sentence articles (regrouped on each repeat),
so every article text, and so every article id, is distinct. Then it times
``eventcoder.code_articles`` end to end (spaCy parse + extraction, model already loaded),
and ``Store.save_many`` of the results into a fresh DuckDB file, in batches of
``run.STORE_BATCH`` as ``code_files`` does. Prints a table and writes the figures into
``docs/BENCHMARKS.md`` (between the ``bench_extract`` markers, leaving the rest alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import eventcoder
from eventcoder import Article, code_articles, load_options, open_store
from eventcoder.nlp.pipeline import load_pipeline
from eventcoder.run import STORE_BATCH, seed_defaults, seed_paths
from doc_sections import write_section  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = "../shared/data/plover_gsr_cameo.json"
SENTENCES_PER_ARTICLE = 20
SECTION = "bench_extract"  # its marked block in docs/BENCHMARKS.md


def seed_articles() -> list[Article]:
    """The two seed articles, with their publication metadata."""
    return [seed_defaults(Article.from_text(p.read_text(encoding="utf-8"), source=str(p.name))) for p in seed_paths()]


def gold_sentences(path: Path) -> list[str]:
    """Every sentence of the GSR file (records without text skipped)."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [r["text"].strip() for r in rows if isinstance(r, dict) and (r.get("text") or "").strip()]


def build_corpus(n: int, sentences: list[str], seed: int = 0) -> list[Article]:
    """N distinct articles: each round adds the two seeds and the GSR sentences in ~20s."""
    rng = random.Random(seed)
    seeds = seed_articles()
    corpus: list[Article] = []
    round_no = 0
    while len(corpus) < n:
        for article in seeds:
            paragraphs = [p for p in article.text.split("\n\n") if p.strip()]
            if round_no:  # keep the headline first, shuffle the body
                body = paragraphs[1:]
                rng.shuffle(body)
                paragraphs = paragraphs[:1] + body
            text = "\n\n".join(paragraphs)
            corpus.append(Article.from_text(text, published=article.published, outlet=article.outlet,
                                            source=f"{article.source}#r{round_no}"))
        order = sentences[:]
        if round_no:
            rng.shuffle(order)
        for i in range(0, len(order), SENTENCES_PER_ARTICLE):
            chunk = order[i:i + SENTENCES_PER_ARTICLE]
            corpus.append(Article.from_text(" ".join(chunk), published=dt.date(2000, 1, 1),
                                            source=f"gsr#r{round_no}.{i // SENTENCES_PER_ARTICLE}"))
        round_no += 1
    return corpus[:n]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def peak_rss_mib() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def run(n: int, gold: Path, seed: int) -> dict[str, object]:
    """Build the corpus, time coding and storing; return the figures."""
    options = load_options()
    corpus = build_corpus(n, gold_sentences(gold), seed)
    started = time.perf_counter()
    nlp = load_pipeline(options.spacy_model, options.verify_model)
    load_s = time.perf_counter() - started
    # Warm up on one article so lazily built tables (actor dictionary, trigger lexicon,
    # gazetteer) are loaded outside the timed run; that cost is reported as part of the load.
    started = time.perf_counter()
    list(code_articles(seed_articles()[:1], options))
    load_s += time.perf_counter() - started

    started = time.perf_counter()
    coded = list(code_articles(corpus, options))
    code_s = time.perf_counter() - started
    rss_after_code = peak_rss_mib()
    # Sentences are counted afterwards, outside the timing, with the pipes that split them.
    splitters = [p for p in ("tok2vec", "paragraph_boundaries", "parser") if p in nlp.pipe_names]
    with nlp.select_pipes(enable=splitters):
        sentences = sum(len(list(doc.sents)) for doc in nlp.pipe(a.text for a in corpus))
    events = sum(len(c.events) for c in coded)

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with open_store(Path(tmp) / "bench.duckdb") as store:
            new = 0
            for i in range(0, len(coded), STORE_BATCH):
                new += store.save_many(coded[i:i + STORE_BATCH])
        store_s = time.perf_counter() - started

    chars = sum(len(a.text) for a in corpus)
    return {
        "articles": len(corpus),
        "sentences": sentences,
        "chars": chars,
        "events": events,
        "events_stored": new,
        "load_s": load_s,
        "code_s": code_s,
        "articles_per_s": len(corpus) / code_s,
        "sentences_per_s": sentences / code_s,
        "ms_per_article": 1000 * code_s / len(corpus),
        "store_s": store_s,
        "store_articles_per_s": len(corpus) / store_s,
        "store_events_per_s": new / store_s if store_s else 0.0,
        "peak_rss_mib": rss_after_code,
        "batch_size": options.batch_size,
        "n_process": options.n_process,
        "spacy_model": options.spacy_model,
    }


def table(f: dict[str, object]) -> str:
    rows = [
        ("Corpus", f"{f['articles']} articles, {f['sentences']:,} sentences, {f['chars']:,} characters"),
        ("Model load + warm-up (once per process)", f"{f['load_s']:.2f} s"),
        ("Coding: `code_articles` (parse + extract)", f"{f['code_s']:.2f} s, {f['events']:,} events"),
        ("Articles / s", f"{f['articles_per_s']:.1f}"),
        ("Sentences / s", f"{f['sentences_per_s']:.0f}"),
        ("ms / article", f"{f['ms_per_article']:.1f}"),
        ("Peak RSS (after coding)", f"{f['peak_rss_mib']:.0f} MiB"),
        ("Store: `save_many` to a fresh DuckDB file", f"{f['store_s']:.2f} s, {f['events_stored']:,} events"),
        ("Store: articles / s, events / s", f"{f['store_articles_per_s']:.0f}, {f['store_events_per_s']:.0f}"),
    ]
    lines = ["| Measure | Value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines)


def section(f: dict[str, object], command: str) -> str:
    return "\n".join([
        "## Coding throughput (`bench/bench_extract.py`)",
        "",
        f"Machine: {os.cpu_count()} CPU ({cpu_model()}), Python {platform.python_version()}, "
        f"eventcoder {eventcoder.__version__}, spaCy model `{f['spacy_model']}`, "
        f"batch_size={f['batch_size']}, n_process={f['n_process']}. "
        f"Date: {dt.date.today().isoformat()}.",
        "",
        "Corpus: the two seed articles (body paragraphs shuffled on each repeat) and the PLOVER GSR "
        f"sentences grouped {SENTENCES_PER_ARTICLE} to an article (regrouped on each repeat). "
        "Coding time excludes the model load and a one-article warm-up (lazy tables, gazetteer); store time is `save_many` in batches of "
        f"{STORE_BATCH} into a fresh DuckDB file.",
        "",
        table(f),
        "",
        "Reproduce with:",
        "",
        "```",
        command,
        "```",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="articles in the corpus (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="shuffle seed (default 0)")
    parser.add_argument("--gold", default=DEFAULT_GOLD, help="GSR JSON file, relative to the repo root")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    figures = run(args.n, Path(args.gold), args.seed)
    print(table(figures))
    if not args.no_write:
        command = "python bench/bench_extract.py" + ("" if args.n == 200 else f" --n {args.n}")
        write_section(ROOT / "docs" / "BENCHMARKS.md", SECTION, section(figures, command), title="# Benchmarks")
        print("\nwrote docs/BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
