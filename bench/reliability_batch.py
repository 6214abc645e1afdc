"""Reliability bench: bad input at scale, and crash-and-resume, with figures for docs/RELIABILITY.md.

    python bench/reliability_batch.py                       # 10,000 inputs + 5 kills, ~20-30 min
    python bench/reliability_batch.py --inputs 500 --kills 2 --crash-inputs 60   # a quick look
    python bench/reliability_batch.py --write-docs          # also rewrite the figures in docs/

Batch: writes ``--inputs`` inputs (good articles from the seeds and the PLOVER gold sentences;
every bad kind in bench/reliability.py's BAD_KINDS and HOSTILE_KINDS; once each, a 50 MB file
and the ONCE_KINDS: a FIFO, a symlinked folder, 40,000 heading lines, a 5,000-word sentence, a
17 MB CSV field, a WARC with a 60 MB tail, a WARC gzip bomb) into a temporary folder
with a manifest of what each must become, codes them with ``code_files`` into a fresh DuckDB
file, and reconciles the store against the manifest input by input. Then codes the folder
again, which must skip every stored article and change nothing.

Crash: codes a smaller corpus once without interruption (the reference), then starts
``eventcoder code`` on it again and again in a child process, SIGKILLing each run at a random
moment, lets a last run finish, and compares the two stores key by key.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from eventcoder import Options
from reliability import compare_stores, crash_and_resume, generate_batch, reconcile, start_coder, stores_equal
from eventcoder.run import code_files
from eventcoder.store import open_store
from doc_sections import write_section  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "RELIABILITY.md"
CRASH_ENV = {"EVENTCODER_STORE_BATCH": "10", "EVENTCODER_BATCH_SIZE": "8"}  # commits every few seconds


def run_batch(work: Path, inputs: int, seed: int, good_share: float) -> dict[str, object]:
    """Generate, code, reconcile, re-run; return the figures."""
    started = time.perf_counter()
    expected = generate_batch(work / "inputs", inputs, good_share=good_share, seed=seed)
    generated = time.perf_counter() - started
    db = work / "batch.duckdb"
    started = time.perf_counter()
    with open_store(db) as store:
        summary = code_files([work / "inputs"], store, Options())
    coded_seconds = time.perf_counter() - started
    with open_store(db) as store:
        result = reconcile(store, expected)
        orphans = store.orphans()
        counts = store.counts()
        before = store.keys()
        started = time.perf_counter()
        again = code_files([work / "inputs"], store, Options())
        rerun_seconds = time.perf_counter() - started
        unchanged = store.keys() == before
    kinds: dict[str, int] = {}
    for e in expected:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    return {
        **result.as_dict(), "events": counts["events"], "failure_rows": counts["failures"],
        "orphans": orphans, "kinds": kinds, "generate_seconds": round(generated, 1),
        "code_seconds": round(coded_seconds, 1), "articles_per_second": round(summary.articles / coded_seconds, 2),
        "rerun_coded": again.articles, "rerun_skipped": again.skipped, "rerun_seconds": round(rerun_seconds, 1),
        "rerun_unchanged": unchanged, "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "examples_lost": result.lost[:5], "examples_unexpected": result.unexpected[:5],
        "examples_duplicates": result.duplicates[:5],
    }  # fmt: skip


def run_crash(work: Path, inputs: int, kills: int, seed: int) -> dict[str, object]:
    """Reference run, then ``kills`` SIGKILLed runs and a final one; return the comparison."""
    generate_batch(work / "crash-inputs", inputs, good_share=0.8, seed=seed, oversized=False)
    reference = work / "reference.duckdb"
    started = time.perf_counter()
    child = start_coder([work / "crash-inputs"], reference, CRASH_ENV)
    _, err = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"reference run failed: {err.decode(errors='replace')[-2000:]}")
    reference_seconds = time.perf_counter() - started
    db = work / "crashed.duckdb"
    report = crash_and_resume([work / "crash-inputs"], db, kills=kills, rng=random.Random(seed),
                              max_delay=reference_seconds, env=CRASH_ENV)
    comparison = compare_stores(reference, db)
    return {
        "inputs": inputs, "kills": len(report.kills), "finished_before_kill": report.finished_early,
        "kill_points": [{"after_seconds": s, "articles_stored": n} for s, n in report.kills],
        "reference_seconds": round(reference_seconds, 1), "final_run_seconds": round(report.final_seconds, 1),
        "tables": comparison, "equal": stores_equal(comparison),
    }  # fmt: skip


def _markdown(batch: dict[str, object], crash: dict[str, object], command: str) -> str:
    lines = [f"Measured with `{command}` on {time.strftime('%Y-%m-%d')} ({sys.platform}, Python {sys.version.split()[0]}).", ""]
    lines += ["| batch figure | value |", "|---|---|"]
    for key in ("inputs", "good", "bad", "articles", "input_failures", "lost", "unexpected", "duplicates",
                "orphan_notes", "events", "failure_rows", "code_seconds", "articles_per_second",
                "rerun_coded", "rerun_skipped", "rerun_seconds", "rerun_unchanged", "max_rss_mb"):
        lines.append(f"| {key} | {batch[key]} |")
    lines += ["", "Inputs by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(batch["kinds"].items())) + ".", ""]  # type: ignore[union-attr]
    lines += ["| crash table | reference rows | resumed rows | missing | extra | duplicates | orphans |", "|---|---|---|---|---|---|---|"]
    for table, t in crash["tables"].items():  # type: ignore[union-attr]
        lines.append(f"| {table} | {t['reference']} | {t['candidate']} | {t['missing']} | {t['extra']} | {t['duplicates']} | {t['orphans']} |")
    points = ", ".join(f"{p['after_seconds']} s ({p['articles_stored']} articles stored)" for p in crash["kill_points"])  # type: ignore[union-attr]
    lines += ["", f"{crash['kills']} SIGKILLs over a {crash['inputs']}-input corpus (uninterrupted run "
              f"{crash['reference_seconds']} s); kills landed at {points}; {crash['finished_before_kill']} run(s) "
              f"finished before their kill. Stores equal: **{crash['equal']}**."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--good-share", type=float, default=0.2)
    parser.add_argument("--crash-inputs", type=int, default=300)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep inputs and stores here (default: a temporary folder)")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the figures block of docs/RELIABILITY.md")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="eventcoder-reliability-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"working in {work}", file=sys.stderr)
    batch = run_batch(work, args.inputs, args.seed, args.good_share)
    print(json.dumps({"batch": batch}, indent=1, default=str))
    crash = run_crash(work, args.crash_inputs, args.kills, args.seed)
    print(json.dumps({"crash": crash}, indent=1, default=str))
    command = "python bench/reliability_batch.py " + " ".join(a for a in sys.argv[1:] if a != "--write-docs")
    if args.write_docs:
        write_section(DOC, "figures", _markdown(batch, crash, command.strip()))
    ok = batch["lost"] == batch["unexpected"] == batch["duplicates"] == 0 and batch["rerun_unchanged"] and crash["equal"]
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
